"""Round 28 v: the GPU unreachable after a fresh NVIDIA driver (or CUDA) install until a reboot loaded the
module (driver_reboot_said). Texts written for the test, with near-misses: a driver UPDATE needing the
reboot (the mismatch's class), advice, a question, a routine reboot with no failure, a reboot that did
not help.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"
MISMATCH = "nvml_driver_library_mismatch"


@pytest.mark.parametrize("text", [
    "I needed to reboot my system after installing CUDA before the command would list my GPUs.",
    "We had to restart the server after installing the nvidia driver before nvidia-smi would work.",
    "nvidia-smi didn't work until I rebooted after installing the driver 550.",
    "I installed the nvidia driver but haven't rebooted yet, nvidia-smi says it couldn't communicate.",
    "I forgot to reboot after installing the nvidia driver.",
    "安装驱动后需要重启才能识别显卡",
    "ドライバをインストールした後、再起動するまで nvidia-smi が動かなかった",
    "Nach der Treiberinstallation musste ich neu starten, damit nvidia-smi funktioniert.",
    "Tuve que reiniciar después de instalar el driver para que nvidia-smi funcionara.",
    "После установки драйвера пришлось перезагрузиться, чтобы nvidia-smi заработал.",
    "드라이버 설치 후 재부팅해야 nvidia-smi가 됐다",
])
def test_fresh_install_needed_a_reboot(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "I had to reboot after updating the nvidia driver before nvidia-smi would work.",
    "I needed to reboot after upgrading the driver to 550 before nvidia-smi would list my GPUs.",
    "You need to reboot after installing the driver before nvidia-smi will work.",
    "Do I need to reboot after installing CUDA before nvidia-smi would work?",
    "I installed the driver and rebooted, nvidia-smi shows my RTX 3090.",
    "Make sure to restart after installing the nvidia driver.",
    "Failed to initialize NVML: Driver/library version mismatch\nI had to reboot after installing the driver before "
    "nvidia-smi would work.",
])
def test_reboot_near_misses(text):
    assert NOT_LOADED not in findings(text)
