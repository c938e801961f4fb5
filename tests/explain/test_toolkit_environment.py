"""nvcc, ldconfig, cuDNN headers, and environment variables."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import environment, toolkit
from envcheck.facts import LibraryFile

from .helpers import details, items, load, text, values


def test_nvcc_ldconfig_header_and_paths():
    f = toolkit.parse(load("nvcc_and_ldconfig.txt"))
    v = values(f)
    assert v["toolkit.nvcc_version"] == "11.8"
    assert v["toolkit.nvcc_path"] == "/usr/local/cuda-11.8/bin/nvcc"
    assert items(f, "toolkit.libraries") == [
        LibraryFile("libcudnn.so.8", "/usr/lib/x86_64-linux-gnu/libcudnn.so.8", "8", "ldconfig"),
        LibraryFile("libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "1", "ldconfig"),
    ]
    assert items(f, "toolkit.cudnn_headers") == [
        LibraryFile("cudnn_version.h", "/usr/include/cudnn_version.h", "8.6.0", "header")]


def test_case_39_nvcc_banner():
    v = values(toolkit.parse(text("nvcc: NVIDIA (R) Cuda compiler driver\nCopyright (c) 2005-2018 NVIDIA Corporation\n"
                                  "Built on Sat_Aug_25_21:08:01_CDT_2018\n"
                                  "Cuda compilation tools, release 10.0, V10.0.130\n")))
    assert v["toolkit.nvcc_version"] == "10.0"


@pytest.mark.parametrize("line", ["bash: nvcc: command not found",
                                  "Command 'nvcc' not found, but can be installed with:"])
def test_nvcc_missing(line):
    v = values(toolkit.parse(text(line)))
    assert v["toolkit.nvcc_path"] == "not_found" and v["toolkit.nvcc_version"] == "not_found"


def test_cudnn_header_without_a_path_is_a_note():
    f = toolkit.parse(text("#define CUDNN_MAJOR 9\n#define CUDNN_MINOR 1\n#define CUDNN_PATCHLEVEL 0\n"))
    assert items(f, "toolkit.cudnn_headers") == []
    assert any("9.1.0" in n for n in f.notes)


def test_grep_output_with_file_prefix():
    f = toolkit.parse(text("/usr/local/cuda/include/cudnn_version.h:#define CUDNN_MAJOR 8\n"
                           "/usr/local/cuda/include/cudnn_version.h-#define CUDNN_MINOR 9\n"
                           "/usr/local/cuda/include/cudnn_version.h-#define CUDNN_PATCHLEVEL 7\n"))
    [h] = items(f, "toolkit.cudnn_headers")
    assert h.path == "/usr/local/cuda/include/cudnn_version.h" and h.version == "8.9.7"


def _vars(found):
    return {it.key: it.value for it in found.items if it.path == "env.variables"}


def test_echo_ld_library_path_case_04():
    doc = text("LD_LIBRARY_PATH:\n```\n(py38) [0] rzou@devfair0317:~/binaries_test  $ echo $LD_LIBRARY_PATH\n"
               "/public/apps/cudnn/v8.0.3.33-cuda.11.0/cuda/lib64:/public/apps/cuda/11.0/lib64:/usr/local/cuda/lib64::"
               "/public/slurm/20.11.8/lib\n```\n")
    f = environment.parse(doc)
    assert values(f)["toolkit.ld_library_path"] == ("/public/apps/cudnn/v8.0.3.33-cuda.11.0/cuda/lib64",
                                                    "/public/apps/cuda/11.0/lib64", "/usr/local/cuda/lib64",
                                                    "/public/slurm/20.11.8/lib")
    assert _vars(f)["LD_LIBRARY_PATH"].startswith("/public/apps/cudnn")


def test_export_appending_the_old_value_is_marked_partial():
    f = environment.parse(text("export LD_LIBRARY_PATH=/usr/local/cuda-12.1/lib64:$LD_LIBRARY_PATH\n"))
    assert values(f)["toolkit.ld_library_path"] == ("/usr/local/cuda-12.1/lib64",)
    assert "previous LD_LIBRARY_PATH" in details(f)["toolkit.ld_library_path"]


@pytest.mark.parametrize("line, value", [
    ("(py35) ~/pytorch/examples/mnist$ CUDA_VISIBLE_DEVICES=2 python main.py", "2"),
    ("os.environ['CUDA_VISIBLE_DEVICES']: 0", "0"),
    ('os.environ["CUDA_VISIBLE_DEVICES"] = "1"', "1"),
    ("export CUDA_VISIBLE_DEVICES=0,1", "0,1"),
    ("set CUDA_VISIBLE_DEVICES=1", "1"),
    ('$env:CUDA_VISIBLE_DEVICES="3"', "3"),
    ("docker run --gpus all -e CUDA_VISIBLE_DEVICES=1 img", "1"),
    ("CUDA_VISIBLE_DEVICES= python train.py", ""),
    ("CUDA_VISIBLE_DEVICES: GPU-0b1c2d3e", "GPU-0b1c2d3e"),
])
def test_cuda_visible_devices_forms(line, value):
    assert _vars(environment.parse(text(line))) == {"CUDA_VISIBLE_DEVICES": value}


def test_echo_variable_and_cuda_home():
    f = environment.parse(text("$ echo $CUDA_VISIBLE_DEVICES\n3\n$ export CUDA_HOME=/usr/local/cuda-11.8\n"))
    assert _vars(f) == {"CUDA_VISIBLE_DEVICES": "3", "CUDA_HOME": "/usr/local/cuda-11.8"}
    assert values(f)["toolkit.cuda_home"] == "/usr/local/cuda-11.8"


def test_echo_of_an_unset_variable_is_not_a_value():
    assert not environment.parse(text("$ echo $LD_LIBRARY_PATH\n\n$ python train.py\n"))


def test_other_variables_are_ignored():
    assert not environment.parse(text("export PATH=/usr/bin:$PATH\nHOME=/root\n"))


@pytest.mark.parametrize("line", [
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",  # c10/cuda/CUDAException.cpp's footer
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.",
    "try setting CUDA_LAUNCH_BLOCKING=1 to see where it fails",
    # torch's c10d NCCL error (ProcessGroupNCCL.cpp)
    "NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1691, unhandled system error "
    "(run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3",
])
def test_advice_to_set_a_variable_is_not_a_setting(line):
    assert items(environment.parse(text(line)), "env.variables") == []


def test_a_variable_set_on_a_command_line_is_a_setting():
    found = environment.parse(text("$ CUDA_LAUNCH_BLOCKING=1 python train.py"))
    assert len(items(found, "env.variables")) == 1
