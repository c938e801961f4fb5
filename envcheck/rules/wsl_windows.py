"""WSL 2 on a Windows build that cannot give it a GPU (``windows_too_old_for_wsl_gpu``).

WSL 2 reaches the GPU through GPU paravirtualization: /dev/dxg and the Windows driver's
libraries under /usr/lib/wsl/lib. Windows 10 releases before 21H2 (build 19044: 2004 is
19041, 20H2 19042, 21H1 19043) do not have it, only Insider builds from 20145 (June 2020)
and Windows 11 (22000 and up) do; on such a build nvidia-smi, libcuda and the container
toolkit find nothing in WSL 2, whatever is installed in Linux. Sources: NVIDIA's CUDA on
WSL User Guide (https://docs.nvidia.com/cuda/wsl-user-guide/index.html: Windows 11 or
Windows 10 21H2 and later), Microsoft Learn "Enable NVIDIA CUDA on WSL 2"
(https://learn.microsoft.com/en-us/windows/ai/directml/gpu-cuda-in-wsl), and NVIDIA's
diagnosis in NVIDIA/nvidia-docker#1542.

The build comes from Windows' own version banner in the text (cmd's ``ver``, PowerShell's
OSVersion: messages.toml ``windows_ver_banner``), never from a person's words. A text
showing a supported build too (an update, another machine) says nothing about which one ran; nor
does an old banner beside a GPU that nvidia-smi lists or torch reaches, with nothing failing.
WSL 1 is ``wsl1_no_gpu_support`` (rules/hosting.py), not this.
"""

from __future__ import annotations

from typing import Iterator, Optional

from envcheck.derived.messages import is_stated
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity

# The first Windows release build with GPU support in WSL 2 (Windows 10 21H2); Insider
# builds from 20145 and Windows 11's are all above it.
FIRST_GPU_BUILD = 19044


# The oldest Windows 10 release that runs WSL 2 at all: 1903 (build 18362), by the August 2020
# backport (KB4566116; Microsoft's "WSL 2 Support is coming to Windows 10 Versions 1903 and 1909",
# devblogs.microsoft.com/commandline). Below it the only WSL is WSL 1.
FIRST_WSL2_BUILD = 18362


def old_windows_build(ctx: RuleContext) -> Optional[int]:
    """The Windows build of the text's version banner(s) when it is older than the first with GPU
    support in WSL 2; None when no banner is shown or one shows a supported build."""
    builds = {int(b) for s in ctx.stated if s.id == "windows_ver_banner" and (b := s.fact("detail"))}
    return max(builds) if builds and max(builds) < FIRST_GPU_BUILD else None


def wsl2_without_gpu_build(ctx: RuleContext) -> Optional[int]:
    """The banner's build when it runs WSL 2 but gives it no GPU (18362 to 19043): there the build,
    not the WSL version, explains a Linux that reaches no driver. None otherwise (below 18362 the
    WSL can only be WSL 1)."""
    build = old_windows_build(ctx)
    return build if build is not None and build >= FIRST_WSL2_BUILD else None


def windows_too_old_for_wsl_gpu(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    wsl = f.host.wsl
    if not wsl.ok or wsl.value not in ("wsl2", "wsl"):
        return
    build = old_windows_build(ctx)
    if build is None:
        return
    errors = [s for s in ctx.stated if s.message.kind == "error"]
    cuda = f.torch.cuda_available
    failed = bool(errors) or (cuda.ok and cuda.value is False) or (f.nvml.init.known and not f.nvml.init.ok)
    if not failed and (f.gpus or (cuda.ok and cuda.value is True and not is_stated(cuda))):
        # nvidia-smi's table lists a GPU, or torch reached CUDA, and nothing failed: the banner is
        # another machine's or from before an update. (Windows' own nvidia-smi listing the GPU
        # while WSL's fails is a failure, and stays.)
        return
    # A GPU failure under a WSL 2 the text names is this build's doing; a bare banner beside
    # "WSL" (version unsaid, or nothing failing in the text) is a warning: the GPU cannot work there.
    severe = failed and wsl.value == "wsl2"
    ev = [("Windows build", f"10.0.{build} (Windows' version banner)"), ("host.wsl", wsl)] + [quote(s) for s in errors[:1]]
    yield make("windows_too_old_for_wsl_gpu",
               f"Windows build {build} is older than Windows 10 21H2 (build {FIRST_GPU_BUILD}), the first release "
               "with GPU support in WSL 2: on it no Linux program under WSL 2 sees the GPU (no /dev/dxg, no libcuda "
               "from /usr/lib/wsl/lib), whatever driver or toolkit is installed in Linux. Update Windows (Windows 10 "
               "21H2 or later, or Windows 11), then the Windows NVIDIA driver.",
               ev, severity=None if severe else Severity.WARNING, confidence=Confidence.LIKELY)


RULES = (windows_too_old_for_wsl_gpu,)
