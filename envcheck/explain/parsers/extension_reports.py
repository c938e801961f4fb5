"""The environment reports compiled-extension tools print, and a person's own words for the
two CUDA versions an extension build depends on.

* DeepSpeed's ``ds_report`` ("DeepSpeed general environment info", deepspeed/env_report.py:
  ``print(name, "." * (33 - len(name)), value)``): ``torch version .... 2.0.1+cu117``,
  ``torch cuda version .... 11.7`` (``None`` for a CPU-only torch) and ``nvcc version ....
  12.1`` (the toolkit DeepSpeed's op builder compiles with; ``[FAIL] nvcc missing`` when none).
  The op table below it (``[NO] ....... [OKAY]``) is not read: an op not pre-built is normal.
* ``python -m xformers.info`` (xformers/info.py): ``pytorch.version:  2.0.0``,
  ``pytorch.cuda:  available`` / ``not available``, ``gpu.name:`` and
  ``gpu.compute_capability:`` of device 0. The ``build.*`` rows are the xFormers build's own
  (the torch it was built for), not this machine's.
* A person's sentence: "my torch.version.cuda is 9.0.176", "nvcc --version is 10.0",
  "nvcc -V shows 11.3" (rank ``STATED``; a question or a wish is not a claim).

Candidate lines come from ``Pasted.lines_containing`` on literal needles; the patterns run
only on those lines.
"""

from __future__ import annotations

import re

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import REPORT, STATED, Found
from envcheck.explain.source import Pasted

SOURCE = "extension tool report"

# ds_report's dotted rows: at least three dots between the name and the value.
_DS_ROW = re.compile(r"^\s*(?P<key>torch version|torch cuda version|nvcc version)\s+\.{3,}\s+(?P<value>\S+)")
_CUDA = re.compile(r"^\d{1,2}\.\d{1,2}$")
# xformers.info's rows: "name:" padded with spaces, then the value.
_XF_ROW = re.compile(r"^\s*(?P<key>pytorch\.version|pytorch\.cuda|gpu\.name|gpu\.compute_capability):\s+(?P<value>\S.*?)\s*$")
# A person's sentence; the version right after a verb of being or showing.
_SAID_TORCH_CUDA = re.compile(r"torch\.version\.cuda(?:\(\))?\)?\s*(?:is|=|==|:|shows|returns|gives|prints|->|是|为)\s*"
                              r"['\"]?(?P<v>\d{1,2}\.\d{1,2})(?:\.\d{1,4})?(?![\d.]*\d)")
_SAID_NVCC = re.compile(r"nvcc\s+(?:--version|-V)\s*(?:is|shows|says|gives|prints|returns|reports|=|:|是|为)\s*"
                        r"(?:release\s+|CUDA\s+)?v?(?P<v>\d{1,2}\.\d{1,2})(?:\.\d{1,4})?(?![\d.]*\d)", re.IGNORECASE)
# "is it because nvcc --version is 10.0?": the claim itself is asked (a question mark right after
# it, or a question word opening its clause); a question later on the line asks something else.
_ASKED_BEFORE = re.compile(r"(?:^|[.;!?,]\s*)(?:is|does|do|should|why|how|can|could|whether|if)\b[^.;!?,]*$", re.IGNORECASE)
_WANTED = re.compile(r"(?:should|must|need(?:s|ed)?|want|expected?|required?|to be)\W+(?:\w+\W+){0,2}$", re.IGNORECASE)


def _ds_report(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("torch version ...", "torch cuda version ...", "nvcc version ..."):
        m = _DS_ROW.match(doc.lines[i])
        if not m:
            continue
        key, value = m.group("key"), m.group("value")
        if key == "torch version" and re.match(r"\d+\.\d+", value):
            f.set("torch.version", value, i)
        elif key == "torch cuda version" and _CUDA.match(value):
            f.set("torch.cuda_build", value, i)
        elif key == "nvcc version" and _CUDA.match(value):
            f.set("toolkit.nvcc_version", value, i)


def _xformers_info(doc: Pasted, f: Found) -> None:
    name = cc = None
    at = -1
    for i in doc.lines_containing("pytorch.version:", "pytorch.cuda:", "gpu.name:", "gpu.compute_capability:"):
        m = _XF_ROW.match(doc.lines[i])
        if not m:
            continue
        key, value = m.group("key"), m.group("value")
        if key == "pytorch.version" and re.match(r"\d+\.\d+", value):
            f.set("torch.version", value, i)
        elif key == "pytorch.cuda" and value in ("available", "not available"):
            f.set("torch.cuda_available", value == "available", i)
        elif key == "gpu.name" and value not in ("None", "unavailable"):
            name, at = value, i
        elif key == "gpu.compute_capability" and re.match(r"^\d{1,2}\.\d{1,2}$", value):
            cc, at = value, max(at, i)
    if name or cc:
        f.gpu(0, at, name=name, compute_capability=cc)


def _claimed(line: str, pattern: re.Pattern) -> str:
    """The one version ``line`` says the machine has, or ""."""
    found = {m.group("v") for m in pattern.finditer(line)
             if not _WANTED.search(line[max(0, m.start() - 30):m.start()])
             and "?" not in line[m.end():m.end() + 12] and not _ASKED_BEFORE.search(line[:m.start()])}
    return found.pop() if len(found) == 1 else ""


def _said(doc: Pasted, f: Found) -> None:
    # needles in lower case (lines_containing compares the lowered text); the nvcc pattern ignores case
    for needles, pattern, path, words in ((("torch.version.cuda",), _SAID_TORCH_CUDA, "torch.cuda_build", "torch's CUDA"),
                                          (("nvcc --version", "nvcc -v"), _SAID_NVCC, "toolkit.nvcc_version", "nvcc's release")):
        versions = {}
        for i in doc.lines_containing(*needles, ignorecase=pattern is _SAID_NVCC):
            v = _claimed(doc.lines[i], pattern)
            if v:
                versions.setdefault(v, i)
        if len(versions) == 1:  # two versions: a change or a comparison, not what is there
            (v, i), = versions.items()
            f.set(path, v, i, detail=f"{STATED_DETAIL}: {words}", rank=STATED)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, REPORT)
    _ds_report(doc, f)
    _xformers_info(doc, f)
    _said(doc, f)
    return f
