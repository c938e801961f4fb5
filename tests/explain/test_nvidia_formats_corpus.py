"""Every dev sample of the real NVIDIA tool-output corpus (tests/corpus/nvidia/samples), graded
field by field against its hand-read sidecar through the whole ``envcheck explain`` path.

What passes is locked in: a field that was right may not become wrong or missed. A known
gap is listed in ``KNOWN_GAPS`` with the reason (none today). The held-out fifth
(tests/corpus/nvidia/heldout) is graded only by ``benchmarks/nvidia_formats_score.py``, once,
at the end of a piece of work — never here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Set

import pytest

from benchmarks.nvidia_formats_score import FIELDS, grade_file, samples

DEV = Path(__file__).resolve().parents[1] / "corpus" / "nvidia" / "samples"

# slug → fields allowed to be not right, with why. Empty: every graded field of every dev sample is right.
KNOWN_GAPS: Dict[str, Set[str]] = {}


def test_the_corpus_is_there():
    assert len(samples(DEV)) >= 70


@pytest.mark.parametrize("path", samples(DEV), ids=lambda p: p.name.split(".")[0])
def test_sample_reads_as_its_sidecar_says(path):
    g = grade_file(path)
    assert not g.refused, g.error
    bad = {name: [(o, w) for o, w in outs if o != "right"] for name, outs in g.outcomes.items()}
    bad = {name: outs for name, outs in bad.items() if outs and name not in KNOWN_GAPS.get(g.slug, set())}
    assert bad == {}
    assert set(g.outcomes) == set(FIELDS)
