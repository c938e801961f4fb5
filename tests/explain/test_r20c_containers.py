"""Round 20 c: containers.

1. The fix told in a sentence that names ``docker run`` as a noun ("I solved this by adding
   "--gpus all" to docker run command"): "docker run command" is the command's name, not a
   run of an image called "command" with no GPU flag (parsers/commands.py), and the flag in
   straight or curly quotes is the flag (parsers/container_prose.py).
2. Debian's debconf warning "Mismatching nvidia kernel module loaded" (nvidia-support's
   warn-mismatching-module-version template) gives the user-space driver being installed and
   the kernel module loaded: in a container build the image is getting a driver of its own.
3. Review item: an old Windows ``ver`` banner (a build without GPU support in WSL) beside a WSL
   whose version nothing names: the build explains the missing driver, and "maybe WSL 1" is no
   longer said beside it (rules/hosting.py, rules/wsl_windows.py).

Texts written for the test after the shapes of real reports (tomdbar/ecord#1, docker/cli#2425,
P2Enjoy/kohya_ss-docker#24, microsoft/WSL issue forms), each with near-misses.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FLAG = "container_missing_gpus_flag"


# --------------------------------------------------------------------------- 1. the flag told in a sentence
@pytest.mark.parametrize("text", [
    'Hello,\nas i tried to train a model, docker could not see my GPU. I solved this by adding "--gpus all" to docker '
    'run command.',
    "I solved this by adding --gpus all to the docker run command.",
    "After adding \u201c--gpus all\u201d to my docker run command it works.",
    "I solved it by adding '--gpus all' to the docker run command line.",
])
def test_the_flag_said_to_fix_it_is_the_cause(text):
    got = findings(text)
    assert FLAG in got


@pytest.mark.parametrize("text", [
    'Should I add "--gpus all" to the docker run command?',
    'Make sure to add "--gpus all" to the docker run command.',
    'I tried adding "--gpus all" to the docker run command but it still does not see the GPU.',
    'The docker run command already has "--gpus all" and nvidia-smi works inside the container.',
])
def test_questions_advice_and_a_flag_that_did_not_help_are_not_the_cause(text):
    assert FLAG not in findings(text)


def test_a_real_run_without_the_flag_is_still_read():
    from envcheck.explain.parsers.commands import gpu_request
    assert gpu_request("docker", "-it --rm pytorch/pytorch:latest python") == "none"
    assert gpu_request("docker", "--gpus all -it img") == "--gpus all"
    assert gpu_request("docker", "command.") is None
    assert gpu_request("docker", "options like -it") is None


# --------------------------------------------------------------------------- 2. debconf's module mismatch
BUILD_LOG = """I tried to do the command you wrote below to launch the docker compose but the container returns this

46.44 Setting up libcuda1:amd64 (545.23.08-1) ...
46.53 Configuring libcuda1:amd64
46.53 --------------------------
46.53
46.53 Mismatching nvidia kernel module loaded
46.53
46.53 The NVIDIA driver that is being installed (version 545.23.08) does not
46.53 match the nvidia kernel module currently loaded (version 545.29.06).
46.53
46.53 The X server, OpenGL, and GPGPU applications may not work properly.
"""
HOST_APT = """$ sudo apt install nvidia-driver
Mismatching nvidia kernel module loaded

The NVIDIA driver that is being installed (version 525.89.02) does not
match the nvidia kernel module currently loaded (version 525.85.12).
"""


def test_the_debconf_mismatch_in_a_container_build_is_a_driver_in_the_image():
    got = findings(BUILD_LOG)
    assert "driver_installed_inside_container" in got


def test_the_debconf_mismatch_on_a_host_is_a_module_not_reloaded_not_a_container():
    got = findings(HOST_APT)
    assert "driver_installed_inside_container" not in got
    assert "nvml_driver_library_mismatch" in got


def test_the_same_version_or_a_question_about_the_dialog_reads_no_versions():
    got = findings("What does the 'Mismatching nvidia kernel module loaded' dialog mean? I just clicked OK.")
    assert "driver_installed_inside_container" not in got and "nvml_driver_library_mismatch" not in got


# --------------------------------------------------------------------------- 3. review: WSL 1 beside an old build
OLD_BANNER = "Microsoft Windows [Version 10.0.19042.1288]"
NEW_BANNER = "Microsoft Windows [Version 10.0.22631.3447]"
SMI_FAILED = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
              "NVIDIA driver is installed and running.")


def test_an_old_build_under_an_unnamed_wsl_says_the_build_not_wsl1():
    got = findings(f"C:\\Users\\me>ver\n\n{OLD_BANNER}\n\nInside WSL (Ubuntu 20.04):\n$ nvidia-smi\n{SMI_FAILED}\n")
    assert "windows_too_old_for_wsl_gpu" in got
    assert "wsl1_no_gpu_support" not in got


def test_a_supported_build_under_an_unnamed_wsl_still_asks_about_wsl1():
    got = findings(f"C:\\Users\\me>ver\n\n{NEW_BANNER}\n\nInside WSL (Ubuntu 20.04):\n$ nvidia-smi\n{SMI_FAILED}\n")
    assert "windows_too_old_for_wsl_gpu" not in got
    assert "wsl1_no_gpu_support" in got and got["wsl1_no_gpu_support"].severity.value == "warning"


def test_no_banner_under_an_unnamed_wsl_still_asks_about_wsl1():
    got = findings(f"Inside WSL (Ubuntu 20.04):\n$ nvidia-smi\n{SMI_FAILED}\n")
    assert "wsl1_no_gpu_support" in got


def test_a_build_older_than_wsl2_itself_keeps_wsl1():
    # Windows 10 1809 (17763) has no WSL 2 at all (microsoft/WSL#3847's shape): the WSL is WSL 1.
    got = findings("### Microsoft Windows [Version 10.0.17763.292]\n\n#### Ubuntu app WSL:\n"
                   f"when using nvidia-smi I get :\n```\n{SMI_FAILED}\n```\n")
    assert "wsl1_no_gpu_support" in got


def test_wsl1_said_beside_an_old_banner_stays_wsl1():
    got = findings(f"{OLD_BANNER}\nI am on WSL 1 (wsl -l -v says VERSION 1).\n$ nvidia-smi\n{SMI_FAILED}\n")
    assert "wsl1_no_gpu_support" in got
    assert "windows_too_old_for_wsl_gpu" not in got


# --------------------------------------------------------------------------- 4. the driver package said installed in the image
SMI_NO_DRIVER = ("root@3f2a1c:/# nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                 "Make sure that the latest NVIDIA driver is installed and running.\n")


@pytest.mark.parametrize("said", [
    "I had installed nvidia-driver-525 in the image.",
    "I installed libnvidia-compute-535 inside the container.",
    "We install `nvidia-utils-535` into the image.",
])
def test_a_driver_package_said_installed_in_the_image(said):
    assert "driver_installed_inside_container" in findings(said + "\n" + SMI_NO_DRIVER)


@pytest.mark.parametrize("said", [
    "I did not install nvidia-driver-525 in the image.",
    "Should I install libnvidia-compute-535 in the container?",
    "Do not install nvidia-utils-535 inside the image, the toolkit mounts it.",
])
def test_a_driver_package_denied_asked_or_advised_against_is_not(said):
    assert "driver_installed_inside_container" not in findings(said)


# --------------------------------------------------------------------------- 5. "in the pod"
NOT_FOUND = "$ nvidia-smi\nbash: nvidia-smi: command not found\n"


@pytest.mark.parametrize("where", ["In the pod:", "Inside my pod:"])
def test_nvidia_smi_missing_in_a_pod_is_a_container_without_gpus(where):
    assert FLAG in findings(f"{where}\n{NOT_FOUND}")


@pytest.mark.parametrize("where", ["On the host (not in the pod):", "On my laptop:"])
def test_nvidia_smi_missing_outside_a_pod_is_not(where):
    assert FLAG not in findings(f"{where}\n{NOT_FOUND}")


# --------------------------------------------------------------------------- 6. a GPU named in prose is the machine's
def test_a_gpu_named_in_prose_does_not_say_the_container_got_it():
    text = ("My GPU is an RTX 3090 and the host driver is 535.\nInside the docker container:\n$ nvidia-smi\n"
            "bash: nvidia-smi: command not found\n")
    assert FLAG in findings(text)


def test_a_gpu_listed_inside_the_container_is_not_missing():
    text = ("I have an RTX 3090. Inside the docker container nvidia-smi works and lists it:\n$ nvidia-smi -L\n"
            "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-1234)\n")
    assert FLAG not in findings(text)


def test_a_host_without_nvidia_smi_that_only_plans_docker_is_not_a_container():
    text = "I have an RTX 3090 on Ubuntu 22.04.\n$ nvidia-smi\nnvidia-smi: command not found\nI plan to use docker later.\n"
    assert FLAG not in findings(text)
