"""Container start commands: the GPU flags of docker/podman run and compose files."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import commands

from .helpers import details, text, values


@pytest.mark.parametrize("line, expected", [
    ("docker run -it anibali/pytorch:1.4.0-cuda10.1 sh", "none"),
    ("$ sudo docker run  -t -i floydhub/pytorch:latest-gpu-py3 ipython", "none"),
    ("docker run --rm -v /data:/data -e HF_TOKEN=x -p 8000:8000 --shm-size 8g vllm/vllm-openai --gpus 2", "none"),
    ("docker run --gpus all --rm nvidia/cuda:12.4.0-base-ubuntu22.04 nvidia-smi", "--gpus all"),
    ("sudo docker run -e A=b -p 9998:9997 --gpus all xprobe/xinference", "--gpus all"),
    ('docker run --gpus "device=0,1" img', "--gpus device=0,1"),
    ("docker run --gpus=1 img", "--gpus 1"),
    ("docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all -it --rm allennlp/allennlp", "--runtime=nvidia"),
    ("podman run --device nvidia.com/gpu=all --rm ubuntu nvidia-smi -L", "--device nvidia.com/gpu=all"),
    ("docker run --device=/dev/nvidia0 --device /dev/nvidiactl img", "--device /dev/nvidia0"),
    ("nvidia-docker run -it img bash", "nvidia-docker"),
    ("docker container run -d img", "none"),
])
def test_gpu_flags_of_a_run_command(line, expected):
    f = commands.parse(text(line))
    assert values(f)["host.container_gpus"] == expected
    if expected == "none":
        assert "default runtime is nvidia" in details(f)["host.container_gpus"]


def test_continued_lines_are_one_command():
    f = commands.parse(text("docker run -it \\\n  -v /x:/y \\\n  --gpus all \\\n  img bash\n"))
    assert values(f)["host.container_gpus"] == "--gpus all"


def test_not_a_run_command():
    for line in ("docker ps -a", "docker exec -it b5ed10b82d7f /bin/bash", "I will run docker later",
                 "docker run --help"):
        assert "host.container_gpus" not in values(commands.parse(text(line)))


def test_compose_file_runtime_and_device_reservation():
    f = commands.parse(text("services:\n  app:\n    image: x\n    runtime: nvidia\n"))
    assert values(f)["host.container_gpus"] == "runtime: nvidia"
    f = commands.parse(text("    deploy:\n      resources:\n        reservations:\n          devices:\n"
                            "            - driver: nvidia\n              capabilities: [gpu]\n"))
    assert values(f)["host.container_gpus"] == "driver: nvidia"
