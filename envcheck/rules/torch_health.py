"""What CUDA programs in this Python environment will see: the torch probe's results and the
environment variables that change what CUDA shows or how fast it runs.

The torch probe (``envcheck/probes/torch_worker.py``) imports torch in a subprocess, asks for
the devices, launches a tiny kernel and compares a small convolution with the CPU. These
rules turn its results into findings; they never import torch.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Sequence, Tuple

from envcheck.derived.machine import find_text
from envcheck.derived.messages import STATED_DETAIL
from envcheck.facts import Facts
from envcheck.reading import Status
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

# A float32 convolution on the GPU is compared with the same convolution on the CPU; the
# probe reports max|gpu - cpu| / max|cpu| (norm-wise relative error). cuDNN may run float32
# convolutions in TF32 (PyTorch allows it by default: torch.backends.cudnn.allow_tf32), which
# rounds both inputs to a 10-bit mantissa: each product is then off by at most about
# 2 * 2**-11 ≈ 9.8e-4 relative, and sums in float32 do not make the norm-wise error worse.
# Plain float32 gives ~1e-6. A broken GPU, driver or kernel gives errors of order 1 (or NaN).
# 1e-3 is therefore above anything TF32 can produce and far below a real failure.
CONV_REL_TOLERANCE = 1e-3


def _cuda_build(f: Facts) -> bool:
    return f.torch.cuda_build.ok and bool(f.torch.cuda_build.value)


def _texts(r) -> List[str]:
    return [t.strip() for t in r.get(()) if t and t.strip()]


def _required_name(s) -> str:
    """The torch file a loader message names, by its base name."""
    return re.split(r"[\\/]", str(s.fact("loader.required_by")).strip())[-1]


def _torch_label(f: Facts) -> str:
    return f"PyTorch {f.torch.version.value}" if f.torch.version.ok else "PyTorch"


LISTING_ROWS = 8


def torch_not_installed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    py = f.python
    said_absent = f.torch.installed.ok and f.torch.installed.value is False
    # The doctor's probe lists every package of the environment. In a paste, a package set is a
    # listing of the environment only with enough rows: a few packages are a `pip freeze | grep
    # nccl`, pip's "Successfully installed …" line, or packages a person named, none of which
    # would show torch where it is installed.
    listed = py.packages.ok and (f.source != "explain" or len(py.packages.value or ()) >= LISTING_ROWS)
    if not (listed and py.package("torch") is None) and not said_absent:
        return
    if f.torch.installed.ok and f.torch.installed.value:
        return
    where = py.executable.value if py.executable.ok else "this Python"
    told = said_absent and (f.torch.installed.detail or "").startswith(STATED_DETAIL)
    yield make("torch_not_installed",
               f"PyTorch is not installed for {where}"
               + (f" (a {py.env_kind.value} environment at {py.env_path.value})" if py.env_kind.ok and py.env_path.ok
                  else "") + ". `envcheck advise` picks the build that fits this driver and GPU and prints the "
               "install command.",
               evidence(("python.packages", "no torch"), ("python.executable", py.executable))
               + ([("torch.installed", f.torch.installed)] if told else []),
               confidence=Confidence.LIKELY if told else None,
               # the person hit Python's error (retold in a sentence): a failure, not a note
               severity=Severity.ERROR if told and "No module named" in (f.torch.installed.detail or "") else None)


_TORCH_LIB = re.compile(r"[\\/]torch[\\/]lib[\\/]|[\\/]torch[\\/]_C[.\w-]*\.(?:so|pyd)\b")
_IMPORT_LINE = re.compile(r"^\s*(?:ImportError|OSError|ModuleNotFoundError)\b")


def torch_import_failed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    err = f.torch.import_error
    if not (err.ok and err.value):
        # Without the import in view, torch still cannot be imported when the loader refused a
        # library torch's own files need ("version `GLIBC_2.28' not found (required by …/torch/lib/
        # libtorch_cpu.so)"), or Python's import failed on one of them ("ImportError: …/torch/lib/
        # libtorch_python.so: undefined symbol: …", macOS's "dlopen(…/torch/_C.cpython-311-darwin.so
        # …): Library not loaded").
        refused = next((s for s in ctx.stated if _TORCH_LIB.search(str(s.fact("loader.required_by") or ""))), None)
        own = next((e for e in (f.torch.errors.value or ()) if f.torch.errors.ok
                    and _IMPORT_LINE.match(e) and _TORCH_LIB.search(e)), None)
        if refused is not None:
            yield make("torch_import_failed",
                       f"{_torch_label(f)} cannot be imported: the dynamic loader refused what "
                       f"{_required_name(refused)} needs ({' '.join(refused.match.text.split())[:200]}).",
                       [quote(refused)])
        elif own is not None:
            yield make("torch_import_failed", f"{_torch_label(f)} cannot be imported: Python failed to load torch's "
                       f"own compiled files ({' '.join(own.split())[:240]}).", evidence(("torch.errors", own[:500])))
        return
    last = err.value.strip().splitlines()[-1] if err.value.strip() else err.value
    yield make("torch_import_failed",
               f"{_torch_label(f)} is installed but `import torch` fails: {last}",
               evidence(("torch.import_error", err.value.strip()[-500:]), ("torch.version", f.torch.version)))


def known_bad_build_by_signature(ctx: RuleContext) -> Iterator[Finding]:
    """A known-bad build recognised by its failure when the paste does not say which torch it
    is. Only entries pinned to one release (``torch = "==X"``) whose failure text no other
    release prints are read this way, and every condition the entry names must hold (its text
    and its OS): torch 2.4.0's Windows wheels fail on fbgemm.dll, the first DLL in torch/lib
    that needs libomp140 — c10.dll, loaded before it, needs only the Visual C++ runtime, so a
    missing runtime fails there instead (pytorch/pytorch#131662). With the version in the text
    ``versions.known_bad_torch_build`` decides, from the table."""
    tv = ctx.torch_view
    if tv is not None and tv.version is not None and not tv.version.stated:
        return  # a tool showed the version; a sentence's ("torch 2.3 and earlier don't need it") is weaker
    os_id = ctx.facts.host.os_id.value if ctx.facts.host.os_id.ok else None
    for bad in ctx.kb.known_bad:
        if not (bad.when_text and bad.torch.startswith("==")) or (bad.when_os and os_id not in bad.when_os):
            continue
        text = find_text(ctx.facts, *bad.when_text)
        if text is None:
            continue
        release = bad.torch[2:]
        yield make("known_bad_torch_build",
                   f"This failure is the signature of torch {release}'s known-bad build: " + bad.summary
                   + (f" ({bad.fix_note})" if bad.fix_note else "") + " No tool output in the text shows the torch version: "
                   "`pip show torch` confirms it.",
                   [("torch.errors", " ".join(text.split())[:300]), ("known_bad_builds table", bad.id)],
                   links=[bad.issue], confidence=Confidence.LIKELY)
        return


def torch_cuda_unavailable(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    t = f.torch
    if not (_cuda_build(f) and t.cuda_available.ok and t.cuda_available.value is False and f.has_nvidia_gpu):
        return
    said = _texts(t.errors) + _texts(t.warnings)
    yield make("torch_cuda_unavailable",
               f"{_torch_label(f)} was built for CUDA {t.cuda_build.value}, the machine has an NVIDIA GPU, and "
               "yet torch.cuda.is_available() is False"
               + (f". PyTorch said: {said[0]}" if said else "") + " The other findings in this report say why "
               "(driver, module, permissions or CUDA_VISIBLE_DEVICES).",
               [("torch.cuda_build", t.cuda_build.value), ("torch.cuda_available", False)]
               + [("torch.errors", s[:300]) for s in said[:3]])


def torch_gpu_check_failed(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    t = f.torch
    # A launch that raised (status error) after CUDA came up is a failed check too; without
    # CUDA it is expected and torch_cuda_unavailable says why.
    kernel_bad = (t.kernel_check.ok and t.kernel_check.value is False) or (
        t.kernel_check.status is Status.ERROR and t.cuda_available.ok and bool(t.cuda_available.value))
    err = t.conv_check_max_rel_err.value if t.conv_check_max_rel_err.ok else None
    cuda_up = t.cuda_available.ok and bool(t.cuda_available.value)
    # NaN counts as a failure; so does an errored check once CUDA is up (a snapshot stores a
    # non-finite error as status error, so live and --facts diagnoses agree).
    conv_bad = (err is not None and not err <= CONV_REL_TOLERANCE) or (
        t.conv_check_max_rel_err.status is Status.ERROR and cuda_up)
    verify_bad = t.conv_check_passed.ok and t.conv_check_passed.value is False
    if not (kernel_bad or conv_bad or verify_bad):
        return
    what = []
    if kernel_bad:
        what.append("a tiny test kernel did not run or returned the wrong answer"
                    + (f" ({t.kernel_check.detail})" if t.kernel_check.detail else ""))
    if verify_bad:
        what.append(f"the quick convolution check against a float64 reference failed ({t.conv_check_passed.detail})")
    elif conv_bad and err is None:
        what.append(f"the small convolution check gave no usable result ({t.conv_check_max_rel_err.detail})")
    elif conv_bad:
        what.append(f"a small float32 convolution differed from the CPU by {err:.3g} (relative), above the "
                    f"{CONV_REL_TOLERANCE:g} that TF32 rounding can explain")
    yield make("torch_gpu_check_failed",
               "PyTorch reached the GPU, but " + " and ".join(what) + ". Results computed on this GPU cannot be "
               "trusted until this is understood.",
               evidence(("torch.kernel_check", t.kernel_check), ("torch.conv_check_max_rel_err", t.conv_check_max_rel_err),
                        ("torch.conv_check_passed", t.conv_check_passed))
               + [("torch.errors", s[:300]) for s in _texts(t.errors)[:2]], {"gpu_index": 0})


def torch_probe_failed(ctx: RuleContext) -> Iterator[Finding]:
    t = ctx.facts.torch
    # The probe as a whole failed when it could not say whether torch imports or CUDA is up;
    # a check that errored after CUDA came up is torch_gpu_check_failed instead.
    whole = (("installed", t.installed), ("version", t.version), ("cuda_available", t.cuda_available))
    checks = (("kernel_check", t.kernel_check), ("conv_check_max_rel_err", t.conv_check_max_rel_err))
    bad = [(n, r) for n, r in whole if r.status in (Status.TIMEOUT, Status.ERROR)]
    bad += [(n, r) for n, r in checks if r.status is Status.TIMEOUT]
    if not bad:
        return
    name, r = bad[0]
    how = "did not finish in time" if r.status is Status.TIMEOUT else "crashed"
    yield make("torch_probe_failed",
               f"The PyTorch probe (a subprocess that imports torch and initialises CUDA) {how}"
               + (f": {r.detail}" if r.detail else "") + ". A CUDA initialisation that hangs usually means a "
               "driver or GPU problem; the other findings may name it.",
               evidence(*((f"torch.{n}", x) for n, x in bad)))


# --------------------------------------------------------------------------- variables that change what CUDA sees
def _parse_visible(value: str, count: Optional[int], uuids: Optional[Sequence[str]]):
    """Which GPUs ``CUDA_VISIBLE_DEVICES=value`` leaves visible, following CUDA's parser as
    PyTorch mirrors it (torch/cuda/__init__.py ``_parse_visible_devices``): each entry is read
    like strtoul (leading digits) or as a GPU UUID prefix; the list ends at the first invalid
    entry; a repeated entry makes the whole set empty. Returns ``(visible, stopped_at,
    repeated)`` or ``None`` when it cannot be judged (GPU count or UUIDs unknown, MIG ids)."""
    visible: List[int] = []
    for tok in (t.strip() for t in value.split(",")):
        if tok.upper().startswith("GPU-"):
            if uuids is None:
                return None
            hits = [i for i, u in enumerate(uuids) if u.upper().startswith(tok.upper())]
            if len(hits) != 1:
                return visible, tok, False
            idx = hits[0]
        elif tok.upper().startswith("MIG-"):
            return None
        else:
            m = re.match(r"\d+", tok)
            if not m:
                return visible, tok, False
            if count is None:
                return None
            idx = int(m.group())
            if idx >= count:
                return visible, tok, False
        if idx in visible:
            return [], tok, True
        visible.append(idx)
    return visible, None, False


# CUDA found no device, or not the one asked for: what a hiding CUDA_VISIBLE_DEVICES looks like.
_NO_DEVICE = ("torch_no_cuda_gpus", "cuda_no_device", "cuda_invalid_device", "torch_device_not_visible",
              "vllm_failed_infer_device")


def _hides_by_itself(value: str) -> Optional[str]:
    """Why ``value`` hides every GPU whatever the machine has: empty, or a first entry that
    names no GPU at all (``-1``, ``NoDevFiles``, ``none``); CUDA's parser stops at the first
    invalid entry, so nothing after it counts either."""
    first = value.split(",")[0].strip()
    if not first:
        return "it is empty, so CUDA sees no GPU"
    if first.startswith("-") or not re.match(r"\d+|GPU-|MIG-", first, re.IGNORECASE):
        return f"{first!r} names no GPU, so CUDA sees none"
    return None


def _index_past_first(value: str) -> Optional[str]:
    """An ordinary index above 0 is only suspicious: a machine with fewer GPUs has no such
    one, and with one GPU set the program's cuda:1 no longer exists; most machines that set
    it have that GPU."""
    first = value.split(",")[0].strip()
    if re.fullmatch(r"\d+", first) and int(first) >= 1:
        return (f"it keeps only GPU {first} (renumbered 0 inside the program): a machine with fewer GPUs has none "
                "left, and a program asking for a device index above 0 asks for one that is no longer there")
    return None


def _no_device_seen(ctx: RuleContext) -> Optional[Tuple[str, object]]:
    """The evidence that CUDA found no device (or not the one asked for) in this report: a
    no-device message, torch's device count 0, or is_available() False on a build that is not
    known to be CPU-only (a CPU build is why, then). None when the report shows no such failure."""
    f = ctx.facts
    failure = next((s for s in ctx.stated if s.id in _NO_DEVICE), None)
    if failure is not None:
        return quote(failure)
    if f.torch.device_count.ok and f.torch.device_count.value == 0:
        return ("torch.device_count", 0)
    tv = ctx.torch_view
    if f.torch.cuda_available.ok and f.torch.cuda_available.value is False and not (tv is not None and tv.is_cpu):
        return ("torch.cuda_available", f.torch.cuda_available)
    return None


def _hidden_by_value(ctx: RuleContext, value: str) -> Iterator[Finding]:
    """The GPU count is not in the text: the value is evidence only beside CUDA failing to find
    a device. A value that hides every GPU by itself is then likely the cause (error); an
    ordinary index above 0 only may be (warning): in an env dump of a working run it is
    what most multi-GPU machines set."""
    failure = _no_device_seen(ctx)
    if failure is None:
        return
    why, severity = _hides_by_itself(value), None
    if why is None:
        why, severity = _index_past_first(value), Severity.WARNING
    if why is None:
        return
    yield make("cuda_visible_devices_hides_gpus",
               f"CUDA_VISIBLE_DEVICES={value!r} is set and CUDA found no device (or not the one asked for): {why}. "
               "Run again without it, or with indices that exist (`nvidia-smi -L` lists them).",
               [("env.CUDA_VISIBLE_DEVICES", repr(value)), failure], {"visible_devices": "0"},
               severity=severity, confidence=Confidence.LIKELY)


# explain/parsers/visible_devices.py: a person told only that setting CUDA_VISIBLE_DEVICES
# fixed a no-device failure; the run's own value is not in the text.
_FIXED_BY_SETTING = "setting CUDA_VISIBLE_DEVICES to"


def _fixed_by_setting(ctx: RuleContext) -> Iterator[Finding]:
    avail = ctx.facts.torch.cuda_available
    if not (avail.ok and avail.value is False and _FIXED_BY_SETTING in (avail.detail or "")):
        return
    failure = next((s for s in ctx.stated if s.id in _NO_DEVICE), None)
    if failure is None:
        return
    yield make("cuda_visible_devices_hides_gpus",
               "CUDA found no device (or not the one asked for), and setting CUDA_VISIBLE_DEVICES is said to have "
               "fixed it: the run had it set (by the program, its launch script or the shell) to GPUs this machine "
               "does not have. Look for where it is set, and use indices that exist (`nvidia-smi -L` lists them).",
               [("torch.cuda_available", avail), quote(failure)], {"visible_devices": "0"},
               severity=Severity.WARNING, confidence=Confidence.LIKELY)


def cuda_visible_devices_hides_gpus(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.facts.has_nvidia_gpu is False:
        return
    # The value the text shows judged first; only where it tells nothing (absent, or the one
    # that fixed the run) does the fix alone speak.
    found = list(_hidden_by_env(ctx))
    yield from found or _fixed_by_setting(ctx)


def _hidden_by_env(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    env = f.env.variables.get({})
    if "CUDA_VISIBLE_DEVICES" not in env:
        return
    value = env["CUDA_VISIBLE_DEVICES"]
    # PyTorch saw a GPU in the same report: the value did not hide them from that run (it was
    # set at another moment, or only inside the program).
    if f.torch.cuda_available.ok and f.torch.cuda_available.value is True:
        return
    if not f.has_nvidia_gpu:  # nobody could tell whether there is a GPU: judge the value alone
        yield from _hidden_by_value(ctx, value)
        return
    count = len(f.gpus) if f.gpus else (len(f.pci.gpus) if f.pci.devices.ok and f.pci.gpus else None)
    uuids = None if f.redacted or not f.gpus or not all(g.uuid.ok for g in f.gpus) else [g.uuid.value for g in f.gpus]
    parsed = _parse_visible(value, count, uuids)
    ev: List[Tuple[str, object]] = [("env.CUDA_VISIBLE_DEVICES", repr(value))]
    if count is not None:
        ev.append(("nvml.gpus" if f.gpus else "pci.devices", f"{count} GPU(s), index 0..{count - 1}"))
    values = {"visible_devices": ",".join(str(i) for i in range(count)) if count else "0"}
    torch_sees_none = f.torch.cuda_build.ok and f.torch.device_count.ok and f.torch.device_count.value == 0
    failure = _no_device_seen(ctx)
    itself = _hides_by_itself(value)
    if parsed is not None and not parsed[0]:
        why = ("it is empty" if not value.strip() else
               f"{parsed[1]!r} is listed twice, and CUDA then shows no device at all" if parsed[2] else
               f"the entry {parsed[1]!r} names no GPU on this machine")
        # NVML read live lists every GPU of the machine; a paste's list proves nothing by itself:
        # nvidia-smi inside a container, or a cut paste, lists fewer GPUs than the run had. There
        # an index past that list is the cause only beside CUDA finding no device.
        if f.source == "explain" and itself is None and failure is None and not parsed[2]:
            yield make("cuda_visible_devices_hides_gpus",
                       f"CUDA_VISIBLE_DEVICES={value!r}: {why} as far as this report lists them; if the program "
                       "finds no GPU, this is why.", ev, values, severity=Severity.WARNING,
                       confidence=Confidence.LIKELY)
            return
        yield make("cuda_visible_devices_hides_gpus",
                   f"CUDA_VISIBLE_DEVICES={value!r} leaves CUDA no GPU at all: {why}. CUDA programs then report "
                   "“no CUDA-capable device is detected” and torch.cuda.is_available() is False.",
                   ev + ([failure] if failure else []), values)
    elif parsed is not None and parsed[1] is not None:
        yield make("cuda_visible_devices_hides_gpus",
                   f"CUDA_VISIBLE_DEVICES={value!r}: the entry {parsed[1]!r} names no GPU, and CUDA ignores it and "
                   f"everything after it, so only GPU(s) {', '.join(map(str, parsed[0]))} are visible.",
                   ev, values, severity=Severity.WARNING)
    elif parsed is None and torch_sees_none and f.gpus:
        yield make("cuda_visible_devices_hides_gpus",
                   f"PyTorch sees no GPU while NVML sees {len(f.gpus)}, and CUDA_VISIBLE_DEVICES={value!r} is set; "
                   "it may name GPUs that do not exist here. Try again without it.",
                   ev + [("torch.device_count", 0)], values, severity=Severity.WARNING)


# Variables that slow real work down (severity warning) or only add noise (info). Each value
# is (test on the value, why). Sources: CUDA programming guide (CUDA_LAUNCH_BLOCKING,
# CUDA_CACHE_DISABLE), cuDNN "Error Reporting and API Logging" (level 0 = no performance
# penalty), cuBLAS logging, PyTorch "CUDA Environment Variables" and distributed debugging
# docs, c10/cuda/CUDACachingAllocator.cpp (PYTORCH_NO_CUDA_MEMORY_CACHING is checked for
# presence, so even "0" disables the cache in the releases that do so).
def _on(v: str) -> bool:
    return v.strip().lower() not in ("", "0", "false", "no", "off")


_COSTLY = {
    "CUDA_LAUNCH_BLOCKING": (_on, "every kernel launch waits for the GPU to finish"),
    "PYTORCH_NO_CUDA_MEMORY_CACHING": (lambda v: True, "PyTorch's memory cache is off: every tensor is a "
                                       "cudaMalloc/cudaFree (any value counts in releases that test presence)"),
    "CUDNN_LOGLEVEL_DBG": (_on, "cuDNN logs every API call (level 0 is the only one without a cost)"),
    "CUDNN_LOGINFO_DBG": (_on, "cuDNN logs every API call"),
    "CUBLAS_LOGINFO_DBG": (_on, "cuBLAS logs every call"),
    "CUBLASLT_LOG_LEVEL": (_on, "cuBLASLt logs every call"),
    "TORCH_CUDA_SANITIZER": (_on, "PyTorch's CUDA sanitizer checks every kernel's memory accesses"),
    "TORCH_DISTRIBUTED_DEBUG": (lambda v: v.strip().upper() == "DETAIL", "DETAIL adds synchronising checks to "
                                "every collective"),
    "NCCL_DEBUG": (lambda v: v.strip().upper() == "TRACE", "NCCL traces every call"),
    "NVIDIA_TF32_OVERRIDE": (lambda v: v.strip() == "0", "TF32 tensor cores are forced off for float32 math"),
    "CUDA_CACHE_DISABLE": (_on, "PTX is JIT-compiled again at every start"),
    "TORCH_COMPILE_DEBUG": (_on, "torch.compile writes debug dumps for every graph"),
}
_NOISE = {
    "NCCL_DEBUG": (lambda v: v.strip().upper() in ("INFO", "WARN", "VERSION"), "NCCL prints set-up logs"),
    "TORCH_SHOW_CPP_STACKTRACES": (_on, "longer error messages only; no cost while things work"),
    "TORCH_USE_CUDA_DSA": (_on, "a build-time option: it has no effect on prebuilt PyTorch wheels"),
    "CUDA_MODULE_LOADING": (lambda v: v.strip().upper() == "EAGER", "all kernels load at start: slower start, "
                            "more memory"),
}


def debug_env_vars_set(ctx: RuleContext) -> Iterator[Finding]:
    env = ctx.facts.env.variables.get({})
    costly = [(k, env[k], why) for k, (test, why) in _COSTLY.items() if k in env and test(env[k])]
    noise = [(k, env[k], why) for k, (test, why) in _NOISE.items()
             if k in env and test(env[k]) and k not in {c[0] for c in costly}]
    if not costly and not noise:
        return
    found = costly + noise
    yield make("debug_env_vars_set",
               ("Debugging variables that slow GPU work down are set: " if costly else
                "Debugging variables are set (harmless for speed, noisy): ")
               + "; ".join(f"{k}={v} ({why})" for k, v, why in found) + ".",
               [(f"env.{k}", v) for k, v, _ in found], {"debug_vars": " ".join(k for k, _, _ in found)},
               severity=None if costly else Severity.INFO)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    torch_not_installed,
    torch_import_failed,
    known_bad_build_by_signature,
    torch_cuda_unavailable,
    torch_gpu_check_failed,
    torch_probe_failed,
    cuda_visible_devices_hides_gpus,
    debug_env_vars_set,
)
