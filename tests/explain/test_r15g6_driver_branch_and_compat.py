"""Round 15 g6: a driver named by its branch alone ("the version of the driver is 525",
explain/parsers/driver_branch_said.py), a sentence giving the driver's version and then a CUDA
that is not the driver's (explain/parsers/cuda_said.py), CUDA's error 804 as the driver-older
failure beside them (rules/driver_older_program.py said_cuda_beyond_driver), and torch's "driver
too old" quoted without its space (messages.toml torch_driver_too_old_retyped).

Texts written for the test after the shapes of real reports; each widening has near-misses:
a wanted or asked driver, a change between two branches, a branch that runs the CUDA, nothing
failing, another failure than 804 within one CUDA major, the message printed exactly."""

from __future__ import annotations

import pytest

from envcheck.derived.driver_branch import said_branch
from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import findings

NEWER = "cuda_toolkit_newer_than_driver"
ERR_804 = ("RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before "
           "calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was "
           "attempted on non supported HW")


def _facts(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts


@pytest.mark.parametrize("said, branch", [
    ("I use the RTX3090 whose version of the driver is 525 and the cuda version is 12.1.", "525"),
    ("My driver is 470 and CUDA 11.7 is installed", "470"),
    ("nvidia driver 535 on Ubuntu 22.04", "535"),
    ("I am on the 550 driver.", "550"),
])
def test_a_branch_named_alone_is_kept_as_a_branch(said, branch):
    r = _facts(said).nvml.driver_version
    assert not r.ok and said_branch(r) == branch  # never a version a minimum is compared with


@pytest.mark.parametrize("said", [
    "You need driver 525 or newer for CUDA 12.",
    "I upgraded to the 535 driver.",
    "Should I install driver 550?",
    "sudo apt install nvidia-driver-525",
    "My old laptop's driver 390 could not run it.",
    "I had driver 470, now driver 535.",  # a change: two branches
    "| NVIDIA-SMI 525.85.12    Driver Version: 525.85.12    CUDA Version: 12.0 |",
])
def test_wanted_asked_other_or_changed_branches_are_not_read(said):
    assert said_branch(_facts(said).nvml.driver_version) is None


def test_a_full_version_stays_freetexts():
    r = _facts("My driver version is 525.85.12").nvml.driver_version
    assert r.ok and r.value == "525.85.12"


def test_the_driver_then_a_cuda_is_not_the_drivers_cuda():
    r = _facts("the version of the driver is 525 and the cuda version is 12.1").nvml.cuda_driver_version
    assert not r.ok and "12.1" in str(r.detail)  # a CUDA said for the machine, whose not told
    r = _facts("the driver version 470 supports cuda 11.4").nvml.cuda_driver_version
    assert r.ok and r.value == "11.4"  # one clause: the driver's own CUDA


def test_804_with_a_branch_older_than_the_cuda_is_the_toolkit_newer():
    text = ("Whenever I run pytorch in the docker it shows:\n" + ERR_804 +
            "\nThe version of the driver is 525 and the cuda version is 12.1 in the docker.")
    assert NEWER in findings(text)


@pytest.mark.parametrize("text", [
    # the branch runs that CUDA
    ERR_804 + "\nThe version of the driver is 535 and the cuda version is 12.1.",
    # nothing failed
    "The version of the driver is 525 and the cuda version is 12.1, and everything trains fine.",
    # within one major another failure than 804 does not say the driver is older (minor-version compatibility)
    "RuntimeError: CUDA error: an illegal memory access was encountered\n"
    "The version of the driver is 525 and the cuda version is 12.1.",
    # asked, not told
    ERR_804 + "\nDoes driver 525 work with cuda 12.1?",
])
def test_near_misses_give_no_toolkit_newer(text):
    assert NEWER not in findings(text)


def test_a_branch_older_across_a_major_needs_no_804():
    text = ("cudaGetDeviceCount returned 35\n-> CUDA driver version is insufficient for CUDA runtime version\n"
            "My driver is 470 and the cuda version is 12.1.")
    assert NEWER in findings(text)


@pytest.mark.parametrize("quoted", [
    'It raise assertion error which shows "The NVIDIA driver on your system is too old(found version 8000)".',
    "The NVIDIA driver on your system is too old  (found version 10010).",
    "The NVIDIA driver on your system is too old\n(found version 11040).",
])
def test_torchs_driver_too_old_retyped_is_still_torchs(quoted):
    assert "driver_too_old_for_torch_cuda" in findings(quoted)


def test_the_printed_message_is_the_original_entrys():
    explanation, _ = diagnose(source.normalise(
        "RuntimeError: The NVIDIA driver on your system is too old (found version 11040)."), collected_at="")
    ids = {s.id for s in __import__("envcheck.derived.messages", fromlist=["stated"]).stated(explanation.facts)}
    assert "torch_driver_too_old" in ids and "torch_driver_too_old_retyped" not in ids


OLLAMA_FILTERED = ('time=2026-06-02T13:52:53.784+03:00 level=WARN source=cuda_compat.go:71 msg="NVIDIA driver too old" '
                   'device="NVIDIA GeForce GTX 1070 Ti" compute=6.1 driver=535 required_driver="570 or newer"')


def test_ollama_filtering_a_gpu_for_an_old_driver_is_the_toolkit_newer():
    assert NEWER in findings(OLLAMA_FILTERED)


@pytest.mark.parametrize("text", [
    # its other line: nothing compared
    'time=2026-06-02T13:52:53.784+03:00 level=WARN source=cuda_compat.go:40 msg="could not verify NVIDIA driver '
    'compatibility for CUDA"',
    # a GPU discovery that kept the GPU
    'time=2026-06-02T13:52:53.784+03:00 level=INFO source=types.go:42 msg="inference compute" id=GPU-0 library=CUDA '
    'compute=6.1 name=CUDA0 description="NVIDIA GeForce GTX 1070 Ti" driver=12.9 total="8.0 GiB"',
])
def test_ollamas_other_discovery_lines_are_not_it(text):
    assert NEWER not in findings(text)
