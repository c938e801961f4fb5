"""The environment variables that change how the GPU stack behaves — and only those.

Reports are pasted into public issues, so the whole environment is never recorded:
a variable is kept only if its name is on the allow-list below, and even then it is
dropped when its name looks like it holds a secret (``NCCL_..._TOKEN``,
``NVIDIA_API_KEY``) or its value looks like one (an allow-listed ``NVIDIA_VISIBLE_DEVICES``
holding ``nvapi-…`` by mistake). The rules for both are ``envcheck.snapshot``'s, shared with
redaction and ``explain``. ``LD_LIBRARY_PATH`` belongs to the toolkit probe.
"""

from __future__ import annotations

from typing import Dict, Mapping

from envcheck.facts import EnvFacts
from envcheck.reading import Reading
from envcheck.snapshot import SECRET_MARKERS, is_secret_name, is_secret_value

PREFIXES = (
    "CUDA_",  # CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER, CUDA_LAUNCH_BLOCKING, CUDA_INJECTION64_PATH, ...
    "NVIDIA_",  # NVIDIA_VISIBLE_DEVICES, NVIDIA_DRIVER_CAPABILITIES (container toolkit)
    "NCCL_",
    "CUDNN_",
    "CUBLAS_",  # also CUBLASLT_ below: CUBLAS_WORKSPACE_CONFIG, CUBLASLT_LOG_LEVEL
    "CUBLASLT_",
    "TORCH_",
    "PYTORCH_",  # PYTORCH_CUDA_ALLOC_CONF, PYTORCH_NVML_BASED_CUDA_CHECK
    "NSYS_",  # Nsight Systems
)
NAMES = ("LD_PRELOAD", "OMP_NUM_THREADS", "WSL_DISTRO_NAME")  # the distro name goes into `wsl --set-version`
MAX_VALUE_CHARS = 512


def probe(environ: Mapping[str, str]) -> EnvFacts:
    kept: Dict[str, str] = {}
    by_name = by_value = 0
    for name in sorted(environ):
        if not (name in NAMES or name.startswith(PREFIXES)):
            continue
        value = str(environ[name])
        if is_secret_name(name):
            by_name += 1
            continue
        if is_secret_value(value):
            by_value += 1
            continue
        if len(value) > MAX_VALUE_CHARS:
            value = f"{value[:MAX_VALUE_CHARS]}... ({len(value)} characters, truncated)"
        kept[name] = value
    withheld = by_name + by_value
    detail = None
    if withheld:
        why = "names" if not by_value else "values" if not by_name else "names or values"
        detail = f"{withheld} variable(s) withheld: their {why} look like secrets"
    return EnvFacts(Reading.of(kept, detail))


__all__ = ["MAX_VALUE_CHARS", "NAMES", "PREFIXES", "SECRET_MARKERS", "probe"]
