"""The small condition vocabulary recipes use to say when they (or a step) apply.

A condition is a TOML inline table with one named fact and one operator::

    { fact = "secure_boot", is = true }
    { fact = "loaded_modules", has = "nouveau" }
    { fact = "python_env", in = ["venv", "system"] }
    { fact = "driver_version", below = "580" }

Operators: ``is``, ``is_not``, ``in`` (value is one of a list), ``has`` / ``lacks``
(a list value contains / does not contain the operand), ``at_least`` / ``below``
(version comparison with ``packaging.version``). An optional ``note`` gives the
condition a human wording for ``recipe show``.

Every answer is three-valued: ``True``, ``False`` or ``None`` (the facts do not say —
a snapshot without that group, a probe that could not read it). A list of conditions
holds when all hold; it fails as soon as one fails; otherwise it is unknown. That is
how a partial snapshot gets "applies: unknown" instead of a wrong yes or no.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from packaging.version import InvalidVersion, Version

from envcheck.derived.driver import driver_installed, installed_driver_version
from envcheck.derived.library_refusal import refused_features
from envcheck.errors import EnvcheckError
from envcheck.facts import Facts
from envcheck.reading import Reading, Status

Tri = Optional[bool]
OPERATORS = ("is", "is_not", "in", "has", "lacks", "at_least", "below")


def _r(reading: Reading) -> Reading:
    return reading if reading.ok else Reading.unknown()


def _list(reading: Reading) -> Reading:
    return Reading.of(tuple(reading.value or ())) if reading.ok else Reading.unknown()


def _in_container(f: Facts) -> Reading:
    c = f.host.container
    return Reading.of(c.value != "none") if c.ok else Reading.unknown()


def _has_gpu(f: Facts) -> Reading:
    v = f.has_nvidia_gpu
    return Reading.unknown() if v is None else Reading.of(v)


def _gpu_archs(f: Facts) -> Reading:
    from envcheck.recipes.hardware import gpu_architectures

    return gpu_architectures(f)


def _gpu_drivers(f: Facts) -> Reading:
    if not f.pci.devices.ok:
        return Reading.unknown()
    return Reading.of(tuple(d.driver.value for d in f.pci.gpus if d.driver.ok))


def _nvswitch(f: Facts) -> Reading:
    if not f.pci.devices.ok:
        return Reading.unknown()
    return Reading.of(any(d.is_nvswitch for d in f.pci.devices.value or ()))


# Distribution families: which package tools and file locations a step may assume.
FAMILIES: Dict[str, Tuple[str, ...]] = {
    "ubuntu": ("ubuntu", "linuxmint", "pop", "elementary", "zorin", "neon", "tuxedo"),
    "debian": ("debian", "raspbian", "kali", "devuan", "mx"),
    "fedora": ("fedora", "nobara", "ultramarine"),
    "rhel": ("rhel", "centos", "rocky", "almalinux", "ol", "amzn", "scientific", "circle"),
}
ASSUMED_UBUNTU = "assumed: /etc/os-release was not read, so Ubuntu's commands are given"


def distro_family(f: Facts) -> Reading:
    """ubuntu / debian / fedora / rhel / other from /etc/os-release's ID. When the
    distribution was not read (a paste rarely shows it), Ubuntu, envcheck's main target,
    is assumed and the reading says so: a step for Ubuntu is then shown with that caveat
    instead of every family's variant at once."""
    os_id = f.host.os_id
    if not (os_id.ok and os_id.value):
        return Reading.of("ubuntu", ASSUMED_UBUNTU)
    low = str(os_id.value).lower()
    return Reading.of(next((fam for fam, ids in FAMILIES.items() if low in ids), "other"))


def device_group(f: Facts) -> Reading:
    """The group owning the /dev/nvidia* nodes this user may not open ("root" when only
    root may); unknown when every node is accessible or none was read."""
    blocked = [n for n in f.driver.device_nodes.get(()) if n.exists and n.accessible is False]
    groups = sorted({n.group for n in blocked if n.group})
    if not blocked or not groups:
        return Reading.unknown()
    other = [g for g in groups if g != "root"]
    return Reading.of(other[0] if other else "root")


# Xid 79: "GPU has fallen off the bus" (NVIDIA Xid catalog).
_FELL_OFF_XID = 79


def gpu_fell_off(f: Facts) -> Reading:
    """True when NVML reports a GPU lost or the kernel log has Xid 79; False when both were
    read and say neither; unknown otherwise."""
    lost = any(g.status.status is Status.GPU_LOST for g in f.gpus)
    xid = any(e.xid == _FELL_OFF_XID for e in f.driver.xid_events.get(()))
    if lost or xid:
        return Reading.of(True)
    return Reading.of(False) if f.nvml.gpus.ok and f.driver.xid_events.ok else Reading.unknown()


def _nvml_error(f: Facts) -> Reading:
    n = f.nvml
    if n.init.ok:
        return Reading.of("none")
    return Reading.of(n.init_error) if n.init_error else Reading.unknown()


def _torch_installed(f: Facts) -> Reading:
    return _r(f.torch.installed)


def _datacenter(f: Facts) -> Reading:
    from envcheck.recipes.hardware import datacenter_gpu

    return datacenter_gpu(f)


# name -> (what it is, how to read it). The docstring of each value says where it comes from.
FACTS: Dict[str, Tuple[str, Callable[[Facts], Reading]]] = {
    "os_id": ("distribution id from /etc/os-release, e.g. ubuntu", lambda f: _r(f.host.os_id)),
    "os_version": ("distribution version, e.g. 24.04", lambda f: _r(f.host.os_version)),
    "distro_family": ("ubuntu, debian, fedora, rhel or other (Ubuntu assumed when not read)", distro_family),
    "kernel": ("running kernel (uname -r)", lambda f: _r(f.host.kernel)),
    "container": ("none, docker, podman, kubernetes, containerd, lxc or other", lambda f: _r(f.host.container)),
    "in_container": ("true inside any container", _in_container),
    "wsl": ("none, wsl1 or wsl2", lambda f: _r(f.host.wsl)),
    "secure_boot": ("true when Secure Boot is enforcing", lambda f: _r(f.host.secure_boot)),
    "has_nvidia_gpu": ("true if any source saw an NVIDIA GPU", _has_gpu),
    "gpu_archs": ("architectures of the NVIDIA GPUs (hardware.ARCHITECTURES)", _gpu_archs),
    "gpu_drivers": ("kernel drivers bound to the NVIDIA GPUs on the PCI bus", _gpu_drivers),
    "nvswitch_present": ("true when an NVSwitch is on the PCI bus", _nvswitch),
    "loaded_modules": ("NVIDIA-related kernel modules loaded", lambda f: _list(f.driver.loaded_modules)),
    "device_group": ("group of the /dev/nvidia* nodes this user may not open (root: only root)", device_group),
    "nvidia_driver_installed": ("true when any part of an NVIDIA driver is installed", driver_installed),
    "driver_version": ("installed NVIDIA driver version, e.g. 580.95.05", installed_driver_version),
    "nvml_init_error": ("none, or why nvmlInit failed (library_not_found, ...)", _nvml_error),
    "gpu_fell_off": ("true when a GPU is lost (NVML) or fell off the bus (Xid 79)", gpu_fell_off),
    "datacenter_gpu": ("true for data-center GPUs (the -server driver fits)", _datacenter),
    "python_env": ("venv, conda, system or user", lambda f: _r(f.python.env_kind)),
    "python_version": ("Python version of the probed interpreter", lambda f: _r(f.python.version)),
    "torch_installed": ("true when torch is installed in that Python", _torch_installed),
    "nvcc_version": ("CUDA toolkit version nvcc reports", lambda f: _r(f.toolkit.nvcc_version)),
    "refused_features": ("features a library refused an old GPU for (torch_compile, bfloat16, tf32, flash_attn, "
                         "sdpa_flash, quantization, build_for_old_gpu), from its message", refused_features),
}


@dataclass(frozen=True)
class Condition:
    fact: str
    op: str
    operand: Any
    note: str = ""

    def describe(self) -> str:
        if self.note:
            return self.note
        operand = ", ".join(map(str, self.operand)) if isinstance(self.operand, (list, tuple)) else self.operand
        if isinstance(operand, bool):
            operand = str(operand).lower()
        return f"{self.fact} {self.op.replace('_', ' ')} {operand}"

    def evaluate(self, facts: Facts) -> Tri:
        reading = FACTS[self.fact][1](facts)
        if not reading.ok:
            return None
        return _apply(self.op, reading.value, self.operand)


def _version(v: Any) -> Optional[Version]:
    try:
        return Version(str(v))
    except InvalidVersion:
        return None


def _apply(op: str, value: Any, operand: Any) -> Tri:
    if op == "is":
        return value == operand
    if op == "is_not":
        return value != operand
    if op == "in":
        return value in operand
    if op in ("has", "lacks"):
        found = operand in (value or ())
        return found if op == "has" else not found
    a, b = _version(value), _version(operand)
    if a is None or b is None:
        return None
    return a >= b if op == "at_least" else a < b


def parse_conditions(data: Any, where: str) -> Tuple[Condition, ...]:
    if not isinstance(data, list):
        raise EnvcheckError(f"{where}: expected a list of conditions")
    out: List[Condition] = []
    for i, item in enumerate(data):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise EnvcheckError(f"{here}: expected {{ fact = ..., <operator> = ... }}")
        fact = item.get("fact")
        if fact not in FACTS:
            raise EnvcheckError(f"{here}: unknown fact {fact!r} (known: {', '.join(FACTS)})")
        ops = [k for k in item if k not in ("fact", "note")]
        if len(ops) != 1 or ops[0] not in OPERATORS:
            raise EnvcheckError(f"{here}: give exactly one operator of {', '.join(OPERATORS)}")
        op, operand = ops[0], item[ops[0]]
        if op == "in" and not isinstance(operand, list):
            raise EnvcheckError(f"{here}: 'in' takes a list")
        if op in ("at_least", "below") and _version(operand) is None:
            raise EnvcheckError(f"{here}: '{op}' takes a version string")
        note = item.get("note", "")
        if not isinstance(note, str):
            raise EnvcheckError(f"{here}.note: expected a string")
        out.append(Condition(fact, op, tuple(operand) if isinstance(operand, list) else operand, note))
    return tuple(out)


def all_of(answers: Iterable[Tri]) -> Tri:
    """False if any is False, True if all are True, else None."""
    seen_unknown = False
    for a in answers:
        if a is False:
            return False
        if a is None:
            seen_unknown = True
    return None if seen_unknown else True


def holds(conditions: Sequence[Condition], facts: Facts) -> Tri:
    return all_of(c.evaluate(facts) for c in conditions)


def word(answer: Tri) -> str:
    return {True: "yes", False: "no", None: "unknown"}[answer]
