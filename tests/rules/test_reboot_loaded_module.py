"""A module a reboot loaded is a failure told as over (rules/platform.py, explain/parsers/driver_reboot_said.py):
a warning, and no Secure Boot check (Secure Boot let the module in); not where the machine has not been
rebooted yet, nor where a tool's output shows the driver unreachable now."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _findings(text: str):
    return {f.id: f.severity.value for f in diagnose(source.normalise(text), collected_at="")[1].findings}


@pytest.mark.parametrize("text", [
    "I needed to reboot my system after installing CUDA before nvidia-smi would list my GPUs. It worked after rebooting.",
    "nvidia-smi didn't work until I rebooted after installing the driver, now everything works fine",
])
def test_a_reboot_that_loaded_the_module_is_a_warning(text):
    found = _findings(text)
    assert found.get("driver_kernel_module_not_loaded") == "warning", found
    assert "driver_not_loaded_secure_boot" not in found


@pytest.mark.parametrize("text", [
    # not rebooted yet: the module is not loaded now
    "I installed the nvidia driver but haven't rebooted yet, nvidia-smi says it couldn't communicate with the NVIDIA driver",
    # the tool's own failure pasted beside the story: unreachable now
    "I needed to reboot after installing the driver before nvidia-smi worked. Today it fails again:\n"
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
    "NVIDIA driver is installed and running.",
])
def test_a_module_not_loaded_now_stays_an_error(text):
    assert _findings(text).get("driver_kernel_module_not_loaded") == "error"
