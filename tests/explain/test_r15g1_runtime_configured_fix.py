"""The engine's configuration for the NVIDIA runtime told as the fix (``container_runtime_prose``):
nvidia_container_toolkit_missing, likely. Told over a few lines (containerd's default_runtime_name,
the toolkit's ``nvidia-ctk runtime configure`` in a block of its own) or in one sentence.

Near-misses: the configuration said not to have fixed it, a question, advice under a condition, a
"fixed" that belongs to something else."""

from __future__ import annotations

import pytest

from envcheck.derived.container_claims import RUNTIME_CONFIGURED_DETAIL
from envcheck.explain import source
from envcheck.explain.parsers import container_runtime_prose
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings


def _claimed(text: str) -> bool:
    found = container_runtime_prose.parse(source.normalise(text))
    return any(c.path == "host.container_gpus" and str(c.reading.detail).startswith(RUNTIME_CONFIGURED_DETAIL)
               for c in found.claims)


SAID = [
    "Pods on the GPU node cannot run nvidia-smi.\n\nChanging this line in /etc/containerd/config.toml\n\n"
    "default_runtime_name = \"runc\"\n\nto\n\ndefault_runtime_name = \"nvidia\"\n\nfixed the problem.\n",
    "I had to run\n```\nsudo nvidia-ctk runtime configure --runtime=docker\nsudo systemctl restart docker\n```\n"
    "that solved it, the container sees the GPU now.\n",
    "Setting the default runtime to nvidia in /etc/docker/daemon.json fixed it for the compose services.\n",
    "I fixed it by running nvidia-ctk runtime configure --runtime=containerd and restarting containerd.\n",
]

NOT_SAID = [
    "I ran nvidia-ctk runtime configure --runtime=docker but it has not resolved anything.\n",
    "Has anyone solved this by running nvidia-ctk runtime configure?\n",
    "If setting the default runtime to nvidia fixed it for you, please say so.\n",
    "Setting the default runtime to nvidia did nothing.\n\nUpgrading the kernel fixed the build of my module.\n",
    "The nvidia runtime is the default runtime in daemon.json.\nThe typo in my script is fixed now.\n",
]


@pytest.mark.parametrize("text", SAID)
def test_configuration_told_as_the_fix_gives_toolkit_missing_likely(text):
    assert _claimed(text)
    f = findings(text).get("nvidia_container_toolkit_missing")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", NOT_SAID)
def test_near_misses_claim_nothing(text):
    assert not _claimed(text)
