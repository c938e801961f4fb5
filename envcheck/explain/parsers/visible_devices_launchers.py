"""A launcher's GPU list, which it passes on as the run's CUDA_VISIBLE_DEVICES.

Hugging Face Accelerate: ``accelerate launch`` copies its ``gpu_ids`` setting into the child's
environment unchanged, ``current_env["CUDA_VISIBLE_DEVICES"] = gpu_ids`` unless it is "all"
(accelerate/utils/launch.py, ``prepare_simple_launcher_cmd_env`` and ``prepare_multi_gpu_env``). A
report shows the setting as

* the config file (``accelerate config`` writes ``default_config.yaml``: ``gpu_ids: 1``), or
  ``accelerate env``'s print of it (``- `Accelerate` default config:`` then ``\\t- gpu_ids: 1``,
  accelerate/commands/env.py) — read only where the text holds one of Accelerate's own config keys
  (``compute_environment``, ``distributed_type``): pix2pix and others name their device option
  ``gpu_ids`` too, and that one is an index, not a mask;
* the command line: ``accelerate launch --gpu_ids 1 train.py``.

The value is kept as Accelerate passes it (``'[1,2,3,4]'`` becomes a mask CUDA reads as naming no
GPU); rules/cuda_env.py weighs it like any CUDA_VISIBLE_DEVICES the text shows. Advice ("try
``--gpu_ids 0``", "e.g.") sets nothing.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "launcher GPU list"

# The YAML key, alone on its line (accelerate's config file; accelerate env prints it after "- ").
_CONFIG_LINE = lazy(r"^\s*(?:-\s*)?gpu_ids\s*:\s*(?P<value>\S.*?)\s*$")
# Accelerate's own config keys: the file or its print is Accelerate's (accelerate/commands/config/*).
_ACCELERATE_KEYS = ("compute_environment", "distributed_type")
# accelerate launch's option (accelerate/commands/launch.py: --gpu_ids).
_CLI = lazy(r"\baccelerate\s+launch\b[^\n]*?\s--gpu_ids(?:=|\s+)(?P<value>\"[^\"]*\"|'[^']*'|[^\s\\]+)")
_ADVICE = lazy(r"\b(?:try|consider|e\.g\.?|for\s+example|such\s+as|should|could|you\s+can)\b", re.I)


def _unquote(v: str) -> str:
    v = v.strip()
    return v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"" else v


def _passed_on(value: str) -> Optional[str]:
    """The mask Accelerate sets for ``value``, or None where it sets none ("all", none given)."""
    v = _unquote(value)
    if any(c in v for c in "$%{<"):
        return None  # a shell variable or a template ("$GPUS", "%GPUS%", "{gpu_ids}", "<ids>"): its value is not shown
    return None if v.lower() in ("all", "none", "null", "~", "") else v


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    hits = doc.lines_containing("gpu_ids")
    if not hits:
        return f
    lines = doc.lines
    config = bool(doc.lines_containing(*_ACCELERATE_KEYS))
    for i in hits:
        line = lines[i]
        m = _CONFIG_LINE.match(line) if config else None
        if m is None:
            m = _CLI.search(line)
            if m is None or _ADVICE.search(line[:m.start()]):
                continue
        value = _passed_on(m.group("value"))
        if value is not None:
            f.item("env.variables", "CUDA_VISIBLE_DEVICES", value, i, rank=PROGRAM)
    return f
