"""Ctrl-C and SIGTERM to ``envcheck bench``: a valid partial result and
exit 130/143 — the finished epochs' figures, or a document saying it stopped before any."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.torch
REPO = Path(__file__).resolve().parents[2]


def _bench_until(marker: str, sig: int, *args: str):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen([sys.executable, "-m", "envcheck", "bench", "--synthetic", "--device", "cpu", "--json",
                             *args], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen: list = []
    reached = threading.Event()

    def watch():
        for line in proc.stderr:
            seen.append(line)
            if marker in line:
                reached.set()
        reached.set()

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        assert reached.wait(300) and proc.poll() is None, "".join(seen)
        proc.send_signal(sig)
        stdout, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    watcher.join(10)
    return proc.returncode, stdout, "".join(seen)


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_interrupted_after_an_epoch_keeps_the_finished_epochs(sig, code):
    returncode, stdout, stderr = _bench_until("fast path epoch 1/", sig, "--model", "mlp", "--epochs", "10",
                                              "--threads", "1")
    assert returncode == code, stderr
    doc = json.loads(stdout)
    assert doc["interrupted_by"] == signal.Signals(sig).name and doc["passed"] is None
    assert 1 <= len(doc["epoch_seconds"]) < 10 and doc["train_images_per_s"] > 0
    assert doc["gate"]["why_not_judged"].startswith(f"interrupted by {signal.Signals(sig).name} after ")


def test_interrupted_before_the_first_epoch_is_still_a_document():
    returncode, stdout, stderr = _bench_until("envcheck bench: mlp on SYNTHETIC", signal.SIGTERM,
                                              "--model", "mlp", "--threads", "1")
    assert returncode == 143, stderr
    doc = json.loads(stdout)
    assert doc["kind"] == "envcheck.bench" and doc["interrupted_by"] == "SIGTERM" and doc["passed"] is None
    assert doc["detail"] in ("interrupted before the fast-path loop finished its first epoch",
                             "interrupted before training started")  # the signal may land just before the loop
