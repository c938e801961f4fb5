"""Ctrl-C and SIGTERM to a running ``envcheck burn``: a valid partial report, exit 130/143.

The time from the signal to the exit is printed (a figure, not an assertion: this
machine is shared); the 60 s wait only bounds a hang, and the 120 s burn cannot end by
itself first on a loaded machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envcheck.burn import report

REPO = Path(__file__).resolve().parents[2]


def _burning(path: Path) -> bool:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return doc.get("phase") == "burn" and all(d["work"]["load_s"] > 0 for d in doc["devices"])


def _start_burn(report_path: Path) -> subprocess.Popen:
    """A 120 s CPU burn writing its report to ``report_path``: long enough that a loaded
    machine cannot finish it before the test's signal arrives."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-m", "envcheck", "burn", "--device", "cpu", "--duration", "120s",
                             "--report", str(report_path)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.torch
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_leaves_a_valid_partial_report(tmp_path, sig, code):
    out = tmp_path / "burn.json"
    proc = _start_burn(out)
    try:
        deadline = time.monotonic() + 120
        while not _burning(out):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the burn never started"
            time.sleep(0.2)
        sent = time.monotonic()
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    print(f"{signal.Signals(sig).name}: exited {proc.returncode} after {took:.2f} s")
    assert proc.returncode == code, stderr
    doc = json.loads(out.read_text())
    assert report.validate(doc) == []
    assert (doc["status"], doc["exit_code"], doc["interrupted_by"]) == ("aborted", code, signal.Signals(sig).name)
    assert doc["load_window_s"][1] - doc["load_window_s"][0] < 60  # stopped by the signal, not the 120 s
    assert doc["devices"][0]["worker"]["state"] == "done"
    assert stdout.startswith("envcheck burn: ABORTED")


_ORPHAN_PARENT = """
import multiprocessing as mp, sys, time
from envcheck.burn.worker import WorkerConfig, main
if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    q, go, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    cfg = WorkerConfig("cpu", 600.0, correctness_n=32)
    p = ctx.Process(target=main, args=(cfg, q, go, stop), daemon=True)
    p.start()
    while q.get(timeout=120)[1] != "ready":
        pass
    go.set()
    print(p.pid, flush=True)
    time.sleep(600)
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited (PID 1 in a container may never reap it)


@pytest.mark.torch
def test_a_worker_whose_parent_is_killed_stops_burning(tmp_path):
    """SIGKILL (or the OOM killer) takes the parent without a word: nobody sets ``stop``,
    and the worker must not keep the device at full load forever."""
    script = tmp_path / "parent.py"
    script.write_text(_ORPHAN_PARENT)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    parent = subprocess.Popen([sys.executable, str(script)], cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        worker_pid = int(parent.stdout.readline())
        assert _running(worker_pid)
        parent.kill()
        parent.wait(10)
        killed = time.monotonic()
        while _running(worker_pid) and time.monotonic() - killed < 60:
            time.sleep(0.1)
        print(f"orphaned worker stopped {time.monotonic() - killed:.2f} s after its parent was killed")
        assert not _running(worker_pid)
    finally:
        if parent.poll() is None:
            parent.kill()
        if "worker_pid" in locals() and _running(worker_pid):
            os.kill(worker_pid, signal.SIGKILL)


@pytest.mark.torch
@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_set_up_still_leaves_a_report(tmp_path, sig, code):
    # Interrupted in its first seconds (importing torch), burn left nothing.
    out = tmp_path / "burn.json"
    proc = _start_burn(out)
    try:
        deadline = time.monotonic() + 60
        while not out.exists():  # the set-up report, written before torch is imported
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "no report at the start"
            time.sleep(0.02)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    doc = json.loads(out.read_text())
    assert report.validate(doc) == [] and (doc["status"], doc["exit_code"]) == ("aborted", code)
    assert doc["interrupted_by"] == signal.Signals(sig).name and doc["phase"] == "setup"
    assert stdout.startswith("envcheck burn: ABORTED")
