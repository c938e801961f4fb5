"""Round 25 t: two widenings of the person's-words readers of a torch build.

* explain/parsers/torch_arch_prose.py: the lack hedged ("doesn't seem to work properly on the RTX
  5080", "doesn't want to run on the RTX 5070") and a binding that ships its own libtorch build named
  as the build (TorchSharp, LibTorch): shape of dotnet/TorchSharp#1459.
* explain/parsers/torch_build_prose.py: a CPU-only torch the person saw, told with a doubtful "?"
  ("I noticed that the torch is actually installed with the cpu version? (.cuda.is_available() =
  False)"): shape of raphael-group/GASTON#8.

Near-misses: questions, advice, another cause (the driver), no build named, the trouble said over,
another program's build, a working binding, a question to someone else, an offer not taken.
Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NEW = "gpu_arch_unsupported_by_torch_build"
CPU = "torch_cpu_only_build"


@pytest.mark.parametrize("paste", [
    "I'm using TorchSharp, but it doesn't seem to work properly on the RTX 5080 Super GPU.",
    "The current torch version doesn't want to run on the RTX 5070.",
    "LibTorch does not appear to work with my RTX 5090.",
    "The installed pytorch build doesn't seem to be compatible with the RTX 5060 Ti.",
])
def test_hedged_lack_and_bindings(paste):
    f = findings(paste)
    assert NEW in f, sorted(f)
    assert "text says this PyTorch does not support" in f[NEW].explanation


@pytest.mark.parametrize("paste", [
    # a working binding, a question, advice
    "I'm using TorchSharp and it works fine on the RTX 5080.",
    "Does TorchSharp work properly on the RTX 5080?",
    "If TorchSharp does not work on your RTX 5080, use the CUDA 12.8 package.",
    # another cause: the driver
    "TorchSharp doesn't seem to work on the RTX 5080 with the old driver.",
    # no build named: PyTorch alone, a GPU most wheels have
    "I'm using PyTorch but it doesn't seem to work properly on my RTX 3060.",
    # the trouble said over
    "The current torch build doesn't seem to work properly on my RTX 5090. Now it works after installing the cu128 build.",
    # another program's build
    "Flash-attn doesn't seem to work on the RTX 5090 with the current torch version.",
])
def test_hedged_lack_near_misses(paste):
    assert NEW not in findings(paste)


@pytest.mark.parametrize("paste", [
    "I noticed that the torch is actually installed with the cpu version? (.cuda.is_available() = False)",
    "I found that pytorch was installed with the CPU version? torch.cuda.is_available() is False on my RTX 3060.",
])
def test_seen_cpu_build_with_doubt(paste):
    f = findings(paste)
    assert CPU in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # a question to someone else, a plain question, an offer not taken
    "Have you noticed that the torch is actually installed with the cpu version?",
    "Why is torch installed with the cpu version?",
    "I noticed that the installer offers the cpu version, should I install it?",
    "Did I notice that torch was installed with the cpu version?",
    # the trouble said over
    "I noticed that the torch was installed with the cpu version before, but I reinstalled with cu121 and now "
    "torch.cuda.is_available() is True.",
])
def test_seen_cpu_build_near_misses(paste):
    assert CPU not in findings(paste)


def test_seen_cpu_build_ive_found():
    assert CPU in findings("I've found that torch got installed with the CPU version? cuda is not available.")
