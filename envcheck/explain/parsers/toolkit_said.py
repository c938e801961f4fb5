"""A person naming the CUDA *toolkit*'s release in their own words: "CUDA Toolkit 11.3",
"cuda toolkit version is 11.7", "the CUDA 11.0 toolkit", "CUDA工具包版本11.3",
"CUDA 툴킷 11.8", "CUDA Toolkit 12.0 をインストールしてあります", "the installed CUDA Toolkit is version
12.5", "the CUDA toolkit version installed (12.5)".

The toolkit is what nvcc belongs to, so the release is ``toolkit.nvcc_version`` as a person's
claim (rank ``STATED``): ``nvcc --version`` in the same paste outranks it, and a finding resting
on it is "likely". ``cuda_said`` reads "CUDA 11.3" without the word toolkit (whose CUDA that is,
the sentence does not say) and "nvcc is 11.5".

Nothing is claimed where the release is wanted rather than had: an intention or a requirement
("install / upgrade to / need CUDA Toolkit 12.8", "requires CUDA Toolkit 11.8 or newer"), what
something else supports ("driver 550.54.15 supporting CUDA Toolkit 12.4", "compatible with CUDA
Toolkit 12.4"), a package name ("cuda-toolkit-12-4"), a question, or a sentence naming two toolkit
releases (a change: "from CUDA toolkit 11.7 to 12.1").
"""

from __future__ import annotations

import re
from typing import Dict, List, Tuple

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# A space before "toolkit": conda's "cudatoolkit" package is the runtime libraries, without nvcc.
_KIT = r"(?:\s(?:tool\s?kit)|\s?(?:工具包|툴킷|ツールキット))"
# "CUDA Toolkit [version] [is|:] X.Y" and "CUDA X.Y toolkit"; not "cuda-toolkit-12-4", "cudatoolkit=11.3".
_SAID = lazy(
    r"(?<![A-Za-z0-9_/=.-])cuda" + _KIT + r"(?![A-Za-z0-9_-])\s*(?:の|的)?\s*(?:version|ver\.?|版本(?:号)?|버전|バージョン)?\s*"
    r"(?:は|은|는|이|号)?\s*(?:is|=|:|：|是|为|為|of)?\s*"
    # "the CUDA toolkit version installed (12.5)", "the installed CUDA Toolkit is version 12.5" (round 26)
    r"(?:(?:installed|in\s+use)\s*\(\s*|version\s+)?v?(?P<v>\d{1,2}\.\d)(?:\.\d{1,3})?(?![\d.]*\d)"
    r"|(?<![A-Za-z0-9_/=.-])cuda\s?v?(?P<w>\d{1,2}\.\d)(?:\.\d{1,3})?" + _KIT + r"(?![A-Za-z0-9_-])", _I)
# Wanted, not had: the words just before the match on its line ("installed" is had) ...
_WANTED_BEFORE = lazy(
    r"(?:install(?:ing)?(?!ed)|upgrad\w*|updat\w*|downgrad\w*|switch\w*|requires?|required|needs?|want\w*|"
    r"tr(?:y|ied|ying)|recommend\w*|download\w*|get|to|from|instead\s+of|suggest\w*|please|should|must|"
    # what something else supports, not what is installed: "driver 550.54.15 supporting CUDA Toolkit 12.4"
    r"support\w*|compatible\s+with|"
    r"安装|升级|更新|需要|要求|换成|改成|설치|업그레이드|필요|インストールし(?:て|たい)|必要)\W*(?:\w+\W+){0,2}$", _I)
# ... or right after it: "CUDA Toolkit 11.8 or newer", "12.8+", "以上".
_WANTED_AFTER = lazy(r"^\s*(?:\+|or\s+(?:newer|later|higher|above)|and\s+(?:newer|later|above)|or\s+greater|"
                           r"is\s+(?:required|needed)|以上|或更高|이상|が必要)", _I)
_NEEDLES = ("toolkit", "tool kit", "工具包", "툴킷", "ツールキット")


def _said(line: str) -> List[Tuple[str, str]]:
    """The toolkit releases ``line`` says the machine has, each with the words that say it."""
    if "|" in line:
        return []  # a table's cell (conda list, a pasted matrix), not a sentence
    out = []
    for m in _SAID.finditer(line):
        before = line[max(0, m.start() - 40):m.start()]
        if _WANTED_BEFORE.search(before) or _WANTED_AFTER.search(line[m.end():m.end() + 24]):
            continue
        if asked(line, m.end(), clause=False):
            continue
        out.append((m.group("v") or m.group("w"), m.group(0).strip()))
    return out


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    said: Dict[str, Tuple[int, str]] = {}
    read: Dict[str, List[Tuple[str, str]]] = {}  # a long log repeats its lines: each distinct one is read once
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        line = doc.lines[i]
        found = read.get(line)
        if found is None:
            found = read[line] = _said(line)
        for version, words in found:
            said.setdefault(version, (i, words))
    if len(said) != 1:
        return f  # none, or two releases (a change, a comparison): which one is there is not said
    (version, (i, words)), = said.items()
    f.set("toolkit.nvcc_version", version, i, detail=f"{STATED_DETAIL}: the CUDA toolkit's release ({words[:60]})")
    return f
