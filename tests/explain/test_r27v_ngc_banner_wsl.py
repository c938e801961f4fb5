"""Round 27 v: the NGC entrypoint's "The NVIDIA Driver was not detected" banner on WSL 2.

The images' entrypoint up to about 2022 (nvidia_entrypoint.sh) tests ``ls /dev/nvidiactl``, a node
WSL 2 never has (its GPU is /dev/dxg): it prints the banner, with its older tail "Use 'nvidia-docker
run' to start this container", in a container started with --gpus all whose GPU works
(NVIDIA/nvidia-docker#1548, a healthy case). The later check (entrypoint.d/50-gpu-driver-check.sh)
looks for /dev/dxg too and ends "Use the NVIDIA Container Toolkit to start this container with GPU
support": that one still counts on WSL. Texts written for the test (the banners as the images print
them), with the near-misses: the same old banner off WSL, the new banner on WSL, runc's own
"nvidia-smi not found" on WSL, WSL without --gpus.
"""

from __future__ import annotations

from tests.rules.test_unseen_classes import errors, findings

TOOLKIT = "nvidia_container_toolkit_missing"
FLAG = "container_missing_gpus_flag"

WSL_KERNEL = "Linux DESKTOP-1 5.15.153.1-microsoft-standard-WSL2 #1 SMP Fri Mar 29 23:14:13 UTC 2024 x86_64 GNU/Linux\n"
RUN = "$ docker run --gpus all --rm -it nvcr.io/nvidia/pytorch:21.02-py3 nvidia-smi\n"
OLD_BANNER = (
    "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n"
    "   Use 'nvidia-docker run' to start this container; see\n"
    "   https://github.com/NVIDIA/nvidia-docker/wiki/nvidia-docker .\n")
NEW_BANNER = (
    "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n"
    "   Use the NVIDIA Container Toolkit to start this container with GPU support; see\n"
    "   https://docs.nvidia.com/datacenter/cloud-native/ .\n")


def test_old_banner_on_wsl2_with_gpus_is_no_fault():
    text = "$ uname -a\n" + WSL_KERNEL + RUN + OLD_BANNER + "but the GPU works fine inside the container.\n"
    assert not errors(text)


def test_old_banner_on_wsl_said_in_prose_is_no_fault():
    text = "I run Docker on WSL2 (Windows 11).\n" + RUN + OLD_BANNER
    assert TOOLKIT not in findings(text) and FLAG not in findings(text)


def test_banner_main_line_only_on_wsl_is_no_fault():
    text = "$ uname -a\n" + WSL_KERNEL + RUN + OLD_BANNER.splitlines()[0] + "\n"
    assert TOOLKIT not in findings(text)


def test_old_banner_off_wsl_still_counts():
    text = "$ uname -a\nLinux gpu01 5.15.0-91-generic #101-Ubuntu SMP x86_64 GNU/Linux\n" + RUN + OLD_BANNER
    assert TOOLKIT in findings(text)


def test_new_banner_on_wsl_still_counts():
    # 50-gpu-driver-check.sh looks for /dev/dxg: on WSL 2 its banner means no GPU reached the container
    text = "$ uname -a\n" + WSL_KERNEL + RUN.replace("21.02", "24.01") + NEW_BANNER
    assert TOOLKIT in findings(text)


def test_runc_nvidia_smi_not_found_on_wsl_still_counts():
    text = ("$ uname -a\n" + WSL_KERNEL + "$ docker run --gpus all --rm ubuntu nvidia-smi\n"
            "docker: Error response from daemon: failed to create task for container: failed to create shim task: "
            "OCI runtime create failed: runc create failed: unable to start container process: exec: \"nvidia-smi\": "
            "executable file not found in $PATH: unknown.\n")
    assert TOOLKIT in findings(text)


def test_old_banner_on_wsl_without_gpus_is_left_to_the_start():
    # no GPU request at all: what the banner says (no GPU given) is right whatever its check
    text = ("$ uname -a\n" + WSL_KERNEL + "$ docker run --rm -it nvcr.io/nvidia/pytorch:21.02-py3 nvidia-smi\n"
            + OLD_BANNER)
    assert TOOLKIT not in findings(text)
