"""Xid codes a person says their kernel log showed, in their own words.

The driver's kernel-log line is ``NVRM: Xid (PCI:0000:cb:00): 13, pid=…, …`` (the format
leptonai/gpud's components/accelerator/nvidia/error/xid/README.md quotes and matches with
``NVRM: Xid.*?: (\\d+),``); ``driver_text.py`` reads those lines. People
just as often summarise them: "dmesg shows Xid 79", "I got Xid 13 errors in the kernel log",
or a list under "`dmesg` shows repeated NVIDIA Xid events … :" whose items name the codes
("- `Xid 48 / 171`: uncorrectable double-bit ECC (DBE) in HBM framebuffer", "- `Xid 63`: Row
Remapper …"). Those codes become ``driver.xid_events`` with a detail that says the text claimed
them (rank ``STATED``: a pasted kernel line outranks them), so ``health.xid_errors_logged`` and
``xid_memory.ecc_errors_in_kernel_log`` judge them, as "likely".

Nothing is read from a question ("what does Xid 79 mean?"), a condition or advice ("if you see
Xid 48 …", "check dmesg for Xid 79", "grep for Xid"), a denial ("no Xid errors", "dmesg shows no
Xid 79"), nor from a code named as what it means in general ("Xid 79 means the GPU fell off the
bus"), nor from one placed on another machine, on other people or in a reference's table, or said
to be a habit that is over ("used to", ``sentences.not_here_now``). A code over 255 is no Xid (the
catalog's codes are below 200).
"""

from __future__ import annotations

import re
from typing import List, Tuple

from envcheck.derived.xid_said import XID_SAID_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import not_here_now
from envcheck.explain.source import Pasted
from envcheck.facts import XidEvent
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = lazy(r"[^!?;。！？\n]+(?:[!?;。！？]|$)")
# "Xid 48", "Xid: 79", "Xid #13", "`Xid 48 / 171`" (two codes). Not the kernel's "Xid (PCI:…)".
# Bounded by lookarounds, not \b: Japanese writes it between kana ("dmesgにXid 79が出ています").
_CODE = lazy(r"(?<![A-Za-z0-9_])Xid\s*(?:errors?\s*)?[:#]?\s*(\d{1,3})(?!\d|\.\d)((?:\s*/\s*\d{1,3}\b)*)", _I)
# The log said to show it, or the person having it.
_SAYS = lazy(r"\b(?:shows?|showed|showing|got|gets?|getting|see|sees|saw|seeing|seen|logged|logs|reports?|reported|"
             r"appear(?:s|ed)?|hit|hits|hitting|encounter(?:s|ed)?|throws?|threw|prints?|printed|records?|recorded)\b"
             r"|\bin\s+(?:the\s+)?(?:dmesg|syslog|journal\w*|kernel\s+logs?|/var/log/\w+)\b"
             # Chinese and Japanese: "dmesg 显示 Xid 79", "dmesg 里出现了 Xid 48", "dmesgにXid 79が出ています"
             r"|显示|出现|报了?|が出て|が出ま|が出た|が表示", _I)
_NOT = lazy(r"\?|？|\b(?:if|whether|when(?:ever)?|no|not|nothing|none|never|without|should|could|would|might|may|what|how|why|"
            r"check|look\s+for|grep|means?|meaning|e\.g|such\s+as|like)\b|n't\b"
            r"|如果|假如|要是|没有|没出现|是否|是什么|什么意思|吗|もし|場合|出ていない|出ていません|出ません|ありません|とは", _I)
# A header over a list of codes: "`dmesg` shows repeated NVIDIA Xid events, … :".
_HEADER = lazy(r"\b(?:dmesg|syslog|journalctl|kernel\s+log|kern\.log)\b`?[^.?\n]{0,40}?\b(?:shows?|showed|has|had|"
               r"reports?|reported|logged|lists?|listed|contains?|contained)\b[^?\n]{0,60}?\bXids?\b(?:\s+(?:events?|errors?))?", _I)
_ITEM = lazy(r"^\s*(?:[-*•+]|\d+[.)])\s+`?Xid\b", _I)


def _codes(text: str) -> List[int]:
    out: List[int] = []
    for m in _CODE.finditer(text):
        out += [int(m.group(1))] + [int(c) for c in re.findall(r"\d{1,3}", m.group(2) or "")]
    return [c for c in out if 0 < c < 256]


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    found: List[Tuple[int, int]] = []  # (code, line)
    listed = set()
    for i in doc.lines_containing("xid", ignorecase=True):
        line = lines[i]
        if "NVRM" in line or "DCGM_" in line or line.lstrip().startswith("|"):
            continue  # the driver's own lines and exporter metrics: their readers read them
        h = _HEADER.search(line)
        if h and not _NOT.search(line[:h.end()]) and not not_here_now(line, h.start(), h.end()):
            for j in range(i + 1, min(len(lines), i + 12)):
                if not _ITEM.match(lines[j]):
                    if lines[j].strip():
                        break
                    continue
                listed.add(j)
                if not _NOT.search(lines[j]):
                    found += [(c, j) for c in _codes(lines[j])]
        if i in listed:
            continue
        for s in _SENTENCE.findall(line):
            if _CODE.search(s) and _SAYS.search(s) and not _NOT.search(s) and not not_here_now(s, 0, len(s)):
                found += [(c, i) for c in _codes(s)]
    if found:
        f.set("driver.xid_events", tuple(XidEvent(c, None, "(the text names it)") for c, _ in found), found[0][1],
              detail=XID_SAID_DETAIL)
    return f
