"""Is a Windows "The specified procedure could not be found" (``windows_procedure_not_found``) under
a torch extension's import, or under any compiled package's? (review of round 20)

``explain/parsers/loader.py`` records the failed import for ``rules/extension_builds.py``, which then
says the extension was built for another torch. That holds only where torch loads the library or the
library is an extension's: OpenCV's ``cv2``, NumPy's ``_multiarray_umath`` or another package's own
DLL missing a procedure is that package's build against its own dependencies, not torch's. Read as an
extension's (any one):

* torch's own loading frames in the traceback above the message (``torch/_ops.py`` load_library →
  ctypes, ``torch/utils/cpp_extension.py``), or torch 2.x's re-raise "Could not load this library:"
  after it (torch/_ops.py);
* the module whose load failed is an extension's compiled part by torch's convention (CPython's
  "DLL load failed while importing _C", ``_ext``, a name holding ``cuda``: setup.py CUDAExtension
  names as torchvision's, detectron2's, mmcv's ``_ext``, pointnet2's ``_cuda`` are built);
* the importing package is one of torch's own family (``torch_scatter``, ``torchvision``, …).
"""

from __future__ import annotations

from typing import Sequence

from envcheck.lazyre import lazy

# Frames of torch loading an extension's library for it (torch/_ops.py load_library,
# torch/utils/cpp_extension.py load).
_TORCH_LOADER = lazy(r"[/\\]torch[/\\](?:_ops\.py|utils[/\\]cpp_extension\.py)")
# CPython (Python/dynload_win.c): "DLL load failed while importing <module>: <FormatMessage text>".
_WHILE_IMPORTING = lazy(r"DLL load failed while importing (?P<mod>\w{1,80})")
_EXTENSION_MODULE = lazy(r"^(?:_C\w*|_ext\w*|\w*cuda\w*)$")
_TORCH_FAMILY = lazy(r"^torch[\w.-]*$")
_LOOKBACK = 25


def under_torch_extension(lines: Sequence[str], i: int, importer: str) -> bool:
    """Line ``i`` holds the message; ``importer`` is the package the traceback names."""
    if _TORCH_FAMILY.match(importer or ""):
        return True
    m = _WHILE_IMPORTING.search(lines[i]) if "while importing" in lines[i] else None
    if m and _EXTENSION_MODULE.match(m.group("mod")):
        return True
    if any("torch" in line and _TORCH_LOADER.search(line) for line in lines[max(0, i - _LOOKBACK):i]):
        return True
    return any("Could not load this library:" in line for line in lines[i:i + 8])
