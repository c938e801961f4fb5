"""CUDA could not JIT-compile a program's PTX for the GPU named in the text (CUDA_ERROR_INVALID_PTX,
rules/ptx_jit.py): the build has no code for that GPU's architecture. Texts written for the test
from TensorFlow's kernel_gen wrapper line and CUDA's error string, none taken from the diagnosis
corpus; near-misses keep the words with a driver older than the program's CUDA, no GPU, a
question, or a torch build that covers the GPU."""

from __future__ import annotations

import pytest

from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import errors, findings

FID = "gpu_arch_unsupported_by_torch_build"
TF = ("W tensorflow/compiler/mlir/tools/kernel_gen/tf_gpu_runtime_wrappers.cc:40] 'cuModuleLoadData(&module, data)' "
      "failed with 'CUDA_ERROR_INVALID_PTX'\n")
JIT = "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to load PTX text as a module: CUDA_ERROR_INVALID_PTX: a PTX JIT compilation failed\n"

BROKEN = [
    "I'm running TensorFlow 2.20 on an RTX 5090.\n" + TF,
    "GPU: NVIDIA GeForce RTX 5070 Ti\n" + JIT,
    "| NVIDIA-SMI 575.51.03   Driver Version: 575.51.03   CUDA Version: 12.9 |\n"
    "|   0  NVIDIA B200   On  | 00000000:1B:00.0 Off |   0 |\n" + TF,
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_ptx_jit_failure_on_a_named_gpu_is_a_build_without_its_architecture(text):
    f = errors(text)
    assert FID in f and f[FID].confidence is Confidence.LIKELY


NEAR_MISS = [
    # the driver is older than the program's CUDA: the other way PTX fails
    "GPU: NVIDIA GeForce RTX 3090\n" + TF + "CUDA driver version is insufficient for CUDA runtime version\n",
    # no GPU in the text
    TF,
    # asked about
    "My GPU is an RTX 4090. What does CUDA_ERROR_INVALID_PTX? mean here",
    # torch's own arch list covers the GPU: the failing module is not torch's build
    "PyTorch version: 2.8.0+cu128\ntorch.cuda.get_arch_list(): ['sm_75', 'sm_80', 'sm_86', 'sm_90', 'sm_100', 'sm_120']\n"
    "GPU 0: NVIDIA GeForce RTX 5090\n" + JIT,
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_near_misses_do_not_blame_the_build(text):
    assert FID not in findings(text)
