"""The torch-build classes read from more of the ways people paste them (branch recall5c):
collect_env's "Could not collect" build CUDA, PyPI's unsuffixed torch 2.x on Windows,
torch 2.4.0's fbgemm.dll failure without a version, uv / Poetry / a 32-bit Python without
wheels, ptxas not knowing the GPU, a CPU-only torch told in other words. Each broken paste
stands beside a working or unrelated paste with the same words. Texts written for the test,
none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

COLLECT_ENV = """\
Collecting environment information...
PyTorch version: {version}
Is debug build: False
CUDA used to build PyTorch: {cuda}
ROCM used to build PyTorch: {rocm}

OS: Microsoft Windows 11 Pro
Python version: 3.11.9 (tags/v3.11.9:de54cf5, Apr  2 2024) [MSC v.1938 64 bit (AMD64)] (64-bit runtime)
Is CUDA available: {avail}
CUDA runtime version: {runtime}
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4070
Nvidia driver version: 551.86
"""


def _env(version="2.3.1", cuda="Could not collect", rocm="N/A", avail="False", runtime="12.4.99") -> str:
    return COLLECT_ENV.format(version=version, cuda=cuda, rocm=rocm, avail=avail, runtime=runtime)


# ---------------------------------------------------------------------------- collect_env
def test_could_not_collect_for_the_build_cuda_is_a_cpu_build():
    f = findings(_env())
    assert f["torch_cpu_only_build"].confidence.value == "confirmed"


@pytest.mark.parametrize("text", [
    _env(version="2.3.1+cu121", cuda="12.1", avail="True", runtime="Could not collect"),  # nvcc missing only
    _env(version="N/A", cuda="N/A"),  # torch not importable: nothing to say about its build
    _env(version="2.3.1+rocm6.0", rocm="6.0.32830"),  # ROCm builds have no CUDA either
])
def test_could_not_collect_elsewhere_is_no_cpu_build(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- PyPI on Windows
PIP_LIST = """\
PS C:\\Users\\me> pip list
Package      Version
------------ -------
torch        {torch}
torchvision  0.18.1
I am on Windows 11 with an RTX 4070 and training runs on the CPU.
"""


def test_pypi_torch_2_on_windows_is_the_cpu_wheel():
    f = findings(PIP_LIST.format(torch="2.3.1"))
    assert f["torch_cpu_only_build"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    PIP_LIST.format(torch="2.3.1+cu121"),  # pytorch.org's CUDA wheel
    PIP_LIST.format(torch="1.7.1"),  # 1.x: torch_stable.html's default CUDA build had no suffix
    PIP_LIST.format(torch="2.3.1") + ">>> torch.cuda.is_available()\nTrue\n",  # it runs on the GPU
    PIP_LIST.format(torch="2.3.1").replace("Windows 11", "Ubuntu 22.04").replace("PS C:\\Users\\me> ", "$ "),
])
def test_other_builds_and_platforms_are_not_called_cpu(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- fbgemm.dll
FBGEMM = ('OSError: [WinError 126] The specified module could not be found. Error loading '
          '"C:\\app\\venv\\Lib\\site-packages\\torch\\lib\\{dll}" or one of its dependencies.')


def test_fbgemm_failure_without_a_version_is_torch_240():
    f = findings(FBGEMM.format(dll="fbgemm.dll"))
    assert f["known_bad_torch_build"].confidence.value == "likely"


def test_fbgemm_failure_wrapped_over_two_lines_is_read():
    text = ("02:54:18 ERROR    Could not load torch: [WinError 126] Le module spécifié est introuvable. Error loading\n"
            '                   "D:\\kohya\\venv\\lib\\site-packages\\torch\\lib\\fbgemm.dll" or one of its dependencies.')
    assert "known_bad_torch_build" in findings(text)


@pytest.mark.parametrize("text", [
    FBGEMM.format(dll="c10.dll"),  # the Visual C++ runtime, any release
    FBGEMM.format(dll="fbgemm.dll") + "\n\n$ pip show torch\nName: torch\nVersion: 2.3.1\n",  # a tool says 2.3.1
])
def test_other_dlls_or_other_versions_are_no_signature(text):
    f = findings(text)
    assert "known_bad_torch_build" not in f
    assert "torch_import_failed" in f


# ---------------------------------------------------------------------------- Python without wheels
def test_uv_no_wheel_for_this_python_tag():
    text = ("  × No solution found when resolving dependencies:\n"
            "  ╰─▶ Because torch==2.1.0 has no wheels with a matching Python ABI tag (e.g., `cp313`) and you "
            "require torch==2.1.0, we can conclude that your requirements are unsatisfiable.")
    assert "python_unsupported_by_torch" in errors(text)


def test_uv_platform_tag_is_not_the_python():
    text = ("  ╰─▶ Because torch==2.5.1+cpu has no wheels with a matching platform tag (e.g., `macosx_14_0_arm64`) "
            "and you require torch==2.5.1+cpu, we can conclude that your requirements are unsatisfiable.")
    assert "python_unsupported_by_torch" not in findings(text)


POETRY = "$ python --version\nPython {py}\n$ poetry install\n  RuntimeError\n\n  Unable to find installation " \
         "candidates for torch (1.13.1)\n"


def test_poetry_release_without_wheels_for_this_python():
    assert "python_unsupported_by_torch" in findings(POETRY.format(py="3.12.4"))


def test_poetry_release_with_wheels_for_this_python_is_another_cause():
    assert "python_unsupported_by_torch" not in findings(POETRY.format(py="3.10.12"))


PIP_NONE = ("ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
            "ERROR: No matching distribution found for torch\n")


@pytest.mark.parametrize("python", [
    "Python 3.8.10 (tags/v3.8.10:3d8993a, May  3 2021, 11:34:34) [MSC v.1928 32 bit (Intel)] on win32",
    "C:\\Users\\me\\AppData\\Local\\Programs\\Python\\Python38-32\\python.exe -m pip install torch",
])
def test_32_bit_python_on_windows_has_no_torch(python):
    f = findings(python + "\n" + PIP_NONE)
    assert "python_unsupported_by_torch" in f
    assert "32-bit" in f["python_unsupported_by_torch"].explanation


def test_64_bit_python_is_not_called_32_bit():
    text = ("Python 3.8.10 (tags/v3.8.10:3d8993a, May  3 2021, 11:34:34) [MSC v.1928 64 bit (AMD64)] on win32\n"
            + PIP_NONE)
    f = findings(text)
    assert "32-bit" not in getattr(f.get("python_unsupported_by_torch"), "explanation", "")


# ---------------------------------------------------------------------------- ptxas
def test_ptxas_not_knowing_a_new_gpu():
    text = ("triton.runtime.errors.PTXASError: PTXAS error: Internal Triton PTX codegen error\n"
            "ptxas fatal   : Value 'sm_120' is not defined for option 'gpu-name'\n"
            "GPU 0: NVIDIA GeForce RTX 5090 (UUID: GPU-0a1b)")
    f = findings(text)
    assert f["gpu_arch_unsupported_by_torch_build"].gpu == 0
    assert list(f).count("gpu_arch_unsupported_by_torch_build") == 1


def test_ptxas_not_knowing_an_old_gpu_any_more():
    assert "gpu_arch_too_old_for_torch_build" in findings("ptxas fatal   : Value 'sm_35' is not defined for option "
                                                         "'gpu-name'")


def test_nvcc_refusing_an_arch_flag_is_not_the_gpu():
    text = "nvcc fatal   : Value 'sm_89' is not defined for option 'gpu-architecture'"
    f = findings(text)
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(f)


# ---------------------------------------------------------------------------- prose
@pytest.mark.parametrize("text", [
    "Adding this node broke my install by forcing a non-CUDA version of Torch to be installed. GPU: RTX 3090.",
    "pip replaced my torch with one without CUDA support when I installed the requirements (RTX 3060).",
    "requirements.txt 로 설치하니 torch 가 CPU 버전이 설치되었습니다. 그래픽카드는 RTX 3080 입니다.",
])
def test_a_cpu_build_told_in_other_words(text):
    assert "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", [
    "Should I install the non-CUDA version of torch for the CI runners? Locally I have an RTX 3090.",
    "I avoided the CPU-only PyTorch and installed the cu121 wheel on my RTX 3090; training works.",
    "CPU 버전이 아니라 GPU 버전을 설치했습니다. RTX 3080 에서 잘 동작합니다.",
    "We benchmark a CUDA-less torch build against the GPU build in this paper.",
])
def test_the_same_words_not_saying_it_happened(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- the REPL's silent None
@pytest.mark.parametrize("text", [
    ">>> import torch\n>>> torch.__version__\n'2.1.0'\n>>> torch.version.cuda\n>>> torch.cuda.is_available()\nFalse\n"
    "My GPU is an RTX 3080.",
    "In [1]: import torch\n\nIn [2]: torch.version.cuda\n\nIn [3]: torch.cuda.is_available()\nOut[3]: False\n"
    "nvidia-smi lists my RTX 3080.",
])
def test_nothing_echoed_for_the_build_cuda_is_none(text):
    assert "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", [
    ">>> torch.version.cuda\n'12.1'\n>>> torch.cuda.is_available()\nTrue\nMy GPU is an RTX 3080.",
    ">>> torch.version.cuda\n",  # the paste ends there: nothing says what it printed
    ">>> print(torch.version.cuda)\n>>> exit()\nMy GPU is an RTX 3080.",  # print() would have shown None
])
def test_an_echoed_or_cut_value_is_no_cpu_build(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- torch absent or not importable
def test_pip_show_finding_no_torch():
    assert "torch_not_installed" in findings("$ pip show torch\nWARNING: Package(s) not found: torch")


def test_pip_show_missing_another_package_says_nothing_of_torch():
    assert "torch_not_installed" not in findings("$ pip show torchaudio\nWARNING: Package(s) not found: torchaudio")


def test_no_module_torch_c_is_an_import_failure():
    f = findings("  File \"/home/u/src/pytorch/torch/__init__.py\", line 229, in <module>\n"
                 "    from torch._C import *\nModuleNotFoundError: No module named 'torch._C'")
    assert "torch_import_failed" in f and "torch_not_installed" not in f


def test_loader_refusing_what_torch_lib_needs():
    text = ("ImportError: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by "
            "/opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_cpu.so)")
    assert "torch_import_failed" in errors(text)


def test_loader_refusing_another_package_is_not_torch():
    text = ("ImportError: /lib64/libstdc++.so.6: version `GLIBCXX_3.4.29' not found (required by "
            "/opt/venv/lib/python3.10/site-packages/scipy/linalg/_flapack.so)")
    assert "torch_import_failed" not in findings(text)


# ---------------------------------------------------------------------------- the driver behind newer PTX
def test_ptx_from_a_newer_toolchain_than_the_driver():
    text = ("RuntimeError: CUDA error: the provided PTX was compiled with an unsupported toolchain.\n"
            "| NVIDIA-SMI 535.54.03    Driver Version: 535.54.03    CUDA Version: 12.2     |")
    f = findings(text)
    assert f["driver_too_old_for_torch_cuda"].confidence.value == "likely"


def test_xla_driver_older_than_ptxas_is_a_pointer_not_a_verdict():
    text = ("W external/xla/xla/service/gpu/nvptx_compiler.cc:744] The NVIDIA driver's CUDA version is 12.2 which "
            "is older than the ptxas CUDA version (12.3.107). Because the driver is older than the ptxas version, XLA "
            "is disabling parallel compilation, which may slow down compilation.")
    assert "driver_too_old_for_torch_cuda" not in errors(text)


# ---------------------------------------------------------------------------- conda's mutex, Poetry's installer
MUTEX = "# Name                    Version                   Build  Channel\npytorch-mutex             1.0  {build}  pytorch\n"


def test_the_cpu_mutex_holds_the_environment_to_the_cpu_build():
    text = MUTEX.format(build="cpu") + "torch.cuda.is_available() returns False on my RTX 3060"
    assert "torch_cpu_only_build" in findings(text)


def test_the_cuda_mutex_is_no_cpu_build():
    text = MUTEX.format(build="cuda") + "pytorch-cuda              12.1  ha16c6d3_5  pytorch\n" \
        "torch.cuda.is_available() returns True on my RTX 3060"
    assert "torch_cpu_only_build" not in findings(text)


@pytest.mark.parametrize("line, cpu", [
    ("  • Installing torch (2.3.1+cpu)", True),
    ("  - Updating torch (2.1.0 -> 2.3.1+cpu)", True),
    ("  • Installing torch (2.3.1+cu121)", False),
])
def test_poetry_installing_a_build(line, cpu):
    f = findings(line + "\nMy RTX 4090 is not used for training.")
    assert ("torch_cpu_only_build" in f) is cpu
