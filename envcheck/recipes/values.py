"""The machine-specific values a recipe's ``{placeholders}`` are filled with.

Each value says where it came from: ``facts`` (this machine or its snapshot),
``advice`` (the PyTorch/driver advisor, ``envcheck.advise``), ``default`` (a sensible
choice envcheck makes, e.g. a venv path) or ``unknown`` (written as ``<name>`` and
listed, never guessed). :func:`advice_for` is the one place that talks to the advisor,
so tests hand :func:`machine_values` a fake advice object instead.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Mapping, Optional, Tuple

from envcheck.advise import advise, target_from_facts
from envcheck.datafile import read_toml
from envcheck.derived.driver import driver_branch, installed_driver_version
from envcheck.errors import EnvcheckError
from envcheck.facts import Facts
from envcheck.recipes.conditions import device_group
from envcheck.recipes.hardware import datacenter_gpu, gpu_architectures, supports_open_modules

PLACEHOLDERS: Dict[str, str] = {
    "distro": "distribution id, e.g. ubuntu",
    "os_version": "distribution version, e.g. 24.04",
    "ubuntu_version": "Ubuntu version as NVIDIA's repository paths spell it, e.g. 2404",
    "repo_arch": "CUDA repository architecture: x86_64 or sbsa",
    "kernel": "running kernel (uname -r)",
    "python": "Python major.minor, e.g. 3.12",
    "venv": "the virtual environment to install PyTorch into",
    "conda_env": "the conda environment to install PyTorch into",
    "driver_branch": "recommended NVIDIA driver branch, e.g. 580",
    "driver_flavour": "Ubuntu driver package suffix: -open, -server-open, -server or none",
    "driver_package": "Ubuntu driver metapackage, e.g. nvidia-driver-580-open",
    "ubuntu_drivers_args": "arguments for ubuntu-drivers install, e.g. nvidia:580-open",
    "nvidia_apt_driver": "driver package in NVIDIA's repository: nvidia-open or cuda-drivers",
    "installed_driver_version": "installed driver version, e.g. 550.107.02",
    "installed_driver_branch": "installed driver branch, e.g. 550",
    "cuda_variant": "PyTorch CUDA variant, e.g. cu128",
    "cuda_version": "CUDA version of that variant, e.g. 12.8",
    "cuda_pkg_version": "CUDA version as apt package names spell it, e.g. 12-8",
    "cuda_major": "CUDA major version, e.g. 12",
    "index_url": "PyTorch wheel index for that variant",
    "torch_pip": "the pip command that installs that PyTorch",
    "torch_uv": "the uv command that installs that PyTorch",
    "cuda_runfile": "CUDA toolkit runfile name",
    "cuda_runfile_url": "CUDA toolkit runfile address",
    "cudnn_version": "cuDNN version for the tarball",
    "gpu_index": "NVML index of the GPU concerned",
    "nvidia_wheels": "installed nvidia-* CUDA library wheels",
    "ld_library_path_cuda": "LD_LIBRARY_PATH entries that hold CUDA or cuDNN libraries",
    "ld_library_path_keep": "LD_LIBRARY_PATH without the entries that shadow PyTorch's libraries",
    "cuda_library": "the CUDA library file a program could not load (libcublasLt.so.11, cudnn64_8.dll)",
    "cuda_library_pip": "the pip wheel that provides that CUDA library (nvidia-cublas-cu11)",
    "blacklist_lines": "modprobe lines that keep nouveau (and nova_core) off the GPU, printf-escaped",
    "device_group": "group that owns the /dev/nvidia* nodes this user cannot open",
    "device_nodes": "the /dev/nvidia* nodes this user cannot open",
    "wsl_distro": "the WSL distribution's name (WSL_DISTRO_NAME, or as wsl -l -v prints it)",
    "cache_dir": "the directory whose disk is nearly full (envcheck's cache)",
    "debug_vars": "debugging variables to unset",
    "visible_devices": "GPU indices that exist, for CUDA_VISIBLE_DEVICES",
    "container_image": "the container image to start (yours)",
    "container_name": "the container to change (yours)",
    "pyg_wheel_page": "PyG's wheel page for the installed torch and CUDA variant",
    # Given only by a finding (gpu_numa_mismatch, nccl_env_overrides), never read from the facts here.
    "numa_node": "NUMA node the GPU concerned is local to, e.g. 1",
    "gpu_cpus": "CPUs local to the GPU concerned, as taskset -c takes them, e.g. 16-31,48-63",
    "nccl_vars": "NCCL variables that override NCCL's own choices, to unset",
}

_CUDA_PATH_WORDS = ("cuda", "cudnn", "nvidia", "tensorrt", "nccl")


@dataclass(frozen=True)
class Value:
    text: Optional[str]
    source: str  # "facts" | "advice" | "default" | "unknown"
    detail: str = ""

    @property
    def known(self) -> bool:
        return self.text is not None


UNKNOWN_VALUE = Value(None, "unknown")


@dataclass(frozen=True)
class Values:
    items: Mapping[str, Value]
    notes: Tuple[str, ...] = ()  # why some values could not be had (no advisor, ...): shown when one is missing
    warnings: Mapping[str, str] = dataclasses.field(default_factory=dict)  # placeholder -> a doubt about its value

    def warnings_for(self, names) -> Tuple[str, ...]:
        """The doubts about the values ``names`` (shown wherever one of them is used)."""
        return tuple(dict.fromkeys(self.warnings[n] for n in names if n in self.warnings))

    def get(self, name: str) -> Value:
        return self.items.get(name, UNKNOWN_VALUE)

    def with_values(self, **values: Value) -> "Values":
        """These values replace the machine's; values built from them (the driver package
        from the branch) follow, unless given too."""
        items = {**self.items, **values}
        derived = {k: v for k, v in _driver_names(items).items() if k not in values}
        return dataclasses.replace(self, items={**items, **derived})


# ----------------------------------------------------------------------------- the advisor
def advice_for(facts: Facts) -> Tuple[Optional[Any], str]:
    """``envcheck.advise.advise(target_from_facts(facts))``, or ``(None, why not)``.

    The advice object is read by attribute only (ok, torch_version, variant, cuda,
    index_url, pip_command, uv_command, conda_command, driver_branch, reasons), so a fake with those attributes stands in for it in tests.
    """
    try:
        return advise(target_from_facts(facts)), ""
    except EnvcheckError as exc:
        return None, f"the advisor could not decide: {exc}"


def _attr(advice: Any, name: str) -> Optional[str]:
    v = getattr(advice, name, None) if advice is not None else None
    return None if v in (None, "") else str(v)


# ----------------------------------------------------------------------------- data tables
@functools.lru_cache(maxsize=None)
def runfiles() -> Mapping[str, str]:
    data = read_toml(Path(__file__).with_name("cuda_runfiles.toml"))
    return dict(data["runfile"])


# ----------------------------------------------------------------------------- computing values
def _fact(reading, detail: str = "") -> Value:
    return Value(str(reading.value), "facts", detail) if reading.ok and reading.value is not None else UNKNOWN_VALUE


def _host_values(facts: Facts) -> Dict[str, Value]:
    h = facts.host
    out = {"distro": _fact(h.os_id), "os_version": _fact(h.os_version), "kernel": _fact(h.kernel)}
    if not out["kernel"].known:
        # The shell finds the running kernel itself; right wherever the step is run.
        out["kernel"] = Value("$(uname -r)", "default", "the running kernel, as the shell reads it")
    if h.os_id.ok and h.os_id.value == "ubuntu" and h.os_version.ok:
        out["ubuntu_version"] = Value(str(h.os_version.value).replace(".", ""), "facts")
    if h.arch.ok:
        repo = {"x86_64": "x86_64", "aarch64": "sbsa"}.get(str(h.arch.value))
        out["repo_arch"] = Value(repo, "facts") if repo else Value(None, "unknown", f"no CUDA repository for {h.arch.value}")
    return out


def _python_values(facts: Facts) -> Dict[str, Value]:
    p = facts.python
    out: Dict[str, Value] = {}
    if p.version.ok:
        out["python"] = Value(".".join(str(p.version.value).split(".")[:2]), "facts")
    else:
        out["python"] = Value("3", "default", "Python version not known: the system python3")
    kind, path = p.env_kind.get(""), p.env_path.get("")
    if kind == "venv" and path:
        out["venv"] = Value(path, "facts", "the virtual environment envcheck probed")
    else:
        out["venv"] = Value("$HOME/venvs/torch", "default", "a new virtual environment")
    if kind == "conda" and path and PurePosixPath(path).parent.name == "envs":
        out["conda_env"] = Value(PurePosixPath(path).name, "facts", "the conda environment envcheck probed")
    else:
        out["conda_env"] = Value("torch", "default", "a new conda environment")
    wheels = sorted(pk.name for pk in p.packages.get(()) if pk.name.startswith("nvidia-"))
    if p.packages.ok:
        out["nvidia_wheels"] = Value(" ".join(wheels), "facts") if wheels else Value(None, "unknown", "no nvidia-* wheels")
    ld = facts.toolkit.ld_library_path
    if ld.ok:
        cuda = [e for e in ld.value or () if any(w in e.lower() for w in _CUDA_PATH_WORDS)]
        out["ld_library_path_cuda"] = Value(", ".join(cuda) if cuda else "(none)", "facts")
    return out


def _driver_values(facts: Facts, advice: Any) -> Dict[str, Value]:
    out: Dict[str, Value] = {}
    installed = installed_driver_version(facts)
    if installed.ok:
        out["installed_driver_version"] = Value(str(installed.value), "facts")
        out["installed_driver_branch"] = Value(driver_branch(str(installed.value)) or str(installed.value), "facts")
    branch = _attr(advice, "driver_branch")
    if branch:
        out["driver_branch"] = Value(branch, "advice")
    elif installed.ok:
        out["driver_branch"] = Value(driver_branch(str(installed.value)) or str(installed.value), "facts",
                                     "the installed driver's branch")
    archs, dc = gpu_architectures(facts), datacenter_gpu(facts)
    if archs.ok:
        open_ok = supports_open_modules(archs.value)
        why = (f"{', '.join(archs.value)}: open kernel modules" if open_ok
               else f"{', '.join(archs.value)}: needs the proprietary kernel modules")
        flavour = Value(("-server" if dc.get(False) else "") + ("-open" if open_ok else ""), "facts", why)
    else:
        flavour = Value("-server-open" if dc.get(False) else "-open", "default",
                        "GPU architecture unknown: assumed Turing or newer (Maxwell, Pascal, Volta: no -open)")
    out["driver_flavour"] = flavour
    out["nvidia_apt_driver"] = Value("nvidia-open" if flavour.text.endswith("-open") else "cuda-drivers",
                                     flavour.source, flavour.detail)
    out.update(_driver_names(out))
    return out


def _driver_names(items: Mapping[str, Value]) -> Dict[str, Value]:
    """Ubuntu's driver package and ubuntu-drivers argument, from the branch and flavour."""
    b, flavour = items.get("driver_branch"), items.get("driver_flavour")
    if b is None or flavour is None or not b.known:
        return {}
    gpgpu = "--gpgpu " if "-server" in flavour.text else ""
    return {"driver_package": Value(f"nvidia-driver-{b.text}{flavour.text}", b.source),
            "ubuntu_drivers_args": Value(f"{gpgpu}nvidia:{b.text}{flavour.text}", b.source)}


def _torch_values(advice: Any) -> Dict[str, Value]:
    out: Dict[str, Value] = {}
    for name, attr in (("cuda_variant", "variant"), ("cuda_version", "cuda"), ("index_url", "index_url"),
                       ("torch_pip", "pip_command"), ("torch_uv", "uv_command")):
        v = _attr(advice, attr)
        if v:
            out[name] = Value(v, "advice")
    cuda = out.get("cuda_version")
    if cuda:
        major_minor = ".".join(cuda.text.split(".")[:2])
        out["cuda_pkg_version"] = Value(major_minor.replace(".", "-"), "advice")
        out["cuda_major"] = Value(major_minor.split(".")[0], "advice")
        runfile = runfiles().get(major_minor)
        if runfile:
            out["cuda_runfile"] = Value(runfile.split("/")[1], "advice")
            out["cuda_runfile_url"] = Value(
                f"https://developer.download.nvidia.com/compute/cuda/{runfile.split('/')[0]}/local_installers/"
                f"{runfile.split('/')[1]}", "advice")
    return out


def _gpu_index(facts: Facts) -> Value:
    gpus = facts.gpus
    for g in gpus:
        if g.retired_pages_pending.get(False) or g.remapped_rows_pending.get(False):
            return Value(str(g.index), "facts", "the GPU with a pending memory repair")
    if len(gpus) == 1:
        return Value(str(gpus[0].index), "facts", "the only GPU")
    return UNKNOWN_VALUE


_NOUVEAU = ("nouveau", "nova_core")


def _installed_torch(facts: Facts) -> Optional[str]:
    """"2.5.0+cu124" for the installed torch as PyG names its wheel pages (X.Y.0+variant)."""
    from envcheck.knowledge import load

    version = facts.torch.version.value if facts.torch.version.ok else None
    if version is None and facts.python.package("torch") is not None:
        version = facts.python.package("torch").version
    build = load().resolve_torch(str(version)) if version else None
    if build is None or build.release is None or build.variant is None:
        return None
    major_minor = ".".join(build.release.version.split(".")[:2])
    return f"{major_minor}.0+{build.variant.variant}"


def _device_values(facts: Facts) -> Dict[str, Value]:
    """Values about this machine's devices and environment that fix recipes name."""
    out: Dict[str, Value] = {}
    bound = {d.driver.value for d in facts.pci.gpus if d.driver.ok and d.driver.value in _NOUVEAU}
    loaded = set(facts.driver.loaded_modules.value or ()) if facts.driver.loaded_modules.ok else set()
    mods = [m for m in _NOUVEAU if m in bound | loaded] or ["nouveau"]
    lines = [f"blacklist {m}" for m in mods] + ["options nouveau modeset=0"]
    out["blacklist_lines"] = Value("\\n".join(lines), "facts" if bound | loaded else "default")
    group = device_group(facts)
    if group.ok:
        out["device_group"] = Value(str(group.value), "facts")
        blocked = [n.path for n in facts.driver.device_nodes.get(()) if n.exists and n.accessible is False]
        out["device_nodes"] = Value(" ".join(blocked), "facts")
    env = facts.env.variables.get({})
    if env.get("WSL_DISTRO_NAME"):
        out["wsl_distro"] = Value(env["WSL_DISTRO_NAME"], "facts")
    elif facts.host.os_id.ok and facts.host.os_id.value == "ubuntu" and facts.host.os_version.ok:
        out["wsl_distro"] = Value(f"Ubuntu-{facts.host.os_version.value}", "default",
                                  "the Microsoft Store's name for this Ubuntu release")
    if facts.host.cache_dir.ok:
        out["cache_dir"] = Value(str(facts.host.cache_dir.value), "facts")
    count = len(facts.gpus) or len(facts.pci.gpus)
    if count:
        out["visible_devices"] = Value(",".join(str(i) for i in range(count)), "facts", f"the {count} GPU(s) here")
    torch_build = _installed_torch(facts)
    if torch_build is not None:
        out["pyg_wheel_page"] = Value(f"https://data.pyg.org/whl/torch-{torch_build}.html", "facts")
    out["container_image"] = Value("<image>", "default", "your image")
    out["container_name"] = Value("<container>", "default", "your container")
    ld = facts.toolkit.ld_library_path
    if ld.ok:
        keep = [e for e in ld.value or () if not any(w in e.lower() for w in _CUDA_PATH_WORDS)]
        out["ld_library_path_keep"] = Value(":".join(keep), "facts", "LD_LIBRARY_PATH without CUDA/cuDNN/NCCL entries")
    return out


def machine_values(facts: Facts, advice: Any = None, advice_note: str = "") -> Values:
    """All placeholder values for ``facts`` (plus the advisor's answer, when there is one)."""
    items: Dict[str, Value] = {}
    items.update(_host_values(facts))
    items.update(_python_values(facts))
    items.update(_driver_values(facts, advice))
    items.update(_torch_values(advice))
    items.update(_device_values(facts))
    items["gpu_index"] = _gpu_index(facts)
    notes = (advice_note,) if advice_note else ()
    warnings: Dict[str, str] = {}
    if _attr(advice, "variant") == "cpu" and facts.has_nvidia_gpu:
        cpu = ("the advisor chose the CPU-only PyTorch although this machine has an NVIDIA GPU "
               "(it could not tell which GPU); re-run once the driver works")
        warnings = {name: cpu for name in ("cuda_variant", "index_url", "torch_pip", "torch_uv")}
    archs = gpu_architectures(facts)
    if archs.ok and "blackwell" in archs.value and not supports_open_modules(archs.value):
        # Blackwell runs only on the open kernel modules, which do not support Maxwell, Pascal
        # or Volta (NVIDIA driver installation guide, kernel modules): one driver cannot serve both.
        old = ", ".join(a.capitalize() for a in archs.value if a != "blackwell")
        mixed = (f"this machine mixes Blackwell with {old} GPUs: Blackwell needs the open kernel modules, {old} "
                 "the proprietary ones, so no driver flavour runs them all; the proprietary flavour chosen here "
                 "leaves the Blackwell GPU unusable (take the older GPU out, or use -open and give up the older GPU)")
        warnings.update({name: mixed for name in ("driver_flavour", "driver_package", "ubuntu_drivers_args",
                                                  "nvidia_apt_driver")})
    if advice is not None and getattr(advice, "ok", True) is False:
        reasons = getattr(advice, "reasons", ()) or ()
        notes += ("the advisor found no PyTorch build that works here yet"
                  + (f": {'; '.join(map(str, reasons))}" if reasons else ""),)
    return Values({k: v for k, v in items.items() if k in PLACEHOLDERS}, notes, warnings)


def values_for(facts: Facts) -> Values:
    """Values for ``facts`` with the real advisor (the CLI's entry point)."""
    advice, note = advice_for(facts)
    return machine_values(facts, advice, note)
