"""Prose (GPU names, OS, WSL, containers, driver replies), Python sessions and library reports."""

from __future__ import annotations

import pytest

from envcheck.explain import gpu_names
from envcheck.explain.parsers import framework_env, freetext, interactive

from .helpers import gpu_fields, load, text, values


@pytest.mark.parametrize("line, names", [
    ("Video card: 3060ti", ["NVIDIA GeForce RTX 3060 Ti"]),
    ("I am running an 2060 Super.", ["NVIDIA GeForce RTX 2060 SUPER"]),
    ("Have a RTX3090 with latest drives installed.", ["NVIDIA GeForce RTX 3090"]),
    ("my laptop has a GTX 960M", ["NVIDIA GeForce GTX 960M"]),
    ("gtx1080ti.", ["NVIDIA GeForce GTX 1080 Ti"]),
    ("RTX 4090 Laptop GPU", ["NVIDIA GeForce RTX 4090 Laptop GPU"]),
    ("8x A100 80GB on the node", ["NVIDIA A100"]),
    ("we have a T4", ["Tesla T4"]),
    ("Tesla T4 on colab", ["Tesla T4"]),
    ("GeForce MX150", ["NVIDIA GeForce MX150"]),
    ("titan rtx", ["NVIDIA TITAN RTX"]),
    ("RTX 5090 D", ["NVIDIA GeForce RTX 5090 D"]),
    # CJK text runs into the name on either side
    ("我的显卡是3060", ["NVIDIA GeForce RTX 3060"]),
    ("我的3060显卡", ["NVIDIA GeForce RTX 3060"]),
    ("服务器是A100显卡", ["NVIDIA A100"]),
    # a bare number beside a word for a GPU: before it, or heading a phrase that ends in one
    ("GPU: 3060", ["NVIDIA GeForce RTX 3060"]),
    ("Graphics card: 1080", ["NVIDIA GeForce GTX 1080"]),
    ("NVIDIA 3090", ["NVIDIA GeForce RTX 3090"]),
    ("I bought a 3090 GPU", ["NVIDIA GeForce RTX 3090"]),
    ("2x 3090 GPUs", ["NVIDIA GeForce RTX 3090"]),
    # workstation parts: "Quadro", "RTX A…", "RTX … Ada", "RTX PRO …", "NVIDIA T1000"
    ("GPU: Quadro K2200", ["Quadro K2200"]),
    ("Quadro RTX 5000 and Quadro P4000", ["Quadro RTX 5000", "Quadro P4000"]),
    ("I use an RTX A6000", ["NVIDIA RTX A6000"]),
    ("RTX A2000 Laptop GPU", ["NVIDIA RTX A2000 Laptop GPU"]),
    ("NVIDIA RTX 6000 Ada Generation", ["NVIDIA RTX 6000 Ada Generation"]),
    ("NVIDIA RTX PRO 6000 Blackwell Workstation Edition", ["NVIDIA RTX PRO 6000"]),
    ("NVIDIA T1000 8GB", ["NVIDIA T1000"]),
    # a machine named by its card: the number ends the phrase
    ("how could I get it to work on the 5090 with ComfyUI?", ["NVIDIA GeForce RTX 5090"]),
    ("it works on my 3090.", ["NVIDIA GeForce RTX 3090"]),
    # TITANs as nvidia-smi names them
    ("TITAN X", ["NVIDIA TITAN X"]),
    ("2 Maxwell Titan X", ["NVIDIA GeForce GTX TITAN X"]),
    ("GTX TITAN X", ["NVIDIA GeForce GTX TITAN X"]),
    ("Titan X (Pascal)", ["NVIDIA TITAN X (Pascal)"]),
    ("TITAN Black", ["NVIDIA GeForce GTX TITAN Black"]),
    ("GeForce GTX TITAN", ["NVIDIA GeForce GTX TITAN"]),
    ("titan xp", ["NVIDIA TITAN Xp"]),
    # laptop parts in the series NVIDIA named them in
    ("GT 750M", ["NVIDIA GeForce GT 750M"]),
    ("a GTX 765M", ["NVIDIA GeForce GTX 765M"]),
    ("GeForce 940M", ["NVIDIA GeForce 940M"]),
    ("930MX", ["NVIDIA GeForce 930MX"]),
    ("GeForce 940MX", ["NVIDIA GeForce 940MX"]),
])
def test_gpu_mentions(line, names):
    assert [n for n, _ in gpu_names.mentions(line)] == names


@pytest.mark.parametrize("line", [
    "Ubuntu 2004 and driver 410.48", "in 2070 we will", "1080p video", "on a t4", "loss 3060 at step 5",
    "Python 3.10.12 (main, Nov 20 2023)", "nvidia-cublas-cu12==12.1.3.1", "24564MiB",
    # numbers in a log line are other counts' values, even with "gpu" in the line
    "epoch 3 step 1080 loss 3060 gpu", "I have a 3090", "step 1080/3060, gpu_mem=2070MiB",
    "the titan of industry", "990M", "trained on the 1080 images", "on the 2060 release", "the t1000 run",
])
def test_not_gpu_mentions(line):
    assert gpu_names.mentions(line) == []


def test_same_gpu():
    assert gpu_names.same_gpu("NVIDIA A100", "NVIDIA A100-SXM4-80GB")
    assert gpu_names.same_gpu("GeForce RTX 5090 D", "NVIDIA GeForce RTX 5090 D")
    assert gpu_names.same_gpu("NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3060 Ti")
    assert not gpu_names.same_gpu("NVIDIA GeForce RTX 3060", "NVIDIA GeForce RTX 3070")
    assert not gpu_names.same_gpu("GeForce GTX 108", "NVIDIA GeForce GTX 1080 Ti")
    assert gpu_names.same_gpu("GeForce GTX 108", "NVIDIA GeForce GTX 1080 Ti", truncated=True)


def test_freetext_case_21():
    f = freetext.parse(text("Running stable diffusion locally with Ubuntu1804/WSL2 on windows 10 21H2 (19044.1288). "
                            "Have a RTX3090 with latest drives installed."))
    v = values(f)
    assert v["host.wsl"] == "wsl"  # a claim, not proof of WSL 2
    assert (v["host.os_id"], v["host.os_version"]) == ("ubuntu", "18.04")
    assert gpu_fields(f) == [{"index": None, "name": "NVIDIA GeForce RTX 3090"}]
    assert all(c.reading.detail == "stated in the text" for c in f.claims)


def test_freetext_case_05_bare_driver_reply():
    f = freetext.parse(text("**Ubuntu1804,\npython37**\n...\n410.48,,\nneed higher ??"))
    v = values(f)
    assert v["nvml.driver_version"] == "410.48" and v["python.version"] == "3.7"


@pytest.mark.parametrize("line, kind", [
    ("nvidia-smi: command not found (inside container)", "docker"),
    ("I run it inside the docker container", "docker"),
    ("docker run -it --rm pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime", "docker"),
    ("image pytorch:1.13.1-py3.8.16-cuda11.7.1-devel-ubuntu20.04", "docker"),
    ("FROM nvidia/cuda:12.1.0-devel-ubuntu22.04", "docker"),
    ("root@3f2a1b4c5d6e:/workspace# nvidia-smi", "docker"),
    ("podman run --device nvidia.com/gpu=all ubi9", "podman"),
    ("the pod on our kubernetes cluster", "kubernetes"),
])
def test_container_hints(line, kind):
    assert values(freetext.parse(text(line)))["host.container"] == kind


def test_negated_container_is_not_a_hint():
    assert "host.container" not in values(freetext.parse(text("This is not in a container, bare metal.")))


def test_tool_lines_are_left_to_their_parsers():
    f = freetext.parse(text("|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0  On |   Off |\n"
                            "[pip3] nvidia-nccl-cu12==2.29.3\n"))
    assert gpu_fields(f) == []


def test_kernel_string_is_not_a_wsl_claim():
    assert "host.wsl" not in values(freetext.parse(text("Python platform: Linux-5.15.1-microsoft-standard-WSL2-x86_64")))


def test_repl_session():
    f = interactive.parse(load("repl_session.txt"))
    v = values(f)
    assert v["python.version"] == "3.11.5"
    assert v["torch.version"] == "2.3.1+cu118" and v["torch.cuda_build"] == "11.8"
    assert v["torch.cuda_available"] is True and v["torch.device_count"] == 1
    assert v["torch.cudnn_version"] == 8700 and v["torch.nccl_version"] == "2.20.5"
    assert v["torch.arch_list"][:2] == ("sm_50", "sm_60")
    gpus = {}
    for g in gpu_fields(f):
        gpus.update(g)
    assert gpus == {"index": 0, "name": "NVIDIA GeForce RTX 2080 Ti", "compute_capability": "7.5"}


@pytest.mark.parametrize("snippet, path, value", [
    ("torch.cuda.is_available(): False", "torch.cuda_available", False),
    ("torch.cuda.device_count(): 0", "torch.device_count", 0),
    (">>> torch.cuda.is_available()\nFalse", "torch.cuda_available", False),
    (">>> print(torch.version.cuda)\nNone", "torch.cuda_build", "not_found"),
    ('$ python -c "import torch; print(torch.cuda.is_available())"\nTrue', "torch.cuda_available", True),
    ("torch.cuda.is_available() -> True", "torch.cuda_available", True),
    ("CUDA available: False", "torch.cuda_available", False),
    ("torch version: 2.0.1", "torch.version", "2.0.1"),
    ("cuda version (torch): 11.7", "torch.cuda_build", "11.7"),
    (">>> torch.cuda.nccl.version()\n2708", "torch.nccl_version", "2.7.8"),
    (">>> torch.cuda.nccl.version()\n21803", "torch.nccl_version", "2.18.3"),
])
def test_inline_and_repl_forms(snippet, path, value):
    assert values(interactive.parse(text(snippet)))[path] == value


def test_repl_value_must_follow():
    assert not interactive.parse(text(">>> torch.cuda.is_available()\n>>> exit()\n"))


def test_ultralytics_banner():
    f = framework_env.parse(text("Ultralytics YOLOv8.1.3 🚀 Python-3.10.11 torch-2.1.0+cpu\n"
                                 "Ultralytics 8.3.2 🚀 Python-3.11.9 torch-2.4.1+cu121 CUDA:0 (NVIDIA GeForce RTX 3060, "
                                 "12288MiB)\n"))
    v = values(f)
    assert v["torch.version"] == "2.4.1+cu121" and v["python.version"] == "3.11.9" and v["torch.cuda_available"] is True
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 3060", "memory_total_bytes": 12288 << 20}]
    assert values(framework_env.parse(text("Ultralytics YOLOv8.1.3 🚀 Python-3.10.11 torch-2.1.0+cpu")))[
        "torch.version"] == "2.1.0+cpu"


def test_mmcv_env_and_torch_config():
    f = framework_env.parse(load("mmcv_env.txt"))
    v = values(f)
    assert v["torch.version"] == "1.12.1+cu113" and v["python.version"] == "3.8.18"
    assert v["torch.cuda_available"] is True and v["torch.cuda_build"] == "11.3"
    assert v["torch.cudnn_version"] == 8302
    assert v["torch.arch_list"] == ("sm_37", "sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86")
    assert sorted(g["index"] for g in gpu_fields(f)) == [0, 1, 2, 3]


def test_torch_config_built_with_cudnn():
    v = values(framework_env.parse(text("PyTorch built with:\n  - CUDA Runtime 12.1\n  - CuDNN 8.6\n"
                                        "    - Built with CuDNN 8.9.2\n")))
    assert v["torch.cudnn_version"] == 8600 and v["torch.cudnn_compiled_version"] == 8902


def test_detectron2_env():
    f = framework_env.parse(load("detectron2_env.txt"))
    v = values(f)
    assert v["torch.version"] == "2.0.1+cu118" and v["python.version"] == "3.9.19"
    assert v["torch.cuda_available"] is True and v["nvml.driver_version"] == "535.171.04"
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 3090", "compute_capability": "8.6"}]


def test_transformers_env():
    v = values(framework_env.parse(load("transformers_env.txt")))
    assert v["torch.version"] == "2.4.0+cu121" and v["torch.cuda_available"] is True
    assert v["host.kernel"] == "5.15.0-1064-azure" and v["host.wsl"] == "none"


def test_a_training_log_names_no_gpu():
    log = "".join(f"epoch {e} step {s} loss {s * 3 % 9000} gpu {e % 2} lr 3e-4\n" for e in range(3) for s in (1080, 3060, 2070))
    assert freetext.parse(text(log)).gpus == []


def test_tool_lines_are_not_read_as_prose():
    lines = ("02:00.0 VGA compatible controller: NVIDIA Corporation GP102 [TITAN X] (rev a1)\n"
             'Device 0: "TITAN X (Pascal)"\n'
             "Peer access from Quadro K600 (GPU2) -> TITAN X (Pascal) (GPU1) : No\n")
    assert freetext.parse(text(lines)).gpus == []


def test_a_laptop_part_alone_on_its_line_is_read():
    assert gpu_fields(freetext.parse(text("930MX\n"))) == [{"index": None, "name": "NVIDIA GeForce 930MX"}]
