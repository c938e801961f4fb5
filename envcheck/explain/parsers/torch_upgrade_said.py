"""A torch upgrade a person tells as what broke their setup: the version after it is installed.

"Upgrading torch from a perfectly fine 2.2.2 to 2.3.0 seems to break it", "after updating torch
to 2.9.0, import torch fails", "torch 从2.2升级到2.3后报错": the release named after "to" is the
one the failure comes from (``torch.version``, a person's words: ``OUTCOME`` rank, never above a
program's own output). Only where the same line says something broke: an upgrade said to have
fixed things names the cure, not the state; advice, questions and plans are not the machine.
Read by ``python_torch_prose.parse``.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.explain.partial import OUTCOME, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

# The release after the change: "2.3.0", "v2.9.1", "2.4.0+cu121" (not "2.4.0-cp311", a wheel's name).
_AFTER = r"v?(?P<v{}>\d\.\d{{1,2}}(?:\.\d{{1,3}})?(?:\+(?:cu\d{{2,3}}|cpu))?)(?![A-Za-z0-9_.+-])"
# Between the verb's object and "to": "from a perfectly fine 2.2.2 ", dots only inside numbers.
_BETWEEN = r"(?:[^.\n?!]|(?<=\d)\.(?=\d)){0,60}?"
_UPGRADE_SAID = lazy(
    r"\b(?:upgrad|updat)(?:e|ed|es|ing)\s+(?:my\s+|the\s+)?(?:py)?torch(?![A-Za-z0-9_-])" + _BETWEEN
    + r"\bto\s+(?:version\s+)?" + _AFTER.format(0)
    + r"|\b(?:upgrad|updat)(?:e|ed|es|ing)\s+to\s+(?:py)?torch(?:\s+version)?\s*[=:]?\s*" + _AFTER.format(1)
    + r"|(?:py)?torch(?![A-Za-z0-9_-])\s*(?:版本)?\s*(?:从|由)\s*v?\d[\w.+]{0,20}\s*(?:升级|更新)\s*(?:到|至|为)\s*" + _AFTER.format(2)
    + r"|(?:升级|更新)\s*(?:了)?\s*(?:py)?torch(?![A-Za-z0-9_-])\s*(?:版本)?\s*(?:到|至|为)\s*" + _AFTER.format(3),
    re.IGNORECASE)
# Something broke on the same line.
_BROKE = lazy(r"\b(?:break|breaks|broke|broken|breaking|fails?|failed|failing|errors?|crash\w*|stopped\s+working|"
              r"no\s+longer\s+works?|can'?t|cannot|won'?t|not\s+work\w*)\b|报错|出错|失败|错误|无法|不能用",
              re.IGNORECASE)
# The upgrade as the cure ("updating torch to 2.4.1 fixed it"), a plan, advice or a question.
_NOT_THE_STATE = lazy(
    r"\b(?:fix(?:es|ed)?|solv(?:es|ed)|resolv(?:es|ed)|helped|works?\s+(?:now|again|fine)|worked)\b|解决|解決|正常了|好了"
    r"|\b(?:try|tried|trying|should|shall|could|would|will|going\s+to|plan\s+to|want\s+to|need\s+to|please|"
    r"recommend\w*|suggest\w*|if|whether|instead|before)\b|\?|？",
    re.IGNORECASE)
_WORDS = ("upgrad", "updat", "升级", "更新")


def _upgrade(line: str) -> Optional[Tuple[str, int]]:
    """(release, offset) a line tells torch was upgraded to when it broke; read once per
    distinct line (Pasted.read)."""
    if len(line) > 600:
        return None
    m = _UPGRADE_SAID.search(line)
    if m is None or not _BROKE.search(line) or _NOT_THE_STATE.search(line):
        return None
    return next(v for v in m.groupdict().values() if v), m.start()


def read(doc: Pasted, f: Found, torch_lines) -> None:
    """Set ``torch.version`` from the last broken upgrade a line tells."""
    for i in sorted(set(doc.lines_containing(*_WORDS, ignorecase=True)).intersection(torch_lines)):
        told = doc.read(_upgrade, doc.lines[i])
        if told:
            f.set("torch.version", told[0], i, rank=OUTCOME,
                  detail=f"{STATED_DETAIL}: the torch an upgrade installed before it broke (line {i + 1})")
