"""Round 16, b3: torch builds in short and Windows reports, two classes the new real reports
missed, each with broken texts and the working or near-miss texts of the same class.

* one of torch's own Windows DLLs said to be missing or not loading, in a person's words
  ("getting fbgemm.dll missing", "fbgemm.dll 加载失败", "c10.dll fehlt"): the sentence is a
  failure line (``parsers/torch_dll_prose.py``), and fbgemm.dll is torch 2.4.0's known-bad
  signature (likely: the version is not in the text).
* the installer finding no torch said as "the torch version … is no longer available", with the
  Python a script made its venv with ("making venv with 3.13 instead of 3.10"):
  ``parsers/python_torch_prose.py``, weighed by rules/wheel_gap.py.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import errors, findings

# --- torch's own DLL said to fail ------------------------------------------------------------

FBGEMM_SAID = [
    # openvinotoolkit/openvino.genai#813's wording
    "While running benchmark.py getting fbgemm.dll missing. This can be avoided if we copy this file "
    "libomp140.x86_64.dll into c:\\windows\\system32\n",
    "After updating torch I get: Error loading fbgemm.dll\n",
    "fbgemm.dll 加载失败，环境win11\n",
    "Beim Start von webui.bat: fbgemm.dll fehlt.\n",
    "No se encuentra fbgemm.dll al importar torch en Windows 11\n",
    "Installation error: missing fbgemm.dll\n",
    # the upstream line retyped without its "[WinError 126]" (chenwei-zhao/captcha-recognizer#2)
    "## Windows 环境下 torch包报错\n```\nErro loading “xxx\\Lib\\site-packages\\torch\\lib\\fbgemm.dll” or one of "
    "its dependencies.\n```\n",
]


@pytest.mark.parametrize("text", FBGEMM_SAID)
def test_fbgemm_dll_said_missing_is_the_240_signature(text):
    found = errors(text)
    assert "known_bad_torch_build" in found
    assert found["known_bad_torch_build"].confidence.value == "likely"


def test_another_torch_dll_said_missing_is_a_failure_line_not_a_known_bad_build():
    text = "Since yesterday c10.dll is missing and python crashes on import torch\n"
    explanation, report = diagnose(source.normalise(text), collected_at="")
    assert "known_bad_torch_build" not in {f.id for f in report.findings}
    assert any("c10.dll" in e for e in (explanation.facts.torch.errors.value or ()))


FBGEMM_NOT_FAILING = [
    # a question, a condition, advice, a failure said to be over
    "Is fbgemm.dll missing from the 2.4.0 wheel?\n",
    "If fbgemm.dll is missing, reinstall torch.\n",
    "Make sure fbgemm.dll is not missing before you run the script.\n",
    "fbgemm.dll is no longer missing after installing torch 2.4.1, thanks!\n",
    "The fbgemm.dll error is fixed: it was missing libomp140 and now it loads.\n",
    # a directory listing naming the DLL, and healthy prose
    "-a---            3/3/2026  7:38 PM        1086976 c10.dll\n"
    "-a---            3/3/2026  7:38 PM        5439488 fbgemm.dll\n",
    "torch 2.5.1+cu124 imports fine; fbgemm.dll is in torch\\lib as expected.\n",
]


@pytest.mark.parametrize("text", FBGEMM_NOT_FAILING)
def test_fbgemm_dll_named_without_a_present_failure_is_not_read(text):
    assert "known_bad_torch_build" not in findings(text)
    assert not errors(text)


def test_a_cuda_librarys_dll_is_not_torchs_own():
    # cuDNN's DLL said missing is a CUDA library missing (library_missing_prose), never torch's own
    # DLLs failing (no torch_import_failed, no known-bad torch build)
    found = findings("Error loading cudnn_ops_infer64_8.dll: the file is missing\n")
    assert "known_bad_torch_build" not in found and "torch_import_failed" not in found
    assert "cuda_library_missing" in found


def test_the_upstream_line_is_left_to_the_catalogue():
    # the WinError line itself is a catalogued message (not retold as prose); the version decides
    text = ("Successfully installed torch-2.3.1+cu121\n"
            "OSError: [WinError 126] The specified module could not be found. Error loading "
            "\"C:\\venv\\Lib\\site-packages\\torch\\lib\\fbgemm.dll\" or one of its dependencies.\n")
    assert "known_bad_torch_build" not in findings(text)


# --- a pinned torch said to be gone, the venv's Python said --------------------------------

PY313_BROKEN = [
    # derrian-distro/LoRA_Easy_Training_Scripts#298's wording
    "Hi, this should be an easy fix. The torch version that the backend uses is no longer available somehow.\n\n"
    "Nevermind, I have 2 versions of Python installed. The script is making venv with 3.13 instead of 3.10...\n",
    "The installer created the venv with Python 3.13 and says torch==2.1.2 is not available.\n",
]


@pytest.mark.parametrize("text", PY313_BROKEN)
def test_torch_gone_for_the_venvs_python(text):
    found = errors(text)
    assert "python_unsupported_by_torch" in found
    assert found["python_unsupported_by_torch"].confidence.value == "likely"


PY_NOT_BROKEN = [
    # torch.cuda's availability, not the package's
    "I made the venv with Python 3.11. The torch version is 2.1.2 but CUDA is not available on this laptop.\n",
    "The script is making venv with 3.11 and torch.cuda is not available\n",
    # a version unavailable for a CUDA variant: the index, not the Python
    "I created a venv with python 3.11; the torch version 2.1.0 is not available for cu126.\n",
    # solved, asked
    "The venv was made with 3.13 and the torch version was not available; solved by using 3.12.\n",
    "Is the torch version 2.2.0 no longer available for python 3.12?\n",
]


@pytest.mark.parametrize("text", PY_NOT_BROKEN)
def test_no_python_blame_without_the_installer_finding_nothing(text):
    assert "python_unsupported_by_torch" not in findings(text)
