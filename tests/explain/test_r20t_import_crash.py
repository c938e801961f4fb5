"""Round 20 t: ``import torch`` killing the Python that ran it (explain/parsers/torch_import_crash.py).

No traceback: only the import and the crash as its printer shows it (bash's strsignal line,
zsh's and fish's job lines, the notebook's "kernel appears to have died", CPython's fault
handler with a frame of torch/__init__.py) — torch_import_failed. Texts after the shapes of
real reports (pytorch#100156 ">>> import torch / Illegal instruction", #97226
'python3 -c "import torch;print(torch.__version__)"', #90535 zsh's job line, KumaTea/
pytorch-aarch64#8 fish's line). Near-misses: a crash after other code, a command doing more
than the import, a script run, the crash line or the import alone, another program's output
captured inside pip's."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FAILED = "torch_import_failed"


@pytest.mark.parametrize("text", [
    ">>> import torch\nIllegal instruction",
    ">>> import torch\nIllegal instruction (core dumped)",
    "(venv) pi@raspberrypi:~ $ python3 -c \"import torch;print(torch.__version__)\"\nIllegal instruction",
    "$ python -c 'import torch'\n\nSegmentation fault (core dumped)",
    "MacBook-Pro:~ me$ python -c \"import torch\"\nIllegal instruction: 4",
    ">>> import torch\nzsh: illegal hardware instruction  python3",
    "% python3 -c \"import torch\"\nzsh: segmentation fault  python3 -c \"import torch\"",
    "fish: Job 1, 'python3 -c \"import torch\"' terminated by signal SIGILL (Illegal instruction)",
    "In [1]: import torch\n\nThe kernel appears to have died. It will restart automatically.",
    "import torch\n\nKernel Restarting\nThe kernel for Untitled.ipynb appears to have died. It will restart automatically.",
    "Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f3a2b1c0740 (most recent call first):\n"
    "  File \"<frozen importlib._bootstrap>\", line 228 in _call_with_frames_removed\n"
    "  File \"/home/u/venv/lib/python3.10/site-packages/torch/__init__.py\", line 237 in <module>\n"
    "  File \"/home/u/app/main.py\", line 3 in <module>\nSegmentation fault (core dumped)",
])
def test_import_killed_by_a_signal_is_import_failed(text):
    got = errors(text)
    assert FAILED in got
    assert "import torch" in got[FAILED].explanation


@pytest.mark.parametrize("text", [
    ">>> import torch\n>>> torch.zeros(1).cuda()\nSegmentation fault (core dumped)",  # a later call, not the import
    "$ python -c \"import torch; torch.zeros(1).cuda()\"\nSegmentation fault (core dumped)",  # more than the import
    "$ python train.py\nSegmentation fault (core dumped)",  # a script: anything in it
    "import torch\nmodel = Net().cuda()\n\nThe kernel appears to have died. It will restart automatically.",
    "Illegal instruction (core dumped)",  # the crash alone
    ">>> import torch\n>>> print(torch.__version__)\n2.3.1+cu121",  # the import alone, and it worked
    "[1]    181810 illegal hardware instruction (core dumped)  python repro.py",  # a script as a job
    "Fatal Python error: Segmentation fault\n\nCurrent thread 0x00007f0b (most recent call first):\n"
    "  File \"/home/u/venv/lib/python3.10/site-packages/torch/nn/modules/conv.py\", line 456 in _conv_forward\n"
    "  File \"train.py\", line 40 in <module>",  # torch crashed running a model, not importing
])
def test_other_crashes_are_not_import_failed(text):
    assert FAILED not in findings(text)


def test_healthy_import_stays_quiet():
    text = (">>> import torch\n>>> torch.__version__\n'2.1.0+cu118'\n>>> torch.cuda.is_available()\nTrue\n"
            ">>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce RTX 3090'\n")
    assert not errors(text)


# ---- the aarch64 wheels' SIGILL at import (rules/arm_wheel_sigill.py): known_bad_torch_build
BAD = "known_bad_torch_build"
AARCH64_ENV = ("Collecting environment information...\nPyTorch version: 1.13.1\nIs debug build: False\n"
               "CUDA used to build PyTorch: None\nOS: Ubuntu 22.04.3 LTS (aarch64)\n"
               "Python platform: Linux-5.15.0-1034-raspi-aarch64-with-glibc2.35\nIs CUDA available: False\n")
X86_ENV = ("Collecting environment information...\nPyTorch version: 2.0.0+cpu\nIs debug build: False\n"
           "CUDA used to build PyTorch: None\nOS: Ubuntu 20.04.6 LTS (x86_64)\n"
           "Python platform: Linux-5.15.0-86-generic-x86_64-with-glibc2.31\nIs CUDA available: False\n")


@pytest.mark.parametrize("text", [
    ">>> import torch\nIllegal instruction\n\n" + AARCH64_ENV,
    "$ uname -a\nLinux raspberrypi 6.1.21-v8+ #1642 SMP PREEMPT Mon Apr  3 17:24:16 BST 2023 aarch64 GNU/Linux\n"
    "$ python3 -c \"import torch\"\nIllegal instruction (core dumped)\n",
    "Collecting torch\n  Downloading torch-2.0.0-cp310-cp310-manylinux2014_aarch64.whl (74.1 MB)\n"
    "Successfully installed torch-2.0.0\n>>> import torch\nIllegal instruction (core dumped)",
])
def test_sigill_at_import_on_aarch64_is_the_known_bad_wheel(text):
    got = findings(text)
    assert BAD in got and got[BAD].confidence.value == "likely"
    assert FAILED in got


@pytest.mark.parametrize("text", [
    ">>> import torch\nIllegal instruction\n\n" + X86_ENV,  # x86: another cause (a CPU without AVX …)
    ">>> import torch\nSegmentation fault (core dumped)\n\n" + AARCH64_ENV,  # not SIGILL
    ">>> import torch\nIllegal instruction",  # no architecture known
    ">>> import torch\n>>> torch.nn.Conv2d(16, 33, 3)(torch.randn(20, 16, 50, 100))\nIllegal instruction\n\n"
    + AARCH64_ENV,  # a later op, not the import
    "OS: macOS 14.2.1 (arm64)\n>>> import torch\nzsh: illegal hardware instruction  python",  # macOS arm64
])
def test_other_sigill_shapes_are_not_the_aarch64_wheel(text):
    assert BAD not in findings(text)


# ---- the same crash retold in a person's sentence: a claim, so "likely"
@pytest.mark.parametrize("text", [
    "When I import torch I get Illegal instruction (core dumped)",
    "When I import torch, I get Illegal instruction (core dumped)",
    "import torch fails with Segmentation fault",
    "Importing torch crashes Python with 'Illegal instruction'",
    "Segmentation fault (core dumped) when I import torch",
    "`import torch` gives `Illegal instruction (core dumped)` on my Raspberry Pi 4",
    "import torch 直接报 Illegal instruction (core dumped)",
    "Whenever I do import torch the kernel dies",
])
def test_crash_told_in_a_sentence_is_a_likely_import_failure(text):
    got = errors(text)
    assert FAILED in got and got[FAILED].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "import torch works fine but model.cuda() segfaults",  # another step crashed
    "import torch, then x.cuda() gives Segmentation fault (core dumped)",
    "import torch  # segfault happens later in training",
    "The kernel dies when I run model training after import torch",
    "Does import torch give Illegal instruction on a Pi?",  # asked
    "If import torch gives Illegal instruction, your CPU lacks AVX",  # supposed
    "You should check whether import torch gives Illegal instruction",  # advice
    "Importing torch does not crash anymore",  # denied
    "I never get a segfault when importing torch",
    "import torch used to crash with Illegal instruction but after upgrading to 2.11 it works",  # over
    "import torch just exits silently with no error",  # no crash named
])
def test_sentences_that_do_not_say_the_import_crashes(text):
    assert FAILED not in findings(text)
