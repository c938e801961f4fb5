"""The store protocol, hang diagnosis and the watchdog — without torch (a dict is the store)."""

from __future__ import annotations

from envcheck.facts import Facts
from envcheck.interconnect.copies import seconds_per_call
from envcheck.interconnect.plan import Plan, Step, steps
from envcheck.interconnect.protocol import StoreIO, assemble, diagnose
from envcheck.interconnect.records import CollectiveRow, RankInfo
from envcheck.interconnect.watchdog import Watchdog


class DictStore:
    """The three TCPStore calls the protocol uses."""

    def __init__(self):
        self.data = {}

    def set(self, key, value):
        self.data[key] = value.encode() if isinstance(value, str) else value

    def get(self, key):
        return self.data[key]

    def check(self, keys):
        return all(k in self.data for k in keys)


PLAN = Plan("gloo", ("all_reduce",), (8, 16))
STEPS = steps(PLAN, 4)


def test_records_round_trip_through_the_store():
    io = StoreIO(DictStore())
    info = RankInfo(1, 0, 1, "host", 123, "cpu", cpus="0-3")
    io.put("rank/1", info)
    assert io.get("rank/1", RankInfo) == info and io.get("rank/2", RankInfo) is None
    io.mark(1, 2, "op")
    assert io.positions(3) == {0: None, 1: (2, "op"), 2: None}


def test_a_rank_reports_the_step_its_own_watchdog_timed():
    io = StoreIO(DictStore())
    assert io.hung(4) == {}
    io.put_text("hung/2", '{"step": 3}')
    assert io.hung(4) == {2: 3}


def test_a_rank_that_never_joined_is_named():
    pos = {0: (1, "op"), 1: (1, "op"), 2: (1, "in"), 3: (1, "op")}
    h = diagnose(STEPS, pos, "envcheck")
    assert (h.step, h.label, h.missing_ranks, h.waiting_ranks) == (1, "all_reduce 8 B", (2,), (0, 1, 3))


def test_a_rank_still_on_an_earlier_step_holds_up_the_later_one():
    h = diagnose(STEPS, {0: (2, "op"), 1: (1, "op"), 2: (2, "op"), 3: None}, "rank 0", stuck_at=2)
    assert h.missing_ranks == (1, 3) and h.waiting_ranks == (0, 2) and h.seen_by == "rank 0"


def test_every_rank_waiting_means_the_data_never_arrived():
    h = diagnose(STEPS, {r: (2, "op") for r in range(4)}, "envcheck")
    assert h.missing_ranks == () and h.waiting_ranks == (0, 1, 2, 3) and h.deadline_s == PLAN.deadline_s


def test_assemble_reads_what_the_ranks_published():
    io = StoreIO(DictStore())
    for r in range(2):
        io.put(f"rank/{r}", RankInfo(r, 0, r, "h", 100 + r, "cpu"))
        io.put_text(f"done/{r}", "1")
    row = CollectiveRow("all_reduce", 8, 2, 2, 20, 10.0, 11.0, 0.0008, 0.0008, 0)
    io.put("row/1", row)
    out = assemble(io, PLAN, steps(PLAN, 2), 2, 1, "local", [Facts()], seconds=1.234)
    assert out.complete and out.rows == (row,) and len(out.ranks) == 2 and out.seconds == 1.23
    io.put_text("failed/1", "RuntimeError: boom")
    out = assemble(io, PLAN, steps(PLAN, 2), 2, 1, "local", [Facts()])
    assert not out.complete and out.failures == ("rank 1 (h cpu, pid 101): RuntimeError: boom",)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_watchdog_fires_once_past_deadline_and_grace():
    clock, fired = Clock(), []
    wd = Watchdog(fired.append, grace_s=1.0, clock=clock)
    step = Step(3, "collective", 10.0, "all_reduce", 8, label="all_reduce 8 B")
    wd.enter(step)
    clock.t = 10.5
    assert not wd.check() and fired == []
    clock.t = 11.5
    assert wd.check() and fired == [step]
    assert wd.check() and fired == [step]  # once


def test_watchdog_restarts_with_each_step_and_sleeps_between():
    clock, fired = Clock(), []
    wd = Watchdog(fired.append, clock=clock)
    wd.enter(Step(1, "collective", 5.0))
    clock.t = 4.0
    wd.enter(Step(2, "collective", 5.0))
    clock.t = 8.0
    wd.check()
    wd.clear()
    clock.t = 100.0
    assert not wd.check() and fired == []


def test_watchdog_thread_calls_the_handler():
    import threading

    hit = threading.Event()
    with Watchdog(lambda step: hit.set(), poll_s=0.01) as wd:
        wd.enter(Step(0, "setup", 0.05))
        assert hit.wait(2.0)


def test_copy_timing_is_the_median_per_call():
    clock, calls = Clock(), []

    def copy():
        calls.append(1)
        clock.t += 0.002 if len(calls) % 2 else 0.004  # alternating 2 and 4 ms copies

    t = seconds_per_call(copy, lambda: None, inner=4, repeats=3, clock=clock)
    assert abs(t - 0.003) < 1e-12 and len(calls) == 1 + 12


def test_the_supervisor_names_the_step_a_dead_rank_said_it_hung_in():
    from types import SimpleNamespace

    from envcheck.interconnect.local import Supervisor

    io = StoreIO(DictStore())
    for r in range(4):
        io.mark(r, 2, "op" if r != 3 else "in")
    io.put_text("hung/3", '{"step": 2}')  # rank 3's watchdog fired, then it left (exit RANK_HUNG)
    sup = Supervisor(PLAN, 4, Facts())
    sup.procs = [SimpleNamespace(is_alive=lambda: r != 3, exitcode=None if r != 3 else 3) for r in range(4)]
    hang, failures = sup._watch(io)
    assert failures == [] and (hang.step, hang.seen_by, hang.missing_ranks) == (2, "rank 3", (3,))
