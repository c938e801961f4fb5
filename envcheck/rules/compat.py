"""Does this PyTorch build run here: the driver against the build's CUDA, the GPU against
the build's kernels, and a CPU-only build on a GPU machine.

Each rule fires on whichever evidence is present (``derived.machine`` gathers it: the
facts, the tables, and upstream's messages), and torch's own verdict is evidence enough:
"The NVIDIA driver on your system is too old (found version N)" is torch comparing the
driver with its own CUDA, so the finding stands without an nvidia-smi; the facts only
sharpen the fix. A verdict drawn from a pattern of evidence rather than read is "likely".
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.cuda_program import ptxas_owner, torchs_own
from envcheck.derived.machine import GpuView, Value, driver_cuda, driver_runs, driver_version, fails_with
from envcheck.derived.messages import Stated, decisive_for, is_stated
from envcheck.derived.torch_arch_said import old_gpu_said, source_build_said
from envcheck.knowledge.archs import cc_tuple, sm_name, ver, version_at_least
from envcheck.reading import Status
from envcheck.rules.assumed_variant import between_archs, cuda_window, guessed_default, wheel_era
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding
from envcheck.rules.gpu_before_wheels import said_fails_on_old_gpu


def advised(ctx: RuleContext) -> str:
    """What ``envcheck advise`` picks here, for an explanation (the recipe installs it)."""
    a = ctx.advice
    if not a.torch_version:
        return ""
    first = f" after driver R{a.driver_branch}" if a.driver_branch else ""
    return f" envcheck advise picks torch {a.torch_version} + {a.variant}{first} for this machine."


def quote(s: Stated) -> Tuple[str, str]:
    """A message as evidence: who printed it, and its words."""
    return (f"{s.message.origin.project} messages", " ".join(s.match.text.split())[:300])


# ---------------------------------------------------------------------------- driver
_COMPAT_UNSUPPORTED = "cuda_compat_not_supported"


def _forward_compat_runs(ctx: RuleContext, drv: Value, cuda: str) -> bool:
    """The driver's own CUDA (nvidia-smi's header, NVML) is above its kernel module's release: a
    forward-compatibility user-mode driver (cuda-compat; NGC's "CUDA Forward Compatibility mode
    ENABLED") is what programs get. Not where CUDA said the GPU does not support it (error 804,
    "forward compatibility was attempted on non supported HW"), nor on GeForce and TITAN cards:
    NVIDIA's CUDA Compatibility guide supports it on data-center GPUs (and some RTX server SKUs)."""
    if any(s.id == _COMPAT_UNSUPPORTED for s in ctx.stated) or (
            ctx.gpus and all(re.search(r"\b(?:geforce|titan)\b", g.name or "", re.I) for g in ctx.gpus)):
        return False
    r = ctx.facts.nvml.cuda_driver_version
    banner = next((s.fact("nvml.cuda_driver_version") for s in ctx.stated if s.id == "ngc_forward_compat_enabled"), None)
    if banner or not (r.ok and r.value) or is_stated(r) or ctx.facts.source != "explain":
        return bool(banner) and driver_runs(str(banner), cuda)  # live: torch's own probe tells
    reported, native = str(r.value), ver(ctx.kb.max_cuda_for_driver(drv.value))
    return native is not None and (ver(reported) or native) > native and driver_runs(str(reported), cuda)


def _driver_verdict(ctx: RuleContext, cuda: Value):
    """(too old?, evidence, the driver floor) from the driver's version, else its CUDA."""
    need = ctx.kb.min_driver_for_cuda(str(cuda.value))
    drv = driver_version(ctx.facts)
    if drv is not None and need is not None:
        old = not version_at_least(drv.value, need)
        if old and _forward_compat_runs(ctx, drv, str(cuda.value)):
            return False, [drv, ("nvml.cuda_driver_version", ctx.facts.nvml.cuda_driver_version.value)], need
        return old, [drv, ("needed driver", f">= {need}")], need
    dcuda = driver_cuda(ctx.facts, ctx.kb, ctx.stated)
    if dcuda is not None:
        return not driver_runs(str(dcuda.value), str(cuda.value)), [dcuda], need
    return None, [], need


def driver_too_old_for_torch_cuda(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    # Another program's CUDA error (ggml, a binary built with nvcc) is cuda_toolkit_newer_than_driver.
    said = tuple(s for s in decisive_for(ctx.stated, "driver_too_old_for_torch_cuda") if torchs_own(s, ctx.stated))
    cuda = tv.cuda if tv is not None and not tv.is_cpu else None
    too_old, facts_ev, need = _driver_verdict(ctx, cuda) if cuda is not None else (None, [], None)
    if not said and not too_old:
        if too_old is None:  # the facts that would rule it out are not in the text
            yield from _ptx_newer_than_driver(ctx)
        return
    evidence: List = ([(cuda.source, cuda)] if cuda else []) + [
        (v.source, v) if isinstance(v, Value) else v for v in facts_ev] + [quote(s) for s in said[:2]]
    found = next((s.fact("nvml.cuda_driver_version") for s in said if s.fact("nvml.cuda_driver_version")), None)
    branch = ctx.kb.recommend_branch(need, [g.cc for g in ctx.gpus if g.cc]) if need else None
    alt = ctx.advice
    keep = (f" Or keep the driver and install torch {alt.torch_version} + {alt.variant}, which it runs "
            "(envcheck recipe show torch_pip_venv)." if cuda and alt.ok and alt.pip_command and alt.cuda != cuda.value
            else "")
    drv = driver_version(ctx.facts)
    if cuda and need:
        what = (f"PyTorch was built with CUDA {cuda.value}, which needs driver >= {need}; "
                f"{'driver ' + drv.value if drv else 'the installed driver'} is older.")
    else:
        what = ("PyTorch itself says the NVIDIA driver is too old for the CUDA it was built with"
                + (f" (the driver runs CUDA {found} at most)" if found else "") + ".")
    if said and too_old is False:
        what += (" The versions in the text say otherwise, so they come from another machine or moment than "
                 "the error (a container's own CUDA libraries, an old driver still loaded): torch's check is the one "
                 "that ran.")
    if branch is not None:
        what += f" Install driver R{branch.branch} or newer, or a PyTorch build for an older CUDA."
    elif cuda and need:  # e.g. a Kepler GPU (last branch R470) under a CUDA 12 build
        what += " No driver branch supports both this GPU and that CUDA: install a PyTorch build for an older CUDA."
    else:
        what += " Install a newer driver, or a PyTorch build for the CUDA this driver runs."
    yield make("driver_too_old_for_torch_cuda", what + keep, evidence,
               {"driver_branch": branch.branch} if branch else None,
               recipe="torch_pip_venv" if cuda and need and branch is None else "",
               confidence=Confidence.CONFIRMED if said else None)


def _ptx_newer_than_driver(ctx: RuleContext) -> Iterator[Finding]:
    """CUDA's cudaErrorUnsupportedPtxVersion: "the PTX was generated by a compiler newer than
    what is supported by the CUDA driver and PTX JIT compiler" (CUDA Runtime API, error 222).
    Whatever generated the PTX (torch's build, triton's bundled ptxas, an extension), the
    driver is older than its CUDA. Only where the text does not show both torch's CUDA and the
    driver's: where it does and they fit, the message stays unexplained with its causes ranked."""
    ptx = next((s for s in ctx.stated if s.id == "cuda_unsupported_ptx" and torchs_own(s, ctx.stated)), None)
    if ptx is None:
        return
    drv = driver_version(ctx.facts)
    yield make("driver_too_old_for_torch_cuda",
               "CUDA says the PTX it was given comes from a newer CUDA toolchain than this driver's PTX compiler "
               f"supports{' (driver ' + str(drv.value) + ')' if drv else ''}: the driver is older than the CUDA that "
               "built the code (torch's wheel, triton's ptxas, a compiled extension). Install a newer driver, or use "
               "builds for the CUDA this driver runs.", [quote(ptx)] + ([(drv.source, drv)] if drv else []),
               confidence=Confidence.LIKELY)


# ---------------------------------------------------------------------------- architecture
_TOO_OLD_MESSAGES = ("torch_gpu_too_old", "torch_cudnn_sm_too_old", "ptxas_dropped_gpu_name",
                     "tensorflow_gpu_below_min_capability")
OTHER_PROGRAMS_KERNEL = ("ggml_cuda_no_kernel_for_gpu", "extension_op_no_kernel_image", "program_invalid_device_function",
                          "extension_op_no_kernel_image_stack_after",
                          "program_source_then_no_kernel", "no_kernel_at_program_source",
                          "extension_launch_check_no_kernel",
                          "program_source_spaced_line_no_kernel", "xmrstak_not_compiled_for_gpu_arch",
                          "ms_deform_attn_no_kernel", "dcnv2_no_kernel", "thc_check_no_kernel_at_own_source",
                          "spconv_cuda_no_kernel")
NO_KERNEL = ("cuda_no_kernel_image", "nvrtc_invalid_arch", "cudnn_status_arch_mismatch", "torch_cpp_unknown_arch",
              "torch_kernel_invalid_device_function")



def _from_tables(v: Optional[Value]) -> bool:
    return v is not None and str(v.source).startswith("torch_variants table")


def _verdict(ctx: RuleContext, g: GpuView, said: Tuple[Stated, ...]):
    """(verdict, basis evidence, confidence) for one GPU, or None when nothing tells."""
    tv = ctx.torch_view
    for s in said:  # torch's own warning about this GPU decides
        cc = s.fact("gpu.compute_capability")
        if cc is not None and cc != g.cc:
            continue
        if s.id in _TOO_OLD_MESSAGES:
            return "too_old", quote(s), Confidence.CONFIRMED
        archs = s.fact("torch.arch_list") or (tv.arch_list.value if tv and tv.arch_list else None)
        verdict = between_archs(ctx, archs, g.cc) if archs else (wheel_era(ctx, g.cc) or "too_new")
        if verdict in ("cubin", "ptx"):  # the message and the list disagree: the message is the runtime's
            verdict = "too_old" if cc_tuple(g.cc) < (5, 0) else "too_new"
        return verdict, quote(s), Confidence.CONFIRMED
    no_kernel = next((s for s in ctx.stated if s.id in NO_KERNEL), None)
    row = ctx.kb.compute_capability(g.cc)
    if row is not None and row.jetson and (tv is None or (not (tv.build and tv.build.local) and (
            _from_tables(tv.arch_list) or (tv.arch_list is None and _from_tables(tv.cuda))))):
        # A Jetson's GPU is in no desktop wheel, for its platform, not its age: the tables' lists for a
        # bare version (PyPI's x86 default) say nothing of NVIDIA's JetPack builds
        # (arm_wheel_sigill.jetson_torch_without_cuda); a +cuXXX wheel's list is that wheel's.
        return None
    if tv is not None and no_kernel is None and guessed_default(ctx, tv, g.cc):
        return None  # PyPI's default variant only guessed, and another variant runs the GPU
    if tv is not None and tv.arch_list is not None:
        return between_archs(ctx, tv.arch_list.value, g.cc), (tv.arch_list.source, tv.arch_list), None
    if tv is not None and tv.cuda is not None:
        cuda = str(tv.cuda.value)
        window = cuda_window(ctx, g.cc, cuda, no_kernel is not None or fails_with(ctx.facts, cuda))
        return (window or "cubin"), (tv.cuda.source, f"CUDA {tv.cuda.value}"), None
    # A source build's own arch list, not the wheels', lacks the GPU: rules/torch_arch_said.py.
    era = wheel_era(ctx, g.cc) if no_kernel and not source_build_said(ctx.facts) else None
    if era:
        return era, quote(no_kernel), Confidence.LIKELY
    fails = said_fails_on_old_gpu(ctx)  # a GPU no wheel covers, and the person says torch fails on it
    return ("too_old", fails, Confidence.LIKELY) if fails else None


def _judge(ctx: RuleContext, g: GpuView, said: Tuple[Stated, ...]):
    """(the GPU, its verdict) — for a name that may mean several capabilities (a bare "TITAN
    X"), the verdict all of them share, as likely; None where they differ. A torch message
    naming the capability picks the candidate."""
    if not g.other_ccs:
        return g, _verdict(ctx, g, said)
    exact = next((str(s.fact("gpu.compute_capability")) for s in said
                  if str(s.fact("gpu.compute_capability")) in (g.cc,) + g.other_ccs), None)
    if exact is not None:
        one = dataclasses.replace(g, cc=exact, other_ccs=())
        return one, _verdict(ctx, one, said)
    each = [_verdict(ctx, dataclasses.replace(g, cc=cc, other_ccs=()), said) for cc in (g.cc,) + g.other_ccs]
    if any(j is None for j in each) or len({j[0] for j in each}) > 1:
        return g, None  # the name does not tell, and the candidates disagree: say nothing
    return g, (each[0][0], each[0][1], Confidence.LIKELY)


def _gpu_targets(ctx: RuleContext, said: Tuple[Stated, ...]) -> List[GpuView]:
    """The GPUs to judge: those with a capability, or the one torch's warning names."""
    views = [g for g in ctx.gpus if g.cc]
    if not views:
        views = [GpuView(None, str(s.fact("gpu.name") or "") or None, str(s.fact("gpu.compute_capability")),
                         f"{s.source}: {s.id}") for s in said if s.fact("gpu.compute_capability")][:1]
    return views


def gpu_arch_vs_torch_build(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return
    # A CUDA toolkit's ptxas (XLA's, nvcc's) refusing the GPU is the toolkit's age, not torch's
    # build: rules/toolkit_arch.py says so; triton's bundled ptxas stays torch's.
    said = tuple(s for s in ctx.stated if s.message.findings("decisive")
                 and set(s.message.findings("decisive")) & {"gpu_arch_too_old_for_torch_build",
                                                            "gpu_arch_unsupported_by_torch_build"}
                 and not (s.id == "ptxas_unknown_gpu_name" and ptxas_owner(s, ctx.stated) == "toolkit"))
    no_kernel = next((s for s in ctx.stated if s.id in NO_KERNEL), None)
    targets = _gpu_targets(ctx, said)
    if not targets and no_kernel:
        # The failing kernel was another program's (llama.cpp's ggml, an extension's own op, a
        # program's own kernels): extension_built_without_gpu_arch says so; torch's build is not shown.
        if not any(s.id in OTHER_PROGRAMS_KERNEL for s in ctx.stated):
            yield from _no_kernel_without_gpu(ctx, no_kernel)
        return
    judgements = [_judge(ctx, g, said) for g in targets]
    # torch covers every GPU named, yet a kernel had no image: an extension's. One GPU torch
    # does not cover (an RTX 5090 beside a 4070 Ti) is the GPU the message was about.
    covered = all(j is not None and j[0] in ("cubin", "ptx") and j[2] is None for _, j in judgements)
    for g, judged in judgements:
        if judged is not None and judged[0] in ("cubin", "ptx") and no_kernel and judged[2] is None and covered:
            yield from _extension_without_arch(ctx, g, judged[1], no_kernel)
        if judged is None or judged[0] in ("cubin", "ptx"):
            continue
        verdict, basis, confidence = judged
        if confidence is Confidence.LIKELY and not said and any(s.id in OTHER_PROGRAMS_KERNEL for s in ctx.stated):
            continue  # torch's build is not in the text and the kernel that failed was an extension's or program's
        fid = "gpu_arch_too_old_for_torch_build" if verdict == "too_old" else "gpu_arch_unsupported_by_torch_build"
        row = ctx.kb.compute_capability(g.cc)
        label = g.name or "this GPU"
        arch = f" ({row.arch})" if row else ""
        if g.other_ccs:  # the name is sold with several chips: all of them fare the same here
            arch = f" or {' or '.join(g.other_ccs)} (the name is sold with more than one chip; every one fares the same)"
        version = f"PyTorch {tv.version.value}" if tv and tv.version else "this PyTorch"
        if verdict == "too_old":
            why = (f"{label} has compute capability {g.cc}{arch}; {version} has no kernels that old "
                   f"({' / '.join(sm_name(c) for c in (g.cc,) + g.other_ccs)} not in its build).")
        else:
            why = (f"{label} has compute capability {g.cc}{arch}; {version} has neither "
                   f"{' / '.join(sm_name(c) for c in (g.cc,) + g.other_ccs)} "
                   f"kernels nor PTX it could compile for it, so CUDA calls fail with 'no kernel image is available'.")
        if confidence is Confidence.LIKELY and not g.other_ccs:
            why += " (The build is not in the text: judged from the GPU's age against current PyTorch wheels.)"
        evidence = [(g.cc_source, Value(g.cc, g.cc_source, g.stated)), basis]
        if tv and tv.version:
            evidence.append((tv.version.source, tv.version))
        if no_kernel and quote(no_kernel) != basis:
            evidence.append(quote(no_kernel))
        yield make(fid, why + advised(ctx), evidence, gpu=g.index, confidence=confidence)


def _no_kernel_without_gpu(ctx: RuleContext, no_kernel: Stated) -> Iterator[Finding]:
    """"no kernel image is available" with no GPU named: the build lacks kernels for the GPU.
    Which way is judged from the build's architectures where the text has them (a list that
    covers every current GPU leaves only "too old"); without them, the commoner way: a GPU
    newer than the build (most such reports are new GPUs under older wheels)."""
    tv = ctx.torch_view
    archs = tv.arch_list.value if tv is not None and tv.arch_list is not None else None
    current = [c.cc for c in ctx.kb.ccs if c.last_driver is None and not c.jetson]
    newer_possible = archs is None or any(between_archs(ctx, archs, cc) == "too_new" for cc in current)
    version = f"PyTorch {tv.version.value}" if tv and tv.version else "this PyTorch build"
    covers = f" It has kernels for {', '.join(str(a) for a in archs)}." if archs else ""
    evidence = [quote(no_kernel)] + ([(tv.arch_list.source, tv.arch_list)] if archs else [])
    old = old_gpu_said(ctx.facts)
    if old and newer_possible:  # the person calls the GPU old: the build dropped it, it did not predate it
        yield make("gpu_arch_too_old_for_torch_build",
                   f"CUDA found no kernel for the GPU in {version}, and the text calls the GPU old. A build lacks an "
                   "old GPU when its architecture was dropped: recent wheels start at sm_70 or sm_75 (CUDA 12.8 and "
                   "later), so Maxwell and Pascal cards (GTX 9xx/10xx) need a build for CUDA 12.6 or older. "
                   "`nvidia-smi -L` names the GPU." + advised(ctx), evidence + [("text", old)],
                   confidence=Confidence.LIKELY)
        return
    if not newer_possible:
        yield make("gpu_arch_too_old_for_torch_build",
                   f"CUDA found no kernel for the GPU in {version}.{covers} That covers every current NVIDIA GPU, "
                   "so the GPU must be older than the build supports. The GPU is not in the text: "
                   "`nvidia-smi -L` names it." + advised(ctx), evidence, confidence=Confidence.LIKELY)
        return
    yield make("gpu_arch_unsupported_by_torch_build",
               f"CUDA found no kernel for the GPU in {version}: the build has no code for this GPU's architecture."
               f"{covers} Usually the GPU is newer than the build (an RTX 50xx, sm_120, needs a CUDA 12.8+ build); "
               "an old GPU (Kepler, Maxwell, Pascal) under a recent build fails the same way. The GPU is not in "
               "the text: `nvidia-smi -L` and `python -c \"import torch; print(torch.cuda.get_arch_list())\"` "
               "tell which." + advised(ctx), evidence, confidence=Confidence.LIKELY)


def _extension_without_arch(ctx: RuleContext, g: GpuView, basis, no_kernel: Stated) -> Iterator[Finding]:
    """torch has kernels for this GPU, yet a kernel had no image for it: one that is not
    torch's, from an extension built without the GPU's architecture."""
    yield make("extension_built_without_gpu_arch",
               f"PyTorch has kernels for {g.name or 'this GPU'} ({sm_name(g.cc)}), yet a kernel had no image for it: "
               "it belongs to a compiled extension built without this GPU's architecture. Rebuild the extension "
               f"with TORCH_CUDA_ARCH_LIST including {g.cc}.",
               [(g.cc_source, Value(g.cc, g.cc_source, g.stated)), basis, quote(no_kernel)], gpu=g.index,
               confidence=Confidence.LIKELY)


# Messages only a CUDA build of torch prints (it compared its CUDA with the driver's, or looked
# up a kernel for the GPU): beside one, an unsuffixed version is not the CPU wheel.
_CUDA_BUILD_SAYS = ("driver_too_old_for_torch_cuda", "gpu_arch_too_old_for_torch_build",
                    "gpu_arch_unsupported_by_torch_build", "cudnn_version_mismatch")


def _pip_1x_without_cuda(ctx: RuleContext, version: str) -> bool:
    """A 1.x torch without a local version, pip's (its site-packages path is no conda
    environment's: explain/parsers/windows_paths.py), on Windows, with CUDA unavailable: PyPI's
    CPU wheel, what a plain ``pip install torch`` gets there. download.pytorch.org's unsuffixed
    CUDA 1.x wheel (``-f torch_stable.html``) is the other kind, and it sees a GPU whose driver
    works; hence only where CUDA is said to be unavailable."""
    kind, t = ctx.facts.python.env_kind, ctx.facts.torch
    if not (re.match(r"^1\.\d", version) and kind.ok and kind.value in ("system", "user", "venv")):
        return False
    return (t.cuda_available.ok and t.cuda_available.value is False) or (t.device_count.ok and t.device_count.value == 0)


def _windows_pypi_wheel(ctx: RuleContext, tv) -> Optional[Value]:
    """torch 2.x without a local version (+cu121 / +cpu) on Windows, read by a tool (a pip
    listing, collect_env): PyPI's torch, whose Windows wheels have no CUDA — pytorch.org's
    CUDA wheels for Windows all carry +cuXXX since 2.0 (1.x's torch_stable.html had an
    unsuffixed default CUDA build, so 1.x is not judged). Nothing else in the text may say
    which build it is."""
    os_id, t = ctx.facts.host.os_id, ctx.facts.torch
    if not (os_id.ok and os_id.value == "windows") or tv is None or tv.version is None or tv.version.stated:
        return None
    version = str(tv.version.value)
    if "+" in version or not (re.match(r"^[2-9]\.\d", version) or _pip_1x_without_cuda(ctx, version)):
        return None
    if t.cuda_build.status is not Status.UNKNOWN or (t.cuda_available.ok and t.cuda_available.value):
        return None
    if any(set(s.message.findings("decisive")) & set(_CUDA_BUILD_SAYS) or s.id in NO_KERNEL for s in ctx.stated):
        return None
    return Value(version, f"{tv.version.source} on Windows: PyPI's torch {version} for Windows has no CUDA "
                 "(pytorch.org's CUDA wheels are named +cuXXX since 2.0)")


def torch_cpu_only_build(ctx: RuleContext) -> Iterator[Finding]:
    tv = ctx.torch_view
    os_id = ctx.facts.host.os_id
    if os_id.ok and os_id.value == "macos":
        return  # on macOS the CPU (and MPS) build is the only one: platform's no_nvidia_gpu_found
    pypi_windows = None if tv is None or tv.is_cpu else _windows_pypi_wheel(ctx, tv)
    if tv is None or not (tv.is_cpu or pypi_windows):
        return
    # torch's own "not compiled with CUDA" means CUDA was asked for: a GPU was meant to be used.
    said = decisive_for(ctx.stated, "torch_cpu_only_build")
    has_gpu = ctx.facts.has_nvidia_gpu
    driver = driver_version(ctx.facts) is not None or ctx.facts.nvml.cuda_driver_version.ok
    # CUDA was wanted: torch was asked for it and said no, or a person points out the CPU build
    # or that CUDA is unavailable. Nobody does that on a machine meant to run on the CPU.
    avail = ctx.facts.torch.cuda_available
    # A program's own "CUDA is not available" (torch.load's deserialisation, a launcher's GPU
    # check) says the same: CUDA was asked for.
    asked = any(s.message.kind == "error" and s.supports("torch_cpu_only_build") for s in ctx.stated)
    # An install command beside the CPU package asked for CUDA ("… cudatoolkit=10.2" resolved to
    # py3.8_cpu_0): the package reader marks the claim (explain/parsers/packages.py, ASKED_CUDA).
    requested = "CUDA was asked for" in (ctx.facts.torch.cuda_build.detail or "")
    # torch counting no CUDA device ("torch.cuda.device_count() returns 0") is the same answer
    # as is_available() False: a CPU build counts none.
    count = ctx.facts.torch.device_count
    # torch's autocast warning ("User provided device_type of 'cuda', but CUDA is not available") is
    # is_available() False printed by the program's own mixed-precision code: CUDA was asked for.
    asked = asked or any(s.id == "torch_autocast_cuda_unavailable" for s in ctx.stated)
    wanted = (bool(said) or asked or requested or (avail.ok and avail.value is False)
              or (count.ok and count.value == 0) or (tv.cpu_source is not None and tv.cpu_source.stated))
    if not (has_gpu or (has_gpu is None and (wanted or driver))):
        return
    evidence = [(tv.version.source, tv.version)] if tv.version else []
    if pypi_windows is not None:
        yield make("torch_cpu_only_build",
                   f"This is PyPI's torch {pypi_windows.value} on Windows, which is built without CUDA (the CUDA "
                   "wheels come from download.pytorch.org, named +cuXXX since 2.0), so it cannot use the NVIDIA GPU."
                   + advised(ctx), [(pypi_windows.source, pypi_windows.value), ("host.os_id", "windows")],
                   confidence=Confidence.LIKELY)
        return
    if tv.cpu_source is not None and (not tv.version or tv.cpu_source.source != tv.version.source):
        evidence.append((tv.cpu_source.source, tv.cpu_source))
    evidence += [quote(s) for s in said[:1]]
    yield make("torch_cpu_only_build",
               "This PyTorch is a CPU-only build (no CUDA), so it cannot use the NVIDIA GPU in this machine."
               + advised(ctx), evidence, confidence=Confidence.CONFIRMED if said else None)


# This module's rules, in report order; ``registry.RULES`` joins every module's tuple.
RULES = (
    driver_too_old_for_torch_cuda,
    gpu_arch_vs_torch_build,
    torch_cpu_only_build,
)
