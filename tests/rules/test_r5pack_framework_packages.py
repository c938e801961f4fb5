"""Round 5 (branch r5pack): a framework's CPU and GPU packages side by side, read from the
package facts (pip freeze / pip list / pip show / conda rows), the framework's own word that
the build it imported has no GPU, and a person saying both are installed; another
framework's "CPU version" is not PyTorch's; uv's interpreter line and its Python-tag hint.
Each broken paste stands beside a working or unrelated paste with the same words. Texts
written for the test, none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

FID = "cpu_and_gpu_framework_packages_both_installed"
ORT_WARNING = ("/opt/app/.venv/lib/python3.11/site-packages/onnxruntime/capi/onnxruntime_inference_collection.py:69: "
               "UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names."
               "Available providers: 'AzureExecutionProvider, CPUExecutionProvider'")


# ---------------------------------------------------------------------------- package facts
@pytest.mark.parametrize("text", [
    "$ pip freeze | grep onnx\nonnx==1.16.0\nonnxruntime==1.18.1\nonnxruntime-gpu==1.18.1\n",
    "(venv) PS C:\\app> pip list\nPackage           Version\n----------------- -------\nnumpy             1.26.4\n"
    "onnxruntime       1.17.1\nonnxruntime-gpu   1.17.1\n",
    "pip list | grep -i paddle\npaddlepaddle        2.6.1\npaddlepaddle-gpu    2.6.1\n",
    "faiss-cpu==1.8.0\nfaiss-gpu==1.7.2\n",
    "tensorflow           1.14.0\ntensorflow-gpu       1.14.0\ntensorflow-estimator 1.14.0\n",
    "Successfully installed coloredlogs-15.0.1 onnxruntime-1.19.2 onnxruntime-gpu-1.19.2 sympy-1.13.2\n",
    "tensorflow-cpu==2.15.0\ntensorflow==2.15.0\n",
    # pip's two packages in a conda env's listing
    "# Name                    Version                   Build  Channel\ntensorflow                1.14.0"
    "                   pypi_0    pypi\ntensorflow-gpu            1.14.0                   pypi_0    pypi\n",
])
def test_both_packages_listed(text):
    f = errors(text)
    assert FID in f, sorted(f)
    assert f[FID].confidence.value == "confirmed"


@pytest.mark.parametrize("text", [
    "onnxruntime-gpu==1.18.1\nonnx==1.16.0\n",  # the GPU package alone: the right install
    "onnxruntime==1.18.1\nonnx==1.16.0\nI run it on my laptop's CPU.\n",  # the CPU package alone
    # TensorFlow 2.1+: the tensorflow package is the GPU build; tensorflow-gpu names the same one
    "tensorflow           2.10.0\ntensorflow-gpu       2.10.0\ntensorflow-estimator 2.10.0\n",
    "paddlepaddle-gpu==2.6.1\nPaddle With CUDA: True\n",
    "faiss-gpu==1.7.2\nnumpy==1.26.4\n",
    # conda's tensorflow-gpu metapackage installs tensorflow's GPU build under the name tensorflow
    "$ conda list | grep tensor\ntensorboard               1.13.1           py36hf484d3e_0\n"
    "tensorflow                1.13.1          gpu_py36h3991807_0\ntensorflow-base           1.13.1          "
    "gpu_py36h8d69cac_0\ntensorflow-gpu            1.13.1               h0d30ee6_0\n",
])
def test_one_package_or_one_build_is_no_finding(text):
    assert FID not in findings(text)


# ---------------------------------------------------------------------------- the framework's own word
def test_cpu_provider_list_beside_the_gpu_package_shows_it_shadowed():
    text = (">>> import onnxruntime as ort\n>>> ort.InferenceSession('m.onnx', providers=['CUDAExecutionProvider'])\n"
            + ORT_WARNING + "\n$ pip show onnxruntime-gpu\nName: onnxruntime-gpu\nVersion: 1.18.1\n")
    f = errors(text)
    assert f[FID].confidence.value == "likely"


def test_old_ort_subset_error_beside_the_gpu_package():
    text = ("$ pip install onnxruntime-gpu\nSuccessfully installed onnxruntime-gpu-1.4.0\n"
            "ValueError: ['CUDAExecutionProvider'] does not contain a subset of available providers "
            "['CPUExecutionProvider']\n")
    assert FID in errors(text)


def test_paddle_not_compiled_with_cuda_beside_both_packages():
    text = ("paddlepaddle==2.5.2\npaddlepaddle-gpu==2.5.2\n"
            "ValueError: The device should not be 'gpu', since PaddlePaddle is not compiled with CUDA\n")
    f = errors(text)
    assert f[FID].confidence.value == "confirmed"


@pytest.mark.parametrize("text", [
    # no GPU package anywhere: a Raspberry Pi running the CPU package, as it should
    ORT_WARNING + "\nI am on a Raspberry Pi 5, no NVIDIA GPU; inference runs fine on the CPU.\n",
    # the GPU package's provider list has CUDA: nothing shadows it
    "onnxruntime-gpu==1.18.1\nAvailable providers: ['TensorrtExecutionProvider', 'CUDAExecutionProvider', "
    "'CPUExecutionProvider']\n",
    "UserWarning: Specified provider 'CUDAExecutionProvider' is not in available provider names.Available "
    "providers: 'TensorrtExecutionProvider, CUDAExecutionProvider, CPUExecutionProvider'\nonnxruntime-gpu==1.18.1\n",
])
def test_the_warning_without_the_shadowing(text):
    assert FID not in findings(text)


# ---------------------------------------------------------------------------- said in words
@pytest.mark.parametrize("text", [
    "The [gpu] extra installs both onnxruntime and onnxruntime-gpu, so ONNX Runtime only finds the CPU provider.",
    "Installing `onnxruntime` on top of `onnxruntime-gpu` strips the CUDA provider from my environment.",
    "It turned out I had paddlepaddle and paddlepaddle-gpu installed side by side.",
    "When I install this package it pulls in onnxruntime, which overwrites onnxruntime-gpu in the same folder.",
    "我的环境里同时安装了 onnxruntime 和 onnxruntime-gpu，结果只能用 CPU。",
    "Both faiss-cpu and faiss-gpu are installed in the conda env and search runs on the CPU.",
])
def test_both_said_installed(text):
    f = errors(text)
    assert FID in f, sorted(f)
    assert f[FID].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "I uninstalled onnxruntime and installed onnxruntime-gpu, and now the CUDA provider works.",
    "Make sure you do not install both onnxruntime and onnxruntime-gpu in one environment.",
    "Should I install both onnxruntime and onnxruntime-gpu?",
    "onnxruntime and onnxruntime-gpu must not be installed together.",
    "Use onnxruntime-gpu instead of onnxruntime if you have a GPU.",
    "The docs say only one of onnxruntime and onnxruntime-gpu should be installed; I have only the GPU one.",
    "If both onnxruntime and onnxruntime-gpu are installed, the CPU one wins.",
])
def test_advice_questions_and_removals_are_not_the_state(text):
    assert FID not in findings(text)


# ---------------------------------------------------------------------------- not PyTorch's CPU build
@pytest.mark.parametrize("text", [
    "With both packages installed, the CPU version of `onnxruntime` overwrites the GPU version.",
    "I installed the CPU version of tensorflow for this box, the GPU is for the game.",
    "The installer put the cpu build of paddlepaddle on my machine.",
    # torch named in the sentence, but the CPU build named is the one beside onnxruntime
    "Running it through onnxruntime (cpu version) matches my exported pytorch model exactly on this RTX 3060.",
])
def test_another_frameworks_cpu_build_is_not_torchs(text):
    assert "torch_cpu_only_build" not in findings(text)


@pytest.mark.parametrize("text", [
    "pip installed the CPU version of torch even though I have an RTX 3080.",
    "pip installed the CPU version of pytorch next to onnxruntime-gpu, on my RTX 3080 box.",
    "My RTX 4090 is idle: uv resolved torch and it defaults to the [cpu] version on Windows.",
    "With `uv sync --extra gpu` the pytorch wheel that got installed is the `+cpu` build; my GPU is an RTX 4070.",
])
def test_torchs_cpu_build_said(text):
    assert "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", [
    "Should pytorch default to the [cpu] version when no GPU is found?",
    "On CI we install the [cpu] version of torch on purpose.",
    "pytorch was installed with the `+cu121` build; my GPU is an RTX 4070 and it works.",
])
def test_torchs_cpu_tag_near_misses(text):
    assert "torch_cpu_only_build" not in errors(text)


# ---------------------------------------------------------------------------- uv: interpreter and Python tags
UV = """\
$ uv sync
Using CPython {py}
Resolved 31 packages in 12ms
error: Distribution `torch=={torch} @ registry+https://download.pytorch.org/whl/cu121` can't be installed because it doesn't have a source distribution or wheel for the current platform
"""


def test_uv_python_tag_hint_names_the_python():
    text = UV.format(py="3.13.0", torch="2.2.2") + (
        "\nhint: You're using CPython 3.13 (`cp313`), but `torch` (v2.2.2) only has wheels with the following "
        "Python ABI tags: `cp38`, `cp39`, `cp310`, `cp311`, `cp312`\n")
    assert "python_unsupported_by_torch" in errors(text)


def test_uv_interpreter_line_against_the_release():
    assert "python_unsupported_by_torch" in errors(UV.format(py="3.13.0", torch="2.2.2"))


@pytest.mark.parametrize("text", [
    UV.format(py="3.11.9", torch="2.2.2"),  # the Python has wheels: the platform is what lacks one
    UV.format(py="3.12.4", torch="2.5.1") + "\nhint: You're on Windows (`win_amd64`), but `torch` (v2.5.1) only "
    "has wheels for the following platform: `linux_aarch64`\n",
])
def test_uv_platform_without_a_wheel_is_not_the_python(text):
    assert "python_unsupported_by_torch" not in findings(text)


# ---------------------------------------------------------------------------- conda's libmamba solver
LIBMAMBA = """\
Could not solve for environment specs
The following packages are incompatible
├─ python {py}**  is requested and can be installed;
└─ pytorch is not installable because there are no viable options
   ├─ pytorch [2.5.0|2.5.1] would require
   │  └─ python >=3.12,<3.13.0a0 , which conflicts with any installable versions previously reported;
   └─ pytorch [2.5.0|2.5.1] would require
      └─ python >=3.11,<3.12.0a0 , which conflicts with any installable versions previously reported.
"""


def test_libmamba_tree_python_outside_every_torch_range():
    f = errors(LIBMAMBA.format(py="3.13"))
    assert f["python_unsupported_by_torch"].confidence.value == "confirmed"


def test_libsolv_problem_line_with_the_requested_python():
    text = ("LibMambaUnsatisfiableError: Encountered problems while solving:\n"
            "  - package pytorch-2.2.2-py3.10_cuda12.1_cudnn8.9.2_0 requires python >=3.10,<3.11.0a0, but none of the "
            "providers can be installed\n\nThe following packages are incompatible\n"
            "├─ python =3.12.4 * is requested and can be installed;\n")
    assert "python_unsupported_by_torch" in errors(text)


@pytest.mark.parametrize("text", [
    LIBMAMBA.format(py="3.12"),  # the Python fits one range: something else conflicts
    # another package's Python range, not torch's
    "├─ python 3.13**  is requested and can be installed;\n└─ numba is not installable because there are no viable "
    "options\n   ├─ numba 0.60.0 would require\n   │  └─ python >=3.12,<3.13.0a0 , which conflicts with any installable "
    "versions previously reported;\n",
])
def test_libmamba_near_misses(text):
    assert "python_unsupported_by_torch" not in findings(text)


# ---------------------------------------------------------------------------- torch.__config__.show()
CONFIG = """\
>>> print(torch.__config__.show())
PyTorch built with:
  - GCC 9.3
  - C++ Version: 201703
  - CPU capability usage: AVX2
{cuda_lines}  - Build settings: BLAS_INFO=mkl, BUILD_TYPE=Release, {cuda_version}TORCH_VERSION=2.1.0, USE_CUDA={use_cuda}, USE_CUDNN={use_cuda}, USE_MKL=ON, USE_NCCL={use_cuda}, USE_ROCM={rocm},
My GPU is an RTX 3080 and torch.cuda.is_available() is False.
"""


def test_config_use_cuda_off_is_a_cpu_build():
    text = CONFIG.format(cuda_lines="", cuda_version="", use_cuda="OFF", rocm="OFF")
    assert errors(text)["torch_cpu_only_build"].confidence.value == "confirmed"


@pytest.mark.parametrize("text", [
    CONFIG.format(cuda_lines="  - CUDA Runtime 12.1\n  - CuDNN 8.9.2\n", cuda_version="CUDA_VERSION=12.1, ",
                  use_cuda="ON", rocm="OFF"),
    CONFIG.format(cuda_lines="", cuda_version="", use_cuda="OFF", rocm="ON"),  # a ROCm build
])
def test_config_cuda_or_rocm_build_is_no_cpu_build(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- two torch installs, pip's word
@pytest.mark.parametrize("text", [
    # pip manages torch 2.1.0 in the user site while the session imports 1.13.1
    "(myenv) $ pip install torch==2.1.0\nRequirement already satisfied: torch==2.1.0 in "
    "/home/alice/.local/lib/python3.10/site-packages (2.1.0)\n(myenv) $ python -c \"import torch; "
    "print(torch.__version__)\"\n1.13.1\n",
    # the user site's torch beside a conda env (pip lower-cases the Windows path)
    "(torch) PS C:\\> pip install torch\nRequirement already satisfied: torch in "
    "c:\\users\\bob\\appdata\\roaming\\python\\python311\\site-packages (2.0.1)\n(torch) PS C:\\> conda list torch\n"
    "# packages in environment at C:\\Users\\bob\\miniconda3\\envs\\torch:\n"
    "pytorch                   2.2.0           py3.11_cuda12.1_cudnn8_0    pytorch\n",
])
def test_pip_satisfied_elsewhere_shows_two_installs(text):
    assert "mixed_torch_installations" in findings(text)


@pytest.mark.parametrize("text", [
    "(venv) $ pip install torch\nRequirement already satisfied: torch in ./venv/lib/python3.10/site-packages (2.1.0)\n"
    "(venv) $ python -c \"import torch; print(torch.__version__)\"\n2.1.0+cu121\n",
    "$ pip install --user torch\nRequirement already satisfied: torch in /home/alice/.local/lib/python3.10/site-packages "
    "(2.1.0)\n$ python -c \"import torch; print(torch.__version__)\"\n2.1.0\n",
])
def test_pip_satisfied_where_it_is_imported_is_one_install(text):
    assert "mixed_torch_installations" not in findings(text)


# ---------------------------------------------------------------------------- torch._C without CUDA functions
def test_torch_c_without_cuda_binding_is_a_cpu_build():
    text = ("Traceback (most recent call last):\n  File \"train_ddp.py\", line 52, in <module>\n"
            "    torch.cuda.set_device(args.local_rank)\n  File \"/opt/conda/lib/python3.9/site-packages/torch/cuda/"
            "__init__.py\", line 326, in set_device\n    torch._C._cuda_setDevice(device)\n"
            "AttributeError: module 'torch._C' has no attribute '_cuda_setDevice'\nServer with 8x A100.\n")
    assert errors(text)["torch_cpu_only_build"].confidence.value == "confirmed"


@pytest.mark.parametrize("text", [
    "AttributeError: module 'torch._C' has no attribute '_get_tracing_state'\nRTX 3090, torch 2.1.0+cu121\n",
    "AttributeError: module 'torch' has no attribute 'compile'\ntorch 1.13.1+cu117 on an RTX 3090\n",
])
def test_other_missing_attributes_are_no_cpu_build(text):
    assert "torch_cpu_only_build" not in findings(text)


# ---------------------------------------------------------------------------- DeepSpeed's ds_report
DS_REPORT = """\
DeepSpeed general environment info:
torch install path ............... ['/home/u/.venv/lib/python3.10/site-packages/torch']
torch version .................... {version}
deepspeed info ................... 0.12.6, unknown, unknown
torch cuda version ............... {cuda}
torch hip version ................ None
nvcc version ..................... 12.1
deepspeed wheel compiled w. ...... torch 2.1, cuda {cuda_ds}
The node has 4x RTX A6000.
"""


def test_ds_report_torch_cuda_none_is_a_cpu_build():
    f = errors(DS_REPORT.format(version="2.1.0+cpu", cuda="None", cuda_ds="0.0"))
    assert f["torch_cpu_only_build"].confidence.value == "confirmed"


def test_ds_report_cuda_build_is_no_cpu_build():
    assert "torch_cpu_only_build" not in findings(DS_REPORT.format(version="2.1.0+cu121", cuda="12.1", cuda_ds="12.1"))


# ---------------------------------------------------------------------------- Faiss
def test_faiss_both_listed_with_its_no_gpu_error():
    text = ("$ pip freeze | grep faiss\nfaiss-cpu==1.7.4\nfaiss-gpu==1.7.2\n>>> res = faiss.StandardGpuResources()\n"
            "AttributeError: module 'faiss' has no attribute 'StandardGpuResources'\n")
    assert errors(text)[FID].confidence.value == "confirmed"


def test_faiss_gpu_alone_with_its_no_gpu_error_is_not_the_pair():
    # faiss falls back to its CPU code when the GPU library does not load: not a second package
    text = ("faiss-gpu==1.7.2\nAttributeError: module 'faiss' has no attribute 'StandardGpuResources'\n"
            "CUDA 12.4, RTX 4090\n")
    assert FID not in findings(text)
