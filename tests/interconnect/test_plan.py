"""Options, message sizes and the numbered steps every rank walks; nccl-tests' formulas."""

from __future__ import annotations

import pytest

from envcheck.errors import EnvcheckError
from envcheck.interconnect import nccltests as nt
from envcheck.interconnect.plan import (
    Plan,
    first_collective,
    human_bytes,
    parse_bytes,
    parse_collectives,
    parse_inject,
    sizes,
    steps,
)


@pytest.mark.parametrize("text, value", [("8", 8), ("64M", 64 << 20), ("1G", 1 << 30), ("4 KiB", 4096),
                                         ("2gb", 2 << 30)])
def test_sizes_in_binary_units(text, value):
    assert parse_bytes(text) == value


@pytest.mark.parametrize("text", ["", "1T", "-8", "0", "eight"])
def test_bad_sizes_are_one_line(text):
    with pytest.raises(EnvcheckError):
        parse_bytes(text, "--max-bytes")


def test_sweep_from_8_bytes_doubling():
    assert sizes(8, 64, 2) == (8, 16, 32, 64)
    assert len(sizes(8, 1 << 30, 2)) == 28
    with pytest.raises(EnvcheckError, match="above"):
        sizes(64, 8, 2)


def test_collectives_and_inject_hooks():
    assert parse_collectives("all") == nt.COLLECTIVES
    assert parse_collectives("broadcast, all-reduce") == ("broadcast", "all_reduce")
    with pytest.raises(EnvcheckError, match="choose from"):
        parse_collectives("alltoall")
    assert parse_inject("stall:2") == ("stall", 2) and parse_inject(None) is None
    with pytest.raises(EnvcheckError):
        parse_inject("crash:1")


def test_steps_are_numbered_alike_for_every_rank_and_skip_repeated_sizes():
    plan = Plan("gloo", ("all_reduce", "all_gather"), sizes(8, 32, 2))
    s = steps(plan, 4)
    assert [x.index for x in s] == list(range(len(s)))
    assert [(x.kind, x.collective, x.size_bytes) for x in s] == [
        ("setup", "", 0), ("collective", "all_reduce", 8), ("collective", "all_reduce", 16),
        ("collective", "all_reduce", 32), ("collective", "all_gather", 16), ("collective", "all_gather", 32)]
    assert first_collective(s) == 1 and s[1].label == "all_reduce 8 B"


def test_gpu_runs_measure_copies_one_rank_at_a_time_and_one_matrix_per_node():
    s = steps(Plan("nccl", ("broadcast",), (1 << 20,)), 4, nnodes=2)
    assert [x.kind for x in s] == ["setup"] + ["copies"] * 4 + ["matrix"] * 2 + ["collective"]
    assert [x.rank for x in s if x.kind == "copies"] == [0, 1, 2, 3] and s[-1].label == "broadcast 1 MiB"
    assert not [x for x in steps(Plan("nccl", ("broadcast",), (8,), copies=False), 2) if x.kind != "setup"
                and x.kind != "collective"]


def test_human_bytes():
    assert [human_bytes(n) for n in (8, 1024, 3 << 20, 1 << 30, 1500)] == ["8 B", "1 KiB", "3 MiB", "1 GiB", "1500 B"]


# --------------------------------------------------------------------------- nccl-tests' definitions
def test_bus_bandwidth_factors_of_performance_md():
    assert nt.busbw_factor("all_reduce", 8) == pytest.approx(1.75)
    assert nt.busbw_factor("all_gather", 8) == nt.busbw_factor("reduce_scatter", 8) == pytest.approx(0.875)
    assert nt.busbw_factor("broadcast", 8) == 1.0 and nt.busbw_factor("all_reduce", 1) == 0.0
    # 1 GiB all_reduce in 10 ms on 8 ranks: algbw 107.37 GB/s, busbw 187.9 GB/s
    assert nt.algbw_gb_s(1 << 30, 0.01) == pytest.approx(107.374, rel=1e-4)
    assert nt.busbw_gb_s("all_reduce", 1 << 30, 0.01, 8) == pytest.approx(187.9, rel=1e-3)


def test_shapes_count_s_as_nccl_tests_does():
    ag = nt.shape("all_gather", 1 << 20, 8)  # S is the whole gathered array; each rank sends S/n
    assert (ag.in_count, ag.out_count, ag.size_bytes, ag.count) == (32768, 262144, 1 << 20, 262144)
    rs = nt.shape("reduce_scatter", 1 << 20, 8)
    assert (rs.in_count, rs.out_count, rs.size_bytes) == (262144, 32768, 1 << 20)
    assert nt.shape("all_gather", 8, 4).size_bytes == 16  # one element per rank at least
    assert nt.shape("all_reduce", 10, 4).size_bytes == 8  # whole float32 elements
    with pytest.raises(ValueError):
        nt.shape("alltoall", 8, 2)
