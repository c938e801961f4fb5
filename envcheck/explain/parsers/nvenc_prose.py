"""A person saying their NVIDIA driver is too old for an NVENC encoder, in their own words, on a
line that names NVENC:

* a requirement and an older installed driver compared: "states only Nvidia driver 546.33 and later
  is supported but the latest Nvidia driver on Ubuntu/Linux is only 535.x. I tried v1.7.2 on Ubuntu
  and nvencode is not available";
* the driver called too old outright: "NVENC fails, my driver is too old", "nvenc报错，驱动版本太低".

The encoders' own words (FFmpeg's "Driver does not support the required nvenc API version", "The
minimum required Nvidia driver for nvenc is N or newer") are read from messages.toml. No claim from
a denial ("my driver is not too old"), a question ("is my driver too old for NVENC?"), a fix that
ended it ("after updating the driver NVENC works"), an installed driver at or above the requirement,
or a requirement with no failure said on the line (documentation quoted). Recorded as a note
(``derived.codec_deps_said.NVENC_SAID_DRIVER_OLD``); ``rules/codec_deps.py`` makes the "likely" finding.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.codec_deps_said import NVENC_SAID_DRIVER_OLD
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# FFmpeg's own lines (libavcodec/nvenc.c): left to messages.toml.
_TOOL = lazy(r"required nvenc API version|minimum required Nvidia driver for nvenc", _I)
# A driver requirement: "driver 546.33 and later", "driver 570 or newer", "requires driver 551.76",
# "minimum driver version 531.61", "at least driver 550".
_REQUIRED = lazy(r"\bdriver(?:\s+version)?s?\s+(?P<a>\d{3})(?:\.\d{1,3})?\s*(?:\+|and\s+(?:later|newer|above|up)|or\s+(?:later|newer|above|higher))"
                 r"|\b(?:requires?|needs?|minimum(?:\s+required)?|at\s+least)\s+(?:an?\s+)?(?:nvidia\s+)?driver(?:\s+version)?\s+(?:of\s+)?(?P<b>\d{3})(?:\.\d{1,3})?",
                 _I)
# The driver the person has, said after the requirement: "is only 535.x", "I have 472.84", "installed 470".
_HAVE = lazy(r"\b(?:is\s+only|only\s+(?:have|got)|i\s+(?:have|use|am\s+using|'m\s+using|run)|installed(?:\s+is)?|current(?:ly)?(?:\s+is)?"
             r"|mine\s+is|my\s+driver\s+(?:is|version\s+is)?)\s+(?:(?:nvidia\s+)?driver\s+)?(?:version\s+)?(?:r)?(?P<v>\d{3})(?:\.(?:\d{1,3}|x))?\b", _I)
# The driver called too old outright.
_OLD = lazy(r"\bdriver(?:\s+version)?\s+(?:is\s+)?(?:too|very)\s+old\b|\b(?:old|outdated)\s+(?:nvidia\s+)?driver\b"
            r"|驱动(?:版本)?(?:太|过)(?:旧|老|低)|ドライバ(?:ー)?(?:のバージョン)?が古", _I)
# A failure said on the line.
_FAILS = lazy(r"\b(?:not\s+(?:available|work(?:ing)?|supported|show(?:ing)?)|does(?:\s+not|n't)\s+(?:work|show|appear)|doesn't|fails?|failed"
              r"|error|can(?:no|')t|unable|missing|greyed|grayed|broke)\b|报错|失败|不能|无法|エラー|使えない|できない", _I)
# A denial, a question, a fix that ended it, or advice: no claim.
_NOT = lazy(r"[?？]|吗|\b(?:not\s+too\s+old|isn't\s+too\s+old|no\s+longer|anymore|(?:fix|fixe[ds]|solved|resolved)\b"
            r"|works?\s+now|now\s+works?|working\s+now|after\s+updat\w*|updated|if|whether|might|maybe"
            r"|works?\s+(?:with|on|after|fine)|with\s+(?:the\s+)?(?:new|newer|latest|updated)\s+driver)\b"
            r"|解决|解決|好了|已修复|更新后|更新完"
            # round 26 review: the driver since upgraded, the encoder said to work now, a failure of the past
            r"|\b(?:upgraded\s+(?:the\s+|my\s+)?(?:nvidia\s+)?(?:driver|to\s+\d{3})|(?:i'?m|we'?re)\s+on\s+\d{3}(?:\.\d+)*\s+now"
            r"|(?:it|encoding|nvenc|everything)\s+(?:works|is\s+fine|runs\s+fine)|last\s+(?:year|month|week)"
            # a denial or a doubt: "I don't think it's an old driver", "不是驱动太旧的问题"
            r"|don'?t\s+think|not\s+sure|neither|(?:is\s*n[o']?t|not)\s+(?:an?\s+|the\s+|my\s+)?(?:old|outdated)\s+driver)\b"
            r"|不是|并非|不是因为", _I)


def _said_old(line: str) -> Optional[Tuple[str, str]]:
    """(what was compared, the line) when ``line`` names NVENC, says it fails and says the driver is
    older than it needs; None otherwise."""
    if len(line) > 600 or _TOOL.search(line) or not _FAILS.search(line) or _NOT.search(line):
        return None
    req = _REQUIRED.search(line)
    if req is not None:
        need = int(req.group("a") or req.group("b"))
        have = _HAVE.search(line, req.end())
        if have is not None and int(have.group("v")) < need:
            return f"{have.group('v')} < {need}", line.strip()
        return None
    if _OLD.search(line):
        return "said", line.strip()
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_said_old, "nvenc", ignorecase=True)
    if hit is not None:
        i, (what, s) = hit
        f.note(f"{NVENC_SAID_DRIVER_OLD}{what} — “{' '.join(s.split())[:200]}” (line {i + 1})")
    return f
