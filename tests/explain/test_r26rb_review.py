"""Round 26 review (rb): texts written to break round 26's widened readers of library_missing_prose /
library_prose_forms, toolkit_arch_said, zlib_prose, nvenc_prose and the driver/toolkit versions in
prose. Near-misses (another machine, a colleague's, a fix said in other words, a warning said
harmless, a general remark, a condition in German, a reason other than a missing file, two programs
compared, a claim said to be theory or expected, another release named as the one used, a failure of
the past) must give no error; broken texts of the same classes in other words must be found."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

LIB = "cuda_library_missing"
ARCH = "cuda_toolkit_too_old_for_gpu_arch"
ZLIB = "cudnn_zlib_missing"
NVENC = "driver_too_old_for_nvenc_api"


# ------------------------------------------------------------------ a CUDA library said missing
@pytest.mark.parametrize("text", [
    "On the other server cudnn64_8.dll is missing.",
    "On my colleague's machine libcudnn.so.8 can not be loaded.",
    "My colleague's libcudart.so.11.0 is missing, mine is fine.",
    "TF 1.x required cudnn64_7.dll while I have cudnn64_8.dll with TF 2.10, which works great.",
    "The docs say TensorRT 8.6 needs libcudnn.so.8 and I have libcudnn.so.9 installed, but I use TensorRT 10 "
    "which needs libcudnn.so.9.",
    "The cuDNN library missing warning is harmless, training runs on the GPU.",
    "The 'cublas library not found' message can be safely ignored here.",
    "libnvrtc.so.12 can not be loaded because it was built for aarch64.",
    "cudnn_ops_infer64_8.dll could not be loaded: access denied.",
    "Missing libcudnn.so.8 is a common problem with TensorRT 8 on Ubuntu.",
    "libcudnn.so.8 was missing, reinstalled cudnn, all good now.",
    "Wenn libcudnn.so.8 fehlt, bitte cuDNN installieren.",
    "Если libcudnn.so.8 не найден, установите cuDNN.",
    "libcudart not found in ldconfig -p, but torch works because the wheel ships its own.",
    "Note: libnvrtc.so.12 could not be loaded by the JIT; this is expected without the toolkit.",
    "CuPy warns that libcudnn.so.8 can not be loaded, but I don't use cuDNN, so it's fine.",
    "The cuDNN libraries are not found in /usr/lib, they are in /usr/local/cuda/lib64 and everything works.",
    "In the docs example, cudnn64_8.dll is missing on purpose to show the error message.",
    "libcublas.so.11 cannot be loaded on CUDA 12 machines, which is why we build for cu12 too.",
    "Torch 2.1 needs libcudnn.so.8 and comes with libcudnn.so.8; my system has libcudnn.so.9 too, no problem.",
    "The old release needed cudnn64_7.dll; I have cudnn64_8.dll and use the new release.",
    "TensorFlow 2.10 expects cudart64_110.dll, and I have cudart64_110.dll and cudart64_12.dll installed.",
    "Does onnxruntime want libcudnn.so.8 even though I have libcudnn.so.9?",
    "libnccl.so.2 could not be loaded, it's only needed for multi-GPU and I have one GPU.",
    "Our tests simulate libcublas.so.12 could not be loaded to check the error path.",
])
def test_library_said_missing_near_misses(text):
    assert LIB not in errors(text)


@pytest.mark.parametrize("text", [
    "It says libcudart.so.11.0 cannot be loaded.",
    "My program keeps failing because libcublasLt.so.11 could not be loaded.",
    "PaddlePaddle wants cudnn64_8.dll but I only have cudnn64_7.dll",
    "cuDNN libs are missing on my machine",
    "On my machine the cudnn library could not be found when running the model.",
    "libcudnn.so.8 is missing on the server, so training stops.",
    "Die Bibliothek cuDNN wurde nicht gefunden.",
    'I get "libcudnn_cnn_infer.so.8 can not be loaded" every time I run inference.',
    "cudnn_cnn_infer64_8.dll could not be loaded and the program exits.",
    "没有找到cudnn库，跑不起来",
    "It works on CPU, but libcudnn.so.8 is missing for the GPU run.",
    "onnxruntime wants libcudnn.so.8 but I have libcudnn.so.9",
    "libcudnn.so.8 could not be loaded and training stops with an error.",
])
def test_library_said_missing_broken(text):
    assert LIB in findings(text)


# ------------------------------------------------------------------ the toolkit said too old for the GPU
@pytest.mark.parametrize("text", [
    "TensorRT 7 doesn't support the RTX 3090 but TensorRT 8.6 does, and that's what I'm using.",
    "CUDA 11.0 is too old for sm_86 in theory, but my A100 is fine.",
    "CUDA 9 doesn't support the RTX 2080, but I'm on CUDA 10.2 now with it.",
    "Note that CUDA 10.2 does not support the RTX 3090, so the image uses CUDA 11.3.",
    "CUDA 11.0 doesn't support the RTX 4090, that's expected, we build PTX for it on purpose.",
    "CUDA 11 doesn't support the 4090, but CUDA 11.8 does.",
    "cuda 10.2 不支持 3090，所以我装了 cuda 11.3",
    "cuda11.8不支持Python 3.13，但是我的4090没问题",
    "CUDA 11.8 doesn't support Python 3.13 yet.",
    "CUDA 12 doesn't support my GTX 680.",
    "Unlike CUDA 10.2, which doesn't support sm_86, CUDA 11.1 works on my 3090.",
    "CUDA 10.2 doesn't support sm_86 (see the release notes), I'm using CUDA 11.3.",
    "CUDA 10.2 doesn't support the 3090 — that's why our Docker image is on 11.8.",
])
def test_toolkit_arch_said_near_misses(text):
    assert ARCH not in errors(text)


@pytest.mark.parametrize("text", [
    "CUDA 11.0 cannot support RTX 4090.",
    "It turns out CUDA 10.1 is way too old for my RTX 3080.",
    "CUDA 11.3 doesn't support compute capability 8.9.",
    "cuda10.0版本太低，不支持3080",
    "CUDA 10.2 doesn't support my RTX 3090 but I need CUDA 10.2 for this repo.",
    "CUDA 10.2 doesn't support my RTX 3090, so training fails with no kernel image.",
    "But CUDA 10.2 doesn't support my RTX 3090.",
    "CUDA 10.2 doesn't support my RTX 3090 and I can't upgrade because of the old code.",
    'nvcc 11.0 does not support sm_86, the build stops with "Unsupported gpu architecture".',
    "TensorRT 8.2 doesn't support my RTX 4090, the engine build fails.",
])
def test_toolkit_arch_said_broken(text):
    assert ARCH in findings(text)


# ------------------------------------------------------------------ driver and toolkit versions in prose
@pytest.mark.parametrize("text", [
    "Is my driver compatible with CUDA 12.4? I'm about to install torch 2.4.0+cu124.",
    "The 535 driver is compatible with CUDA 12.2 and all older toolkits. I run torch 2.1.0+cu118 and training works.",
    "CUDA 12.4 requires driver version 550.54.14 or newer. I have driver 560.94 and torch 2.4.0+cu124 works.",
    "On the old server the driver supports up to CUDA 11.4; here it's 12.4. torch 2.4.0+cu124 installed.",
])
def test_driver_versions_in_prose_near_misses(text):
    assert not errors(text)


# ------------------------------------------------------------------ zlibwapi.dll said missing
@pytest.mark.parametrize("text", [
    "The installer log said zlibwapi.dll was missing, so I copied it and now it works.",
    "Missing zlibwapi.dll is a common problem with cuDNN 8.x on Windows.",
    "zlibwapi.dll was missing, copied it into CUDA\\bin, all good now.",
    "On my old laptop zlibwapi.dll was missing.",
    "cuDNN 9 no longer needs zlibwapi.dll, so nothing is missing here.",
    "I don't think zlibwapi.dll is missing, it's in C:\\Windows\\System32.",
    "zlibwapi.dll不存在的问题已经没有了",
    "The missing zlibwapi.dll error was from my old install; now cuDNN 9 is used.",
])
def test_zlib_said_near_misses(text):
    assert ZLIB not in findings(text)


@pytest.mark.parametrize("text", [
    "Windows can't locate zlibwapi.dll when I start training",
    "zlibwapi.dll not found when running the model on my PC",
    "zlibwapi.dll 找不到，cuDNN 8.6 跑不起来",
    "I think zlibwapi.dll is missing: the training crashes as soon as cuDNN starts.",
])
def test_zlib_said_broken(text):
    assert ZLIB in findings(text)


# ------------------------------------------------------------------ NVENC and an old driver
@pytest.mark.parametrize("text", [
    "Hardware encoding with NVENC fails on Linux with the old driver, which is why I upgraded to 560 and it works.",
    "NVENC failed with an old driver last year; I'm on 560.94 now and encoding is fine.",
    "NVENC requires driver 570 or newer; I have 572.16 and it works.",
    "The docs say NVENC needs driver 551.76 and later; errors happen if you run 537.58.",
    "nvenc报错，不是驱动太旧的问题",
    "NVENC fails with error 'unsupported device', I don't think it's an old driver.",
])
def test_nvenc_said_near_misses(text):
    assert NVENC not in findings(text)


@pytest.mark.parametrize("text", [
    "NVENC fails: OBS says driver 551.76 and later is required but I have 537.58.",
    "NVENC doesn't work in HandBrake, my driver is too old.",
    "nvenc报错，驱动版本太低",
    "I think NVENC fails because my driver is too old.",
])
def test_nvenc_said_broken(text):
    assert NVENC in findings(text)
