"""What in a compose file or pod spec gives the container a GPU (explain/parsers/commands._SPEC_GPU):
the NVIDIA runtime or device driver, a GPU capability, an nvidia.com/gpu resource with a count or
a CDI device. An image or a command that names NVIDIA ("image: nvidia/cuda", "command: nvidia-smi")
and a toleration or node label for nvidia.com/gpu give it none."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

COMPOSE = """services:
  app:
    image: nvidia/cuda:12.2.0-base-ubuntu22.04
    command: nvidia-smi
{extra}$ docker compose up
app-1  | {output}
"""
NOT_FOUND = 'exec: "nvidia-smi": executable file not found in $PATH'
RESERVED = """    deploy:
      resources:
        reservations:
          devices:
            - driver: nvidia
              count: all
              capabilities: [gpu]
"""
POD = """apiVersion: v1
kind: Pod
spec:
  tolerations:
  - key: nvidia.com/gpu
    operator: Exists
  containers:
  - name: trainer
    image: pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime
    command: ["python", "-c", "import torch; print(torch.cuda.is_available())"]
{extra}$ kubectl logs trainer
{output}
"""
LIMIT = """    resources:
      limits:
        nvidia.com/gpu: 1
"""


def _findings(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f.severity.value for f in report.findings}


@pytest.mark.parametrize("text", [
    COMPOSE.format(extra="", output=NOT_FOUND),
    POD.format(extra="", output="False"),
])
def test_a_spec_naming_nvidia_without_a_request_gets_no_gpu(text):
    assert "container_missing_gpus_flag" in _findings(text)


@pytest.mark.parametrize("text", [
    COMPOSE.format(extra=RESERVED, output="| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |"),
    POD.format(extra=LIMIT, output="True"),
])
def test_a_spec_with_a_request_that_works_gets_no_error(text):
    assert "error" not in _findings(text).values()
