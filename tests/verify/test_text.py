"""The text and JSON renderings of a fixed result, compared exactly (no torch)."""

from __future__ import annotations

import json

from envcheck import __version__
from envcheck.verify.results import CaseResult, Skipped, VerifyResult
from envcheck.verify.text import render_text, to_document

TOL32 = 1.1444091796875e-05
SEED = {"input": [1, 1, 3, 3], "kernel": 2, "origin": "seed: 3x3"}
PAIRS = {"input": [2, 8, 5, 5], "kernel": [3, 5], "stride": 2, "origin": "pairs #4"}


def _result(cases):
    return VerifyResult(tuple(cases), (Skipped("cpu", "tf32", "TF32 is a tensor-core mode"),), ("cpu",),
                        ("fp32", "tf32", "fp16"), 2, 0, False, "2.13.0+cpu", 1.25)


FAILING = _result([
    CaseResult("conv2d", SEED, "fp32", "cpu", 1.5e-7, TOL32, True),
    CaseResult("conv2d", PAIRS, "fp32", "cpu", 0.42, TOL32, False, "relative error 0.42 > tolerance 1.14e-05"),
    CaseResult("max_pool2d", SEED, "fp32", "cpu", None, 0.0, False, "4 of 4 values NaN/Inf (left unwritten)"),
    CaseResult("avg_pool2d", SEED, "fp16", "cpu", None, 0.001953125, None, "torch has no fp16 kernel on cpu (x)"),
])

FAILING_TEXT = """\
envcheck verify — torch 2.13.0+cpu, seed 0, sweep (seed examples + all-pairs design): 2 cases, 3 checks in 1.2 s

device  dtype  op          checks  worst rel err  tolerance  result    worst case
cpu     fp32   conv2d      2       4.20e-01       1.14e-05   FAIL (1)  input=[2, 8, 5, 5] kernel=[3, 5] stride=2 [pairs #4]
cpu     fp32   max_pool2d  1       —              0          FAIL (1)  input=[1, 1, 3, 3] kernel=2 [seed: 3x3]
skipped: cpu tf32 — TF32 is a tensor-core mode
skipped: 1 check avg_pool2d fp16 on cpu: torch has no fp16 kernel on cpu (x)

Failed checks (2):
  cpu fp32 conv2d: relative error 0.42 > tolerance 1.14e-05
      input=[2, 8, 5, 5] kernel=[3, 5] stride=2 [pairs #4]
  cpu fp32 max_pool2d: 4 of 4 values NaN/Inf (left unwritten)
      input=[1, 1, 3, 3] kernel=2 [seed: 3x3]

FAIL: 2 of 3 checks disagree with the float64 reference
"""


def test_failing_text_exactly():
    assert render_text(FAILING) == FAILING_TEXT


def test_passing_text_ends_with_pass():
    ok = _result([CaseResult("conv2d", SEED, "fp32", "cpu", 1.5e-7, TOL32, True)])
    assert render_text(ok).splitlines()[-1] == "PASS: 1 check within tolerance of the float64 reference"


def test_json_exactly(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795424400")
    doc = to_document(FAILING)
    assert json.loads(json.dumps(doc)) == {
        "schema_version": 1, "tool": "envcheck", "kind": "envcheck.verify", "envcheck_version": __version__,
        "created_at": "2026-11-23T09:00:00+00:00",
        "passed": False, "torch_version": "2.13.0+cpu", "devices": ["cpu"], "dtypes": ["fp32", "tf32", "fp16"],
        "seed": 0, "quick": False, "case_count": 2, "check_count": 3, "failed_count": 2, "seconds": 1.25,
        "skipped": [{"device": "cpu", "dtype": "tf32", "reason": "TF32 is a tensor-core mode"}],
        "worst": [
            {"device": "cpu", "dtype": "fp32", "op": "conv2d", "checks": 2, "failed": 1, "rel_err": 0.42,
             "tol": TOL32, "params": PAIRS},
            {"device": "cpu", "dtype": "fp32", "op": "max_pool2d", "checks": 1, "failed": 1, "rel_err": None,
             "tol": 0.0, "params": SEED},
        ],
        "cases": [
            {"op": "conv2d", "params": SEED, "dtype": "fp32", "device": "cpu", "rel_err": 1.5e-7, "tol": TOL32,
             "passed": True, "reason": None},
            {"op": "conv2d", "params": PAIRS, "dtype": "fp32", "device": "cpu", "rel_err": 0.42, "tol": TOL32,
             "passed": False, "reason": "relative error 0.42 > tolerance 1.14e-05"},
            {"op": "max_pool2d", "params": SEED, "dtype": "fp32", "device": "cpu", "rel_err": None, "tol": 0.0,
             "passed": False, "reason": "4 of 4 values NaN/Inf (left unwritten)"},
            {"op": "avg_pool2d", "params": SEED, "dtype": "fp16", "device": "cpu", "rel_err": None,
             "tol": 0.001953125, "passed": None, "reason": "torch has no fp16 kernel on cpu (x)"},
        ],
    }
    assert json.dumps(doc, allow_nan=False)  # strict JSON: no NaN or Infinity anywhere
