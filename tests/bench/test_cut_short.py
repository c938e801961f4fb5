"""A loop cut by Ctrl-C or SIGTERM: after an epoch its gate is not judged; before the first
there are no figures at all, only which signal and where (the CLI's signal tests hit the
second only when the signal lands inside the loop, so it is pinned here)."""

from __future__ import annotations

import signal

import pytest

pytest.importorskip("torch")

from envcheck.bench.results import EpochRecord, Gate  # noqa: E402
from envcheck.bench.run import Interrupted, _cut_short  # noqa: E402

GATE = Gate("synthetic", 0.5, 0.8)


def test_a_signal_before_the_first_epoch_is_interrupted_with_its_stage():
    with pytest.raises(Interrupted) as info:
        _cut_short([], signal.SIGTERM, 10, GATE, "fast-path")
    assert (info.value.signum, info.value.stage) == (signal.SIGTERM, "before the fast-path loop finished its first epoch")
    assert str(info.value) == "interrupted by SIGTERM before the fast-path loop finished its first epoch"


def test_a_signal_after_epochs_keeps_them_unjudged():
    rec = EpochRecord(1, 2.0, 0.5, 0.8, 0.6, 0.79, 0.1)
    gate = _cut_short([rec], signal.SIGINT, 10, GATE, "fast-path")
    assert gate.judged is False and gate.why_not_judged == "interrupted by SIGINT after 1 of 10 epochs"
    assert _cut_short([rec], None, 10, GATE, "fast-path") == GATE
