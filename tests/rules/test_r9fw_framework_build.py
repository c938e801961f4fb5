"""Round 9 (branch r9fw): another framework's installed build has no GPU support at all
(framework_cpu_only_build): JAX, PaddlePaddle, CTranslate2, llama.cpp, ONNX Runtime and
TensorFlow saying it themselves, their device lists showing only the CPU on an NVIDIA
machine, TensorFlow >= 2.11 on native Windows, and a person saying the CPU build is what is
installed, in several languages. Each broken paste stands beside a working or unrelated paste
with the same words. Texts written for the test from what the tools print (messages.toml
block r9fw), none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FID = "framework_cpu_only_build"
SMI_L = "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-5d1c8a6e-2f1b-4c7e-9a3d-0e6f1b2c3d4e)\n"
JAX_WARN = ("WARNING:2025-01-19 21:22:46,211:jax._src.xla_bridge:987: An NVIDIA GPU may be present on this machine, "
            "but a CUDA-enabled jaxlib is not installed. Falling back to cpu.")
ORT_WARN = ("/srv/app/.venv/lib/python3.11/site-packages/onnxruntime/capi/onnxruntime_inference_collection.py:69: "
            "UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names."
            "Available providers: 'AzureExecutionProvider, CPUExecutionProvider'")
CT2 = ('  File "/usr/local/lib/python3.10/dist-packages/faster_whisper/transcribe.py", line 689, in __init__\n'
       "    self.model = ctranslate2.models.Whisper(\n"
       "ValueError: This CTranslate2 package was not compiled with CUDA support")
SYSINFO = ("AVX = 1 | AVX_VNNI = 0 | AVX2 = 1 | AVX512 = 0 | AVX512_VBMI = 0 | AVX512_VNNI = 0 | FMA = 1 | NEON = 0 | "
           "ARM_FMA = 0 | F16C = 1 | FP16_VA = 0 | WASM_SIMD = 0 | BLAS = {blas} | SSE3 = 1 | SSSE3 = 0 | VSX = 0 |")
TF_TEMPLATE = ("### Issue type\n\nBug\n\n### TensorFlow version\n\n{tf}\n\n### OS platform and distribution\n\n{os}\n\n"
               "### Current behavior?\n\n```python\nimport tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))\n"
               "```\n\n```\n[]\n```\n")


@pytest.mark.parametrize("text", [
    # JAX, its own warning, in a log, a notebook, a container
    JAX_WARN,
    "An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.\n"
    "[CpuDevice(id=0)]",
    "trainer-1  | " + JAX_WARN + "\ntrainer-1  | step 0 loss 2.31",
    # JAX's device list beside an NVIDIA GPU
    SMI_L + ">>> import jax\n>>> jax.devices()\n[CpuDevice(id=0)]",
    "jax:    0.4.30\njaxlib: 0.4.30\nnumpy:  1.26.4\njax.devices (1 total, 1 local): [CpuDevice(id=0)]\nprocess_count: 1\n"
    "\n$ nvidia-smi\n| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |\n"
    "|   0  NVIDIA A100-SXM4-80GB          On  |   00000000:07:00.0 Off |                    0 |",
    # JAX before 0.4.17: its old warning beside the PyPI CPU jaxlib listed, on an NVIDIA machine
    SMI_L + "$ pip freeze | grep jax\njax==0.1.59\njaxlib==0.1.39\n"
    "venv/lib/python3.6/site-packages/jax/lib/xla_bridge.py:130: UserWarning: No GPU/TPU found, falling back to CPU.",
    # PaddlePaddle's messages, its suites', its flag
    "E0714 16:34:40.972663 31948 pybind.cc:1277] Cannot use GPU because you have installed CPU version PaddlePaddle.\n"
    "If you want to use GPU, please try to install GPU version PaddlePaddle by: pip install paddlepaddle-gpu",
    "E0224 15:37:10.817626 18616 place.cc:359] Cannot use GPU because you have installed CPU version PaddlePaddle.",
    "2020-09-08 09:14:59 ERROR: You are using paddlepaddle cpu version! Please try to install paddlepaddle-gpu to run model "
    "on GPU.",
    "2020-07-23 09:22:17,124-ERROR: Config use_gpu cannot be set as true while you are using paddlepaddle cpu version !",
    ">>> import paddle\n>>> paddle.is_compiled_with_cuda()\nFalse",
    "In [2]: paddle.device.is_compiled_with_cuda()\nOut[2]: False",
    "print(paddle.device.is_compiled_with_cuda())  # False",
    # CTranslate2 / faster-whisper on Linux, in a container log
    "Traceback (most recent call last):\n" + CT2,
    "open-webui  | ValueError: This CTranslate2 package was not compiled with CUDA support\n" + SMI_L,
    # llama.cpp / llama-cpp-python
    "$ ./llama-cli -m model.gguf -ngl 99\nwarning: not compiled with GPU offload support, --gpu-layers option will be "
    "ignored\nwarning: see main README.md for information on enabling GPU BLAS support",
    "warning: not compiled with GPU offload support, --n-gpu-layers option will be ignored",
    SMI_L + "llama_new_context_with_model: kv self size  = 1560.00 MB\n" + SYSINFO.format(blas=0),
    # ONNX Runtime: the CPU package's provider list
    ORT_WARN + "\n" + SMI_L,
    ORT_WARN,
    "Available providers: ['AzureExecutionProvider', 'CPUExecutionProvider']",
    SMI_L + ">>> import onnxruntime as ort\n>>> ort.get_available_providers()\n['CPUExecutionProvider']",
    "ValueError: ['CUDAExecutionProvider'] does not contain a subset of available providers ['CPUExecutionProvider']",
    # TensorFlow: its own flag, and >= 2.11 on native Windows
    ">>> import tensorflow as tf\n>>> tf.test.is_built_with_cuda()\nFalse",
    "TensorFlow version: 2.16.1\nIs GPU available? []\nIs TensorFlow built with CUDA?: False",
    TF_TEMPLATE.format(tf="tf 2.16", os="Windows 11"),
    TF_TEMPLATE.format(tf="v2.12.0-rc1-12-g0db597d0d75 2.12.0", os="Windows 10"),
    "- OS Platform and Distribution: Windows 10\n- TensorFlow version (use command below): 2.13.0\n"
    "Num GPUs Available:  0",
    # a person saying the CPU build is installed, in several languages
    "Turns out I had installed the CPU-only version of jax.",
    "The venv had plain `onnxruntime` (CPU build) instead of `onnxruntime-gpu`, so the CUDA provider was unavailable.",
    "onnxruntime instead of onnxruntime-gpu was installed by the requirements file.",
    "我装的是CPU版的paddle，所以GPU用不了",
    "CPU版のpaddlepaddleがインストールされていました。",
    "paddle CPU 버전이 설치되어 있었습니다.",
    "Tenía instalada la versión CPU de onnxruntime.",
    "Es war die CPU-Version von TensorFlow installiert.",
])
def test_cpu_only_build_of_another_framework(text):
    got = findings(text)
    assert FID in got, sorted(got)
    assert got[FID].severity.value == "error"


@pytest.mark.parametrize("text", [
    # questions, advice, conditions, past states
    "Should I install the CPU version of paddle?",
    "Make sure you don't install the CPU version of onnxruntime.",
    "If you want to run on GPU, you don't need to install onnxruntime (CPU pkg).",
    "I used to have the CPU version of paddle installed; paddlepaddle-gpu works fine now.",
    "How do I switch back to the CPU version of jax?",
    # the GPU builds, working
    "Available providers: ['TensorrtExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider']",
    ">>> jax.devices()\n[CudaDevice(id=0)]",
    "jax.devices (1 total, 1 local): [CudaDevice(id=0)]",
    ">>> paddle.is_compiled_with_cuda()\nTrue",
    ">>> tf.test.is_built_with_cuda()\nTrue",
    "ggml_cuda_init: found 1 CUDA devices:\n  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes\n"
    "llm_load_tensors: offloaded 8/41 layers to GPU",
    SMI_L + SYSINFO.format(blas=1),
    # the same outputs where nothing says an NVIDIA GPU is there
    SYSINFO.format(blas=0),
    ">>> jax.devices()\n[CpuDevice(id=0)]",
    # JAX's old warning without the CPU jaxlib listed, or beside a CUDA jaxlib (cuInit failed there)
    SMI_L + "WARNING:absl:No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)",
    SMI_L + "jaxlib==0.1.70+cuda101\nWARNING:absl:No GPU/TPU found, falling back to CPU. (Set TF_CPP_MIN_LOG_LEVEL=0 and "
    "rerun for more info.)",
    # both packages of a pair: the other finding
    "onnxruntime 1.16.1\nonnxruntime-gpu 1.16.1\n" + ORT_WARN,
    # a GPU build that cannot load its CUDA libraries: not a CPU build
    "ERROR:2025-05-28 18:06:26,600:jax._src.xla_bridge:444: Jax plugin configuration error: Exception when calling "
    "jax_plugins.xla_cuda12.initialize()\n" + JAX_WARN.replace("987", "791"),
    # TensorFlow where a CUDA build exists: Linux, and 2.10 on Windows
    TF_TEMPLATE.format(tf="2.16.1", os="Ubuntu 22.04"),
    TF_TEMPLATE.format(tf="2.10.1", os="Windows 10"),
    # macOS: no CUDA build of anything
    '  File "/Users/me/Library/Python/3.9/lib/python/site-packages/faster_whisper/transcribe.py", line 130\n'
    "ValueError: This CTranslate2 package was not compiled with CUDA support\nI am on macOS 14 (MacBook Pro M1).",
])
def test_near_misses_are_not_a_cpu_build(text):
    assert FID not in findings(text)


@pytest.mark.parametrize("text", [
    SMI_L + "$ pip list | grep -i paddle\npaddlepaddle        3.1.0\npaddleocr           3.1.0\n",
    SMI_L + "torch==2.3.1+cu121\nonnxruntime==1.18.0\nfaiss-cpu==1.8.0\n>>> torch.cuda.is_available()\nTrue",
])
def test_a_listing_alone_is_only_a_warning(text):
    """The CPU package listed, no GPU package, an NVIDIA GPU seen: likely, and a warning, never
    an error (healthy GPU machines list CPU-only onnxruntime or faiss-cpu as a dependency)."""
    got = findings(text)[FID]
    assert (got.severity.value, got.confidence.value) == ("warning", "likely")


@pytest.mark.parametrize("text", [
    "$ pip list | grep -i paddle\npaddlepaddle        3.1.0\n",  # no GPU seen
    SMI_L + "paddlepaddle        3.1.0\npaddlepaddle-gpu    3.1.0\n",  # both: the other finding
    SMI_L + "onnxruntime-gpu==1.18.0\n",
])
def test_a_listing_without_the_cpu_package_alone_says_nothing(text):
    assert FID not in findings(text)
