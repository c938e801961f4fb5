"""Round 20 l: Windows' "The specified procedure could not be found" (ERROR_PROC_NOT_FOUND, its form
of glibc's "undefined symbol") under a compiled extension's import.

torch_scatter / torch_sparse load their .pyd through torch.ops.load_library → ctypes.CDLL, and
ctypes raises "[WinError 127] The specified procedure could not be found" (localised by Windows)
when the .pyd imports a function the installed torch's DLLs do not export: a wheel built for
another torch. detectron2's "DLL load failed while importing _C: …" is the same under a plain
import. The module whose import failed comes from the traceback, past torch's own loading frames
(torch/_ops.py, ctypes). Texts after the shapes of pyg-team/pytorch_geometric#6931 and
rusty1s/pytorch_scatter#489; near-misses: torch's own import, a package built with its own CUDA
toolkit (onnxruntime), the error with no traceback, a question.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

OTHER = "extension_built_for_other_torch"

_LOAD = ('  File "C:\\Users\\u\\.conda\\envs\\g\\lib\\site-packages\\torch_sparse\\__init__.py", line 18, in <module>\n'
         "    torch.ops.load_library(spec.origin)\n"
         '  File "C:\\Users\\u\\.conda\\envs\\g\\lib\\site-packages\\torch\\_ops.py", line 643, in load_library\n'
         "    ctypes.CDLL(path)\n"
         '  File "C:\\Users\\u\\.conda\\envs\\g\\lib\\ctypes\\__init__.py", line 374, in __init__\n'
         "    self._handle = _dlopen(self._name, mode)\n")


@pytest.mark.parametrize("text", [
    "Traceback (most recent call last):\n"
    '  File "C:\\Users\\u\\proj\\main.py", line 8, in <module>\n    from torch_geometric.nn import GCNConv\n'
    + _LOAD + "OSError: [WinError 127] the specified procedure could not be found",
    _LOAD + "OSError: [WinError 127] 找不到指定的程序。",
    '  File "C:\\Users\\u\\detectron2\\detectron2\\layers\\deform_conv.py", line 11, in <module>\n'
    "    from detectron2 import _C\nImportError: DLL load failed while importing _C: The specified procedure could not be found.",
])
def test_extension_missing_a_torch_procedure(text):
    f = errors(text)
    assert OTHER in f and f[OTHER].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # torch's own import: torch_import_failed's, not an extension's
    "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
    '  File "C:\\Users\\u\\venv\\lib\\site-packages\\torch\\__init__.py", line 129, in <module>\n    raise err\n'
    "OSError: [WinError 127] The specified procedure could not be found. Error loading "
    '"C:\\Users\\u\\venv\\lib\\site-packages\\torch\\lib\\caffe2_detectron_ops.dll" or one of its dependencies.',
    ">>> import torch\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
    '  File "C:\\Python38\\lib\\site-packages\\torch\\__init__.py", line 190, in <module>\n    from torch._C import *\n'
    "ImportError: DLL load failed while importing _C: The specified procedure could not be found.",
    # a package built with its own CUDA toolkit
    '  File "C:\\env\\lib\\site-packages\\onnxruntime\\capi\\_pybind_state.py", line 32, in <module>\n'
    "    from .onnxruntime_pybind11_state import *\n"
    "ImportError: DLL load failed while importing onnxruntime_pybind11_state: The specified procedure could not be found.",
    # no traceback: whose import it was is not shown
    "OSError: [WinError 127] The specified procedure could not be found",
    # a question about the message
    "What does OSError: [WinError 127] The specified procedure could not be found mean when importing torch_scatter?",
    # another code: a missing module (126) is not a missing procedure
    _LOAD + "OSError: [WinError 126] The specified module could not be found",
])
def test_near_misses(text):
    assert OTHER not in findings(text)


def test_load_library_reraise_names_the_package():
    # torch 2.x's torch.ops.load_library re-raises with the library's path (torch/_ops.py)
    text = ("OSError: [WinError 127] The specified procedure could not be found.\n\n"
            "The above exception was the direct cause of the following exception:\n\n"
            "OSError: Could not load this library: C:\\venv\\Lib\\site-packages\\torch_scatter\\_version_cpu.pyd")
    assert OTHER in errors(text)
    own = text.replace("torch_scatter\\_version_cpu.pyd", "torch\\lib\\shm.dll")
    assert OTHER not in findings(own)
