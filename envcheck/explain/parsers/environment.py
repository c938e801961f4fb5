"""Environment variables that matter to the GPU stack, as pasted commands and outputs show them.

Recognised forms: ``CUDA_VISIBLE_DEVICES=2 python main.py`` (a prefix assignment),
``export VAR=…`` / ``set VAR=…`` / PowerShell ``$env:VAR="…"`` / docker ``-e VAR=…``,
``env``-style ``VAR=value`` lines, ``echo $VAR`` followed by its output,
``os.environ['VAR']: value`` (Ultralytics prints this) and ``os.environ["VAR"] = "…"``.
An empty value is kept: ``CUDA_VISIBLE_DEVICES=`` hides every GPU.

``LD_LIBRARY_PATH`` also becomes ``toolkit.ld_library_path`` (its entries, in order);
a reference to ``$LD_LIBRARY_PATH`` inside the value is dropped, so the list then holds
only the entries the text shows (said in the reading's detail).
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from ...lazyre import lazy
from ..partial import PROGRAM, TOOL, Found
from ..source import Pasted

SOURCE = "environment"

_VARS = r"(?:CUDA_[A-Z_]+|NVIDIA_[A-Z_]+|NCCL_[A-Z_]+|PYTORCH_[A-Z_]+|TORCH_[A-Z_]+|CUBLAS_[A-Z_]+|CUDNN_[A-Z_]+|" \
        r"LD_LIBRARY_PATH|LD_PRELOAD|HIP_VISIBLE_DEVICES|ROCR_VISIBLE_DEVICES)"
_VALUE = r"(?P<value>\"[^\"]*\"|'[^']*'|[^\s;&|)`]*)"
_ASSIGN = lazy(rf"(?:^|[\s;&(`])(?:export\s+|set\s+|-e\s+|--env[=\s]+|\$env:)?(?P<var>{_VARS})={_VALUE}")
_ENVIRON = lazy(rf"os\.environ(?:\.get\()?\[?\s*['\"](?P<var>{_VARS})['\"]\s*\]?\)?\s*(?P<op>[:=](?!=)|->)\s*{_VALUE}")  # "==" compares
_ECHO = lazy(rf"\becho\s+\"?\$\{{?(?P<var>{_VARS})\}}?\"?\s*$")
_LISTED = lazy(rf"^\s*(?P<var>{_VARS}):\s+(?P<value>\S.*)$")
# Every variable name above holds one of these (a cheap test before the patterns).
_NAME_PARTS = ("cuda_", "nvidia_", "nccl_", "torch_", "cublas", "cudnn_", "ld_library_path", "ld_preload", "hip_visible",
               "rocr_visible")
# Text that recommends a setting rather than making it: torch's own error footer says "For
# debugging consider passing CUDA_LAUNCH_BLOCKING=1" (c10/cuda/CUDAException.cpp).
# NCCL's and torch's c10d errors end "(run with NCCL_DEBUG=INFO for details)" (ProcessGroupNCCL.cpp).
_ADVICE = lazy(r"(?:\b(?:consider|try|trying|passing|pass|e\.g\.?|for example|such as|like|recommend\w*|suggest\w*)"
                     r"|\(\s*(?:re-?)?run\s+with)(?:\s+\w+){0,2}\s*$", re.IGNORECASE)
# The setting as the name of the errors that advise it ("almost all my CUDA_LAUNCH_BLOCKING=1 errors were
# caused by ...": torch's footer above names the variable), not a setting made.
_ERRORS_NAMED = lazy(r"\s+(?:errors?|error\s+messages?|exceptions?|crash(?:es)?|issues?)\b", re.IGNORECASE)
_PROMPT = lazy(r"(^\S*[$#>]\s)|(^\(\S+\)\s)|(^>>>)")
# A *_VISIBLE_DEVICES setting the line says is made on purpose to keep the GPU out ("the only solution that works is to
# set CUDA_VISIBLE_DEVICES=\"\". Is there another way to disable CUDA?", "… to run these workers on the
# CPU"): the person's choice, not a fault in the setup.
_ON_PURPOSE = lazy(r"\b(?:disabl\w*|turn\w*\s+off)\s+(?:cuda|the\s+gpus?|gpus?)\b"
                   r"|\b(?:run|running|force|forcing|keep|keeping)\s+(?:\w+\s+){0,3}on\s+(?:the\s+)?cpus?\b"
                   r"|\bhid(?:e|ing)\s+(?:the\s+|all\s+)?gpus?\b", re.IGNORECASE)


def _unquote(value: str) -> str:
    v = value.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"":
        return v[1:-1]
    return v


def _set(f: Found, var: str, value: str, i: int, rank: int, how: str) -> None:
    f.item("env.variables", var, value, i, rank=rank)
    if var == "LD_LIBRARY_PATH":
        _ld_path(f, value, i, rank, how)
    elif var in ("CUDA_HOME", "CUDA_PATH") and value:
        f.set("toolkit.cuda_home", value, i, rank=rank, detail=f"{var} {how}, line {i + 1}")


def _ld_path(f: Found, value: str, i: int, rank: int, how: str) -> None:
    entries = [e for e in value.split(":") if e]
    kept = tuple(e for e in entries if not re.match(r"^\$\{?LD_LIBRARY_PATH\}?$", e))
    detail = f"LD_LIBRARY_PATH {how}, line {i + 1}"
    if len(kept) != len(entries):
        detail += "; the value also appends the previous LD_LIBRARY_PATH, which the text does not show"
    f.set("toolkit.ld_library_path", kept, i, rank=rank, detail=detail)


def _echo_value(lines: Tuple[str, ...], i: int) -> Optional[Tuple[str, int]]:
    """The output line of ``echo $VAR`` on line ``i``: the next non-blank line, unless it is a prompt."""
    for j in range(i + 1, min(i + 4, len(lines))):
        s = lines[j].strip()
        if not s:
            continue
        if _PROMPT.match(s) or " " in s:
            return None
        return s, j
    return None


def _form(line: str) -> Optional[Tuple[str, object]]:
    """Which of parse's forms is on ``line``, and what it read there (None: none is). Read once
    per distinct line (Pasted.where), and its result placed on each copy: a long log repeats them."""
    m = _ECHO.search(line)
    if m:
        return "echo", m.group("var")
    if "VISIBLE_DEVICES" in line and _ON_PURPOSE.search(line):
        return None  # (only the GPU-hiding settings: another variable on such a line is still set)
    m = _ENVIRON.search(line)
    if m:
        if line.lstrip().startswith("#"):
            return None  # Python code commented out ("# os.environ[...] = ..."): not in effect
        return "environ", (m.group("var"), _unquote(m.group("value")), TOOL if m.group("op") != "=" else PROGRAM)
    m = _LISTED.match(line)
    if m:
        return "listed", (m.group("var"), _unquote(m.group("value")))
    if not _ASSIGN.search(line):
        return None
    # "For debugging consider passing CUDA_LAUNCH_BLOCKING=1": advice, not a setting
    return "assign", [(m.group("var"), _prose_end(_unquote(m.group("value")))) for m in _ASSIGN.finditer(line)
                      if not _ADVICE.search(line[:m.start()]) and not _names_errors(line, m)]


def _names_errors(line: str, m: "re.Match[str]") -> bool:
    """The setting written as the name of errors ("CUDA_LAUNCH_BLOCKING=1 errors"), not one clause
    ending before another ("I set CUDA_LAUNCH_BLOCKING=1, errors are the same")."""
    return not m.group("value").endswith((",", ".", ";", ":")) and bool(_ERRORS_NAMED.match(line, m.end()))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    lines = doc.lines
    for i, (form, read) in doc.where(_form, *_NAME_PARTS):
        if form == "echo":
            out = _echo_value(lines, i)
            if out is not None:
                _set(f, read, out[0], out[1], TOOL, "as echoed")
        elif form == "environ":
            var, value, rank = read
            _set(f, var, value, i, rank, "from os.environ")
        elif form == "listed":
            var, value = read
            _set(f, var, value, i, TOOL, "as printed")
        else:
            for var, value in read:
                _set(f, var, value, i, PROGRAM, "as set in the text")
    return f


def _prose_end(value: str) -> str:
    """An unquoted value that ends a clause of a sentence ("sets CUDA_VISIBLE_DEVICES=1, which makes",
    "it had CUDA_VISIBLE_DEVICES=0.") without the punctuation; "0,1" keeps its comma."""
    if value.endswith(",") or (value.endswith(".") and value[-2:-1].isdigit()):
        return value[:-1]
    return value
