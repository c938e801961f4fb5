"""A report that says its problem is over: "Update: solved", "a reboot fixed it", "runs fine
now", "after a reboot it works again", 问题已解决. Threads are often pasted with the reporter's last word in them; what the
text shows failing is then what it *was*. The findings stay (they name the cause, which is
what such a paste is kept for) but an error becomes a warning, and says why.

Only a plain statement counts: a line that also says "not", "still", "but", "however", hopes
or supposes ("I hope it works again", "it should work now") or asks a question is not the problem being over ("it still fails, but the reboot fixed
nvidia-smi" is a new problem). What comes before a "but" or "however" that the statement
follows is the past it contrasts with ("torch 1.7 did not support my 3090, but I upgraded
and now everything works"): only the words after it are weighed. What follows the statement in
its sentence can take it back (review of round 25): "now it works only on the CPU", "now it runs
out of memory", "now it works... until I start training", "now it runs, then crashes", "now it
works on my other machine" tell a new or narrower problem, not the old one over.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.sentences import ANOTHER_MACHINE, FINE_NOW, RAN_SINCE_FIX
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE
_OVER = lazy(
    r"\b(?:update|edit)\s*:?\s*(?:solved|fixed|resolved)\b"
    r"|\b(?:problem|issue|error|it|this|that)\s+(?:is|was|has\s+been|got)\s+(?:now\s+)?(?:solved|fixed|resolved)\b"
    r"|\b(?:fixed|solved|resolved)\s+(?:it|the\s+(?:problem|issue|error))\b"
    r"|\b(?:works|runs|running|working)\s+(?:fine\s+|perfectly\s+|again\s+|well\s+)?now\b"
    r"|\bnow\s+(?:it\s+)?(?:works|runs)\b|\bwent\s+away\b|\b(?:it|everything|all)\s+works\s+again\b"
    # "after the reboot everything works", "gone after a reboot, everything works fine": a step taken, then
    # the working state (reviews of rounds 26 and 27)
    r"|\bafter\s+[^.!?\n]{1,60}?\b(?:it|everything|all|things)\s+(?:works|runs|is\s+working|is\s+fine)\b"
    rf"|{FINE_NOW}"
    rf"|{RAN_SINCE_FIX}"
    r"|问题(?:已经?)?解决|已解决|解决了", _I)
_NOT_OVER = lazy(r"\b(?:not|still|but|however|yet|unless|if|whether|hope|wish|will|would|should|might)\b|n't\b|\?|没有解决|未解决|仍然|还是", _I)
_NEEDLES = ("solved", "fixed", "resolved", "now", "went away", "works again", "without", "after", "解决")
_CONTRAST = lazy(r"\b(?:but|however)\b", _I)
# The statement's sentence goes on to narrow or undo it: a restriction, a time limit, another
# symptom, another machine. Read to the sentence's end ("..." does not end it). Not "instead":
# "now it runs on the GPU instead of the CPU" is the CPU-only build's trouble over.
_TAKEN_BACK = lazy(r"\b(?:until|till|except|sometimes|intermittent\w*|occasionally|randomly|partially|partly)\b"
                   r"|\bfor\s+a\s+(?:few|while|couple)\b|\bcpu[- ]only\b|\bslow\w*"
                   # "on / using the CPU" ("Update: solved by using the CPU"), not "instead of on the
                   # CPU" nor "on the CPU and the GPU"
                   r"|(?<!of\s)(?<!than\s)\b(?:on|using|with|to)\s+(?:the\s+)?cpus?\b(?!\s+(?:and|&|as\s+well|too)\b)"
                   r"|\bout\s+of\s+memory\b|\bthen\s+(?:it\s+)?(?:crash|fail|freez|hang|stop|die|throw|segfault)\w*"
                   rf"|{ANOTHER_MACHINE}", _I)
# "only" narrows the statement in its own clause ("now it works only when I run it as root"), not
# in the next ("it works now, I only had to reboot").
_ONLY = lazy(r"^[^,;]*\bonly\b", _I)
_SENTENCE_END = lazy(r"(?<!\.)[.!?;](?!\.)(?=\s|$)")


def said_over(doc: Pasted) -> Optional[str]:
    """The sentence saying the problem is over, or None."""
    for i in doc.lines_containing(*_NEEDLES):
        line = doc.lines[i]
        m = doc.search(_OVER, line)
        if m and not _NOT_OVER.search(line, _after_contrast(line, m.start())) and not _taken_back(line, m.end()):
            return line.strip()[:160]
    return None


def _after_contrast(line: str, end: int) -> int:
    """Where the words to weigh start: after the last "but"/"however" before ``end``, else 0."""
    start = 0
    for c in _CONTRAST.finditer(line, 0, end):
        start = c.end()
    return start


def _taken_back(line: str, end: int) -> bool:
    """Does the rest of the sentence after the statement (ending at ``end``) narrow or undo it?"""
    stop = _SENTENCE_END.search(line, end)
    rest = line[end:stop.start() if stop else len(line)]
    return bool(_TAKEN_BACK.search(rest) or _ONLY.search(rest))
