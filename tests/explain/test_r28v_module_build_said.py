"""Round 28 v: the NVIDIA module's build (DKMS, akmods) said broken or failed for a kernel
(module_build_said), and what the builders print (dkms 3's autoinstall summary, Void's DKMS hook and
trigger, akmods, dpkg refusing an nvidia-dkms package). Texts written for the test, in the shapes
strangers use (one line, the verb "break", no NVIDIA named, other languages), with near-misses: another
module's DKMS build, a denial, a question, advice, a failure said fixed, a condition.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"


@pytest.mark.parametrize("text", [
    "The new update to the kernel 6.8.2 break the DKMS build on linux-zen.",
    "Kernel 6.15 broke the nvidia dkms module.",
    "nvidia-dkms fails to build on linux 7.1",
    "nvidia580-dkms doesn't build against kernel 7.0 anymore.",
    "the nvidia module doesn't compile against kernel 6.8.0-31.",
    "the DKMS build is broken with the new kernel 6.6 on my laptop with an RTX 3060",
    "Seit dem Kernel-Update schlägt der DKMS-Build für nvidia fehl.",
    "el módulo de nvidia no compila con el kernel 6.6",
    "o dkms da nvidia falha ao compilar no kernel 6.6",
    "la compilation du module nvidia échoue avec le noyau 6.6",
    "после обновления ядра dkms не собирает модуль nvidia",
    "カーネル更新後、nvidia の DKMS のビルドに失敗します",
    "커널 업데이트 후 nvidia DKMS 빌드 실패",
    "内核更新后 nvidia 的 dkms 编译失败",
])
def test_build_said_failed(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "dkms autoinstall on 6.15.2-1-liquorix-amd64/x86_64 failed for nvidia(10)",
    "Autoinstall on 6.11.0-9-generic failed for module(s) nvidia(10).",
    "nvidia580-dkms: configuring ...\nBuilding DKMS module 'nvidia-580.126.18' for kernel-7.0.1_1... FAILED!",
    "Building DKMS module: nvidia-570.133.07... FAILED!",
    "# akmods --force\nChecking kmods exist for 6.13.4-200.fc41.x86_64 [  OK  ]\nBuilding and installing nvidia-kmod [FAILED]",
    "dpkg: error processing package nvidia-dkms-535 (--configure):\n installed nvidia-dkms-535 package post-installation "
    "script subprocess returned error exit status 10",
])
def test_builders_output(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    # another module's build
    "The kernel 6.6 update broke the DKMS build of v4l2loopback.",
    "Kernel 6.8 broke the zfs dkms module, nvidia-smi works fine.",
    "Building DKMS module: zfs-2.0.1... FAILED!",
    "dkms autoinstall on 6.8.0-40-generic/x86_64 failed for btusb(10)",
    "Building and installing VirtualBox-kmod [FAILED]",
    # denied, asked, advised, fixed, conditional
    "The nvidia DKMS build did not fail on kernel 6.6, it builds fine.",
    "Does the kernel 6.6 update break the nvidia DKMS build?",
    "If DKMS fails to build the nvidia module on a new kernel, install the headers first.",
    "nvidia-dkms failed to build on linux 6.6 last month; updating to 535.129 fixed it and now everything works.",
    "A kernel update may break the nvidia DKMS build, so I pinned the kernel.",
    "nvidia-smi falla con el error de siempre",
])
def test_build_near_misses(text):
    assert NOT_LOADED not in findings(text)


@pytest.mark.parametrize("text", [
    "DKMS module build failure on Liquorix kernel 6.15.2-1 for NVIDIA driver",
    "nvidia dkms broken since kernel 6.6.1",
    "ERROR: An error occurred while performing the step: \"Building kernel modules\". See /var/log/nvidia-installer.log "
    "for details.",
    "ERROR: Unable to build the NVIDIA kernel module.\nERROR: Installation has failed.",
])
def test_more_forms(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "nvidia dkms build works fine on kernel 6.6.1, no errors.",
    "DKMS module build failure on kernel 6.15 for the zfs module",
    "I once saw an nvidia dkms build failure on kernel 5.4 but it was fixed by installing the headers; now nvidia-smi works.",
])
def test_more_near_misses(text):
    assert NOT_LOADED not in findings(text)
