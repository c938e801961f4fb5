"""The readers of a large paste run in two processes (explain/two_processes.py): the same
findings as one process, whatever happens to the child."""

import json
import os
import re
import signal
import time
from pathlib import Path

import pytest

from envcheck.explain import diagnose, two_processes
from envcheck.explain.partial import Found
from envcheck.explain.pasted import Pasted
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


def _slow(i):
    def reader(doc):
        time.sleep(0.05)
        return Found(f"pid {os.getpid()}", i)
    return reader


def test_the_child_delivers_its_part(monkeypatch):
    # Readers slow enough that the child takes some: their results come back from its process.
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    found = two_processes.read_all(_doc(), [_slow(i) for i in range(8)])
    assert [f.rank for f in found] == list(range(8))
    assert {f.source for f in found} - {f"pid {os.getpid()}"}, "every reader ran in this process"


def test_a_signal_in_the_child_ends_it_quietly(monkeypatch):
    # The caller's SIGTERM handler raises (as envcheck's CLI's does): the child must not run it
    # (it would unwind into the caller's code); it dies, and its readers run here.
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    parent = os.getpid()

    def raise_here(signum, frame):
        raise AssertionError("the caller's handler ran")

    def kills_the_child(doc):
        time.sleep(0.05)
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        return Found("ran here", 1)

    old = signal.signal(signal.SIGTERM, raise_here)
    try:
        found = two_processes.read_all(_doc(), [kills_the_child, _slow(2), kills_the_child, _slow(4)])
    finally:
        signal.signal(signal.SIGTERM, old)
    assert [f.source for f in found][0] == "ran here" and [f.rank for f in found] == [1, 2, 1, 4]


def test_two_readers_that_raise_raise_the_first_in_order(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)

    def first(doc):
        time.sleep(0.1)
        raise ValueError("the first reader's bug")

    def second(doc):
        raise KeyError("the second reader's bug")

    for _ in range(3):
        with pytest.raises(ValueError, match="the first reader's bug"):
            two_processes.read_all(_doc(), [first, second, _slow(2), _slow(3)])


def _open_fds():
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def test_a_refused_pipe_leaves_no_descriptor_open(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    real = os.pipe
    calls = []

    def second_refused():
        calls.append(1)
        if len(calls) % 2 == 0:
            raise OSError(24, "Too many open files")
        return real()

    monkeypatch.setattr(os, "pipe", second_refused)
    before = _open_fds()
    for _ in range(5):
        assert len(two_processes.read_all(_doc(), _readers(lambda doc: Found("last", 9)))) == 7
    assert _open_fds() == before


class _Watched(Pasted):
    """A paste that notes whether its catalogued messages were asked for (``enclosed`` asks too)."""

    @property
    def messages(self):
        self._asked.append(True)
        return self._known_messages


def test_message_readers_lists_every_reader_of_the_messages():
    # The parent scans for the messages while the child runs the other readers: a reader that
    # reads them and is not listed makes the child scan too (the same result, a second scan).
    # Each reader gets a paste of its own, with the costly searches shared but nothing another
    # reader worked out from the messages (Pasted.once).
    from envcheck.explain.parsers import PARSERS

    base = normalise("\n\n".join(json.loads(p.read_text(encoding="utf-8"))["text"] for p in CASES))
    known = base.messages
    base.distinct, base.offsets, base.words, base.lower
    shared = {k: v for k, v in base.__dict__.items() if k in ("text", "lower", "offsets", "distinct", "words", "_index")}
    readers_of = set()
    for reader in PARSERS:
        doc = _Watched(base.lines)
        doc.__dict__.update(shared, _asked=[], _known_messages=known)
        reader(doc)
        if doc._asked:
            readers_of.add(reader.__module__.rpartition(".")[2])
    assert readers_of == two_processes.MESSAGE_READERS


def test_meanwhile_runs_here_while_the_child_reads(monkeypatch):
    monkeypatch.setattr(two_processes, "SPLIT_AT", 0)
    calls = []
    found = two_processes.read_all(_doc(), [_slow(i) for i in range(4)], meanwhile=lambda: calls.append(os.getpid()))
    assert calls == [os.getpid()] and [f.rank for f in found] == list(range(4))


def test_a_large_pastes_report_needs_nothing_imported_after_its_readers():
    # The rules, the report and the recipes are made ready during the readers (explain._after_reading).
    import subprocess
    import sys

    code = ("import sys, json, pathlib\n"
            "from envcheck.explain import two_processes as tp, diagnose\n"
            "from envcheck.explain.source import normalise\n"
            "tp.SPLIT_AT = 0\n"
            "orig = tp.read_all\n"
            "seen = {}\n"
            "def ra(doc, readers, meanwhile=None):\n"
            "    out = orig(doc, readers, meanwhile)\n"
            "    seen['after'] = set(sys.modules)\n"
            "    return out\n"
            "tp.read_all = ra\n"
            "_, report = diagnose(normalise('RuntimeError: No CUDA GPUs are available\\n' * 5))\n"
            "from envcheck.report import render\n"
            "render(report, 'text')\n"
            "print(sorted(m for m in set(sys.modules) - seen['after'] if m.startswith('envcheck')))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
