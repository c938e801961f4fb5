"""Round 17 d: WSL 2 on a Windows build without GPU support (windows_too_old_for_wsl_gpu,
rules/wsl_windows.py), read from Windows' own version banner (messages.toml windows_ver_banner:
cmd's ``ver``, localised, and PowerShell's OSVersion).

Texts written for the test after the shapes of real reports (microsoft/WSL#7376's issue form,
docker/for-win and WSL threads of 2020-2021); each has near-misses: a supported build (21H2,
Windows 11, an Insider build), a text with two builds (an update), no WSL at all (native
Windows), WSL 1, and a bare-metal Linux nvidia-container-cli log that names WSL itself."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FID = "windows_too_old_for_wsl_gpu"

FORM = """### Windows Build Number

{banner}

### WSL Version

- [X] WSL 2
- [ ] WSL 1

### Distro Version

Ubuntu 20.04
"""
TORCH_FALSE = """>>> import torch
>>> torch.cuda.is_available()
False
"""
SMI_FAILED = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
              "NVIDIA driver is installed and running.")


@pytest.mark.parametrize("banner", [
    "Microsoft Windows [Version 10.0.19043.1200]",
    "Microsoft Windows [version10.0.19042.1052]",
    "Microsoft Windows [版本 10.0.19042.1052]",
    "Microsoft Windows [Versión 10.0.19041.1415]",
])
def test_an_old_build_under_wsl2_with_the_gpu_failing_is_an_error(banner):
    got = findings(FORM.format(banner=banner) + "\n" + SMI_FAILED)
    assert FID in got and got[FID].severity.value == "error"
    assert got[FID].confidence.value == "likely"


def test_an_old_build_under_wsl2_with_nothing_failing_is_a_warning():
    got = findings(FORM.format(banner="Microsoft Windows [Version 10.0.19043.1200]")
                   + "\nfollowed the CUDA on WSL guide, lspci shows no GPU")
    assert FID in got and got[FID].severity.value == "warning"


def test_powershell_osversion_names_the_build_too():
    text = ("Platform ServicePack Version      VersionString\n"
            "-------- ----------- -------      -------------\n"
            " Win32NT             10.0.19042.0 Microsoft Windows NT 10.0.19042.0\n\n"
            "$ uname -r\n5.4.72-microsoft-standard-WSL2\n" + TORCH_FALSE)
    assert FID in findings(text)


@pytest.mark.parametrize("banner", [
    "Microsoft Windows [Version 10.0.19044.1288]",  # Windows 10 21H2: supported
    "Microsoft Windows [Version 10.0.19045.3570]",
    "Microsoft Windows [Version 10.0.22631.3593]",  # Windows 11
    "Microsoft Windows [Version 10.0.21390.1]",  # an Insider build from 20145 on
    "Microsoft Windows NT 10.0.20170.0",
])
def test_a_build_with_gpu_support_is_no_finding(banner):
    assert FID not in findings(FORM.format(banner=banner) + "\n" + SMI_FAILED)


def test_two_builds_an_update_or_another_machine_say_nothing():
    text = (FORM.format(banner="Microsoft Windows [Version 10.0.19043.1200]")
            + "\nafter the update: Microsoft Windows [Version 10.0.22000.194]\n" + SMI_FAILED)
    assert FID not in findings(text)


def test_native_windows_without_wsl_is_no_finding():
    text = ("Microsoft Windows [Version 10.0.19042.1052]\n(c) Microsoft Corporation. All rights reserved.\n\n"
            "C:\\Users\\me>python -c \"import torch; print(torch.cuda.is_available())\"\nFalse\n")
    assert FID not in findings(text)


def test_wsl1_is_its_own_finding():
    text = FORM.format(banner="Microsoft Windows [Version 10.0.19042.1052]").replace(
        "- [X] WSL 2\n- [ ] WSL 1", "- [ ] WSL 2\n- [X] WSL 1") + "\n" + SMI_FAILED
    got = findings(text)
    assert FID not in got and "wsl1_no_gpu_support" in got


def test_a_bare_metal_container_toolkit_log_is_no_finding():
    # libnvidia-container names WSL in its own lines on every Linux host; no Windows banner here.
    text = ("I0828 18:43:18.664828 4993 nvc.c:389] attempting to load dxcore to see if we are running under "
            "Windows Subsystem for Linux (WSL)\n"
            "I0828 18:43:18.664969 4993 nvc.c:391] dxcore initialization failed, continuing assuming a non-WSL "
            "environment\n")
    assert FID not in findings(text)
