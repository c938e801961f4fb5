"""The NVIDIA module missing or refused in the words of systemd's boot-time loader and of the
kernel's module loader (catalogue: systemd_module_not_found, systemd_module_key_rejected,
systemd_module_insert_failed, kernel_module_symbol_mismatch). Near-misses: another module, the
display module nvidia_drm (CUDA does not need it), a module that loaded."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings


@pytest.mark.parametrize("text, fid", [
    ("Oct 14 07:35:56 box systemd-modules-load[312]: Failed to find module 'nvidia'\n", "driver_kernel_module_not_loaded"),
    ("systemd-modules-load[345]: Failed to insert module 'nvidia': Key was rejected by service\n",
     "driver_not_loaded_secure_boot"),
    ("[    4.101] nvidia: disagrees about version of symbol module_layout\n", "driver_kernel_module_not_loaded"),
    ("nvidia_uvm: Unknown symbol nvUvmInterfaceRegisterGpu (err -2)\n", "nvidia_uvm_missing"),
])
def test_loader_refusals_name_the_cause(text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("text", [
    "systemd-modules-load[312]: Failed to find module 'vboxdrv'\n",
    "nvidia_drm: Unknown symbol drm_gem_object_free (err -2)\n",
    "[    4.101] nvidia: module license 'NVIDIA' taints kernel.\n"
    "[    4.200] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.54.14\n",
])
def test_other_modules_and_a_loaded_driver_say_nothing_of_it(text):
    fs = findings(text)
    assert "driver_kernel_module_not_loaded" not in fs and "driver_not_loaded_secure_boot" not in fs
