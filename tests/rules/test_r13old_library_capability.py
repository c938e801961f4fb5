"""A GPU below the compute capability a library requires by design (gpu_too_old_for_library,
rules/library_capability.py, messages.toml block r13old). Texts written for the test from the
upstream format strings cited in the catalogue's origins (torch's Inductor and autocast, vLLM,
flash-attn, transformers' TrainingArguments, xFormers), none taken from the diagnosis corpus;
each broken paste has a near-miss with the same words on a working or newer GPU, a CPU-only
torch, a build problem or a question."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Confidence
from tests.rules import fix
from tests.rules.test_unseen_classes import errors, findings

FID = "gpu_too_old_for_library"

TRITON = ("torch._dynamo.exc.BackendCompilerFailed: backend='inductor' raised:\nRuntimeError: Found {gpu} which is too "
          "old to be supported by the triton GPU compiler, which is used as the backend. Triton only supports devices "
          "of CUDA Capability >= 7.0, but your device is of CUDA capability {cc}\n\nSet TORCH_LOGS=\"+dynamo\" and "
          "TORCHDYNAMO_VERBOSE=1 for more information")
VLLM_BF16 = ("ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your {gpu} GPU has "
             "compute capability {cc}. You can use float16 instead by explicitly setting the `dtype` flag in CLI, for "
             "example: --dtype=half.")
NVSMI_ROW = ("+-----------------------------------------------------------------------------+\n"
             "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |\n"
             "|   0  {gpu}  Off  | 00000000:00:04.0 Off |                    0 |\n")
TRANSFORMERS_BF16 = ("  File \"/usr/local/lib/python3.10/dist-packages/transformers/training_args.py\", line 1499, in "
                     "__post_init__\n    raise ValueError(\nValueError: Your setup doesn't support bf16/gpu. You need "
                     "torch>=1.10, using Ampere GPU with cuda>=11.0")
XFORMERS = ("NotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:\n"
            "     query       : shape=(1, 4096, 12, 128) (torch.bfloat16)\n"
            "     key         : shape=(1, 4096, 12, 128) (torch.bfloat16)\n"
            "     value       : shape=(1, 4096, 12, 128) (torch.bfloat16)\n"
            "     attn_bias   : <class 'NoneType'>\n     p           : 0.0\n"
            "`fa2F@2.5.7-pt` is not supported because:\n"
            "    requires device with capability > (8, 0) but your GPU has capability (7, 5) (too old)\n"
            "    bf16 is only supported on A100+ GPUs\n"
            "`cutlassF-pt` is not supported because:\n    bf16 is only supported on A100+ GPUs")

BROKEN = [
    # torch.compile on Pascal: a notebook on Kaggle's P100, a GTX 1070 training loop, a Chinese report
    TRITON.format(gpu="Tesla P100-PCIE-16GB", cc="6.0"),
    "$ python train.py config/train_gpt2.py\nTraceback (most recent call last):\n" + TRITON.format(gpu="NVIDIA GeForce GTX 1070", cc="6.1"),
    "用 GTX 1080 Ti 训练时报错：\nRuntimeError: Found NVIDIA GeForce GTX 1080 Ti which is too old to be supported by the "
    "triton GPU compiler, which is used as the backend. Triton only supports devices of CUDA Capability >= 7.0, but "
    "your device is of CUDA capability 6.1",
    # the same refusal cut short: a 200-character issue title, dynamo's WARNING line under suppress_errors
    "RuntimeError: Found NVIDIA GeForce GTX 1070 which is too old to be supported by the triton GPU compiler, which is "
    "used as the backend. Triton only supports devices of CUDA Capability >= 7.0, bu",
    "[2024-06-18 23:38:49,504] torch._dynamo.convert_frame: [WARNING] RuntimeError: Found Quadro P4000 which is too old "
    "to be supported by the triton GPU compiler, which is used as the backend. Triton only supports devices of CUDA "
    "Capability >= 7.0, but your device is of CUDA capability ",
    # vLLM: bfloat16 on V100/T4, a quantization kernel newer than the GPU, its early setup.py on a Pascal card
    "INFO 09-05 11:21:03 llm_engine.py:72] Initializing an LLM engine with config: model='meta-llama/Llama-2-7b-hf'\n"
    + VLLM_BF16.format(gpu="Tesla V100-SXM2-32GB", cc="7.0"),
    "$ docker run --gpus all vllm/vllm-openai --model Qwen/Qwen2-7B\n" + VLLM_BF16.format(gpu="Tesla T4", cc="7.5"),
    "ValueError: The quantization method fp8 is not supported for the current GPU. Minimum capability: 89. Current "
    "capability: 86.",
    "  Building wheel for vllm (pyproject.toml) ... error\n  RuntimeError: GPUs with compute capability below 7.0 are "
    "not supported.",
    # torch.autocast in bfloat16 on a V100 (nanoGPT-style training script)
    "  File \"/usr/local/lib/python3.10/dist-packages/torch/amp/autocast_mode.py\", line 234, in __init__\n"
    "    raise RuntimeError('Current CUDA Device does not support bfloat16. Please switch dtype to float16.')\n"
    "RuntimeError: Current CUDA Device does not support bfloat16. Please switch dtype to float16.",
    # flash-attn 2 on Turing / Volta
    "  File \"/opt/conda/lib/python3.10/site-packages/flash_attn/flash_attn_interface.py\", line 51, in _flash_attn_forward\n"
    "    out, q, k, v, out_padded, softmax_lse, S_dmask, rng_state = flash_attn_cuda.fwd(\n"
    "RuntimeError: FlashAttention only supports Ampere GPUs or newer.",
    # transformers' bf16 / tf32 checks with the GPU shown by nvidia-smi or in words
    NVSMI_ROW.format(gpu="Tesla V100-SXM2-32GB") + TRANSFORMERS_BF16,
    "GPU：2080Ti\n" + TRANSFORMERS_BF16,
    "GPU: Tesla T4\nValueError: --tf32 requires Ampere or a newer GPU arch, cuda>=11 and torch>=1.7",
    # torch's SDPA forced to its flash kernel on a T4
    "with sdpa_kernel(SDPBackend.FLASH_ATTENTION):\n/usr/local/lib/python3.10/dist-packages/torch/nn/functional.py:5476: "
    "UserWarning: Flash attention only supports gpu architectures in the range [sm80, sm90]. Attempting to run on a sm "
    "7.5 gpu. (Triggered internally at ../aten/src/ATen/native/transformers/cuda/sdp_utils.cpp:201.)\n"
    "RuntimeError: No available kernel. Aborting execution.",
    # Japanese and Korean reports around the same refusals
    "Colab の T4 で SFTTrainer を実行すると次のエラーになります:\nValueError: Your setup doesn't support bf16/gpu. You need "
    "Ampere+ GPU with cuda>=11.0",
    "V100 서버에서 학습하면 에러가 납니다.\nRuntimeError: FlashAttention only supports Ampere GPUs or newer.",
    # xFormers: every operator refuses bfloat16 on a Turing card
    "Device: cuda:0 NVIDIA GeForce RTX 2070 SUPER : cudaMallocAsync\n" + XFORMERS,
]


@pytest.mark.parametrize("text", BROKEN)
def test_a_library_refusing_an_older_gpu_is_the_finding(text):
    assert FID in errors(text)


def test_the_finding_names_the_library_the_capability_it_needs_and_the_gpus():
    f = findings(TRITON.format(gpu="NVIDIA GeForce GTX 1080", cc="6.1"))[FID]
    assert f.confidence is Confidence.CONFIRMED
    assert "torch.compile" in f.explanation and "7.0" in f.explanation and "6.1" in f.explanation
    assert "GTX 1080" in f.explanation
    q = findings("ValueError: The quantization method gptq_marlin is not supported for the current GPU. Minimum "
                 "capability: 80. Current capability: 75.")[FID]
    assert "8.0" in q.explanation and "7.5" in q.explanation
    v = findings("RuntimeError: GPUs with compute capability below 7.0 are not supported.\nGPU 1: Tesla P100-PCIE-16GB")[FID]
    assert "newer GPUs visible" in v.explanation and "6.0" in v.explanation
    b = findings(VLLM_BF16.format(gpu="Tesla T4", cc="7.5"))[FID]
    assert "--dtype half" in b.explanation or "float16" in b.explanation


def test_transformers_check_is_confirmed_by_a_tool_and_likely_by_words():
    assert findings(NVSMI_ROW.format(gpu="Tesla V100-SXM2-32GB") + TRANSFORMERS_BF16)[FID].confidence is Confidence.CONFIRMED
    f = findings("My GPU is a Tesla T4.\n" + TRANSFORMERS_BF16)[FID]
    assert f.confidence is Confidence.LIKELY and "7.5" in f.explanation


def test_transformers_check_without_a_gpu_in_the_text_is_likely():
    f = findings(TRANSFORMERS_BF16)[FID]
    assert f.confidence is Confidence.LIKELY


NEAR_MISS = [
    # transformers' bf16 check failing on an Ampere GPU (another cause) and with a CPU-only torch
    NVSMI_ROW.format(gpu="NVIDIA A100-SXM4-80GB") + TRANSFORMERS_BF16,
    "PyTorch version: 2.11.0+cpu\nIs CUDA available: False\n" + TRANSFORMERS_BF16,
    # xFormers: the operator is for a newer GPU than an Ada card, or xFormers was built without CUDA; a Blackwell card too new
    "`fa3F@0.0.0` is not supported because:\n    xFormers wasn't build with CUDA support\n"
    "    requires device with capability > (9, 0) but your GPU has capability (8, 9) (too old)\n"
    "    operator wasn't built - see `python -m xformers.info` for more info",
    "`fa3F@2.8.3` is not supported because:\n    requires device with capability > (9, 0) but your GPU has capability (8, 9) (too old)",
    "`fa3F@2.8.3-133-gde1584b` is not supported because:\n"
    "    requires device with capability < (8, 0) but your GPU has capability (12, 0) (too new)",
    # working GPUs with torch.compile: Inductor's autotuning notes (slower, not refused)
    "I1115 11:42:22.079000 torch/_inductor/utils.py:1250] [0/0] Not enough SMs to use max_autotune_gemm mode\n"
    "GPU 0: NVIDIA GeForce RTX 3060\nThe compiled model runs, but is it slower than it could be?",
    "W1115 11:42:22.079000 torch/_inductor/select_algorithm.py:1469] [16/384] out of resource: shared memory, Required: "
    "122880, Hardware limit: 101376. Reducing block sizes or num_stages may help.\nGPU 0: NVIDIA L40",
    # flash-attn 2's check failing on a Blackwell card its build predates (too new, not too old)
    "GPU 0: NVIDIA GeForce RTX 5090 (UUID: GPU-5a1c9f6e-2b7d-4c1e-9f3a-8d2e6b0c4a17)\n"
    "!!! Exception during processing !!! FlashAttention only supports Ampere GPUs or newer.",
    # SDPA's flash warning alone: it falls back to the memory-efficient kernel; no kernel for another reason
    "UserWarning: Flash attention only supports gpu architectures in the range [sm80, sm121]. Attempting to run on a "
    "sm 7.5 gpu. (Triggered internally at /pytorch/aten/src/ATen/native/transformers/cuda/sdp_utils.cpp:265.)\n"
    "The model trains fine but slower than on my A100.",
    # an older torch on a Blackwell card: too new for its flash kernel, not too old
    "UserWarning: Flash attention only supports gpu architectures in the range [sm80, sm90]. Attempting to run on a "
    "sm 12.0 gpu.\nRuntimeError: No available kernel. Aborting execution.",
    # vLLM choosing another attention backend on Turing (an INFO line: it runs)
    "INFO 03-10 12:00:01 selector.py:150] Cannot use FlashAttention-2 backend for Volta and Turing GPUs.\n"
    "INFO 03-10 12:00:01 selector.py:51] Using XFormers backend.",
    # a person quoting the refusal's wording about another GPU, in a question
    "Will my RTX 3060 be \"too old to be supported by the triton GPU compiler\" like my old GTX 1060 was?",
    # bitsandbytes' note on a Pascal GPU: 8-bit matmul is slower there, not refused
    "CUDA SETUP: Highest compute capability among GPUs detected: 6.1\n"
    "WARNING: Compute capability < 7.5 detected! Only slow 8-bit matmul is supported for your GPU!",
    # questions and a working REPL with the same words
    "Does torch.compile work on a GTX 1080? The docs say Triton only supports devices of CUDA Capability >= 7.0.",
    ">>> torch.cuda.get_device_name(0)\n'NVIDIA A100-SXM4-40GB'\n>>> torch.cuda.is_bf16_supported()\nTrue\n"
    "Is bf16 faster than fp16 with flash-attn 2 on this card?",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_same_words_on_working_or_newer_gpus_are_not_the_finding(text):
    assert FID not in findings(text)


def test_a_torch_build_without_the_gpus_arch_is_the_torch_finding_not_this_one():
    text = ("UserWarning:\n    Found GPU0 Tesla K40m which is of cuda capability 3.5.\n    PyTorch no longer supports "
            "this GPU because it is too old.\n    The minimum cuda capability supported by this library is 3.7.")
    got = findings(text)
    assert "gpu_arch_too_old_for_torch_build" in got and FID not in got


def test_a_cut_refusal_takes_the_capability_from_the_gpus_name():
    f = findings("RuntimeError: Found NVIDIA GeForce GTX 1070 which is too old to be supported by the triton GPU "
                 "compiler, which is used as the backend. Triton only supports devices of CUDA Capability >= 7.0, bu")[FID]
    assert "6.1" in f.explanation and "7.0" in f.explanation


def test_the_triton_refusal_is_not_blamed_on_torchs_build():
    got = findings(TRITON.format(gpu="Tesla P100-PCIE-16GB", cc="6.0"))
    assert not {"gpu_arch_too_old_for_torch_build", "gpu_arch_unsupported_by_torch_build",
                "extension_built_without_gpu_arch", "cuda_toolkit_too_old_for_gpu_arch"} & set(got)


def test_the_recipe_turns_the_feature_off():
    explanation, report = diagnose(source.normalise(TRITON.format(gpu="Tesla P4", cc="6.1")), collected_at="")
    f = next(f for f in report.findings if f.id == FID)
    assert f.recipe == FID
    commands = fix(f, explanation.facts)
    assert "export TORCHDYNAMO_DISABLE=1" in commands
    # only the refused feature's step: the others' `when` reads the messages (review 6 M6)
    assert "vllm serve MODEL --dtype half" not in commands
    assert "python -m pip uninstall -y flash-attn" not in commands
