"""explain.first_of: a pattern of alternatives searched one gated alternative at a time finds what
the whole pattern finds (the same text at the same place), and Pasted.read remembers a line's reading."""

from __future__ import annotations

import importlib
import pkgutil
import random
import re

import pytest

import envcheck.explain
from envcheck.explain import first_of
from envcheck.explain.first_of import FirstOf, alternatives
from envcheck.explain.parsers import container_prose, prose_state, visible_devices
from envcheck.explain.source import normalise


def _same(a, b):
    return (a and (a.span(), a.group(0))) == (b and (b.span(), b.group(0)))


def test_alternatives_split_only_at_the_top_level():
    assert alternatives(r"a|b(?:c|d)|[|x]e|\|f|[]|]g") == ["a", "b(?:c|d)", "[|x]e", r"\|f", "[]|]g"]
    assert alternatives(r"[^]|]|x") == ["[^]|]", "x"]
    assert alternatives("abc") == ["abc"]


def test_the_first_alternative_matching_leftmost_wins(monkeypatch):
    monkeypatch.setattr(first_of, "_MADE", [])  # (these gates are not the package's)
    for pattern, words, text in [("ab|a", (("ab",), ("a",)), "xab"), ("a|ab", (("a",), ("ab",)), "xab"),
                                 (r"b\w|ab", (("b",), ("ab",)), "xab"), (r"gpu\b|no\s+gpu", (("gpu",), ("no",)), "no gpu")]:
        assert _same(FirstOf(pattern, 0, words).search(text), re.search(pattern, text)), pattern


def test_gates_and_flags_are_checked(monkeypatch):
    monkeypatch.setattr(first_of, "_MADE", [])  # (these are not the package's)
    with pytest.raises(ValueError):
        FirstOf("a|b", 0, (("a",),))  # one gate for two alternatives
    with pytest.raises(ValueError):
        FirstOf("(?i)a|b", 0, (("a",), ("b",)))  # a global inline flag scopes over both
    with pytest.raises(ValueError):
        FirstOf("a|b", 0, (("a",), ()))  # an alternative nothing gates
    FirstOf(r"no\s+gpu|without\s+cuda", re.I, (("no",), ("without",))).check()
    with pytest.raises(ValueError):
        FirstOf(r"no\s+gpu|(?:without\s+)?cuda", re.I, (("no",), ("without",))).check()  # "without" is optional


def test_every_first_of_of_the_package_holds():
    for info in pkgutil.walk_packages(envcheck.explain.__path__, "envcheck.explain."):
        importlib.import_module(info.name)
    made = first_of.made()
    assert len(made) >= 4
    for f in made:
        f.check()


_PIECES = ["I have no NVIDIA GPU", "we don't have a GPU", "without an nvidia card", "没有N卡", "电脑没有显卡",
           "GPUがありません", "NVIDIAのGPUはない", "그래픽카드가 없습니다", "no tengo GPU", "não tenho gpu",
           "keine NVIDIA-Grafikkarte", "pas de GPU NVIDIA", "I am using CPU", "I only have a CPU", "我只有cpu",
           "on a CPU-only server", "a laptop without a GPU", "No NVIDIA GPU on this laptop, so", "the GPU is not visible",
           "grad_norm=0.3 node 4", "İ HAVE NO NVİDİA GPU", "ſome text", "\u212aeine GPU", "plain log line 123",
           "nvidia-smi: not found", "my laptop has no GPU memory left", "GPU is available",
           "docker run without --gpus all", "after adding --gpus all it works", "forgot to add the --gpus flag",
           "the GPU is not detected in the container", "nvidia-smi: command not found inside docker",
           "no deploy.resources.reservations.devices", "容器里识别不到GPU", "没有加--gpus", "--gpus 옵션을 빼먹",
           "--gpus を付け忘れ", "sin --gpus", "ohne --gpus", "sans --gpus", "torch.cuda.is_available() returns False in docker",
           "contenedor no detecta la GPU", "im Container wird die GPU nicht erkannt", "도커에서 GPU 인식이 안 돼요",
           "I only have one GPU", "we have a single GPU", "my server has just one GPU", "on a single-gpu machine",
           "there is only 1 GPU", "我只有一张显卡", "我是单卡", "GPU가 하나뿐", "GPUは1枚しかない", "solo tengo una gpu",
           "ich habe nur eine Grafikkarte", "I have 4 GPUs"]


@pytest.mark.parametrize("whole, first", [(prose_state._NO_NVIDIA, prose_state._NO_NVIDIA_FIRST),
                                          (container_prose._CAUSE, container_prose._CAUSE_FIRST),
                                          (container_prose._SYMPTOM, container_prose._SYMPTOM_FIRST),
                                          (visible_devices._SINGLE, visible_devices._SINGLE_FIRST)])
def test_one_alternative_at_a_time_finds_what_the_pattern_finds(whole, first):
    rnd = random.Random(11)
    found = 0
    for _ in range(1500):
        line = " ".join(rnd.choice([p, p.upper(), p.lower()]) for p in rnd.sample(_PIECES, rnd.randint(1, 4)))
        want = whole.compiled.search(line)
        assert _same(first.search(line), want), line
        found += want is not None
    assert found > 100  # the lines try the alternatives, not only their absence


def test_pasted_read_gives_the_reading_of_each_line_once():
    calls = []

    def reading(line: str) -> int:
        calls.append(line)
        return len(line)
    doc = normalise("abc\nde\nabc\nabc\n")
    assert [doc.read(reading, line) for line in doc.lines] == [3, 2, 3, 3, 0]
    assert calls == ["abc", "de", ""]
