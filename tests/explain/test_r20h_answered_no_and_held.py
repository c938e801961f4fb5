"""Round 20 h: a catalogue message asked about and answered no; memory "无法自动释放" after a kill.

* Review item: "No space left on device? No, the disk has 400 GB free" is the person asking whether
  it was that and saying it was not: no low_disk_space (nor any other finding from that message).
  The same message met ("OSError: [Errno 28] No space left on device"), asked about and not
  answered no ("? No idea why"), or with the answer not a denial, stays a finding. The same holds
  for any catalogue message (error_messages._ANSWERED_NO).
* held_memory_prose: "kill掉进程后显存无法自动释放" (PaddlePaddle/models#2170's shape: an adverb
  between 无法 and 释放) is memory held after the process was killed; a question ("…无法自动释放吗？")
  and advice stay quiet.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

DISK = "low_disk_space"
HELD = "gpu_memory_in_use"


@pytest.mark.parametrize("text", [
    "Training crashes after a few epochs. No space left on device? No, the disk has 400 GB free.\n",
    "Is it 'No space left on device'? Nope.\n",
    "The checkpoint save fails. No space left on device? Not the case here, df -h shows 60% used.\n",
    "dataloader hangs at epoch 3\nNo space left on device? no, /dev/shm is 32G and mostly free\n",
])
def test_message_asked_and_answered_no_is_not_a_finding(text):
    assert DISK not in findings(text)


@pytest.mark.parametrize("text", [
    "OSError: [Errno 28] No space left on device\n",
    "Training crashes. No space left on device? No idea why, df shows it full.\n",
    "tar: write error: No space left on device\nwhy? no clue\n",
    "gzip: stdout: No space left on device\n",
    "Why do I get 'No space left on device'? The disk should have room.\n",
])
def test_message_met_or_asked_without_a_no_stays(text):
    assert DISK in findings(text)


def test_answered_no_applies_to_other_messages_too():
    text = "Torch not compiled with CUDA enabled? No, torch.cuda.is_available() is True.\n"
    assert "torch_cpu_only_build" not in findings(text)
    assert "torch_cpu_only_build" in findings("AssertionError: Torch not compiled with CUDA enabled\n")


@pytest.mark.parametrize("text", [
    "video nonlocal 模型kill掉进程后显存无法自动释放，如图所示：\n",
    "训练中断以后显存不能及时释放，nvidia-smi 看不到进程\n",
])
def test_memory_not_released_after_kill_zh(text):
    assert HELD in findings(text)


@pytest.mark.parametrize("text", [
    "kill掉进程后显存无法自动释放吗？\n",
    "如果kill掉进程后显存无法自动释放，可以用 fuser -v /dev/nvidia* 找到进程\n",
    "训练结束后显存自动释放了，一切正常\n",
])
def test_memory_release_questions_and_advice_zh_stay_quiet(text):
    assert HELD not in findings(text)
