"""torch and its compiled companion (torchvision, torchaudio) named with their versions in one
sentence of the person's: "torch 1.4.0+cu92 and torchvision 0.5.0", "pytorch 1.7.1, torchvision
0.9.0, the demo crashes", "我的 torch 是 2.1.0，torchvision 是 0.15.2".

Each torchvision series is built for one torch release and each torchaudio series likewise
(``torch_releases.toml``, https://github.com/pytorch/vision#installation); a listing (pip list,
conda list, collect_env) is read by the package readers and judged by ``rules/listed_builds.py``.
This is the pair said in prose, which those leave out. Not from a sentence that changes or advises
("upgraded torchvision from 0.15 to 0.16", "torchvision 0.16 requires torch 2.1", "should I use …?"),
a command line (pip/conda install), a log line, another machine, or a failure said to be over.

Recorded as a note (``derived.extension_said.COMPANION_PAIR_SAID``): "torch 2.1.0 | torchvision
0.15.2 — “…” (line N)"; ``rules/extension_said.py`` judges the pairing with the failure the text shows.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.extension_said import COMPANION_PAIR_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# A version as pip and torch print them ("1.4.0", "2.1.0+cu118"), after the name with "==", "=",
# "version (is)", ":", "v", "是" or nothing between.
_AFTER_NAME = r"(?![\w-])\s*(?:==|=|:|：|\s+version\s*(?:is\s*|是\s*)?|\s*是\s*|\s+v(?=\d))?\s*(?P<v>\d{1,2}\.\d{1,2}(?:\.\d{1,2})?(?:\+\w{1,12})?)(?![\w.])"
_TORCH = lazy(r"(?<![\w.-])(?:py)?torch" + _AFTER_NAME, _I)
_COMPANION = lazy(r"(?<![\w.-])(?P<name>torchvision|torchaudio)" + _AFTER_NAME, _I)
# A change, a requirement, advice or a choice: not the pair that is installed here.
_CHANGE = lazy(r"\b(?:from|upgrad\w*|downgrad\w*|updat\w*|switch\w*|chang\w*|requires?|required|needs?|should"
               r"|compatible|compatibility|pairs?\s+with|match\w*|instead|recommend\w*|supports?|corresponds?)\b"
               r"|升级|降级|改成|换成|需要|对应|兼容", _I)
# A log line (a level, a timestamp, logfmt's "level=") or an install command anywhere on the line
# (quoted in a sentence, after a prompt "$>", "C:\\…>", "!pip"): a tool's words or what is being
# installed, not the person's account of what is there.
_COMMAND = lazy(r"\b(?:pip3?|conda|mamba|uv|poetry)(?:\.exe)?\s+(?:install|add)\b|^\s*\[?(?:\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d"
                r"|WARN(?:ING)?|INFO|DEBUG|ERROR)\b|\blevel=\w", _I)


# Another person's pair ("My colleague has torch 1.13.1 and torchvision 0.15.1"), or one known in general to
# fail ("this combination is known to crash"): not this machine's (review of round 28).
_THEIRS = lazy(r"\b(?:friend|colleague|co-?worker|coworker|brother|sister|boss|teammate|someone|somebody|another\s+user)(?:'?s)?\b"
               r"|\b(?:he|she|they)\s+(?:has|have|had|uses?|used)\b|\bknown\s+to\b|\btested\s+with\b", _I)


def _pair(line: str) -> Optional[Tuple[str, str, str, int]]:
    """(torch's version, the companion, its version, where the pair starts) on a short line, or None."""
    if len(line) > 400 or _COMMAND.search(line):
        return None
    c = _COMPANION.search(line)
    t = _TORCH.search(line)
    if c is None or t is None:
        return None
    start, end = min(c.start(), t.start()), max(c.end(), t.end())
    between = line[start:end]
    if re.search(r"[.!;。！；](?:\s|$)", between) or _CHANGE.search(line) or _THEIRS.search(line):
        return None  # two sentences, or a change / advice
    if asked(line, end, clause=False) or general_statement(line, start, end) or not_here_now(line, start, end):
        return None
    return t.group("v"), c.group("name").lower(), c.group("v"), start


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    pairs = [(i, p) for i, p in doc.where(_pair, "torchvision", "torchaudio", ignorecase=True)]
    if len({p[:3] for _, p in pairs}) > 1:
        return f  # two pairs named: which is this machine's, the text does not say (review of round 28)
    for i, (torch, name, version, at) in pairs:
        if working_after(doc.lines, i, at):
            continue
        words = " ".join(doc.lines[i].split())[:160]
        f.note(f"{COMPANION_PAIR_SAID}torch {torch} | {name} {version} — “{words}” (line {i + 1})")
        return f
    return f
