"""A Linux NVIDIA driver installed inside WSL 2 (``derived/wsl_linux_driver.py``).

Under WSL 2 the GPU is reached through the Windows driver, mapped into /usr/lib/wsl/lib; a Linux
driver package installed in the distribution brings a libcuda.so.1 of its own into
/usr/lib/x86_64-linux-gnu, found first, which talks to a /dev/nvidiactl WSL never has: CUDA fails,
nvidia-smi may fail with it ("couldn't communicate with the NVIDIA driver"). The CUDA on WSL User
Guide says to install no Linux display driver there
(https://docs.nvidia.com/cuda/wsl-user-guide/index.html). driver_installed_inside_container: the
distribution is the container the foreign driver went into; likely where a person says it,
confirmed where a tool shows it.

Silent where the text does not put the Linux under WSL (``host.wsl``), under WSL 1 (no GPU at all:
wsl1_no_gpu_support), and where nothing fails (CUDA available, or nvidia-smi up with no error).
"""

from __future__ import annotations

from typing import Iterator

from envcheck.derived.wsl_linux_driver import linux_driver_in_wsl
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding


def linux_driver_in_wsl2(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    got = linux_driver_in_wsl(f)
    w = f.host.wsl
    if got is None or not (w.ok and w.value in ("wsl", "wsl2")):
        return
    cuda = f.torch.cuda_available
    if cuda.ok and cuda.value is True:
        return  # CUDA works: whatever the package left, it shadows nothing CUDA uses
    failed = (cuda.ok and cuda.value is False) or f.nvml.init_error not in (None, "") or any(
        s.message.kind == "error" for s in ctx.stated)
    if not failed:
        return
    how, what, quote = got
    yield make("driver_installed_inside_container",
               f"A Linux NVIDIA driver ({what}) is installed inside this WSL distribution. Under WSL 2 the driver is "
               "Windows': its libcuda and nvidia-smi are mapped into /usr/lib/wsl/lib, and a Linux driver's own "
               "libcuda.so.1 in /usr/lib/x86_64-linux-gnu shadows them and reaches no GPU. Remove the Linux driver "
               "packages from the distribution (keep only the Windows driver; install a CUDA toolkit from the "
               "WSL-Ubuntu repository, or cuda-toolkit-X-Y, which brings no driver).",
               [("host.wsl", w), (f"wsl.linux_driver ({how})", quote)],
               confidence=Confidence.CONFIRMED if how == "shown" else Confidence.LIKELY)


RULES = (linux_driver_in_wsl2,)
