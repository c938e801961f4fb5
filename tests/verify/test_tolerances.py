"""Tolerances follow from the unit roundoffs; TF32 rounding; the results records (no torch)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from envcheck.verify.results import CaseResult, Skipped, VerifyResult
from envcheck.verify.suite import round_to_tf32
from envcheck.verify.tolerances import DTYPES, K_MAX, ROUNDINGS, SAFETY, tolerance


def test_unit_roundoffs_are_the_formats_significands():
    assert DTYPES["fp32"].unit_roundoff == 2.0 ** -24
    assert DTYPES["tf32"].unit_roundoff == DTYPES["fp16"].unit_roundoff == 2.0 ** -11
    assert DTYPES["bf16"].unit_roundoff == 2.0 ** -8


def test_tolerances_match_their_derivation():
    # accumulation-bound (fp32) and rounding-bound (the 16-bit-ish types)
    assert tolerance("conv2d", "fp32") == pytest.approx(SAFETY * 2.0 ** -24 * math.sqrt(K_MAX))
    for dtype in ("tf32", "bf16", "fp16"):
        assert tolerance("conv2d", dtype) == ROUNDINGS * DTYPES[dtype].unit_roundoff
    # the order of magnitude the issue asks for: fp32 ~1e-5, tf32 ~1e-3, bf16 ~1e-2, fp16 ~2e-3
    assert 1e-5 <= tolerance("conv2d", "fp32") < 2e-5
    assert 1e-3 <= tolerance("conv2d", "tf32") < 3e-3
    assert 1e-2 <= tolerance("conv2d", "bf16") < 2e-2
    assert 1e-3 <= tolerance("conv2d", "fp16") < 3e-3
    assert tolerance("conv2d", "fp64") < 1e-13


def test_max_pooling_must_be_exact():
    assert all(tolerance("max_pool2d", d) == 0.0 for d in DTYPES)


def test_tf32_rounding_is_to_nearest_even_on_ten_mantissa_bits():
    one_ulp = 2.0 ** -10
    values = np.array([1 + one_ulp / 2,             # tie, 1.0 is even -> down
                       1 + 1.5 * one_ulp,           # tie, 1 + 2 ulp is even -> up
                       1 + one_ulp / 2 + 2 ** -20,  # just over half -> up
                       -(1 + 1.5 * one_ulp),        # sign does not matter
                       3.0, 1 + one_ulp])           # already TF32 values stay
    expected = [1.0, 1 + 2 * one_ulp, 1 + one_ulp, -(1 + 2 * one_ulp), 3.0, 1 + one_ulp]
    out = round_to_tf32(values)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.astype(np.float64), expected)
    assert (out.view(np.uint32) & np.uint32(0x1FFF) == 0).all()  # the 13 dropped bits are zero


def _case(op, rel, passed, reason=None, dtype="fp32"):
    return CaseResult(op, {"origin": f"{op}-{rel}"}, dtype, "cpu", rel, 1e-5, passed, reason)


def _result(*cases, skipped=()):
    return VerifyResult(tuple(cases), tuple(skipped), ("cpu",), ("fp32",), len(cases), 0, False, "2.13.0", 0.1)


def test_verdict_and_worst_case_per_op():
    r = _result(_case("conv2d", 1e-7, True), _case("conv2d", 3e-7, True), _case("max_pool2d", 0.0, True))
    assert r.passed and r.checked == 3 and r.max_rel_err == 3e-7
    assert [(w.op, w.checks, w.worst.rel_err) for w in r.worst()] == [("conv2d", 2, 3e-7), ("max_pool2d", 1, 0.0)]


def test_an_unusable_output_is_the_worst_and_fails_the_run():
    nan = _case("conv2d", None, False, "4 of 4 values NaN/Inf")
    r = _result(_case("conv2d", 5e-6, True), nan)
    assert not r.passed and r.failures == (nan,)
    assert r.worst()[0].worst is nan and r.worst()[0].failed == 1
    assert r.max_rel_err == math.inf


def test_skips_are_neither_passes_nor_failures():
    r = _result(_case("avg_pool2d", None, None, "skipped: no kernel"),
                skipped=(Skipped("cpu", "tf32", "no tensor cores"),))
    assert r.checked == 0 and not r.failures
    assert not r.passed  # nothing checked proves nothing
    assert r.worst() == [] and r.max_rel_err is None
