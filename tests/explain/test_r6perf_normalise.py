"""source.normalise: rsyslog's "#012" made a newline again, and the line-by-line way a repeating
log is made plain (each distinct line once) giving exactly the whole-text way's lines."""

from __future__ import annotations

import random

from envcheck.explain import explain
from envcheck.explain.source import Pasted, normalise

_SYSLOG = (
    "Jun 30 11:07:05 gpu-0 kernel: NVRM: API mismatch: the client has the version 535.54.03, but#012NVRM: this "
    "kernel module has the version 530.30.02.  Please#012NVRM: make sure that this kernel module and all NVIDIA "
    "driver#012NVRM: components have the same version.\n"
)


def test_rsyslog_escape_becomes_a_newline():
    lines = normalise(_SYSLOG).lines
    assert lines[0].endswith("but")
    assert lines[1].startswith("NVRM: this kernel module has the version 530.30.02.")
    assert lines[3] == "NVRM: components have the same version."
    assert "#012" not in "\n".join(lines)


def test_rsyslog_mismatch_is_the_catalogued_message_and_the_versions():
    explanation = explain(normalise(_SYSLOG))
    assert "kernel log" in explanation.recognised
    assert "error message" in explanation.recognised  # the catalogue's NVRM API mismatch, now whole


def test_a_css_colour_is_not_a_newline():
    assert normalise("color: #012abc;").lines == ("color: #012abc;",)


_BITS = ["> quoted", ">>> import torch", "```bash", "```", "~~~", "``` text on the fence", "`nvidia-smi` ran",
         "version `GLIBCXX_3.4.30' not found", "- **PyTorch Version:** 2.1.0", "2**20", "f(**kw)", "**x**",
         "2022-11-02T18:32:26.3725444Z lspci", "kokoro-tts-1     | hello", "\x1b[31mred\x1b[0m", "\x1b]0;title",
         "\u201cquoted\u201d \u2014 dash\u00a0nbsp\ufeff", "trailing   ", "", "  > > nested", "plain line"]


def _whole_text_way(text: str) -> Pasted:
    """What normalise gives where few lines repeat (the whole text in one pass per step)."""
    return normalise(text + "\n" + "\n".join(f"unique {n}" for n in range(len(text.split("\n")) * 3)))


def test_repeating_log_gets_the_same_lines_as_the_whole_text_way():
    rnd = random.Random(6)
    for _ in range(200):
        lines = [rnd.choice(_BITS) + rnd.choice(["", " ", "**", "`", " x"]) for _ in range(rnd.randint(2, 12))]
        text = "\n".join(lines * 3)  # most lines repeat: the line-by-line way
        n = len(lines) * 3
        assert normalise(text).lines == _whole_text_way(text).lines[:n]


def test_a_repeating_logs_lower_case_is_the_whole_texts():
    """Pasted.lower joins the distinct lines lowered once: the same as lowering the whole text,
    also for Σ (whose lower case depends on its neighbours) and letters lower() lengthens."""
    rnd = random.Random(5)
    odd = ["Σ", "ΑΣ", "ΑΣ.", "Σ'", "ΑΣ\u0301", "İ", "ſ", "\u212a", "x", "", " ", ".", "'", "a.Σ", "GPU"]
    for _ in range(500):
        lines = ["".join(rnd.choice(odd) for _ in range(rnd.randint(0, 4))) for _ in range(rnd.randint(1, 6))]
        doc = Pasted(tuple(lines * 3))
        assert doc.distinct[1] is not None
        assert doc.lower == doc.text.lower()
