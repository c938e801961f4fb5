"""A GPU a person names as another machine's, not the one the report is about (review of round
23): "my NVIDIA GTX 1080 is in the other PC", "the 3090 is in my desktop, this is the laptop",
"my old laptop had a 960M", "I have a 3090 in my other PC", "in my friend's PC there is a
4090", "his RTX 5090", "drops support for sm_35 (Tesla K40)". Read by ``parsers/freetext`` before it counts a named GPU as this machine's.

A GPU said to be in a machine counts for this one unless the sentence makes that machine
another: an adjective that does ("other", "another", "second", "old", "previous", a friend's),
or the same line saying the machine of the report is a different kind ("this is the laptop",
"I'm on my laptop" against "in my desktop"). "The 3090 is in my desktop" alone, "I moved my
1080 from my old PC into this one", "my old GTX 1080 died" (the GPU is old, not a machine) still
count.
"""

from __future__ import annotations

import re

from envcheck.explain.sentences import SOMEONE_ELSES, clause_start
from envcheck.lazyre import lazy

_I = re.IGNORECASE
_MACHINE = r"(?P<noun>laptop|notebook|machine|computer|pc|server|desktop|box|workstation|rig|tower|system)s?"
_OTHER = r"(?:other|another|different|second|old|older|previous|friend'?s|colleague'?s|brother'?s|sister'?s)"
# Just after the name: "… is in the other PC", "… (8 GB) sits in my desktop", "… in my other PC".
_IN_AFTER = lazy(rf"^\W{{0,3}}(?:\([^)]{{0,30}}\)\s*)?(?:(?:gpu|card)\s+)?(?:(?:is|are|was|were|sits|lives|stays)\s+"
                 rf"(?:installed\s+|still\s+|now\s+)?)?(?:in|on|inside)\s+(?:the\s+|my\s+|an?\s+|our\s+|his\s+|her\s+)?"
                 rf"(?P<adj>{_OTHER}\s+)?{_MACHINE}\b", _I)
# Before it, in its clause: "my old laptop had a …", "in the other PC I have a …", "my friend's
# PC with a …".
_OTHER_BEFORE = lazy(rf"\b{_OTHER}\s+{_MACHINE}\b[^.;!?]{{0,30}}$", _I)
# Someone else's GPU, named as theirs just before it: "his RTX 5090", "my friend's 4090", "their A100s".
_OWNER_BEFORE = lazy(SOMEONE_ELSES, _I)
# A GPU a release's support changed for, named after it: "torch 2.0 drops support for sm_35 (Tesla K40)",
# "CUDA 12 removed support for the K80": the release notes, not this machine ("… for my K80" is).
_RELEASE_OBJECT = lazy(r"\b(?:added|adds|dropped|drops|removed|removes|deprecated|deprecates|ended|ends)\s+support\s+for\b"
                       r"(?![^.;!?]*\b(?:my|our)\s+(?:\w+\s+)?$)[^.;!?]{0,40}$", _I)
# The machine of the report named: "this is the laptop", "I'm on my laptop", "typing this on a laptop".
_THIS_ONE = lazy(rf"(?:\bthis\s+(?:one\s+)?is|\b(?:i'?m|i\s+am|we'?re|we\s+are)\s+(?:now\s+)?(?:on|using|typing\s+(?:this\s+)?on"
                 rf"|writing\s+(?:this\s+)?(?:on|from)|running\s+(?:this\s+|it\s+)?on))\s+(?:the|my|a|an|this)\s+(?:\w+\s+)?"
                 rf"{_MACHINE}\b", _I)
_KINDS = {"notebook": "laptop", "pc": "desktop", "computer": "desktop", "tower": "desktop", "rig": "desktop",
          "workstation": "desktop", "box": "server"}
_WORDS = ("other", "another", "different", "second", "old", "previous", "friend", "colleague", "brother", "sister",
          "this is", "this one is", "i'm", "i am", "we're", "we are", "his ", "her ", "their ", "support for")


def _kind(noun: str) -> str:
    noun = noun.lower().rstrip("s") if noun.lower() != "box" else "box"
    return _KINDS.get(noun, noun)


def elsewhere(line: str, words: str) -> bool:
    """Is the GPU named by ``words`` on ``line`` said to be in another machine than this one?"""
    low = line.lower()
    if not any(w in low for w in _WORDS):
        return False
    at = line.find(words)
    if at < 0:
        return False
    end = at + len(words)
    m = _IN_AFTER.search(line[end:end + 80])
    if m is not None:
        if m.group("adj"):
            return True
        this = _THIS_ONE.search(line)
        noun = m.group("noun").lower()
        if this is not None and noun not in ("machine", "system") and this.group("noun").lower() not in ("machine", "system"):
            return _kind(this.group("noun")) != _kind(noun)
        return False
    before = line[clause_start(line, at):at]
    return any(p.search(before) is not None for p in (_OTHER_BEFORE, _OWNER_BEFORE, _RELEASE_OBJECT))
