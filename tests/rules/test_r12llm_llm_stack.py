"""Round 12 (branch r12llm): what LLM serving and training stacks print when the GPU stack under
them is broken (messages.toml block r12llm, rules/llm_stack.py): Ollama's GPU discovery,
llama.cpp's CUDA backend, vLLM's platform detection and capability checks, bitsandbytes' CUDA
setup, transformers' quantizers. Texts written for the test from the upstream sources' format
strings (values filled in the way the tools fill them), none taken from the diagnosis corpus.

Three kinds of text: a line that names the cause (a finding, likely or confirmed); a line that
only says the tool runs without the GPU (no finding decided, but never "ok": the verdict lists
the likely causes); and a working machine printing the same tools' normal banners, or asking about
those words (no error finding).
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import errors, findings

OLLAMA = "time=2025-02-01T12:00:00.000Z level={lvl} source=gpu.go:{line} msg=\"{msg}\""
BNB_FALLBACK = ("/opt/conda/lib/python3.10/site-packages/bitsandbytes/cextension.py:34: UserWarning: The installed version "
                "of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU "
                "quantization are unavailable.")


def _verdict(text: str) -> str:
    return diagnose(source.normalise(text), collected_at="")[1].verdict


@pytest.mark.parametrize("text, fid", [
    # Ollama: cuInit's CUDA_ERROR_SYSTEM_DRIVER_MISMATCH / INSUFFICIENT_DRIVER, as a service log and in docker compose
    (OLLAMA.format(lvl="WARN", line=587, msg="version mismatch between driver and cuda driver library - reboot or "
                   "upgrade may be required: library /usr/lib/x86_64-linux-gnu/libcuda.so.560.28.03"),
     "nvml_driver_library_mismatch"),
    ("ollama  | " + OLLAMA.format(lvl="WARN", line=612, msg="version mismatch between driver and cuda driver library - "
                                  "reboot or upgrade may be required: library /usr/lib/x86_64-linux-gnu/libcuda.so.575.51.03")
     + "\nollama  | " + OLLAMA.format(lvl="INFO", line=377, msg="no compatible GPUs were discovered"),
     "nvml_driver_library_mismatch"),
    # Ollama: a libcuda older than the driver API its runners call (CUDA 11.4's cuCtxCreate_v3)
    ("time=2024-07-04T17:13:20.135+08:00 level=DEBUG source=gpu.go:385 msg=\"Unable to load nvcuda\" "
     "library=/usr/lib64/libcuda.so.418.74 error=\"symbol lookup for cuCtxCreate_v3 failed: /usr/lib64/libcuda.so.418.74: "
     "undefined symbol: cuCtxCreate_v3\"", "cuda_toolkit_newer_than_driver"),
    ("Jun 02 10:01:02 srv ollama[811]: time=2024-06-02T10:01:02.000Z level=INFO source=gpu.go:300 msg=\"Unable to load "
     "cudart library /usr/lib/x86_64-linux-gnu/libcuda.so.470.57.02: symbol lookup for cuMemGetInfo_v3 failed: "
     "/usr/lib/x86_64-linux-gnu/libcuda.so.470.57.02: undefined symbol: cuMemGetInfo_v3\"", "cuda_toolkit_newer_than_driver"),
    # vLLM: NVML sees the GPU, the wheel is the CPU build
    ("DEBUG 03-04 10:00:00 [__init__.py:80] CUDA platform is not available because vLLM is built with CPU.\n"
     "INFO 03-04 10:00:00 [__init__.py:243] Automatically detected platform cpu.", "framework_cpu_only_build"),
    # bitsandbytes without a binary for torch's CUDA: 0.44's warning, 0.45's error, 0.37-0.42's CUDA SETUP line
    ("Could not find the bitsandbytes CUDA binary at PosixPath('/venv/lib/python3.11/site-packages/bitsandbytes/"
     "libbitsandbytes_cuda128.so')\n" + BNB_FALLBACK, "extension_built_for_other_torch"),
    ("ERROR:bitsandbytes.cextension:bitsandbytes library load error: Configured CUDA binary not found at "
     "C:\\AI\\venv\\Lib\\site-packages\\bitsandbytes\\libbitsandbytes_cuda132.dll\nTraceback (most recent call last):",
     "extension_built_for_other_torch"),
    ("$ python -m bitsandbytes\nPyTorch settings found: CUDA_VERSION=128, Highest Compute Capability: (12, 0).\n"
     "Library not found: /home/u/.venv/lib/python3.12/site-packages/bitsandbytes/libbitsandbytes_cuda128.so. Maybe you "
     "need to compile it from source?", "extension_built_for_other_torch"),
    ("CUDA SETUP: Required library version not found: libbitsandbytes_cuda124.so. Maybe you need to compile it from "
     "source?\nCUDA SETUP: Defaulting to libbitsandbytes_cpu.so...", "extension_built_for_other_torch"),
    # Ollama built without its CUDA runners (a source build, a distribution's CPU package)
    ("time=2024-02-02T04:35:58.549+01:00 level=INFO source=routes.go:983 msg=\"Listening on 127.0.0.1:11434 (version "
     "0.0.0)\"\ntime=2024-02-02T04:35:58.565+01:00 level=INFO source=payload_common.go:145 msg=\"Dynamic LLM libraries "
     "[cpu_avx2 cpu_avx cpu]\"", "framework_cpu_only_build"),
    ("Mar 20 10:00:01 arch ollama[911]: time=2025-03-20T10:00:01.000Z level=INFO source=routes.go:1267 msg=\"Dynamic LLM "
     "libraries\" runners=\"[cpu cpu_avx cpu_avx2]\"", "framework_cpu_only_build"),
    # bitsandbytes fell back to its CPU library after its search for libcudart failed
    ("CUDA_SETUP: WARNING! libcudart.so not found in any environmental path. Searching in backup paths...\n"
     + BNB_FALLBACK, "cuda_library_missing"),
    # llama.cpp without a GPU backend on a machine whose nvidia-smi lists a GPU
    ("$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-1b2c3d4e-5f60-7a8b-9c0d-1e2f3a4b5c6d)\n"
     "$ ./llama-cli -m qwen2.5-7b-q4_k_m.gguf -ngl 99\nwarning: no usable GPU found, --gpu-layers option will be ignored\n"
     "warning: one possible reason is that llama.cpp was compiled without GPU support", "framework_cpu_only_build"),
    # llama-cpp-python's system_info with only the CPU backend, on a machine whose nvidia-smi lists a GPU
    ("$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 4070 (UUID: GPU-0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d)\n>>> llm = "
     "Llama(model_path='m.gguf', n_gpu_layers=-1)\nsystem_info: n_threads = 8 (n_threads_batch = 8) / 16 | CPU : SSE3 = 1 "
     "| SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | LLAMAFILE = 1 | OPENMP = 1 | AARCH64_REPACK = 1 |",
     "framework_cpu_only_build"),
    ("UserWarning: WARNING: No libcudart.so found! Install CUDA or the cudatoolkit package (anaconda)!\n  warn(msg)\n"
     "UserWarning: The installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers and GPU "
     "quantization are unavailable.", "cuda_library_missing"),
])
def test_a_line_that_names_the_cause(text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("text", [
    # llama.cpp before b2700: cudaGetDeviceCount failed, the CUDA error itself not printed
    "ggml_init_cublas: no CUDA devices found, CUDA will be disabled\nllama_model_loader: loaded meta data",
    "llama-server.exe -m model.gguf -ngl 99\nggml_init_cublas: no CUDA devices found, CUDA will be disabled",
    # vLLM's platform detection found nothing (a container, a driver): the cause is open
    "vllm-1  | INFO 03-17 06:04:15 __init__.py:211] No platform detected, vLLM is running on UnspecifiedPlatform\n"
    "vllm-1  | RuntimeError: Failed to infer device type",
    "DEBUG 03-04 10:00:00 [__init__.py:72] CUDA platform is not available because no GPU is found.",
    # Ollama: libcuda loaded, no device; a vGPU without CUDA; all layers on the CPU
    "ollama  | " + OLLAMA.format(lvl="INFO", line=630, msg="no nvidia devices detected by library "
                                 "/usr/lib/x86_64-linux-gnu/libcuda.so.565.57.01"),
    OLLAMA.format(lvl="INFO", line=272, msg="error looking up nvidia GPU memory") + " error=\"cuda driver library failed "
    "to get device context 801\"",
    "ggml_cuda_init: failed to initialize CUDA: no CUDA-capable device is detected\n"
    "llm_load_tensors: offloaded 0/33 layers to GPU",
    # bitsandbytes' CPU fall-back alone; transformers' quantizer relaying torch
    BNB_FALLBACK,
    "  File \"/app/load.py\", line 12, in <module>\n    model = AutoModelForCausalLM.from_pretrained(name, "
    "load_in_4bit=True)\nRuntimeError: No GPU found. A GPU is needed for quantization.",
    "RuntimeError: \n        CUDA Setup failed despite GPU being available. Please run the following command to get more "
    "information:\n\n        python -m bitsandbytes",
    "CUDA SETUP: WARNING! libcuda.so not found! Do you have a CUDA driver installed? If you are on a cluster, make sure "
    "you are on a CUDA machine!",
    # llama.cpp with no GPU device and nothing else known; DeepSpeed's CPU fall-back; Ollama on a CPU without AVX
    "warning: no usable GPU found, --gpu-layers option will be ignored\nwarning: one possible reason is that llama.cpp "
    "was compiled without GPU support\nwarning: consult docs/build.md for compilation instructions",
    ">>> import deepspeed\n[2025-02-05 11:40:34,904] [WARNING] [real_accelerator.py:162:get_accelerator] Setting "
    "accelerator to CPU. If you have GPU or other accelerator, we were unable to detect it.\n[2025-02-05 11:40:34,965] "
    "[INFO] [real_accelerator.py:203:get_accelerator] Setting ds_accelerator to cpu (auto detect)",
    OLLAMA.format(lvl="WARN", line=115, msg="CPU does not have AVX or AVX2, disabling GPU support."),
    # xFormers' extension without CUDA (vLLM's XFORMERS backend, diffusers)
    "NotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:\n     query       : "
    "shape=(1, 4096, 8, 40) (torch.float16)\n`cutlassF` is not supported because:\n    xFormers wasn't build with CUDA "
    "support\n    Operator wasn't built - see `python -m xformers.info` for more info",
    # Ollama 0.12 and later: discovery kept no GPU
    "time=2026-02-14T11:15:42.629Z level=INFO source=types.go:60 msg=\"inference compute\" id=cpu library=cpu compute=\"\" "
    "name=cpu description=cpu libdirs=ollama driver=\"\" pci_id=\"\" type=\"\" total=\"31.2 GiB\" available=\"28.0 GiB\"\n"
    "time=2026-02-14T11:15:42.629Z level=INFO source=routes.go:1648 msg=\"entering low vram mode\" \"total vram\"=\"0 B\" "
    "threshold=\"20.0 GiB\"",
])
def test_running_without_the_gpu_is_never_called_healthy(text):
    assert _verdict(text) not in ("ok", "insufficient")


@pytest.mark.parametrize("text", [
    # llama.cpp's banner on a working GPU, then an unrelated bug
    "main: build = 3015 (74b239b3)\nggml_cuda_init: GGML_CUDA_FORCE_MMQ:    no\nggml_cuda_init: found 1 CUDA devices:\n"
    "  Device 0: NVIDIA GeForce RTX 4090, compute capability 8.9, VMM: yes\nllm_load_tensors: offloaded 33/33 layers to "
    "GPU\nThe output is gibberish after the latest commit.",
    # Ollama's start-up on a working GPU
    OLLAMA.format(lvl="INFO", line=226, msg="looking for compatible GPUs") + "\n"
    "time=2025-01-10T08:00:01.700Z level=INFO source=types.go:131 msg=\"inference compute\" "
    "id=GPU-93e08bff-19ea-9448-3848-d2ab3d687e30 library=cuda variant=v12 compute=8.9 driver=12.4 "
    "name=\"NVIDIA GeForce RTX 4090\" total=\"23.6 GiB\" available=\"22.1 GiB\"\nThe model answers in the wrong language.",
    # bitsandbytes' banner: the first search misses libcudart, the backup search finds it, the CUDA binary loads
    "CUDA_SETUP: WARNING! libcudart.so not found in any environmental path. Searching in backup paths...\n"
    "CUDA SETUP: CUDA runtime path found: /usr/local/cuda/lib64/libcudart.so\n"
    "CUDA SETUP: Highest compute capability among GPUs detected: 8.6\nCUDA SETUP: Detected CUDA version 118\n"
    "CUDA SETUP: Loading binary /opt/conda/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cuda118.so...",
    # vLLM on a working GPU, a capacity error (bfloat16 or Marlin on a T4: gpu_too_old_for_library since r13old)
    "INFO 05-02 10:11:12 [__init__.py:239] Automatically detected platform cuda.\nValueError: The model's max seq len "
    "(32768) is larger than the maximum number of tokens that can be stored in KV cache (22352).",
    # Ollama on a Kepler GPU: below its CUDA runners' minimum, nothing to fix in the setup
    OLLAMA.format(lvl="INFO", line=251, msg="[0] CUDA GPU is too old. Compute Capability detected: 3.7"),
    # questions and a Mac with the same words
    "Is it normal that bitsandbytes says \"The installed version of bitsandbytes was compiled without GPU support\" on my "
    "MacBook M2? There is no NVIDIA GPU in it.",
    "What does 'No platform detected, vLLM is running on UnspecifiedPlatform' mean in the docs? My server works fine.",
    # llama.cpp's system_info with its CUDA backend first (a working build), and a CPU-only one on a laptop without a GPU
    "system_info: n_threads = 8 (n_threads_batch = 8) / 16 | CUDA : ARCHS = 860,890,1200 | USE_GRAPHS = 1 | "
    "PEER_MAX_BATCH_SIZE = 128 | CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 |\n"
    "The server crashes when two requests use different grammars.",
    "My laptop has no GPU, I run on the CPU only.\nsystem_info: n_threads = 4 (n_threads_batch = 4) / 8 | CPU : SSE3 = 1 | "
    "AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | OPENMP = 1 |",
    # Ollama's release build lists its CUDA runners
    "time=2024-12-02T02:20:21.360Z level=INFO source=common.go:49 msg=\"Dynamic LLM libraries\" runners=\"[cpu cpu_avx "
    "cpu_avx2 cuda_v11 cuda_v12]\"\ntime=2024-12-02T02:20:21.500Z level=INFO source=types.go:123 msg=\"inference compute\" "
    "id=GPU-d8c5a1b2-0c3d-4e5f-8a9b-0c1d2e3f4a5b library=cuda variant=v12 compute=8.6 driver=12.4 name=\"NVIDIA GeForce RTX "
    "3060\" total=\"11.7 GiB\" available=\"11.0 GiB\"",
    # Ollama 0.12 and later on a 16 GiB GPU: low-VRAM mode only means big models will not fit
    "time=2025-10-01T11:18:18.978Z level=INFO source=types.go:42 msg=\"inference compute\" "
    "id=GPU-7d14824c-991c-23c3-7303-1ef28991f48e filter_id=0 library=CUDA compute=6.0 name=CUDA0 description=\"Tesla "
    "P100-PCIE-16GB\" libdirs=ollama,cuda_v12 driver=12.2 pci_id=0000:00:04.0 type=discrete total=\"15.9 GiB\" "
    "available=\"14.4 GiB\"\ntime=2025-10-01T11:18:18.978Z level=INFO source=routes.go:1569 msg=\"entering low vram mode\" "
    "\"total vram\"=\"15.9 GiB\" threshold=\"20.0 GiB\"",
    # DeepSpeed finding the GPU; llama.cpp's CI on a CPU-only runner (no GPU anywhere in the text)
    "[2024-10-17 08:56:34,510] [INFO] [real_accelerator.py:191:get_accelerator] Setting ds_accelerator to cuda (auto "
    "detect)\nRuntimeError: Error building extension 'fused_adam'",
    "+ ./bin/llama-embedding --model ../models-mnt/bge-small/ggml-model-f16.gguf -p 'I believe' -ngl 99 -c 0\n"
    "warning: no usable GPU found, --gpu-layers option will be ignored\n0.00.000.600 I build: 4589 (eb7cf15a) with cc "
    "(Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0 for x86_64-linux-gnu",
])
def test_near_misses_get_no_error(text):
    assert not errors(text)


@pytest.mark.parametrize("text", [
    "My laptop has no GPU, I run on the CPU only.\nsystem_info: n_threads = 4 (n_threads_batch = 4) / 8 | CPU : SSE3 = 1 | "
    "AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | OPENMP = 1 |",
    "llm_load_tensors: offloaded 0/33 layers to GPU\nllm_load_tensors:        CPU buffer size =  3647.87 MiB",
    "time=2024-12-02T02:20:21.360Z level=INFO source=common.go:49 msg=\"Dynamic LLM libraries\" runners=\"[cpu cpu_avx "
    "cpu_avx2 cuda_v11 cuda_v12]\"",
])
def test_healthy_cpu_and_gpu_banners_leave_nothing_unexplained(text):
    """A working setup's INFO lines (llama.cpp's system_info and offload count are LLAMA_LOG_INFO):
    no error and nothing unexplained; a person saying the machine has no GPU may get that warning."""
    verdict = _verdict(text)
    assert verdict in ("ok", "insufficient", "warning")
    if verdict == "warning":
        assert set(findings(text)) == {"no_nvidia_gpu_found"}


@pytest.mark.parametrize("text", [
    "$ docker run -p 8000:8000 --ipc=host vllm/vllm-openai:latest --model Qwen/Qwen2.5-7B-Instruct\n"
    "INFO 04-16 21:06:25 [__init__.py:243] No platform detected, vLLM is running on UnspecifiedPlatform",
    "$ docker run -d -p 11434:11434 ollama/ollama\n$ docker logs ollama\n"
    + OLLAMA.format(lvl="INFO", line=630, msg="no nvidia devices detected by library /usr/lib/x86_64-linux-gnu/libcuda.so.1"),
    "$ docker run -it --rm -v $PWD:/w my-qlora-image python train.py\nCUDA SETUP: WARNING! libcuda.so not found! Do you "
    "have a CUDA driver installed? If you are on a cluster, make sure you are on a CUDA machine!",
])
def test_in_a_container_started_without_the_gpu(text):
    assert "container_missing_gpus_flag" in findings(text)


def test_a_container_started_with_the_gpu_is_not_blamed_on_its_start():
    text = ("$ docker run --gpus all -p 8000:8000 --ipc=host vllm/vllm-openai:latest --model Qwen/Qwen2.5-7B-Instruct\n"
            "INFO 05-02 10:11:12 [__init__.py:239] Automatically detected platform cuda.\n"
            "ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla V100-SXM2-"
            "32GB GPU has compute capability 7.0. You can use float16 instead by explicitly setting the`dtype` flag in "
            "CLI, for example: --dtype=half.")
    assert set(errors(text)) == {"gpu_too_old_for_library"}  # the dtype, not the container (r13old)


def test_the_cpu_fallback_alone_names_no_cause():
    """bitsandbytes' fall-back warning has four causes: alone it decides none of them."""
    got = findings(BNB_FALLBACK)
    assert not {"cuda_library_missing", "framework_cpu_only_build", "extension_built_for_other_torch"} & set(got)


def test_a_renamed_vllm_without_metadata_voids_the_platform_message():
    """vLLM without its package metadata reports no platform although the GPU works (vllm-pascal)."""
    text = ("WARNING 06-21 19:07:50 [__init__.py:25] The vLLM package was not found, so its version could not be "
            "inspected. This may cause platform detection to fail.\n"
            "INFO 06-21 19:07:50 [__init__.py:243] No platform detected, vLLM is running on UnspecifiedPlatform")
    report = diagnose(source.normalise(text), collected_at="")[1]
    assert [u.message for u in report.judgement.unexplained] == ["vllm_package_not_found"]


def test_the_missing_binary_names_the_cuda_it_was_asked_for():
    text = ("Could not find the bitsandbytes CUDA binary at PosixPath('/venv/lib/python3.11/site-packages/bitsandbytes/"
            "libbitsandbytes_cuda128.so')")
    finding = findings(text)["extension_built_for_other_torch"]
    assert "CUDA 12.8" in finding.explanation
    assert finding.confidence.value == "likely"
