"""Snapshot -> the real rules (envcheck.rules.evaluate) -> plan, for the recorded machines.

The rules of issues 2 and 3 are written on other branches; until they are merged no rule
is registered and these tests skip. The advisor is the fake one, so the plan's values are
fixed; the findings are the rules' own.
"""

from __future__ import annotations

import pytest

from envcheck.recipes import build_plan, machine_values
from envcheck.rules import evaluate
from tests.recipes.conftest import FakeAdvice, machine
from tests.recipes.expected_plans import DOCKER_PLAN, FRESH_PLAN, MISMATCH_PLAN, outline

CASES = {
    # machine: (expected steps, findings that must be among the rules' findings, findings re-checked afterwards)
    "fresh_2404_rtx4090_nouveau": (FRESH_PLAN, {"nouveau_bound", "torch_not_installed"}, set()),
    "ubuntu2204_driver_mismatch": (MISMATCH_PLAN, {"nvml_driver_library_mismatch"}, {"torch_cuda_unavailable"}),
    "docker_no_gpus": (DOCKER_PLAN, {"container_missing_gpus_flag", "shm_too_small"}, {"torch_cuda_unavailable"}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_snapshot_evaluate_plan(recipes, name):
    steps, must_find, may_defer = CASES[name]
    facts = machine(name)
    ev = evaluate(facts)
    assert ev.failures == ()
    assert must_find <= {f.id for f in ev.findings}
    plan = build_plan(recipes, facts, ev.findings, machine_values(facts, FakeAdvice()))
    assert outline(plan) == steps
    # A rule may or may not report PyTorch's missing GPU next to the driver-level cause;
    # if it does, the plan re-checks it after the fix instead of reinstalling PyTorch.
    assert {d.finding for d in plan.deferred} <= may_defer
