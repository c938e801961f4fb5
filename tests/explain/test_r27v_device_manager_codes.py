"""Round 27 v: Windows' Device Manager refusing to load the NVIDIA GPU's driver (device_manager_codes):
Code 52 (unsigned driver), Code 39 (driver failed to load), Code 31 (drivers cannot be loaded),
pasted from the dialog or retold. Texts written for the test, with the near-misses: Code 43 (the
driver loaded), another device's Code 52 beside an NVIDIA card, a question, the problem said fixed,
no NVIDIA named.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"
C52 = ("Windows cannot verify the digital signature for the drivers required for this device. A recent hardware or "
       "software change might have installed a file that is signed incorrectly or damaged, or that might be malicious "
       "software from an unknown source. (Code 52)")


@pytest.mark.parametrize("text", [
    "Device Manager, NVIDIA GeForce GTX 1650:\n" + C52,
    "After the restart my RTX 3060 shows code 52 in Device Manager and torch.cuda.is_available() is False.",
    "NVIDIA GeForce RTX 2070\nWindows cannot load the device driver for this hardware. The driver may be corrupted or "
    "missing. (Code 39)",
    "设备管理器里 NVIDIA GeForce RTX 3060 显示错误代码 31。",
])
def test_device_manager_refused_the_driver(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "NVIDIA GeForce RTX 3060: Windows has stopped this device because it has reported problems. (Code 43)",
    "GPU: NVIDIA GeForce RTX 4070\nin device manager the VAD audio driver is not working with error code 52.",
    "Does code 52 on my RTX 3060 mean the driver is unsigned?",
    "My RTX 3060 showed code 52 in Device Manager; reinstalling the driver fixed it.",
    C52,
])
def test_device_manager_near_misses(text):
    assert NOT_LOADED not in findings(text)
