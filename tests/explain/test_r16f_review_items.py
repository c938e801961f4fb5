"""Round 16, review items 1-7 (REVIEW16): each with the review's text and broken texts of the
same class that must still fire.

1-2. A CUDA-labelled torch version only asked for after the CPU one ("I tried pip install
     torch==2.1.0+cu121 … No matching distribution", "I need 2.1.0+cu121", a question) is not the
     build that replaced it (torch_build_prose).
3.   A reboot needed after a change of settings (BIOS, MIG, persistence mode, a module parameter),
     or with no failure told beside it, is not a GPU that stopped answering (gpu_gone).
4.   Two torch versions in separate environments, or both said to work, are no conflict
     (torch_installs).
5.   NCCL said installed on another machine is not this one's (nccl_runtime).
6.   dockerd's "could not select device driver" asking for a capability no driver registers
     ("[[all gpu]]", moby daemon/nvidia_linux.go allNvidiaCaps), or beside --gpus said to work on
     the same host, is no missing toolkit (rules/upstream.py, derived/docker_gpu_request.py).
7.   CUDA's "unknown error" on WSL is not nvidia_uvm missing: WSL has no such module (rules/failures.py,
     rules/upstream.py).
"""

from __future__ import annotations

import pytest

from envcheck.derived.docker_gpu_request import unknown_capabilities
from tests.rules.test_unseen_classes import errors, findings

# --------------------------------------------------------------------------- 1-2: +cpu, then +cuXXX
REVIEW_1 = ("torch.__version__ is 2.1.0+cpu\n"
            "I tried pip install torch==2.1.0+cu121 -f https://download.pytorch.org/whl/torch_stable.html but it fails: "
            "ERROR: No matching distribution found for torch==2.1.0+cu121\n"
            "torch.cuda.is_available() False\n")


@pytest.mark.parametrize("said", [
    REVIEW_1,
    "torch.__version__ is 2.1.0+cpu\nERROR: No matching distribution found for torch==2.1.0+cu121\n",
    "torch.__version__ is 2.1.0+cpu\nInstalling 2.1.0+cu121 did not work.\ntorch.cuda.is_available() False\n",
    "torch.__version__ is 2.1.0+cpu\nI want 2.1.0+cu121 but pip keeps giving me the CPU one.\n",
    "torch.__version__ is 2.1.0+cpu. I installed 2.1.0+cu121 but it still prints 2.1.0+cpu\n",
    # item 2: questions and wants (correct before; kept)
    "torch.__version__ prints 2.1.0+cpu. Should it print 2.1.0+cu121?\n",
    "torch.__version__ is 2.1.0+cpu but I need 2.1.0+cu121\n",
])
def test_a_cuda_version_only_asked_for_leaves_the_cpu_build(said):
    assert "torch_cpu_only_build" in errors(said)


@pytest.mark.parametrize("said", [
    "At first torch.__version__ printed 2.1.0+cpu. After reinstalling from the cu121 index it prints 2.1.0+cu121 "
    "and torch.cuda.is_available() is True.\n",
    "torch.__version__ was 2.1.0+cpu, then I ran pip install torch==2.1.0+cu121 and now it prints 2.1.0+cu121, all good.\n",
    "torch.__version__ was 2.1.0+cpu, after pip install torch==2.1.0+cu121 it prints 2.1.0+cu121\n",
    "Previously torch.__version__ was 2.1.0+cpu; I fixed it with pip install torch==2.1.0+cu121 "
    "--index-url https://download.pytorch.org/whl/cu121\n",
])
def test_a_cuda_build_installed_after_the_cpu_one_is_no_error(said):
    assert "torch_cpu_only_build" not in errors(said)


# --------------------------------------------------------------------------- 3: a reboot after a setting
@pytest.mark.parametrize("said", [
    "I have to restart the machine to use the GPU again after I change the BIOS setting, otherwise fine.",
    "I have to reboot the machine to use the GPU again after changing the MIG mode.",
    "After enabling persistence mode I had to restart the server to use the GPUs again.",
    "I had to restart the machine to use the GPU again after editing the kernel parameters in grub.",
    "I have to restart the machine to use the GPU again.",  # no failure told
])
def test_a_reboot_after_a_setting_or_without_a_failure_is_not_a_lost_gpu(said):
    assert "gpu_lost" not in findings(said)


@pytest.mark.parametrize("said", [
    "After this error the GPU cannot be used until I reboot the server.",
    "When training crashes I have to restart the machine to use the GPU again.",
    "RuntimeError: CUDA error: unspecified launch failure\nAfter that I have to reboot the server to use the GPU again.",
    "报这个错之后显卡也会无法使用，必须重启服务器之后才可以重新使用显卡。",
])
def test_a_gpu_unusable_after_a_failure_until_a_reboot_is_still_lost(said):
    assert "gpu_lost" in errors(said)


# --------------------------------------------------------------------------- 4: separate environments
@pytest.mark.parametrize("said", [
    "I have two versions installed in separate conda envs, torch 2.1 and torch 2.3, both fine.",
    "I have torch 2.1 and torch 2.3 installed, two versions installed in different environments.",
    "I have two versions of torch installed in two venvs, one per project.",
])
def test_two_torch_versions_in_separate_environments_are_no_conflict(said):
    assert "mixed_torch_installations" not in findings(said)


@pytest.mark.parametrize("said", [
    "There are two versions installed, torch 2.1 and torch 2.3, and import picks the wrong one.",
    "I have two versions of torch installed in the same conda env.",
    "I found two versions installed in my env: torch 2.1 from pip and pytorch 2.3 from conda.",
])
def test_two_torch_versions_in_one_environment_still_count(said):
    assert "mixed_torch_installations" in findings(said)


# --------------------------------------------------------------------------- 5: another machine's NCCL
NCCL_ERROR = ("torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, "
              "unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3\n")


@pytest.mark.parametrize("said", [
    "I installed NCCL 2.18.3 a year ago on the old server; this one uses the bundled one.\n",
    "I installed NCCL 2.18.3 on another machine, here it is the pip one.\n",
    "I installed NCCL 2.18.3 on my previous node.\n",
])
def test_nccl_installed_on_another_machine_is_not_this_ones(said):
    assert "nccl_version_mismatch" not in findings(said + NCCL_ERROR)


@pytest.mark.parametrize("said", [
    "I installed NCCL 2.18.3 a year ago on this server.\n",
    "I have installed NCCL 2.18.3 on the server.\n",
    "I installed NCCL 2.18.3 along with other system libraries.\n",
])
def test_nccl_installed_on_this_machine_still_counts(said):
    assert "nccl_version_mismatch" in findings(said + NCCL_ERROR)


# --------------------------------------------------------------------------- 6: docker's capabilities
ALL_CAPS = ('docker run --gpus all,capabilities=all --rm nvidia/cuda:10.0-base nvidia-smi\n'
            'docker: Error response from daemon: could not select device driver "" with capabilities: [[all gpu]].\n')
GPU_CAPS = 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].\n'


@pytest.mark.parametrize("message, unknown", [
    ('could not select device driver "" with capabilities: [[all gpu]].', ("all",)),
    ("with capabilities: [[all]]", ("all",)),
    ('could not select device driver "" with capabilities: [[gpu]].', ()),
    ('could not select device driver "nvidia" with capabilities: [[gpu compute utility]]', ()),
    ("with capabilities: [[gpu] [all]]", ()),  # one set could be met
])
def test_capabilities_outside_mobys_set(message, unknown):
    assert unknown_capabilities(message) == unknown


@pytest.mark.parametrize("said", [
    ALL_CAPS,
    ALL_CAPS + "All of these worked:\n"
               "docker run --gpus all --rm nvidia/cuda:10.0-base nvidia-smi\n"
               "docker run --gpus all,capabilities=compute --rm nvidia/cuda:10.0-base nvidia-smi\n"
               "docker run --gpus all,capabilities=utility --rm nvidia/cuda:10.0-base nvidia-smi\n",
    'docker run --gpus all,capabilities=video --rm my/image\n'
    'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu video]].\n'
    "docker run --gpus all nvidia/cuda:11.0-base nvidia-smi works fine on this host.\n",
])
def test_a_capability_no_driver_has_or_gpus_working_is_no_missing_toolkit(said):
    assert "nvidia_container_toolkit_missing" not in findings(said)


@pytest.mark.parametrize("said", [
    "docker run --gpus all nvidia/cuda:11.0-base nvidia-smi\n" + GPU_CAPS,
    "docker run --gpus all nvidia/cuda:11.0-base nvidia-smi works on my laptop, but on the server:\n" + GPU_CAPS,
    "docker run --gpus all nvidia/cuda:11.0-base nvidia-smi worked before the upgrade, now:\n" + GPU_CAPS,
    "docker run --gpus all nvidia/cuda:11.0-base nvidia-smi doesn't work:\n" + GPU_CAPS,
    "These worked before the update:\ndocker run --gpus all nvidia/cuda:11.0-base nvidia-smi\n" + GPU_CAPS,
])
def test_the_gpu_request_failing_on_this_host_is_still_a_missing_toolkit(said):
    f = findings(said)
    assert "nvidia_container_toolkit_missing" in f
    assert f["nvidia_container_toolkit_missing"].confidence.value == "confirmed"


# --------------------------------------------------------------------------- 7: WSL has no nvidia_uvm
REVIEW_7 = ("Whether the issue is on WSL 2 and/or WSL 1: WSL2\n"
            "Linux Kernel: 4.19.121-microsoft-standard\n"
            "torch 1.2\n"
            "RuntimeError: CUDA error: unknown error\n")


@pytest.mark.parametrize("said", [
    REVIEW_7,
    "I'm on WSL2 with Ubuntu 20.04.\nRuntimeError: CUDA error: unknown error\n",
    "I'm on WSL2 and run docker with --device /dev/nvidia-uvm:\ndocker: Error response from daemon: error gathering "
    'device information while adding custom device "/dev/nvidia-uvm": no such file or directory\n',
])
def test_wsl_has_no_nvidia_uvm_to_miss(said):
    f = findings(said)
    assert "nvidia_uvm_missing" not in f
    assert "nvidia_uvm_stale_after_suspend" not in f


@pytest.mark.parametrize("said", [
    "Ubuntu 20.04 on bare metal.\nRuntimeError: CUDA error: unknown error\n",
    "WSL1ではありません。\nRuntimeError: CUDA error: unknown error\n",  # WSL denied
    "Ubuntu 22.04 server, docker run with --device /dev/nvidia-uvm:\ndocker: Error response from daemon: error "
    'gathering device information while adding custom device "/dev/nvidia-uvm": no such file or directory\n',
])
def test_off_wsl_the_unknown_error_is_still_nvidia_uvm(said):
    assert "nvidia_uvm_missing" in findings(said)
