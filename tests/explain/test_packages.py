"""Package listings and install commands."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import install_commands, packages
from envcheck.facts import PythonPackage

from .helpers import details, items, load, text, values


def _pkgs(found):
    return {p.name: p.version for p in items(found, "python.packages")}


def test_pip_list_table():
    f = packages.parse(load("pip_list.txt"))
    p = _pkgs(f)
    assert p["torch"] == "2.7.0+cu128" and p["nvidia-cudnn-cu12"] == "9.7.1.26" and p["typing-extensions"] == "4.12.2"
    assert p["pillow"] == "11.0.0" and len(p) == 11
    assert values(f)["torch.version"] == "2.7.0+cu128"


def test_pip_freeze_mixed_cuda_majors_and_url_requirements():
    p = _pkgs(packages.parse(load("pip_freeze_mixed_cuda.txt")))
    assert p == {"nvidia-cublas": "13.0.0.19", "nvidia-cublas-cu12": "12.8.4.1", "nvidia-cuda-runtime": "13.0.48",
                 "nvidia-cuda-runtime-cu12": "12.8.90", "nvidia-cudnn-cu12": "9.10.2.21",
                 "nvidia-cudnn-cu13": "9.13.0.50", "nvidia-nccl-cu12": "2.27.3", "torch": "2.9.0",
                 "torchaudio": "2.9.0+cu130"}


def test_collect_env_pip_and_conda_lines():
    f = packages.parse(load("collect_env_1x_old.txt"))
    p = _pkgs(f)
    assert p["torch"] == "1.4.0" and p["torchvision"] == "0.5.0" and p["blas"] == "1.0"
    v = values(f)
    assert v["torch.cuda_build"] == "10.1"  # conda build string py3.6_cuda10.1.243_cudnn7.6.3_0
    assert "conda build string" in details(f)["torch.cuda_build"]


def test_case_29_nccl_pair():
    f = packages.parse(text("[pip3] nvidia-nccl-cu12==2.29.3\n[pip3] nvidia-nccl-cu13==2.29.7\n"))
    assert items(f, "python.packages") == [PythonPackage("nvidia-nccl-cu12", "2.29.3"),
                                           PythonPackage("nvidia-nccl-cu13", "2.29.7")]


def test_conda_list_cpu_build():
    f = packages.parse(load("conda_list.txt"))
    p = _pkgs(f)
    assert p["torch"] == "1.12.1" and p["cudatoolkit"] == "11.3.1" and p["pytorch-mutex"] == "1.0"
    v = values(f)
    assert v["torch.cuda_build"] == "not_found" and v["torch.version"] == "1.12.1"


def test_conda_list_cuda_build():
    v = values(packages.parse(load("conda_list_cuda.txt")))
    assert v["torch.cuda_build"] == "12.1" and v["torch.version"] == "2.1.0"


@pytest.mark.parametrize("build, cuda", [
    ("py3.10_cuda12.1_cudnn8.9.2_0", "12.1"), ("py3.6_cuda10.1.243_cudnn7.6.3_0", "10.1"),
    ("cuda118_py310h9d6e5d1_301", "11.8"), ("cuda126_py312h1763998_300", "12.6"), ("py3.9_cpu_0", "cpu"),
    ("cpu_generic_py311h2f8d19c_0", "cpu"), ("pypi_0", None), ("", None),
])
def test_conda_build_strings(build, cuda):
    assert packages.conda_cuda(build) == cuda


def test_pip_output_lines():
    f = packages.parse(text("Successfully installed nvidia-cublas-cu12-12.1.3.1 torch-2.1.0+cu121 sympy-1.12\n"
                            "Requirement already satisfied: numpy in ./venv/lib/python3.10/site-packages (1.26.4)\n"
                            "Name: triton\nVersion: 2.1.0\n"))
    assert _pkgs(f) == {"nvidia-cublas-cu12": "12.1.3.1", "torch": "2.1.0+cu121", "sympy": "1.12", "numpy": "1.26.4",
                        "triton": "2.1.0"}


def test_bare_rows_only_for_known_packages():
    p = _pkgs(packages.parse(text("torch 2.3.0\nnvidia-nccl-cu12 2.20.5\nfoo 1.0\nnumpy 1.26 is installed\n")))
    assert p == {"torch": "2.3.0", "nvidia-nccl-cu12": "2.20.5"}


@pytest.mark.parametrize("line, version, cuda", [
    ("$ pip install torch===1.3.0 torchvision===0.4.1 -f https://download.pytorch.org/whl/torch_stable.html",
     "1.3.0", None),
    ("pip3 install torch --extra-index-url https://download.pytorch.org/whl/cu113", None, "11.3"),
    ("pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu121", None, "12.1"),
    ("uv pip install torch==2.7.0 --index-url=https://download.pytorch.org/whl/nightly/cu128", "2.7.0", "12.8"),
    ("python -m pip install torch==1.7.1+cu110 -f https://download.pytorch.org/whl/torch_stable.html", "1.7.1+cu110",
     "11.0"),
    ("pip install 'torch==2.2.0' --index-url https://download.pytorch.org/whl/cpu", "2.2.0", "not_found"),
    ("conda install pytorch==1.13.1 torchvision pytorch-cuda=11.7 -c pytorch -c nvidia", "1.13.1", "11.7"),
    ("conda install pytorch torchvision cpuonly -c pytorch", None, "not_found"),
    ("conda install pytorch=1.8 cudatoolkit=10.2 -c pytorch", "1.8", "10.2"),
])
def test_install_commands(line, version, cuda):
    v = values(install_commands.parse(text(line)))
    assert v.get("torch.version") == version
    assert v.get("torch.cuda_build") == cuda


def test_install_command_without_torch_says_nothing():
    assert not install_commands.parse(text("pip install numpy --index-url https://download.pytorch.org/whl/cu121\n"))


def test_wheel_filename_from_pip_output():
    v = values(install_commands.parse(text(
        "Downloading https://download.pytorch.org/whl/cu118/torch-2.0.0%2Bcu118-cp310-cp310-linux_x86_64.whl (2267.3 MB)")))
    assert v["torch.version"] == "2.0.0+cu118" and v["python.version"] == "3.10"


def test_variant_cuda():
    assert install_commands.variant_cuda("cu121") == "12.1"
    assert install_commands.variant_cuda("cu92") == "9.2"
    assert install_commands.variant_cuda("cu130") == "13.0"
    assert install_commands.variant_cuda("cpu") is None
