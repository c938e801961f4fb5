"""Round 25 c: a container that gets no GPU on a host whose other containers do.

"GPU not detected … Standard docker-compose from repo … All other GPU containers on the server are
running fine" (SikamikanikoBG/homelab-monitor#203): the host's driver and toolkit work, and the GPU
is requested per container, so this container's start asked for none (parsers/container_others.py,
rules/container_others.py). Texts written for the test after that report's shape, each class with
near-misses that must stay silent: a question, advice, a denial, other containers on another
machine, a start that did ask for the GPU, nothing failing, a CPU torch in the image.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FLAG = "container_missing_gpus_flag"


@pytest.mark.parametrize("text", [
    "GPU not detected on fresh install. Standard docker-compose from repo, no edits.\n"
    "All other GPU containers on the server are running fine.",
    "The app in docker says no GPU found. My other containers can use the GPU without problems.",
    "torch.cuda.is_available() returns False in the docker container, but the GPU works fine in other containers.",
    "In docker the model runs on the CPU instead of the GPU. All my other docker containers see the GPU.",
    "docker compose 起动后 GPU 用不了。其他容器都能正常使用GPU。",
    "Docker で GPU が認識されない。他のコンテナでは GPU が使えます。",
])
def test_others_get_the_gpu_and_this_one_does_not(text):
    assert FLAG in findings(text)


# Alone, this says nothing of the cause (the near-misses below add to it).
BASE = "GPU not detected by the app. I run it with docker compose."


def test_the_base_alone_is_silent():
    assert FLAG not in findings(BASE)


@pytest.mark.parametrize("text", [
    # a question, advice, a denial
    BASE + " Do other containers see the GPU?",
    BASE + " Check whether other containers can use the GPU.",
    BASE + " Other containers are not running fine either.",
    BASE + " None of my other containers work either.",
    # other containers on another machine
    BASE + " Other containers on my old server run fine.",
    # the start asked for the GPU: the cause is elsewhere (the image)
    "GPU not detected by the app.\n$ docker run --gpus all myimage\nAll other GPU containers on the server "
    "are running fine.",
    # nothing fails, or the failure is over
    "At first the GPU was not detected by the app in docker compose, but after recreating the container it works "
    "fine now. All other GPU containers on the server are running fine.",
    "I run the app with docker compose. All other GPU containers on the server are running fine, and this one too.",
    # a failure that is not about the GPU
    "The web UI in docker crashes when I upload a file. All other GPU containers on the server are running fine.",
])
def test_near_misses_stay_silent(text):
    assert FLAG not in findings(text)


def test_cpu_torch_in_the_image_is_its_own_cause():
    text = ("The model runs on the CPU instead of the GPU with docker compose. torch.__version__ is 2.3.1+cpu.\n"
            "All other GPU containers on the server are running fine.")
    got = findings(text)
    assert FLAG not in got
