"""Review of round 20 (r21 r): round 20's prose readers took a failure told of another machine, of
other people, of a reference's table, or of a habit that is over ("used to") as this machine's.

sentences.not_here_now guards xid_said (Xid codes said), torch_import_crash's told form, host_health's
"fell off the bus" / Xid 79 said and held_memory_prose's other work on the GPU; error_messages drops a
catalogue message that other people are said to get ("Some users get '…'"). Each near-miss beside a
text of the same class that must still fire."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total "
       "capacity; 20.1 GiB already allocated)\n")


@pytest.mark.parametrize("text", [
    "dmesg shows Xid 79 on the other server, this one is fine.",
    "I have seen Xid 79 reported by other users on this forum.",
    "dmesg used to show Xid 79, replaced the PSU and now it's gone.",
    "We no longer see Xid 48 in the kernel log.",
    "import torch gives Segmentation fault on the other machine, but on this one it works.",
    "Other users report that import torch crashes with Illegal instruction on the Pi.",
    "importing torch used to segfault with the conda build.",
    "Known issue: import torch segfaults with numpy 2 on some builds (see #12345).",
    "A user reported that importing torch segfaults on their machine.",
    'Some users get "WARNING: NVIDIA GPU 0: miner not compiled for the gpu architecture 86." with RTX 30 cards; '
    "mine is a 1080 and it mines fine.",
    'Others have reported "CUDA driver version is insufficient for CUDA runtime version" on older drivers.',
])
def test_elsewhere_or_over_gets_no_error(text):
    assert errors(text) == {}


@pytest.mark.parametrize("text, fid", [
    ("dmesg shows Xid 79 on this server since yesterday.", "xid_errors_logged"),
    ("Xid 79 appeared in dmesg last week. Fixed by reseating the card.", "gpu_lost"),  # the fix confirms it
    ("When I import torch I get Illegal instruction (core dumped)", "torch_import_failed"),
    ('Like other users, I get "WARNING: NVIDIA GPU 0: miner not compiled for the gpu architecture 86." with my 3080.',
     "extension_built_without_gpu_arch"),
    ('Some people see "CUDA driver version is insufficient for CUDA runtime version", and I see it too.',
     "driver_too_old_for_torch_cuda"),
])
def test_this_machine_still_fires(text, fid):
    assert fid in errors(text)


@pytest.mark.parametrize("text", [
    OOM + "Another program was using the GPU yesterday, but I killed it and nvidia-smi shows 0MiB used now.",
    OOM + "Other processes used to occupy the GPU memory, but I have a dedicated card now.",
    OOM + "Only my process is on the GPU 0; other users' jobs are using the other GPUs.",
])
def test_other_work_gone_or_elsewhere_is_not_in_use(text):
    assert "gpu_memory_in_use" not in findings(text)


@pytest.mark.parametrize("text", [
    OOM + "There's another program used a lot of GPU memory.",
    OOM + "Other users are using the same GPU on our shared server.",
])
def test_other_work_on_the_gpu_still_in_use(text):
    assert "gpu_memory_in_use" in findings(text)


@pytest.mark.parametrize("text, fires", [
    ("If you see\n\n    >>> import torch\n    Illegal instruction (core dumped)\n\nyour CPU lacks AVX.", False),
    ("On my old laptop:\n$ python -c \"import torch\"\nIllegal instruction (core dumped)\n"
     "On this machine it imports fine, but CUDA is not available.", False),
    ("When I run the following:\n$ python -c \"import torch\"\nIllegal instruction (core dumped)", True),
    ("If I do\n>>> import torch\nIllegal instruction (core dumped)", True),
    ("Here is what happens on the Pi:\n>>> import torch\nIllegal instruction (core dumped)", True),
    ("Before (torch 2.0.0):\n>>> import torch\nIllegal instruction (core dumped)\n"
     "After downgrading to 1.13.1 it imports and works.", True),  # the fix confirms it
])
def test_import_crash_under_a_framing_line(text, fires):
    assert ("torch_import_failed" in errors(text)) is fires


@pytest.mark.parametrize("text, fires", [
    # round 20's general_statement read "try" and "should" anywhere as advice
    ("Whenever I try to train, the GPU falls off the bus.", True),
    ("I should mention that after an hour the GPU fell off the bus.", True),
    ("You should check dmesg for \"fallen off the bus\".", False),
    ("Try reseating the card if the GPU falls off the bus.", False),
])
def test_advice_is_imperative_only(text, fires):
    assert ("gpu_lost" in errors(text)) is fires


@pytest.mark.parametrize("text, fid", [
    ("训练一段时间后 dmesg 显示 Xid 79，然后 nvidia-smi 就看不到卡了。", "xid_errors_logged"),
    ("dmesg 里出现了 Xid 48 错误", "xid_errors_logged"),
    ("dmesgにXid 79が出ています。", "gpu_lost"),
])
def test_xid_said_in_chinese_and_japanese(text, fid):
    assert fid in errors(text)


@pytest.mark.parametrize("text", [
    "如果出现 Xid 79，说明显卡掉了。",  # a condition
    "Xid 79 是什么意思？",  # a question, full-width mark
    "dmesg 中没有 Xid 错误。",
    "dmesgにXid 79は出ていません。",
])
def test_xid_near_misses_in_chinese_and_japanese(text):
    assert errors(text) == {}


@pytest.mark.parametrize("text, held", [
    (OOM + "Failed runs used to not reset the memory on our GPUs, but that was fixed in the driver update.", False),
    (OOM + "On the old server the GPU memory was not released after I killed the script.", False),
    (OOM + "kill掉进程后显存无法自动释放", True),
    (OOM + "The GPU memory is not released after I kill the script.", True),
])
def test_held_memory_said_over_or_elsewhere(text, held):
    assert ("gpu_memory_in_use" in findings(text)) is held
