"""Under WSL 2 a program could not load the driver's ``libcuda.so`` by that name
(``cuda_library_missing``).

WSL 2 has no Linux driver: the Windows driver's user-space libraries are mounted at
``/usr/lib/wsl/lib`` and listed in ``/etc/ld.so.conf.d/ld.wsl.conf``. ldconfig's cache there
holds ``libcuda.so.1`` only (the files are copies, not symlinks), so a program that
``dlopen``s the unversioned ``libcuda.so`` — cuda-python, Rust's cudarc (candle,
mistral.rs), libfabric, cuDNN 8's sub-libraries — finds nothing unless ``/usr/lib/wsl/lib``
is on ``LD_LIBRARY_PATH``, while torch (which asks for ``libcuda.so.1``) works
(microsoft/WSL#8587, NVIDIA/cuda-python#17, the CUDA on WSL user guide).

Read only when the text says WSL (WSL 1 has no ``/usr/lib/wsl/lib`` at all: the ``wsl1``
rule says that case) and the failing name is the unversioned one; a failing ``libcuda.so.1``,
``nvidia-smi`` failing or NVML without a driver say no driver is reachable, which this is not.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Upstream's words for "could not load libcuda by name" (message catalogue ids); the library
# each names is its ``loader.library`` fact, or the unversioned name for cudarc's panic.
_BY_NAME = ("cuda_python_dlopen_libcuda_failed", "cudarc_cuda_library_not_found", "loader_driver_library_missing",
            "cudnn_could_not_load_library")
# The driver itself absent: nothing a search path can fix.
_NO_DRIVER = ("nvidia_smi_no_driver", "nvml_driver_not_loaded", "torch_no_nvidia_driver")


def _unversioned_libcuda(s) -> bool:
    if s.id == "cudarc_cuda_library_not_found":
        return True
    if s.id == "cudnn_could_not_load_library":
        return "libcuda.so: cannot open" in str(s.fact("detail") or "")
    return str(s.fact("loader.library") or "") == "libcuda.so"


def wsl_libcuda_off_loader_path(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    w = f.host.wsl
    if not w.ok or w.value not in ("wsl", "wsl2"):
        return
    said = next((s for s in ctx.stated if s.id in _BY_NAME and _unversioned_libcuda(s)), None)
    if said is None or any(s.id in _NO_DRIVER for s in ctx.stated) or f.nvml.init_error == "driver_not_loaded":
        return
    yield make("cuda_library_missing",
               "Under WSL 2 the driver's libcuda.so is the Windows driver's, mounted at /usr/lib/wsl/lib, and only "
               "libcuda.so.1 is in the loader's cache there: a program that loads the unversioned libcuda.so finds "
               "nothing. Put the directory on the loader path for it: export "
               "LD_LIBRARY_PATH=/usr/lib/wsl/lib:$LD_LIBRARY_PATH (check `ls /usr/lib/wsl/lib/libcuda*` first; "
               "if the directory is missing the distribution runs under WSL 1, which has no GPU).",
               [("host.wsl", w.value), quote(said)],
               {"cuda_library": "libcuda.so (the WSL driver's, in /usr/lib/wsl/lib)"},
               confidence=Confidence.LIKELY)


RULES = (wsl_libcuda_off_loader_path,)
