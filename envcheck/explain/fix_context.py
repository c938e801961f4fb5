"""Lines of a paste that tell a fix or an expectation, not the machine as it failed.

Reports carry two states of one machine: the one that failed, and the one the reporter wants or
reached later ("## Workaround" with a downgrade command, an issue template's "Expected behavior"
holding a proposed environment.yml, "Using pip instead fixes this." above a pip command). A version
read there is not what ran. :func:`fix_lines` finds those lines:

* a section under a heading that names a fix or an expectation (a Markdown heading, a whole-line
  bold label, or a short label ending in a colon: "Workaround", "Solution", "How I fixed it",
  "Expected behavior", 解决方法, 解決方法, 해결 방법, Solución, Lösung), up to the next heading;
* a block of commands right after a sentence saying that it fixed the problem ("this fixed it",
  "fixes this", "solved it by", "works now", 解决了), or, where none follows, right above it.

:func:`demote` then ranks what parsers read on those lines below a person's word (``AFTER_FIX``),
so such a value speaks only where nothing else in the text does, and drops package rows read there
(a proposed environment file is not what is installed). Error messages are left alone, and so are
environment variables in a told fix: a parser that reads one (``visible_devices``) judges it itself.
Environment variables listed under an EXPECTATION heading ("Expected behavior", 期望行为) are
ranked ``AFTER_FIX`` too: "### Expected behavior / CUDA_VISIBLE_DEVICES: 0" is the value the
reporter wanted, not the one the run had (:func:`expectation_lines`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import FrozenSet, List, Set

from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

# Below STATED: a value a person gives as the fix or the wish, not as what the machine has.
AFTER_FIX = STATED - 5

_I = re.IGNORECASE
# Words that open a fix or an expectation section, at the start of its heading.
_FIX_WORDS = (r"(?:(?:possible|temporary|suggested|proposed|my|the|a|quick)\s+)?"
              r"(?:work-?arounds?|solutions?|fix(?:es)?|resolution|resolved|solved|how\s+(?:i|we)\s+(?:fixed|solved)"
              r"|how\s+to\s+fix|what\s+(?:worked|fixed\s+it)|expected\s+(?:behaviou?r|results?|outcome|output))"
              r"|解决方法|解决办法|解决方案|解决|期望行为|预期行为|解決方法|解決策|해결\s*방법|해결책|soluci[oó]n|l[oö]sung")
# A heading: "## Workaround", "**Solution:**" (a Markdown heading or bold label, short), or the words
# alone on their line, with or without a colon ("Workaround:", "Expected behavior"). Not a line
# that only starts with such a word ("Resolved 48 packages in 1.2s" is uv's output).
# The headings that open an expectation rather than a fix.
_EXPECT = lazy(r"expected|期望|预期|期待|예상", _I)
_HEADING = lazy(rf"^\s*(?:(?:#{{1,6}}\s*|\*\*\s*|__\s*)(?:{_FIX_WORDS})\b[^\n]{{0,40}}"
                      rf"|(?:{_FIX_WORDS})\s*(?:\([^()\n]{{0,30}}\))?\s*[:：]?\s*)$", _I)
_ANY_HEADING = lazy(r"^\s*(?:#{1,6}\s+\S|\*\*[^*\n]{1,60}\*\*:?\s*$)")
# A short label line ending in a colon ("Environment:", "Versions:"): ends a label-opened section.
_LABEL = lazy(r"^\s*[A-Z][\w /()-]{1,40}:\s*$")
_SECTION_MAX = 40

# A sentence saying the commands beside it fixed the problem.
_FIXED = lazy(
    r"\bfix\w*\s+(?:it|this|that|the\s+(?:issue|problem|error))\b|\b(?:solv|resolv)\w*\s+(?:it|this|that|the\s+"
    r"(?:issue|problem|error))\b|\b(?:fixed|solved|resolved)\s+(?:it\s+)?by\b|\b(?:this|that|it)\s+(?:worked|works)\b"
    r"|\bworks?\s+now\b|\bworked\s+for\s+me\b|\bmanaged\s+to\s+(?:fix|solve)\b|解决了|问题解决|就可以了|解決しました|해결했",
    _I)
# A line of a command block: a shell command, an install line, a YAML list row of an environment file.
_COMMAND = lazy(
    r"^\s*(?:[$#>]\s+|\(\S+\)\s+\$?\s*)?(?:sudo\s+)?(?:pip3?|python3?(?:\.\d+)?|py|conda|mamba|micromamba|uv|poetry|"
    r"apt(?:-get)?|dnf|yum|export|set|docker|git|source|-\s+[\w.-]+(?:[=<>!]=?|\s*$))(?:\s|$)", _I)
_BLOCK_MAX = 12
# Words before the cue that deny it ("this did not fix it", "still not solved", "doesn't work now").
# Words before the cue that deny it or make it a hope ("this did not fix it", "I thought this
# would fix it"), and words after it that take it back ("fixes it, but ...").
_DENIED = lazy(r"\b(?:not|never|no|nothing|still|neither|nor|would|should|might|could|may|hope\w*|thought|"
                     r"expect\w*|suppos\w*|tr(?:y|ied|ying))\b|n't\b|没|未|不|应该|可能", _I)
_TAKEN_BACK = lazy(r"\b(?:but|however|though|still)\b|\?|但|还是", _I)


def _sections(doc: Pasted, out: Set[int], expected_only: bool = False) -> None:
    lines = doc.lines
    for i in doc.lines_containing("fix", "solution", "solved", "resolution", "resolved", "workaround",
                                  "work-around", "expected", "worked", "解决", "期望", "预期", "解決", "해결",
                                  "soluci", "lösung", "losung"):
        line = lines[i]
        if len(line) > 80 or not _HEADING.match(line) or (expected_only and not _EXPECT.search(line)):
            continue
        labelled = not _ANY_HEADING.match(line)  # "Workaround:" alone: ends at the next label too
        for j in range(i + 1, min(len(lines), i + 1 + _SECTION_MAX)):
            nxt = lines[j]
            if _ANY_HEADING.match(nxt) or (labelled and _LABEL.match(nxt)):
                break
            out.add(j)


def _block(lines, start: int, step: int, out: Set[int]) -> None:
    """The command lines next to ``start`` (up to two blank lines may separate them), going ``step``."""
    j, seen, blanks = start, 0, 0
    while 0 <= j < len(lines) and seen < _BLOCK_MAX:
        s = lines[j]
        if not s.strip():  # a blank line, or a code fence's line once the fence is gone
            if seen or blanks == 2:
                return
            blanks += 1
        elif _COMMAND.match(s):
            out.add(j)
            seen += 1
        else:
            return
        j += step


def _fix_cue(line: str) -> bool:
    """Does ``line`` say that something fixed the problem (not denied, hoped for or taken back)?"""
    m = _FIXED.search(line)
    return not (m is None or _COMMAND.match(line) or _DENIED.search(line, 0, m.start())
                or _TAKEN_BACK.search(line, m.end()))


def _fixed_blocks(doc: Pasted, out: Set[int]) -> None:
    lines = doc.lines
    # the cue's words, with what stands before "work" in each of _FIXED's forms ("it works", "this
    # worked", "that works", "works now", "worked for me"): a bare "work" is on every other log line
    # The cue is judged once per distinct line (Pasted.where): a log repeats its lines.
    for i, _ in doc.where(_fix_cue, "fix", "solv", "resolv", "it work", "is work", "at work", "works now",
                          "worked for", "managed to", "解决", "可以了", "解決", "해결"):
        below = len(out)
        _block(lines, i + 1, 1, out)
        if len(out) == below and i and lines[i - 1].strip():
            _block(lines, i - 1, -1, out)  # "pip install X" then "This fixed it." right under it


def fix_lines(doc: Pasted) -> FrozenSet[int]:
    """The lines (0-based) that tell a fix or an expectation (see the module's docstring)."""
    out: Set[int] = set()
    _sections(doc, out)
    _fixed_blocks(doc, out)
    return frozenset(out)


def expectation_lines(doc: Pasted) -> FrozenSet[int]:
    """The lines (0-based) of the sections under an expectation heading ("Expected behavior")."""
    out: Set[int] = set()
    _sections(doc, out, expected_only=True)
    return frozenset(out)


def demote(doc: Pasted, found: List[Found]) -> List[Found]:
    """``found`` with what was read on :func:`fix_lines` ranked ``AFTER_FIX`` (package rows dropped),
    and environment variables read under an expectation heading ranked ``AFTER_FIX`` too."""
    lines = fix_lines(doc)
    if not lines:
        return found
    wanted = expectation_lines(doc)
    out = []
    for f in found:
        if not any(c.line in lines for c in f.claims) and not any(g.line in lines for g in f.gpus) \
                and not any(it.line in lines and it.path == "python.packages" for it in f.items) \
                and not any(it.line in wanted and it.path == "env.variables" for it in f.items):
            out.append(f)
            continue
        g = dataclasses.replace(
            f,
            claims=[dataclasses.replace(c, rank=min(c.rank, AFTER_FIX)) if c.line in lines else c for c in f.claims],
            gpus=[dataclasses.replace(c, rank=min(c.rank, AFTER_FIX)) if c.line in lines else c for c in f.gpus],
            items=[dataclasses.replace(it, rank=min(it.rank, AFTER_FIX))
                   if it.line in wanted and it.path == "env.variables" else it
                   for it in f.items if not (it.line in lines and it.path == "python.packages")])
        out.append(g)
    return out
