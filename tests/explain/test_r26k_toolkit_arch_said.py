"""Round 26 k: a CUDA toolkit or a TensorRT too old for the GPU, told in the person's words
(parsers/toolkit_arch_said.py, rules/toolkit_arch_said.py) or by TensorRT's "Unsupported SM"
(messages.toml, "# --- r26k ---"). Texts written for the test, each class with near-misses: a
question, a condition or advice, a denial, a failure said to be over, a change already made,
another machine, and a claim the compute_capability table contradicts.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

OLD = "cuda_toolkit_too_old_for_gpu_arch"


@pytest.mark.parametrize("text", [
    "I have an RTX 3090. CUDA 10.2 is too old for sm_86, the extension build fails.",
    "My GPU is a 3090 and cuda 11.0 does not support 8.6, so setup.py stops.",
    "Just got an RTX 2080 Ti and the demo crashes. I guess my current GPU does not support CUDA 8.",
    "Building fails on the RTX 4090: CUDA 11.7 doesn't support compute capability 8.9.",
    "CUDA 12.6 does not support sm_120 so the kernels for my RTX 5090 cannot be built.",
    "服务器是3090，cuda10.2不支持3090，编译报错。",
])
def test_cuda_too_old_said(text):
    assert OLD in findings(text)


@pytest.mark.parametrize("text", [
    # a question, a condition, advice
    "Does CUDA 11.0 support sm_86 on my RTX 3090?",
    "CUDA 10.2 is too old for sm_86, right?",
    "If CUDA 10.2 doesn't support sm_86, which version should I install for the RTX 3090?",
    "You should check whether CUDA 11.0 does not support the RTX 3090 before building.",
    # a denial
    "It's not that CUDA 11.8 doesn't support the RTX 4090; the build fails for another reason.",
    # the table says otherwise: the release knows the GPU (or the GPU is too old for it)
    "CUDA 11.7 does not support my RTX 3090, the build fails.",
    "My GTX 680 doesn't support CUDA 12, so I stay on 10.2.",
    # a change already made, a failure said to be over
    "CUDA 11.0 doesn't support the 3090, so I installed CUDA 11.1 and rebuilt.",
    "CUDA 11.0 did not support my RTX 3090 but after the upgrade it works now.",
    # another machine
    "CUDA 10.2 is too old for sm_86 on my other machine, this one has CUDA 12.1.",
    # the driver's CUDA, not the toolkit's; the GPU as the subject (Ollama's own line)
    "CUDA 10.2 from the driver does not support sm_86.",
    'level=INFO source=gpu.go:251 msg="[0] CUDA GPU is too old. Compute Capability detected: 3.7"',
    # "too old" with neither a release nor the GPU in the sentence
    "I have an RTX 4090 and my CUDA is too old.",
    # something else not supported: a feature, a Python
    "I have an RTX 5090. CUDA 12.1 doesn't support Python 3.13, so I use 3.12.",
    "On my RTX 5090, CUDA 12.1 does not support FP4 on this card and the kernel is slow.",
    # said in Chinese: a question, the table denying it
    "cuda10.2不支持3090吗？",
    "服务器是3090，cuda12.1不支持3090，编译报错。",
])
def test_cuda_near_misses(text):
    assert OLD not in findings(text)


@pytest.mark.parametrize("text", [
    "TensorRT 8.4.1.5 doesn't support RTX 4080's SM, the engine build aborts.",
    "It seems that my tensorrt version is too low to support RTX4090(Compute Capability 8.9).",
    "[01/04/2023-17:36:59] [F] [TRT] Assertion failed: Unsupported SM: 0x809",
    "GPU: RTX A6000\n[11/15/2021-17:51:03] [E] [TRT] ../rtSafe/cuda/caskUtils.cpp (80) - "
    "Assertion Error in trtSmToCask: 0 (Unsupported SM.)",
    "[E] [TRT] 1: [caskUtils.cpp::trtSmToCask::147] Error Code 1: Internal Error (Unsupported SM: 0x806)",
    "TensorRT backend: 2: [helpers.h::nvinfer1::smVerHex2Dig::694] Error Code 2: Internal Error "
    "(Assertion major >= 0 && major < 10 failed. )",
])
def test_tensorrt_too_old(text):
    assert OLD in findings(text)


@pytest.mark.parametrize("text", [
    "Does TensorRT 8.4 support the RTX 4080?",
    "TensorRT 8.6 doesn't support INT4 on my RTX 4090, only INT8.",
    "If TensorRT 8.4 doesn't support RTX 4080, should I use 8.5?",
    "TensorRT 8.4 doesn't support RTX 4080 on my colleague's machine; mine has 8.6 and works.",
    # an older GPU: TensorRT may have dropped it rather than predate it
    "[F] [TRT] Assertion failed: Unsupported SM: 0x601",
    "GPU: GeForce GTX 1080\n[E] [TRT] Assertion Error in trtSmToCask: 0 (Unsupported SM.)",
    # no GPU known: which way is not said
    "[E] [TRT] Assertion Error in trtSmToCask: 0 (Unsupported SM.)",
])
def test_tensorrt_near_misses(text):
    assert OLD not in findings(text)


def test_a_working_report_naming_versions_gets_no_error():
    text = ("Hardware: Jetson Thor (SM110), CUDA 13.0, built with -DCMAKE_CUDA_ARCHITECTURES=110.\n"
            "TensorRT 10.13 supports sm_110 and the engine builds fine; the question is about output quality.")
    assert errors(text) == {}
