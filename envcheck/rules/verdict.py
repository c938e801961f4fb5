"""The verdict on a diagnosis, said honestly.

* ``error`` / ``warning``: findings say what is wrong.
* ``unexplained``: the text holds an error or warning upstream printed that no finding
  accounts for. Each such message is quoted with its likeliest causes (the findings the
  message catalogue says it points at, ranked by the evidence for and against each) and
  exactly what to paste next to tell them apart.
* ``insufficient``: in place of "ok" when a pasted text is too thin to judge (no GPU, no
  driver, or a torch without its build): the missing facts, each with the command that
  shows it. A live probe or its snapshot looked at everything, so what it lacks is a
  status (not readable, not there), not a gap in the text: it is never insufficient.
* ``ok``: no error in the text and enough facts to say so.

Order: error > unexplained > warning > insufficient > ok: a warning is a concrete thing
to act on; "insufficient" only refuses to say "no problems found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from envcheck.derived.machine import driver_cuda, driver_version, gpus, torch_view
from envcheck.derived.messages import Stated, stated
from envcheck.facts import Facts

from .catalogue import CATALOGUE
from .finding import Finding, Severity

VERDICTS = ("error", "unexplained", "insufficient", "warning", "ok")

TORCH_BUILD = "python -c \"import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())\""
ARCH_LIST = "python -c \"import torch; print(torch.__version__, torch.cuda.get_arch_list())\""
FULL_REPORT = "envcheck doctor --markdown"


@dataclass(frozen=True)
class Need:
    """A fact a finding needs to be judged, and the command that shows it."""

    what: str
    known: Callable[["_View"], bool]
    command: str


@dataclass(frozen=True)
class Cause:
    finding: str
    title: str
    support: Tuple[str, ...]  # evidence for: the messages pointing at it
    against: Tuple[str, ...]  # evidence against
    unchecked: Tuple[str, ...]  # facts it needs that the text lacks
    paste: Tuple[str, ...]  # commands that show them
    score: int


@dataclass(frozen=True)
class Unexplained:
    text: str  # the message as printed
    source: str  # the fact it is in (torch.errors, ...)
    message: Optional[str]  # its catalogue id (None: an error line the catalogue does not know)
    note: str  # what the catalogue says about it
    causes: Tuple[Cause, ...]


@dataclass(frozen=True)
class Judgement:
    verdict: str
    unexplained: Tuple[Unexplained, ...] = ()
    missing: Tuple[Tuple[str, str], ...] = ()  # (what, the command that shows it)
    paste_next: Tuple[str, ...] = ()


class _View:
    """The facts as the needs ask about them, computed once."""

    def __init__(self, facts: Facts, found: Tuple[Stated, ...]) -> None:
        from envcheck.knowledge import load

        kb = load()
        self.facts = facts
        self.torch = torch_view(facts, kb, found)
        self.gpus = gpus(facts, kb, found)
        self.driver = driver_version(facts) or driver_cuda(facts, kb, found)


def _cuda_works(v: _View) -> bool:
    """torch reached a GPU: the GPU and the driver are there and answer."""
    a = v.facts.torch.cuda_available
    return a.ok and a.value is True


def _gpu(v: _View) -> bool:
    return any(g.cc for g in v.gpus) or v.facts.has_nvidia_gpu is False or _cuda_works(v)


def _driver(v: _View) -> bool:
    f = v.facts
    return v.driver is not None or f.nvml.init.known or f.driver.kernel_module_version.known or _cuda_works(v)


def _build(v: _View) -> bool:
    return v.torch is not None and (v.torch.is_cpu or v.torch.cuda is not None)


def _arch(v: _View) -> bool:
    return v.torch is not None and (v.torch.is_cpu or v.torch.arch_list is not None)


def _known(path: str) -> Callable[[_View], bool]:
    group, name = path.split(".")
    return lambda v: getattr(getattr(v.facts, group), name).known


def _env(var: str) -> Callable[[_View], bool]:
    return lambda v: var in v.facts.env.variables.get({})


GPU = Need("the GPU model", _gpu, "nvidia-smi -L")
DRIVER = Need("the driver version", _driver, "nvidia-smi")
BUILD = Need("the PyTorch build (version, CUDA)", _build, TORCH_BUILD)
MODULES = Need("the loaded kernel modules", _known("driver.loaded_modules"), "lsmod | grep -i -E 'nvidia|nouveau'")
NODES = Need("the GPU device nodes", _known("driver.device_nodes"), "ls -l /dev/nvidia*")
KLOG = Need("the driver's kernel log", _known("driver.xid_events"), "sudo dmesg -T | grep -i -E 'NVRM|nvidia'")
WHEELS = Need("the installed packages", _known("python.packages"), "pip list | grep -i -E 'torch|nvidia'")
LDPATH = Need("LD_LIBRARY_PATH", lambda v: v.facts.toolkit.ld_library_path.known or _env("LD_LIBRARY_PATH")(v),
              "echo \"LD_LIBRARY_PATH=$LD_LIBRARY_PATH\"")
ERROR = ("the error message, whole (the traceback or the command's output, not a summary)",
         "run the failing command again and copy everything it prints")
CONTAINER = Need("whether it runs in a container", _known("host.container"), "ls /.dockerenv; cat /proc/1/cgroup")

# What each finding needs to be judged. A finding whose needs are all in the text and that
# did not fire is ruled out; one whose needs are missing is "not checked" and says what to paste.
NEEDS: Dict[str, Tuple[Need, ...]] = {
    "driver_too_old_for_torch_cuda": (DRIVER, BUILD),
    "gpu_arch_unsupported_by_torch_build": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    "gpu_arch_too_old_for_torch_build": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    "torch_cpu_only_build": (BUILD,),
    "torch_cuda_unavailable": (BUILD, Need("whether CUDA is available", _known("torch.cuda_available"), TORCH_BUILD)),
    "cuda_visible_devices_hides_gpus": (Need("CUDA_VISIBLE_DEVICES", _env("CUDA_VISIBLE_DEVICES"),
                                             "echo \"CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES\""), GPU),
    "container_missing_gpus_flag": (CONTAINER, NODES),
    "driver_installed_inside_container": (CONTAINER, DRIVER,
                                          Need("the loaded module's version", _known("driver.kernel_module_version"),
                                               "cat /proc/driver/nvidia/version")),
    "gpu_present_driver_missing": (Need("the GPUs on the PCI bus", _known("pci.devices"), "lspci -nnk -d 10de:"), DRIVER),
    "driver_kernel_module_not_loaded": (MODULES, DRIVER),
    "driver_not_loaded_secure_boot": (MODULES, Need("Secure Boot's state", _known("host.secure_boot"),
                                                    "mokutil --sb-state")),
    "nvidia_uvm_missing": (MODULES, NODES),
    "device_node_permissions": (NODES,),
    "nvml_driver_library_mismatch": (Need("the loaded module's version", _known("driver.kernel_module_version"),
                                          "cat /proc/driver/nvidia/version"), DRIVER),
    "nvml_unavailable": (DRIVER,),
    "ld_library_path_conflict": (LDPATH, BUILD),
    "cudnn_version_mismatch": (LDPATH, BUILD),
    "conflicting_cuda_wheel_packages": (WHEELS,),
    "conflicting_cuda_libraries_loaded": (Need("the libraries torch loaded", _known("torch.loaded_libraries"),
                                               FULL_REPORT),),
    "nccl_version_mismatch": (WHEELS, BUILD),
    "gpu_memory_in_use": (Need("the processes on the GPU", lambda v: any(g.processes.known for g in v.facts.gpus),
                               "nvidia-smi"),),
    "xid_errors_logged": (KLOG,),
    "gpu_lost": (KLOG, DRIVER),
    "ecc_errors": (Need("the ECC counters", lambda v: any(g.ecc_volatile_uncorrected.known for g in v.facts.gpus),
                        "nvidia-smi -q -d ECC"),),
    "row_remap_pending": (Need("the row remapper", lambda v: any(g.remapped_rows_pending.known for g in v.facts.gpus),
                               "nvidia-smi -q -d ROW_REMAPPER"),),
    "retired_pages_pending": (Need("page retirement", lambda v: any(g.retired_pages_pending.known for g in v.facts.gpus),
                                   "nvidia-smi -q -d PAGE_RETIREMENT"),),
    "fabric_manager_not_running": (Need("Fabric Manager's state", _known("driver.fabric_manager_running"),
                                        "systemctl status nvidia-fabricmanager"),),
    "shm_too_small": (Need("the size of /dev/shm", _known("host.shm_total_bytes"), "df -h /dev/shm"),),
    "wsl1_no_gpu_support": (Need("the WSL version", lambda v: v.facts.host.wsl.ok and v.facts.host.wsl.value != "wsl",
                                 "wsl -l -v   (in Windows)"),),
    "torch_import_failed": (Need("the import error", _known("torch.import_error"), "python -c \"import torch\""),),
    "python_unsupported_by_torch": (Need("the Python version", _known("python.version"), "python --version"), BUILD),
    "toolkit_differs_from_torch_cuda": (Need("nvcc's version", _known("toolkit.nvcc_version"), "nvcc --version"),
                                        BUILD),
    "extension_built_without_gpu_arch": (GPU, Need("the build's GPU architectures", _arch, ARCH_LIST)),
    "extension_built_for_other_torch": (BUILD, WHEELS),
    "mixed_torch_installations": (WHEELS, Need("conda's packages", lambda v: False, "conda list | grep -i torch")),
    "mkl_incompatible_with_torch": (Need("conda's MKL", lambda v: False, "conda list mkl"),),
    "nvidia_uvm_stale_after_suspend": (MODULES, DRIVER),
    "container_gpu_lost_after_daemon_reload": (CONTAINER,),
}
_DEFAULT_NEEDS = (Need("a full report from that machine", lambda v: False, FULL_REPORT),)


# What the program printed this time. Kernel-log lines (refused modules, Xid) are history
# that their own rules weigh (a refusal before a later successful load is no error now).
_PRINTED = ("torch.errors", "torch.warnings", "torch.import_error", "nvml.init", "torch.cuda_available",
            "torch.installed")


def _texts(found: Sequence[Stated], facts: Facts):
    """The messages to account for: each catalogued match (a wrapper such as "CUDA error: X"
    folded into the match it wraps), and error lines the catalogue does not know."""
    out: List[Tuple[Optional[Stated], str, str]] = []
    for s in found:
        if s.source not in _PRINTED:
            continue
        inner = [o for o in found if o is not s and o.text == s.text and o.match.start >= s.match.start
                 and o.match.end <= s.match.end and (o.match.start, o.match.end) != (s.match.start, s.match.end)]
        if inner or s.message.kind not in ("error", "warning"):
            continue
        out.append((s, s.match.text, s.source))
    matched = {s.text for s in found}
    for text in facts.torch.errors.get(()) or ():
        if text not in matched:
            out.append((None, text, "torch.errors"))
    return out


def _accounted(s: Optional[Stated], text: str, findings: Sequence[Finding]) -> bool:
    ids = {f.id for f in findings}
    if s is not None:
        if ids & set(s.message.findings()):
            return True
        return any(text.strip()[:80] in e.value for f in findings for e in f.evidence)
    # An error line the catalogue does not know: a finding of this report may explain it.
    return any(f.severity is not Severity.INFO for f in findings)


def _cause(fid: str, found: Sequence[Stated], view: _View) -> Cause:
    support = tuple(dict.fromkeys(
        f"{s.message.origin.project}: “{' '.join(s.match.text.split())[:120]}” ({st})"
        for s in found for st in ("decisive", "supporting") if s.supports(fid, st)))
    needs = NEEDS.get(fid, _DEFAULT_NEEDS)
    missing = [n for n in needs if not n.known(view)]
    against: Tuple[str, ...] = ()
    if not missing and fid in NEEDS:
        against = (f"{', '.join(n.what for n in needs)} {'is' if len(needs) == 1 else 'are'} in the text, and "
                   f"{fid}'s check does not fire on them",)
    score = sum(3 if s.supports(fid, "decisive") else 1 for s in found if s.supports(fid)) - (10 if against else 0)
    return Cause(fid, CATALOGUE[fid].title, support, against, tuple(n.what for n in missing),
                 tuple(dict.fromkeys(n.command for n in missing)), score)


def _unexplained(found: Sequence[Stated], facts: Facts, findings: Sequence[Finding], view: _View):
    out = []
    for s, text, source in _texts(found, facts):
        if _accounted(s, text, findings):
            continue
        ids = s.message.findings() if s else ()
        causes = sorted((_cause(fid, found, view) for fid in ids), key=lambda c: -c.score)
        note = (s.message.note or s.message.summary) if s else "an error the message catalogue does not know"
        out.append(Unexplained(" ".join(text.split())[:400], source, s.id if s else None, note, tuple(causes[:4])))
    return out


def _missing(view: _View) -> List[Tuple[str, str]]:
    """The basic facts a verdict needs and a pasted text lacks."""
    f = view.facts
    out: List[Tuple[str, str]] = []
    if f.source != "explain":
        return out
    if not _gpu(view):
        out.append((GPU.what, GPU.command))
    if f.has_nvidia_gpu is not False and not _driver(view):
        out.append((DRIVER.what, DRIVER.command))
    torch_named = f.torch.installed.ok or f.torch.version.known or f.python.package("torch") is not None
    if torch_named and f.torch.installed.value is not False and not _build(view):
        out.append((BUILD.what, BUILD.command))
    if len(out) == 2 and not _printed(f) and not torch_named:
        # Nothing about the machine and no message at all (a question in prose, or text
        # nothing recognised in): the whole basic report, and the error itself.
        out += [(BUILD.what, BUILD.command), ERROR]
    return out


def _printed(f: Facts) -> bool:
    """Did the text hold any message a program printed (an error, a warning, a failed import)?"""
    t = f.torch
    return bool(t.errors.get(()) or t.warnings.get(()) or t.import_error.known or f.nvml.init.known)


def judge(facts: Facts, findings: Sequence[Finding], found: Optional[Tuple[Stated, ...]] = None) -> Judgement:
    found = stated(facts) if found is None else found
    view = _View(facts, found)
    unexplained = _unexplained(found, facts, findings, view)
    missing = _missing(view)
    severities = {f.severity for f in findings}
    if Severity.ERROR in severities:
        verdict = "error"
    elif unexplained:
        verdict = "unexplained"
    elif Severity.WARNING in severities:
        verdict = "warning"
    else:
        verdict = "insufficient" if missing else "ok"
    paste = [c for u in unexplained for cause in u.causes[:2] for c in cause.paste]
    paste += [cmd for what, cmd in missing if (what, cmd) != ERROR] if verdict == "insufficient" else []
    if unexplained or verdict == "insufficient":
        paste.append(FULL_REPORT + "   (run on that machine: everything above in one report)")
    return Judgement(verdict, tuple(unexplained), tuple(missing), tuple(dict.fromkeys(paste)))
