"""Round 23 t: ``import torch`` failing with Windows' "DLL load failed", retold without Python's
``ImportError:`` (explain/parsers/torch_import_retold.py). Near-misses: another module's import
(torchvision, cv2), a question, advice or a condition, another machine, the trouble said over, and
the words alone without the import of torch. Texts written for the test after CPython's
Python/dynload_win.c wording."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

IMPORT = "torch_import_failed"


@pytest.mark.parametrize("paste", [
    "When I import torch I get DLL load failed: The specified module could not be found.",
    "import torch 报错 DLL load failed while importing _C: 找不到指定的模块。",
    "Importing torch gives 'DLL load failed while importing _C' on Windows 11.",
])
def test_retold_dll_load_failure(paste):
    f = findings(paste)
    assert IMPORT in f, sorted(f)
    assert f[IMPORT].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    "When I import torchvision I get DLL load failed while importing _C.",
    "import torch works, but import cv2 gives DLL load failed while importing cv2.",
    "Why does import torch give DLL load failed?",
    "If import torch says DLL load failed, install the Visual C++ redistributable.",
    "import torch gave DLL load failed on my old laptop; this machine is fine.",
    "When I import torch I got DLL load failed. Fixed it by installing the VC++ runtime, now it works.",
    "DLL load failed: The specified module could not be found.",
])
def test_no_retold_torch_import_failure(paste):
    assert IMPORT not in findings(paste)
    assert not errors(paste)
