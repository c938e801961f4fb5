"""Round 26 b: a CPU-only torch told in Russian, Portuguese, Turkish and Vietnamese
(explain/parsers/torch_build_langs.py, new): shape of ai-forever/ru-gpts#64's reporter comment
("Был поставлен torch без поддержки cuda"). Near-misses: denials (a particle before, a negated
verb after), questions, conditions, advice, a build chosen on purpose. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

CPU = "torch_cpu_only_build"


@pytest.mark.parametrize("paste", [
    "Видеокарта RTX 3060. Был поставлен torch без поддержки cuda",
    "Видеокарта RTX 3060, но стояла CPU-версия torch, поэтому GPU не использовался.",
    "Minha GPU é uma RTX 3060, mas estava instalada a versão CPU do torch.",
    "Tenho uma RTX 3060 e o pytorch foi instalado sem suporte a CUDA.",
    "Ekran kartım RTX 3060 ama torch'un CPU sürümü yüklüydü.",
    "RTX 3060 var, CUDA desteği olmayan torch kuruldu.",
    "Card RTX 3060 nhưng tôi đã cài nhầm bản torch CPU.",
    "Máy có RTX 3060, bản CPU của pytorch đã được cài.",
])
def test_cpu_build_said(paste):
    f = findings(paste)
    assert CPU in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # denied
    "Не ставьте torch без поддержки cuda, у меня RTX 3060.",
    "Não instalei a versão CPU do torch; minha GPU é uma RTX 3060.",
    "torch'un CPU sürümü yüklü değil, RTX 3060 kullanıyorum.",
    "torch'un CPU sürümü yüklenmedi, RTX 3060 kullanıyorum.",
    "Tôi không cài bản torch CPU, card là RTX 3060.",
    # a question, a condition, advice
    "Нужно ли ставить CPU-версию torch? У меня RTX 3060.",
    "Если стоит CPU-версия torch, переустановите. RTX 3060.",
    "Você deve instalar a versão CPU do torch? Tenho uma RTX 3060.",
    "Bạn nên cài bản torch CPU nếu không có GPU. Máy tôi có RTX 3060.",
    # chosen on purpose
    "Я специально поставил torch без поддержки cuda для тестов, видеокарта RTX 3060 для другого.",
    "Instalei de propósito a versão CPU do torch neste servidor com RTX 3060.",
])
def test_cpu_build_said_near_misses(paste):
    assert CPU not in findings(paste)
