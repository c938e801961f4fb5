"""A stage that cannot start is an ERROR stage with the one-line reason, and SIGTERM stops
validate the way Ctrl-C does (scancel and `kubectl delete` send SIGTERM; Ctrl-C: test_cli.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest

from envcheck.validate.document import check
from envcheck.validate.levels import LEVELS
from envcheck.validate.stages import StageContext, verify
from envcheck.validate.verdicts import Verdict

pytest.importorskip("torch")


def test_a_device_torch_cannot_see_is_a_cannot_run_error_stage():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a CUDA device")
    ctx = StageContext(level=LEVELS["quick"], devices=("cuda:0",), burn_s=1.0, bench_model="softmax")
    result = verify(ctx, lambda fraction, note: None)
    assert result.verdict is Verdict.ERROR and result.cannot_run
    assert result.summary.startswith("cannot run: --device cuda:0") and result.devices == ("cuda:0",)
    assert "\n" not in result.reason


@pytest.mark.torch
def test_sigterm_ends_validate_with_143_and_a_valid_partial_report(tmp_path):
    report = tmp_path / "r.json"
    proc = subprocess.Popen([sys.executable, "-m", "envcheck", "validate", "--device", "cpu", "--burn", "5m",
                             "--synthetic", "--bench-model", "softmax", "--threads", "1", "--report", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not (report.exists() and '"name":"doctor"' in report.read_text()):
        time.sleep(0.3)  # the report is rewritten after each stage: the doctor has finished
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 143, err[-2000:]
    doc = json.loads(report.read_text())
    assert check(doc) == [] and doc["status"] == "interrupted" and doc["interrupted_by"] == "SIGTERM"
