"""Version facts read from formats (round 5, driver/CUDA/build compatibility):

* the NVIDIA module refusing a user-space driver of another version, as rsyslog writes it
  (inner newlines as "#012") and as dmesg does;
* the installed user-space driver from package tools' rows (Debian's `dpkg -l` "ii" rows with
  unbranched names, RPM names, `pacman -Q`) and the loaded module from `/sys/module/nvidia/version`,
  against `/proc/driver/nvidia/version`: a driver updated without a reboot;
* "CUDA driver version is insufficient" from Lua Torch7's cutorch and from glog's CHECK in C++
  programs (Caffe): another program's CUDA, not a PyTorch wheel's;
* nvidia-docker 1.x's "unsupported CUDA version: driver X < image Y";
* a person giving the machine's CUDA and a PyTorch release whose default wheel needs a newer
  one, with CUDA unavailable.

Near-misses: the same words on healthy machines, questions, changes, other things' CUDA."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import cuda_said, driver_text
from tests.rules.test_unseen_classes import findings as _ids

_HEADER_535 = ("+---------------------------------------------------------------------------------------+\n"
               "| NVIDIA-SMI 535.161.07             Driver Version: 535.161.07   CUDA Version: 12.2     |\n")




def _errors(text: str):
    return {i for i, f in _ids(text).items() if f.severity.value == "error"}


# ----------------------------------------------------------------- module vs user space
MISMATCH = [
    "Jun 30 11:07:05 gpu-0 kernel: NVRM: API mismatch: the client has the version 535.54.03, but#012NVRM: this "
    "kernel module has the version 530.30.02.  Please#012NVRM: make sure that this kernel module and all NVIDIA "
    "driver#012NVRM: components have the same version.\n",
    "May  2 10:00:01 node7 kernel: [ 12.3] NVRM: API mismatch: the client has the version 550.107.02, but#012"
    "this kernel module has the version 550.90.07.\n",
    "[   12.014918] NVRM: API mismatch: the client has the version 570.153.02, but\n"
    "               NVRM: this kernel module has the version 570.144.  Please\n",
    "$ cat /proc/driver/nvidia/version\n"
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  520.56.06  Thu Oct  6 21:38:55 UTC 2022\n"
    "$ dpkg -l nvidia-smi\n"
    "||/ Name           Version      Architecture Description\n"
    "+++-==============-============-============-==================================\n"
    "ii  nvidia-smi     525.85.12-1  amd64        NVIDIA System Management Interface\n",
    "$ cat /proc/driver/nvidia/version\n"
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
    "$ dpkg -l | grep nvidia\n"
    "ii  libnvidia-ml1:amd64   535.183.01-1~deb12u1   amd64   NVIDIA Management Library (NVML) runtime library\n",
    "cat /proc/driver/nvidia/version\n"
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024\n"
    "$ cat /sys/module/nvidia/version\n550.90.07\n"
    "$ rpm -qa | grep nvidia\n"
    "nvidia-driver-libs-550.107.02-1.el9.x86_64\nnvidia-driver-550.107.02-1.el9.x86_64\n",
    "$ cat /sys/module/nvidia/version\n545.29.06\n$ pacman -Q | grep nvidia\nnvidia-utils 550.78-1\n",
    # the package logs: apt's history.log and dpkg.log (the upgrade's new version is on disk)
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  460.56  Tue Feb 23 23:23:26 UTC 2021\n"
    "Commandline: /usr/bin/unattended-upgrade\n"
    "Upgrade: libnvidia-common-460:amd64 (460.56-0ubuntu0.20.04.1, 460.73.01-0ubuntu0.20.04.1)\n",
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n"
    "2023-10-01 06:25:01 upgrade libnvidia-compute-535:amd64 535.104.05-0ubuntu0.22.04.1 535.113.01-0ubuntu0.22.04.1\n",
    "$ rpm -qa | grep -i nvidia\nnvidia-driver-cuda-libs-3:555.42.02-1.fc40.x86_64\n"
    "$ cat /proc/driver/nvidia/version\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 2024\n",
]

MISMATCH_NEAR = [
    # the same versions everywhere: a healthy driver
    "$ cat /proc/driver/nvidia/version\n"
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  525.85.12  Sat Jan 28 02:10:06 UTC 2023\n"
    "$ dpkg -l nvidia-smi\nii  nvidia-smi     525.85.12-1  amd64        NVIDIA System Management Interface\n",
    "$ cat /sys/module/nvidia/version\n550.107.02\n$ rpm -qa | grep nvidia\nnvidia-driver-550.107.02-1.el9.x86_64\n",
    # a removed package's row ("rc") is not the installed driver
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01  Sun May 12 19:39:15 UTC 2024\n"
    "rc  nvidia-smi     525.85.12-1  amd64        NVIDIA System Management Interface\n",
    # NVML works: the versions on disk belong to another copy
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024\n"
    "ii  nvidia-smi     550.107.02-1  amd64        NVIDIA System Management Interface\n" + _HEADER_535.replace(
        "535.161.07", "550.90.07 ").replace("12.2", "12.4") + "|   0  NVIDIA GeForce RTX 3090   Off |\n",
    "What does 'NVRM: API mismatch' mean? I have never seen it.\n",
    # rebooted since the upgrade: the module loaded is the upgrade's
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.113.01  Sat Aug 19 01:15:15 UTC 2023\n"
    "2023-10-01 06:25:01 upgrade libnvidia-compute-535:amd64 535.104.05-0ubuntu0.22.04.1 535.113.01-0ubuntu0.22.04.1\n",
    "nvidia-container-toolkit 1.14.3-1 amd64\n",
]


@pytest.mark.parametrize("text", MISMATCH)
def test_module_and_library_versions_differ(text):
    assert "nvml_driver_library_mismatch" in _ids(text)


@pytest.mark.parametrize("text", MISMATCH_NEAR)
def test_same_versions_or_no_mismatch(text):
    assert "nvml_driver_library_mismatch" not in _ids(text)


def test_package_rows_are_the_user_space_driver():
    doc = source.normalise("ii  libcuda1:amd64  525.147.05-4~deb12u1  amd64  NVIDIA CUDA Driver Library\n")
    claims = [c for c in driver_text.parse(doc).claims if c.path == "driver.userspace_library_version"]
    assert [c.reading.value for c in claims] == ["525.147.05"]


# ----------------------------------------------------------------- another program's CUDA
OTHER_PROGRAM = [
    "THCudaCheck FAIL file=/root/torch/extra/cutorch/lib/THC/THCGeneral.c line=66 error=35 : CUDA driver version "
    "is insufficient for CUDA runtime version\n/root/torch/install/bin/lua: cuda runtime error (35) : CUDA driver "
    "version is insufficient for CUDA runtime version at /root/torch/extra/cutorch/lib/THC/THCGeneral.c:66\n",
    "/home/u/torch/install/bin/luajit: /home/u/torch/install/share/lua/5.1/trepl/init.lua:384: cuda runtime error "
    "(35) : CUDA driver version is insufficient for CUDA runtime version\n",
    "F0615 19:30:41.123 1234 common.cpp:152] Check failed: error == cudaSuccess (35 vs. 0)  CUDA driver version is "
    "insufficient for CUDA runtime version\n",
    "ERROR: Check failed: error == cudaSuccess (35 vs. 0)  CUDA driver version is insufficient for CUDA runtime "
    "version\n",
    "Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading CUDA: CUDA driver version is insufficient for "
    "CUDA runtime version\n",
    "nvidia-docker | 2016/08/22 12:54:02 Error: unsupported CUDA version: driver 7.5 < image 8.0\n",
    "$ nvidia-docker run --rm nvidia/cuda nvidia-smi\nError: unsupported CUDA version: driver 8.0 < image 9.0.176\n",
]


@pytest.mark.parametrize("text", OTHER_PROGRAM)
def test_another_programs_cuda_is_newer_than_the_driver(text):
    ids = _ids(text)
    assert "cuda_toolkit_newer_than_driver" in ids
    assert "driver_too_old_for_torch_cuda" not in ids


OTHER_PROGRAM_NEAR = [
    # PyTorch 0.x's own THC: torch's wheel
    "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=51 error=35 : CUDA driver version is "
    "insufficient for CUDA runtime version\n",
    # no driver answered: not an image newer than the driver
    "nvidia-docker | 2017/05/22 10:21:16 Error: unsupported CUDA version: driver 0.0 < image 8.0.61\n",
    # a healthy Caffe run
    "I0615 19:30:41.123 1234 caffe.cpp:218] Using GPUs 0\nI0615 19:30:41.200 1234 caffe.cpp:223] GPU 0: GeForce GTX "
    "1080\n",
]


def test_torchs_own_thc_stays_torch():
    assert "driver_too_old_for_torch_cuda" in _ids(OTHER_PROGRAM_NEAR[0])


@pytest.mark.parametrize("text", OTHER_PROGRAM_NEAR[1:])
def test_no_image_newer_than_driver(text):
    assert "cuda_toolkit_newer_than_driver" not in _ids(text)


# ----------------------------------------------------------------- CUDA said, torch release
_FALSE = ">>> torch.cuda.is_available()\nFalse\n"

SAID_OLDER = [
    "cuda version:10.0\ntorch version:1.4.0\nprint(torch.cuda.is_available())\n>>false\n",
    "My CUDA version is 10.0 and I installed pytorch 1.4.0 with pip.\n" + _FALSE,
    "Environment: CUDA 10.1, torch==1.7.1\ntorch.cuda.is_available() returns False\n",
    "cuda 10.1, torch 2.0.1, torch.cuda.is_available() is False. why?\n",
    "cuda version: 10.2\npytorch version: 1.13.1\ntorch.cuda.is_available() -> False\n",
    "CUDAのバージョンは11.0で、torch 2.1.0をpipで入れました。\n" + _FALSE,
    "我的CUDA版本是11.0，torch版本是2.1.0\n" + _FALSE,
    "OS: Ubuntu 18.04, CUDA: 10.0, torch: 1.5.0\n" + _FALSE,
]

SAID_NEAR = [
    "CUDA 12.4, torch 2.4.0, torch.cuda.is_available() True, training is slow\n",
    "CUDA 10.0, torch 1.4.0\n>>> torch.cuda.is_available()\nTrue\n",
    # the wheel fits (same major from CUDA 11 on; the release's default build)
    "cuda 11.2, torch 2.0.1, torch.cuda.is_available() is False\n",
    "cuda 10.2, torch 1.12.1+cu102\n" + _FALSE,
    # a change, a question, another thing's CUDA
    "I upgraded from CUDA 10.2 to CUDA 11.8 and now torch 2.1.0 works. torch.cuda.is_available() was False before.\n",
    "Does torch 2.1.0 support CUDA 11.0?\n" + _FALSE,
    "I installed torch 2.1.0 with CUDA 11.8 support.\n" + _FALSE,
    "conda install pytorch==2.1.0 pytorch-cuda=11.8 -c pytorch -c nvidia\n" + _FALSE,
    "FROM nvidia/cuda:11.0.3-runtime-ubuntu20.04\nRUN pip install torch==2.1.0\n" + _FALSE,
    # nvcc shows the number: the toolkit's, which torch's wheel does not use
    "nvcc: NVIDIA (R) Cuda compiler driver\nCuda compilation tools, release 10.2, V10.2.89\n"
    "my cuda is 10.2, torch 2.1.0\n" + _FALSE,
    # a driver shown: the facts decide (R535 runs CUDA 12.2)
    _HEADER_535 + "cuda 11.0, torch 2.1.0\n" + _FALSE,
]


@pytest.mark.parametrize("text", SAID_OLDER)
def test_said_cuda_older_than_the_release_default_wheel(text):
    f = _ids(text).get("driver_too_old_for_torch_cuda")
    assert f is not None
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("text", SAID_NEAR)
def test_said_cuda_that_fits_or_is_not_the_machines(text):
    assert "driver_too_old_for_torch_cuda" not in _ids(text)


def test_two_cuda_versions_claim_nothing():
    doc = source.normalise("I tried CUDA 11.8 and CUDA 12.1, torch 2.1.0\n")
    assert not cuda_said.parse(doc).claims


# ----------------------------------------------------------------- loaded module vs installed modules
_PROC = "$ cat /proc/driver/nvidia/version\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  {v}  Sat Aug 19 01:15:15 UTC 2023\n"

NOT_REBOOTED = [
    _PROC.format(v="535.104.05") + "$ dkms status\nnvidia/535.183.01, 6.5.0-41-generic, x86_64: installed\n",
    _PROC.format(v="520.56.06") + "$ modinfo nvidia | grep ^version\nversion:        525.85.12\n",
    _PROC.format(v="550.90.07") + "$ ls /usr/src | grep nvidia\nnvidia-550.107.02\n",
]

REBOOTED_NEAR = [
    _PROC.format(v="535.183.01") + "$ dkms status\nnvidia/535.183.01, 6.5.0-41-generic, x86_64: installed\n"
    "nvidia/535.104.05, 6.5.0-35-generic, x86_64: installed\n",
    _PROC.format(v="525.85.12") + "$ modinfo nvidia | grep ^version\nversion:        525.85.12\n",
    "$ dkms status\nnvidia/535.183.01, 6.5.0-41-generic, x86_64: installed\n",
]


@pytest.mark.parametrize("text", NOT_REBOOTED)
def test_loaded_module_is_not_the_installed_one(text):
    f = _ids(text).get("nvml_driver_library_mismatch")
    assert f is not None and f.confidence.value == "likely"


@pytest.mark.parametrize("text", REBOOTED_NEAR)
def test_loaded_module_is_installed(text):
    assert "nvml_driver_library_mismatch" not in _ids(text)


# ----------------------------------------------------------------- the mismatch in a person's words
MISMATCH_SAID = [
    "nvidia-smi stopped working, the driver and library versions do not match.\n",
    "Looks like the kernel module version doesn't match the driver libraries after the update.\n",
    "服务器上驱动和库版本不一致，nvidia-smi 用不了\n",
    "드라이버와 라이브러리 버전이 맞지 않아서 nvidia-smi가 실행되지 않습니다\n",
    "ドライバとライブラリのバージョンが一致しないため nvidia-smi が動きません\n",
]

MISMATCH_SAID_NEAR = [
    "Are the driver and library versions mismatched? nvidia-smi works fine.\n",
    "After the driver update I rebooted but it still does not work.\n",
    "I checked: the driver and library versions do match.\n",
    "If the driver and library versions do not match, nvidia-smi fails.\n",
    "驱动和库版本不一致吗？\n",
    "The driver and library versions don't match, so I rebooted.\n" + _HEADER_535 + "|   0  NVIDIA A100 |\n",
]


@pytest.mark.parametrize("text", MISMATCH_SAID)
def test_mismatch_in_words(text):
    f = _ids(text).get("nvml_driver_library_mismatch")
    assert f is not None and f.confidence.value == "likely"


@pytest.mark.parametrize("text", MISMATCH_SAID_NEAR)
def test_no_mismatch_in_words(text):
    assert "nvml_driver_library_mismatch" not in _errors(text)


# ----------------------------------------------------------------- the tools' CUDA retold
TOOLKIT_NEWER_SAID = [
    "nvidia-smi shows CUDA Version 11.4 but nvcc -V says release 11.8.\n",
    "nvidia-smi: CUDA 11.7, nvcc --version: 12.1. deviceQuery fails\n",
    "nvidia-smi 显示 CUDA 版本 11.2，nvcc -V 显示 11.8\n",
]

TOOLKIT_SAID_NEAR = [
    "nvidia-smi shows CUDA Version 12.4 and nvcc -V says release 12.1.\n",
    "Does nvcc 12.4 work when nvidia-smi shows CUDA 12.2?\n",
    "nvidia-smi shows driver 535.104.05; nvcc is not installed\n",
]


@pytest.mark.parametrize("text", TOOLKIT_NEWER_SAID)
def test_toolkit_newer_than_the_driver_retold(text):
    f = _ids(text).get("cuda_toolkit_newer_than_driver")
    assert f is not None and f.confidence.value == "likely"


@pytest.mark.parametrize("text", TOOLKIT_SAID_NEAR)
def test_toolkit_fits_or_only_asked(text):
    assert "cuda_toolkit_newer_than_driver" not in _ids(text)


# ----------------------------------------------------------------- a program reporting both CUDAs
_PADDLE = ("W0602 00:54:52.900606 28393 device_context.cc:447] Please NOTE: device: 0, GPU Compute Capability: 7.0, "
           "Driver API Version: {d}, Runtime API Version: {r}\n")


@pytest.mark.parametrize("d,r", [("10.2", "11.2"), ("11.4", "12.0"), ("10.0", "10.2")])
def test_runtime_the_driver_cannot_run(d, r):
    assert "cuda_toolkit_newer_than_driver" in _ids(_PADDLE.format(d=d, r=r))


@pytest.mark.parametrize("d,r", [("11.2", "10.1"), ("11.4", "11.8"), ("12.2", "12.2")])
def test_runtime_the_driver_runs(d, r):
    assert "cuda_toolkit_newer_than_driver" not in _ids(_PADDLE.format(d=d, r=r))
