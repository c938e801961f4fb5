"""Round 25 c: a running container said to lose the GPU after a while, without NVML's error.

"GPU was available in the running Docker container, but after a while it became unavailable"
(NVIDIA/nvidia-container-toolkit#386, a thin report whose error line may be left out): the known loss of
a running container's device access at a host's systemd reload (nvidia-container-toolkit#48)
(parsers/container_lost_prose.py, rules/container_lost_said.py). Texts written for the test, with
near-misses: a question, a denial, a condition, another trigger named (a reboot, a sleep, a driver
update), another machine, and "restarting the container fixes it" alone (a start before the driver).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

LOST = "container_gpu_lost_after_daemon_reload"


@pytest.mark.parametrize("text", [
    "The GPU disappears from my docker container after a few days; restarting the container fixes it.",
    "nvidia-smi stops working inside the container after some time, but works on the host.",
    "GPU was available in the running Docker container, but after a while it became unavailable.",
    "After running systemctl daemon-reload the running containers lose the GPU.",
    "容器运行一段时间后 GPU 就不可用了，重启容器后恢复。",
    "コンテナを長時間動かしているとGPUが見えなくなります。",
    "컨테이너를 오래 실행하면 GPU가 사라집니다.",
])
def test_a_running_container_losing_the_gpu(text):
    assert LOST in findings(text)


@pytest.mark.parametrize("text", [
    "Does the GPU disappear from docker containers after a while?",
    "The GPU never disappears from my containers, even after days.",
    "If the GPU becomes unavailable in the container after some time, restart it.",
    # another trigger: a reboot (a container started before the driver), a sleep, a driver update
    "After a reboot the GPU is not visible in the container until I restart the container.",
    "After the laptop wakes up from sleep the GPU stops working in the docker container.",
    "After a driver update the GPU stopped working in the container after a few hours.",
    # another machine
    "On my old server the GPU disappeared from docker containers after a few days.",
    # a setup step told, then the container restarted
    "I ran systemctl daemon-reload and restarted the container.",
    # restarting fixes it, and nothing says the container had the GPU
    "The app in docker doesn't start with GPU; restarting the container fixes it.",
])
def test_near_misses_stay_silent(text):
    assert LOST not in findings(text)
