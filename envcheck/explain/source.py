"""Reading what a user pasted: bytes → normalised lines, with one-line errors for bad input.

Pasted reports arrive with every kind of wrapping: Markdown code fences, ``> `` quote
markers from a reply, HTML entities from a scraped page, CRLF line ends and UTF-16
files from Windows shells (PowerShell's ``>`` writes UTF-16 with a BOM), terminal
colour codes, and typographic quotes (``couldn‘t``). Normalising them once here keeps
every parser's patterns plain.

Decisions (documented in ``envcheck explain --help``): empty input, binary input and
input over :data:`MAX_BYTES` are usage errors (exit 2) with one line saying why.
"""

from __future__ import annotations

import html
import re
import sys
import textwrap
from typing import BinaryIO, List, Optional

from envcheck.errors import EnvcheckError
from envcheck.explain import hardwrap
from envcheck.explain.pasted import Pasted  # noqa: F401 (readers import them from here)
from envcheck.explain.plain import RSYSLOG_NEWLINE, decode, plain, strip_colour
from envcheck.knowledge.line_scan import literal_prefix  # noqa: F401
from envcheck.lazyre import lazy
from envcheck.userfiles import read_bounded

# No tool output envcheck reads has lines this long (a TORCH_CUDA_ARCH_LIST or
# LD_LIBRARY_PATH line is a few hundred characters); longer lines are blobs (base64,
# minified JSON) and are cut so that no pattern ever scans megabytes of one line.
MAX_LINE = 16384

# A pasted report is a few kilobytes; a whole dmesg or `pip list` of a big
# environment stays well under this. Anything larger is not a paste.
MAX_BYTES = 4 * 1024 * 1024


# The entities a scraped page or an HTML export writes: the named ones of markup, and numeric
# references (Python's html.escape writes "&#x27;" for an apostrophe).
_ENTITY = lazy(r"&(?:gt|lt|amp|quot|apos|nbsp|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")
# A line with text at its first column (the first such line ends the search: usually line one).
_NOT_INDENTED = lazy(r"^[^ \t\n]", re.MULTILINE)


def normalise(text: str) -> Pasted:
    """Plain lines: no colour codes, fences, quote markers, entities or typographic quotes.

    Each step is one pass over the whole text (the patterns are line-local), not a loop of
    patterns per line: a paste may hold 4 MiB of short lines."""
    if "\r" in text:  # two passes over 4 MiB saved where there is none (5 ms)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Colour codes first: they make every line of a coloured log distinct (so the repeated-line
    # path below would not be taken) and count in a terminal wrap's width.
    text = strip_colour(text)
    if "&" in text and _ENTITY.search(text):
        text = html.unescape(text)
    if text[:1] in (" ", "\t") and not _NOT_INDENTED.search(text):
        # Every line indented: a Markdown code block made by indentation (four spaces or a tab),
        # or a reply that indented the whole paste. Its common indent goes, as Markdown renders it.
        text = textwrap.dedent(text)
    lines = text.split("\n")
    unwrapped = hardwrap.unwrap(lines, text)  # a terminal's hard wrap undone, on the lines it showed
    if unwrapped is not lines:
        lines = unwrapped
        text = "\n".join(lines)
    if "#012" in text:
        lines = split_rsyslog(text, lines)
        text = ""  # joined again below only where the lines do not repeat
    distinct = dict.fromkeys(lines)
    if len(distinct) * 2 > len(lines):
        return Pasted(tuple(line.rstrip()[:MAX_LINE] for line in plain(text or "\n".join(lines)).split("\n")))
    # A log repeating its lines: the steps below are line-local (no match holds or looks past a
    # newline), so each distinct line is made plain once and its copies take the result.
    for line in distinct:
        distinct[line] = plain(line).rstrip()[:MAX_LINE]
    return Pasted(tuple(map(distinct.__getitem__, lines)))


def split_rsyslog(text: str, lines: List[str]) -> List[str]:
    """``lines`` (``text`` split at its newlines) with each line holding rsyslog's "#012" split
    there (the pattern reads no further than its line). The lines holding one are found from
    the places of "#012" in the text, not by a test of each of a 4 MiB log's 100,000 lines."""
    out: List[str] = []
    copied = 0  # lines before this one are in out
    line, counted = 0, 0  # the line holding offset ``counted`` of text
    pos = text.find("#012")
    while pos != -1:
        line += text.count("\n", counted, pos)
        out.extend(lines[copied:line])
        out.extend(RSYSLOG_NEWLINE.sub("\n", lines[line]).split("\n"))
        copied = line + 1
        end = text.find("\n", pos)
        if end == -1:
            break
        line, counted = line + 1, end + 1
        pos = text.find("#012", counted)
    out.extend(lines[copied:])
    return out


def from_bytes(data: bytes, name: str = "input") -> Pasted:
    if len(data) > MAX_BYTES:
        raise EnvcheckError(f"{name}: larger than a pasted report can be ({MAX_BYTES // (1024 * 1024)} MiB); "
                            "paste only the relevant output")
    text = decode(data, name)
    if not text.strip():
        raise EnvcheckError(f"{name}: empty, nothing to explain")
    return normalise(text)


def read(path: str, stdin: Optional[BinaryIO] = None) -> Pasted:
    """Read FILE, or standard input for ``-``; a bad file is one clear line (exit 2)."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return from_bytes(stream.read(MAX_BYTES + 1), "standard input")
    data = read_bounded(path, MAX_BYTES)
    return from_bytes(data, path)
