"""A failure the message catalogue does not know still keeps a paste from "no problems":
Python's exception line, a process killed by a signal, a C++ exception leaving main."""

from __future__ import annotations

from pathlib import Path

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import failures

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "explain"
HEALTHY = (FIXTURES / "collect_env_2x_multi_gpu.txt").read_text()


def lines(text: str):
    return [item.value for item in failures.parse(source.normalise(text)).items]


@pytest.mark.parametrize("line", [
    "ValueError: too many values to unpack (expected 2)",
    "  E   AssertionError: expected 3, got 4",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "subprocess.CalledProcessError: Command '['nvcc', '--version']' returned non-zero exit status 1.",
    "Segmentation fault (core dumped)",
    "Illegal instruction",
    "./train.sh: line 12: 40211 Aborted                 (core dumped) python train.py",
    "terminate called after throwing an instance of 'c10::Error'",
])
def test_a_failure_line_is_recorded_as_it_was_printed(line):
    assert lines(f"some output\n{line}\nmore output\n") == [line.strip()]


@pytest.mark.parametrize("line", [
    "I hit a RuntimeError: the model diverged",  # a sentence about an error: the prose readers weigh it
    "Aborted the download and tried again",
    "UserWarning: TypedStorage is deprecated",
    "Note: the error went away after a reboot",
    "ERROR: pip's dependency resolver does not currently take into account",
])
def test_words_that_only_look_like_a_failure_are_not_one(line):
    assert lines(line) == []


def test_a_working_machine_with_an_unknown_error_is_unexplained_not_ok():
    _, healthy = diagnose(source.normalise(HEALTHY))
    assert healthy.verdict == "ok"
    _, report = diagnose(source.normalise(HEALTHY + "\nTraceback (most recent call last):\n"
                                          '  File "train.py", line 3, in <module>\n'
                                          "KeyError: 'model_state'\n"))
    assert report.verdict == "unexplained"
    assert [u.text for u in report.judgement.unexplained] == ["KeyError: 'model_state'"]
    assert not [f for f in report.findings if f.severity.value == "error"]  # quoted, never a guessed error
