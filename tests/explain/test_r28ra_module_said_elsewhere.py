"""Review of round 28 (ra): the module readers of round 28 v (module_build_said, driver_reboot_said,
module_absent_prose's build/update/not-running forms, module_load_prose's module gone) on what a working
machine's owner pastes: a reference quoted ("Release notes: …", "The tutorial: …", "The README says: …"),
another machine ("My friend's laptop: …", "On my old laptop …"), a routine reboot called normal or expected,
advice reported ("The installer said I need to restart …"), a reboot not yet done on a machine said to work,
a build said to succeed after its failure, German "lief alles wieder". Each gave
driver_kernel_module_not_loaded (an error) before the fix. Broken texts of the same classes stay found.
Texts written for the test.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"


@pytest.mark.parametrize("text", [
    # a reference quoted
    "Release notes: nvidia-dkms fails to build on linux 6.9 with 545; use 550 or newer.",
    "The README says: I had to reboot after installing the driver before nvidia-smi would list the GPUs.",
    "The tutorial: there is no nvidia kernel module for the running kernel until you run dkms autoinstall.",
    # another machine
    "My friend's laptop: nvidia dkms broken since kernel 6.6.1. Mine is fine.",
    "On my old laptop I had to reboot after installing the driver before nvidia-smi would work. This machine is a "
    "different issue: training is slow.",
    # routine, expected, reported advice
    "Step 3: I needed to reboot my system after installing the driver before nvidia-smi would list my GPUs (as "
    "expected). Step 4: train.",
    "We had to restart the server after installing the driver to get nvidia-smi to work, which is normal.",
    "The installer said I need to restart after installing the driver for the GPU to show up; I did, and it shows up.",
    # a reboot not done, the machine said to work
    "I installed the driver but haven't rebooted yet, will do it tonight. Anyway, my question is about batch sizes; "
    "training works fine.",
    "I installed the driver and didn't reboot because it wasn't needed: nvidia-smi worked right away.",
    # the build said to succeed after its failure; the failure said over in German
    "nvidia dkms build failed on kernel 6.6 but after reinstalling the headers it built.",
    "Nach dem Kernel-Update funktioniert der NVIDIA-Treiber nicht mehr, aber nach einem Neustart lief alles wieder.",
    # a reboot not done on a machine said to work, a guide's words, anyone's duty, in other languages
    "装了驱动还没重启，不过 nvidia-smi 一切正常，训练也没问题。",
    "教程里说：安装驱动后需要重启才能识别显卡。我照做了，现在一切正常。",
    "Laut Anleitung: nach der Treiberinstallation muss man neu starten, damit nvidia-smi funktioniert.",
    # the build's failure said over in other languages
    "el módulo de nvidia no compila con el kernel 6.6, pero con el driver 550 ya funciona.",
    "la compilation du module nvidia échouait avec le noyau 6.6, avec le pilote 550 ça marche à nouveau.",
    "カーネル更新後、nvidia の DKMS のビルドに失敗しましたが、ドライバを更新したら直りました。",
    "после обновления ядра dkms не собирает модуль nvidia, но после установки заголовков всё заработало",
])
def test_working_machine_pastes_claim_nothing(text):
    assert NOT_LOADED not in findings(text)


@pytest.mark.parametrize("text", [
    "nvidia-dkms fails to build on linux 7.1",
    "after the kernel update to 6.9 the nvidia dkms module won't build anymore",
    "dkms build of nvidia 535 errors out on the 6.10 kernel",
    "Kernel 6.6 broke nvidia-dkms 470 on my machine",
    "nvidia dkms build failed on kernel 6.6 and reinstalling the headers did not help.",
    "I had to reboot after installing CUDA before the command would list my GPUs.",
    "nvidia-smi didn't work until I rebooted after installing the driver",
    "I installed the driver but haven't rebooted yet and nvidia-smi says NVIDIA-SMI has failed because it couldn't "
    "communicate with the NVIDIA driver.",
    "Nach dem Kernel-Update funktioniert der NVIDIA-Treiber nicht mehr.",
    "nach der Treiberinstallation musste ich neu starten, damit nvidia-smi funktioniert",
    "装了驱动还没重启，nvidia-smi 报错。",
    "Ubuntu updated the kernel to 6.8 and the NVIDIA driver stopped working",
    "there is no nvidia kernel module for the running kernel",
    "My colleague's server works, but on this machine nvidia-dkms fails to build on linux 6.8.",
])
def test_broken_texts_of_the_classes_still_found(text):
    assert NOT_LOADED in findings(text)
