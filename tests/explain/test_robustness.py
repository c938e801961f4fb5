"""Partial, mangled or hostile input never crashes explain: it yields facts or one clear error."""

from __future__ import annotations

import random

import pytest

from envcheck.errors import EnvcheckError
from envcheck.explain import diagnose, source
from envcheck.report import render

from .helpers import FIXTURES

TEXTS = sorted(p.read_text(encoding="utf-8") for p in FIXTURES.glob("*.txt"))


def _try(text: str) -> None:
    """The whole of `envcheck explain`: parse, run every rule, render every format."""
    try:
        _, report = diagnose(source.normalise(text), collected_at="")
    except EnvcheckError:
        return  # a refusal (envcheck's own JSON) is a valid answer for a mangled paste
    assert report.failures == (), report.failures  # a rule that raised on odd partial facts
    for fmt in ("text", "json", "markdown"):
        assert render(report, fmt)


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_truncated_and_mixed_fixtures(seed):
    rng = random.Random(seed)
    for _ in range(12):
        lines = [ln for t in rng.sample(TEXTS, 3) for ln in t.splitlines()]
        rng.shuffle(lines)
        cut = lines[: rng.randint(0, len(lines))]
        # chop some lines mid-way, as a paste cut by a character limit would
        cut = [ln[: rng.randint(0, len(ln))] if rng.random() < 0.2 else ln for ln in cut]
        _try("\n".join(cut))


def test_every_fixture_prefix():
    for t in TEXTS:
        lines = t.splitlines()
        for n in range(0, len(lines) + 1, max(1, len(lines) // 8)):
            _try("\n".join(lines[:n]))


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes(seed):
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(4000))
    try:
        doc = source.from_bytes(data)
    except EnvcheckError:
        return
    _try(doc.text)


def test_pathological_lines():
    _try("|" * 10000)
    _try(">>> torch.cuda.is_available()")
    _try("GPU models and configuration:")
    _try("cuDNN version: Probably one of the following:")
    _try("GPU 00000000:01:00.0\n" + "    x : y\n" * 2000)
    _try("nvidia-smi --query-gpu=name --format=csv,noheader")
    _try("NVIDIA-SMI 550.90.07  Driver Version: 550.90.07  CUDA Version: N/A")
    _try("Found GPU0  which is of cuda capability .")
    _try("a" * 200000)
