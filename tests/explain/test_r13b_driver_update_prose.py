"""A driver update without a reboot said in prose (``driver_update_prose``), and NVML's
"Driver/library version mismatch" retyped without its slash (the catalogue's
nvml_driver_library_mismatch_retyped): nvml_driver_library_mismatch, likely.

Near-misses use the same words: advice under a condition, a question, a reboot done, the fix told,
a fresh install (not an update), NVML answering in the same paste."""

from __future__ import annotations

import pytest

from envcheck.derived.driver_claims import said_mismatch
from envcheck.explain import source
from envcheck.explain.parsers import driver_update_prose
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings

_SMI_OK = "| NVIDIA-SMI 550.54.14    Driver Version: 550.54.14    CUDA Version: 12.4 |\n"


def _claimed(text: str) -> bool:
    found = driver_update_prose.parse(source.normalise(text))
    return any(c.path == "driver.userspace_library_version" and said_mismatch(c.reading) for c in found.claims)


@pytest.mark.parametrize("text", [
    "I updated the nvidia driver yesterday and didn't reboot; now nvidia-smi fails.\n",
    "Upgraded the driver to 550.54.14 without rebooting, now CUDA is not available.\n",
    "更新了驱动还没重启，nvidia-smi 报错\n",
])
def test_update_without_reboot_is_a_likely_mismatch(text):
    assert _claimed(text)
    f = findings(text).get("nvml_driver_library_mismatch")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", [
    "If you updated the driver without rebooting, reboot first.\n",
    "I updated the nvidia driver and rebooted, nvidia-smi works.\n",
    "Did you update the driver without a reboot?\n",
    "I updated the driver without rebooting, a reboot fixed it.\n",
    "I installed the nvidia driver but didn't reboot yet.\n",
])
def test_near_misses_claim_nothing(text):
    assert not _claimed(text)
    assert "nvml_driver_library_mismatch" not in findings(text)


def test_nvml_answering_outweighs_the_words():
    assert "nvml_driver_library_mismatch" not in findings(_SMI_OK + "I updated the nvidia driver yesterday and didn't reboot.\n")


@pytest.mark.parametrize("text", [
    "after apt upgrade, nvidia-smi gives driver library version mismatch\n",
    "I got the error in https://stackoverflow.com/questions/43022843/nvidia-nvml-driver-library-version-mismatch\n",
])
def test_the_message_retyped_without_its_slash(text):
    f = findings(text).get("nvml_driver_library_mismatch")
    assert f is not None and f.confidence == Confidence.LIKELY
