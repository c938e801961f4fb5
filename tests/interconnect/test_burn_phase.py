"""The burn-in's cross-GPU all-reduce phase, run on CPU processes with gloo."""

from __future__ import annotations

import time

import pytest

from envcheck.interconnect.burn_phase import AllReducePhase, PhaseConfig

pytestmark = pytest.mark.torch


def run_phase(seconds=1.5, **kwargs):
    phase = AllReducePhase(PhaseConfig(("cpu", "cpu"), duration_s=60.0, size_bytes=64 << 10, **kwargs))
    phase.start()
    end = time.monotonic() + 60
    while time.monotonic() < end and phase.poll().iterations < 3 and not phase._hung():
        time.sleep(0.1)
    time.sleep(seconds)
    return phase.stop()


def test_continuous_checked_all_reduce_passes():
    r = run_phase()
    assert r.iterations >= 3 and r.wrong == 0 and not r.hung and r.errors == ()
    assert r.failures() == [] and r.busbw_gb_s > 0


def test_a_wrong_element_fails_the_burn():
    r = run_phase(inject=("wrong", 1))
    assert r.wrong == 1 and r.failures()[0].startswith("cross-GPU all-reduce returned 1 wrong element")


def test_a_stalled_rank_is_a_hang_not_a_wait():
    r = run_phase(seconds=0.0, inject=("stall", 0), deadline_s=2.0)
    assert r.hung and "hung" in r.failures()[0]


def test_only_with_two_gpus_or_more():
    assert AllReducePhase.for_devices(("cpu",), 60) is None
    assert AllReducePhase.for_devices(("cuda:0",), 60) is None
    phase = AllReducePhase.for_devices(("cpu", "cuda:0", "cuda:1"), 60)
    assert phase.cfg.devices == ("cuda:0", "cuda:1") and phase.cfg.backend == "nccl"
