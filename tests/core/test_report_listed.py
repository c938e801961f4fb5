"""A cause's evidence in the text and Markdown reports: the first three messages and how many more
(the JSON report lists every one)."""

import json

from envcheck.explain import diagnose
from envcheck.explain.source import normalise
from envcheck.report import render
from envcheck.report.model import SHOWN, listed


def test_listed_shows_the_first_three_and_counts_the_rest():
    assert listed(()) == ""
    assert listed(("a", "b", "c")) == "a; b; c"
    assert listed(("a", "b", "c", "d", "e")) == "a; b; c; and 2 more (the JSON report lists all)"


def test_a_long_logs_causes_are_cut_in_text_and_markdown_not_in_json():
    # Five different CUDA initialisation failures, no finding accounting for them: their cause lists them all.
    lines = ["RuntimeError: No CUDA GPUs are available",
             "RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment",
             "cudaGetDeviceCount returned 30 -> unknown error",
             "CUDA_ERROR_UNKNOWN",
             "RuntimeError: CUDA error: initialization error",
             "RuntimeError: Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False."]
    _, report = diagnose(normalise("\n".join(lines)))
    causes = [c for u in report.judgement.unexplained for c in u.causes if len(c.support) > SHOWN]
    assert causes, "no cause with more than three supporting messages: the texts no longer make one"
    data = json.loads(render(report, "json"))
    longest = max(len(c["for"]) for u in data["unexplained"] for c in u["causes"])
    assert longest > SHOWN
    for fmt in ("text", "markdown"):
        assert "more (the JSON report lists all)" in render(report, fmt)
