"""Round 27 v: kmod refusing the NVIDIA module built for another kernel (messages.toml
kmod_module_built_for_other_kernel): insmod's "Invalid module format", modprobe's "Exec format
error", "Unknown symbol in module". Texts in the programs' own words, with the near-misses: another
module, the driver working in the same text, Secure Boot's refusal (its own finding).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"
SMI_OK = """$ nvidia-smi
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.129.03             Driver Version: 535.129.03   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
|=========================================+======================+======================|
|   0  NVIDIA GeForce RTX 3090        Off | 00000000:01:00.0  On |                  N/A |
+-----------------------------------------+----------------------+----------------------+
"""


@pytest.mark.parametrize("text", [
    "$ sudo insmod nvidia.ko\ninsmod: ERROR: could not insert module nvidia.ko: Invalid module format\n",
    "$ sudo modprobe nvidia\nmodprobe: ERROR: could not insert 'nvidia': Exec format error\n",
    "insmod: ERROR: could not insert module /lib/modules/6.8.0-31-generic/updates/dkms/nvidia.ko: Unknown symbol in module\n",
])
def test_module_built_for_another_kernel(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "insmod: ERROR: could not insert module vboxdrv.ko: Invalid module format\n",
    "insmod: ERROR: could not insert module nvidia.ko: Invalid module format\nafter rebuilding it with dkms it works:\n"
    + SMI_OK,
])
def test_module_built_for_another_kernel_near_misses(text):
    assert NOT_LOADED not in findings(text)


def test_key_rejected_stays_secure_boot():
    got = findings("insmod: ERROR: could not insert module nvidia.ko: Key was rejected by service\n")
    assert "driver_not_loaded_secure_boot" in got
