"""The development half of the diagnosis corpus (tests/corpus/diagnosis/cases): the recall
reached so far is kept, no broken report is called healthy, no healthy paste gets an error
finding. The held-out half is never read here (benchmarks/diagnosis_score.py scores it).

Raise the floors when recall improves; they are floors, not targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.diagnosis_score import run_case, score

DEV = Path(__file__).resolve().parent / "corpus" / "diagnosis" / "cases"
RECALLED_FLOOR = 780  # of 928 development reports (790 reached, 85 %; 766 at the session's start with the opened fresh3)
SILENT_CEILING = 2  # broken reports given verdict "ok": vllm-project__vllm__5222 (from the opened fresh/ set; its
# text is a working collect_env, the ECC error only later in the thread) and NVIDIA__gpu-operator__545 (a DGX A100's
# healthy nvidia-smi; the validator's crash that fabric manager's absence caused is past the excerpt's cut)


@pytest.fixture(scope="module")
def results():
    return [run_case(p) for p in sorted(DEV.glob("*.json"))]


def test_recall_on_the_development_half_does_not_drop(results):
    s = score(results)
    assert s["recalled"] >= RECALLED_FLOOR, json.dumps(s["per_id"], indent=1)


def test_broken_reports_are_not_called_healthy(results):
    assert score(results)["silent_on_broken"] <= SILENT_CEILING


def test_healthy_pastes_get_no_error_finding(results):
    assert [r["file"] for r in results if r["kind"] == "healthy" and r["errors"]] == []


@pytest.mark.parametrize("listing", ["HELDOUT_URLS.txt", "FRESH4_URLS.txt", "FRESH5_URLS.txt"])
def test_the_unseen_sets_are_separate(listing):
    """No report of a set kept unseen (its URLs listed before any tuning) is among the
    development cases: a case added while tuning that an unseen set holds is a leak."""
    path = DEV.parent / listing
    if not path.exists():
        pytest.skip(f"{listing} is not in this checkout")
    unseen = set(path.read_text(encoding="utf-8").split())
    dev = {json.loads(p.read_text(encoding="utf-8"))["url"] for p in DEV.glob("*.json")}
    assert unseen and not unseen & dev


def test_the_title_check_feeds_the_title_above_the_text(tmp_path):
    """`diagnosis_score.py --title`: the thread's title is read too, only when asked."""
    case = {"url": "u", "kind": "broken", "title": "The NVIDIA driver on your system is too old (found version 10010)",
            "text": "It fails when I start training.", "expected_ids": []}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    assert "driver_too_old_for_torch_cuda" not in run_case(path)["found"]
    assert "driver_too_old_for_torch_cuda" in run_case(path, title=True)["found"]
