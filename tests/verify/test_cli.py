"""``envcheck verify`` through click's CliRunner: output, JSON keys, exit codes."""

from __future__ import annotations

import functools
import json

import pytest
from click.testing import CliRunner

from envcheck.cli import cli

pytestmark = [pytest.mark.torch, pytest.mark.usefixtures("torch_one_thread")]

TOP_KEYS = ["schema_version", "tool", "kind", "envcheck_version", "created_at", "passed", "torch_version", "devices", "dtypes", "seed", "quick", "case_count", "check_count",
            "failed_count", "seconds", "skipped", "worst", "cases"]
CASE_KEYS = ["op", "params", "dtype", "device", "rel_err", "tol", "passed", "reason"]
WORST_KEYS = ["device", "dtype", "op", "checks", "failed", "rel_err", "tol", "params"]


def invoke(*args):
    return CliRunner().invoke(cli, ["verify", *args])


def test_json_document_has_exactly_the_documented_keys():
    r = invoke("--device", "cpu", "--quick", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert list(doc) == TOP_KEYS
    assert doc["passed"] is True and doc["devices"] == ["cpu"] and doc["dtypes"] == ["fp32"]
    assert doc["quick"] is True and doc["seed"] == 0 and doc["failed_count"] == 0
    assert doc["check_count"] == len(doc["cases"]) > doc["case_count"] > 0
    assert all(list(c) == CASE_KEYS for c in doc["cases"])
    assert all(list(w) == WORST_KEYS for w in doc["worst"])
    first = doc["cases"][0]
    assert first["op"] == "conv2d" and first["device"] == "cpu" and first["dtype"] == "fp32"
    assert first["passed"] is True and first["reason"] is None and 0 <= first["rel_err"] <= first["tol"]
    assert first["params"]["input"] == [2, 8, 10, 9] and first["params"]["kernel"] == 3


def test_text_report_lists_worst_case_per_op_and_the_verdict():
    r = invoke("--device", "cpu", "--quick")
    assert r.exit_code == 0, r.output
    for op in ("conv2d", "conv2d_grad_input", "conv2d_grad_weight", "conv2d_grad_bias", "conv_transpose2d",
               "max_pool2d", "avg_pool2d"):
        assert f"  {op} " in r.stdout
    assert r.stdout.rstrip().splitlines()[-1].startswith("PASS: ")


def test_all_dtypes_on_cpu_skip_tf32_with_its_reason():
    r = invoke("--device", "cpu", "--quick", "--dtype", "all", "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["dtypes"] == ["fp32", "tf32", "bf16", "fp16"]
    assert [(s["device"], s["dtype"]) for s in doc["skipped"]] == [("cpu", "tf32")]
    assert {c["dtype"] for c in doc["cases"]} == {"fp32", "bf16", "fp16"}


def test_device_all_here_is_the_cpu():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA devices")
    r = invoke("--quick", "--json")  # --device all is the default
    assert r.exit_code == 0 and json.loads(r.stdout)["devices"] == ["cpu"]


def test_missing_cuda_device_is_exit_4_with_one_line():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    r = invoke("--device", "cuda:0")
    assert r.exit_code == 4
    assert r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("envcheck: error: --device cuda:0: torch ") and "sees no CUDA device" in lines[0]


def test_bad_device_spelling_is_a_usage_error():
    r = invoke("--device", "gpu0")
    assert r.exit_code == 2
    assert r.stderr.strip().startswith("envcheck: error: --device gpu0: 'gpu0' is not a device (use all (every GPU)")


def test_bad_dtype_is_a_usage_error():
    r = invoke("--dtype", "int8")
    assert r.exit_code == 2 and "int8" in r.stderr


def test_nothing_applicable_is_exit_4():
    r = invoke("--device", "cpu", "--dtype", "tf32")
    assert r.exit_code == 4
    assert r.stderr.startswith("envcheck: error: nothing to check (tf32 on cpu: TF32 is a tensor-core mode")


def test_a_failing_check_is_exit_1(monkeypatch):
    import envcheck.verify
    from envcheck.verify import TorchOps

    class Flipped(TorchOps):
        def conv2d(self, x, w, *args, **kwargs):
            return super().conv2d(x, w.flip(-2, -1), *args, **kwargs)

    monkeypatch.setattr(envcheck.verify, "run", functools.partial(envcheck.verify.run, ops=Flipped()))
    r = invoke("--device", "cpu", "--quick", "--json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    assert doc["passed"] is False and doc["failed_count"] == 3
    assert {c["op"] for c in doc["cases"] if c["passed"] is False} == {"conv2d"}
    text = invoke("--device", "cpu", "--quick")
    assert text.exit_code == 1 and "FAIL: 3 of" in text.stdout and "Failed checks (3):" in text.stdout


def test_no_torch_is_exit_4(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    r = invoke("--device", "cpu")
    assert r.exit_code == 4 and r.stderr.startswith("envcheck: error: envcheck verify needs torch")


def test_no_numpy_is_the_install_hint_not_an_internal_error(monkeypatch):
    # "internal error: No module named 'numpy'" without the bench extra.
    import sys

    monkeypatch.setitem(sys.modules, "numpy", None)
    r = invoke("--device", "cpu", "--quick")
    assert r.exit_code == 4, r.stderr
    assert r.stderr.strip() == ("envcheck: error: envcheck verify needs numpy: pip install 'envcheck[bench]' "
                                "(`envcheck advise` says which torch build fits this machine)")


def test_json_on_error_prints_the_error_document(monkeypatch):
    # `verify --json` printed nothing on error.
    r = invoke("--device", "cpu", "--dtype", "tf32", "--json")
    assert r.exit_code == 4
    doc = json.loads(r.stdout)
    assert (doc["kind"], doc["passed"], doc["exit_code"]) == ("envcheck.verify", None, 4)
    assert doc["error"].startswith("nothing to check") and r.stderr.startswith("envcheck: error: nothing to check")
    r = invoke("--device", "cuda:7", "--json")
    assert r.exit_code == 4 and json.loads(r.stdout)["exit_code"] == 4
