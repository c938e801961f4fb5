"""Round 15, g3: torch builds against the GPU and Python, three classes the new real reports missed
or the review found, each with broken texts and the working or near-miss texts of the same class.

* Python's ctypes failing on one of torch's own DLLs ("Could not find module '…\\c10.dll' (or one
  of its dependencies)"): import torch fails (messages.toml ``python_ctypes_torch_dll_not_found``).
* two torch installs told in a sentence: a package tool's version in prose against the import's
  print, and "there are two versions installed" where the sentence names torch
  (``parsers/torch_installs.py``).
* a CPU wheel's version written before a CUDA wheel's ("At first it printed 2.1.0+cpu … now it
  prints 2.1.0+cu121 True"): the later build is the one installed (``parsers/torch_build_prose.py``).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

# --- torch's own DLL through ctypes -------------------------------------------------------------

DLL_BROKEN = [
    # pytorch/pytorch#39734's wording (the path elided by the reporter)
    "On Windows 10 2004, `import torch` will result in a FileNotFoundError.\n"
    "`FileNotFoundError: Could not find module '...\\c10.dll' (or one of its dependencies)`\n",
    "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    import torch\n"
    "FileNotFoundError: Could not find module 'C:\\Users\\me\\venv\\Lib\\site-packages\\torch\\lib\\torch_cpu.dll' "
    "(or one of its dependencies). Try using the full path with constructor syntax.\n",
    "FileNotFoundError: Could not find module 'D:\\env\\lib\\site-packages\\torch\\lib\\fbgemm.dll' "
    "(or one of its dependencies). Try using the full path with constructor syntax.\n",
]


@pytest.mark.parametrize("text", DLL_BROKEN)
def test_torch_dll_not_found_through_ctypes_is_an_import_failure(text):
    assert "torch_import_failed" in errors(text)


DLL_NOT_TORCH = [
    # a CUDA library's DLL: the CUDA setup, not torch's files
    "FileNotFoundError: Could not find module 'C:\\Program Files\\NVIDIA\\CUDNN\\v8.9\\bin\\cudnn_ops_infer64_8.dll' "
    "(or one of its dependencies). Try using the full path with constructor syntax.\n",
    # another program's DLL
    "FileNotFoundError: Could not find module 'C:\\tools\\magic1.dll' (or one of its dependencies). Try using the "
    "full path with constructor syntax.\n",
    # a DLL whose name only ends like one of torch's
    "FileNotFoundError: Could not find module 'C:\\app\\libmytorch.dll' (or one of its dependencies).\n",
]


@pytest.mark.parametrize("text", DLL_NOT_TORCH)
def test_other_dlls_are_not_a_torch_import_failure(text):
    assert "torch_import_failed" not in findings(text)


def test_a_torch_dll_error_said_to_be_gone_is_no_import_failure():
    text = ("I no longer get FileNotFoundError: Could not find module '...\\c10.dll' (or one of its dependencies) "
            "since I installed the VC++ redistributable.\n"
            ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n>>> torch.cuda.is_available()\nTrue\n")
    assert "torch_import_failed" not in findings(text)


# --- two torch installs told in a sentence --------------------------------------------------------

_REPL_140 = "```\n$ python\n>>> import torch\n>>> torch.__version__\n'1.4.0'\n```\n"

MIXED_BROKEN = [
    # pytorch/pytorch#43574's wording: pip list's version in prose, the import's in a session
    "after compilation and installation successfully the torch version is displayed as 1.7.0xxxx by pip list.\n\n"
    "But\n" + _REPL_140,
    "pip show says torch 2.1.0 but\n>>> import torch\n>>> torch.__version__\n'1.13.1'\n",
    "You are right, there are two versions installed, somehow the first time pip uninstall torch didn't uninstall "
    "1.4.0 installed from pip.\n",
]


@pytest.mark.parametrize("text", MIXED_BROKEN)
def test_two_torch_installs_told_in_prose(text):
    f = findings(text)
    assert "mixed_torch_installations" in f
    assert f["mixed_torch_installations"].confidence.value == "likely"


MIXED_NOT = [
    # the tool and the import agree
    "the torch version is displayed as 1.4.0 by pip list.\n" + _REPL_140,
    # another package's version after torch in the sentence
    "pip list shows torch and transformers 4.30.0\n" + _REPL_140,
    # a question about it
    "does pip list show torch 1.7.0 here?\n" + _REPL_140,
    # two versions of something else
    "I have two versions installed of CUDA, and torch uses the wrong one.\n",
    "There are two versions installed: Python 3.10 and Python 3.11, torch is in the first.\n",
    # denied, asked, tried in turn
    "There are not two versions installed, only one torch.\n",
    "Are there two versions installed? How do I check which torch is imported?\n",
    "I tried two versions installed one after the other, torch 2.0 and 2.1, neither works.\n",
]


@pytest.mark.parametrize("text", MIXED_NOT)
def test_no_two_installs_where_the_sentence_does_not_say_so(text):
    assert "mixed_torch_installations" not in findings(text)


# --- a CPU build replaced by a CUDA build --------------------------------------------------------

REPLACED = [
    "At first it printed 2.1.0+cpu … now it prints 2.1.0+cu121 True\n",
    "At first it printed 2.1.0+cpu, so I reinstalled torch from the cu121 index.\nNow it prints 2.1.0+cu121 True.\n",
    "System Info said \"2.0.1+cpu\"; after reinstalling it says \"2.0.1+cu118\" and the GPU is used.\n",
]


@pytest.mark.parametrize("text", REPLACED)
def test_a_cpu_build_replaced_later_is_no_cpu_only_finding(text):
    assert "torch_cpu_only_build" not in findings(text)
    assert not errors(text)


STILL_CPU = [
    # the CUDA build first, the CPU build last: the CPU build is the one there now
    "It printed 2.1.0+cu121 before, but after pip install -r requirements.txt it prints 2.1.0+cpu and cuda False\n",
    # a companion's CUDA label beside a CPU torch is the fault itself
    "In System Info it says \"2.1.0+cpu\", torchvision 0.16.0+cu121\n",
    # the CPU build alone
    "in the System Info section it says \"2.0.0+cpu\"\n",
]


@pytest.mark.parametrize("text", STILL_CPU)
def test_a_cpu_build_that_stays_is_still_read(text):
    assert "torch_cpu_only_build" in findings(text)


# --- the CPU package removed ---------------------------------------------------------------------

def test_removing_the_cpu_package_fixed_it_is_two_installs():
    # pytorch/pytorch#43753's wording: conda's pytorch-cpu had stayed beside the GPU pytorch
    for text in ("I uninstalled pytorch-cpu and error went away! But now torch.cuda.is_available() is False?\n",
                 "I removed torch-cpu and now it works with the GPU.\n"):
        assert "mixed_torch_installations" in findings(text)


@pytest.mark.parametrize("text", [
    "I uninstalled pytorch-cpu and the error did not go away.\n",
    "Should I uninstall pytorch-cpu? Will that fix it?\n",
])
def test_removing_the_cpu_package_without_a_fix_is_not_two_installs(text):
    assert "mixed_torch_installations" not in findings(text)


@pytest.mark.parametrize("text", [
    "conda installed pytorch-cpu instead of the GPU build\n",
    "pip removed my CUDA torch and installed the CPU version of torch\n",
    "I uninstalled torch and pip reinstalled the CPU version of torch again\n",
])
def test_the_cpu_build_put_there_is_still_read(text):
    assert "torch_cpu_only_build" in findings(text)
