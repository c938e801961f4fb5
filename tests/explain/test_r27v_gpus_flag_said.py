"""Round 27 v: the --gpus flag said to be missing in more shapes (container_prose's cause): "the
quickstart is missing a flag for docker: --gpus all", "I had to add --gpus=all", Portuguese "sem
--gpus all" / "esqueci de adicionar --gpus", Russian "без --gpus all" / "забыл добавить --gpus".
Texts written for the test, with the near-misses: advice, a question, the flag used and working, a
run that still fails with the flag.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FLAG = "container_missing_gpus_flag"


@pytest.mark.parametrize("text", [
    "The quickstart setup for GPU support is missing a flag for docker: --gpus all.",
    "I had to add --gpus=all to the docker run command to get the GPU in the container.",
    "We needed to pass --gpus all to docker run, otherwise torch.cuda.is_available() was False.",
    "Rodei o container sem --gpus all e o torch.cuda.is_available() retornou False.",
    "Esqueci de adicionar --gpus all no docker run.",
    "Запускал контейнер без --gpus all, поэтому torch.cuda.is_available() был False.",
    "Я забыл добавить --gpus all в docker run.",
])
def test_flag_said_missing(text):
    assert FLAG in findings(text)


@pytest.mark.parametrize("text", [
    "Make sure you had to add --gpus all? I am not sure it is needed.",
    "Do I need to add --gpus all to docker run?",
    "I run the container with --gpus all and torch.cuda.is_available() is True.",
    "You need to add --gpus all when you start the container.",
])
def test_flag_said_missing_near_misses(text):
    assert FLAG not in findings(text)
