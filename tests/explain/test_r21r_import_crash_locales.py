"""Review of round 20 (r21 r): bash under another locale prints glibc's translated signal text and its
own translated "(core dumped)" (glibc and bash po files; forms as Chinese, German and Russian users
paste them). The import crash reader read only the English text."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FAILED = "torch_import_failed"


@pytest.mark.parametrize("text", [
    '(base) user@pi:~$ python3 -c "import torch"\n非法指令 (核心已转储)',
    '$ python -c "import torch"\n段错误 (核心已转储)',
    ">>> import torch\n段错误（核心已转储）",
    '$ python3 -c "import torch"\nSpeicherzugriffsfehler (Speicherabzug geschrieben)',
    ">>> import torch\nОшибка сегментирования (стек памяти сброшен на диск)",
    ">>> import torch\nセグメンテーション違反です (コアダンプ)",
    "import torch 就报段错误",
])
def test_localised_crash_after_import(text):
    assert FAILED in errors(text)


@pytest.mark.parametrize("text", [
    "$ python train.py\n段错误 (核心已转储)",  # a script: anything in it
    ">>> import torch\n>>> torch.zeros(1).cuda()\n段错误 (核心已转储)",  # a later call
    "段错误 (核心已转储)",  # the crash alone
    "On my old laptop:\n>>> import torch\nSpeicherzugriffsfehler (Speicherabzug geschrieben)",
])
def test_localised_near_misses(text):
    assert FAILED not in findings(text)


def test_localised_sigill_on_aarch64_is_the_arm_wheels():
    text = ("Linux raspberrypi 5.15.84-v8+ #1613 SMP PREEMPT Thu Jan 5 12:03:08 GMT 2023 aarch64 GNU/Linux\n"
            '$ python3 -c "import torch"\n非法指令 (核心已转储)')
    assert "known_bad_torch_build" in errors(text)
