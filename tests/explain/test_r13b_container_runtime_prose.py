"""The container engine not knowing the NVIDIA runtime, retold (``container_runtime_prose``) or
quoted in another case or with the "unknow" typo (the catalogue's docker_unknown_runtime_retyped):
nvidia_container_toolkit_missing.

Near-misses use the same words: questions, denials, advice under a condition, the fix in the same
sentence, another runtime named."""

from __future__ import annotations

import pytest

from envcheck.derived.runtime_claims import said_unknown
from envcheck.explain import source
from envcheck.explain.parsers import container_runtime_prose
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings


def _claimed(text: str) -> bool:
    found = container_runtime_prose.parse(source.normalise(text))
    return any(c.path == "host.container_gpus" and said_unknown(c.reading) for c in found.claims)


SAID = [
    "After the JetPack update docker no longer recognizes the `nvidia` runtime.\n",
    "Docker doesn't recognise the nvidia runtime even though I installed the toolkit.\n",
    "The nvidia runtime is not registered with docker on this node.\n",
    "containerd cannot find the nvidia runtime, pods stay in ContainerCreating.\n",
    "装完之后 docker 无法识别 nvidia runtime\n",
    "I haven't installed the nvidia container toolkit on the host, CUDA is not available in the container.\n",
    # the toolkit said absent where a GPU container is started (a host with no container needs none)
    "nvidia-container-toolkit is not installed, nvidia-smi fails inside the container.\n",
    "没有安装 nvidia-container-toolkit，docker 里用不了 GPU\n",
]

NOT_SAID = [
    "Why does docker not recognize the nvidia runtime?\n",
    "If docker does not recognize the nvidia runtime, run nvidia-ctk runtime configure.\n",
    "Docker didn't recognize the nvidia runtime, restarting the daemon fixed it now works.\n",
    "docker does not recognize the runsc runtime, but GPU containers run fine.\n",
    "Docker recognizes the nvidia runtime and nvidia-smi works in the container.\n",
    "Make sure docker can find the nvidia runtime.\n",
    "I did not install the CUDA toolkit, only the driver.\n",
    "Do I need to install the nvidia container toolkit if I haven't installed nvidia-docker?\n",
    "nvidia-container-toolkit is not installed in the image, as the docs say.\n",
    "Installing nvidia-docker2 has not fixed the problem, nvidia-smi fails in the container.\n",
    "Installing nvidia-docker2 fixed nothing.\n",
    "If the nvidia container toolkit is not installed, docker cannot give the container a GPU.\n",
]


@pytest.mark.parametrize("text", SAID)
def test_runtime_unknown_said_gives_toolkit_missing_likely(text):
    assert _claimed(text)
    f = findings(text).get("nvidia_container_toolkit_missing")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", NOT_SAID)
def test_near_misses_claim_nothing(text):
    assert not _claimed(text)
    assert "nvidia_container_toolkit_missing" not in findings(text)


@pytest.mark.parametrize("text", [
    "I am getting unknow runtime specified nvidia.\nI have also added the configuration in daemon.json\n",
    "docker-compose up fails with: unknown runtime specified nvidia\n",
    "ERROR: for app  Cannot create container for service app: Unknown runtime specified nvidia\n",
])
def test_docker_refusal_quoted_loosely_is_the_catalogued_message(text):
    assert "nvidia_container_toolkit_missing" in findings(text)


def test_another_runtime_refused_is_not_nvidias():
    assert "nvidia_container_toolkit_missing" not in findings("docker: Error response from daemon: Unknown runtime "
                                                             "specified sysbox-runc.\n")


_INFO = "$ docker info | grep -i runtime\n Runtimes: io.containerd.runc.v2 runc\n Default Runtime: runc\n"


@pytest.mark.parametrize("text", [
    "While running the container Docker wasn't able to access the GPU.\n"
    "Installing the Nvidia container toolkit fixed this issue.\n",
    "I solved it by installing nvidia-docker2.\n",
    "装了 nvidia-container-toolkit 之后就好了\n",
    '{\n  "runtimes": {"nvidia": {"path": "nvidia-container-runtime"}},\n  "default-runtime": "nvidia"\n}\n' + _INFO,
    "$ docker run --runtime=nvidia --rm nvidia/cuda nvidia-smi\ndocker: Error response from daemon: failed to create "
    "shim task\n" + _INFO,
    "services:\n  app:\n    image: nvidia/cuda\n    runtime: nvidia\n" + _INFO,
])
def test_toolkit_fix_told_or_runtime_unlisted_gives_toolkit_missing(text):
    f = findings(text).get("nvidia_container_toolkit_missing")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", [
    "Installing the CUDA toolkit fixed this issue.\n",
    "Does installing the nvidia container toolkit fix it?\n",
    # --gpus goes through the toolkit's hook: docker info need not list an nvidia runtime
    "$ docker run --gpus all --rm nvidia/cuda nvidia-smi\n" + _INFO,
    "$ docker run --runtime=nvidia --rm nvidia/cuda nvidia-smi\n$ docker info | grep -i runtime\n"
    " Runtimes: io.containerd.runc.v2 nvidia runc\n",
])
def test_healthy_listings_and_other_toolkits_say_nothing(text):
    assert "nvidia_container_toolkit_missing" not in findings(text)
