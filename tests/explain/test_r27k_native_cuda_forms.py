"""Round 27 k: whose CUDA error "the provided PTX was compiled with an unsupported toolchain" /
"CUDA driver version is insufficient" is, where its line names no program
(derived/driver_program_forms.py). ggml's CUDA check prints c10's own wording, "CUDA error: …",
and names itself on the NEXT line ("  current device: 0, in function … at …/ggml-cuda.cu:…",
messages.toml ggml_cuda_error_location); FasterTransformer and its descendants (lmdeploy's
TurboMind, TensorRT-LLM) tag theirs "[FT][ERROR] CUDA runtime error: …", also inside docker
compose prefixes, libstdc++'s "what():" and Python's "RuntimeError: ". Either is a program built
with a CUDA toolkit newer than the driver: cuda_toolkit_newer_than_driver, not
driver_too_old_for_torch_cuda. Near-misses: torch's own message (its c10 wording, its traceback),
ggml's and FT's other CUDA errors (out of memory), the message asked about or said to be gone.
Texts written for the test, in the shapes of canonical/inference-snaps#255 and
fauxpilot/fauxpilot#19."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NEWER = "cuda_toolkit_newer_than_driver"
TORCH = "driver_too_old_for_torch_cuda"
PTX = "the provided PTX was compiled with an unsupported toolchain."

GGML_JOURNAL = (
    "2026-03-25T19:17:07+02:00 gemma3.server[16376]: /build/llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:97: CUDA error\n"
    "2026-03-25T19:17:07+02:00 gemma3.server[16376]: ggml_cuda_compute_forward: SCALE failed\n"
    f"2026-03-25T19:17:07+02:00 gemma3.server[16376]: CUDA error: {PTX}\n"
    "2026-03-25T19:17:07+02:00 gemma3.server[16376]:   current device: 0, in function ggml_cuda_compute_forward "
    "at /build/llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:2752\n"
    "2026-03-25T19:17:07+02:00 gemma3.server[16376]:   err\n")

GGML_PLAIN_INSUFFICIENT = (
    "$ ./llama-server -m model.gguf -ngl 99\n"
    "CUDA error: CUDA driver version is insufficient for CUDA runtime version\n"
    "  current device: 0, in function ggml_cuda_set_device at /src/whisper.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:88\n"
    "  cudaSetDevice(device)\n")

FT_COMPOSE = (
    "fauxpilot-triton-1         | I0811 02:59:27.879335 94 libfastertransformer.cc:307] Before Loading Model:\n"
    "fauxpilot-triton-1         | terminate called after throwing an instance of 'std::runtime_error'\n"
    f"fauxpilot-triton-1         |   what():  [FT][ERROR] CUDA runtime error: {PTX} "
    "/workspace/build/fastertransformer_backend/build/_deps/repo-ft-src/src/fastertransformer/utils/cuda_utils.h:393\n")

TRTLLM_WRAPPED = (
    "Traceback (most recent call last):\n"
    "  File \"/app/run.py\", line 12, in <module>\n"
    "    runner = ModelRunner.from_dir(engine_dir)\n"
    f"RuntimeError: [TensorRT-LLM][ERROR] CUDA runtime error in cudaStreamCreate(&stream): {PTX} "
    "(/src/tensorrt_llm/cpp/include/tensorrt_llm/common/cudaUtils.h:157)\n")

TM_PLAIN = f"[TM][ERROR] CUDA runtime error: {PTX} /lmdeploy/src/turbomind/utils/allocator.h:231\nAborted (core dumped)\n"


@pytest.mark.parametrize("paste", [GGML_JOURNAL, GGML_PLAIN_INSUFFICIENT, FT_COMPOSE, TRTLLM_WRAPPED, TM_PLAIN],
                         ids=["ggml-journald", "ggml-insufficient", "ft-compose", "trtllm-runtimeerror", "turbomind"])
def test_native_programs_cuda_is_newer_than_the_driver(paste):
    f = findings(paste)
    assert NEWER in f, sorted(f)
    assert TORCH not in f, sorted(f)


def test_torchs_own_ptx_error_stays_torchs():
    paste = ("Traceback (most recent call last):\n"
             "  File \"debug.py\", line 14, in <module>\n"
             "    x = x.cuda()\n"
             f"RuntimeError: CUDA error: {PTX}\n"
             "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below "
             "might be incorrect.\n"
             "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.\n")
    f = findings(paste)
    assert TORCH in f and NEWER not in f, sorted(f)


@pytest.mark.parametrize("paste", [
    # ggml's and FT's other CUDA errors: the program is named, the driver is not older than anything.
    "CUDA error: out of memory\n"
    "  current device: 0, in function ggml_backend_cuda_buffer_set_tensor at /llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:512\n"
    "  cudaMemcpyAsync(...)\n",
    "[TM][ERROR] CUDA runtime error: out of memory /opt/lmdeploy/src/turbomind/core/allocator.cc:49\nAborted (core dumped)\n",
    # asked about, not met
    f"Has anyone seen \"[FT][ERROR] CUDA runtime error: {PTX[:-1]}\"? We are about to deploy on driver 470.\n",
    # a failure said to be over
    f"We used to get `[FT][ERROR] CUDA runtime error: {PTX}` on the old host, but after updating the driver to 535 "
    "it works now.\n",
], ids=["ggml-oom", "turbomind-oom", "ft-question", "ft-fixed"])
def test_near_misses_give_no_driver_finding(paste):
    f = findings(paste)
    assert NEWER not in f and TORCH not in f, sorted(f)


def test_ggml_second_line_names_ggml_only_for_the_line_it_follows():
    # a torch traceback's c10 line, and ggml's location block for another error further down:
    # the PTX message is torch's.
    paste = (f"RuntimeError: CUDA error: {PTX}\n"
             "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n\n"
             "later, in another run:\n"
             "CUDA error: out of memory\n"
             "  current device: 0, in function ggml_cuda_pool_malloc at /llama.cpp/ggml/src/ggml-cuda/ggml-cuda.cu:410\n")
    f = findings(paste)
    assert TORCH in f and NEWER not in f, sorted(f)
