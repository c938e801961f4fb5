"""Review 6's findings on session 6's messages and rules (branch r14fix): each a broken paste the
rule must still explain and, where one applies, the near-miss that must not get the finding.
Texts written by the reviewer and for this test, none from the diagnosis corpus."""

from __future__ import annotations

import re

from envcheck.explain import diagnose, source
from envcheck.knowledge import messages
from tests.rules import fix
from tests.rules.test_unseen_classes import findings


def _verdict(text: str) -> str:
    return diagnose(source.normalise(text), collected_at="")[1].verdict


def _ranked(text: str) -> set:
    """The causes ranked under "Not explained"."""
    report = diagnose(source.normalise(text), collected_at="")[1]
    return {c.finding for u in report.judgement.unexplained for c in u.causes}


SMI_3090 = """\
root@3f2a1b:/app# nvidia-smi
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   CUDA Version: 12.2     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0 Off |                  N/A |
+-----------------------------------------+------------------------+----------------------+
"""
GGML_NO_DEVICES = "ggml_init_cublas: no CUDA devices found, CUDA will be disabled\n"


# H1: an LLM server's "no devices" line in a container whose nvidia-smi shows the GPU is not the
# container's start; where no GPU or driver shows it still is.
def test_llm_no_devices_beside_a_working_nvidia_smi_is_not_the_container():
    text = ("I run this in a Docker container (docker compose with the nvidia runtime).\n" + SMI_3090
            + "root@3f2a1b:/app# nvcc --version\nCuda compilation tools, release 12.4, V12.4.131\n"
            "root@3f2a1b:/app# ./main -m model.gguf -ngl 33\n" + GGML_NO_DEVICES)
    got = findings(text)
    assert "cuda_toolkit_newer_than_driver" in got and "container_missing_gpus_flag" not in got


def test_ollama_zero_vram_beside_a_gpu_in_the_container_is_not_the_containers_start():
    text = ("Running ollama in Docker (docker compose, runtime: nvidia):\n$ docker exec ollama nvidia-smi\n"
            "| NVIDIA-SMI 550.120                Driver Version: 550.120        CUDA Version: 12.4     |\n"
            "|   0  Tesla K80                      Off |   00000000:01:00.0 Off |                    0 |\n"
            'time=2026-02-14T11:15:42.629Z level=INFO source=routes.go:1648 msg="entering low vram mode" '
            '"total vram"="0 B" threshold="20.0 GiB"\n')
    assert "container_missing_gpus_flag" not in findings(text)


def test_llm_no_devices_in_a_container_showing_no_gpu_is_still_the_container():
    text = "I run this in a Docker container.\nroot@3f2a1b:/app# ./main -m model.gguf -ngl 33\n" + GGML_NO_DEVICES
    assert "container_missing_gpus_flag" in findings(text)


# H2: JAX's and Paddle's "GPU below the build's minimum" are not torch's build: no torch-build
# finding or cause (whose advice is a torch wheel) for them.
TORCH_BUILD = {"gpu_arch_too_old_for_torch_build", "gpu_arch_unsupported_by_torch_build"}


def test_jax_below_its_minimum_capability_gets_no_torch_advice():
    text = (">>> import jax\n/usr/lib/python3.11/site-packages/jax/_src/xla_bridge.py:900: RuntimeWarning: Device 0 "
            "has CUDA compute capability 3.7 which is lower than the minimum supported compute capability 5.2. See "
            "https://jax.readthedocs.io/en/latest/installation.html#nvidia-gpu for more details\n")
    assert not TORCH_BUILD & (set(findings(text)) | _ranked(text))
    assert _verdict(text) != "ok"


def test_paddle_arch_not_in_its_build_gets_no_torch_advice():
    text = ("W0612 10:01:02.000000 1234 gpu_resources.cc:119] The GPU compute capability in your current machine is "
            "120, which is not supported by Paddle, it is recommended to install the corresponding wheel package "
            "according to the installation information on the official Paddle website.\n")
    assert not TORCH_BUILD & (set(findings(text)) | _ranked(text))
    assert _verdict(text) != "ok"


# H4: xFormers' flash operator "(too old)" beside cutlass refusing the shape is not the GPU.
XF_SHAPE = ("NotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:\n"
            "     query       : shape=(1, 4096, 1, 512) (torch.float16)\n"
            "     key         : shape=(1, 4096, 1, 512) (torch.float16)\n"
            "`flshattF@v2.3.2` is not supported because:\n"
            "    requires device with capability > (8, 0) but your GPU has capability (7, 5) (too old)\n"
            "    max(query.shape[-1] != value.shape[-1]) > 256\n"
            "`cutlassF` is not supported because:\n    unsupported embed per head: 512\n"
            "`smallkF` is not supported because:\n    max(query.shape[-1] != value.shape[-1]) > 32\n")


def test_xformers_flash_operator_too_old_beside_a_shape_refusal_is_no_finding():
    assert "gpu_too_old_for_library" not in findings(XF_SHAPE)
    assert _verdict(XF_SHAPE) != "ok"


def test_xformers_refusing_bfloat16_before_ampere_is_the_gpu():
    text = XF_SHAPE.replace("(torch.float16)", "(torch.bfloat16)").replace(
        "unsupported embed per head: 512", "bf16 is only supported on A100+ GPUs")
    assert findings(text)["gpu_too_old_for_library"].confidence.value == "likely"


# M1: INFO lines a working CPU setup prints leave a healthy paste without an unexplained message.
SYSTEM_INFO_CPU = ("system_info: n_threads = 4 (n_threads_batch = 4) / 8 | CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | "
                   "F16C = 1 | FMA = 1 | OPENMP = 1 |\n")
TF_CUDART = ("2024-02-15 17:38:56.694239: I tensorflow/tsl/cuda/cudart_stub.cc:28] Could not find cuda drivers on your "
             "machine, GPU will not be used.\n")


def test_tensorflow_on_a_machine_without_a_gpu_is_not_unexplained():
    text = ('$ python -c "import tensorflow as tf; print(tf.__version__)"\n' + TF_CUDART + "2.15.0\n"
            "This is my MacBook-less CPU laptop, no GPU, just curious about the log line.\n")
    assert _verdict(text) in ("ok", "insufficient")


def test_llama_cpp_on_the_cpu_with_no_layers_offloaded_is_not_unexplained():
    text = ("llm_load_tensors: ggml ctx size =    0.11 MiB\nllm_load_tensors: offloaded 0/33 layers to GPU\n"
            "llm_load_tensors:        CPU buffer size =  3647.87 MiB\n" + SYSTEM_INFO_CPU)
    assert _verdict(text) in ("ok", "insufficient")


def test_tensorflow_cpu_package_on_a_gpu_machine_with_the_cudart_line_is_the_cpu_build():
    text = SMI_3090 + "$ pip list | grep tensorflow\ntensorflow-cpu                2.15.0\n" + TF_CUDART
    assert "framework_cpu_only_build" in findings(text)


# M2: xFormers' banner compares releases, not strings: a conda torch prints no local tag.
XF_BANNER = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
             "    PyTorch {built} (you have {have})\n    Python  3.10.13 (you have 3.10.13)\n  Please reinstall xformers\n")


def test_xformers_built_for_the_same_release_without_the_local_tag_is_not_another_torch():
    assert "extension_built_for_other_torch" not in findings(XF_BANNER.format(built="2.1.0+cu121", have="2.1.0"))


def test_xformers_built_for_another_release_or_cuda_build_is_another_torch():
    for built, have in (("2.0.1", "2.1.0+cu121"), ("2.1.0+cu118", "2.1.0+cu121")):
        assert "extension_built_for_other_torch" in findings(XF_BANNER.format(built=built, have=have)), (built, have)



# The banner's form with the CUDA field is read by the same rule, so it compares releases too.
XF_BANNER_CUDA = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
                  "    PyTorch {built} with CUDA 1201 (you have {have})\n    Python  3.10.13 (you have 3.10.13)\n")


def test_xformers_banner_with_cuda_field_compares_releases_too():
    assert "extension_built_for_other_torch" not in findings(XF_BANNER_CUDA.format(built="2.1.0+cu121", have="2.1.0"))
    for built, have in (("2.1.0+cu121", "2.2.0+cu121"), ("2.1.0+cu121", "2.1.0+cu118")):
        assert "extension_built_for_other_torch" in findings(XF_BANNER_CUDA.format(built=built, have=have)), (built, have)

# M3: one message, one entry, however the message is wrapped.
def test_the_triton_refusal_wrapped_with_a_deep_indent_matches_one_entry():
    text = ("RuntimeError: Found NVIDIA GeForce GTX 1080 Ti which is too old to be supported by the triton GPU compiler, "
            "which is used as the backend.\n" + " " * 12 + "Triton only supports devices of CUDA Capability >= 7.0, but "
            "your device is of CUDA capability 6.1")
    assert [m.id for m in messages.catalogue().match(text)] == ["inductor_gpu_too_old_for_triton"]


# M4: these entries' origins cite the upstream file that prints the words, not a report.
def test_origins_cite_the_upstream_source_file():
    by_id = {m.id: m for m in messages.catalogue().messages}
    for mid, path in (("invokeai_device_type_cpu", "ldm/generate.py"),
                      ("ctranslate2_compute_type_unsupported", "src/types.cc"),
                      ("ctranslate2_inferred_compute_type_converted", "src/models/model.cc"),
                      ("inductor_gpu_too_old_for_triton_cut", "torch/_inductor/exc.py")):
        where = by_id[mid].origin.where
        assert path in where and "#" not in where and "not found" not in where, mid


# M5: notes and summaries are printed to users: no branch names in them.
def test_no_branch_names_in_what_users_read():
    branch = re.compile(r"\br\d{1,2}[a-z]{2,6}\b")
    for m in messages.catalogue().messages:
        assert not branch.search(m.note or "") and not branch.search(m.summary), m.id


# M6: the finding's words name what to turn off; the commands are the recipe's, only the refused
# feature's steps.
def test_the_finding_words_have_no_commands_and_the_recipe_shows_the_refused_features_step():
    pastes = {
        "GPU: Tesla T4\nRuntimeError: FlashAttention only supports Ampere GPUs or newer.":
            "python -m pip uninstall -y flash-attn",
        "ValueError: Bfloat16 is only supported on GPUs with compute capability of at least 8.0. Your Tesla T4 GPU has "
        "compute capability 7.5. You can use float16 instead by explicitly setting the `dtype` flag in CLI, for "
        "example: --dtype=half.": "vllm serve MODEL --dtype half",
        "RuntimeError: Found Tesla P40 which is too old to be supported by the triton GPU compiler, which is used as "
        "the backend. Triton only supports devices of CUDA Capability >= 7.0, but your device is of CUDA capability "
        "6.1": "export TORCHDYNAMO_DISABLE=1",
    }
    every = set(pastes.values())
    for text, command in pastes.items():
        explanation, report = diagnose(source.normalise(text), collected_at="")
        f = next(f for f in report.findings if f.id == "gpu_too_old_for_library")
        for word in ("TORCHDYNAMO", "--tf32", "attn_implementation", "nnU-Net", "nanoGPT", "pip "):
            assert word not in f.explanation, (word, f.explanation)
        got = set(fix(f, explanation.facts))
        assert command in got and not (every - {command}) & got, (text[:40], got)


# L1: detectron2's "CUDA compiler  not available" row, with or without the prefix some versions print.
def test_detectron2_compiler_row_matches_without_an_optional_prefix():
    for row in ("CUDA compiler           not available", "detectron2 CUDA compiler   not available"):
        assert [m.id for m in messages.catalogue().match(row)] == ["detectron2_cuda_compiler_not_available"], row
