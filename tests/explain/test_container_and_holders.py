"""Containers described by their specs or their runtime's refusals, and GPU memory holders
shown by a lone nvidia-smi process row: each reader with a broken paste and a healthy
near-miss in the same words."""

from __future__ import annotations

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import commands, gpu_processes

from .helpers import gpu_fields, text, values


def _ids(paste: str):
    _, report = diagnose(source.normalise(paste))
    return {f.id: f for f in report.findings}


# --------------------------------------------------------------------------- CDI refusals
PODMAN_OLD = """podman versions : 3.4.4
nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml
podman run --rm --device nvidia.com/gpu=all --security-opt=label=disable ubuntu nvidia-smi -L
Error: stat nvidia.com/gpu=all: no such file or directory
"""
PODMAN_NO_SPEC = """$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi
Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=all
"""
PODMAN_OK = """$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 2060 (UUID: GPU-2f68f999-7b41-e64a-3709-0c8c4fa756c0)
"""


def test_cdi_refusals_say_the_container_got_no_gpu():
    assert _ids(PODMAN_OLD)["container_missing_gpus_flag"].confidence.value == "confirmed"
    # No CDI spec on the host: the toolkit was not configured (nvidia-ctk cdi generate), not a missing flag.
    assert _ids(PODMAN_NO_SPEC)["nvidia_container_toolkit_missing"].confidence.value == "confirmed"


def test_a_cdi_device_that_works_is_no_finding():
    assert "container_missing_gpus_flag" not in _ids(PODMAN_OK)


# --------------------------------------------------------------------------- specs
POD = """apiVersion: v1
kind: Pod
spec:
  containers:
  - name: train
    image: pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime
    resources:
      limits:
        cpu: 4
>>> import torch
>>> torch.cuda.is_available()
False
"""
COMPOSE = """services:
  app:
    image: myorg/trainer:latest
    ports:
      - 8000:8000
Inside the container:
RuntimeError: No CUDA GPUs are available
"""
COMPOSE_GPU = COMPOSE.replace("    ports:", "    deploy:\n      resources:\n        reservations:\n          devices:\n"
                                         "            - driver: nvidia\n              capabilities: [gpu]\n    ports:")


def test_a_pod_spec_without_the_gpu_resource_gets_no_gpu():
    assert values(commands.parse(text(POD)))["host.container_gpus"] == "none"
    assert _ids(POD)["container_missing_gpus_flag"].confidence.value == "likely"


def test_a_pod_spec_with_the_gpu_resource_is_no_finding():
    pod = POD.replace("        cpu: 4", "        cpu: 4\n        nvidia.com/gpu: 1")
    assert values(commands.parse(text(pod)))["host.container_gpus"] == "nvidia.com/gpu"  # the request (r21k)
    assert "container_missing_gpus_flag" not in _ids(pod)


def test_a_compose_file_without_a_device_reservation():
    assert values(commands.parse(text(COMPOSE)))["host.container_gpus"] == "none"
    assert "container_missing_gpus_flag" in _ids(COMPOSE)
    assert values(commands.parse(text(COMPOSE_GPU)))["host.container_gpus"] == "driver: nvidia"
    healthy = COMPOSE_GPU.replace("RuntimeError: No CUDA GPUs are available", ">>> torch.cuda.is_available()\nTrue")
    assert "container_missing_gpus_flag" not in _ids(healthy)
    assert "container_missing_gpus_flag" not in _ids(COMPOSE.replace("RuntimeError: No CUDA GPUs are available",
                                                                     ">>> torch.cuda.is_available()\nTrue"))


def test_a_spec_without_an_image_is_not_read():
    assert not values(commands.parse(text("services:\n  - backup\n  - web\n")))


# --------------------------------------------------------------------------- lone process rows
HELD = """MXNetError: Check failed: err == cudaSuccess (2 vs. 0) ErrStr:out of memory
nvidia-smi gives:
|    0     17750      C   ...ntu/anaconda3/envs/mxnet_p36/bin/python  1576MiB |
"""
DESKTOP = """nvidia-smi shows only the desktop:
|    0      1203      G   /usr/lib/xorg/Xorg                           212MiB |
"""


def test_a_lone_process_row_is_read():
    (gpu,) = gpu_fields(gpu_processes.parse(text(HELD)))
    (proc,) = gpu["processes"]
    assert (proc.pid, proc.used_memory_bytes.value) == (17750, 1576 << 20)
    assert "gpu_memory_in_use" in _ids(HELD)


def test_a_small_holder_is_no_finding():
    assert "gpu_memory_in_use" not in _ids(DESKTOP)


def test_rows_inside_a_table_are_left_to_the_table_parser():
    table = "| Processes:                                                       GPU Memory |\n" + HELD
    assert not gpu_processes.parse(text(table)).gpus
