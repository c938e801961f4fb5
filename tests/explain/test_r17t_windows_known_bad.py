"""Round 17 (t): two Windows known-bad torch builds read with the torch version, and the torch an
upgrade installed before things broke.

* torch >= 2.9.0 on Windows with "[WinError 1114]" (c10.dll / torch_python.dll failing to
  initialise): the wheels need msvcp140.dll 14.40+ (pytorch/pytorch#169429, PR #196987). The
  same error comes from other DLLs and other causes on older releases, so the entry is read only
  with the torch version in the text (``text_alone = false``), never from the error alone.
* torch 2.3.0 on Windows installed for one user, shm.dll failing (pytorch/pytorch#125109, fixed by
  #125684 in 2.3.1): shm.dll also fails under pip's build isolation on later releases, so the same.
* "Upgrading torch from 2.2.2 to 2.3.0 seems to break it": 2.3.0 is the torch in use; an upgrade
  told as the fix, advice, a plan or a question is not.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers.torch_upgrade_said import _upgrade
from envcheck.knowledge import load
from tests.rules.test_unseen_classes import findings

DLL_1114 = ('OSError: [WinError 1114] A dynamic link library (DLL) initialization routine failed. Error loading '
            '"C:\\Users\\me\\venv\\Lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.')
DLL_1114_ZH = ('OSError: [WinError 1114] 动态链接库(DLL)初始化例程失败。 Error loading '
               '"D:\\anaconda\\envs\\g\\lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.')
CUFFT_1114 = ('ERROR    Could not load torch: [WinError 1114] A dynamic link library (DLL) initialization routine '
              'failed. Error loading "C:\\AV\\automatic\\venv\\lib\\site-packages\\torch\\lib\\cufft64_10.dll" or one '
              'of its dependencies.')
SHM_126 = ('OSError: [WinError 126] The specified module could not be found. Error loading '
           '"C:\\Users\\xyz\\AppData\\Roaming\\Python\\Python312\\site-packages\\torch\\lib\\shm.dll" or one of its '
           'dependencies.')


def _version(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts.torch.version.value


# ---------------------------------------------------------------------------- the table
def test_entries_need_the_version():
    kb = load()
    bad = {b.id: b for b in kb.known_bad}
    assert bad["torch29_windows_msvcp140_before_14_40"].text_alone is False
    assert bad["torch230_windows_user_site_mkl"].text_alone is False
    assert bad["torch240_windows_fbgemm_libomp"].text_alone is True  # unchanged: fbgemm.dll is 2.4.0's alone
    ids = lambda v: {b.id for b in kb.known_bad_builds(kb.resolve_torch(v))}  # noqa: E731
    assert "torch29_windows_msvcp140_before_14_40" in ids("2.9.0") | ids("2.10.0+cu128") | ids("2.9.1+cpu")
    assert "torch29_windows_msvcp140_before_14_40" not in ids("2.8.0")
    assert "torch230_windows_user_site_mkl" in ids("2.3.0") and "torch230_windows_user_site_mkl" not in ids("2.3.1")


# ---------------------------------------------------------------------------- WinError 1114 from torch 2.9
@pytest.mark.parametrize("text", [
    "torch 2.9.0+cpu on Windows 11, import torch:\n" + DLL_1114,
    "PyTorch 2.9.0 + CPU-only wheel\n" + DLL_1114_ZH,
    "`import torch` fails on Windows starting from `torch 2.9.0` release.\n>>> import torch\n" + DLL_1114,
    "Name: torch\nVersion: 2.10.0+cu128\n" + DLL_1114,
])
def test_1114_with_a_torch_29_or_later_is_the_known_bad_build(text):
    found = findings(text)
    assert "known_bad_torch_build" in found and "torch_import_failed" in found
    assert "14.40" in found["known_bad_torch_build"].explanation


@pytest.mark.parametrize("text", [
    DLL_1114,  # no version: the error alone is not the build's signature
    DLL_1114_ZH + "\n一直报这个错误，换了cpu的torch",
    "torch 2.8.0+cu126\n" + DLL_1114,  # before 2.9
    "Name: torch\nVersion: 2.0.1+cu118\n" + CUFFT_1114,  # an older release's DLL failing
    CUFFT_1114,
    # a healthy 2.9 on Windows: no DLL error, no known-bad build
    "torch 2.9.0+cu128 on Windows 11, torch.cuda.is_available() True, RTX 4090, training runs fine",
])
def test_1114_without_a_29_version_is_no_known_bad_build(text):
    assert "known_bad_torch_build" not in findings(text)


# ---------------------------------------------------------------------------- shm.dll from torch 2.3.0
@pytest.mark.parametrize("text", [
    "Upgrading torch from a perfectly fine 2.2.2 to 2.3.0 seems to break it on Windows\n>>> import torch\n" + SHM_126,
    "Name: torch\nVersion: 2.3.0\nLocation: c:\\users\\xyz\\appdata\\roaming\\python\\python312\\site-packages\n"
    + SHM_126,
])
def test_shm_dll_with_torch_230_is_the_known_bad_build(text):
    found = findings(text)
    assert "known_bad_torch_build" in found
    assert "2.3.1" in found["known_bad_torch_build"].explanation


@pytest.mark.parametrize("text", [
    SHM_126,  # no version
    "Name: torch\nVersion: 2.3.1+cpu\n" + SHM_126,  # pip's build isolation on 2.3.1 fails on shm.dll too
    "Upgrading torch from 2.2.2 to 2.3.0 fixed my other problem, but now\n" + SHM_126,  # the upgrade as a cure
])
def test_shm_dll_without_torch_230_is_no_known_bad_build(text):
    assert "known_bad_torch_build" not in findings(text)


# ---------------------------------------------------------------------------- the torch an upgrade installed
@pytest.mark.parametrize("line, version", [
    ("Upgrading torch from a perfectly fine 2.2.2 to 2.3.0 seems to break it on Windows", "2.3.0"),
    ("after updating torch to 2.9.0, import torch fails", "2.9.0"),
    ("Upgraded to torch 2.6.0 and now I get a CUDA error", "2.6.0"),
    ("I updated pytorch to 2.4.0+cu121 and it broke", "2.4.0+cu121"),
    ("torch 从2.2.2升级到2.3.0后报错", "2.3.0"),
    ("升级torch到2.9.0后无法import", "2.9.0"),
])
def test_a_broken_upgrade_names_the_torch_in_use(line, version):
    assert _upgrade(line)[0] == version


@pytest.mark.parametrize("line", [
    "Updating torch to 2.4.1 fixed it, import was failing before",  # the cure
    "I upgraded torch to 2.5.0 and it works",  # nothing broke
    "Should I upgrade torch to 2.4.0? it fails",  # a question
    "Try upgrading torch to 2.4.1, the 2.4.0 wheel fails",  # advice
    "I will update torch to 2.8.0 because it fails",  # a plan
    "updating torchvision to 0.19.0 broke it",  # not torch
    "upgrading torch-2.4.0-cp311 to something failed",  # a wheel's name, no release after "to"
])
def test_no_broken_upgrade(line):
    assert _upgrade(line) is None


def test_a_program_outranks_the_upgrade_told():
    text = ("Upgrading torch from 2.2.2 to 2.3.0 seems to break it\n"
            ">>> import torch\n>>> print(torch.__version__)\n2.3.1+cu121\n")
    assert _version(text) == "2.3.1+cu121"
    assert _version("after updating torch to 2.9.0, import torch fails\n" + DLL_1114) == "2.9.0"
