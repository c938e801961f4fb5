"""Merge the claims of every parser into one :class:`~envcheck.facts.Facts`.

* A fact takes the value of its highest-ranked claim; among equal ranks the later line
  in the text wins (a paste often shows "before" and "after").
* Claims that disagree are kept in ``Facts.notes`` ("the text disagrees about …"), so a
  maintainer sees that the paste mixes two machines or two moments.
* GPUs: claims with an NVML index merge by index; a GPU named without an index (a
  sentence, a torch warning, ``nvidia-smi -q``, lspci) joins the GPU with the same bus id
  or, when neither has a bus id that tells them apart, the same model, and otherwise
  becomes the next GPU — unless a tool already listed the GPUs, in which case a person's
  differing mention is only noted. Every ``-q`` block carries its bus id, so eight blocks
  of one model are eight GPUs. A claim with no identity at all (a ``-q`` section pasted
  without its GPU header) belongs to the paste's one GPU, and is only noted when there
  are several.
* "No devices were found" from nvidia-smi beside GPUs that only ``lspci`` shows: the driver
  initialised none of them, so each is marked lost (``gpu_lost``).
* What the text does not say stays ``unknown``; the key gaps are listed in ``notes``.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from envcheck.explain.gpu_names import same_gpu
from envcheck.explain.partial import COPIED, REPORT, STATED, TOOL, Claim, Found, GpuClaim, ItemClaim, weight
from envcheck.explain.smi_values import same_bus
from envcheck.facts import (
    DriverFacts,
    EnvFacts,
    Facts,
    GpuFacts,
    HostFacts,
    InterconnectFacts,
    NvmlFacts,
    PciFacts,
    PythonFacts,
    ToolkitFacts,
    TorchFacts,
)
from envcheck.knowledge.archs import variant_cuda
from envcheck.reading import Reading, Status, is_truncated

GROUPS = {"host": HostFacts, "pci": PciFacts, "driver": DriverFacts, "nvml": NvmlFacts, "toolkit": ToolkitFacts,
          "python": PythonFacts, "torch": TorchFacts, "env": EnvFacts, "interconnect": InterconnectFacts}
_GPU_FIELDS = {f.name for f in dataclasses.fields(GpuFacts)} - {"index"}
# Facts whose spellings differ harmlessly between sources; never a conflict.
_NO_CONFLICT = {"host.os_pretty", "nvml.init_error"}


_FIELDS = {group: frozenset(f.name for f in dataclasses.fields(cls)) for group, cls in GROUPS.items()}


def _check_path(path: str) -> Tuple[str, str]:
    group, _, name = path.partition(".")
    if name not in _FIELDS.get(group, ()):
        raise ValueError(f"explain: a parser claimed an unknown fact {path!r}")
    return group, name


def _compatible(a: Any, b: Any) -> bool:
    """Equal, or the same version written with more detail ("3.10" / "3.10.12", "2.1.0" / "2.1.0+cu121")."""
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        short, long_ = sorted((a, b), key=len)
        return long_.startswith(short) and long_[len(short)] in ".+-"
    return False


def _where(c: Any) -> str:
    return f"{c.source}, line {c.line + 1}"


def _show(r: Reading) -> str:
    if r.ok:
        return ", ".join(map(str, r.value)) if isinstance(r.value, tuple) else str(r.value)
    return r.status.value.replace("_", " ")


def _memo(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``test`` answered once per distinct value: a long paste repeats one value thousands of times."""
    seen: Dict[Any, bool] = {}

    def memo(value: Any) -> bool:
        try:
            return seen[value]
        except KeyError:
            out = seen[value] = test(value)
            return out
        except TypeError:  # an unhashable value
            return test(value)
    return memo


_BY_RANK = operator.attrgetter("rank", "line")
_OK = Status.OK


def _BY_WEIGHT(c: Claim) -> Tuple[int, int]:  # noqa: N802 - a sort key like _BY_RANK
    return weight(c), c.line
_DISAGREES = "the text disagrees about "


def _last_max(claims: List[Any], key: Callable[[Any], Tuple[int, int]]) -> Any:
    """``sorted(claims, key=key)[-1]`` (the last of the greatest), in one pass: a fact of a long log
    has 20,000 claims, and _pick would sort them only to read the ends."""
    best, top = None, None
    for c in claims:
        k = key(c)
        if top is None or k >= top:
            best, top = c, k
    return best


def _pick(claims: List[Any], label: str, notes: List[str], compare=_compatible) -> Any:
    """The winning claim; notes a disagreement between claims (of any rank)."""
    order = _BY_RANK
    winner = _last_max(claims, order)
    if winner.rank < COPIED and any(c.rank == STATED for c in claims):
        # A person's copy of a program's build string outranks an install command's pin (partial.weight).
        order = _BY_WEIGHT
        winner = _last_max(claims, order)
    if compare is _compatible and winner.reading.ok and isinstance(winner.reading.value, str):
        # "3.10" (collect_env) and "3.10.12" (the REPL banner) agree: keep the more precise spelling.
        fixed = winner.reading.value
        agrees = _memo(lambda v: compare(v, fixed))
        best = None  # the longest agreeing value, then the highest rank and line (the first of equals)
        floor = min(winner.rank, STATED)  # a value told as the fix (fix_context) never respells what ran
        # The loops below visit every claim of a fact (20,000 on the densest 4 MiB input): the
        # status is compared directly, and what does not change from claim to claim is read once.
        # Of equal keys, the first in the order (then in the input, as a stable sort keeps them).
        for c in claims:
            if c.rank < floor:
                continue
            r = c.reading
            v = r.value
            if r.status is _OK and isinstance(v, str) and agrees(v):
                key = (len(v), c.rank, c.line)
                if best is None or key > best or (key == best and order(c) < order(winner)):
                    winner, best = c, key
    a = winner.reading
    a_ok, a_status = a.ok, a.status
    same_value = _memo(lambda v: compare(a.value, v))
    # The disagreeing claim met first from the top of the order (the last of the greatest), if any.
    other, top = None, None
    for c in claims:
        if c is winner:
            continue
        b = c.reading
        # the same value, or (neither ok) the same status
        same = (b.status is _OK and same_value(b.value)) if a_ok else (b.status is not _OK and a_status == b.status)
        if not same:
            k = order(c)
            if top is None or k >= top:
                other, top = c, k
    if other is not None:
        b = other.reading
        notes.append(f"{_DISAGREES}{label}: {_show(a)} ({_where(winner)}) and {_show(b)} "
                     f"({_where(other)}); used {_show(a)}")
    return winner


def _scalars(claims: Iterable[Claim], notes: List[str]) -> Dict[str, Claim]:
    by_path: Dict[str, List[Claim]] = {}
    for c in claims:
        by_path.setdefault(c.path, []).append(c)
    for path in by_path:
        _check_path(path)  # once per fact, not once per claim: a 4 MiB paste makes 50,000 claims
    out = {}
    for path, cs in by_path.items():
        out[path] = _pick(cs, path, [] if path in _NO_CONFLICT else notes)
    return out


class _Gpu:
    def __init__(self, index: int) -> None:
        self.index = index
        self.claims: Dict[str, List[Any]] = {}
        self.rank = 0  # the highest rank of a claim about this GPU
        # What _match compares a new claim with, each once: a long log names one GPU thousands
        # of times, and comparing with every claim made matching quadratic.
        self.buses: Dict[str, None] = {}
        self.names: Dict[Tuple[str, bool], None] = {}  # (name, cut by nvidia-smi)

    def add(self, claim: GpuClaim) -> None:
        self.rank = max(self.rank, claim.rank)
        for name, reading in claim.fields:
            if name not in _GPU_FIELDS:
                raise ValueError(f"explain: a parser claimed an unknown GPU field {name!r}")
            self.claims.setdefault(name, []).append(Claim(name, reading, claim.rank, claim.source, claim.line))
            if reading.ok and name == "pci_bus_id":
                self.buses[reading.value] = None
            elif reading.ok and name == "name":
                self.names[(reading.value, is_truncated(reading.detail))] = None

    def build(self, notes: List[str]) -> GpuFacts:
        fields = {}
        for name, cs in self.claims.items():
            if name == "name":
                # nvidia-smi cuts long names ("GeForce GTX 108..."): any full spelling beats the stub.
                full = [c for c in cs if c.reading.ok and not is_truncated(c.reading.detail)]
                cs = full or cs
                fields[name] = _pick(cs, f"GPU {self.index} name", notes, same_gpu).reading
            else:
                fields[name] = _pick(cs, f"GPU {self.index} {name}", notes).reading
        return GpuFacts(index=self.index, **fields)


def _match(gpus: Dict[int, _Gpu], claim: GpuClaim) -> Optional[_Gpu]:
    bus, name = claim.get("pci_bus_id"), claim.get("name")
    bus = bus.value if bus is not None and bus.ok else None
    for g in gpus.values():
        if bus is not None and any(same_bus(b, bus) for b in g.buses):
            return g
    for g in gpus.values():
        if bus is not None and g.buses:
            continue  # another PCI function: two GPUs of one model are still two GPUs
        if name is not None and name.ok and any(
                same_gpu(value, name.value, cut or is_truncated(name.detail)) for value, cut in g.names):
            return g
    return None


def _anonymous(c: GpuClaim) -> bool:
    """A claim that names no GPU: no index, bus id, UUID or name (a ``-q`` section cut from its block)."""
    return c.index is None and not any(c.get(k) is not None for k in ("pci_bus_id", "uuid", "name"))


def _gpus(claims: List[GpuClaim], notes: List[str]) -> Dict[int, _Gpu]:
    gpus: Dict[int, _Gpu] = {}
    for c in claims:
        if c.index is not None:
            gpus.setdefault(c.index, _Gpu(c.index)).add(c)
    # A tool or report listed GPUs (with or without their NVML index: -q gives bus ids only).
    listed = any(c.rank >= REPORT and not _anonymous(c) for c in claims)
    named = sorted((c for c in claims if c.index is None and not _anonymous(c)), key=lambda c: (-c.rank, c.line))
    for c in named:
        g = _match(gpus, c)
        if g is None and listed and c.rank <= STATED:
            name = c.get("name")
            notes.append(f"the text also names a {name.value if name else 'GPU'} ({_where(c)}), "
                         "which is not among the GPUs the tools list")
            continue
        if g is None:
            index = max(gpus, default=-1) + 1
            g = gpus.setdefault(index, _Gpu(index))
        g.add(c)
    for c in sorted((c for c in claims if _anonymous(c)), key=lambda c: c.line):
        if len(gpus) > 1 and [k for k, _ in c.fields] == ["status"] and c.fields[0][1].status is Status.GPU_LOST:
            # "one GPU is lost" beside the GPUs the tools still list: the lost one is usually
            # missing from that list (nvidia-smi shows the survivors), so it is a GPU of its own.
            index = max(gpus) + 1
            gpus.setdefault(index, _Gpu(index)).add(c)
            continue
        if len(gpus) > 1:
            notes.append(f"the text shows values of a GPU without saying which ({_where(c)}); "
                         f"with {len(gpus)} GPUs in the text they were not used")
            continue
        gpus.setdefault(0, _Gpu(0)).add(c)
    return gpus


def _lost_beside_no_devices(gpus: Dict[int, _Gpu], scalars: Dict[str, Claim]) -> None:
    """nvidia-smi said "No devices were found" while lspci lists GPUs: the driver runs but
    initialised none of them (``NVRM: RmInitAdapter failed`` in the kernel log says why)."""
    none = scalars.get("nvml.gpus")
    if none is None or none.rank < TOOL or not none.reading.ok or none.reading.value != ():
        return
    for g in gpus.values():
        if g.rank < TOOL:
            g.add(GpuClaim(None, (("status", Reading.fail(
                Status.GPU_LOST, f"on the PCI bus, but {none.reading.detail or 'nvidia-smi found no devices'}: "
                                 "the driver did not initialise it")),), TOOL, none.source, none.line))


def _items(items: Iterable[ItemClaim], notes: List[str]) -> Dict[str, List[Any]]:
    by_path: Dict[str, Dict[str, List[ItemClaim]]] = {}
    for it in items:
        by_path.setdefault(it.path, {}).setdefault(it.key, []).append(it)
    for path in by_path:
        _check_path(path)
    out: Dict[str, List[Any]] = {}
    for path, keyed in by_path.items():
        chosen = []
        for key, its in keyed.items():
            ordered = sorted(its, key=lambda c: (c.rank, c.line))
            winner = ordered[-1]
            versions = {getattr(x.value, "version", x.value) for x in its}
            if path in ("python.packages", "env.variables") and len(versions) > 1:
                notes.append(f"the text shows {key} more than once with different values "
                             f"({', '.join(sorted(map(str, versions)))}); used {getattr(winner.value, 'version', winner.value)} "
                             f"({_where(winner)})")
            chosen.append((min(x.line for x in its), key, winner.value))
        out[path] = [(k, v) for _, k, v in sorted(chosen, key=lambda t: t[0])]
    return out


def _derive(values: Dict[str, Reading]) -> None:
    """Facts that follow from others: the CUDA of a "+cu126" version, torch being installed."""
    version = values.get("torch.version")
    if version is not None and version.ok and "torch.cuda_build" not in values:
        suffix = re.search(r"\+(cu\d+|cpu|rocm[\d.]+)$", str(version.value))
        if suffix and suffix.group(1) == "cpu":
            values["torch.cuda_build"] = Reading.fail(Status.NOT_FOUND, f"CPU-only build ({version.value})")
        elif suffix and suffix.group(1).startswith("rocm"):
            values["torch.cuda_build"] = Reading.fail(Status.NOT_FOUND, f"ROCm build ({version.value})")
            values.setdefault("torch.hip_build", Reading.of(suffix.group(1)[4:], f"from the version {version.value}"))
        elif suffix and variant_cuda(suffix.group(1)):
            values["torch.cuda_build"] = Reading.of(variant_cuda(suffix.group(1)), f"from the version {version.value}")
    if "torch.installed" not in values and any(
            values.get(p) is not None and values[p].known
            for p in ("torch.version", "torch.cuda_available", "torch.cuda_build", "torch.arch_list")):
        values["torch.installed"] = Reading.of(True, "implied by the text")


def _gaps(values: Dict[str, Reading], gpus: Tuple[GpuFacts, ...], init_error: Optional[str]) -> List[str]:
    """The key facts a paste should show but this one does not (the "could not tell" list)."""
    def missing(path: str) -> bool:
        return path not in values or not values[path].known

    out = []
    if missing("nvml.driver_version"):
        out.append("driver version not found in the text (`nvidia-smi` shows it)")
    if not gpus and missing("nvml.gpus"):
        out.append("GPU model not found in the text (`nvidia-smi -L` shows it)")
    installed = values.get("torch.installed")
    if missing("torch.version") and not (installed is not None and installed.ok and installed.value is False):
        out.append("PyTorch version not found in the text (`python -m torch.utils.collect_env` shows it)")
    elif not missing("torch.version") and missing("torch.cuda_build"):
        out.append("the CUDA version PyTorch was built with is not in the text "
                   "(`python -c \"import torch; print(torch.version.cuda)\"` shows it)")
    if missing("python.version"):
        out.append("Python version not found in the text")
    if missing("host.os_id"):
        out.append("operating system not found in the text")
    wsl = values.get("host.wsl")
    if wsl is not None and wsl.ok and wsl.value == "wsl":
        out.append("the text mentions WSL but does not prove which version: only the kernel string "
                   "(`uname -r`: …-microsoft-standard-WSL2) or `wsl -l -v` (run in Windows) does")
    if init_error == "driver_not_loaded" and missing("host.secure_boot"):
        out.append("Secure Boot state not in the text (`mokutil --sb-state` shows it)")
    return out


def assemble(found: Iterable[Found], collected_at: str = "", envcheck_version: str = "") -> Facts:
    found = list(found)
    notes: List[str] = []
    scalars = _scalars((c for f in found for c in f.claims), notes)
    values: Dict[str, Reading] = {p: c.reading for p, c in scalars.items()}
    init_error: Optional[str] = None
    if "nvml.init_error" in values:
        init = scalars.get("nvml.init")
        error_claim = scalars["nvml.init_error"]
        if init is not None and not init.reading.ok:
            init_error = str(error_claim.reading.value)
        del values["nvml.init_error"]
    by_index = _gpus([g for f in found for g in f.gpus], notes)
    _lost_beside_no_devices(by_index, scalars)
    gpus = tuple(by_index[i].build(notes) for i in sorted(by_index))
    for g in gpus:
        if g.name.ok and is_truncated(g.name.detail):
            # The text report shows notes: without this, "NVIDIA GeForce RTX 4080" would read as the full name.
            notes.append(f"GPU {g.index}'s name is cut short in nvidia-smi's table (\"{g.name.value} ...\", "
                         f"{g.name.detail.split(' (')[0]}); `nvidia-smi -L` prints it in full")
    if gpus:
        values["nvml.gpus"] = Reading.of(gpus, "GPUs named in the text")
    items = _items((it for f in found for it in f.items), notes)
    for path, pairs in items.items():
        if path == "env.variables":
            values[path] = Reading.of(dict(pairs), "only the variables the text shows")
        else:
            values[path] = Reading.of(tuple(v for _, v in pairs), "as shown in the text")
    _derive(values)
    groups: Dict[str, Dict[str, Any]] = {g: {} for g in GROUPS}
    for path, reading in values.items():
        group, name = _check_path(path)
        groups[group][name] = reading
    groups["nvml"]["init_error"] = init_error
    for f in found:
        notes.extend(n for n in f.notes if n not in notes)
    notes = list(dict.fromkeys(notes + _gaps(values, gpus, init_error)))
    disagreements = tuple(dict.fromkeys(n[len(_DISAGREES):].split(":", 1)[0] for n in notes if n.startswith(_DISAGREES)))
    return Facts(envcheck_version=envcheck_version, collected_at=collected_at, source="explain",
                 notes=tuple(notes), disagreements=disagreements, **{g: GROUPS[g](**kw) for g, kw in groups.items()})
