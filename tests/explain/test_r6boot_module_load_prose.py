"""A person retelling what happened to the GPU's kernel modules (``module_load_prose``): the
NVIDIA DKMS/akmods module gone or never built (driver_kernel_module_not_loaded), nouveau
loading although blacklisted (nouveau_bound); and nvidia_uvm_missing not raised to an error by
nvidia-smi merely missing from PATH.

Near-misses: questions, denials, the same words followed by the fix, another vendor's DKMS
module, a modprobe.d listing, a healthy machine with nouveau blacklisted and nvidia loaded."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import module_load_prose
from envcheck.rules.finding import Severity
from tests.rules.test_unseen_classes import findings as _findings

_SMI = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        "Make sure that the latest NVIDIA driver is installed and running.\n")




def _claim(text: str, path: str):
    return [c for c in module_load_prose.parse(source.normalise(text)).claims if c.path == path]


GONE = [
    "After a dnf update of dkms-nvidia the dkms module is completely gone and nvidia-smi fails.\n",
    "The update seemingly deleted my dkms module entirely; I run dkms install nvidia/560.35.03 by hand each time.\n",
    "After the kernel update the nvidia kernel module was not rebuilt for the new kernel.\n",
    "Updated to 6.8 and now the nvidia module is missing, Xorg falls back to llvmpipe.\n",
    "akmods did not build the nvidia kernel module after the upgrade to 6.5.\n",
    "Ubuntu 自动更新内核以后 nvidia 内核模块没有编译，nvidia-smi 报错\n" + _SMI,
    "升级内核后 NVIDIA 模块不见了\n" + _SMI,
    _SMI + "It looks like the DKMS module for the new kernel is gone.\n",
]

GONE_NEAR = [
    "Is the nvidia dkms module gone after a kernel update?\n",
    "The nvidia module is not missing, lsmod shows it.\n",
    "The dkms module was gone after the update, reinstalling nvidia-dkms fixed it.\n",
    "my virtualbox dkms module is gone after the kernel update\n",  # no NVIDIA named
    "nvidia-smi works, but the vboxdrv dkms module is gone after the update\n",  # another module
    "dkms status\nnvidia/535.113.01, 6.2.0-34-generic, x86_64: installed\nthe old dkms module was removed? no idea\n",
]


@pytest.mark.parametrize("text", GONE)
def test_module_gone_said_is_read_and_named(text):
    assert _claim(text, "driver.modules_not_loaded")
    assert "driver_kernel_module_not_loaded" in _findings(text)


@pytest.mark.parametrize("text", GONE_NEAR)
def test_module_gone_near_misses_claim_nothing(text):
    assert not _claim(text, "driver.modules_not_loaded")


IGNORED = [
    "When I reattach the base the module gets loaded again, although I have blacklisted it in "
    "/etc/modprobe.d/blacklist-nouveau.conf.\n",
    "I blacklisted nouveau but it still loads on boot and the NVIDIA installer refuses to continue.\n",
    "nouveau is still loaded even though I added it to the blacklist.\n",
    "Nouveau keeps getting loaded anyway, despite the blacklist file.\n",
    "我已经屏蔽了 nouveau，但是开机还是加载了\n",
]

IGNORED_NEAR = [
    "I blacklisted nouveau and it is no longer loaded; nvidia-smi works.\n",
    "blacklist nouveau\noptions nouveau modeset=0\n",
    "Does nouveau still load if it is blacklisted?\n",
    "nouveau was loaded despite the blacklist, update-initramfs -u fixed it.\n",
    "I blacklisted the pcspkr module but it still loads.\n",  # nouveau not named
]


@pytest.mark.parametrize("text", IGNORED)
def test_nouveau_loading_despite_blacklist_is_read(text):
    assert _claim(text, "driver.loaded_modules")
    assert "nouveau_bound" in _findings(text)


@pytest.mark.parametrize("text", IGNORED_NEAR)
def test_nouveau_blacklist_near_misses_claim_nothing(text):
    assert not _claim(text, "driver.loaded_modules")


def test_healthy_node_with_nouveau_blacklisted_has_no_error():
    text = ("contents of /etc/modprobe.d/blacklist.conf:\n\nblacklist nouveau\n\n"
            "Output of `lsmod | egrep 'nvidia|nouveau'`:\n\nnvidia              14660907  0\n")
    assert not [f for f in _findings(text).values() if f.severity is Severity.ERROR]


def test_nvidia_smi_off_path_is_no_cuda_failure_for_uvm():
    text = ("nvidia-smi not found, NVIDIA GPU Driver not installed correctly.\n$ lsmod | grep nvidia\n"
            "nvidia_drm             57344  0\nnvidia_modeset       1224704  1 nvidia_drm\n"
            "nvidia              34086912  1 nvidia_modeset\n")
    uvm = _findings(text).get("nvidia_uvm_missing")
    assert uvm is None or uvm.severity is not Severity.ERROR


_SMI_OK = """+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  NVIDIA GeForce ...  Off  | 00000000:01:00.0  On |                  N/A |
| 30%   40C    P8    10W / 170W |    300MiB / 12288MiB |      1%      Default |
+-------------------------------+----------------------+----------------------+
"""

INSTALLER = [
    "ERROR: The kernel module failed to load because it was not signed by a key that is trusted by the kernel. "
    "Please try installing the driver again, and set the --module-signing-secret-key and --module-signing-public-key "
    "options on the command line, or run the installer in expert mode to enable the interactive module signing prompts.\n",
    "The signed kernel module failed to load because the kernel does not trust any key which is capable of verifying "
    "the module signature. Would you like to install the signed kernel module anyway?\n",
    "4. Error: The kernel module failed to load. Secure boot is enabled on this system.\n",
    "安装时提示 The signed kernel module failed to load. 然后 nvidia-smi 报错\n" + _SMI,
]

INSTALLER_NEAR = [
    "ERROR: Unable to load the kernel module 'nvidia.ko'.\n",  # many causes: not this finding on its own
    "The installer asked whether to sign the kernel module; I chose to sign it and it loaded.\n",
    # the refusal is history: the driver answers now
    "Earlier: The signed kernel module failed to load because the kernel does not trust any key. "
    "I enrolled the key with mokutil.\n" + _SMI_OK,
]


@pytest.mark.parametrize("text", INSTALLER)
def test_installer_signature_refusals_are_secure_boot(text):
    assert "driver_not_loaded_secure_boot" in _findings(text)


@pytest.mark.parametrize("text", INSTALLER_NEAR)
def test_installer_near_misses_are_not_secure_boot_errors(text):
    f = _findings(text).get("driver_not_loaded_secure_boot")
    assert f is None or f.severity is not Severity.ERROR


DKMS_OTHER_KERNEL = [
    "$ dkms status\nnvidia/535.113.01, 6.2.0-33-generic, x86_64: installed\n$ uname -r\n6.5.0-14-generic\n" + _SMI,
    "# dkms status\nnvidia, 396.45, 4.17.11-200.fc28.x86_64, x86_64: installed\n# uname -a\n"
    "Linux box 4.17.14-202.fc28.x86_64 #1 SMP Wed Aug 15 12:29:25 UTC 2018 x86_64 GNU/Linux\n",
    "uname -r\n6.14.4-arch1-2\ndkms status\nnvidia-open/570.144, 6.13.8-arch1-1, x86_64: installed\n",
]

DKMS_NEAR = [
    "$ dkms status\nnvidia/535.113.01, 6.2.0-33-generic, x86_64: installed\n"
    "nvidia/535.113.01, 6.5.0-14-generic, x86_64: installed\n$ uname -r\n6.5.0-14-generic\n",
    "$ dkms status\nnvidia/535.113.01, 6.2.0-33-generic, x86_64: installed\n",  # running kernel not shown
    "$ dkms status\nnvidia/535.113.01, 6.2.0-33-generic, x86_64: installed\n$ uname -r\n6.5.0-14-generic\n"
    "$ lsmod | grep nvidia\nnvidia              56823808  2 nvidia_uvm,nvidia_modeset\n",  # loaded (precompiled)
]


@pytest.mark.parametrize("text", DKMS_OTHER_KERNEL)
def test_dkms_built_for_other_kernels_only_is_module_not_loaded(text):
    assert _claim(text, "driver.modules_not_loaded")
    assert "driver_kernel_module_not_loaded" in _findings(text)


@pytest.mark.parametrize("text", DKMS_NEAR)
def test_dkms_near_misses_claim_nothing(text):
    assert not _claim(text, "driver.modules_not_loaded")
