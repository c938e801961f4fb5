"""A module-or-driver claim a person places off this machine, in a reference, or tells as routine, for
the readers of round 28 (module_build_said, driver_reboot_said, module_load_prose's module gone), whose
words "anymore" and "no longer" mean a failure that is new (sentences.not_here_now reads those as a habit
over, so it is not used whole here):

* another machine: "on my old laptop …", "My friend's laptop: nvidia dkms broken since kernel 6.6.1";
* other people: "other users report …", "a colleague said …";
* a reference quoted: "Release notes: nvidia-dkms fails to build on linux 6.9 …", "The tutorial: there is
  no nvidia kernel module for the running kernel until …", "Known issue: …";
* expected or another kind of node: "…, which is normal", "(as expected)", "on the login node".

Review of round 28 (ra): each of these gave driver_kernel_module_not_loaded (an error) on a working
machine's paste.
"""

from __future__ import annotations

import re

from envcheck.explain.not_this_host import NOT_THIS_HOST
from envcheck.explain.sentences import ANOTHER_MACHINE, clause_start, sentence_around
from envcheck.lazyre import lazy

_I = re.IGNORECASE

# Someone else's machine named in the claim's clause: "My friend's laptop: …", "His PC —"; not "My colleague's
# server works, but on this machine …".
_OTHERS_MACHINE = lazy(r"\b(?:(?:my\s+)?(?:friend|colleague|co-?worker|brother|sister|boss|roommate|son|dad|father)'?s|his|her|"
                       r"their)\s+(?:\w+\s+)?(?:laptop|machine|server|computer|pc|box|node|workstation|system|desktop|rig)s?\b", _I)
# A reference named, then a colon (or "says"/"lists"): what follows is quoted from it.
_REFERENCE = lazy(r"\b(?:faq|readme|changelog|change\s+log|release\s+notes?|troubleshooting(?:\s+guide)?|runbook|wiki|docs"
                  r"|documentation|manual|tutorial|guide|how-?to|known\s+(?:issues?|bugs?|problems?)|errata|advisory"
                  r"|install(?:ation)?\s+(?:notes|instructions|guide))\s*(?::|\b(?:says?|said|lists?|mentions?|notes?|warns?)\s*(?::|that\b))", _I)
_OTHER_PEOPLE = lazy(r"\b(?:other|some|many)\s+(?:users|people|folks)\b|\bsomeone\s+else\b|\bothers\s+(?:have|had|report\w*)\b"
                     r"|\b(?:a|another|one)\s+(?:user|colleague|customer|reader|friend)\s+(?:reported|reports|says|said|has|had)\b",
                     _I)
_ELSEWHERE = lazy(ANOTHER_MACHINE, _I)


def said_elsewhere(line: str, start: int, end: int) -> bool:
    """Does the sentence holding ``line[start:end]`` (or the line's head before it) place the claim on
    another machine or other people, quote it from a reference, or call it expected?"""
    sentence = sentence_around(line, start, end)
    head = line[clause_start(line, start, ".!?;。！？"):start]
    return bool(_ELSEWHERE.search(sentence) or _OTHER_PEOPLE.search(sentence) or NOT_THIS_HOST.search(sentence)
                or _OTHERS_MACHINE.search(line, clause_start(line, start, ".!?;,"), end) or _REFERENCE.search(head))
