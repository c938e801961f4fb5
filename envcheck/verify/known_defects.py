"""Failed checks that a known torch kernel defect explains (``knowledge/kernel_defects.py``).

Only a check that fails can be excused, and only when the defect's condition accounts
for every wrong value: the rest of the output must be finite and within the dtype's
tolerance once the values the condition names are taken from the reference. Any other
mismatch — in the same op, dtype and device — still fails.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Tuple

import numpy as np

from envcheck.knowledge.kernel_defects import KernelDefect
from envcheck.verify import reference as ref
from envcheck.verify.cases import Case, ConvCase


def _padding_only(size: int, kernel: int, stride: int, pad_before: int, dilation: int, out: int) -> np.ndarray:
    """Per filter tap along one dimension: does it meet only padding at every output position?"""
    taps = np.ones(kernel, dtype=bool)
    for t in range(kernel):
        for o in range(out):
            if 0 <= o * stride + t * dilation - pad_before < size:
                taps[t] = False
                break
    return taps


def padding_only_taps(case: ConvCase) -> np.ndarray:
    """``(kh, kw)`` mask of the filter taps whose weight gradient is exactly zero because
    they never meet the input — as the kernel sees the problem: torch hands an uneven
    ``"same"`` padding to the kernel as an input already padded (``torch_ops``)."""
    (top, bottom), (left, right) = ref.resolve_padding(case.padding, case.kernel, case.dilation)
    height, width = case.height, case.width
    if case.padding == "same" and (top, left) != (bottom, right):
        height, width, top, left = height + top + bottom, width + left + right, 0, 0
    ho, wo = case.output_hw()
    rows = _padding_only(height, case.kernel[0], case.stride[0], top, case.dilation[0], ho)
    cols = _padding_only(width, case.kernel[1], case.stride[1], left, case.dilation[1], wo)
    return rows[:, None] | cols[None, :]


def _padding_only_taps(case: Case, values: np.ndarray, expected: np.ndarray) -> Optional[np.ndarray]:
    """``values`` with the padding-only taps taken from ``expected``; None when there are none."""
    if not isinstance(case, ConvCase) or values.ndim != 4:
        return None
    mask = padding_only_taps(case)
    if not mask.any():
        return None
    return np.where(mask[None, None], expected, values)


CONDITIONS: Dict[str, Callable[[Case, np.ndarray, np.ndarray], Optional[np.ndarray]]] = {
    "padding_only_taps": _padding_only_taps,
}


def explained(defect: KernelDefect, case: Case, values: np.ndarray, expected: np.ndarray,
              relative_error: Callable[[np.ndarray], float], tol: float) -> bool:
    """Does ``defect`` account for every wrong value of this failed check?"""
    repaired = CONDITIONS[defect.condition](case, values, expected)
    if repaired is None or not np.isfinite(repaired).all():
        return False
    return relative_error(repaired) <= tol


def reason(defect: KernelDefect) -> str:
    """The skip's one line: the defect named, where its evidence is."""
    return (f"known torch kernel defect {defect.id} ({defect.library}): {defect.summary} Evidence and upstream "
            f"status: envcheck/knowledge/data/known_kernel_defects.toml")


def first_explaining(defects: Tuple[KernelDefect, ...], op: str, case: Case, values: np.ndarray,
                     expected: np.ndarray, relative_error: Callable[[np.ndarray], float],
                     tol: float) -> Optional[KernelDefect]:
    return next((d for d in defects if d.op == op and explained(d, case, values, expected, relative_error, tol)),
                None)
