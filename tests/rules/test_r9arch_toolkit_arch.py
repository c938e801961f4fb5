"""cuda_toolkit_too_old_for_gpu_arch: a CUDA toolkit (nvcc) older than the architecture a build
targets, in nvcc's, CMake's, setuptools' and cpp_extension's words, with and without nvcc's
release; beside pastes with the same words that are another problem (a target the toolkit
dropped, an 'unsupported' toolkit version of a library, torch's own arch table) or a working
machine. Texts written for the test from upstream's wording, none taken from the corpus."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules import fix
from tests.rules.test_unseen_classes import errors, findings

FID = "cuda_toolkit_too_old_for_gpu_arch"

NVCC_117 = """nvcc: NVIDIA (R) Cuda compiler driver
Copyright (c) 2005-2022 NVIDIA Corporation
Built on Wed_Jun__8_16:49:14_PDT_2022
Cuda compilation tools, release 11.7, V11.7.99
Build cuda_11.7.r11.7/compiler.31442593_0
"""

NINJA_120 = """[1/3] /usr/bin/nvcc --generate-dependencies-with-compile -DTORCH_EXTENSION_NAME=my_ops_cuda \
-gencode=arch=compute_120,code=compute_120 -gencode=arch=compute_120,code=sm_120 -c ops.cu -o ops.cuda.o
FAILED: ops.cuda.o
nvcc fatal   : Unsupported gpu architecture 'compute_120'
ninja: build stopped: subcommand failed.
Traceback (most recent call last):
  File "/home/u/venv/lib/python3.12/site-packages/torch/utils/cpp_extension.py", line 2506, in _run_ninja_build
    subprocess.run(
subprocess.CalledProcessError: Command '['ninja', '-v']' returned non-zero exit status 1.

The above exception was the direct cause of the following exception:

RuntimeError: Error compiling objects for extension
"""


@pytest.mark.parametrize("text", [
    "nvcc fatal   : Unsupported gpu architecture 'compute_86'",
    NVCC_117 + "make[2]: *** [CMakeFiles/app.dir/kernel.cu.o] Error 1\nnvcc fatal   : Unsupported gpu architecture 'compute_89'\n",
    NINJA_120,
    "nvcc fatal : Unsupported gpu architecture ‘compute_86’ when I run python setup.py install on my RTX 3090",
    "Building CUDA object ggml/src/ggml-cuda/CMakeFiles/ggml-cuda.dir/mmq.cu.o\n"
    "nvcc fatal   : Unsupported gpu architecture 'compute_120a'\ngmake[2]: *** Error 1",
    "4090显卡，cuda11.6，编译扩展时报错 nvcc fatal : Unsupported gpu architecture 'compute_89'，怎么办",
    "RTX 5090で拡張をビルドすると nvcc fatal : Unsupported gpu architecture 'compute_120' と出ます",
    "C:\\Program Files\\Microsoft Visual Studio\\2022\\Community\\MSBuild\\Microsoft\\VC\\v170\\BuildCustomizations\\"
    "CUDA 11.7.targets(790,9): error MSB3721: The command \"\"C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\"
    "v11.7\\bin\\nvcc.exe\" -gencode=arch=compute_89,code=\\\"sm_89,compute_89\\\" kernel.cu\" exited with code 1.\n"
    "nvcc fatal   : Unsupported gpu architecture 'compute_89'",
    "pycuda.driver.CompileError: nvcc compilation of /tmp/tmpab12/kernel.cu failed\n"
    "[command: nvcc --cubin -arch sm_89 -m64 -I/site-packages/pycuda/cuda kernel.cu]\n"
    "[stderr:\nnvcc fatal   : Value 'sm_89' is not defined for option 'gpu-architecture'\n]",
    "-- The CUDA compiler identification is NVIDIA 11.5.119\n"
    "CMake Error at /usr/share/cmake-3.22/Modules/CMakeDetermineCUDACompiler.cmake:277 (message):\n"
    "  The CMAKE_CUDA_ARCHITECTURES:\n\n    89\n\n  do not all work with this compiler.  Try:\n\n    86\n\n  instead.",
    "Cuda compilation tools, release 7.5, V7.5.17\nnvcc fatal   : Unsupported gpu architecture 'compute_61'",
])
def test_nvcc_refusing_a_newer_target_is_a_toolkit_too_old(text):
    f = errors(text)
    assert FID in f, sorted(findings(text))
    assert f[FID].confidence.value == "confirmed"


def test_the_release_in_the_failing_commands_path_is_the_nvcc_that_ran():
    text = ("nvcc fatal   : Unsupported gpu architecture 'compute_75'\n"
            "error: command '/usr/local/cuda-8.0/bin/nvcc' failed with exit status 1\n"
            "CUDA Version: 10.2\nGPU: RTX 2080Ti\n")
    f = errors(text)[FID]
    assert "nvcc 8.0" in f.explanation and "CUDA 10.0" in f.explanation


def test_a_release_that_knows_the_target_means_another_older_nvcc_ran():
    f = errors(NVCC_117.replace("11.7", "12.9") + "nvcc fatal   : Unsupported gpu architecture 'compute_100'\n")[FID]
    assert "nvcc 12.9" in f.explanation and "an older toolkit comes first" in f.explanation
    assert f.confidence.value == "likely"  # or the 12.9 shown was installed after the failure


@pytest.mark.parametrize("text", [
    # collect_env's "CUDA runtime version" is the system nvcc; the extension then failed to build
    "PyTorch version: 2.1.0+cu121\nIs CUDA available: True\nCUDA runtime version: 11.5.119\n"
    "GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090\nNvidia driver version: 535.104.05\n\n"
    "RuntimeError: Error compiling objects for extension\n",
    # a TORCH_CUDA_ARCH_LIST entry the installed nvcc does not know, and setuptools' failure
    "export TORCH_CUDA_ARCH_LIST=\"8.9\"\n" + NVCC_117.replace("11.7", "11.6")
    + "error: command '/usr/local/cuda/bin/nvcc' failed with exit code 1\n",
])
def test_nvccs_release_older_than_the_gpu_with_a_failed_build_is_likely(text):
    f = errors(text)
    assert FID in f, sorted(findings(text))
    assert f[FID].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # a target the toolkit dropped: the toolkit is too new for it, not too old
    "Cuda compilation tools, release 11.2, V11.2.142\nnvcc fatal   : Unsupported gpu architecture 'compute_30'",
    "nvcc fatal   : Value 'sm_30' is not defined for option 'gpu-architecture'",
    "-- The CUDA compiler identification is NVIDIA 12.4.131\nnvcc fatal   : Unsupported gpu architecture 'compute_35'",
    # not an architecture: an old CMake writing 'native' as compute_native, nvcc before 11.6 without -arch=native
    "nvcc fatal   : Unsupported gpu architecture 'compute_native'",
    "nvcc fatal   : Value 'native' is not defined for option 'gpu-architecture'",
    # torch's own arch table (torch too old for the GPU), not nvcc
    "ValueError: Unknown CUDA arch (12.0) or GPU not supported",
    # torch's wheel lacking the GPU at run time (gpu_arch_unsupported_by_torch_build)
    NVCC_117.replace("11.7", "11.8") + "NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the "
    "current PyTorch installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 "
    "sm_80 sm_86 sm_90.",
    # an extension that built, without the GPU's architecture (extension_built_without_gpu_arch)
    "export TORCH_CUDA_ARCH_LIST=\"7.5\"\npython setup.py install\nGPU 0: NVIDIA A100-SXM4-80GB\n"
    "RuntimeError: CUDA error: no kernel image is available for execution on the device",
    # a library that does not know a (new, fine) toolkit release
    NVCC_117.replace("11.7", "12.8") + "Unsupported cuda toolkit version: `12.8`. Please raise a github issue.\n"
    "GPU 0: NVIDIA GeForce RTX 4090\n",
    # ptxas rejecting one instruction for the GPU: the code's problem, the toolkit knows sm_89
    NVCC_117.replace("11.7", "12.6") + "GPU: NVIDIA GeForce RTX 4070 Laptop GPU\n"
    "ptxas /tmp/tmpxft_0001.ptx, line 88; error   : Feature 'cvt with .e4m3x2/.e5m2x2' requires .target sm_90 or higher\n",
])
def test_other_problems_with_the_same_words_are_not_a_toolkit_too_old(text):
    assert FID not in findings(text)


@pytest.mark.parametrize("text", [
    # an old system nvcc beside a working torch wheel (it brings its own CUDA runtime): nothing was built
    "PyTorch version: 2.1.0+cu121\nIs CUDA available: True\nCUDA runtime version: 10.1.243\n"
    "GPU models and configuration: GPU 0: NVIDIA GeForce RTX 3090\nNvidia driver version: 535.104.05\n",
    # a new enough nvcc and a build failing for another reason
    NVCC_117.replace("11.7", "12.4") + "GPU 0: NVIDIA GeForce RTX 4090\n"
    "ops.cu(12): error: identifier \"__hmul2\" is undefined\nRuntimeError: Error compiling objects for extension\n",
    # an old nvcc and an old enough GPU whose extension failed for another reason
    NVCC_117.replace("11.7", "10.2") + "GPU 0: NVIDIA GeForce GTX 1080 Ti\n"
    "error: command '/usr/bin/g++' failed with exit status 1\nRuntimeError: Error compiling objects for extension\n",
    # the compiler said why the build failed, and it is not the architecture
    NVCC_117.replace("11.7", "11.5") + "GPU 0: NVIDIA GeForce RTX 4090\n/usr/include/crt/host_config.h:132:2: error: "
    "#error -- unsupported GNU version! gcc versions later than 10 are not supported!\n"
    "RuntimeError: Error compiling objects for extension\n",
    # nvcc's list of what it knows, printed on a healthy machine
    "$ nvcc --list-gpu-arch\ncompute_50\ncompute_75\ncompute_80\ncompute_86\ncompute_89\ncompute_90\n"
    "$ nvidia-smi --query-gpu=name,compute_cap --format=csv\nname, compute_cap\nNVIDIA GeForce RTX 4090, 8.9\n",
])
def test_working_machines_naming_nvcc_and_the_gpu_get_no_toolkit_finding(text):
    assert FID not in findings(text)


def test_the_recipe_installs_the_first_toolkit_that_knows_the_gpu():
    explanation, report = diagnose(source.normalise(NVCC_117 + "nvcc fatal   : Unsupported gpu architecture 'compute_89'\n"),
                                   collected_at="")
    f = next(f for f in report.findings if f.id == FID)
    assert f.recipe == FID and dict(f.values)["cuda_version"] == "11.8"
    commands = fix(f, explanation.facts)
    assert "export CUDA_HOME=/usr/local/cuda-11.8" in commands
    assert "nvcc --list-gpu-arch" in commands


@pytest.mark.parametrize("text", [
    "$ which nvcc\n/usr/local/cuda-10.2/bin/nvcc\nGPU 0: NVIDIA GeForce RTX 3090\nRuntimeError: Error compiling objects for extension\n",
    "CUDA_HOME=/usr/local/cuda-11.0\nGPU 0: NVIDIA A10\nRuntimeError: Error building extension 'fused_ops'\n",
])
def test_a_versioned_nvcc_or_cuda_home_names_the_release(text):
    f = errors(text)
    assert FID in f, sorted(findings(text))
    assert f[FID].confidence.value == "likely" and "CUDA 11.1" in f[FID].explanation


def test_a_versioned_cuda_home_new_enough_for_the_gpu_is_no_finding():
    assert FID not in findings("CUDA_HOME=/usr/local/cuda-12.4\nGPU 0: NVIDIA GeForce RTX 3090\n"
                               "RuntimeError: Error compiling objects for extension\n")


FAILED = "\nRuntimeError: Error compiling objects for extension\n"


@pytest.mark.parametrize("text", [
    "My environment: RTX 4090, CUDA toolkit 11.3, pytorch 1.10, python 3.9" + FAILED,
    "GPU: NVIDIA GeForce RTX 3090\ncuda toolkit version is 11.0" + FAILED,
    "I have the CUDA 10.2 toolkit installed.\nGPU 0: NVIDIA A100-SXM4-40GB" + FAILED,
    "显卡是4090，CUDA工具包版本11.6，安装扩展时报错" + FAILED,
    "RTX 4090 / CUDA 툴킷 11.7 환경에서 빌드가 실패합니다" + FAILED,
    "RTX 5090 で CUDA Toolkit 12.4 を使っています" + FAILED,
])
def test_the_toolkit_release_told_in_words_beside_a_newer_gpu_and_a_failed_build(text):
    f = errors(text)
    assert FID in f, sorted(findings(text))
    assert f[FID].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # wanted, not had: an intention, a requirement, advice, a question, a change
    "RTX 4090 requires CUDA Toolkit 11.8 or newer." + FAILED,
    "GPU 0: NVIDIA GeForce RTX 4090. Please install CUDA Toolkit 11.3 first." + FAILED,
    "GPU 0: NVIDIA GeForce RTX 4090. Should I use CUDA Toolkit 11.3?" + FAILED,
    "GPU 0: NVIDIA GeForce RTX 4090. I upgraded from CUDA toolkit 11.3 to 12.1 and the build fails now" + FAILED,
    "GPU 0: NVIDIA GeForce RTX 4090\n需要安装CUDA Toolkit 11.3以上" + FAILED,
    # conda's cudatoolkit package is the runtime, without nvcc
    "GPU 0: NVIDIA GeForce RTX 4090\ncudatoolkit               11.3.1               h2bc3f7f_2    conda-forge" + FAILED,
    "GPU 0: NVIDIA GeForce RTX 4090\nsudo apt-get install -y cuda-toolkit-11-3" + FAILED,
    # the toolkit told is new enough for the GPU
    "GPU 0: NVIDIA GeForce RTX 4090, CUDA toolkit 12.1" + FAILED,
    # the toolkit told, a newer GPU, but nothing was built
    "RTX 4090, CUDA toolkit 11.3, pytorch 2.1.0+cu121, torch.cuda.is_available() is True",
])
def test_a_toolkit_wanted_or_new_enough_or_nothing_built_is_no_finding(text):
    assert FID not in findings(text)


def test_nvccs_own_release_outranks_the_toolkit_told_in_words():
    text = "GPU 0: NVIDIA GeForce RTX 4090, CUDA toolkit 11.3\n" + NVCC_117.replace("11.7", "12.1") + FAILED
    assert FID not in findings(text)


def test_a_gpu_newer_than_every_target_nvcc_lists_with_a_failed_build():
    text = ("GPU 0: NVIDIA GeForce RTX 4090\n$ nvcc --list-gpu-arch\ncompute_35\ncompute_50\ncompute_60\ncompute_70\n"
            "compute_75\ncompute_80\ncompute_86\ncompute_87\n看起来确实没有89" + FAILED)
    f = errors(text)[FID]
    assert f.confidence.value == "likely" and "compute_87" in f.explanation


def test_a_gpu_nvcc_lists_is_no_finding():
    text = ("GPU 0: NVIDIA GeForce RTX 4090\n$ nvcc --list-gpu-arch\ncompute_75\ncompute_80\ncompute_86\ncompute_87\n"
            "compute_89\ncompute_90\n" + FAILED)
    assert FID not in findings(text)


def test_the_nvcc_a_build_echoes_from_a_versioned_install_names_the_release():
    text = ("GPU 0: NVIDIA GeForce RTX 3090\n[1/2] /usr/local/cuda-11.0/bin/nvcc -I/usr/include -c ops.cu -o ops.o\n"
            "FAILED: ops.o\nninja: build stopped: subcommand failed." + FAILED)
    f = errors(text)[FID]
    assert "nvcc 11.0" in f.explanation and f.confidence.value == "likely"


def test_two_versioned_nvccs_name_no_release():
    text = ("GPU 0: NVIDIA GeForce RTX 3090\n/usr/local/cuda-11.0/bin/nvcc -c a.cu\n/usr/local/cuda-12.1/bin/nvcc -c b.cu"
            + FAILED)
    assert FID not in findings(text)


def test_visual_studios_cuda_targets_name_the_release_and_the_failure():
    text = ("GPU: NVIDIA GeForce RTX 4090\nC:\\Program Files\\Microsoft Visual Studio\\2019\\Community\\MSBuild\\"
            "Microsoft\\VC\\v160\\BuildCustomizations\\CUDA 11.6.targets(790,9): error MSB3721: The command "
            "\"\"C:\\tools\\nvcc.exe\" -g kernel.cu\" exited with code 1.")
    f = errors(text)[FID]
    assert "nvcc 11.6" in f.explanation and f.confidence.value == "likely"
