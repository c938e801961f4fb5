"""Review of round 25 t (and the merger's session-13 "but … now it works"): texts a working
machine's owner, or a person with another problem, would write around the widened readers.

* explain/parsers/torch_arch_prose.py: "doesn't work correctly / well on the RTX 3090" is wrong
  numbers or slowness (the kernels ran: pytorch/pytorch#58434's RTX 3090 results, tf32), not a
  build without the GPU; "properly" / "at all" stay. Hearsay ("someone on Discord said …") is
  not this machine.
* explain/parsers/torch_build_prose.py: a build that "would / could / might have" been installed
  is a counterfactual or a guess, not what got onto the machine; one on another machine, in a
  reference, or in a fix's description for users ("intended to fix issues with the user getting a
  CPU-only version of torch", invoke-ai/InvokeAI#2532) is not this machine's.
* explain/resolved.py: what follows "now it works" can take it back ("now it works only on the
  CPU", "now it runs out of memory", "now it works ... until I start training", "now it works on
  my other machine"): the problem is not over.

Texts written for the test, in the shapes of the threads named."""

from __future__ import annotations

import pytest

from envcheck.explain.resolved import said_over
from envcheck.explain.source import normalise
from envcheck.rules.finding import Severity
from tests.rules.test_unseen_classes import findings

ARCH = "gpu_arch_unsupported_by_torch_build"
CPU = "torch_cpu_only_build"


def _errors(paste):
    return sorted(i for i, f in findings(paste).items() if f.severity is Severity.ERROR)


# --- torch_arch_prose: near-misses --------------------------------------------------------------

@pytest.mark.parametrize("paste", [
    # wrong numbers or slowness: the kernels ran
    "PyTorch 1.8.1 doesn't seem to work correctly on the RTX 3090: the results are totally different "
    "from the GTX 1080 Ti.",
    "torch.matmul in PyTorch 1.10 does not seem to work correctly on the RTX 3080, the result is rounded.",
    "TorchSharp: torch.nn.functional.interpolate doesn't seem to work correctly on the RTX 3080, the "
    "output is shifted compared to Python.",
    "torch 2.1 doesn't seem to work well on my RTX 3080, it is slower than my old GTX 1080.",
    # another reason given
    "The TorchSharp sample does not seem to work properly on the RTX 4060 laptop because the batch size "
    "is too large for 8 GB.",
    "torch 2.1 doesn't work on my RTX 3060 because my power supply is too weak.",
    # a doubt
    "I am not sure whether the current torch build doesn't support my RTX 5090.",
    "I wonder if LibTorch doesn't seem to work properly on the RTX 5080.",
    # hearsay: other people's machines
    "Someone in the Discord said that the current PyTorch doesn't seem to work properly on the RTX 5090.",
    "Someone on Reddit said the current PyTorch doesn't work with the RTX 5090, mine is a 4090.",
    "A user on the forum said the current PyTorch doesn't support the RTX 5090.",
    # already passing: another machine, a reference, a question, the trouble over
    "I'm using TorchSharp on an RTX 4090 and everything works. The README says TorchSharp doesn't seem "
    "to work properly on the RTX 5080 yet, so I'm holding off on upgrading.",
    "The stable torch build does not appear to be compatible with the RTX 5090 according to the release "
    "notes; I'm on a 4090 so I'm fine.",
    "My friend's LibTorch doesn't seem to work properly on his RTX 5090, mine works fine on the 4090.",
    "Other people report that libtorch doesn't seem to work properly on the RTX 5090.",
    "Libtorch 2.2 doesn't seem to want to run on my RTX 3060 in Release mode, only in Debug mode. Any idea?",
    "LibTorch doesn't seem to want to run on my RTX 5090?",
    "I'm using TorchSharp, but it doesn't seem to work properly on the RTX 5080 Super GPU. I fixed it by "
    "switching to libtorch-cuda-12.8, now it works.",
])
def test_arch_near_misses_get_no_arch_finding(paste):
    f = findings(paste)
    assert ARCH not in f, f[ARCH].explanation


@pytest.mark.parametrize("paste", [
    "I'm using TorchSharp, and it doesn't seem to work properly on the RTX 5080 Super GPU.",
    "The current PyTorch doesn't seem to work properly on the RTX 5090.",
    "PyTorch 2.6 (cu124) doesn't appear to support the RTX 5090.",
    "libtorch 2.5.1+cu124 doesn't seem to work properly on my RTX 5090.",
    "The stable pytorch doesn't seem to work at all on the RTX 5090.",
    "The current PyTorch does not work with the RTX 5090 because it was built with CUDA 12.4.",
    "The installed torch doesn't support my RTX 5080 due to its sm_120 architecture.",
    "Someone in the Discord said to reinstall it, but the current PyTorch still doesn't work with my RTX 5090.",
])
def test_arch_broken_in_other_words_found(paste):
    assert ARCH in findings(paste)


# --- torch_build_prose ------------------------------------------------------------------------

@pytest.mark.parametrize("paste", [
    "I noticed that pip would have installed the cpu version of torch?",
    "I noticed that pip would have installed the cpu version of torch without the index URL.",
    "I found that pip could have installed the cpu version of torch?",
    "Pip might have installed the CPU version of torch, I am not sure.",
    # another machine, a reference, a fix described for users (invoke-ai/InvokeAI#2532, a pull
    # request's description, verbatim)
    "pip installed the CPU version of torch on my old laptop.",
    "According to the docs, pip installs the CPU version of torch on Windows.",
    "This PR fixes the case where users end up with the CPU version of torch.",
    "For the torch and torchvision libraries **only**, the installer will now pass the pip `--force-reinstall` "
    "option. This is intended to fix issues with the user getting a CPU-only version of torch and then not being "
    "able to replace it.",
    # the build described, not had; the event in another sentence
    "There is also a CPU-only version of torch.",
    "I installed everything with the cu124 index; there is also a CPU-only version of torch for people "
    "without a GPU.",
    "Installed with the cu121 index. The CPU version of torch is 200 MB smaller.",
    "The project page offers a CPU version of torch for laptops.",
    # already passing
    "I noticed that the CPU build is NOT installed?",
    "I checked and found that the cuda version of torch is installed, not the cpu one?",
    "Have you noticed that pip installed the cpu version of torch?",
    "I noticed the cpu version of torch got installed, should I install it?",
    "I noticed in the docs that pip installs the cpu version of torch by default on Windows?",
    "I noticed that torch was installed with the cpu version on my other machine?",
    "I noticed that the installer downloaded the cpu version of torch first? Then it replaced it with "
    "the cu124 build, and torch.cuda.is_available() is True.",
])
def test_cpu_build_near_misses_get_no_error(paste):
    assert CPU not in _errors(paste)


@pytest.mark.parametrize("paste", [
    "I've found that uv installed the CPU-only torch wheel?",
    "I realized that pip installed the CPU version of torch? Weird.",
    "I noticed pip installed the cpu version of torch?? torch.cuda.is_available() returns False",
    "It seems pip would not find the cu121 wheel, so it installed the cpu version of torch.",
    "Pip must have installed the CPU version of torch, torch.cuda.is_available() is False.",
    "I would have expected pip to install the cuda build but it installed the cpu version of torch.",
    "I tried to fix the issue with pip installing the cpu version of torch by adding the index URL, but it "
    "still installs the cpu version.",
    "For some people the installer installs the cpu only version of torch, and I am one of them.",
    "My torch is the CPU version.",
    "I have the CPU version of torch installed.",
    "pip installed the CPU version of torch, which is 200 MB smaller.",
])
def test_cpu_build_claims_found(paste):
    assert CPU in findings(paste)


# --- resolved.py ------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "I reinstalled torch, but now it works on CPU only.",
    "I reinstalled torch, but now it works only on the CPU.",
    "I upgraded the driver, but now it runs on the CPU instead of the GPU.",
    "I upgraded torch but now it runs out of memory.",
    "I rebooted, but now it works... until I start training.",
    "I reinstalled the driver, but now it works only when I run it as root.",
    "The driver was broken, but now it works on my other machine.",
    "I tried the nightly, however now it runs extremely slowly.",
    "It crashed, but now it works for a few minutes and then crashes again.",
    "I switched to cu128 but now it runs, then crashes after 5 minutes with Xid 79.",
    "I updated the driver but now it works except for multi-GPU training.",
    "I reinstalled it, but now it works intermittently.",
    "I reinstalled, but now it works sometimes.",
    "It works now only on the CPU.",
    "It works now, then crashes after an hour.",
    "Now it works on the CPU.",
    "Update: solved by using the CPU.",
    "It works now with the CPU, the GPU is still not found.",
    # already passing
    "It works now, but slow.",
    "It failed with CUDA error: no kernel image, but now it fails differently.",
    "CUDA was not found, but now it works in the container while the host still fails.",
])
def test_not_over_when_what_follows_takes_it_back(line):
    assert said_over(normalise(line)) is None


@pytest.mark.parametrize("line", [
    "torch 1.7 did not support my RTX 3090, but I upgraded and now everything works.",
    "nvidia-smi failed after the kernel update, however a reboot fixed it.",
    "It did not work at first, but now it works fine.",
    "It didn't work yesterday but it works now with the nightly build.",
    "I reinstalled the driver and it works now without any errors.",
    "It works now on the GPU.",
    "After a reboot it works again, thanks.",
    # the words after it do not take it back
    "Fixed it by installing the cu121 build; it works now on the GPU instead of the CPU.",
    "I reinstalled torch with the cuda index and now it runs on the GPU instead of on the CPU.",
    "Now it works on the CPU and the GPU.",
    "Update: solved by switching from the CPU wheel to the cu124 wheel.",
    "It works now, thanks! I only needed to reboot.",
    "After a reboot it works again, no more crashes.",
    "Now it works, then I ran the training and it finished.",
    "Reinstalled the driver and now it runs without crashing.",
    "now it works perfectly, the training is much faster than on the CPU.",
])
def test_real_over_statements(line):
    assert said_over(normalise(line))


def test_a_new_problem_after_but_keeps_the_error():
    text = ("RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
            "I reinstalled torch, but now it works only on the CPU.")
    f = findings(text)
    assert any(x.severity is Severity.ERROR for x in f.values()), sorted(f)
