"""Round 26 b: two widenings of the person's-words readers of a CPU-only torch.

* explain/parsers/torch_build_prose.py: a resolver said to take the build ("pip searches PyPI
  first, grabbing the non-cuda pytorch version", "uv picked up the CPU-only build of torch"):
  shape of dmMaze/BallonsTranslator#139.
* explain/parsers/torch_belief_prose.py (new): the CUDA build believed installed and found
  missing ("I thought I had the cuda version but it didn't for some reason"): shape of
  seanghay/uvr-mdx-infer#2.

Near-misses: denials, questions, conditions, advice, another framework's build, the CUDA build
had but failing otherwise, another machine, a belief kept, the trouble said over. Texts written
for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

CPU = "torch_cpu_only_build"


@pytest.mark.parametrize("paste", [
    "pip install torch torchvision --extra-index-url https://download.pytorch.org/whl/cu116\n"
    "this causes pip to search for pypi/simple first and then the pytorch wheels second, grabbing the non-cuda "
    "pytorch version.",
    "On my RTX 3060 laptop, uv picked up the CPU-only build of torch from PyPI.",
    "pip grabbed the cpu-only pytorch wheel instead, so torch.cuda.is_available() is False on my 4090.",
])
def test_resolver_took_cpu_build(paste):
    f = findings(paste)
    assert CPU in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # denied, advice, a question, a condition
    "Use --index-url so pip doesn't end up grabbing the non-cuda pytorch version on your RTX 3060.",
    "Should pip grab the non-cuda pytorch version here? My GPU is an RTX 3060.",
    "If pip grabs the non-cuda pytorch version, reinstall with --index-url. My GPU is an RTX 3060.",
    # another framework's build
    "pip grabbed the CPU-only version of onnxruntime instead of onnxruntime-gpu on my RTX 3060.",
    # chosen on purpose
    "For the CI runners we deliberately let pip grab the cpu-only pytorch wheel.",
])
def test_resolver_near_misses(paste):
    assert CPU not in findings(paste)


@pytest.mark.parametrize("paste", [
    "It is only using my CPU and not my GPU (a 1050ti).\n\n"
    "Thanks, I thought I had the cuda version but it didn't for some reason.",
    "My RTX 3070 sits idle. I assumed I had installed the GPU version of pytorch, but I hadn't.",
    "I thought torch was the CUDA build, but it turned out to be the CPU one. GPU: RTX 4090.",
    "我以为装的是GPU版本的torch，结果是CPU版本。显卡是3060。",
    "GPU版のtorchを入れたつもりがCPU版だった。GPUはRTX 3060です。",
])
def test_belief_corrected(paste):
    f = findings(paste)
    assert CPU in f, sorted(f)
    assert "believed installed was not" in f[CPU].explanation or f[CPU].evidence


@pytest.mark.parametrize("paste", [
    # the CUDA build had, failing otherwise
    "I thought I had the cuda version but it didn't work on my RTX 3060.",
    "I thought I had the cuda version of pytorch, but it didn't detect my RTX 3060.",
    "I thought I had the cuda version but it wasn't the problem; the driver was too old for my RTX 3060.",
    # a belief kept
    "I thought I had the cuda version, and I do: torch 2.1.0+cu121 sees my RTX 3060.",
    # a question, a condition
    "Did you think you had the cuda version but it wasn't? My RTX 3060 is idle.",
    "If you thought you had the cuda version but didn't, reinstall it. RTX 3060 here.",
    # another framework's build
    "I thought I had the cuda version of onnxruntime but I didn't; my RTX 3060 is idle.",
    # another machine
    "On my old laptop I thought I had the cuda version but it wasn't. This RTX 3060 box is fine.",
])
def test_belief_near_misses(paste):
    assert CPU not in findings(paste)


def test_belief_said_over_is_no_error():
    """The reporter's fix told in its own sentence: the cause stays, not as an error."""
    paste = ("My RTX 3060 was idle and I thought I had the cuda version but it didn't.\n"
             "Update: solved, I reinstalled the cuda version and it works fine now.")
    assert CPU not in errors(paste)
