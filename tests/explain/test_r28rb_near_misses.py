"""Review of round 28 (rb): round 28 k's and l's widened classes against texts a working machine's
owner would paste and near-misses (advice, a definition, a denial, another machine or person, a
failure over), with broken texts of the same classes in other words.

* CUDA's error 803 read as nvml_driver_library_mismatch outside a container: not when the sentence
  defines it ("usually means"), denies it, or puts it on another machine.
* A build of compiled CUDA code said to fail (build_failure_said): not an editor's extension, not
  "make sure", not a failure after the build said to go through ("installed xformers without
  problems, but training crashes"), not a build failing for a reason named (MSVC missing).
* torch and torchvision named with versions (companion_pair_said): not someone else's pair, not a
  pair "known to crash", not when two pairs are named.
* cuDNN's loader line without its reason and torchvision's / torchaudio's ops missing: not on
  another machine.

Texts written for the test, in the shapes of GitHub issue pastes."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors

MISMATCH = "nvml_driver_library_mismatch"
TOO_OLD = "cuda_toolkit_too_old_for_gpu_arch"
OTHER_TORCH = "extension_built_for_other_torch"
CUDA_LIB = "cuda_library_missing"
_803 = "system has unsupported display driver / cuda driver combination"
_WARN = ("UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions "
         f"before calling NumCudaDevices() that might have already set an error? Error 803: {_803} (Triggered "
         "internally at ../c10/cuda/CUDAFunctions.cpp:109.)")


@pytest.mark.parametrize("paste", [
    "On my colleague's server we see CUDA error 803, but my workstation works fine.\n",
    "It's not the CUDA error 803 issue, I rebooted already. nvidia-smi works fine.\n",
    "I don't get CUDA error 803 here, the GPU shows up in nvidia-smi and training runs.\n",
    "For the record, cudaGetDeviceCount returned 803 usually means a reboot is pending after a driver update.\n",
    "I no longer get CUDA error 803 since the reboot.\n",
])
def test_803_not_reported_here(paste):
    assert MISMATCH not in errors(paste)


@pytest.mark.parametrize("paste", [
    f"After apt upgrade my training script prints:\n{_WARN}\nand torch.cuda.is_available() returns False\n",
    f"torch.cuda.is_available() is False and the warning says Error 803: {_803}. Ubuntu 22.04, driver 550.\n",
    "deviceQuery on the new server fails: cudaGetDeviceCount returned 803\n",
])
def test_803_reported_here(paste):
    assert MISMATCH in errors(paste)


@pytest.mark.parametrize("paste", [
    "RTX 4090, CUDA 11.7 installed. Installing the Python extension in VS Code gives an error.\n",
    "RTX 4090 and CUDA 11.7. Make sure the kernels error out cleanly, that is what this PR tests.\n",
    "I have an RTX 4090 with CUDA 11.7. I installed xformers from the prebuilt wheel without problems, but training "
    "crashes with CUDA out of memory.\n",
    "RTX 4090 with CUDA 11.7. The apex build went fine, but training crashes after an hour.\n",
    "RTX 4090, CUDA 11.7. pip install deepspeed fails with error: Microsoft Visual C++ 14.0 or greater is required.\n",
    "RTX 4090, CUDA 11.8. I built flash-attn from source and it compiled without any errors. Works great.\n",
    "RTX 5090 with CUDA 12.4. Building flash-attn failed, so I upgraded to CUDA 12.8 and now it compiles fine.\n",
])
def test_build_said_near_misses(paste):
    assert TOO_OLD not in errors(paste)


@pytest.mark.parametrize("paste", [
    "RTX 5090, CUDA 12.4 installed. pip install flash-attn fails with a long error.\n",
    "RTX 5090 and CUDA 12.4. I tried to build flash-attn but it fails with an error.\n",
    "RTX 5090, CUDA 12.4: I installed sageattention, but it errors out.\n",
    "显卡 RTX 4090，CUDA 11.7，编译 mmcv 时报错。\n",
])
def test_build_said_broken(paste):
    assert TOO_OLD in errors(paste)


@pytest.mark.parametrize("paste", [
    "My colleague has torch 1.13.1 and torchvision 0.15.1 and gets an error; mine pairs fine.\n",
    "Tested with torch 2.0.1 and torchvision 0.16.0 (this combination is known to crash). My setup is torch 2.1.0 + "
    "torchvision 0.16.0 and works.\n",
    "The old env had torch 2.0.1 and torchvision 0.16.0.\nThe new env: torch 2.1.0 and torchvision 0.16.0, it crashes "
    "with CUDA out of memory.\n",
    "torch 2.1.0 and torchvision 0.16.0 on an RTX 3090. Training runs, but I get NaN loss after 3 epochs.\n",
    "I use torch 2.1.0 and torchvision 0.15.2 without any errors on my RTX 3090.\n",
    "torch 2.1.0 with torchvision 0.15.2 has not crashed once in a month of training.\n",
])
def test_pair_near_misses(paste):
    assert OTHER_TORCH not in errors(paste)


@pytest.mark.parametrize("paste", [
    "torch 2.1.0 and torchvision 0.15.2, the demo crashes with a segfault.\n",
    "我的 torch 是 2.1.0，torchvision 是 0.15.2，运行报错。\n",
])
def test_pair_broken(paste):
    assert OTHER_TORCH in errors(paste)


@pytest.mark.parametrize("paste, fid", [
    ("On my other machine I get 'Could not load library cudnn_ops_infer64_8.dll', but this one works fine.\n", CUDA_LIB),
    ("On another machine I saw No such operator torchaudio::sox_io_load_audio_file, here everything works.\n",
     OTHER_TORCH),
    ("My friend's PC prints AttributeError: '_OpNamespace' 'torchvision' object has no attribute 'nms' but mine "
     "is fine.\n", OTHER_TORCH),
])
def test_loader_lines_elsewhere(paste, fid):
    assert fid not in errors(paste)


@pytest.mark.parametrize("paste, fid", [
    ("whisperx stops right away and prints Please make sure cudnn_cnn_infer64_8.dll is in your library path!\n", CUDA_LIB),
    ("AttributeError: '_OpNamespace' 'torchvision' object has no attribute 'nms'\n", OTHER_TORCH),
])
def test_loader_lines_here(paste, fid):
    assert fid in errors(paste)


@pytest.mark.parametrize("paste", [
    "Why would nvcc say Unsupported gpu architecture compute 89 when I have CUDA 12.2?\n",
    "Why would nvcc say Unsupported gpu architecture 'compute_89' when I have CUDA 12.2? It builds fine now after "
    "fixing PATH.\n",
    "On my old laptop nvcc said Unsupported gpu architecture compute 89 with CUDA 11.4, this one is fine.\n",
])
def test_nvcc_refusal_retold(paste):
    assert TOO_OLD not in errors(paste)


def test_nvcc_refusal_spaced_printed():
    assert TOO_OLD in errors("nvcc fatal   : Unsupported gpu architecture ' compute_89'\nCUDA 11.4 on an RTX 4090.\n")


@pytest.mark.parametrize("paste, fid", [
    ("Step 2: if it prints Please make sure libcudnn_ops_infer.so.8 is in your library path! run export "
     "LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu\n", CUDA_LIB),
    ("A common error is Could not load library libcudnn_cnn_infer.so.8; it is caused by a missing cuDNN.\n", CUDA_LIB),
    ("If it fails with CUDA error 803, reboot the node.\n", MISMATCH),
    ("In case of CUDA error 803, reboot.\n", MISMATCH),
    ("A common cause of CUDA error 803 is a pending reboot.\n", MISMATCH),
    ("Someone in the Discord said they got CUDA error 803 with the same driver; mine runs fine.\n", MISMATCH),
    ("Known issue: '_OpNamespace' 'torchvision' object has no attribute 'nms' with mismatched wheels.\n", OTHER_TORCH),
])
def test_conditions_and_others(paste, fid):
    assert fid not in errors(paste)


@pytest.mark.parametrize("paste", [
    "If I run the demo, it fails with CUDA error 803 and falls back to the CPU.\n",
    "When I start ComfyUI I get Error 803: " + _803 + "\n",
])
def test_803_own_run(paste):
    assert MISMATCH in errors(paste)


@pytest.mark.parametrize("paste", [
    "The README says the code was tested on a V100 with CUDA 10.1. I have an RTX 3090 and building the CUDA extension "
    "fails.\n",
    "The authors used a Titan X with CUDA 9.0. On my RTX 3090 the build of the custom ops fails.\n",
])
def test_with_cuda_of_another_setup(paste):
    assert TOO_OLD not in errors(paste)


@pytest.mark.parametrize("paste", [
    "RTX 4090、CUDA 11.7 です。flash-attn のビルドはエラーなしで成功しました。\n",
    "RTX 4090, CUDA 11.7. apex 빌드는 오류 없이 완료되었습니다.\n",
    "RTX 4090, CUDA 11.7. Das Kompilieren von apex lief ohne Fehler durch.\n",
    "RTX 4090, CUDA 11.7. La compilación de detectron2 terminó sin errores.\n",
    "RTX 4090, CUDA 11.7. This PR improves error reporting when building the CUDA extension.\n",
])
def test_build_said_denied_in_other_languages(paste):
    assert TOO_OLD not in errors(paste)


@pytest.mark.parametrize("paste", [
    "RTX 4090、CUDA 11.7 です。flash-attn のビルドでエラーが出ます。\n",
    "RTX 4090, CUDA 11.7. apex 빌드 중 오류가 발생합니다.\n",
    "RTX 4090, CUDA 11.7. Beim Kompilieren von apex kommt ein Fehler.\n",
    "RTX 4090, CUDA 11.7. Error al compilar detectron2.\n",
])
def test_build_said_failing_in_other_languages(paste):
    assert TOO_OLD in errors(paste)


def test_load_failure_until_a_fix():
    assert CUDA_LIB not in errors("It could not load cudnn64_8.dll until I added the folder to PATH; works now.\n")
