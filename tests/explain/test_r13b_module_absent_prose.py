"""A person retelling what the tools that look for the NVIDIA kernel module showed
(``module_absent_prose``): modprobe found no module, a grep of dmesg/lsmod for NVIDIA came back
empty, an older kernel works where the new one does not — driver_kernel_module_not_loaded, likely.

Near-misses use the same words: questions, denials ("modprobe nvidia works", "shows nothing
unusual"), a condition, a grep for another module, the fix told in the same sentence, a kernel
that works in a paste that never names NVIDIA."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import module_absent_prose
from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import findings


def _claimed(text: str) -> bool:
    found = module_absent_prose.parse(source.normalise(text))
    return any(c.path == "driver.modules_not_loaded" and c.reading.value == ("nvidia",) for c in found.claims)


BROKEN = [
    "a quick `modprobe nvidia` showed that the module does not exist.\nseems to be a DKMS error.\n",
    "After the update modprobe nvidia says module not found, so nothing works.\n",
    "I ran modprobe nvidia and it returned that the module could not be found.\n",
    "nvidia-smi fails. `modprobe nvidia` 提示找不到模块\n",
    "The screen is black. Also doing a dmesg | grep NVIDIA does not show anything.\n",
    "nvidia-smi can't talk to the driver and `lsmod | grep nvidia` returns nothing.\n",
    "lsmod | grep -i nvidia shows nothing at all, the driver 550 is installed\n",
    "驱动装好了，但是 lsmod | grep nvidia 没有任何输出\n",
    "Since the 6.8.0-40 kernel the NVIDIA driver gives a black screen. Booting with 6.8.0-38 works fine.\n",
    "After the kernel update the nvidia driver is not working, the previous kernel still works.\n",
    "nvidia 550 stopped after the update. It works fine with the older kernel.\n",
    "the nvidia driver stopped working after a kernel update\n",
    "After updating the kernel, nvidia-smi no longer works.\n",
    "lsmod shows no nvidia module, nvidia-smi fails.\n",
    "I`ve installed `nvidia-dkms` and use kernel `linux-cachyos`. It can work while I am running the `linux` kernel.\n",
    "When i upgrade the kernel 5.13.18 and i can not use nvidia-smi ,it shows\n",
    "Now I have to manually do `sudo dkms install nvidia/440.31` after a kernel upgrade (Fedora 28).\n",
    "After a reboot my monitor stays dark and `nvidia-smi` reports that the nvidia driver is not running.\n",
    "ubuntu 内核自动更新后 nvidia 驱动用不了了，nvidia-smi 报错\n",
    "升级内核以后 nvidia-smi 不能用了\n",
    "There are no nvidia modules in lsmod although nvidia-driver-550 is installed.\n",
]

HEALTHY = [
    "Does `modprobe nvidia` say the module does not exist on your machine?\n",
    "modprobe nvidia works and nvidia-smi shows the GPU.\n",
    "modprobe nvidia said module not found, reinstalling akmod-nvidia fixed it.\n",
    "If modprobe nvidia says the module does not exist, rebuild it with dkms.\n",
    "bash: modprobe nvidia: command not found\n",
    "dmesg | grep nvidia does not show anything unusual, the GPU works.\n",
    "lsmod | grep nvidia shows nothing related to the crash.\n",
    "lsmod | grep nouveau returns nothing, so nouveau is blacklisted; nvidia is loaded.\n",
    "Check whether lsmod | grep nvidia returns nothing.\n",
    "Does dmesg | grep NVIDIA show anything?\n",
    "Booting with 6.8.0-38 works fine, my wifi driver only fails on the new kernel.\n",  # no NVIDIA
    "The nvidia driver does not work on the older kernel either; booting with 6.8.0-38 also fails.\n",
    "Is it true that the previous kernel still works with nvidia?\n",
    "After the kernel update my wifi driver stopped working, nvidia-smi shows the GPU.\n",
    "If the driver stopped working after a kernel update, reinstall dkms.\n",
    "The nvidia driver stopped working after a kernel update, reinstalling nvidia-dkms fixed it.\n",
    "It's not that the nvidia driver stopped working after the kernel update; training is slow.\n",
    "lsmod shows no nvidia_uvm module\n",
    "内核更新后 nvidia 驱动用不了了吗？\n",
    "It works when I boot the new kernel, nvidia is fine.\n",
    "When I upgraded the kernel, nvidia-smi failed?\n",
    "After updating the kernel nvidia-smi fails with an out of memory error in my script\n",
    "Do I have to run dkms install after every kernel update for nvidia?\n",
    "If nvidia-smi says the driver is not running, reinstall it.\n",
    "The nvidia driver is not running?\n",
    "nvidia-smi said the driver was not running, it works again after a reboot.\n",
    "如果内核升级后 nvidia 驱动用不了，重新安装 dkms\n",  # the UVM module, not nvidia.ko (its own finding)
]


@pytest.mark.parametrize("text", BROKEN)
def test_module_absence_retold_is_claimed_and_found_likely(text):
    assert _claimed(text)
    f = findings(text).get("driver_kernel_module_not_loaded")
    assert f is not None and f.confidence == Confidence.LIKELY


@pytest.mark.parametrize("text", HEALTHY)
def test_near_misses_claim_nothing(text):
    assert not _claimed(text)
    assert "driver_kernel_module_not_loaded" not in findings(text)


def test_a_working_machine_with_the_words_stays_clean():
    text = ("| NVIDIA-SMI 550.54.14    Driver Version: 550.54.14    CUDA Version: 12.4 |\n"
            "lsmod | grep nvidia_uvm shows nothing unusual; the old kernel works too.\n")
    assert not _claimed(text)
    assert not [f for f in findings(text).values() if f.severity.value == "error"]
