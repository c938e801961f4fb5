"""A container given the GPU without the 'compute' driver capability (``container_capabilities``,
``rules/hosting.container_without_compute``): container_missing_gpus_flag, likely.

Broken: a compose reservation's ``capabilities: [gpu, utility]`` (flow or block), an
``NVIDIA_DRIVER_CAPABILITIES`` without compute (docker run -e, compose, Dockerfile ENV, a pod's env),
docker inspect's ``"Capabilities": [["gpu","utility"]]``, each beside CUDA failing; a person tracing the
failure to the capability. Working / near-misses: compute or all asked for, ``[gpu]`` alone (the
default), a commented-out example, a video-only container where nothing fails, a question, a denial,
the GPU's CUDA "compute capability", no container in the text."""

from __future__ import annotations

import pytest

from envcheck.derived.container_claims import no_compute
from envcheck.explain import source
from envcheck.explain.parsers import container_capabilities
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings

_NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
              "installed a driver from http://www.nvidia.com/Download/index.aspx\n")
_LIBCUDA = "ImportError: libcuda.so.1: cannot open shared object file: No such file or directory\n"
_COMPOSE = ("services:\n  app:\n    image: myapp:gpu\n    deploy:\n      resources:\n        reservations:\n"
            "          devices:\n            - driver: nvidia\n              count: 1\n")


def _claimed(text: str) -> bool:
    found = container_capabilities.parse(source.normalise(text))
    return any(c.path == "host.container_gpus" and no_compute(c.reading) for c in found.claims)


BROKEN = [
    _COMPOSE + "              capabilities: [gpu, utility]\n" + _NO_DRIVER,
    _COMPOSE + "              capabilities:\n                - gpu\n                - utility\n" + _LIBCUDA,
    "$ docker run --rm -e NVIDIA_DRIVER_CAPABILITIES=utility --runtime=nvidia myimg python -c 'import torch'\n"
    + _LIBCUDA,
    "FROM nvidia/cuda:12.1.0-base-ubuntu22.04\nENV NVIDIA_DRIVER_CAPABILITIES video,utility\n"
    ">>> torch.cuda.is_available()\nFalse\n",
    "env:\n  - name: NVIDIA_DRIVER_CAPABILITIES\n    value: \"utility\"\n" + _NO_DRIVER,
    '"DeviceRequests": [{"Driver": "", "Count": -1, "DeviceIDs": null, "Capabilities": [["gpu", "utility"]]}]\n'
    + _LIBCUDA,
    "I had trouble getting jax to see the GPU inside a container. I traced the problem back to the \"utility\" "
    "capability that is set in the compose file.\n",
    "The culprit was NVIDIA_DRIVER_CAPABILITIES in my docker-compose file, CUDA could not find libcuda.\n",
]

WORKING = [
    _COMPOSE + "              capabilities: [gpu]\n",
    _COMPOSE + "              capabilities: [gpu, compute, utility]\n",
    "$ docker run --rm -e NVIDIA_DRIVER_CAPABILITIES=compute,utility --runtime=nvidia myimg\n",
    "$ docker run --rm -e NVIDIA_DRIVER_CAPABILITIES=all --runtime=nvidia myimg\n",
    "    # deploy:\n    #   resources:\n    #     reservations:\n    #       devices:\n    #         - driver: nvidia\n"
    "    #           capabilities: [gpu, utility]\n",
    "Could the problem be the \"utility\" capability in my compose file? CUDA fails inside the container.\n",
    "The problem is not the utility capability, docker compose passes compute as well.\n",
    "The problem was the compute capability 3.0 of my old GPU, the container itself is fine.\n",
    "I traced the problem back to the \"utility\" capability.\n",  # no container in the text
    "$ docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=utility myimg\n",  # left to the run command's reader
]


@pytest.mark.parametrize("text", BROKEN)
def test_no_compute_capability_with_cuda_failing_gives_missing_gpus_likely(text):
    assert _claimed(text)
    f = findings(text).get("container_missing_gpus_flag")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", WORKING)
def test_compute_asked_for_or_near_misses_claim_nothing(text):
    assert not _claimed(text)


def test_video_only_container_where_nothing_fails_has_no_finding():
    text = ("services:\n  plex:\n    image: plexinc/pms-docker\n    runtime: nvidia\n    environment:\n"
            "      - NVIDIA_VISIBLE_DEVICES=all\n      - NVIDIA_DRIVER_CAPABILITIES=video,utility\n"
            "Hardware transcoding works, the dashboard shows (hw) on every stream.\n")
    assert _claimed(text)
    assert "container_missing_gpus_flag" not in findings(text)


def test_monitoring_container_with_an_unrelated_failure_has_no_finding():
    text = ("services:\n  exporter:\n    image: utkuozdemir/nvidia_gpu_exporter:1.2.0\n    deploy:\n      resources:\n"
            "        reservations:\n          devices:\n            - driver: nvidia\n"
            "              capabilities: [gpu, utility]\n"
            "The Grafana panel fails to load, the exporter's metrics are fine.\n")
    assert _claimed(text)
    assert "container_missing_gpus_flag" not in findings(text)


def test_another_cause_named_keeps_it_silent():
    text = (_COMPOSE + "              capabilities: [gpu, utility]\n"
            "docker: Error response from daemon: could not select device driver \"nvidia\" with capabilities: [[gpu]].\n")
    fs = findings(text)
    assert "nvidia_container_toolkit_missing" in fs
    assert "container_missing_gpus_flag" not in fs


def test_a_block_list_without_gpu_counts_beside_the_nvidia_driver_only():
    # compose's device request: `driver: nvidia` a few lines from a capability list without
    # compute (and without "gpu") is the NVIDIA device's capabilities; elsewhere it is not
    nvidia = ("services:\n  app:\n    deploy:\n      resources:\n        reservations:\n          devices:\n"
              "            - driver: nvidia\n              count: 1\n              capabilities:\n"
              "                - utility\n")
    other = ("services:\n  app:\n    cap_add:\n      - SYS_ADMIN\n    x-notes:\n      capabilities:\n"
             "        - utility\n")
    assert _claimed(nvidia)
    assert not _claimed(other)
