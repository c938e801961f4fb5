"""Round 27 b: a PyTorch build that lost (or never had) the GPU's architecture, in more forms:

* explain/parsers/torch_arch_prose.py: the build said not to hold the GPU's kernels ("the PyTorch
  2.7.1 binary … does not contain sm_61", "doesn't include kernels for Pascal", "lacks sm_120") or to
  have lost them ("the torch 2.8 wheels dropped sm_61 support", "no longer supports the GTX 1080",
  "移除了对Pascal的支持"); rules/torch_arch_said.py takes the direction from the sentence where the
  wheels lack the GPU both ways, and reads the sentence even where the only build in the text is
  an install command typed after it (what the person tried next: deepbeepmeep/Wan2GP#1933).
* messages.toml r27b: cuBLAS's CUBLAS_STATUS_ARCH_MISMATCH at handle creation (`cublasCreate(handle)`)
  on a GPU the newest wheels dropped: a CUDA 13 PyTorch's bundled cuBLAS refusing a Pascal P100
  (Differentiable-Electron-Crystallography/diffBloch#144).

Near-misses: the claim said to be over, a question, advice and conditions, the driver or an
extension dropping the GPU, an install command shown before the sentence whose build holds the GPU,
ARCH_MISMATCH at a routine (an fp8 matmul) or on a GPU every wheel supports, torch's arch list in
the text holding the GPU, a CPU-only build. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

OLD = "gpu_arch_too_old_for_torch_build"
NEW = "gpu_arch_unsupported_by_torch_build"
ARCH = (OLD, NEW)
CUBLAS = "RuntimeError: CUDA error: CUBLAS_STATUS_ARCH_MISMATCH when calling `cublasCreate(handle)`"


@pytest.mark.parametrize("paste, fid", [
    ("GTX 1070 here. The pre-compiled PyTorch 2.7.1 binary does not contain sm_61, which the older Pascal cards need.",
     OLD),
    ("My GTX 1080 Ti fails. The torch 2.8 wheels dropped sm_61 support.", OLD),
    ("I have a GTX 1060. The current PyTorch build no longer supports the GTX 1060.", OLD),
    ("Tesla V100 here: the torch 2.11 cu130 build doesn't include kernels for the V100 any more, it was dropped.",
     OLD),
    ("The current PyTorch release lacks sm_120 yet, so my RTX 5090 cannot run it.", NEW),
    # the only build in the text is the command typed afterwards: what was tried next
    ("GTX 1070. The PyTorch 2.7.1 binary from the instructions does not contain sm_61.\n\n\n\n"
     "Then I ran:\npip install torch==2.7.1 --index-url https://download.pytorch.org/whl/cu118", OLD),
    ("显卡是GTX 1080，torch 2.8 版本不再支持 sm_61。", OLD),
    # the GPU with its architecture in brackets, before the lack
    ("Blackwell (sm_120) is not supported by my installed torch 2.4.", NEW),
])
def test_arch_lost_said(paste, fid):
    f = findings(paste)
    assert fid in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # over
    "The torch 2.8 wheels dropped sm_61 support, so I installed the cu126 build and my GTX 1080 works now.",
    # a question
    "Does the torch 2.8 wheel still contain sm_61 for my GTX 1070?",
    # advice, a condition
    "If your PyTorch build does not contain sm_61, install the cu126 wheel for the GTX 1070.",
    # the driver dropped it, an extension dropped it
    "NVIDIA dropped support for the GTX 780 in the 470 driver; torch 1.12 still runs.",
    "flash-attn 2 dropped support for the Tesla V100; the torch 2.5.1 build is fine.",
    # the lack said, then working in the same sentence
    "PyTorch 2.8 no longer supports the GTX 1080, but the cu126 build I installed works fine.",
    # "no longer" as a failure that is over
    "Since the update torch 2.8 no longer crashes on my GTX 1080.",
    # a question with the command after it
    "GTX 1070. Is it true the PyTorch 2.7.1 binary does not contain sm_61?\n\n\n\n"
    "pip install torch==2.7.1 --index-url https://download.pytorch.org/whl/cu118",
    # the bracketed GPU in a question, or in another release
    "Is Blackwell (sm_120) not supported by torch 2.4?",
    "Blackwell (sm_120) was not supported by old versions of torch; my 2.7.1+cu128 runs it.",
    # a GPU every wheel of the release holds, said lacking: the tables contradict the guess
    "RTX 3090. The PyTorch 2.7.1 binary does not contain kernels for my RTX 3090, I think, but it runs.",
    # the command came first and its build holds the GPU: compat.py judges that build
    "pip install torch==2.7.1 --index-url https://download.pytorch.org/whl/cu118\n"
    "That PyTorch 2.7.1 binary does not contain sm_61 for my GTX 1070, someone said, but it works.",
])
def test_arch_lost_near_misses(paste):
    f = findings(paste)
    assert not set(ARCH) & set(f), sorted(f)


@pytest.mark.parametrize("paste", [
    "Tesla P100\n" + CUBLAS,
    "GPU 0: Tesla P100-PCIE-16GB\nTraceback (most recent call last):\n" + CUBLAS.replace("`", ""),
    "NVIDIA GeForce GTX 1080 Ti\n" + CUBLAS,
])
def test_cublas_arch_mismatch_at_create(paste):
    f = findings(paste)
    assert OLD in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # a GPU every wheel supports: not the wheel's CUDA
    "NVIDIA GeForce RTX 4090\n" + CUBLAS,
    # at a routine: that routine's feature, not the device
    "Tesla P100\nRuntimeError: CUDA error: CUBLAS_STATUS_ARCH_MISMATCH when calling `cublasLtMatmul(handle, ...)`",
    # no GPU known
    CUBLAS,
    # torch's own arch list in the text holds the GPU
    "Tesla P100\n>>> torch.cuda.get_arch_list()\n['sm_50', 'sm_60', 'sm_70', 'sm_75', 'sm_80', 'sm_86', 'sm_90']\n" + CUBLAS,
    # a CPU-only build
    "Tesla P100\ntorch 2.9.0+cpu\n" + CUBLAS,
])
def test_cublas_arch_mismatch_near_misses(paste):
    assert OLD not in findings(paste)
