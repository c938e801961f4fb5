"""What the version rules and the advisor need from Facts, read once and resolved
against the tables.

Facts are often partial (a snapshot, a pasted ``collect_env``, a bare traceback): a GPU
may have a name but no compute capability, torch a version but no arch list, the driver
only its CUDA version. Each view below fills the gaps from whichever evidence is there —
the facts, the knowledge tables, and upstream's own messages (``derived.messages``: torch's
warnings carry a GPU's capability and the build's arch list, "found version N" the
driver's CUDA) — and records where a value came from, so a finding can cite it and say
how sure it is. Anything still unknown stays ``None``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Optional, Tuple

from envcheck.derived.messages import Stated, is_package_claim, is_stated, stated, texts
from envcheck.derived.notes import note_after
from envcheck.facts import SAID_FAILING, Facts
from envcheck.knowledge.archs import major_minor, parse_arch_list, ver
from envcheck.knowledge.pci_ids import range_of_device
from envcheck.knowledge.tables import KnowledgeBase, TorchBuild
from envcheck.reading import Reading, Status


@dataclass(frozen=True)
class Value:
    """A value and the fact (or table, or message) it came from, for a finding's evidence.
    ``stated``: it rests on a person's words in a paste, not a tool's output."""

    value: object
    source: str
    stated: bool = False


def _of(reading: Reading, source: str) -> Value:
    return Value(reading.value, source, is_stated(reading))


@dataclass(frozen=True)
class GpuView:
    index: Optional[int]  # NVML index; None when the GPU is known only from torch or text
    name: Optional[str]
    cc: Optional[str]  # "12.0"
    cc_source: str  # "nvml.gpus[0].compute_capability", "gpu_models table (name)", ...
    stated: bool = False  # the GPU is known only from a person's words
    # Other capabilities its name may mean (gpu_models' other_cc: a bare "TITAN X" is 5.2 or
    # 6.1): ``cc`` is then one candidate, not a fact.
    other_ccs: Tuple[str, ...] = ()


@dataclass(frozen=True)
class TorchView:
    version: Optional[Value]
    build: Optional[TorchBuild]
    cuda: Optional[Value]  # "12.6"
    is_cpu: bool
    arch_list: Optional[Value]  # tuple of "sm_XY"/"compute_XY"
    cudnn_compiled: Optional[Value]  # int encoding
    cudnn_loaded: Optional[Value]  # int encoding
    cpu_source: Optional[Value] = None  # what says it is a CPU-only build


def in_container(facts: Facts) -> bool:
    """The facts come from inside a container (a container runtime read or stated)."""
    c = facts.host.container
    return c.ok and c.value not in (None, "none")


def find_text(facts: Facts, *needles: str) -> Optional[str]:
    """The first text containing any needle (case-insensitive): for the knowledge tables'
    own substrings (known-bad builds); torch's messages are read through ``stated``."""
    for _, text in texts(facts):
        low = text.lower()
        if any(n.lower() in low for n in needles):
            return text
    return None


def said_failing(facts: Facts) -> Optional[str]:
    """The person's own sentence saying something fails, quoted with its line
    (``explain/parsers/complaint.py``), or None."""
    return note_after(facts, SAID_FAILING)


def failure_texts(facts: Facts) -> Tuple[str, ...]:
    """What in a pasted text says something failed: its error lines and the person's sentence."""
    said = said_failing(facts)
    return tuple(facts.torch.errors.get(())) + ((said,) if said else ())


# A CUDA version named in a failure's text ("cannot use PyTorch with CUDA 10.2").
_CUDA_NAMED = re.compile(r"\bcuda\s*(\d{1,2}\.\d)", re.I)


def fails_with(facts: Facts, cuda: str) -> bool:
    """Does the text say something failed that can be a build of CUDA ``cuda``'s doing: an error
    line or the person's failing sentence, unless it names CUDA versions and none is ``cuda``
    ("Since the RTX 3090 cannot use PyTorch with CUDA 10.2 …", told beside runs of a CUDA 11.0
    build, is about another build)."""
    mine = ".".join(cuda.split(".")[:2])
    for text in failure_texts(facts):
        named = {m.group(1) for m in _CUDA_NAMED.finditer(text)}
        if not named or mine in named:
            return True
    return False


# PyTorch named in a failure's text: the word, or a path in its tree ("site-packages/torch/…", "torch\\lib").
_TORCH_NAMED = re.compile(r"\b(?:py)?torch\b|[/\\]torch[/\\]", re.I)


def torch_in_play(facts: Facts) -> bool:
    """Does the text put PyTorch in the failure at all: a fact of its build or install, a
    catalogued message of torch's, or torch named in an error line or the person's failing
    sentence? A Caffe benchmark, an OpenMM test or a project's own ``cudaCheckError()`` on an old
    GPU says nothing about a PyTorch build (sweep 24: three thin reports judged torch's build
    by the GPU's age alone)."""
    t = facts.torch
    if any(r.known for r in (t.version, t.cuda_build, t.installed, t.import_error, t.arch_list, t.cuda_available)):
        return True
    if any(p.name.startswith("torch") for p in facts.python.packages.get(())):
        return True
    if any(s.message.origin.project == "torch" for s in stated(facts)):
        return True
    return any(_TORCH_NAMED.search(text) for text in failure_texts(facts))


def _said(found: Tuple[Stated, ...], fact: str) -> Optional[Tuple[object, Stated]]:
    """The first value of ``fact`` an upstream message carries, with the message."""
    for s in found:
        v = s.fact(fact)
        if v is not None:
            return v, s
    return None


# ---------------------------------------------------------------------------- the driver
def driver_version(facts: Facts) -> Optional[Value]:
    """The running driver's version (NVML, the loaded module), else the library on disk."""
    for path, reading in (("nvml.driver_version", facts.nvml.driver_version),
                          ("driver.kernel_module_version", facts.driver.kernel_module_version),
                          ("driver.userspace_library_version", facts.driver.userspace_library_version)):
        if reading.ok and reading.value:
            return Value(str(reading.value), path, is_stated(reading))
    return None


def driver_cuda(facts: Facts, kb: KnowledgeBase, found: Tuple[Stated, ...] = ()) -> Optional[Value]:
    """The newest CUDA the driver runs: the nvidia-smi header / NVML, torch's "found version
    N" (cudaDriverGetVersion behind cudaErrorInsufficientDriver), else the driver table."""
    r = facts.nvml.cuda_driver_version
    if r.ok and r.value:
        return Value(major_minor(str(r.value)) or str(r.value), "nvml.cuda_driver_version", is_stated(r))
    said = _said(found, "nvml.cuda_driver_version")
    if said:
        return Value(said[0], f"{said[1].source}: {said[1].id}")
    drv = driver_version(facts)
    cuda = kb.max_cuda_for_driver(drv.value) if drv else None
    return Value(cuda, f"cuda_driver table ({drv.source} {drv.value})", drv.stated) if cuda else None


def driver_runs(driver_cuda_version: str, cuda: str) -> bool:
    """Does a driver whose newest CUDA is ``driver_cuda_version`` run a build for ``cuda``?
    From CUDA 11 on, minor-version compatibility runs any build of the same major on the
    major's first driver; before 11 the driver's CUDA had to be at least the build's
    (https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html)."""
    have, need = ver(driver_cuda_version), ver(cuda)
    if have is None or need is None:
        return True
    if have >= need:
        return True
    return need.release[0] >= 11 and have.release[0] == need.release[0]


# ---------------------------------------------------------------------------- GPUs
def _from_messages(found: Tuple[Stated, ...]) -> Tuple[GpuView, ...]:
    """GPUs that only torch's warnings name ("Found GPU0 X which is of cuda capability 3.0")."""
    out, seen = [], set()
    for s in found:
        cc = s.fact("gpu.compute_capability")
        if cc is None or cc in seen:
            continue
        seen.add(cc)
        name = s.fact("gpu.name")
        out.append(GpuView(None, str(name) if name else None, str(cc), f"{s.source}: {s.id}"))
    return tuple(out)


def gpus(facts: Facts, kb: KnowledgeBase, found: Optional[Tuple[Stated, ...]] = None) -> Tuple[GpuView, ...]:
    """Every GPU with its compute capability: NVML's, the names table's, torch's devices,
    the PCI family's, or the capability torch's own warnings give."""
    found = stated(facts) if found is None else found
    said = _from_messages(found)
    out = []
    for g in facts.gpus:
        name = g.name.value if g.name.ok else None
        words = is_stated(g.name) or is_stated(g.compute_capability)
        if g.compute_capability.ok and g.compute_capability.value:
            out.append(GpuView(g.index, name, str(g.compute_capability.value),
                               f"nvml.gpus[{g.index}].compute_capability", words))
            continue
        model = kb.gpu_model(name) if name else None
        if model is None and len(facts.gpus) == 1 and len(said) == 1:
            # One GPU, named without a capability the table knows; torch's warning gives it.
            out.append(GpuView(g.index, name, said[0].cc, said[0].cc_source, words))
            continue
        out.append(GpuView(g.index, name, model.cc if model else None,
                           f"gpu_models table ({name})" if model else "unknown", words,
                           model.other_ccs if model else ()))
    if not out:
        for d in facts.torch.devices.get(()):
            out.append(GpuView(None, d.name, d.capability, f"torch.devices[{d.index}].capability",
                               is_stated(facts.torch.devices)))
    if not out:
        # Only the PCI bus saw the GPU (no driver yet, nouveau): its device id names the family.
        for p in facts.pci.gpus:
            r = range_of_device(p.device_id)
            label = f"NVIDIA GPU 10de:{p.device_id:04x}" + (f" ({r.arch.capitalize()})" if r else "")
            out.append(GpuView(None, label, r.assumed_cc if r else None,
                               f"pci.devices[{p.address}] (10de:{p.device_id:04x}, {r.arch})" if r
                               else f"pci.devices[{p.address}] (10de:{p.device_id:04x}, unknown family)"))
    if not out:
        out.extend(said)
    return tuple(out)


# ---------------------------------------------------------------------------- torch
_CPU_MESSAGES = ("torch_not_compiled_with_cuda", "torch_compiled_without_cuda")
# Messages only a CUDA build prints: the CUDA runtime or cuDNN looked for a kernel for the
# GPU (a CPU-only build never gets that far). Beside one of them, a CPU-only build read from
# a package name or a wheel file is another moment's or another environment's torch.
_KERNEL_LOOKUP = ("cuda_no_kernel_image", "cudnn_status_arch_mismatch", "torch_gpu_not_built_for")


def _cuda(t, build: Optional[TorchBuild], found: Tuple[Stated, ...]) -> Optional[Value]:
    if t.cuda_build.ok and t.cuda_build.value:
        return Value(major_minor(t.cuda_build.value) or t.cuda_build.value, "torch.cuda_build", is_stated(t.cuda_build))
    if build and build.variant and not build.is_cpu:
        return Value(build.variant.cuda, f"torch_variants table ({build.variant.torch} {build.variant.variant})")
    said = _said(found, "torch.cuda_build")
    return Value(said[0], f"{said[1].source}: {said[1].id}") if said else None


def _cpu(t, build: Optional[TorchBuild], version: Optional[Value], found: Tuple[Stated, ...]) -> Optional[Value]:
    """What says this is a CPU-only build: the version's +cpu, torch.version.cuda None, or
    torch's own "Torch not compiled with CUDA enabled"."""
    is_rocm = t.hip_build.ok and bool(t.hip_build.value)
    if build and build.is_cpu and version:
        return Value(version.value, version.source, version.stated)
    if t.cuda_build.status is Status.NOT_FOUND and not is_rocm and (t.installed.ok or version is not None):
        return Value("None", "torch.cuda_build", is_stated(t.cuda_build))
    said = next((s for s in found if s.id in _CPU_MESSAGES), None)
    if said and not (t.cuda_build.ok and t.cuda_build.value):
        return Value(said.match.text, f"{said.source}: {said.id}")
    return None


def _cuda_shown(t, version: Optional[Value], found: Tuple[Stated, ...]) -> bool:
    """The torch that ran or is installed is a CUDA build, whatever a package name, an install
    command or a sentence said: torch.cuda.is_available() True, a version whose local part
    names a CUDA variant ("2.1.0+cu121"), or a kernel lookup that failed — unless torch itself
    says it is a CPU build ("Torch not compiled with CUDA enabled")."""
    if any(s.id in _CPU_MESSAGES for s in found):
        return False
    if t.cuda_available.ok and t.cuda_available.value is True:
        return True
    if version is not None and re.search(r"\+cu\d{2,3}$", str(version.value)):
        return True  # written out; a plain "2.1.0" is only PyPI's default, which depends on the OS
    return any(s.id in _KERNEL_LOOKUP for s in found)


def _arch(t, build: Optional[TorchBuild], found: Tuple[Stated, ...]) -> Optional[Value]:
    if t.arch_list.ok and t.arch_list.value:
        return Value(tuple(t.arch_list.value), "torch.arch_list", is_stated(t.arch_list))
    said = _said(found, "torch.arch_list")
    if said and said[0]:
        return Value(tuple(said[0]), f"{said[1].source}: {said[1].id}")
    if build and build.variant and build.variant.arch_list_spec:
        return Value(parse_arch_list(build.variant.arch_list_spec),
                     f"torch_variants table ({build.variant.torch} {build.variant.variant})")
    return None


def _cudnn(t, build: Optional[TorchBuild], found: Tuple[Stated, ...]):
    compiled = loaded = None
    if t.cudnn_compiled_version.ok and t.cudnn_compiled_version.value:
        compiled = Value(int(t.cudnn_compiled_version.value), "torch.cudnn_compiled_version")
    if t.cudnn_version.ok and t.cudnn_version.value:
        loaded = Value(int(t.cudnn_version.value), "torch.cudnn_version")
    said_c, said_l = _said(found, "torch.cudnn_compiled_version"), _said(found, "torch.cudnn_version")
    if compiled is None and said_c:
        compiled = Value(int(said_c[0]), f"{said_c[1].source}: {said_c[1].id}")
    if loaded is None and said_l:
        loaded = Value(int(said_l[0]), f"{said_l[1].source}: {said_l[1].id}")
    if compiled is None and build and build.variant and build.variant.cudnn_int:
        compiled = Value(build.variant.cudnn_int, f"torch_variants table ({build.variant.torch} {build.variant.variant})")
    return compiled, loaded


def _of_its_cuda(kb: KnowledgeBase, build: Optional[TorchBuild], t) -> Optional[TorchBuild]:
    """An unsuffixed version ("1.12.1", as conda's builds and pip list print it) is PyPI's default
    variant only until torch's own CUDA says otherwise: "CUDA used to build PyTorch: 11.3" beside
    1.12.1 is the cu113 build (sm_80 and up), not PyPI's cu102 (no sm_80). A CUDA with no variant
    of that release in the table (a source build) leaves the variant, and its arch list, unknown."""
    if build is None or build.local != "" or build.release is None or not (t.cuda_build.ok and t.cuda_build.value):
        return build
    cuda = major_minor(str(t.cuda_build.value))
    if cuda is None or (build.variant is not None and build.variant.cuda == cuda):
        return build
    return dataclasses.replace(build, variant=kb.variant(build.release.version, "cu" + cuda.replace(".", "")))


def _off_linux(facts: Facts, build: Optional[TorchBuild]) -> Optional[TorchBuild]:
    """The table's default variant of an unsuffixed version is PyPI's Linux x86_64 wheel. On Windows
    that version is PyPI's CPU wheel (2.x), or, in 1.x, that or download.pytorch.org's unsuffixed CUDA
    wheel, or a conda build: which one, the text has to say (a +cuXXX label, torch's own CUDA), so
    Linux's wheel and its architecture list are not assumed (``rules/compat.py`` judges PyPI's)."""
    os_id = facts.host.os_id
    if build is None or build.local != "" or build.variant is None or not (os_id.ok and os_id.value == "windows"):
        return build
    if facts.torch.cuda_build.ok and facts.torch.cuda_build.value:
        return build  # torch's own CUDA chose the variant (_of_its_cuda)
    return dataclasses.replace(build, variant=None)


def torch_view(facts: Facts, kb: KnowledgeBase, found: Optional[Tuple[Stated, ...]] = None) -> Optional[TorchView]:
    """None when nothing says torch is there (not installed, or nobody looked)."""
    found = stated(facts) if found is None else found
    t = facts.torch
    if t.installed.ok and t.installed.value is False:
        return None
    version = None
    if t.version.ok and t.version.value:
        version = _of(t.version, "torch.version")
    else:
        pkg = facts.python.package("torch")
        if pkg is not None:
            version = Value(pkg.version, "python.packages[torch]", is_stated(facts.python.packages))
    build = _off_linux(facts, _of_its_cuda(kb, kb.resolve_torch(str(version.value)) if version else None, t))
    cuda = _cuda(t, build, found)
    cpu = _cpu(t, build, version, found)
    if cpu is not None and (cpu.stated or is_package_claim(t.cuda_build)) and _cuda_shown(t, version, found):
        cpu = None
    arch = _arch(t, build, found)
    compiled, loaded = _cudnn(t, build, found)
    if version is None and cuda is None and arch is None and compiled is None and loaded is None and cpu is None:
        return None
    return TorchView(version, build, None if cpu else cuda, cpu is not None, arch, compiled, loaded, cpu)


def python_version(facts: Facts) -> Optional[str]:
    v = facts.python.version
    return major_minor(v.value) if v.ok and v.value else None
