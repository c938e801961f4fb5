"""A terminal's hard wrap (every line longer than W cut at exactly W, mid-word) is undone before
the parsers read a paste; lines that merely share a width (tables, lists, a log's fixed-format
lines, code) are left as they are."""

from __future__ import annotations

import pytest

from benchmarks.paste_forms import _hard_wrap  # what copying from a terminal that many columns wide gives
from envcheck.explain import hardwrap
from envcheck.explain.source import normalise
from tests.rules.test_unseen_classes import findings

DRIVER_TOO_OLD = (
    "$ python -c 'import torch; torch.zeros(1).cuda()'\n"
    "Traceback (most recent call last):\n"
    '  File "<string>", line 1, in <module>\n'
    '  File "/opt/conda/lib/python3.10/site-packages/torch/cuda/__init__.py", line 298, in _lazy_init\n'
    "    torch._C._cuda_init()\n"
    "RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your "
    "GPU driver by downloading and installing a new version from the URL: "
    "http://www.nvidia.com/Download/index.aspx Alternatively, go to: https://pytorch.org to install a PyTorch "
    "version that has been compiled with your version of the CUDA driver.\n")

NVML_MISMATCH = (
    "$ nvidia-smi\n"
    "Failed to initialize NVML: Driver/library version mismatch\n"
    "NVML library version: 535.183\n"
    "$ sudo dmesg | tail -2\n"
    "[ 4242.123456] NVRM: API mismatch: the client has the version 535.183.01, but this kernel module has "
    "the version 535.161.08.  Please make sure that this kernel module and all NVIDIA driver components "
    "have the same version.\n"
    "[ 4242.123460] NVRM: nvidia_frontend_ioctl: minor 255, module->ioctl failed, error -22\n")

COLLECT_ENV = (
    "Collecting environment information...\n"
    "PyTorch version: 2.4.1+cu124\n"
    "Is debug build: False\n"
    "CUDA used to build PyTorch: 12.4\n"
    "ROCM used to build PyTorch: N/A\n"
    "\n"
    "OS: Ubuntu 22.04.4 LTS (x86_64)\n"
    "GCC version: (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0\n"
    "Python version: 3.10.12 (main, Nov 20 2024, 15:14:05) [GCC 11.4.0] (64-bit runtime)\n"
    "Python platform: Linux-5.15.0-119-generic-x86_64-with-glibc2.35\n"
    "Is CUDA available: False\n"
    "CUDA runtime version: 12.4.131\n"
    "GPU models and configuration: GPU 0: NVIDIA GeForce RTX 3090\n"
    "Nvidia driver version: 470.256.02\n"
    "/usr/local/lib/python3.10/dist-packages/torch/cuda/__init__.py:128: UserWarning: CUDA initialization: "
    "The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver by "
    "downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx "
    "Alternatively, go to: https://pytorch.org to install a PyTorch version that has been compiled with your "
    "version of the CUDA driver. (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)\n"
    "\n"
    "Versions of relevant libraries:\n"
    "[pip3] numpy==1.26.4\n"
    "[pip3] torch==2.4.1+cu124\n")


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("paste", [DRIVER_TOO_OLD, NVML_MISMATCH, COLLECT_ENV], ids=["torch", "nvml", "collect_env"])
def test_a_broken_paste_cut_by_a_terminal_says_what_it_said(paste, width):
    wrapped = _hard_wrap(paste, width)
    assert max(map(len, wrapped.split("\n"))) == width
    whole = set(findings(paste))
    assert whole  # each is a broken setup
    assert set(findings(wrapped)) == whole
    longest = max(paste.split("\n"), key=len)
    assert longest.rstrip() in normalise(wrapped).lines


def test_a_mangled_symbol_cut_once_is_one_line_again():
    message = ("ImportError: /usr/lib/python3/site-packages/torch_sparse/_convert_cuda.so: "
               "undefined symbol: _ZN3c106Device8validateEv")
    paste = "$ python -c 'import torch_sparse'\n" + _hard_wrap(message, 100) + "\n$ exit"
    assert "_ZN3c10\n6Device" in paste  # one cut, inside the symbol
    assert message in normalise(paste).lines


def test_the_block_in_a_fence_is_undone_apart_from_the_prose_around_it():
    prose = ("I installed the driver and the toolkit from the NVIDIA website as the guide says, then "
             "ran the check below in a Windows terminal and it fails:")
    paste = prose + "\n```\n" + _hard_wrap(DRIVER_TOO_OLD, 120) + "```\n"
    assert max(map(len, paste.split("\n"))) > 120  # the prose: no one width over the whole paste
    assert set(findings(paste)) == set(findings(DRIVER_TOO_OLD))


NVIDIA_SMI_470 = [
    "+-----------------------------------------------------------------------------+",
    "| NVIDIA-SMI 470.86       Driver Version: 470.86       CUDA Version: 11.4     |",
    "|-------------------------------+----------------------+----------------------+",
    "| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |",
    "| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |",
    "|                               |                      |               MIG M. |",
    "|===============================+======================+======================|",
    "|   0  NVIDIA GeForce ...  Off  | 00000000:01:00.0 Off |                  N/A |",
    "| 30%   35C    P8    20W / 350W |      5MiB / 24268MiB |      0%      Default |",
    "|                               |                      |                  N/A |",
    "+-------------------------------+----------------------+----------------------+",
    "",
    "+-----------------------------------------------------------------------------+",
    "| Processes:                                                                  |",
    "|  GPU   GI   CI        PID   Type   Process name                  GPU Memory |",
    "|        ID   ID                                                   Usage      |",
    "|=============================================================================|",
    "|  No running processes found                                                 |",
    "+-----------------------------------------------------------------------------+",
]
# the same table one column wider, so that its rows are all 80: "| … |" and "+-…-+" end on a border
NVIDIA_SMI = "\n".join(row[:-1] + (row[-2] if row[-2] in "-=" else " ") + row[-1] if row else row
                       for row in NVIDIA_SMI_470)

# pip list rows padded to one width (a long package name sets the column)
PIP_LIST = "\n".join(
    ["Package" + " " * 66 + "Version", "-" * 72 + " " + "-" * 7]
    + [f"{name:<72} {version:>7}" for name, version in [
        ("nvidia-cuda-runtime-cu12-with-a-name-that-sets-the-column-width-for-all", "12.1.10"),
        ("nvidia-cudnn-cu12", "8.9.2.2"), ("numpy", "1.26.40"), ("torch", "2.1.0+c"),
        ("torchvision", "0.16.00"), ("triton", "2.1.000")]])

# a training log whose fixed-format lines are all one length, among shorter ones
LOG = "\n".join(
    line for step in range(1, 9) for line in (
        f"2024-01-05 12:34:5{step},789 INFO trainer: epoch 1 step {step:04d} loss 0.{step:04d} lr 1.0e-4 ok",
        f"2024-01-05 12:34:5{step},790 INFO saved checkpoint {step}"))

# code whose longest lines happen to be 80 characters
CODE = "\n".join([
    "def main():",
    "    model = build_model(config.model_name, pretrained=True, num_classes=10, d=0)",
    "    model = model.to(device)",
    "    loader = DataLoader(dataset, batch_size=config.batchsize, shuffle=True, w=4)",
    "    for batch in loader:",
    "        loss = model(batch)",
])


@pytest.mark.parametrize("paste", [NVIDIA_SMI, PIP_LIST, LOG, CODE], ids=["nvidia-smi", "pip list", "log", "code"])
def test_lines_of_one_width_that_were_not_cut_stay(paste):
    lines = paste.split("\n")
    assert max(map(len, lines)) in (80, 120) or paste is LOG
    assert hardwrap.unwrap(lines, paste) is lines
    assert len(normalise(paste).lines) == len(lines)  # (a log's timestamps go: compared by number)


def test_a_person_filling_prose_at_80_is_no_terminal__hard_wrap():
    # an editor breaks between words: the pieces do not join into a word
    paste = ("RuntimeError: Detected that PyTorch and torchvision were compiled with different\n"
             "CUDA versions. PyTorch has CUDA Version=11.7 and torchvision has CUDA Version=11.8.\n"
             "Please reinstall the torchvision that matches your PyTorch install.")
    assert len(paste.split("\n")[0]) == 80
    lines = paste.split("\n")
    assert hardwrap.unwrap(lines, paste) is lines
