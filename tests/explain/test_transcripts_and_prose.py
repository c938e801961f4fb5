"""Evidence outside tool output: REPL transcripts, results said in sentences, prose in
English and Chinese, install logs and wheel names, environment reports of libraries."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import collect_env, framework_env, freetext, install_commands, interactive, packages
from envcheck.explain.partial import STATED, STATED_DETAIL

from .helpers import details, gpu_fields, text, values


def _claims(parser, s):
    return {c.path: (c.reading.value if c.reading.ok else c.reading.status.value, c.rank)
            for c in sorted(parser.parse(text(s)).claims, key=lambda c: (c.rank, c.line))}


# ---------------------------------------------------------------- transcripts
def test_ipython_in_out():
    f = interactive.parse(text("In [1]: import torch\n\nIn [2]: torch.cuda.is_available()\nOut[2]: False\n"))
    assert values(f)["torch.cuda_available"] is False


@pytest.mark.parametrize("line, path, value", [
    ("torch.cuda.is_available() returning False.", "torch.cuda_available", False),
    ('3. python -c "import torch; print(torch.cuda.is_available());" prints False', "torch.cuda_available", False),
    ("所以cuda.is_available()只会返回false，导致--use-cuda不能使用", "torch.cuda_available", False),
    ("print(torch.version.cuda) gives None", "torch.cuda_build", "not_found"),
    ("torch.cuda.device_count() returns 0", "torch.device_count", 0),
])
def test_results_said_in_a_sentence_are_stated_claims(line, path, value):
    assert _claims(interactive, line)[path] == (value, STATED)


def test_a_sentence_without_a_result_says_nothing():
    assert _claims(interactive, "I checked torch.cuda.is_available() and it is great") == {}


# ---------------------------------------------------------------- prose
@pytest.mark.parametrize("line, expected", [
    ("I use torch 1.4 with CUDA 10.1 on a GTX 1650", {"torch.version": "1.4", "torch.cuda_build": "10.1"}),
    ("Built with pytorch 1.7, cuda 10.2, TITAN X, got this error.", {"torch.version": "1.7", "torch.cuda_build": "10.2"}),
    ("it also downgrades to torch 2.6 cu124", {"torch.version": "2.6", "torch.cuda_build": "12.4"}),
    ("torch==1.5.1，cuda是10.0版本，想问下是什么问题？", {"torch.version": "1.5.1"}),
    ("it uninstalls the torch-2.11.0+cu128 and replaces it with torch-2.12.0", {"torch.version": "2.12.0"}),
    ("PyTorch version 2.1.0+cu121 here", {"torch.version": "2.1.0+cu121"}),
])
def test_torch_in_prose(line, expected):
    got = _claims(freetext, line)
    assert {k: got[k][0] for k in expected} == expected
    assert all(got[k][1] == STATED for k in expected)


@pytest.mark.parametrize("line", ["torchvision 0.7.0", "libtorch 2.0", "pip install torch>=1.5",
                                  "Successfully uninstalled torch-2.1.0",
                                  "Downloading torch-1.6.0-cp38-cp38-manylinux1_x86_64.whl"])
def test_not_torch_in_prose(line):
    assert "torch.version" not in _claims(freetext, line)


@pytest.mark.parametrize("line", [
    "Yes, it seems like the cpu version got installed:",
    "requirements里torch install时默认是cpu版本，所以cuda.is_available()只会返回false",
    "清华镜像源中的 torch 只有 CPU 版本的",
    "pip install torch installs the CPU-only build on Windows",
])
def test_cpu_build_stated(line):
    f = freetext.parse(text(line))
    assert values(f)["torch.cuda_build"] == "not_found"
    assert details(f)["torch.cuda_build"].startswith(STATED_DETAIL)


@pytest.mark.parametrize("line", ["I don't want the CPU version of torch", "it runs on the CPU version of the model",
                                  "installed the GPU build, not the cpu version"])
def test_cpu_build_not_stated(line):
    assert "torch.cuda_build" not in values(freetext.parse(text(line)))


def test_chinese_report():
    f = freetext.parse(text("我的显卡是3060，驱动版本 470.82.01，在容器中运行\nPython版本：3.10.11\nWindows 平台。"))
    v = values(f)
    assert (v["nvml.driver_version"], v["python.version"], v["host.container"], v["host.os_id"]) == (
        "470.82.01", "3.10.11", "docker", "windows")
    assert gpu_fields(f) == [{"index": None, "name": "NVIDIA GeForce RTX 3060"}]
    assert all(c.reading.detail == STATED_DETAIL for c in f.claims)


def test_chinese_container_negated():
    assert "host.container" not in values(freetext.parse(text("不在容器中运行")))


def test_a_stated_gpu_count_is_that_many_gpus():
    f = freetext.parse(text("on systems with 1 GPU, by default the scripts train on CPU"))
    assert [g["index"] for g in gpu_fields(f)] == [0]
    assert len(freetext.parse(text("When I use two GPUs it is slow")).gpus) == 2
    assert len(freetext.parse(text("two RTX 3090 cards")).gpus) == 1  # a model named: that mention counts


# ---------------------------------------------------------------- reports and listings
def test_collect_env_version_followed_by_words():
    v = values(collect_env.parse(text("PyTorch Version: 2.7.0.dev20250310+cu124 (Nightly)\nOS: Windows\n")))
    assert v["torch.version"] == "2.7.0.dev20250310+cu124" and v["host.os_id"] == "windows"


def test_markdown_bold_report_lines():
    v = values(collect_env.parse(text("- **PyTorch Version:** 2.13.0+cu130\n- **OS:** win32\n**Is CUDA available: Yes**\n")))
    assert (v["torch.version"], v["host.os_id"], v["torch.cuda_available"]) == ("2.13.0+cu130", "windows", True)


def test_lightning_llamafactory_and_comfyui_reports():
    f = framework_env.parse(text("* CUDA:\n        - GPU:\n                - NVIDIA RTX A6000\n"
                                 "                - NVIDIA RTX A6000\n        - available:         False\n"
                                 "        - version:           11.3\n* Packages:\n        - torch:             1.12.1\n"
                                 "* System:\n        - python:            3.9.13\n"))
    v = values(f)
    assert (v["torch.cuda_available"], v["torch.cuda_build"], v["torch.version"], v["python.version"]) == (
        False, "11.3", "1.12.1", "3.9.13")
    assert [g["index"] for g in gpu_fields(f)] == [0, 1]
    f = framework_env.parse(text("- PyTorch version: 2.2.2 (GPU)\n- GPU type: NVIDIA GeForce RTX 4070 Ti SUPER\n"))
    assert values(f)["torch.cuda_available"] is True
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 4070 Ti SUPER"}]
    f = framework_env.parse(text("- **Name:** cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync\n"))
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 4090"}]


@pytest.mark.parametrize("row, cuda", [
    ("pytorch                   1.4.0               py3.7_cpu_0  [cpuonly]  pytorch", "not_found"),
    ("pytorch 1.0.1 cuda90py36h8b0c50b_0", "9.0"),
    ("pytorch                   1.3.1           cuda100py37h53c1284_0**", "10.0"),
])
def test_conda_rows_of_old_pytorch_channel_builds(row, cuda):
    assert values(packages.parse(text(row)))["torch.cuda_build"] == cuda


def test_wheel_names_tell_python_os_and_cpu():
    v = values(install_commands.parse(text("   Downloading torch-2.6.0-cp310-cp310-win_amd64.whl (204.2 MB)")))
    assert (v["torch.version"], v["python.version"], v["host.os_id"], v["host.arch"]) == (
        "2.6.0", "3.10", "windows", "x86_64")
    v = values(install_commands.parse(text("Using cached xformers-0.0.23-cp311-cp311-manylinux_2_17_aarch64.whl")))
    assert "torch.version" not in v and (v["python.version"], v["host.arch"]) == ("3.11", "aarch64")


def test_pip_index_line_names_the_variant_when_pip_got_torch():
    v = values(install_commands.parse(text(
        "Looking in indexes: https://pypi.org/simple, https://download.pytorch.org/whl/cpu\nCollecting torch\n")))
    assert v["torch.cuda_build"] == "not_found"
    v = values(install_commands.parse(text(
        "Looking in indexes: https://pypi.org/simple, https://download.pytorch.org/whl/cu117\n"
        "  Downloading torch-2.0.1-cp310-cp310-manylinux1_x86_64.whl\n")))
    assert v["torch.cuda_build"] == "11.7"
    # pip found nothing: the index says nothing about an installed torch
    v = values(install_commands.parse(text(
        "Looking in indexes: https://pypi.org/simple, https://download.pytorch.org/whl/cu117\n"
        "ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n")))
    assert "torch.cuda_build" not in v


def test_a_command_offered_as_a_way_out_is_not_what_was_run():
    v = values(install_commands.parse(text(
        "It can be bypassed with\npip3 install torch --index-url https://download.pytorch.org/whl/cu128\n")))
    assert "torch.cuda_build" not in v
    v = values(install_commands.parse(text("$ pip3 install torch --index-url https://download.pytorch.org/whl/cu128\n")))
    assert v["torch.cuda_build"] == "12.8"


def test_a_logged_labelled_print():
    f = interactive.parse(text("11:30:33 AM | INFO     | CUDA available: False\n"))
    assert values(f)["torch.cuda_available"] is False
