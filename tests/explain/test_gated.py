"""explain.gated: a pattern searched only in lines holding one of its words finds what the plain
pattern finds, and a gate that would hide a match is refused when it is made."""

from __future__ import annotations

import random
import re

import pytest

from envcheck.explain.gated import Gated
from envcheck.explain.parsers import container_prose, prose_state


def test_a_gate_missing_an_alternative_is_refused():
    with pytest.raises(ValueError):
        Gated(re.compile(r"\bno\s+gpu|without\s+cuda", re.I), ("no",))
    with pytest.raises(ValueError):  # optional words gate nothing
        Gated(re.compile(r"(?:no\s+)?gpu", re.I), ("no",))
    Gated(re.compile(r"\bno\s+gpu|without\s+cuda", re.I), ("no", "without"))
    Gated(re.compile(r"with(?:out|\s+no)\s+gpu", re.I), ("without", "no"))  # a start the parser shares out


def test_scoped_case_rules_are_not_trusted():
    with pytest.raises(ValueError):
        Gated(re.compile(r"(?i:no)\s+gpu"), ("no",))


_PIECES = ["I have no NVIDIA GPU", "we don't have a GPU", "without an nvidia card", "没有N卡", "GPUがありません",
           "그래픽카드가 없습니다", "no tengo GPU", "não tenho gpu", "keine NVIDIA-Grafikkarte", "pas de GPU NVIDIA",
           "I am using CPU", "the GPU is not visible in the container", "docker run without --gpus all",
           "added --gpus all and it works", "no deploy.resources.reservations.devices", "İ HAVE NO NVİDİA GPU",
           "ſome text", "\u212aeine GPU", "container", "plain log line 123", "nvidia-smi: not found inside the container"]


@pytest.mark.parametrize("pattern", [prose_state._NO_NVIDIA, container_prose._CAUSE, container_prose._SYMPTOM])
def test_gated_search_finds_what_the_pattern_finds(pattern):
    rnd = random.Random(7)
    for _ in range(400):
        line = " ".join(rnd.choice([p, p.upper(), p.lower()]) for p in rnd.sample(_PIECES, rnd.randint(1, 3)))
        got, want = pattern.search(line), pattern.compiled.search(line)
        assert (got and (got.span(), got.group(0))) == (want and (want.span(), want.group(0))), line
