"""Round 23 c: containers.

1. The host's missing or unconfigured NVIDIA container runtime in a person's own words: "I checked and
   I was missing the nvidia-container-toolkit" beside a container that was run, Docker that 'did not
   "know" of the runtime Nvidia', and "So to fix it I had to run `sudo nvidia-ctk runtime configure
   --runtime=docker`" (parsers/container_runtime_prose.py).
2. Review item: a Dockerfile comment, a denial or the advice a person follows ("we do NOT install
   nvidia-driver", "I did not install the nvidia driver in the image", "Do not install the driver
   inside the container") beside NVML's "Driver/library version mismatch": no driver in the image is
   inferred from the mismatch alone (parsers/container_driver_denied.py, rules/versions.py). A line
   that does install a driver still says so.
3. Review item: a Kubernetes node whose capacity or allocatable nvidia.com/gpu is 0 (the device plugin
   advertises none): no "start the container with --gpus" (parsers/container_node_gpus.py; the rules
   that give container_missing_gpus_flag).

Texts written for the test after the shapes of real reports (smy20011/dreambooth-docker#8,
ublue-os/ucore#359, kubectl describe node / get node -o json output), each with near-misses.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

TOOLKIT = "nvidia_container_toolkit_missing"
FLAG = "container_missing_gpus_flag"
IMAGE = "driver_installed_inside_container"
MISMATCH = "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54\n"


# --------------------------------------------------------------------------- 1. the runtime said missing
@pytest.mark.parametrize("text", [
    "When trying to run the container, it says that it is not able to use the GPU.\n"
    "I checked and I was missing the nvidia-container-toolkit.",
    "Running my container with --gpus all fails. Turns out I'm missing the NVIDIA Container Toolkit on this box.",
    # the run command takes host.container_gpus; the person's word is kept beside it (derived/runtime_said)
    "docker run --gpus all myimage fails. Turns out I'm missing the NVIDIA Container Toolkit on this box.",
    "$ docker run --rm --gpus all nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi\n"
    "So to fix it I had to run `sudo nvidia-ctk runtime configure --runtime=docker`.",
    "I have Discovered that my Nvidia GPU wasn't used by Docker since it did not \"know\" of the runtime Nvidia.",
    "Docker doesn't know about the runtime nvidia on this server.",
    "My GPU was not available in containers.\nSo to fix it I had to run `sudo nvidia-ctk runtime configure "
    "--runtime=docker`.",
    "To fix this, we needed to run nvidia-ctk runtime configure --runtime=docker and restart docker.",
])
def test_the_runtime_said_missing(text):
    assert TOOLKIT in findings(text)


@pytest.mark.parametrize("text", [
    # a document's gap, not this host's
    "When trying to run the container the README is missing the nvidia-container-toolkit step.",
    # no container in sight: a host that needs none
    "I was missing the nvidia-container-toolkit, but I don't use docker at all, so that is fine.",
    # a question, a condition, advice to others
    "Am I missing the nvidia-container-toolkit? docker run --gpus all works fine.",
    "If Docker does not know of the runtime nvidia, run nvidia-ctk runtime configure.",
    "If it fails, to fix it you have to run `nvidia-ctk runtime configure --runtime=docker`.",
    # beside a run command: a question, a denial
    "docker run --gpus all myimage works. Am I missing the nvidia container toolkit?",
    "docker run --gpus all myimage runs out of memory. I was not missing the nvidia-container-toolkit, it is installed.",
    # tried, not the fix
    "To fix it I tried running nvidia-ctk runtime configure --runtime=docker but nothing changed.",
    # the name of a runtime binary, not the runtime said unknown
    "Docker does know the runtime nvidia-container-runtime and nvidia-smi works in the container.",
])
def test_the_runtime_not_said_missing(text):
    assert TOOLKIT not in findings(text)


# --------------------------------------------------------------------------- 2. no driver in the image, said so
@pytest.mark.parametrize("text", [
    "Dockerfile:\n```\nFROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\n"
    "# we do NOT install nvidia-driver here; the host driver is mounted by the toolkit\n"
    "RUN apt-get update && apt-get install -y python3-pip\n```\nInside the container:\n```\n$ nvidia-smi\n"
    + MISMATCH + "```",
    "Do not install the driver inside the container, the toolkit mounts the host's.\n"
    "I followed that, but nvidia-smi in the docker container prints:\n" + MISMATCH,
    "# NOTE: never install cuda-drivers or nvidia-driver-550 in this image\nRUN apt-get install -y cuda-toolkit-12-4\n"
    "docker run --gpus all myimage nvidia-smi\n" + MISMATCH,
    "I did not install the nvidia driver in the image, only the CUDA toolkit.\n"
    "docker run --gpus all myimage nvidia-smi\n" + MISMATCH,
])
def test_a_denied_image_driver_is_not_inferred(text):
    got = findings(text)
    assert IMAGE not in got
    assert "nvml_driver_library_mismatch" in got


@pytest.mark.parametrize("text", [
    # the image installs one: the comment does not undo the line
    "# we do NOT install the driver on purpose\nRUN apt-get install -y nvidia-driver-550\n"
    "docker run --gpus all myimage nvidia-smi\n" + MISMATCH,
    # said of the host, not the image
    "We don't install the driver on the host, the GPU operator does.\ndocker run --gpus all myimage nvidia-smi\n"
    + MISMATCH,
    # a question, a condition
    "Should I not install the driver in the image?\ndocker run --gpus all myimage nvidia-smi\n" + MISMATCH,
    "If you do not install the driver, what provides nvidia-smi?\ndocker run --gpus all myimage nvidia-smi\n"
    + MISMATCH,
    # no denial at all: the mismatch in a container still points at the image (likely)
    "docker run --gpus all myimage nvidia-smi\n" + MISMATCH,
])
def test_the_image_driver_is_still_read(text):
    assert IMAGE in findings(text)


# --------------------------------------------------------------------------- 3. a node advertising no GPU
DESCRIBED = ("kubectl describe node gpu1\nCapacity:\n  cpu:                16\n  nvidia.com/gpu:     {n}\n"
             "Allocatable:\n  cpu:                16\n  nvidia.com/gpu:     {n}\n")
AS_JSON = ('kubectl get node worker1 -o json | jq .status.allocatable\n{{\n  "cpu": "16",\n  "nvidia.com/gpu": "{n}",\n'
           '  "pods": "110"\n}}\n')
NGC = ("kubectl logs cuda-pod\nWARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n"
       "   Use the NVIDIA Container Toolkit to start this container with GPU support; see\n"
       "   https://docs.nvidia.com/datacenter/cloud-native/ .\n")
INSIDE = "Inside the container nvidia-smi: command not found\n"


@pytest.mark.parametrize("text", [
    NGC + DESCRIBED.format(n=0),
    DESCRIBED.format(n=0) + INSIDE,
    AS_JSON.format(n=0) + INSIDE,
    "Node allocatable shows nvidia.com/gpu: 0 even though nvidia-smi works on the host.\n" + INSIDE,
    "The pod's container cannot see the GPU. nvidia.com/gpu is 0 in the node's capacity.",
])
def test_a_node_without_gpus_is_no_missing_flag(text):
    assert FLAG not in findings(text)


@pytest.mark.parametrize("text", [
    NGC + DESCRIBED.format(n=1),
    DESCRIBED.format(n=2) + INSIDE,
    AS_JSON.format(n=1) + INSIDE,
    # a pod's limit of 0 is the pod asking for none, not the node
    "resources:\n  limits:\n    nvidia.com/gpu: 0\n" + INSIDE,
    # a question, and a state said to be over
    "Is allocatable nvidia.com/gpu 0 on my node?\n" + INSIDE,
    "Allocatable showed nvidia.com/gpu: 0 until I restarted the device plugin.\n" + INSIDE,
])
def test_a_node_with_gpus_keeps_the_missing_flag(text):
    assert FLAG in findings(text)


@pytest.mark.parametrize("text", [
    DESCRIBED.format(n=0),
    AS_JSON.format(n=0),
    "I did not install the nvidia driver in the image; docker run --gpus all works fine.",
])
def test_healthy_shapes_give_no_error(text):
    assert not errors(text)
