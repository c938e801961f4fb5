"""Classes of real reports widened for unseen reports (docs/diagnosis.md): each
class in the words and pastes real reports use, beside a working machine's paste with the
same words in another context that must get no error. Texts written for the test, none
taken from the diagnosis corpus."""

from __future__ import annotations

from typing import Dict

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Finding

NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
UNKNOWN = ("UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up "
           "environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available "
           "devices to be zero.")
DESERIALIZE = ("RuntimeError: Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
               "False. If you are running on a CPU-only machine, please use torch.load with "
               "map_location=torch.device('cpu') to map your storages to the CPU.")
WORKING = """\
PyTorch version: 2.1.0+cu121
Is CUDA available: True
CUDA runtime version: 12.1.105
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 3090
Nvidia driver version: 535.104.05
CPU:
Model name: AMD Ryzen 9 5900X 12-Core Processor with Radeon Graphics
"""


def findings(text: str) -> Dict[str, Finding]:
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f for f in report.findings}


def errors(text: str) -> Dict[str, Finding]:
    return {k: f for k, f in findings(text).items() if f.severity.value == "error"}


@pytest.mark.parametrize("text, fid", [
    (NO_DRIVER + "\nbut my GPU is an RX 6700 XT.", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nI have a RX570 GPU", "no_nvidia_gpu_found"),
    ("My laptop only has the AMD Radeon integrated graphics.\n" + NO_DRIVER, "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nmy laptop has no GPU", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\n这台机器没有GPU，只用CPU", "no_nvidia_gpu_found"),
    ("I'm running this on a Google Colab CPU runtime.\n" + DESERIALIZE, "no_nvidia_gpu_found"),
    ("OS: macOS 14.2.1 (arm64)\nIs CUDA available: False\n" + DESERIALIZE, "no_nvidia_gpu_found"),
    ("Every time my laptop goes to sleep and wakes up:\n" + UNKNOWN, "nvidia_uvm_stale_after_suspend"),
    ("after sleep mode\ncudaGetDeviceCount returned 999 -> unknown error", "nvidia_uvm_stale_after_suspend"),
    ("ERROR: The Nouveau kernel driver is currently in use by your system.  This driver is incompatible with the "
     "NVIDIA driver, and must be disabled before proceeding.", "nouveau_bound"),
    ("RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA major versions. PyTorch "
     "has CUDA Version=11.7 and torchvision has CUDA Version=12.1.", "extension_built_for_other_torch"),
    ("OSError: /usr/local/lib/python3.10/dist-packages/torchaudio/lib/libtorchaudio.so: undefined symbol: "
     "_ZNK5torch8autograd4Node4nameB5cxx11Ev", "extension_built_for_other_torch"),
    ("    from torch._C import *\nImportError: DLL load failed while importing _C: The specified procedure could not "
     "be found.", "torch_import_failed"),
])
def test_the_class_in_other_words(text, fid):
    assert fid in findings(text)


def test_torchs_own_libraries_missing_a_symbol_are_still_two_installs():
    text = ("ImportError: /usr/lib/python3/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
            "_ZN3c104cuda20CUDACachingAllocator9allocatorE")
    assert "mixed_torch_installations" in findings(text)


@pytest.mark.parametrize("extra", [
    "I have no GPU memory left after loading the model, so I lowered the batch size.",
    "The machine had been suspended overnight; training resumed fine. I wake up and it is done.",
    "torch.load(path, map_location='cpu') because the CPU-only machine in CI has no GPU support",
    "CUDA_VISIBLE_DEVICES=3 python train.py",
    "docker run --gpus all -it nvcr.io/nvidia/pytorch:23.10-py3",
])
def test_a_working_machine_with_the_same_words_gets_no_error(extra):
    assert errors(WORKING + extra + "\nValueError: too many values to unpack (expected 2)\n") == {}


def test_a_cpu_model_line_is_not_a_gpu():
    # "with Radeon Graphics" in a CPU's name is its integrated GPU; an NVIDIA GPU may sit beside it.
    assert "no_nvidia_gpu_found" not in findings("Model name: AMD Ryzen 7 5800H with Radeon Graphics\n" + NO_DRIVER)


def test_an_index_in_a_pasted_env_dump_of_a_working_run_is_no_error():
    smi = """\
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  NVIDIA A100-SXM...  On   | 00000000:07:00.0 Off |                    0 |
| N/A   30C    P0    60W / 400W |      4MiB / 81920MiB |      0%      Default |
+-------------------------------+----------------------+----------------------+
environment: CUDA_VISIBLE_DEVICES=2,3
ValueError: The model's max seq len (4096) is larger than the KV cache (3200).
"""
    assert errors(smi) == {}
    assert "cuda_visible_devices_hides_gpus" in errors(smi + "RuntimeError: No CUDA GPUs are available\n")


@pytest.mark.parametrize("said", [
    "It only works with sudo. As my normal user torch.cuda.is_available() returns False.",
    "As root, everything works fine. Non-root users get False from torch.cuda.is_available().",
])
def test_working_as_root_only_is_a_likely_permissions_finding(said):
    f = findings(said)
    assert f["device_node_permissions"].confidence.value == "likely"
    # a node the words imply is no listing of /dev: nvidia-uvm is not thereby missing
    assert "nvidia_uvm_missing" not in f


def test_root_named_in_other_senses_is_not_a_permissions_finding():
    assert "device_node_permissions" not in findings(WORKING + "I run it as root in the container and it works fine.\n")


@pytest.mark.parametrize("listing", [
    # collect_env's tagged rows: pip's torch beside conda's pytorch at another version
    "[pip3] torch==2.0.1\n[pip3] torchvision==0.15.2\n[conda] pytorch                   1.12.1          "
    "py3.9_cuda11.3_cudnn8.3.2_0    pytorch\n[conda] torch                     2.0.1                    pypi_0    pypi\n",
    # a conda list with both installs
    "# Name                    Version                   Build  Channel\npytorch                   1.13.1          "
    "py3.9_cuda11.7_cudnn8.5.0_0    pytorch\ntorch                     2.1.0                    pypi_0    pypi\n",
    # grep'd pip list naming torch twice (two dist-info directories)
    "$ pip list | grep torch\ntorch                     2.1.0\ntorch                     1.13.1\n",
])
def test_torch_listed_twice_in_one_environment_is_two_installs(listing):
    f = findings(listing)["mixed_torch_installations"]
    assert f.confidence.value == "likely" and f.severity.value == "warning"
    # beside a failure in the same text it is the likeliest cause: an error
    failed = findings(listing + "ImportError: libtorch_cpu.so: cannot open shared object file: No such file or directory\n")
    assert failed["mixed_torch_installations"].severity.value == "error"


@pytest.mark.parametrize("listing", [
    "[pip3] torch==2.1.0+cu121\n[conda] pytorch                   2.1.0           py3.10_cuda12.1_cudnn8.9.2_0    pytorch\n",
    "[pip3] torch==2.0.1\n[conda] torch                     2.0.1                    pypi_0    pypi\n",
    # two environments' listings far apart: not one listing
    "env A:\n[pip3] torch==2.0.1\n\n\n\nenv B, another machine:\n[pip3] torch==2.1.0\n",
])
def test_one_build_named_twice_is_not_two_installs(listing):
    assert "mixed_torch_installations" not in findings(WORKING + listing)


@pytest.mark.parametrize("failure", [
    "RuntimeError: Torch is not able to use GPU; add --skip-torch-cuda-test to COMMANDLINE_ARGS variable to disable "
    "this check",
    DESERIALIZE,
])
def test_a_programs_own_cuda_check_with_a_cpu_build_is_the_cpu_build(failure):
    assert "torch_cpu_only_build" in findings("torch.__version__ = 2.0.1+cpu\n" + failure)
    # on a machine said to have no GPU at all, that is the finding instead
    f = findings("torch.__version__ = 2.0.1+cpu\nmy laptop has no GPU\n" + failure)
    assert "no_nvidia_gpu_found" in f and "torch_cpu_only_build" not in f
