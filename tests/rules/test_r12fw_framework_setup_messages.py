"""Round 12 (branch r12fw): the setup diagnostics of frameworks other than torch, catalogued
from their own sources (messages.toml block r12fw): JAX's CUDA version checks and backend
warning, TensorFlow's GPU start-up (dlopen failure, cudart stub, the device it created), ONNX
Runtime's CUDA provider creation, PaddlePaddle's dynamic loader and run_check, MXNet's CPU
build. Each broken paste stands beside a working or past-state paste with the same words.
Texts written for the test from what the tools print (the entries' examples and origins), in
logs, REPL sessions, compose output, Windows and WSL, English, Chinese and Japanese; none taken
from the diagnosis corpus."""

from __future__ import annotations

from typing import Dict, Tuple

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import findings

SET = "(Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)"
JAX_OLD_CUDNN = ("CUDA backend failed to initialize: Found cuDNN version 8700, but JAX was built against version 8904, "
                 "which is newer. The copy of cuDNN that is installed must be at least as new as the version against "
                 "which JAX was built. " + SET)
TF_DLOPEN = ("W tensorflow/core/common_runtime/gpu/gpu_device.cc:2251] Cannot dlopen some GPU libraries. Please make "
             "sure the missing libraries mentioned above are installed properly if you would like to use GPU. Follow "
             "the guide at https://www.tensorflow.org/install/gpu for how to download and setup the required libraries "
             "for your platform.\nSkipping registering GPU devices...")
TF_CREATED = ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1613] Created device /job:localhost/replica:0/task:0/"
              "device:GPU:0 with 22290 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 3090, pci bus id: "
              "0000:01:00.0, compute capability: 8.6")
TF_CREATED_1X = ("I tensorflow/core/common_runtime/gpu/gpu_device.cc:1326] Created TensorFlow device (/job:localhost/"
                 "replica:0/task:0/device:GPU:0 with 10805 MB memory) -> physical GPU (device: 0, name: GeForce GTX "
                 "1080 Ti, pci bus id: 0000:01:00.0, compute capability: 6.1)")
CUDART_STUB = ("2024-06-07 14:17:16.238228: I external/local_tsl/tsl/cuda/cudart_stub.cc:32] Could not find cuda drivers "
               "on your machine, GPU will not be used.")
ORT_REQ = ("[W:onnxruntime:Default, onnxruntime_pybind_state.cc:965 CreateExecutionProviderInstance] Failed to create "
           "CUDAExecutionProvider. Require cuDNN 9.* and CUDA 12.*. Please install all dependencies as mentioned in the "
           "GPU requirements page (https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html"
           "#requirements), make sure they're in the PATH, and that your GPU is supported.")
PADDLE_CUDNN = ("RuntimeError: (PreconditionNotMet) Cannot load cudnn shared library. Cannot invoke method "
                "cudnnGetVersion.\n  [Hint: cudnn_dso_handle should not be null.] (at /paddle/paddle/phi/backends/"
                "dynload/cudnn.cc:64)")
PADDLE_OK = ("Running verify PaddlePaddle program ...\nW0421 02:20:26.701481 17988 gpu_resources.cc:61] Please NOTE: "
             "device: 0, GPU Compute Capability: 8.6, Driver API Version: 12.1, Runtime API Version: 11.7\n"
             "PaddlePaddle works well on 1 GPU.\nPaddlePaddle is installed successfully! Let's start deep learning with "
             "PaddlePaddle now.")


def verdict(text: str) -> Tuple[str, Dict[str, str]]:
    _, report = diagnose(source.normalise(text), collected_at="")
    return report.verdict, {f.id: f.severity.value for f in report.findings}


@pytest.mark.parametrize("text, fid", [
    # JAX compared cuDNN itself: the old and the new wording, in Colab's warning form
    (JAX_OLD_CUDNN, "cudnn_version_mismatch"),
    ("/usr/local/lib/python3.10/dist-packages/jax/_src/xla_bridge.py:909: UserWarning: " + JAX_OLD_CUDNN,
     "cudnn_version_mismatch"),
    ("RuntimeError: Backend 'cuda' failed to initialize: Unable to use CUDA because of the following issues with CUDA "
     "components:\nOutdated cuDNN installation found.\nVersion JAX was built against: 8907\nMinimum supported: 9100\n"
     "Installed version: 8907\nThe local installation version must be no lower than 9100.. Available backends are "
     "['cpu']", "cudnn_version_mismatch"),
    # JAX could not load a CUDA library at all
    ("CUDA backend failed to initialize: Unable to load cuDNN. Is it installed? " + SET, "cuda_library_missing"),
    ("WARNING:jax._src.xla_bridge:CUDA backend failed to initialize: Unable to load CUDA. " + SET,
     "cuda_library_missing"),
    ("worker-1  | WARNING:jax._src.xla_bridge:CUDA backend failed to initialize: Unable to load cuSOLVER. Is it "
     "installed? " + SET + "\nworker-1  | step 0 loss 2.31", "cuda_library_missing"),
    # (JAX's capability floor is no torch-build finding: test_r14fix_review6.py)
    # TensorFlow found the GPU but not its libraries: alone, in WSL, after the dlerror lines
    (TF_DLOPEN, "cuda_library_missing"),
    ("Ubuntu 22.04 on WSL2, RTX 3060\n>>> import tensorflow as tf\n" + TF_DLOPEN
     + "\n>>> tf.config.list_physical_devices('GPU')\n[]", "cuda_library_missing"),
    ("W tensorflow/stream_executor/platform/default/dso_loader.cc:59] Could not load dynamic library 'libcudnn.so.7'; "
     "dlerror: libcudnn.so.7: cannot open shared object file: No such file or directory\n" + TF_DLOPEN,
     "cuda_library_missing"),
    # ONNX Runtime's provider creation: Linux log, Japanese report, Windows CUDA_PATH
    (ORT_REQ + "\nApplied providers: ['CPUExecutionProvider'], with options: {'CPUExecutionProvider': {}}",
     "cuda_library_missing"),
    ("GPUで推論しようとすると以下の警告が出てCPUにフォールバックします\n" + ORT_REQ, "cuda_library_missing"),
    ("RuntimeError: D:\\a\\_work\\1\\s\\onnxruntime\\python\\onnxruntime_pybind_state.cc:857 onnxruntime::python::"
     "CreateExecutionProviderInstance CUDA_PATH is set but CUDA wasnt able to be loaded. Please install the correct "
     "version of CUDA andcuDNN as mentioned in the GPU requirements page", "cuda_library_missing"),
    # PaddlePaddle: 2.x/3.x and 1.x loaders, a Chinese report
    (">>> paddle.utils.run_check()\nRunning verify PaddlePaddle program ...\n" + PADDLE_CUDNN, "cuda_library_missing"),
    ("运行 paddle.utils.run_check() 报错：\n" + PADDLE_CUDNN, "cuda_library_missing"),
    (">>> paddle.fluid.install_check.run_check()\nRunning Verify Fluid Program ... \nW0506 14:56:06.782572 32108 "
     "dynamic_loader.cc:107] Can not find library: libcudnn.so. Please try to add the lib path to LD_LIBRARY_PATH.",
     "cuda_library_missing"),
    # PaddlePaddle's own architecture check: a capability its wheel does not carry
    ("W0612 10:01:02.000000 1234 gpu_resources.cc:119] The GPU compute capability in your current machine is 120, "
     "which is not supported by Paddle, it is recommended to install the corresponding wheel package according to the "
     "installation information on the official Paddle website.\nOSError: (External) CUDA error(209), no kernel image is "
     "available for execution on the device.", "gpu_arch_unsupported_by_torch_build"),
    # TensorFlow in a container started without GPUs: its libcuda stub's 303
    ("$ docker run -it tensorflow/tensorflow:2.4.1-gpu python -c 'import tensorflow as tf; "
     "print(tf.config.list_physical_devices(\"GPU\"))'\nE tensorflow/stream_executor/cuda/cuda_driver.cc:313] failed "
     "call to cuInit: UNKNOWN ERROR (303)\n[]", "container_missing_gpus_flag"),
    # JAX's CPU jaxlib on a machine with an NVIDIA GPU
    ("$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-5d1c8a6e-2f1b-4c7e-9a3d-0e6f1b2c3d4e)\n"
     "INFO:jax._src.xla_bridge:Unable to initialize backend 'cuda': module 'jaxlib.xla_extension' has no attribute "
     "'GpuAllocatorConfig'\nWARNING:jax._src.xla_bridge:No GPU/TPU found, falling back to CPU. " + SET,
     "framework_cpu_only_build"),
    # XLA (TensorFlow, JAX) without CUDA's libdevice
    (">>> model.fit(x, y)\nW tensorflow/compiler/xla/service/gpu/llvm_gpu_backend/gpu_backend_lib.cc:530] libdevice is "
     "required by this HLO module but was not found at ./libdevice.10.bc\ntensorflow.python.framework.errors_impl."
     "InternalError: libdevice not found at ./libdevice.10.bc [Op:__inference_train_function_1234]",
     "cuda_library_missing"),
    # MXNet's CPU package asked for a GPU context
    ("$ pip list | grep mxnet\nmxnet 1.9.1\n>>> a = mx.nd.ones((2,3), ctx=mx.gpu())\nterminate called after throwing "
     "an instance of 'dmlc::Error'\n  what():  [22:03:01] src/storage/storage.cc:119: Compile with USE_CUDA=1 to "
     "enable GPU usage", "framework_cpu_only_build"),
])
def test_framework_setup_message_gives_its_finding(text, fid):
    v, got = verdict(text)
    assert got.get(fid) == "error", (v, got)


@pytest.mark.parametrize("text", [
    # the wrapper or a library older than the build: which cause, the text does not say
    "CUDA backend failed to initialize: Found CUDA version 12000, but JAX was built against version 12020, which is "
    "newer. The copy of CUDA that is installed must be at least as new as the version against which JAX was built. "
    + SET,
    "CUDA backend failed to initialize: INTERNAL: no supported devices found for platform CUDA." + SET,
    # TensorFlow's cudart stub and its GPU list
    CUDART_STUB + "\n>>> tf.config.list_physical_devices('GPU')\n[]",
    # XLA's cuDNN handle
    "E external/xla/xla/stream_executor/cuda/cuda_dnn.cc:439] Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR"
    "\njaxlib.xla_extension.XlaRuntimeError: FAILED_PRECONDITION: DNN library initialization failed. Look at the "
    "errors above for more details.",
    # TensorFlow's cuInit code without a name, JAX's CUDA build seeing no GPU, Paddle's runtime check
    "E tensorflow/stream_executor/cuda/cuda_driver.cc:271] failed call to cuInit: UNKNOWN ERROR (34)",
    "2023-09-10 13:47:04 - INFO - Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices.",
    "W0522 14:31:24.083271  3337 gpu_resources.cc:196] WARNING: device: 0. The installed \tPaddle is compiled with CUDA "
    "11.8, but CUDA runtime version in your machine is 11.6, which may cause serious incompatible bug. Please recompile "
    "or reinstall Paddle with compatible CUDA version.",
    # XLA's ptxas floor, ONNX Runtime's older provider warning
    "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: XLA requires ptxas version 11.8 or higher",
    "[W:onnxruntime:Default, onnxruntime_pybind_state.cc:541 CreateExecutionProviderInstance] Failed to create "
    "CUDAExecutionProvider. Please reference https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider."
    "html#requirements to ensure all dependencies are met.",
    # TensorFlow's generated kernels on a GPU its build has no code for
    "I'm running TensorFlow 2.20 with an RTX 5090.\nW tensorflow/compiler/mlir/tools/kernel_gen/tf_gpu_runtime_wrappers."
    "cc:40] 'cuModuleLoadData(&module, data)' failed with 'CUDA_ERROR_INVALID_PTX'",
    # a JAX plugin of another release
    "/usr/local/lib/python3.12/dist-packages/jaxlib/plugin_support.py:71: RuntimeWarning: JAX plugin "
    "jax_cuda12_plugin version 0.7.2 is installed, but it is not compatible with the installed jaxlib version 0.7.1, "
    "so it will not be used.\n>>> jax.devices()\n[CpuDevice(id=0)]",
])
def test_falling_back_without_saying_why_is_never_ok(text):
    v, got = verdict(text)
    assert v != "ok", got
    assert "framework_cpu_only_build" not in got, got  # a GPU build that failed is not the CPU build


@pytest.mark.parametrize("text", [
    # working banners: TensorFlow (2.x and 1.x wording), JAX's environment report and device list,
    # ONNX Runtime's providers, PaddlePaddle's run_check
    TF_CREATED + "\nEpoch 1/10\n1875/1875 [==============================] - 5s 2ms/step - loss: 0.29",
    "tensorflow-gpu 1.15.0\n" + TF_CREATED_1X,
    "I am using the GPU build, the CPU version of tensorflow is not installed.\n" + TF_CREATED_1X,
    "jax:    0.4.35\njaxlib: 0.4.35\nnumpy:  2.1.3\npython: 3.12.7\njax.devices (1 total, 1 local): [CudaDevice(id=0)]\n"
    "process_count: 1\n\n$ nvidia-smi\n| NVIDIA-SMI 560.35.03              Driver Version: 560.35.03      CUDA Version: "
    "12.6     |\n|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0  On |                  Off |",
    "jax:    0.6.0\njaxlib: 0.6.0\nnumpy:  2.2.6\npython: 3.12.11\ndevice info: NVIDIA GeForce RTX 4090-1, 1 local "
    "devices\"\nprocess_count: 1\n\n$ nvidia-smi\n| NVIDIA-SMI 570.172.08             Driver Version: 570.172.08     "
    "CUDA Version: 12.8     |",
    ">>> import jax\n>>> jax.devices()\n[CudaDevice(id=0), CudaDevice(id=1)]\n>>> jax.numpy.ones(3)\n"
    "Array([1., 1., 1.], dtype=float32)",
    "onnxruntime-gpu 1.20.1\n>>> ort.get_available_providers()\n['TensorrtExecutionProvider', 'CUDAExecutionProvider', "
    "'CPUExecutionProvider']",
    PADDLE_OK,
    "paddlepaddle: 2.6.1\n" + PADDLE_OK,
    # the stub's words on a machine without a GPU, JAX's CPU jaxlib on a Mac
    "Running on my MacBook Air.\nINFO:jax._src.xla_bridge:Unable to initialize backend 'cuda': module "
    "'jaxlib.xla_extension' has no attribute 'GpuAllocatorConfig'\nWARNING:jax._src.xla_bridge:No GPU/TPU found, "
    "falling back to CPU. " + SET,
    "My laptop has no NVIDIA GPU.\nW tensorflow/stream_executor/cuda/cuda_driver.cc:326] failed call to cuInit: UNKNOWN "
    "ERROR (303)\nEpoch 1/5 - loss: 0.41",
    "My laptop has no GPU, I only use the CPU.\n" + CUDART_STUB + "\nTraining finished, accuracy 0.91",
    # XLA's libdevice-directory warning on a run that needed none; TensorRT missing, CUDA provider working
    "W external/xla/xla/service/gpu/nvptx_compiler.cc:718] Can't find libdevice directory ${CUDA_DIR}/nvvm/libdevice. "
    "This may result in compilation or runtime failures, if the program we try to run uses routines from libdevice.\n"
    + TF_CREATED + "\nEpoch 1/3 - loss: 0.52",
    "[W:onnxruntime:Default, onnxruntime_pybind_state.cc:640 CreateExecutionProviderInstance] Failed to create "
    "TensorrtExecutionProvider. Please reference https://onnxruntime.ai/docs/execution-providers/TensorRT-"
    "ExecutionProvider.html#requirements to ensure all dependencies are met.\n>>> sess.get_providers()\n"
    "['CUDAExecutionProvider', 'CPUExecutionProvider']",
    # a past state, fixed: at most a warning
    "Before, TensorFlow printed \"Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned "
    "above are installed properly\". I installed tensorflow[and-cuda] and that fixed it; now:\n" + TF_CREATED,
    "Before I had \"Compile with USE_CUDA=1 to enable GPU usage\". Installing mxnet-cu112 fixed it, mx.gpu() works now.",
])
def test_working_or_fixed_framework_pastes_get_no_error(text):
    v, got = verdict(text)
    assert "error" not in got.values(), (v, got)


def test_a_jaxlib_row_beside_a_gpu_device_is_not_the_cpu_build():
    """jaxlib is one package for CPU and CUDA installs from 0.4.26; a CUDA device listed says
    the plugin is there even where the report does not list it."""
    text = ("jax:    0.7.2\njaxlib: 0.7.2\nnumpy:  2.2.6\ndevice info: NVIDIA A100-SXM4-80GB-1, 1 local devices\"\n"
            "process_count: 1\n\n$ nvidia-smi\n|   0  NVIDIA A100-SXM4-80GB          On  |   00000000:01:00.0 Off |"
            "                    0 |")
    assert "framework_cpu_only_build" not in findings(text)
    # the same report with only the CPU device is still the CPU build
    cpu = text.replace('device info: NVIDIA A100-SXM4-80GB-1, 1 local devices"', "jax.devices (1 total, 1 local): "
                       "[CpuDevice(id=0)]")
    assert "framework_cpu_only_build" in findings(cpu)


def test_an_onnxruntime_session_on_cuda_is_not_the_cpu_build():
    """A session that kept CUDAExecutionProvider has the GPU build, whatever a listing row or a
    sentence says; the same report with only the CPU provider applied keeps its warning."""
    smi = "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-5d1c8a6e-2f1b-4c7e-9a3d-0e6f1b2c3d4e)\n"
    cuda = (smi + "$ pip list\nonnxruntime 1.16.3\nApplied providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'], "
            "with options: {'CUDAExecutionProvider': {'device_id': '0'}}")
    assert "framework_cpu_only_build" not in findings(cuda)
    said = ("I have the CPU version of onnxruntime installed.\n>>> sess.get_providers()\n"
            "['CUDAExecutionProvider', 'CPUExecutionProvider']")
    assert "framework_cpu_only_build" not in findings(said)
    cpu = cuda.replace("['CUDAExecutionProvider', 'CPUExecutionProvider'], with options: {'CUDAExecutionProvider': "
                       "{'device_id': '0'}}", "['CPUExecutionProvider'], with options: {'CPUExecutionProvider': {}}")
    assert findings(cpu)["framework_cpu_only_build"].severity.value == "warning"
