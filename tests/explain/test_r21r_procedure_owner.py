"""Review of round 20 (r21 r): Windows' "The specified procedure could not be found" says an extension
was built for another torch only under a torch extension's import (explain/torch_extension_import.py):
torch's loading frames, an extension's compiled module (_C, _ext, *cuda*), or torch's family. OpenCV's
or NumPy's own DLLs missing a procedure are their own builds' trouble."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

OTHER = "extension_built_for_other_torch"
_HEAD = 'Traceback (most recent call last):\n  File "C:\\Users\\u\\proj\\main.py", line 3, in <module>\n'


@pytest.mark.parametrize("text", [
    _HEAD + '    import cv2\n  File "C:\\Users\\u\\env\\lib\\site-packages\\cv2\\__init__.py", line 181, in <module>\n'
    "    bootstrap()\nImportError: DLL load failed while importing cv2: The specified procedure could not be found.",
    _HEAD + '    import numpy\n  File "C:\\Users\\u\\env\\lib\\site-packages\\numpy\\core\\__init__.py", line 23, in <module>\n'
    "    from . import multiarray\n"
    "ImportError: DLL load failed while importing _multiarray_umath: The specified procedure could not be found.",
])
def test_other_packages_own_dlls_are_not_torch_extensions(text):
    assert OTHER not in findings(text)


@pytest.mark.parametrize("text", [
    _HEAD + '    import torchvision\n'
    '  File "C:\\Users\\u\\env\\lib\\site-packages\\torchvision\\io\\image.py", line 13, in <module>\n'
    '    torch.ops.load_library(_get_extension_path("image.pyd"))\n'
    '  File "C:\\Users\\u\\env\\lib\\site-packages\\torch\\_ops.py", line 643, in load_library\n    ctypes.CDLL(path)\n'
    '  File "C:\\Python310\\lib\\ctypes\\__init__.py", line 374, in __init__\n'
    "    self._handle = _dlopen(self._name, mode)\nOSError: [WinError 127] The specified procedure could not be found",
    _HEAD + '    from mmcv.ops import nms\n  File "C:\\Users\\u\\env\\lib\\site-packages\\mmcv\\utils\\ext_loader.py", '
    "line 13, in load_ext\n    ext = importlib.import_module('mmcv.' + name)\n"
    "ImportError: DLL load failed while importing _ext: The specified procedure could not be found.",
])
def test_torch_extensions_still_fire(text):
    assert OTHER in findings(text)
