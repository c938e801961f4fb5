"""Round 18 k: a driver installed inside a container that was never given the GPU.

A person who finds no driver in a container installs one into it and it still fails (NVML's
"Unknown Error", nvidia-smi's "couldn't communicate"): the container was started without GPU
access (rules/container_driver_said.py): container_missing_gpus_flag, likely, and not the
daemon-reload loss that NVML's "Unknown Error" alone suggests.

Texts written for the test after the shape of a real report (traveller59/spconv#185); near-misses:
the container started with --gpus, the GPU given but the image's libraries clashing (a version
mismatch), the Unknown Error with no driver installed inside (the daemon-reload loss stays), a driver
installed on the host, and advice not to install one in the container."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FLAG = "container_missing_gpus_flag"
RELOAD = "container_gpu_lost_after_daemon_reload"
UNKNOWN = "However, there is still a mistake when I run nvidia-smi\n`Failed to initialize NVML: Unknown Error`\n"


@pytest.mark.parametrize("intro", [
    "I pulled your docker image; inside it there is no nvidia driver. I try to install the driver in the container:\n"
    "```\n$ sudo apt-get install nvidia-driver-440\n```\n",
    "The GPU is not visible. So I installed the nvidia driver inside the docker container.\n",
])
def test_driver_installed_in_a_gpuless_container(intro):
    got = findings(intro + UNKNOWN)
    assert FLAG in got and got[FLAG].confidence.value == "likely"
    assert RELOAD not in got


def test_no_driver_reached_after_installing_one_inside():
    text = ("I installed the driver in the container but nvidia-smi says:\nNVIDIA-SMI has failed because it couldn't "
            "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n")
    assert FLAG in findings(text)


def test_started_with_gpus_is_not_this_cause():
    text = ("docker run --gpus all -it myimage bash\nI installed the driver in the container as well.\n" + UNKNOWN)
    assert FLAG not in findings(text)


def test_a_mismatch_says_the_gpu_was_given():
    text = ("I installed the driver in the container.\n$ nvidia-smi\n"
            "Failed to initialize NVML: Driver/library version mismatch\n")
    assert FLAG not in findings(text)


def test_unknown_error_alone_stays_the_reload_loss():
    text = ("It worked for two days, then inside the docker container:\n$ nvidia-smi\n"
            "Failed to initialize NVML: Unknown Error\n")
    got = findings(text)
    assert RELOAD in got and FLAG not in got


@pytest.mark.parametrize("text", [
    "I installed the driver on the host (550) and rebooted. In the docker container:\n" + UNKNOWN,
    "Please do not install the driver in the container. In the docker container:\n" + UNKNOWN,
])
def test_host_install_or_advice_is_not_a_driver_in_the_container(text):
    assert FLAG not in findings(text)
