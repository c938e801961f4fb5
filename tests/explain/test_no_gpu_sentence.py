"""A sentence opening on the absence of an NVIDIA GPU ("No NVIDIA GPU on this laptop, so …") is a
person saying the machine has none (prose_state); "No NVIDIA GPU on this machine is detected" is the
failure being reported, not the machine's make-up. With a CPU wheel beside it, nothing is wrong with
the build: a CPU-only torch is no finding there."""

import pytest

from envcheck.explain import diagnose, source


def _ids(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f for f in report.findings}


@pytest.mark.parametrize("text", [
    "No NVIDIA GPU on this laptop, so I installed the CPU wheel on purpose: torch 2.3.1+cpu.\n",
    "I run the unit tests at home. No NVIDIA GPU in my desktop; torch 2.4.0+cpu is what I use.\n",
])
def test_said_absent_and_a_cpu_wheel_is_no_build_problem(text):
    found = _ids(text)
    assert "torch_cpu_only_build" not in found
    assert "no_nvidia_gpu_found" in found and found["no_nvidia_gpu_found"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "No NVIDIA GPU on this machine is detected since the update, torch.cuda.is_available() returns False\n",
    "no nvidia gpu on this server was found by the container, but nvidia-smi works on the host\n",
])
def test_the_failure_reported_is_not_the_machine_lacking_one(text):
    assert "no_nvidia_gpu_found" not in _ids(text)
