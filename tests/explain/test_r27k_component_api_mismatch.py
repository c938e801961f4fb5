"""Round 27 k: the user-space side of a driver/kernel-module version mismatch, in the words of
NVIDIA's user-space components (messages.toml nvidia_component_api_mismatch): "NVIDIA: API mismatch:
the NVIDIA kernel module has version X, but this NVIDIA driver component has version Y" from the X
driver (startx's console, Xorg.0.log's "(EE) NVIDIA:" lines) or the GL libraries (a GL client's
stderr) -- the same class as nvidia-smi's "Failed to initialize NVML: Driver/library version
mismatch" and the kernel's "NVRM: API mismatch": nvml_driver_library_mismatch. Near-misses: the
message quoted as advice (with placeholders, or after "if you see"), said to be gone after a reboot.
Texts written for the test, in the shapes of Ubuntu forum and launchpad pastes."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "nvml_driver_library_mismatch"


@pytest.mark.parametrize("paste", [
    "$ sudo startx\nUsing system config directory \"/usr/share/X11/xorg.conf.d\"\n"
    "NVIDIA: API mismatch: the NVIDIA kernel module has version 304.88, but this NVIDIA driver component has "
    "version 319.32. Please make sure that the kernel module and all NVIDIA driver components have the same "
    "version.\n\nFatal server error: no screens found\n",
    "compiz (core) - Info: Starting plugin: opengl\n"
    "NVIDIA: API mismatch: the NVIDIA kernel module has version 304.51,\n"
    "but this NVIDIA driver component has version 304.43.  Please make\n"
    "sure that the kernel module and all NVIDIA driver components\nhave the same version.\n",
    "[    21.880] (EE) NVIDIA: API mismatch: the NVIDIA kernel module has the version 390.12, but\n"
    "[    21.880] (EE) NVIDIA:     this driver component has the version 390.25.  Please make\n"
    "[    21.880] (EE) NVIDIA:     sure that the kernel module and all NVIDIA driver components\n"
    "[    21.880] (EE) NVIDIA:     have the same version.\n",
], ids=["startx-console", "gl-client-wrapped", "xorg-log"])
def test_component_api_mismatch_is_the_version_mismatch(paste):
    f = findings(paste)
    assert ID in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "If you see \"NVIDIA: API mismatch: the NVIDIA kernel module has version X, but this NVIDIA driver component "
    "has version Y\", reboot.\n",
    "After the reboot I no longer see \"NVIDIA: API mismatch: the NVIDIA kernel module has version 304.88, but this "
    "NVIDIA driver component has version 319.32\" and the desktop starts.\n",
    "If you see \"NVIDIA: API mismatch: the NVIDIA kernel module has version 535.183.01, but this NVIDIA driver "
    "component has version 550.90.07\", reboot.\n",
], ids=["advice-placeholders", "gone-after-reboot", "advice-if-you-see"])
def test_near_misses(paste):
    f = findings(paste)
    assert ID not in f, sorted(f)
