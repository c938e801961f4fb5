"""Round 22 t: a GPU older than every PyTorch wheel, with the person saying torch/CUDA fails on it.

No build and no "no kernel image" line in the text: a GPU no wheel with a known architecture
list covers (compute capability below sm_37: Fermi, Kepler sm_30/sm_35) is too old for every
current PyTorch wheel, so the person's own sentence that PyTorch/CUDA fails is enough, as
likely (rules/gpu_before_wheels.py). Texts after the shape of pytorch/pytorch#14681, with
near-misses: a failure not about the GPU stack, a supported GPU named beside it, a GPU some
wheel covers (K80, GTX 1080), no failure said, a denial.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

OLD = "gpu_arch_too_old_for_torch_build"


@pytest.mark.parametrize("text", [
    "GPU is GeForce GT 740M | 3.0\nThe pytorch cannot detect the old CUDA.\n",
    "I have a GeForce GTX 680 in this box.\nPyTorch does not work with my GPU, it always fails.\n",
    "GPU 0: NVIDIA GeForce GTX 660 Ti\nCUDA does not work in pytorch, it fails every time.\n",
])
def test_old_gpu_and_torch_fails(text):
    f = findings(text)
    assert OLD in f
    assert f[OLD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # the failure is not about the GPU stack
    "GPU is GeForce GT 740M\nThe script fails with KeyError: 'label' when loading the dataset.\n",
    # a GPU every current wheel covers
    "GPU: NVIDIA GeForce GTX 1080\nPyTorch does not work with my GPU, it always fails.\n",
    "GPU: Tesla K80\nPyTorch does not work with my GPU, it always fails.\n",
    # an old display GPU beside a current one
    "GPU 0: NVIDIA GeForce GT 710\nGPU 1: NVIDIA GeForce RTX 3090\nPyTorch does not work with my GPU, it always fails.\n",
    # nothing said to fail, or the failure denied
    "GPU is GeForce GT 740M | 3.0\nI use pytorch on the CPU for now.\n",
    "PyTorch works fine on my GeForce GTX 680, no problem.\n",
])
def test_near_misses(text):
    assert OLD not in findings(text)


# --------------------------------------------------------------------------- the capability said in prose
# (explain/parsers/gpu_capability_said.py): after pytorch/pytorch.github.io#72's shape
@pytest.mark.parametrize("text", [
    "with my old graphics card (GeForce GM630m => cuda capability 2.1), I always get the "
    "`cuda runtime error (8) : invalid device function` error.\n",
    "My GPU is a GeForce GTX 670M, compute capability 2.1.\nPyTorch fails on the GPU every time.\n",
])
def test_capability_said_for_own_gpu(text):
    assert OLD in findings(text)


@pytest.mark.parametrize("text", [
    # a requirement or a policy, not the person's GPU
    "PyTorch requires a GPU with compute capability 3.5 or higher.\nCUDA fails on my laptop.\n",
    "The minimum cuda capability that we support is 3.5.\nCUDA fails on my laptop.\n",
    "GPUs with compute capability >= 3.0 work here.\nCUDA fails on my laptop.\n",
    # a question
    "Does a card with cuda capability 2.1 work with pytorch? CUDA fails for me.\n",
    # a current GPU's capability
    "My GPU is an RTX 3090 with compute capability 8.6.\nPyTorch fails on the GPU every time.\n",
    # said, but nothing fails
    "My GPU is a GeForce GTX 670M, compute capability 2.1. I run pytorch on the CPU.\n",
])
def test_capability_near_misses(text):
    assert OLD not in findings(text)
