"""Round 19 t: desktop GeForce GT cards named in words, and MXNet 0.x's CPU-build message.

* "GT 730", "GeForce GT 710", "GT 1030": the desktop GT parts were not read as GPU names (only the
  laptop "GT 7xxM" were), so a report naming one had no GPU, got "no kernel image" judged as a GPU
  newer than the build, or (with "run it on my CPU") no NVIDIA GPU at all. Now the name is read
  when it says "GT" in capitals or after GeForce/NVIDIA; "gt 730" alone (greater-than) is not.
* MXNet 0.5-0.7 said "src/storage/storage.cc:43: Please compile with CUDA enabled" where later
  releases say "Compile with USE_CUDA=1 to enable GPU usage": the same CPU-only build
  (framework_cpu_only_build). Texts after the shapes of real reports (apache/mxnet#260, #1121,
  SlicerDentalSegmentator#23); near-misses: a working MXNet on the GPU, the message quoted in a question."""

from __future__ import annotations

import pytest

from envcheck.explain.gpu_names import mentions
from tests.rules.test_unseen_classes import errors, findings

TOO_OLD = "gpu_arch_too_old_for_torch_build"
CPU_BUILD = "framework_cpu_only_build"


@pytest.mark.parametrize("line, name", [
    ("pasting this into GPT along with the name of my GPU (GT 730), it says", "NVIDIA GeForce GT 730"),
    ("I couldn't run it using Nvidia GeForce GT 730.", "NVIDIA GeForce GT 730"),
    ("my old geforce gt 710 card", "NVIDIA GeForce GT 710"),
    ("GT 1030 2GB", "NVIDIA GeForce GT 1030"),
    ("NVIDIA GeForce GT 730M here", "NVIDIA GeForce GT 730M"),
])
def test_desktop_gt_parts_are_gpu_names(line, name):
    assert [n for n, _ in mentions(line)] == [name]


@pytest.mark.parametrize("line", [
    "if loss gt 730 then stop",      # a greater-than, no GeForce/NVIDIA, no capitals
    "gt 3060",                        # no GT part has that number
    "RGT 710 relay",                  # another word
    "GT 999 unknown",                 # not a GT model number
])
def test_near_misses_are_not_gpu_names(line):
    assert mentions(line) == []


def test_no_kernel_image_on_a_named_gt_730_is_a_gpu_too_old():
    text = ("RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
            "with the name of my GPU (GT 730), it says that PyTorch needs a card with compute capability 5.0.\n")
    got = errors(text)
    assert TOO_OLD in got
    assert "gpu_arch_unsupported_by_torch_build" not in got


def test_a_named_gt_card_is_not_no_nvidia_gpu():
    text = ("I couldn't run stable diffusion using Nvidia GeForce GT 730.\n"
            "It takes a lot when I run it on my CPU only.\n")
    assert "no_nvidia_gpu_found" not in findings(text)


def test_a_working_gt_1030_gets_no_error():
    text = (">>> import torch\n>>> torch.__version__\n'1.12.1+cu113'\n>>> torch.cuda.is_available()\nTrue\n"
            ">>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce GT 1030'\n")
    assert not errors(text)


@pytest.mark.parametrize("text", [
    "  File \"/usr/local/lib/python2.7/dist-packages/mxnet-0.5.0-py2.7.egg/mxnet/base.py\", line 72, in check_call\n"
    "    raise MXNetError(py_str(_LIB.MXGetLastError()))\n"
    "mxnet.base.MXNetError: [16:53:11] src/storage/storage.cc:43: Please compile with CUDA enabled\n",
    "[10:13:08] D:\\chhong\\mxnet\\dmlc-core\\include\\dmlc/logging.h:208: [10:13:08] "
    "D:\\chhong\\mxnet\\src\\storage\\storage.cc:44: Please compile with CUDA enabled\n",
])
def test_mxnet_0x_please_compile_with_cuda_is_a_cpu_only_build(text):
    assert CPU_BUILD in errors(text)


@pytest.mark.parametrize("text", [
    ">>> import mxnet as mx\n>>> a = mx.nd.ones((2, 3), mx.gpu())\n>>> print(a.asnumpy())\n[[1. 1. 1.]\n [1. 1. 1.]]\n"
    "mxnet-cu112 1.9.1\n",
    "Please compile with CUDA enabled -- what does this mean, is it about my build?\n",  # no MXNet path: not its log
])
def test_working_mxnet_or_the_words_alone_are_not_a_cpu_build(text):
    assert CPU_BUILD not in findings(text)
