"""Each collective's check data and expected result, on emulated ranks (torch on the CPU)."""

from __future__ import annotations

import pytest

from envcheck.interconnect.collectives import Case
from envcheck.interconnect.nccltests import shape

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def emulate(collective, size, world, corrupt_rank=None):
    """Run ``world`` Cases and do by hand what the collective would, then check every rank."""
    sh = shape(collective, size, world)
    cases = [Case(torch, object(), sh, r, "cpu") for r in range(world)]
    for c in cases:
        c.fill(11)
    if collective == "all_reduce":
        total = sum(c.inp.clone() for c in cases)
        for c in cases:
            c.inp.copy_(total)
    elif collective == "broadcast":
        for c in cases:
            c.inp.copy_(cases[0].inp)
    elif collective == "all_gather":
        gathered = torch.cat([c.inp for c in cases])
        for c in cases:
            c.out.copy_(gathered)
    else:
        total = sum(c.inp.clone() for c in cases)
        for r, c in enumerate(cases):
            c.out.copy_(total[r * sh.out_count:(r + 1) * sh.out_count])
    if corrupt_rank is not None:
        cases[corrupt_rank].corrupt()
    return [c.wrong(11) for c in cases], [c.wrong(12) for c in cases]


@pytest.mark.parametrize("collective", ["all_reduce", "all_gather", "reduce_scatter", "broadcast"])
@pytest.mark.parametrize("world", [1, 2, 3, 8])
def test_right_results_check_out_and_another_seed_does_not(collective, world):
    right, other_seed = emulate(collective, 4000, world)
    assert right == [0] * world
    assert all(n > 0 for n in other_seed)  # a stale buffer from another step would show


def test_one_corrupted_element_is_counted():
    right, _ = emulate("all_reduce", 1024, 4, corrupt_rank=2)
    assert right == [0, 0, 1, 0]


def test_an_untouched_output_buffer_fails():
    sh = shape("all_gather", 64, 2)
    c = Case(torch, object(), sh, 0, "cpu")
    c.fill(3)
    assert c.wrong(3) == sh.out_count  # still FILL everywhere


def test_sums_stay_exact_at_large_scale():
    # 61 x 4096 ranks = 249856 < 2^24: float32 adds these whole numbers exactly.
    sh = shape("all_reduce", 4 * 61, 4096)
    c = Case(torch, object(), sh, 0, "cpu")
    exact = [sum((i + 3 * r) % 61 + 1 for r in range(4096)) for i in range(61)]
    assert c.expected(0).tolist() == [float(v) for v in exact] and max(exact) < 2**24


def test_a_slow_rate_keeps_two_significant_figures_instead_of_rounding_to_zero():
    from envcheck.interconnect.nccltests import rounded_gb_s

    assert rounded_gb_s(12.345) == 12.35 and rounded_gb_s(0.05) == 0.05
    assert rounded_gb_s(0.0046123) == 0.0046  # gloo on a loaded CPU: a few MB/s, not 0.0
    assert rounded_gb_s(0.0) == 0.0
