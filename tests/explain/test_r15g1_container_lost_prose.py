"""Running containers said to lose the GPU beside NVML's "Unknown Error" (``container_lost_prose``):
the error is a container's, container_gpu_lost_after_daemon_reload (likely).

Near-misses: no NVML error in the text, a question, a condition, a denial, another NVML error."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import container_lost_prose
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings

_NVML = "$ nvidia-smi\nFailed to initialize NVML: Unknown Error\n"


def _claimed(text: str) -> bool:
    found = container_lost_prose.parse(source.normalise(text))
    return any(c.path == "host.container" for c in found.claims)


SAID = [
    "After a random amount of time the GPUs become unavailable inside all the running containers.\n" + _NVML,
    "After a few days the GPU disappears from all containers while the host is fine.\n" + _NVML,
    _NVML + "Every time we run systemctl daemon-reload on the node the running containers lose the GPU.\n",
    _NVML + "Restarting the container fixes it for a few hours.\n",
    _NVML + "The pods lose access to the GPU after a while, kubectl delete pod helps.\n",
    _NVML + "跑了几个小时之后就这样了，重启容器后恢复正常\n",
]

NOT_SAID = [
    "After a random amount of time the GPUs become unavailable inside all the running containers.\n",  # no NVML error
    _NVML + "Do the containers lose the GPU after systemctl daemon-reload too?\n",
    _NVML + "If the containers lose the GPU, restart them.\n",
    _NVML + "The containers do not lose the GPU, only the host's nvidia-smi fails.\n",
    "$ nvidia-smi\nFailed to initialize NVML: Driver/library version mismatch\n"
    "Restarting the container fixes nothing.\n",
]


@pytest.mark.parametrize("text", SAID)
def test_containers_said_to_lose_the_gpu_give_the_daemon_reload_finding(text):
    assert _claimed(text)
    f = findings(text).get("container_gpu_lost_after_daemon_reload")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", NOT_SAID)
def test_near_misses_claim_nothing(text):
    assert not _claimed(text)
