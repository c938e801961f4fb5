"""Review of round 27 (rb): the classes of rounds 27 n, l and k tried with texts a working
machine's owner would paste, near-misses, and broken texts of the same classes in other words.

* nvidia_uvm_hmm_init_failure (rules/uvm_hmm.py, explain/parsers/uvm_hmm_prose.py): a device count
  of 3 is not error 3; HMM turned off for managed-memory speed is not a CUDA start fixed; error 3
  with /dev/nvidia-uvm said missing (nvidia_uvm_missing's cause) or in a container started without
  the GPUs is another cause; "cuInit no longer fails" after the fix is still the fix said.
* conflicting_cuda_libraries_loaded (explain/ldd_listings.py, explain/parsers/library_copies.py,
  library_prose.py): ldd rows of several programs whose headings a grep, a loop or xargs dropped
  are several processes; "mixed precision" is not two copies mixed.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

HMM = "nvidia_uvm_hmm_init_failure"
COPIES = "conflicting_cuda_libraries_loaded"
TORCH_3 = "RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu."
OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.65 GiB total capacity; "
       "20.1 GiB already allocated)")
CUDNN_ERR = "RuntimeError: cuDNN error: CUDNN_STATUS_INTERNAL_ERROR"


# ------------------------------------------------------------------ nvidia_uvm_hmm_init_failure
@pytest.mark.parametrize("text", [
    # a device count of three on a working open-module machine
    "Installed nvidia-driver-570-open on Ubuntu 24.04. My test program prints: cudaGetDeviceCount returned 3 "
    "devices, all three RTX 4090 work fine.",
    "cudaGetDeviceCount returns 3 GPUs on this box; we use nvidia-driver-570-open and all three train fine.",
    "nvidia-driver-570-open here. cudaGetDeviceCount returns 3, matching nvidia-smi.",
    "nvidia-driver-570-open here. cudaGetDeviceCount() returned 3 and every GPU trains.",
    # HMM turned off for managed memory's speed, CUDA working throughout
    "We run the open kernel modules (nvidia-open 580). Disabling HMM with uvm_disable_hmm=1 fixed the slow "
    "cudaMallocManaged performance in CUDA for our benchmark.",
    "We use the open kernel modules. Setting uvm_disable_hmm=1 fixed it: page faults on managed memory are much "
    "faster now.",
    "On the open kernel modules, disabling HMM fixed the slow page migration of cudaMallocManaged in our benchmark; "
    "CUDA itself always worked.",
])
def test_working_open_module_machines_get_no_error(text):
    assert HMM not in errors(text)


@pytest.mark.parametrize("text", [
    # the container got no GPU: its start passes no --gpus
    "Host: Ubuntu 24.04 with nvidia-driver-570-open, nvidia-smi works.\n"
    "$ docker run --rm -it pytorch/pytorch python -c \"import torch; torch.cuda.init()\"\n" + TORCH_3,
    # /dev/nvidia-uvm missing, said and fixed by loading the module
    "I'm on the open kernel modules (nvidia-open 575). cuInit returned 3, sudo modprobe nvidia-uvm fixed it.",
    "Driver: nvidia-driver-570-open. " + TORCH_3 + "\nThe real cause was that /dev/nvidia-uvm was missing; running "
    "nvidia-modprobe -u -c=0 fixed it.",
    # the nodes closed to the user: CUDA works with sudo
    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build\n" + TORCH_3
    + "\nIt works with sudo but not as my user.",
    # lsmod: nvidia loaded, nvidia_uvm not
    "NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build\n$ lsmod | grep nvidia\n"
    "nvidia_drm            131072  0\nnvidia_modeset       1355776  1 nvidia_drm\n"
    "nvidia              9801728  1 nvidia_modeset\n" + TORCH_3,
])
def test_error_3_with_another_cause_shown_is_not_hmm(text):
    assert HMM not in findings(text)


@pytest.mark.parametrize("text", [
    "nvidia-open 575 installed. cuInit() fails with error 3 and CUDA programs cannot start; nvidia-smi works.",
    "With nvidia-driver-570-open, cudaGetDeviceCount returned 3 (initialization error) for every program.",
    "I'm on the open kernel modules. Setting uvm_disable_hmm=1 fixed CUDA: cuInit no longer fails with error 3.",
    # the code at the sentence's end
    "nvidia-driver-570-open here. cudaGetDeviceCount fails with error 3.",
    "nvidia-driver-570-open here. cuInit returns 3.",
    # lsmod with nvidia_uvm loaded, the nodes open to the user
    "NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build\n$ lsmod | grep nvidia\n"
    "nvidia_uvm           4956160  0\nnvidia_drm            131072  0\nnvidia_modeset       1355776  1 nvidia_drm\n"
    "nvidia              9801728  2 nvidia_uvm,nvidia_modeset\n" + TORCH_3,
    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.86.16  Release Build\n$ ls -l /dev/nvidia*\n"
    "crw-rw-rw- 1 root root 195,   0 Mar  3 10:00 /dev/nvidia0\ncrw-rw-rw- 1 root root 195, 255 Mar  3 10:00 "
    "/dev/nvidiactl\ncrw-rw-rw- 1 root root 508,   0 Mar  3 10:00 /dev/nvidia-uvm\n" + TORCH_3,
])
def test_error_3_on_the_open_modules_in_other_words_is_found(text):
    assert HMM in findings(text)


# ------------------------------------------------------------------ conflicting_cuda_libraries_loaded
@pytest.mark.parametrize("text", [
    # several programs' ldd rows, their headings dropped by grep, a loop, xargs
    "$ ldd build/lib/a.so build/lib/b.so | grep cudart\n"
    "\tlibcudart.so.11.0 => /usr/local/cuda-11.8/lib64/libcudart.so.11.0 (0x00007f0a1c000000)\n"
    "\tlibcudart.so.12 => /usr/local/cuda-12.4/lib64/libcudart.so.12 (0x00007f0a1b000000)",
    "$ for f in build/lib/*.so; do ldd $f; done | grep cudnn\n"
    "\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f0a1c000000)\n"
    "\tlibcudnn.so.9 => /opt/cudnn9/lib/libcudnn.so.9 (0x00007f0a1b000000)",
    "$ ldd $(which a) $(which b) | grep cudart\n"
    "\tlibcudart.so.11.0 => /usr/local/cuda-11.8/lib64/libcudart.so.11.0 (0x00007f0a1c000000)\n"
    "\tlibcudart.so.12 => /usr/local/cuda-12.4/lib64/libcudart.so.12 (0x00007f0a1b000000)",
    "$ find . -name \"*.so\" | xargs ldd | grep cudnn\n"
    "\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f0a1c000000)\n"
    "\tlibcudnn.so.9 => /opt/cudnn9/lib/libcudnn.so.9 (0x00007f0a1b000000)",
    # two cuDNN versions compared with mixed precision, an unrelated out-of-memory error
    "I benchmarked two versions of cuDNN with mixed precision: 8.9 is faster than 9.1 on my RTX 4090.\n" + OOM,
    "We compared two builds of NCCL using mixed-precision training; 2.21 is faster.\n" + OOM,
    # copies kept apart and working; what a reference says may happen
    "Two versions of cuDNN were installed side by side and are loaded by different venvs, which works well.\n" + OOM,
    "The release notes say that multiple copies of NCCL loaded in the same process can conflict.\n" + OOM,
])
def test_no_two_copies_on_near_misses(text):
    assert COPIES not in findings(text)


@pytest.mark.parametrize("text", [
    # one program's listing: its rows still count
    "$ ldd build/lib/a.so | grep cudart\n"
    "\tlibcudart.so.11.0 => /usr/local/cuda-11.8/lib64/libcudart.so.11.0 (0x00007f0a1c000000)\n"
    "\tlibcudart.so.12 => /usr/local/cuda-12.4/lib64/libcudart.so.12 (0x00007f0a1b000000)",
    "$ ldd ./openpose.bin\n\tlinux-vdso.so.1 (0x00007ffd12345000)\n"
    "\tlibcudnn.so.5 => /usr/local/cuda-8.0/lib64/libcudnn.so.5 (0x00007f0a1c000000)\n\tlibcudnn.so.6 => not found",
    "$ ldd $(which ffmpeg) | grep cudart\n"
    "\tlibcudart.so.11.0 => /usr/local/cuda-11.8/lib64/libcudart.so.11.0 (0x00007f0a1c000000)\n"
    "\tlibcudart.so.12 => /usr/local/cuda-12.4/lib64/libcudart.so.12 (0x00007f0a1b000000)",
    "$ ldd \"/opt/my app/bin/run\" | grep cudart\n"
    "\tlibcudart.so.11.0 => /usr/local/cuda-11.8/lib64/libcudart.so.11.0 (0x00007f0a1c000000)\n"
    "\tlibcudart.so.12 => /usr/local/cuda-12.4/lib64/libcudart.so.12 (0x00007f0a1b000000)",
    "$ ldd -v ./openpose.bin | grep cudnn\n"
    "\tlibcudnn.so.5 => /usr/local/cuda-8.0/lib64/libcudnn.so.5 (0x00007f0a1c000000)\n\tlibcudnn.so.6 => not found",
    # two copies said to clash in other words
    "Two versions of cuDNN are loaded in one process (torch's and TensorRT's) and they conflict.\n" + CUDNN_ERR,
    "Mixing two versions of cuDNN in one process crashed it.\n" + CUDNN_ERR,
    "Two copies of cudnn are loaded and clash, so I can't train.\n" + CUDNN_ERR,
])
def test_two_copies_in_one_program_are_found(text):
    assert COPIES in findings(text)


# ------------------------------------------------------------------ the open modules listed, not installed
UBUNTU_DRIVERS = """$ ubuntu-drivers devices
== /sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0 ==
modalias : pci:v000010DEd00002684sv00001043sd000088E2bc03sc00ib00
vendor   : NVIDIA Corporation
model    : AD102 [GeForce RTX 4090]
driver   : nvidia-driver-570-open - distro non-free
driver   : nvidia-driver-570 - distro non-free recommended
driver   : xserver-xorg-video-nouveau - distro free builtin
$ sudo apt install nvidia-driver-570
"""


@pytest.mark.parametrize("text", [
    UBUNTU_DRIVERS + TORCH_3,
    "I tried the open source driver first but switched to the proprietary one. Now torch says:\n" + TORCH_3,
    "$ dpkg -l | grep nvidia\n"
    "rc  nvidia-driver-570-open   570.133.07-0ubuntu1   amd64   NVIDIA driver (open kernel) metapackage\n"
    "ii  nvidia-driver-570        570.133.07-0ubuntu1   amd64   NVIDIA driver metapackage\n" + TORCH_3,
    "$ apt list --installed | grep nvidia-driver\nnvidia-driver-570/noble,now 570.133.07-0ubuntu1 amd64 [installed]\n"
    "$ apt search nvidia-driver-570\nnvidia-driver-570-open/noble 570.133.07-0ubuntu1 amd64\n"
    "  NVIDIA driver (open kernel) metapackage\n" + TORCH_3,
    "$ dnf list kmod-nvidia*\nAvailable Packages\n"
    "kmod-nvidia-open-dkms.x86_64     3:570.86.15-1.el9     cuda-rhel9-x86_64\nInstalled Packages\n"
    "kmod-nvidia-latest-dkms.x86_64   3:570.86.15-1.el9     @cuda-rhel9-x86_64\n" + TORCH_3,
    "NVIDIA recommends the open kernel modules for Turing and newer GPUs.\n"
    "My GTX 1080 (Pascal) on nvidia-driver-535: " + TORCH_3,
])
def test_open_modules_listed_or_left_are_not_in_use(text):
    assert HMM not in findings(text)


@pytest.mark.parametrize("text", [
    "$ dpkg -l | grep nvidia\n"
    "ii  nvidia-driver-570-open   570.133.07-0ubuntu1   amd64   NVIDIA driver (open kernel) metapackage\n" + TORCH_3,
    "$ apt list --installed | grep nvidia-driver\n"
    "nvidia-driver-570-open/noble,now 570.133.07-0ubuntu1 amd64 [installed]\n" + TORCH_3,
    "$ dnf list installed | grep nvidia\n"
    "kmod-nvidia-open-dkms.x86_64     3:570.86.15-1.el9     @cuda-rhel9-x86_64\n" + TORCH_3,
    "in nvidia-driver-570-open land, cuInit returns 3 for every CUDA program.",
])
def test_open_modules_installed_rows_still_count(text):
    assert HMM in findings(text)


# ------------------------------------------------------------------ r27k: native programs' "insufficient driver"
GGML_35 = ("CUDA error: CUDA driver version is insufficient for CUDA runtime version\n"
           "  current device: 0, in function ggml_cuda_init at /app/ggml/src/ggml-cuda/ggml-cuda.cu:250")
FT_35 = ("[FT][ERROR] CUDA runtime error: CUDA driver version is insufficient for CUDA runtime version "
         "/workspace/FasterTransformer/src/fastertransformer/utils/cuda_utils.h:142")


@pytest.mark.parametrize("error", [GGML_35, FT_35])
def test_insufficient_driver_in_a_container_without_gpus_is_the_start(error):
    text = "$ docker run --rm -it ghcr.io/ggml-org/llama.cpp:server-cuda -m /models/q4.gguf\n" + error
    f = findings(text)
    assert "cuda_toolkit_newer_than_driver" not in f
    assert "container_missing_gpus_flag" in f


@pytest.mark.parametrize("error", [GGML_35, FT_35])
def test_insufficient_driver_with_the_gpus_passed_is_the_toolkit(error):
    text = "$ docker run --rm -it --gpus all ghcr.io/ggml-org/llama.cpp:server-cuda -m /models/q4.gguf\n" + error
    assert "cuda_toolkit_newer_than_driver" in findings(text)


# ------------------------------------------------------------------ r27l: mmcv's "not compiled with GPU support", NVRTC's advice
@pytest.mark.parametrize("text", [
    "We use faiss-cpu on purpose: Faiss is not compiled with GPU support here, and torch trains on the GPU fine.\n"
    ">>> torch.cuda.is_available()\nTrue",
    "Note: mmcv-lite is installed on purpose, so RoIAlign is not compiled with GPU support; we only run CPU inference.",
    "LightGBM is not compiled with GPU support, which is fine for us; only xgboost uses the GPU.",
    "nvrtc works here. If you ever see \"Make sure that libnvrtc-builtins.so.12.1 is installed correctly\", add the "
    "wheel's lib to LD_LIBRARY_PATH.",
])
def test_a_working_machine_telling_of_cpu_builds_gets_no_error(text):
    assert not errors(text), sorted(errors(text))


@pytest.mark.parametrize("text, fid", [
    ("Traceback (most recent call last):\n  File \"train.py\", line 12, in <module>\n"
     "RuntimeError: DeformConv is not compiled with GPU support", "extension_built_without_gpu_arch"),
    ("RuntimeError: ModulatedDeformConv is not compiled with GPU support (modulated_deform_conv_forward at "
     "mmcv/ops/csrc/pytorch/modulated_deform_conv.cpp:122)", "extension_built_without_gpu_arch"),
    ("I get 'nms is not compiled with GPU support' when training on the GPU.", "extension_built_without_gpu_arch"),
    ("nvrtc: error: failed to open libnvrtc-builtins.so.12.1.\n  Make sure that libnvrtc-builtins.so.12.1 is installed "
     "correctly.", "cuda_library_missing"),
])
def test_the_printed_forms_are_still_found(text, fid):
    assert fid in findings(text)


# ------------------------------------------------------------------ r27l: another install's cuDNN said loaded
@pytest.mark.parametrize("text", [
    "jax uses the local cuDNN from /usr/local/cuda, as jax[cuda12_local] is meant to.\n" + OOM,
    "torch uses the system cuDNN 9.1 because I built it that way, and it runs fine.\n" + OOM,
    "It uses the system cudnn 8.9.7 and training is fast; the only problem is this:\n" + OOM,
])
def test_another_cudnn_chosen_on_purpose_is_no_mismatch(text):
    assert "cudnn_version_mismatch" not in findings(text)


@pytest.mark.parametrize("text", [
    "PyTorch is using the cuDNN in /usr/local/cuda instead of the bundled one.\n"
    "RuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED",
    "Paddle loads the old cuDNN 7.6 from /usr/lib and crashes: Segmentation fault",
    "torch loads the system cuDNN 8.9.7 from /usr/lib/x86_64-linux-gnu/libcudnn.so.8 and fails.\n" + CUDNN_ERR,
])
def test_another_cudnn_said_loaded_with_a_failure_is_found(text):
    assert "cudnn_version_mismatch" in findings(text)


# ------------------------------------------------------------------ the HMM workaround in place on a working machine
@pytest.mark.parametrize("text", [
    "$ cat /etc/modprobe.d/nvidia-uvm.conf\n# Workaround: uvm_disable_hmm=1 fixes cuInit error 3 on EL9 kernels\n"
    "options nvidia_uvm uvm_disable_hmm=1\n$ python -c \"import torch; print(torch.cuda.is_available())\"\nTrue",
    "Our Ansible role sets options nvidia_uvm uvm_disable_hmm=1 because it fixed CUDA on EL9 for us last year; this "
    "node works, the question is about NCCL bandwidth.",
])
def test_the_workaround_in_place_is_what_it_was_not_an_error(text):
    f = findings(text)
    assert HMM in f and f[HMM].severity.value == "warning"


def test_the_fix_said_with_the_failure_shown_stays_an_error():
    f = findings(TORCH_3 + "\nSetting uvm_disable_hmm=1 fixed CUDA on this box.")
    assert HMM in f and f[HMM].severity.value == "error"


# ------------------------------------------------------------------ the open-module tracker's older template
TEMPLATE = ("### NVIDIA Open GPU Kernel Modules Version\n\n575.51.03\n\n"
            "### Does this happen with the proprietary driver (of the same version) as well?\n\n{}\n\n"
            "### Describe the bug\n\n" + TORCH_3)


def test_the_same_failure_on_the_proprietary_driver_is_not_hmm():
    assert HMM not in findings(TEMPLATE.format("Yes"))


def test_a_failure_only_on_the_open_modules_is_hmm():
    assert HMM in findings(TEMPLATE.format("No"))
