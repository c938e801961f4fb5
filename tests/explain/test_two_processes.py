"""The readers of a large paste run in two processes (explain/two_processes.py): the same
findings as one process, whatever happens to the child."""

import json
import os
import re
from pathlib import Path

import pytest

from envcheck.explain import diagnose, two_processes
from envcheck.explain.partial import Found
from envcheck.explain.source import normalise
from envcheck.report import render

CASES = sorted((Path(__file__).resolve().parents[1] / "corpus" / "diagnosis" / "cases").glob("*.json"))

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or two_processes._cores() < 2,
                                reason="needs os.fork and two cores")


def _report(text: str, split_at: int, monkeypatch) -> str:
    monkeypatch.setattr(two_processes, "SPLIT_AT", split_at)
    _, report = diagnose(normalise(text), collected_at="2026-01-01T00:00:00+00:00")
    return re.sub(r'"created_at": "[^"]*"', "", render(report, "json"))


@pytest.mark.parametrize("path", CASES[::25], ids=lambda p: p.stem)
def test_two_processes_give_the_one_process_report(path, monkeypatch):
    text = json.loads(path.read_text(encoding="utf-8"))["text"]
    assert _report(text, 0, monkeypatch) == _report(text, 1 << 62, monkeypatch)


def test_a_long_repeating_log_gives_the_same_report(monkeypatch):
    # Over SPLIT_AT as the module has it: the path a user's 4 MiB paste takes.
    texts = [json.loads(p.read_text(encoding="utf-8"))["text"] for p in CASES[:60]]
    text = "\n\n".join(texts)
    text = text * (two_processes.SPLIT_AT // len(text) + 1)
    assert len(text) >= two_processes.SPLIT_AT
    assert _report(text, two_processes.SPLIT_AT, monkeypatch) == _report(text, 1 << 62, monkeypatch)


def _doc():
    return normalise("RuntimeError: No CUDA GPUs are available\n" * 10)


def _readers(extra):
    return [lambda doc, i=i: Found(f"reader{i}", i) for i in range(6)] + [extra]


def test_a_child_that_dies_leaves_its_readers_to_this_process(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    parent = os.getpid()

    def dies_in_the_child(doc):
        if os.getpid() != parent:
            os._exit(3)
        return Found("ran here", 7)

    # The child may or may not take this reader (both take from one queue): either way, all arrive.
    for _ in range(5):
        found = two_processes.read_all(_doc(), _readers(dies_in_the_child))
        assert [f.source for f in found] == [f"reader{i}" for i in range(6)] + ["ran here"]


def test_a_reader_that_raises_raises_here(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)

    def raises(doc):
        raise ValueError("a reader's bug")

    for _ in range(5):
        with pytest.raises(ValueError, match="a reader's bug"):
            two_processes.read_all(_doc(), _readers(raises))


def test_without_fork_one_process_reads_all(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)

    def refuse():
        raise OSError("fork refused")

    monkeypatch.setattr(os, "fork", refuse)
    found = two_processes.read_all(_doc(), _readers(lambda doc: Found("last", 9)))
    assert [f.source for f in found][-1] == "last" and len(found) == 7


def test_a_small_paste_forks_nothing(monkeypatch):
    def no_fork():
        raise AssertionError("forked for a small paste")

    monkeypatch.setattr(os, "fork", no_fork)
    assert len(two_processes.read_all(_doc(), _readers(lambda doc: Found("last", 9)))) == 7


def test_envcheck_processes_1_asks_for_one_process(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    monkeypatch.setenv("ENVCHECK_PROCESSES", "1")

    def no_fork():
        raise AssertionError("forked though one process was asked for")

    monkeypatch.setattr(os, "fork", no_fork)
    assert len(two_processes.read_all(_doc(), _readers(lambda doc: Found("last", 9)))) == 7
