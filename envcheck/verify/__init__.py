"""``envcheck verify``: torch's convolution and pooling on this device, checked against
an independent float64 reference built from the textbook definitions.

Public API::

    run(device="cpu", dtypes=("fp32",), *, seed=0, quick=False, ops=None, cases=None) -> VerifyResult
    quick(device, dtypes=("fp32",), *, seed=0, ops=None) -> VerifyResult   # the fast subset

``VerifyResult.passed`` is the verdict; ``.worst()`` the worst check per operation,
dtype and device; ``render.to_document`` / ``render.render_text`` present it. Both
entry points import torch (and raise ``SetupError`` without it or without the device).
Pass ``ops=`` a :class:`TorchOps` subclass to inject a wrong kernel (docs/verify.md).
"""

from .results import CaseResult, Skipped, VerifyResult, Worst
from .suite import quick, run
from .torch_ops import TorchOps

__all__ = ["run", "quick", "VerifyResult", "CaseResult", "Skipped", "Worst", "TorchOps"]
