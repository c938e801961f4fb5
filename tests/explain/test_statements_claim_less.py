"""Words that claim less than a tool's output would: a condition, advice or definition about Xid
codes or ECC errors is no report of this machine (sentences.general_statement), while the person's
own run stays one; a module said loaded is no complete list of the loaded modules."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _ids(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id for f in report.findings}


@pytest.mark.parametrize("text", [
    "Check dmesg for Xid 48 or Xid 79.",
    "Xid 48 means a double-bit ECC error.",
    "If you see Xid 79 in dmesg, the GPU fell off the bus.",
    "In case of an uncorrectable ECC error, reset the GPU.",
    "You should look for Xid 79 in the kernel log.",
])
def test_general_statements_make_no_finding(text):
    assert not _ids(text) & {"gpu_lost", "ecc_errors", "xid_errors_logged"}


@pytest.mark.parametrize("text, finding", [
    ("If I train for an hour, dmesg shows Xid 79.", "gpu_lost"),
    ("dmesg shows Xid 79 and nvidia-smi says the GPU is lost", "gpu_lost"),
    ("We got a double-bit ECC error on GPU 3 yesterday.", "ecc_errors"),
    ("The job died with an uncorrectable ECC error; after that nvidia-smi showed nothing.", "ecc_errors"),
])
def test_reports_of_this_machine_still_count(text, finding):
    assert finding in _ids(text)


def test_a_module_said_loaded_lists_no_other_module():
    # Debian's debconf dialog names "the nvidia kernel module currently loaded": nvidia_uvm is not
    # thereby absent (an lsmod listing without it still is: tests/rules for nvidia_uvm_missing).
    text = ("Mismatching nvidia kernel module loaded\n\nThe NVIDIA driver that is being installed (version 525.89.02) "
            "does not\nmatch the nvidia kernel module currently loaded (version 525.85.12).\n")
    assert "nvidia_uvm_missing" not in _ids(text)
    lsmod = "$ lsmod | grep nvidia\nnvidia_drm             73728  0\nnvidia              56504320  1 nvidia_drm\n"
    assert "nvidia_uvm_missing" in _ids(lsmod)


def test_nvidia_smi_not_found_is_no_cuda_failure():
    # A missing program, not CUDA failing: nvidia_uvm_missing stays the info it is without a failure.
    lsmod = "$ lsmod | grep nvidia\nnvidia_drm             73728  0\nnvidia              56504320  1 nvidia_drm\n"
    _, report = diagnose(source.normalise("[rhel8] nvidia-smi not found, NVIDIA GPU Driver not installed correctly.\n"
                                          + lsmod), collected_at="")
    assert {f.id: f.severity.value for f in report.findings}.get("nvidia_uvm_missing") == "info"
