"""Who brought the CUDA that the driver is too old for: a program built with a CUDA toolkit
(cuda_toolkit_newer_than_driver) or PyTorch's wheel (driver_too_old_for_torch_cuda); and the
Python pip was running, read from the torch releases it listed. Probe texts follow what each
tool prints (its sources or real logs, cited in envcheck/derived/cuda_program.py and
messages.toml); none is taken from the diagnosis corpus. Each class beside pastes with the
same words from a working machine, a question, or torch's own error."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import WORKING, errors, findings

NEWER = "cuda_toolkit_newer_than_driver"
TORCH_DRIVER = "driver_too_old_for_torch_cuda"
INSUFFICIENT = "CUDA driver version is insufficient for CUDA runtime version"
PTX = "the provided PTX was compiled with an unsupported toolchain."


@pytest.mark.parametrize("text", [
    # CUDA samples (helper_cuda.h's checkCudaErrors; deviceQuery; bandwidthTest)
    f"cudaGetDeviceCount returned 35\n-> {INSUFFICIENT}\nResult = FAIL",
    f"cudaGetDeviceProperties returned 35\n-> {INSUFFICIENT}\nCUDA error at C:/bld/bandwidthTest.cu:255 "
    "code=35(cudaErrorInsufficientDriver) \"cudaSetDevice(currentDevice)\"",
    "CUDA error at ../../common/helper_cuda.h:785 code=35(cudaErrorInsufficientDriver) \"cudaGetDeviceCount(&n)\"",
    # llama.cpp / ggml, ctransformers, llama-cpp-python from conda, Ollama's runner
    f"ggml_cuda_init: failed to initialize CUDA: {INSUFFICIENT}",
    f"CUDA error 35 at /home/conda/feedstock_root/build_artifacts/llama.cpp_1703017359354/work/ggml-cuda.cu:493: "
    f"{INSUFFICIENT}\nGGML_ASSERT: ggml-cuda.cu:493: !\"CUDA error\"",
    f"CUDA error 35 at /home/runner/work/ctransformers/models/ggml/ggml-cuda.cu:5067: {INSUFFICIENT}",
    f"time=2025-01-10T10:00:00Z level=INFO source=server.go:400 msg=\"llama runner\" ggml_cuda_init: failed to "
    f"initialize CUDA: {INSUFFICIENT}\noffloaded 0/33 layers to GPU",
    'time=2024-09-03T16:36:00.853+08:00 level=DEBUG source=gpu.go:537 msg="Unable to load cudart" library=C:\\Users\\a'
    '\\AppData\\Local\\Programs\\Ollama\\lib\\ollama\\cudart64_12.dll error="your nvidia driver is too old or missing.  '
    'If you have a CUDA GPU please upgrade to run ollama"',
    'level=INFO source=gpu.go:343 msg="Unable to load cudart CUDA management library /tmp/ollama1/runners/cuda_v11/'
    'libcudart.so.11.0: your nvidia driver is too old or missing, please upgrade to run ollama"',
    # ONNX Runtime, CuPy, CTranslate2 (faster-whisper), TensorFlow, PaddlePaddle, MXNet
    f"onnxruntime::CudaCall D:\\a\\_work\\1\\s\\onnxruntime\\core\\providers\\cuda\\cuda_call.cc:114 CUDA failure 35: "
    f"{INSUFFICIENT} ; GPU=0 ; hostname=PC ; expr=cudaSetDevice(info_.device_id);",
    f"cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorInsufficientDriver: {INSUFFICIENT}",
    f"RuntimeError: CUDA failed with error {INSUFFICIENT}",
    f"tensorflow.python.framework.errors_impl.InternalError: CUDA runtime implicit initialization on GPU:0 failed. "
    f"Status: {INSUFFICIENT}",
    f"2023-01-01 10:00:00.000000: E tensorflow/core/common_runtime/gpu/gpu_device.cc:1900] {INSUFFICIENT}",
    f"ExternalError: CUDA error(35), {INSUFFICIENT}. (at /paddle/paddle/phi/backends/gpu/cuda/cuda_info.cc:67)",
    f"mxnet.base.MXNetError: [10:00:00] src/storage/storage.cc:78: Compile with USE_CUDA=1 to enable GPU usage: {INSUFFICIENT}",
    # a program of one's own, checked by its own macro (same line or the next)
    f"Exception: CUDA error: {INSUFFICIENT} (c:\\projects\\lc0\\src\\neural\\cuda\\network_cudnn.cc:202)",
    f"Checking available CUDA-capable devices...\nERROR: cudaGetDeviceCount {INSUFFICIENT}",
    f"Cuda failure: 222 {PTX} /home/ubuntu/ios/src/ios/ios_runtime.cu:1332\nAborting...",
    f"CUDA Runtime Error: {PTX} at diffvg/scene.cpp:35",
    f"[05/23/2021 18:30:06][host][0]:ERROR: CUDA error: {PTX}, line 148, file /var/tmp/b/cuda_memtest.cu",
    f"Couldn't init a GPU test: Error in load module (gpu_burn-drv.cpp:243): {PTX}",
    f"[cudaErrorUnsupportedPtxVersion] {PTX} in expression cudaGetLastError() : /home/diag/nvbandwidth/kernels.cu:406",
    # Rust (cudarc / candle)
    "thread 'main' panicked at 'called `Result::unwrap()` on an `Err` value: Driver(DriverError("
    f"CUDA_ERROR_UNSUPPORTED_PTX_VERSION, \"{PTX}\"))', src/main.rs:15:30",
    f"Error: DriverError(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, \"{PTX}\") when loading cast_u32_f32",
    # a torch extension's own kernel, built by the system's nvcc, in torch's traceback
    f"RuntimeError: CUDA error: {PTX} (at /home/u/proj/csrc/deform_conv_cuda_kernel.cu:120)",
    # nvcc against nvidia-smi's header: across majors an error
    "$ nvcc --version\nnvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 12.4, V12.4.131\n"
    "$ nvidia-smi\n| NVIDIA-SMI 470.182.03   Driver Version: 470.182.03   CUDA Version: 11.4     |",
    "Cuda compilation tools, release 12.1, V12.1.105\n"
    "| NVIDIA-SMI 515.65.01    Driver Version: 515.65.01    CUDA Version: 11.7     |",
    # nvcc against the driver's version alone (the driver table gives its CUDA)
    "nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 12.1, V12.1.105\nDriver Version: 470.82.01",
    # in a container log, with Windows paths, in Chinese around the same line
    f"docker logs ollama\nggml_cuda_init: failed to initialize CUDA: {INSUFFICIENT}\n",
    f"运行 llama-server 报错：\nggml_cuda_init: failed to initialize CUDA: {INSUFFICIENT}\n驱动是 470",
    f"faster-whisper で文字起こしすると落ちます\nRuntimeError: CUDA failed with error {INSUFFICIENT}",
])
def test_another_programs_cuda_newer_than_the_driver(text):
    f = findings(text)
    assert NEWER in f, sorted(f)
    assert TORCH_DRIVER not in f


@pytest.mark.parametrize("text", [
    "W external/xla/xla/service/gpu/nvptx_compiler.cc:744] The NVIDIA driver's CUDA version is 12.2 which is older "
    "than the ptxas CUDA version (12.3.107). Because the driver is older than the ptxas version, XLA is disabling "
    "parallel compilation, which may slow down compilation.",
    "The NVIDIA driver's CUDA version is 12.4 which is older than the PTX compiler version (12.6.85). Because the "
    "driver is older than the PTX compiler version, XLA is disabling parallel compilation, which may slow down "
    "compilation.",
    "Cuda compilation tools, release 12.4, V12.4.131\n"
    "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |",
])
def test_a_newer_toolkit_of_the_same_major_is_a_warning(text):
    f = findings(text)
    assert f[NEWER].severity.value == "warning"
    assert TORCH_DRIVER not in f


@pytest.mark.parametrize("text", [
    # torch's own: its wheel brought the runtime
    f"RuntimeError: CUDA error: {PTX}\nCUDA kernel errors might be asynchronously reported at some other API call",
    f"/venv/lib/python3.10/site-packages/torch/cuda/__init__.py:118: UserWarning: CUDA initialization: {INSUFFICIENT} "
    "(Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)",
    f"RuntimeError: cuda runtime error (35) : {INSUFFICIENT} at /pytorch/aten/src/THC/THCGeneral.cpp:50",
    "RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver.",
    f"RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
    f"NumCudaDevices() that might have already set an error? Error 35: {INSUFFICIENT}",
    f"THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=51 error=35 : {INSUFFICIENT}",
])
def test_torchs_own_runtime_stays_torchs(text):
    f = findings(text)
    assert TORCH_DRIVER in f, sorted(f)
    assert NEWER not in f


@pytest.mark.parametrize("text", [
    "ggml_cuda_init: found 1 CUDA devices:\n  Device 0: NVIDIA GeForce RTX 3060, compute capability 8.6, VMM: yes",
    'level=INFO source=types.go:123 msg="inference compute" id=GPU-1 library=cuda variant=v12 compute=8.6 '
    'driver=12.4 name="NVIDIA GeForce RTX 3060" total="11.8 GiB"',
    "Cuda compilation tools, release 12.1, V12.1.105\n"
    "| NVIDIA-SMI 550.54.14    Driver Version: 550.54.14    CUDA Version: 12.4     |",
    "Cuda compilation tools, release 12.1, V12.1.105\nDriver Version: 535.104.05",
    "nvbandwidth Version: v0.8\nCUDA Runtime Version: 13000\nCUDA Driver Version: 13000\nDriver Version: 580.126.09",
    "  CUDA Driver Version / Runtime Version          12.4 / 12.1\n  CUDA Capability Major/Minor version number:    8.6",
    "ggml_cuda_init: failed to initialize CUDA: no CUDA-capable device is detected",
    "onnxruntime::CudaCall cuda_call.cc:114 CUDA failure 100: no CUDA-capable device is detected ; GPU=0",
    "I updated the driver last week and now the CUDA driver version is fine, nvcc 12.4 runs my kernels.",
    "Is it a problem that nvcc says 11.8 while nvidia-smi says CUDA Version: 12.2?\n"
    "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |\n"
    "Cuda compilation tools, release 11.8, V11.8.89",
    "Before upgrading the driver ollama fell back to the CPU; now `ollama ps` shows 100% GPU.",
    "W external/xla/xla/service/gpu/nvptx_compiler.cc:760] *** WARNING *** You are using ptxas 11.0.194, which is "
    "older than 11.1. ptxas before 11.1 is known to miscompile XLA code",
    "cupy.cuda.runtime.CUDARuntimeError: cudaErrorMemoryAllocation: out of memory",
    "RuntimeError: CUDA failed with error out of memory",
    "warning: the NVIDIA driver version 550 is newer than the toolkit; that's fine",
    WORKING,
])
def test_same_words_on_working_machines_are_not_a_toolkit_newer_than_the_driver(text):
    assert NEWER not in errors(text)
    assert NEWER not in {k for k, f in findings(text).items() if f.severity.value == "warning"} or "release 11.8" not in text


# ------------------------------------------------------------------ Python read from pip's listing
@pytest.mark.parametrize("text, python", [
    ("ERROR: Could not find a version that satisfies the requirement torch==1.12.1+cu116 (from versions: 1.13.0, "
     "1.13.0+cu116, 1.13.1, 1.13.1+cu116, 2.0.0, 2.0.1, 2.1.0)\nERROR: No matching distribution found for "
     "torch==1.12.1+cu116", "3.11"),
    ("ERROR: Could not find a version that satisfies the requirement torch==1.13.1 (from versions: 2.2.0, 2.2.1, "
     "2.2.2, 2.3.0, 2.3.1, 2.4.0)\nERROR: No matching distribution found for torch==1.13.1", "3.12"),
    ("ERROR: Could not find a version that satisfies the requirement torch==2.1.2 (from versions: 2.5.0, 2.5.1, 2.6.0)",
     "3.13"),
    ("ERROR: Could not find a version that satisfies the requirement torch==1.10.0 (from versions: 1.11.0, 1.12.0, "
     "1.12.1, 1.13.0, 1.13.1, 2.0.0)", "3.10"),
    ("ERROR: Could not find a version that satisfies the requirement torch==2.6.0 (from versions: 1.4.0, 1.5.0, "
     "2.0.0, 2.1.0, 2.2.0, 2.3.0, 2.4.0, 2.4.1)", "3.8"),
    ("  ERROR: Could not find a version that satisfies the requirement torch==1.8.0 (from versions: 1.11.0, 1.12.0)\n"
     "docker build failed: RUN pip install -r requirements.txt", "3.10"),
])
def test_the_listing_of_releases_tells_the_python(text, python):
    f = findings(text)
    assert "python_unsupported_by_torch" in f
    assert f"Python {python}" in f["python_unsupported_by_torch"].explanation


@pytest.mark.parametrize("text", [
    # macOS x86-64 stops at 2.2.2: no Python's wheels end there
    "ERROR: Could not find a version that satisfies the requirement torch==2.6.0 (from versions: 2.0.0, 2.0.1, "
    "2.1.0, 2.2.0, 2.2.1, 2.2.2)",
    # an index with a few releases of one variant
    "ERROR: Could not find a version that satisfies the requirement torch==2.10.0 (from versions: 2.8.0+cu128, "
    "2.9.0+cu128)",
    # the pin lies inside what was listed: the variant or the index, not the Python
    "ERROR: Could not find a version that satisfies the requirement torch==2.1.0+cu116 (from versions: 2.0.0, "
    "2.1.0, 2.2.0)",
    # the Python is in the text and torch has wheels for it
    "Python 3.10.12\nERROR: Could not find a version that satisfies the requirement torch==1.10.0 (from versions: "
    "1.11.0, 1.12.0, 1.13.0)",
    # a successful install naming the same releases
    "Successfully installed torch-2.2.0\nAvailable versions: 2.2.0, 2.2.1, 2.2.2",
])
def test_a_listing_no_python_explains_says_nothing_of_the_python(text):
    f = findings(text)
    if "python_unsupported_by_torch" in f:
        assert "releases it did list" not in f["python_unsupported_by_torch"].explanation


NONE = ("ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
        "ERROR: No matching distribution found for torch")


@pytest.mark.parametrize("text", [
    "(venv) C:\\Users\\me\\proj> py -V\nPython 3.13.0\n(venv) C:\\Users\\me\\proj> pip install torch\n" + NONE,
    '  File "/home/u/.venv/lib/python3.13/site-packages/pip/_internal/cli/base_command.py", line 105\n' + NONE,
    "Python 3.12.1 (tags/v3.12.1:2305ca5, Dec  7 2023, 22:03:25) [MSC v.1937 64 bit (AMD64)] on win32\n" + NONE,
    "conda create -n sd python=3.12 -y\nconda activate sd\npip install torch torchvision\n" + NONE,
    "FROM python:3.13-slim\nRUN pip install torch\n" + NONE,
    "C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\PythonSoftwareFoundation.Python.3.13_qbz5n2kfra8p0"
    "\\python.exe -m pip install torch\n" + NONE,
    "I'm using Python 3.11 on Windows 11\n" + NONE,
    "python 3.12 에서 torch 설치가 안됩니다\n" + NONE,
    "我的python版本是3.12，pip install torch 报错：\n" + NONE,
    "Python 3.11.1 (tags/v3.11.1:a7a450f, Dec  6 2022, 19:58:39) [MSC v.1934 64 bit (AMD64)]\n"
    "Command: \"venv\\Scripts\\python.exe\" -m pip install torch==1.12.1+cu113 torchvision==0.13.1+cu113 "
    "--extra-index-url https://download.pytorch.org/whl/cu113\n"
    "stderr: ERROR: Could not find a version that satisfies the requirement torch==1.12.1+cu113 (from versions: none)",
    "Python 3.8.2 (tags/v3.8.2:7b3ab59, Feb 25 2020, 22:45:29) [MSC v.1916 32 bit (Intel)] on win32\n" + NONE,
])
def test_no_torch_at_all_for_the_python_shown(text):
    assert "python_unsupported_by_torch" in findings(text)


@pytest.mark.parametrize("text", [
    # the index was out of reach: pip saw nothing because it reached nothing
    "Python 3.11.4\nWARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after "
    "connection broken by 'NewConnectionError(...)': /simple/torch/\n" + NONE,
    # a CUDA variant that was never built: the index URL is wrong, not the Python
    "Python 3.13.1\nLooking in indexes: https://download.pytorch.org/whl/cu131\nERROR: Could not find a version that "
    "satisfies the requirement torch==2.10.0+cu131 (from versions: none)",
    # working installs and questions with the same words
    "Python 3.13.0\nSuccessfully installed torch-2.6.0 torchvision-0.21.0",
    "Does torch support Python 3.13 yet? pip install torch worked for me on 3.12.",
    "Python 3.12.3\nRequirement already satisfied: torch in ./venv/lib/python3.12/site-packages (2.5.1)",
    "Python version: 3.11.9 (main, Apr 19 2024) [GCC 11.2.0] (64-bit runtime)\nPyTorch version: 2.3.1+cu121\n"
    "Is CUDA available: True",
])
def test_no_python_finding_without_pips_none_or_with_another_cause(text):
    assert "python_unsupported_by_torch" not in findings(text)


# ------------------------------------------------------------------ the driver said to be too old, in words
REPL_FALSE = ">>> import torch\n>>> torch.__version__\n'2.4.0+cu124'\n>>> torch.cuda.is_available()\nFalse\n"


@pytest.mark.parametrize("sentence", [
    "when i run my program, the msg is that my Nvidia version is too old.",
    "It says my NVIDIA driver is too old.",
    "The error says the driver is outdated.",
    "Apparently my GPU driver version is too old for this build",
    "报错说驱动太老了",
    "提示NVIDIA驱动版本过低",
    "드라이버가 너무 오래되었다고 나옵니다",
    "ドライバーが古いと言われます",
    "Dice que el controlador de NVIDIA es demasiado antiguo",
    "Es heißt, der Treiber ist zu alt",
])
def test_a_driver_said_to_be_too_old_beside_a_failure(sentence):
    f = findings(REPL_FALSE + sentence)
    assert TORCH_DRIVER in f
    assert f[TORCH_DRIVER].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    REPL_FALSE + "Is my driver too old?",
    REPL_FALSE + "The driver is not too old, it is 550.",
    REPL_FALSE + "I don't think the driver is the problem, it's the latest.",
    REPL_FALSE + "如果驱动太老会怎样？",
    # a driver once too old on a machine that works now
    ">>> torch.cuda.is_available()\nTrue\nMy driver was too old, I updated it and now everything works.",
    # the versions in the text fit
    "| NVIDIA-SMI 550.54.14    Driver Version: 550.54.14    CUDA Version: 12.4     |\n" + REPL_FALSE
    + "Someone said my driver is outdated.",
    # another program's CUDA: its own class
    f"ggml_cuda_init: failed to initialize CUDA: {INSUFFICIENT}\nit says my driver is too old",
    # a CPU-only torch: no driver is too old for it
    ">>> torch.__version__\n'2.4.0+cpu'\n>>> torch.cuda.is_available()\nFalse\nmaybe my driver is too old",
])
def test_driver_words_that_claim_nothing_or_are_overruled(text):
    assert TORCH_DRIVER not in findings(text)


# ------------------------------------------------------------------ known-bad builds by their signature
@pytest.mark.parametrize("text", [
    "ImportError: /home/u/env/lib/python3.11/site-packages/torch/lib/../../nvidia/cusparse/lib/libcusparse.so.12: "
    "undefined symbol: __nvJitLinkComplete_12_4, version libnvJitLink.so.12",
    "OSError: /venv/lib/python3.10/site-packages/nvidia/cusparse/lib/libcusparse.so.12: undefined symbol: "
    "__nvJitLinkAddData_12_1, version libnvJitLink.so.12",
    "ImportError: /opt/conda/lib/python3.10/site-packages/torch/lib/../../nvidia/cublas/lib/libcublas.so.11: "
    "symbol cublasLtHSHMatmulAlgoInit version libcublasLt.so.11 not defined in file libcublasLt.so.11 with link "
    "time reference",
])
def test_a_range_known_bad_build_by_its_signature(text):
    f = findings(text)
    assert "known_bad_torch_build" in f


@pytest.mark.parametrize("text", [
    # the version is in the text and outside the range: the table decides, and says no
    "torch 2.7.1+cu126\nImportError: /env/lib/python3.11/site-packages/nvidia/cusparse/lib/libcusparse.so.12: "
    "undefined symbol: __nvJitLinkComplete_12_4, version libnvJitLink.so.12",
    "$ ldd libcusparse.so.12\n\tlibnvJitLink.so.12 => /env/lib/python3.11/site-packages/nvidia/nvjitlink/lib/libnvJitLink.so.12",
    WORKING,
])
def test_no_range_signature_without_its_failure_or_against_the_version(text):
    assert "known_bad_torch_build" not in findings(text)
