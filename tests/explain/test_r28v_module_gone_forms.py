"""Round 28 v: more shapes of the NVIDIA module missing for the running kernel, as strangers write them
(module_load_prose, module_absent_prose): "wasn't built for it", "no NVIDIA module for the running
kernel", "lsmod shows nothing for nvidia", a kernel updated "and the NVIDIA driver stopped working",
Chinese nvidia-smi unable to talk to the driver after a kernel upgrade. Texts written for the test, with
near-misses: another kernel's module, a question, the driver said to work, a fix told after it.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"


@pytest.mark.parametrize("text", [
    "unattended-upgrades installed a new kernel and the nvidia module wasn't built for it",
    "No NVIDIA module for the running kernel 6.8.0-45-generic.",
    "lsmod shows nothing for nvidia",
    "内核升级后 nvidia-smi 无法和驱动通信",
    "Ubuntu updated the kernel to 6.8 and the NVIDIA driver stopped working",
])
def test_module_gone_forms(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "Ubuntu updated the kernel to 6.8 and the NVIDIA driver still works",
    "the nvidia module wasn't built for the old kernel, which I don't use; it works on the new one",
    "Is there no nvidia module for the running kernel?",
    "I updated the kernel and the nvidia driver stopped working, then I reinstalled it and now it works.",
    "lsmod shows nothing unusual, nvidia is loaded",
])
def test_module_gone_near_misses(text):
    assert NOT_LOADED not in findings(text)
