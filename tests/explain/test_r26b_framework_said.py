"""Round 26 b: a framework's CPU-only build (framework_cpu_only_build) said in more forms:

* explain/parsers/framework_builds.py: llama-cpp-python "built / installed (from PyPI) without
  CUDA / cuBLAS / CMAKE_ARGS" (a claim of its build: rules/framework_build.py never reads a listing
  of it); the CPU package named by its own name ("I had installed tensorflow-cpu by mistake");
  "faiss-cpu instead of faiss-gpu"; Chinese "装成了CPU版" (got installed as the CPU version).
* messages.toml r26b: the build's own answer retold in words ("tf.test.is_built_with_cuda()
  returns False", "paddle.device.is_compiled_with_cuda() is False") and ONNX Runtime's
  get_device() 'CPU': likely, and only with an NVIDIA GPU known.

Near-misses: the answer True / 'GPU', the answer no longer False, a machine without an NVIDIA GPU,
advice and denials, a question, a condition, a listing of llama-cpp-python alone, a guide
quoted, a CPU package chosen on purpose, the GPU package said installed. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "framework_cpu_only_build"


@pytest.mark.parametrize("paste", [
    "RTX 3060. >>> onnxruntime.get_device()\n'CPU'",
    "RTX 3060. tf.test.is_built_with_cuda() returns False",
    "RTX 3060. paddle.device.is_compiled_with_cuda() is False",
    "RTX 3060. I had installed tensorflow-cpu by mistake, so training ran on the CPU.",
    "RTX 3060. llama-cpp-python was built without CUDA support, so n_gpu_layers does nothing.",
    "RTX 3060. llama_cpp_python was installed from PyPI without CMAKE_ARGS so it has no GPU offload.",
    "显卡3060，onnxruntime装成了CPU版，推理很慢。",
    "RTX 3060. I installed faiss-cpu instead of faiss-gpu.",
])
def test_framework_cpu_build_said(paste):
    f = findings(paste)
    assert ID in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "RTX 3060. tf.test.is_built_with_cuda() returns True",
    "RTX 3060. tf.test.is_built_with_cuda() no longer returns False after installing tensorflow[and-cuda].",
    "This laptop has no NVIDIA GPU; tf.test.is_built_with_cuda() returns False, which is fine.",
    "RTX 3060. paddle.device.is_compiled_with_cuda() returns True",
    "RTX 3060. onnxruntime.get_device() returns 'GPU'",
    "Don't install tensorflow-cpu on a GPU machine like my RTX 3060.",
    "Should I install faiss-cpu or faiss-gpu? RTX 3060",
    "RTX 3060. llama-cpp-python was built with CUDA support and n_gpu_layers works.",
    "If llama-cpp-python was built without CUDA, rebuild it. RTX 3060",
    "RTX 3060\nPackage           Version\n----------------- -------\nllama_cpp_python  0.2.77\nnumpy             1.26.4",
    "The README says to pip install tensorflow-cpu, but I have an RTX 3060 and installed tensorflow[and-cuda].",
    "My CI runners use faiss-cpu on purpose; this workstation has an RTX 3060 with faiss-gpu.",
    "RTX 3060. I installed faiss-gpu, not faiss-cpu.",
])
def test_framework_cpu_build_near_misses(paste):
    assert ID not in findings(paste)
