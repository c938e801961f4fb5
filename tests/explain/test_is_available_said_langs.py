"""``torch.cuda.is_available()`` and what it gave, said in a sentence in other languages
(``parsers/interactive.py``'s sentence form): German, Russian, Spanish, Portuguese, French
verbs after the call, a Japanese or Korean particle before the value."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import interactive
from envcheck.explain.source import normalise


def _available(text):
    return [c.reading.value for c in interactive.parse(normalise(text)).claims if c.path == "torch.cuda_available"]


@pytest.mark.parametrize("text", [
    "torch.cuda.is_available() gibt False zurück, obwohl nvidia-smi die Karte zeigt\n",
    "torch.cuda.is_available() возвращает False\n",
    "torch.cuda.is_available() devuelve False dentro del contenedor\n",
    "torch.cuda.is_available() retorna False no meu notebook\n",
    "torch.cuda.is_available() renvoie False\n",
    "torch.cuda.is_available() が False を返します\n",
    "torch.cuda.is_available()가 False로 나옵니다\n",
])
def test_false_said_in_other_languages(text):
    assert _available(text) == [False]


@pytest.mark.parametrize("text", [
    "torch.cuda.is_available() gibt True zurück\n",
    "torch.cuda.is_available() は True です\n",
])
def test_true_said_is_true(text):
    assert _available(text) == [True]


@pytest.mark.parametrize("text", [
    # no verb or particle between the call and a value: nothing said of its result
    "Wenn torch.cuda.is_available() False zurückgibt, was soll ich tun?\n",
    "torch.cuda.is_available() — wie prüfe ich das?\n",
])
def test_no_result_said(text):
    assert _available(text) == []
