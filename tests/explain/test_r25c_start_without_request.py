"""Round 25 c: a container start shown without a GPU request (``docker run`` with no ``--gpus``) beside the
person's words that the GPU is not found or not used there ("Ollama in docker runs on the CPU only"):
container_missing_gpus_flag, likely (rules/container_others.started_without_request_said). Near-misses:
the CPU meant, a question, no NVIDIA GPU on the machine, a start that asks for the GPU.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FLAG = "container_missing_gpus_flag"
RUN = "docker run -d -p 11434:11434 ollama/ollama\n"


@pytest.mark.parametrize("text", [
    "Ollama in docker runs on the CPU only, very slow. I started it with docker run -d -p 11434:11434 ollama/ollama",
    RUN + "No GPU found, everything is slow.",
    RUN + "The GPU is not used at all, it uses the CPU instead.",
])
def test_a_start_without_request_and_no_gpu_said(text):
    assert FLAG in findings(text)


@pytest.mark.parametrize("text", [
    "I run the CPU image on purpose: docker run -d -p 11434:11434 ollama/ollama runs on the CPU only, as expected.",
    RUN + "Is it normal that it runs on the CPU only?",
    RUN + "It runs on the CPU only. This server has no NVIDIA GPU, only the Intel iGPU.",
    "docker run -d --gpus=all -p 11434:11434 ollama/ollama\nIt runs on the CPU only.",
    RUN + "The model loads and answers quickly.",
    # a program's source, not the person's words
    "docker run -d -p 8080:8080 myapp\nif not torch.cuda.is_available(): print(\"GPU is not available\")",
    # a service that needs no GPU
    "docker run -d -p 8080:8080 myapp\nThe GPU is not used by this service, it is a CPU-only web server.",
    "docker run -d -p 8080:8080 myapp\nNo GPU needed for this one; the GPU is not used here.",
])
def test_near_misses_stay_silent(text):
    assert FLAG not in findings(text)


# A pod spec without the GPU resource, said so (parsers/container_prose.py's _CAUSE).
@pytest.mark.parametrize("text", [
    "The pod is Running but torch.cuda.is_available() is False. The node has GPUs. I did not set nvidia.com/gpu in "
    "resources limits.",
    "I forgot to add nvidia.com/gpu to the pod spec, so the pod has no GPU.",
])
def test_pod_without_the_gpu_resource_said(text):
    assert FLAG in findings(text)


@pytest.mark.parametrize("text", [
    "Did you set nvidia.com/gpu in the resources limits?",
    "If you did not set nvidia.com/gpu in the limits, the pod gets no GPU.",
    "I did set nvidia.com/gpu: 1 in the limits and the pod sees the GPU.",
])
def test_pod_resource_near_misses(text):
    assert FLAG not in findings(text)
