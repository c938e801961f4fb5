"""Round 28 v: a kernel update said to have broken the NVIDIA driver, in the languages module_absent_prose
does not read (module_build_said's second part), "since upgrading to kernel X" in English, a kernel named
as breaking the driver, a kernel updated without the reboot; and more shapes of a fresh install that
needed a reboot (driver_reboot_said). Texts written for the test, with near-misses: another device's
driver, a question, a fix said after it, a denial, a machine said to work.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"


@pytest.mark.parametrize("text", [
    "Since upgrading to kernel 6.8 my nvidia driver no longer works.",
    "Nach dem Kernel-Update funktioniert der NVIDIA-Treiber nicht mehr.",
    "Después de actualizar el kernel, el driver de nvidia dejó de funcionar.",
    "Depois de atualizar o kernel o driver da nvidia parou de funcionar.",
    "Après la mise à jour du noyau, le pilote nvidia ne fonctionne plus.",
    "После обновления ядра драйвер nvidia перестал работать.",
    "カーネルをアップデートしたら nvidia のドライバが動かなくなった",
    "커널 업데이트 후 nvidia 드라이버가 작동하지 않습니다",
    "linux 6.6 breaks nvidia 525",
    "Updated the kernel, but didn't reboot.\nCUDA error: no CUDA-capable device is detected",
    "The nvidia driver installed fine but I haven't restarted yet; nvidia-smi fails.",
    "nvidia-smi only worked after a reboot following the driver installation",
    "I had to restart my PC after the driver install for the GPU to show up in nvidia-smi.",
    "装完驱动之后 nvidia-smi 报错，重启以后就好了",
])
def test_kernel_update_and_fresh_install(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "Nach dem Kernel-Update funktioniert der WLAN-Treiber nicht mehr, die GPU (nvidia) geht.",
    "Après la mise à jour du noyau, le pilote nvidia ne fonctionne plus ?",
    "Después de actualizar el kernel, el driver de nvidia dejó de funcionar, pero reinstalando el driver ya funciona.",
    "Updated the kernel, but didn't reboot; everything still works fine with CUDA.",
    "linux 6.6 doesn't break nvidia 525",
    "nvidia-smi only worked after a reboot following the driver update",
    "The driver installed fine and I rebooted, nvidia-smi works.",
    "Wenn nach dem Kernel-Update der NVIDIA-Treiber nicht mehr funktioniert, DKMS neu bauen.",
])
def test_kernel_update_near_misses(text):
    assert NOT_LOADED not in findings(text)
