"""Round-8 readers (branch r8pip): the installer finds no torch (or not the torch asked for)
because this Python or platform has no wheel for it. pip (resolver and legacy wordings, its
fallback to PyPI's 0.1.2 placeholder), Poetry, a person's words in several languages, with the
Python read from collect_env, pip --version or a sentence, and the per-OS gaps of
knowledge/data/torch_platform_python.toml (1.13 and Python 3.11, 2.5 and 3.13: Linux only).
Each broken text beside near-misses with the same words. Texts written for the test, none taken
from the corpus."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import python_torch_prose
from envcheck.rules import wheel_gap
from tests.rules.test_unseen_classes import WORKING, errors, findings

PIP_PIN = ("ERROR: Could not find a version that satisfies the requirement torch=={pin} (from versions: {listed})\n"
           "ERROR: No matching distribution found for torch=={pin}\n")
PLACEHOLDER = ("Collecting torch\n  Using cached https://files.pythonhosted.org/packages/f8/02/880b468bd382dc79896eaecbeb"
               "8ce95e9c4b99a24902874a2cef0b562cea/torch-0.1.2.post2.tar.gz\nInstalling collected packages: torch\n"
               "    Running setup.py install for torch ... error\n    ModuleNotFoundError: No module named 'tools.nnwrap'\n")
COLLECT_ENV_MAC = ("Collecting environment information...\nPyTorch version: N/A\nOS: macOS 14.1 (arm64)\n"
                   "Python version: 3.13.0 (main, Oct  7 2024, 05:02:14) [Clang 16.0.0] (64-bit runtime)\n"
                   "Python platform: macOS-14.1-arm64-arm-64bit\nIs CUDA available: N/A\n")

NO_TORCH_FOR_THIS_PYTHON = [
    # the pinned release shipped this Python's wheels for Linux only (Windows, macOS named)
    PIP_PIN.format(pin="1.13.1", listed="2.0.0, 2.0.1, 2.1.0") + "Windows 11, python 3.11, conda env.",
    "  • Installing torch (1.13.1): Failed\n\n  RuntimeError\n\n  Unable to find installation candidates for torch "
    "(1.13.1)\n\nPython 3.11.4 on macOS Ventura 13.4",
    "PS C:\\Users\\me\\proj> pip install torch==2.5.1\n" + PIP_PIN.format(pin="2.5.1", listed="2.6.0, 2.7.0")
    + "I'm using Python 3.13.1.",
    # the OS not in the text: likely (on Linux the file exists)
    "Unable to find installation candidates for torch (2.5.1)\nI am running python 3.13 with poetry 1.8.",
    # no torch file at all: pip's listing, its placeholder fallback, its closing line alone
    PIP_PIN.format(pin="2.3.1", listed="none"),
    PLACEHOLDER,
    PLACEHOLDER + "Python 3.8.0 on Windows 10 (python-3.8.0-amd64.exe)",
    PIP_PIN.format(pin="1.4.0", listed="0.1.2, 0.1.2.post1, 0.1.2.post2") + "My python version is 3.8.1",
    '      File "C:\\Users\\me\\AppData\\Local\\Temp\\pip-install-x\\torch\\setup.py", line 225, in <module>\n'
    '        setup(name="torch", version="0.1.2.post2",',
    "ERROR: No matching distribution found for torch\nI'm running Python 3.14.0 from python.org",
    "pip 24.2 from /opt/homebrew/lib/python3.13/site-packages/pip (python 3.13)\n"
    "ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
    "ERROR: No matching distribution found for torch",
    # a person's words, with the Python from collect_env or a sentence
    COLLECT_ENV_MAC + "I'm trying to install torch in a pyenv but pip cant seem to find any version for it.",
    COLLECT_ENV_MAC + "pip couldn't find torch at all.",
    "I am currently using python version 3.14 but I cannot use torch in my environments.",
    "I am using python 3.13 and I cannot install torch.",
    "Running Python 3.14. torch is not available for Python 3.14 yet.",
    "There is no torch wheel for python 3.14, I use python 3.14.0 on Ubuntu 24.04.",
    "我的 python 版本是 3.14，pip 找不到 torch 的版本。",
    "Python 3.14 で pip から torch が見つからないと言われます。",
    "Python 3.14.0 환경에서 torch를 설치할 수 없습니다.",
    "No puedo instalar torch con Python 3.14.",
    "Não consigo instalar o torch no Python 3.14.",
    "Mit Python 3.14 lässt sich torch nicht installieren; pip findet kein torch.",
    "Python 3.14: torch lässt sich nicht installieren.",
    # uv's refusal retold without its first words, after `uv add torch`
    "When I use python 3.13 on windows and run `uv add torch`:\n`@ registry+https://pypi.org/simple` can't be installed "
    "because it doesn't have a source distribution or wheel for the current platform",
    "Using CPython 3.14.0\n$ uv pip install torch\nerror: … can't be installed because it doesn't have a source "
    "distribution or wheel for the current platform",
    "PyTorch wheels are not available for Python 3.14 yet; I have python 3.14 installed.",
    # conda: a 32-bit conda's win-32 channels, conda-forge's python_abi pins in libmamba's tree
    "PackagesNotFoundError: The following packages are not available from current channels:\n\n  - pytorch\n"
    "  - torchvision -> pytorch[version='>=1.0.0']\n\nCurrent channels:\n\n  - https://conda.anaconda.org/pytorch/win-32\n"
    "  - https://repo.anaconda.com/pkgs/main/win-32\n",
    "Could not solve for environment specs\nThe following packages are incompatible\n"
    "├─ python 3.12**  is installable with the potential options\n"
    "└─ pytorch 1.13.1**  is not installable because there are no viable options\n"
    "   ├─ pytorch 1.13.1 would require\n"
    "   │  └─ python_abi 3.10.* *_cp310, which conflicts with any installable versions previously reported;\n",
]

NOT_THIS_CLASS = [
    # past states, conditions, questions, advice
    "pip couldn't find torch until I switched to Python 3.12; now it works.",
    "If pip can't find torch, use Python 3.12.",
    "Can pip not find torch for Python 3.13?",
    "之前 pip 找不到 torch，换成 python 3.11 后已经解决。",
    "You should use Python 3.12; torch installs fine there.",
    # the same words on a working machine
    WORKING + "pip can find torch fine, the bug is in my model code. Python 3.11.",
    "Collecting torch\n  Downloading torch-2.6.0-cp313-cp313-manylinux1_x86_64.whl (766.7 MB)\n"
    "Successfully installed torch-2.6.0\nPython 3.13.1",
    # another package, not torch
    "ERROR: Could not find a version that satisfies the requirement triton (from versions: none)\n"
    "ERROR: No matching distribution found for triton\nPython 3.11 on Windows, torch 2.4.1+cu121 works.",
    "ERROR: No matching distribution found for torchvision==0.2.0\nPython 3.13",
    "找不到torchvision模块。我的 python 版本是 3.13",
    "pip can't find torchvision 0.2.0 for my Python 3.12.",
    # the index, not the Python: no network, a CUDA variant that was never built
    "WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by "
    "'NewConnectionError'\nERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
    "Python 3.10.12",
    PIP_PIN.format(pin="2.10.0+cu131", listed="none") + "Python 3.13",
    # a Linux machine: 1.13 has Python 3.11 wheels there, the gap is elsewhere
    PIP_PIN.format(pin="1.13.1", listed="2.0.0, 2.0.1") + "Ubuntu 22.04, Python 3.11",
    "Installing torch (2.5.1): Failed\nUnable to find installation candidates for torch (2.5.1)\n"
    "Ubuntu 24.04 with Python 3.12",
    # uv's words about another package; wheels of another package
    WORKING + "$ uv add pyaudio\nerror: … can't be installed because it doesn't have a source distribution or wheel for "
    "the current platform\nI use python 3.11",
    WORKING + "Note: tensorflow wheels are not available for Python 3.13, so I use torch instead. I have python 3.11.",
    # an Intel Mac: the platform ended at 2.2 (no catalogue id for it), not this Python
    PIP_PIN.format(pin="2.4", listed="1.11.0, 1.12.0, 1.13.1, 2.0.0, 2.1.0, 2.2.0, 2.2.1, 2.2.2")
    + "MacBook Pro 2019, macOS 13.6 (x86_64), python 3.11",
    # conda: a missing channel on 64-bit Linux; the solver's ABI pin fits the Python asked for
    "PackagesNotFoundError: The following packages are not available from current channels:\n\n  - pytorch-cuda=12.1\n"
    "\nCurrent channels:\n\n  - https://repo.anaconda.com/pkgs/main/linux-64\n",
    "PackagesNotFoundError: The following packages are not available from current channels:\n\n  - pytorch\n\n"
    "Current channels:\n\n  - https://repo.anaconda.com/pkgs/main/linux-64\n",
    "The following packages are incompatible\n├─ python 3.10**  is installable with the potential options\n"
    "└─ pytorch 2.0.0**  is not installable because there are no viable options\n   ├─ pytorch 2.0.0 would require\n"
    "   │  └─ python_abi 3.10.* *_cp310, which conflicts with any installable versions previously reported;\n",
]


@pytest.mark.parametrize("text", NO_TORCH_FOR_THIS_PYTHON)
def test_no_torch_for_this_python_is_read(text):
    assert "python_unsupported_by_torch" in findings(text)


@pytest.mark.parametrize("text", NOT_THIS_CLASS)
def test_the_same_words_without_the_gap_are_not(text):
    assert "python_unsupported_by_torch" not in findings(text)


def test_the_os_named_makes_the_linux_only_gap_an_error_not_a_guess():
    on_windows = errors(PIP_PIN.format(pin="1.13.1", listed="2.0.0") + "PS C:\\x> python --version\nPython 3.11.9\n"
                        "C:\\Users\\me\\venv\\Lib\\site-packages\\pip\\__init__.py")
    assert "python_unsupported_by_torch" in on_windows


def _python(text: str) -> object:
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts.python.version.value


@pytest.mark.parametrize("text, python", [
    ("Python 3.8 is on a legacy build cycle, so I just installed 3.11.", "3.11"),
    ("I am currently using python version 3.14 but the script wants python3.13 or older.", "3.14"),
    ("pip 9.0.1 from /usr/local/lib/python3.6/site-packages (python 3.6)", "3.6"),
    ("my python version is 3.12.4", "3.12"),
    ("When I use python 3.13 on windows it fails.\nWhen I use python 3.12, this error disappeared.", "3.13"),
])
def test_the_python_in_use_outranks_one_merely_named(text, python):
    assert str(_python(text)).startswith(python)


def test_advice_names_no_python_in_use():
    assert _python("You should be using python 3.10 for this repo.") in (None, "3.10")


def test_the_parser_and_the_rule_agree_on_the_marker():
    assert python_torch_prose.NO_TORCH_FOUND == wheel_gap.NO_TORCH_FOUND


def test_the_platform_table_loads_and_names_the_linux_only_gaps():
    assert set(wheel_gap.linux_only("1.13", "3.11")) == {"windows", "macos"}
    assert wheel_gap.linux_only("2.0", "3.11") == ()
