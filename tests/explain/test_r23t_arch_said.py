"""Round 23 t: a PyTorch build without the GPU, told in the person's words
(explain/parsers/torch_arch_prose.py, rules/torch_arch_said.py).

Shapes of pinokiofactory/stable-diffusion-webui-forge#6 ("the version of torch installed does not
work with the RTX 50XX"), Haoming02/sd-webui-forge-classic#8 ("not compatible with the RTX 5000
series due to needing a CUDA 12.8 version of Pytorch") and pytorch/pytorch#13542 (a source build
carried to another GPU: "the source build one report … no kernel image"). Near-misses: questions,
advice, another machine, the trouble said fixed, a CPU-only build, the driver, a build that is in
the text and covers the GPU, a GPU the wheels both dropped and never had (Pascal), no GPU named,
and an extension built from source. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NEW = "gpu_arch_unsupported_by_torch_build"
OLD = "gpu_arch_too_old_for_torch_build"


@pytest.mark.parametrize("paste", [
    "Currently the version of torch installed does not work with the RTX 50XX, it would be nice to update it.",
    "The current installation is not compatible with the RTX 5000 series due to needing a CUDA 12.8 version of Pytorch.",
    "There is still no stable version of torch for the RTX 5090, so I have to wait.",
    "My new RTX 5080 is not supported by the current pytorch build.",
    "50系显卡不支持当前版本的torch",
])
def test_said_build_lacks_new_gpu(paste):
    f = findings(paste)
    assert NEW in f, sorted(f)
    assert OLD not in f
    assert "text says this PyTorch does not support" in f[NEW].explanation


def test_build_in_text_judged_by_compat():
    # the version names the build (2.5 wheels stop at sm_90): compat.py's table judgement, not the claim
    f = findings("PyTorch 2.5.1 doesn't support my RTX 5070 Ti yet.")
    assert NEW in f
    assert "text says" not in f[NEW].explanation


@pytest.mark.parametrize("paste", [
    "The installed torch version does not support my GTX 1080 (the new wheels dropped Pascal).",
    "The current pytorch build does not support the Tesla K40.",
])
def test_said_build_lacks_old_gpu(paste):
    f = findings(paste)
    assert OLD in f, sorted(f)
    assert NEW not in f


@pytest.mark.parametrize("paste", [
    # questions and advice
    "Does the current version of torch support the RTX 5090?",
    "If your torch version does not support the RTX 5090, install the cu128 build.",
    # another machine
    "The installed torch version does not work with the RTX 5090 on my other machine; this one has a 4090.",
    # the trouble said over
    "The torch version I had did not work with my RTX 5090. Now it works after installing the cu128 build.",
    # another cause with its own reader
    "The torch version does not work with the RTX 5090 because the driver is too old.",
    # no GPU named
    "The version of torch installed does not work with my graphics card.",
    # said, but fine
    "The torch version installed works with the RTX 5090 without problems.",
])
def test_no_arch_claim(paste):
    f = findings(paste)
    assert NEW not in f and OLD not in f, sorted(f)
    assert not errors(paste)


def test_cpu_build_is_its_own_class():
    f = findings("The CPU version of torch does not work with my RTX 5090.")
    assert NEW not in f and OLD not in f


def test_build_in_text_decides():
    # torch 2.7.0+cu128 has sm_120: the person's words do not outweigh the build the text shows
    paste = ("PyTorch version: 2.7.0+cu128\nIs CUDA available: True\nGPU models and configuration: "
             "GPU 0: NVIDIA GeForce RTX 5090\n\nI think the torch version does not support my RTX 5090.\n")
    assert NEW not in findings(paste)


SOURCE = ("The conda pytorch works on both machines but the source build one reports `RuntimeError: cuda runtime "
          "error (48) : no kernel image is available for execution on the device`. One has a TITAN Xp.")


def test_source_build_lacks_gpu():
    f = findings(SOURCE)
    assert NEW in f, sorted(f)
    assert OLD not in f
    assert "built from source" in f[NEW].explanation


@pytest.mark.parametrize("paste", [
    # not torch's build
    "I built flash-attn from source. RuntimeError: CUDA error: no kernel image is available for execution on "
    "the device. GPU: TITAN Xp, pytorch from pip.",
    # denied
    "I did not build pytorch from source. RuntimeError: CUDA error: no kernel image is available for execution "
    "on the device on my TITAN Xp.",
])
def test_no_source_build_claim(paste):
    f = findings(paste)
    assert not (NEW in f and "built from source" in f[NEW].explanation), sorted(f)


def test_source_build_without_failure_says_nothing():
    paste = "I built pytorch from source with TORCH_CUDA_ARCH_LIST=8.6 for my RTX 3090 and training runs fine."
    f = findings(paste)
    assert NEW not in f and OLD not in f
    assert not errors(paste)


@pytest.mark.parametrize("paste", [
    "PyTorch doesn't support sm_120 yet so my card can't be used.",
    "torch still does not support my RTX 5090 yet, waiting for a release.",
])
def test_said_lack_for_now(paste):
    f = findings(paste)
    assert NEW in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # "yet" without the lack, or a lack without torch
    "I have not tried torch on the RTX 5090 yet.",
    "My RTX 5090 does not work yet with the game, drivers pending.",
])
def test_yet_alone_is_no_claim(paste):
    f = findings(paste)
    assert NEW not in f and OLD not in f, sorted(f)


def test_extension_lacking_gpu_is_not_torchs_build():
    paste = "flash-attn does not support the RTX 5090 yet, the current torch build itself works."
    f = findings(paste)
    assert NEW not in f and OLD not in f
    assert not errors(paste)


@pytest.mark.parametrize("paste", [
    "The current torch version does not work with numpy 2 on my RTX 4090 box.",
    "nvidia-smi shows the RTX 4090; the installed torch release does not support Python 3.13.",
])
def test_lack_about_something_else(paste):
    f = findings(paste)
    assert NEW not in f and OLD not in f, sorted(f)
    assert not errors(paste)
