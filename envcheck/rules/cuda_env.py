"""Environment variables that change what CUDA shows or how fast it runs: CUDA_VISIBLE_DEVICES
hiding GPUs (weighed against the GPUs the facts list and what torch saw), and debugging or
profiling variables that slow every launch. Split from ``torch_health`` (the torch probe's
results), which had grown past the style's module size.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Sequence, Tuple

from envcheck.derived.machine import failure_texts
from envcheck.derived.messages import is_stated
from envcheck.derived.visible_devices_shown import ray_without_gpus, shown_empty
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity


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
              "vllm_failed_infer_device", "paddle_no_gpu_found_in_runtime", "paddle_cuda_device_not_set_properly")


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


# A failure about which or how many GPUs a run sees: NCCL's "Duplicate GPU detected : rank 1 and rank 0
# both on CUDA device …", "invalid device ordinal", vLLM's "The number of required GPUs exceeds the total
# number of available GPUs", a person's "only one GPU is used".
_GPU_COUNT_FAILURE = re.compile(
    r"duplicate\s+gpu|invalid\s+device\s+ordinal|number\s+of\s+(?:required\s+|available\s+)?gpus"
    r"|(?:only|just)\s+(?:one|1|a\s+single)\s+gpu|gpus?\s+(?:is|are|was|were)\s+(?:not\s+|never\s+)?(?:used|visible|found|detected)"
    r"|device\s+count|tensor.parallel", re.I)


def _text_fails(ctx: RuleContext) -> bool:
    """A failure in a pasted text (an error line, or the person's own sentence) about which or how
    many GPUs the run sees."""
    return any(_GPU_COUNT_FAILURE.search(t) for t in failure_texts(ctx.facts))


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


# explain/parsers/gpu_index_fix.py: a person told that changing the run's GPU index (CUDA_ID=1,
# init_env('1'), --gpu_ids 1) to 0 fixed CUDA finding no device at all.
_FIXED_BY_INDEX = "changing the GPU index the run used to 0"
# explain/parsers/gpu_index_fix.py: the machine said to lack the GPUs the run asked for, and changing
# the run's GPU setting told as the fix.
_FIXED_BY_FEWER = "changing the GPUs the run asked for, which the machine was said to lack"
# CUDA's "no device at all" (an index not passed on as CUDA_VISIBLE_DEVICES fails as an invalid ordinal instead).
_NO_DEVICE_AT_ALL = ("torch_no_cuda_gpus", "cuda_no_device")


def _no_device_and(ctx: RuleContext, avail, why: str) -> Iterator[Finding]:
    """CUDA found no device at all, and the text tells ``why`` a launcher's mask hides it (a
    warning, likely: the mask itself is not in the text)."""
    failure = next((s for s in ctx.stated if s.id in _NO_DEVICE_AT_ALL), None)
    if failure is None:
        return
    yield make("cuda_visible_devices_hides_gpus", why, [("torch.cuda_available", avail), quote(failure)],
               {"visible_devices": "0"}, severity=Severity.WARNING, confidence=Confidence.LIKELY)


def _fixed_by_index(ctx: RuleContext, avail) -> Iterator[Finding]:
    yield from _no_device_and(
        ctx, avail,
        "CUDA found no device at all, and changing the GPU index the run was started with to 0 is said to "
        "have fixed it. CUDA reports no device only when none is visible to it: the launch script or program "
        "passes that index on as CUDA_VISIBLE_DEVICES, and an index this machine does not have hides every "
        "GPU. Use indices that exist (`nvidia-smi -L` lists them; a one-GPU machine has only 0).")


# explain/parsers/gpu_works_elsewhere.py: the GPU said to work when the same machine runs the
# code another way (directly in python, in debug mode) while this run found no device at all.
_WORKS_ELSEWHERE = "the GPU works when the same machine runs the code another way"


def _hidden_from_this_run(ctx: RuleContext, avail) -> Iterator[Finding]:
    yield from _no_device_and(
        ctx, avail,
        "CUDA found no device at all in this run, while the text says the GPU works when the same machine "
        "runs the code another way. The driver sees the GPU; what this run's launcher (a shell script, a "
        "worker pool such as Ray, a serving framework) or the program sets hides it: CUDA_VISIBLE_DEVICES "
        "empty, or an index this machine does not have. Print it where the run starts "
        "(`import os; print(os.environ.get('CUDA_VISIBLE_DEVICES'))`) and look for where it is set.")


def _fixed_by_fewer(avail) -> Iterator[Finding]:
    """The reader required CUDA's no-device message in the text; the message itself may be read as over
    (the same text says the change "solved that problem"), so the claim is the evidence."""
    yield make("cuda_visible_devices_hides_gpus",
               "CUDA found no device at all, the text says the machine lacks the GPUs the run asked for, and "
               "changing the run's GPU setting is said to have fixed it. CUDA reports no device only when none is "
               "visible to it: the program or its launch script passes that setting on as CUDA_VISIBLE_DEVICES, and "
               "GPUs this machine does not have hide every one. Name GPUs that exist (`nvidia-smi -L` lists them).",
               [("torch.cuda_available", avail)], {"visible_devices": "0"},
               severity=Severity.WARNING, confidence=Confidence.LIKELY)


def _fixed_by_setting(ctx: RuleContext) -> Iterator[Finding]:
    avail = ctx.facts.torch.cuda_available
    if avail.ok and avail.value is False and _FIXED_BY_INDEX in (avail.detail or ""):
        yield from _fixed_by_index(ctx, avail)
        return
    if avail.ok and avail.value is False and _FIXED_BY_FEWER in (avail.detail or ""):
        yield from _fixed_by_fewer(avail)
        return
    if avail.ok and avail.value is False and _WORKS_ELSEWHERE in (avail.detail or ""):
        yield from _hidden_from_this_run(ctx, avail)
        return
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


def _shown_empty(ctx: RuleContext) -> Iterator[Finding]:
    """explain/parsers/visible_devices_shown.py: the failing run's CUDA_VISIBLE_DEVICES shown empty in a
    person's sentence, a program's print or a snippet's result, beside a failure the text tells; or a
    Ray task or actor declared without GPUs beside CUDA finding no device (Ray sets such a worker's
    CUDA_VISIBLE_DEVICES to the GPU ids it was given, joined with commas: "" —
    ray/_private/accelerators/nvidia_gpu.py, set_current_process_visible_accelerator_ids)."""
    said = shown_empty(ctx.facts)
    ray = ray_without_gpus(ctx.facts) if said is None else None
    if said is None and ray is None:
        return
    failure = _no_device_seen(ctx) or next((("text", t) for t in failure_texts(ctx.facts)), None)
    if said is not None:
        if failure is None:
            return
        yield make("cuda_visible_devices_hides_gpus",
                   f"The text shows CUDA_VISIBLE_DEVICES empty in the run that fails ({said}). An empty value leaves "
                   "CUDA no GPU at all: “no CUDA-capable device is detected”, torch.cuda.is_available() False. Find "
                   "where it is set to nothing (a launch script, a scheduler, a worker pool, the program) and unset it "
                   "or name GPUs that exist (`nvidia-smi -L` lists them).",
                   [("text", said), failure], {"visible_devices": "0"}, confidence=Confidence.LIKELY)
        return
    yield make("cuda_visible_devices_hides_gpus",
               f"A Ray task or actor is declared without GPUs ({ray}) and CUDA finds no device. Ray sets each "
               "worker's CUDA_VISIBLE_DEVICES to the GPUs it assigned it, so a task or actor given none runs with "
               "CUDA_VISIBLE_DEVICES=\"\" and sees no GPU, even where the driver process sees it. Ask for GPUs "
               "where the GPU is used (`@ray.remote(num_gpus=1)`, or `.options(num_gpus=…)`).",
               [("text", ray)] + ([failure] if failure else []), {"visible_devices": "0"},
               severity=Severity.WARNING, confidence=Confidence.LIKELY,
               links=("https://docs.ray.io/en/latest/ray-core/scheduling/accelerators.html",))


def cuda_visible_devices_hides_gpus(ctx: RuleContext) -> Iterator[Finding]:
    if ctx.facts.has_nvidia_gpu is False:
        return
    # The value the text shows judged first; only where it tells nothing (absent, or the one
    # that fixed the run) does the fix alone speak, then a value or a Ray worker shown empty.
    found = list(_hidden_by_env(ctx)) or list(_fixed_by_setting(ctx))
    yield from found or _shown_empty(ctx)


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
        # Some GPUs stay visible, so the run works on fewer. Where the count is only the person's
        # words ("2x H100" read as one H100) it is their reading: nothing beside no failure at all.
        listed = any(g.name.ok and not is_stated(g.name) for g in f.gpus)
        if not listed and failure is None and f.source == "explain" and not _text_fails(ctx):
            return
        yield make("cuda_visible_devices_hides_gpus",
                   f"CUDA_VISIBLE_DEVICES={value!r}: the entry {parsed[1]!r} names no GPU, and CUDA ignores it and "
                   f"everything after it, so only GPU(s) {', '.join(map(str, parsed[0]))} are visible.",
                   ev, values, severity=Severity.WARNING, confidence=None if listed else Confidence.LIKELY)
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
    cuda_visible_devices_hides_gpus,
    debug_env_vars_set,
)
