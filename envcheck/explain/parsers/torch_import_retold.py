"""``import torch`` failing with Windows' DLL load error, retold in a person's sentence without
Python's exception name: "When I import torch I get DLL load failed: The specified module could
not be found.", "import torch 报错 DLL load failed while importing _C: 找不到指定的模块。",
"importing torch gives 'DLL load failed while importing _C'".

The words are CPython's (``Python/dynload_win.c``: "DLL load failed while importing %U: %s" from
3.8, "DLL load failed: %s" before); with their ``ImportError:`` they are the catalogued
``python_dll_load_failed``, read by error_messages (which needs the import in view). Retyped
without it, the sentence must itself say the import of torch (``import torch``, ``importing
torch``; not torchvision's, nor another module's: "while importing cv2"). A claim (``STATED``:
``torch_import_failed`` then ``likely``), unless the sentence asks, supposes or advises, places it
on another machine or other people, or the trouble is said to be over.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, sentence_around, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"

# CPython's Python/dynload_win.c wording, the module it names when 3.8+ prints one.
_DLL_FAILED = lazy(r"\bDLL load failed(?: while importing (?P<module>[\w.]{1,80}))?", re.IGNORECASE)
# The import of torch itself (not torchvision, torchaudio, torch_scatter …).
_IMPORT_TORCH = lazy(r"\bimport(?:ing)?\s+(?:py)?torch\b(?![\w.])|\bfrom\s+torch\._C\s+import\b", re.IGNORECASE)
# Python's own line, read by error_messages with its traceback.
_UPSTREAM = lazy(r"ImportError:\s*DLL load failed", re.IGNORECASE)


def _retold(line: str) -> Optional[re.Match]:
    if len(line) > 400 or _UPSTREAM.search(line):
        return None
    m = _DLL_FAILED.search(line)
    if m is None or (m.group("module") and m.group("module") not in ("_C", "torch", "torch._C")):
        return None
    # the import of torch in the failure's own sentence: "import torch works; importing cv2 gives DLL
    # load failed" is another module's failure (review of round 23)
    if not _IMPORT_TORCH.search(sentence_around(line, m.start(), m.end())):
        return None
    if asked(line, m.end(), clause=False) or general_statement(line, m.start(), m.end()) \
            or not_here_now(line, m.start(), m.end()):
        return None
    return m


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, m in doc.where(_retold, "dll load failed", ignorecase=True):
        if i in doc.enclosed or working_after(doc.lines, i, m.start()):
            continue
        f.set("torch.import_error", " ".join(doc.lines[i].split())[:300], i)  # STATED: the person's words
        f.set("torch.installed", True, i)
        return f
    return f
