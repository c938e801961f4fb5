"""Whether what a person wrote at a place in a line is asked rather than said, and whether the
machine is said to work after a failure claimed there.

The prose readers (``explain/parsers/*_prose.py``, ``prose_state``, ``display_adapters``,
``torch_installs``) make claims from sentences; a question ("is nouveau loaded?", "should I
install the CPU version?") claims nothing; nor does a failure the text then says is over ("and
everything still works fine"). One test each for all of them.
"""

from __future__ import annotations

import re
from typing import Sequence

from envcheck.lazyre import lazy

# Where a clause ends (a comma too: "I have no NVIDIA GPU, how can I fix this?" states, then
# asks), and where a sentence ends ("Should I install the CPU version, or the CUDA one?" asks
# about the CPU version although the "?" is past the comma).
_CLAUSE_END = lazy(r"[.!;,，。\n]")
_SENTENCE_END = lazy(r"[.!;。\n]")


def asked(line: str, end: int, clause: bool = True) -> bool:
    """Is the clause (``clause=False``: the sentence) that holds position ``end`` a question?"""
    rest = line[end:]
    stop = (_CLAUSE_END if clause else _SENTENCE_END).search(rest)
    part = rest[:stop.start()] if stop else rest
    return "?" in part or "？" in part


# The machine said to work now, or the trouble said fixed: what a prose reader's claim of a failure
# must not outlive ("I updated the driver without rebooting, and everything still works fine",
# "after a reboot it has been fine ever since", "Now nvidia-smi shows the GPU and torch sees it",
# "lsmod | grep nvidia returns nothing inside the container, which is expected", "after I restarted
# docker it does"). A working host is no answer for a container ("nvidia-smi works on the host").
# "replaced the riser and it has run for 3 weeks without any issue": a told fix, then good health
# since (alone, "it has run for 3 years without any issue until last week" is the time before it
# broke). resolved.py reads the same as the problem over.
RAN_SINCE_FIX = (r"\b(?:replac|reinstall|swapp|re-?seat|updat|upgrad|downgrad|fix|chang|reboot|restart|remov|rebuil|reflash)\w*\b"
                 r"[^!?\n]{0,100}?\b(?:has|have)\s+(?:run|worked|been\s+running|been\s+working|been\s+stable)\b"
                 r"[^.!?;\n]{0,30}?\bwithout\s+(?:any\s+)?(?:issues?|problems?|errors?|crash\w*)\b"
                 r"(?![^.!?\n]{0,40}\b(?:until|before|then|but|except|now|on\s+(?:my|the|another|an)\s+(?:other|old|cpu|previous)))")
# "it's fine now", "now numba works" (review of rounds 17/18); resolved.py reads the same as the
# problem over.
FINE_NOW = (r"\b(?:it'?s|it\s+is|everything'?s|all\s+is)\s+(?:all\s+)?(?:fine|ok(?:ay)?|good|working)\s+now\b"
            r"|\bnow\s+(?!(?:nothing|no|not|never|none)\b)[\w.-]+\s+(?:still\s+)?works\b(?!\s*n[o']t)")
_GOOD = (r"(?:works?|working)\s+(?:(?:just\s+)?fine|now|again|ok(?:ay)?|perfectly|great|well)\b"
         r"|(?:now|again)\s+(?:it\s+|everything\s+)?works?\b|now\s+works?\b"
         rf"|{FINE_NOW}"
         # "my setup works" (review of rounds 17/18)
         r"|\bmy\s+(?:setup|machine|system|install(?:ation)?|environment|env|server|box|gpu)\s+(?:still\s+|now\s+)?works\b"
         r"(?!\s*n[o']t)"
         r"|\beverything\s+(?:still\s+|now\s+)?(?:works|is\s+(?:fine|ok(?:ay)?|working))\b"
         r"|\b(?:has|have)\s+been\s+(?:fine|ok(?:ay)?|working)\b|\bfine\s+ever\s+since\b"
         r"|\bnvidia-smi\W{0,2}\s+(?:now\s+|still\s+)?(?:works|runs)\b"
         r"|\bnvidia-smi\W{0,2}\s+(?:now\s+|still\s+)?(?:shows|lists|sees|detects)\s+(?:the|my|both|all|\d+|two|four|eight)\b"
         r"|\b(?:torch|pytorch|cuda)\s+(?:now\s+|still\s+)?(?:sees|detects|finds)\s+(?:it|them|the\s+gpus?|my\s+gpus?|both|all)\b"
         r"|\bis_available\(\)\W{0,3}\s*(?:(?:now\s+)?(?:returns?|gives?|is|says)\s+|==\s*|->\s*|→\s*)?True\b"
         r"|\b(?:all\s+|both\s+)?(?:\d+|two|four|eight|both|all)\s+(?:of\s+(?:the|my)\s+)?gpus\s+(?:are|were)\s+"
         r"(?:visible|detected|listed|shown|found)\b"
         r"|\bwhich\s+is\s+(?:expected|normal|fine)\b"
         r"|\bafter\b[^.!?;\n]{1,80}?\b(?:it|they|docker|podman|containerd)\s+(?:now\s+)?(?:does|do|works?)\b(?!\s*n[o']t)"
         r"|\b(?:works?|fine|ok(?:ay)?)\s+(?:again\s+)?after\s+(?:a\s+|the\s+)?(?:reboot|reinstall|restart)\w*"
         rf"|{RAN_SINCE_FIX}"
         r"|\b(?:fixed|solved|resolved)\b|解决了|就好了|恢复正常")
_WORKING = lazy(_GOOD, re.I)
# Every alternative of _GOOD holds one of these words (tests/explain/test_working_gate.py proves it
# from the parsed pattern): a text holding none cannot match, and _GOOD is not tried on it. Most
# claims' windows in a long log hold none (3 in 4 of a 4 MiB paste's).
ANCHORS = ("work", "now", "everything", "been", "fine", "nvidia-smi", "sees", "detects", "finds", "true",
           "gpus", "which", "after", "without", "fixed", "solved", "resolved", "解决了", "就好了", "恢复正常")
_ANCHORED = lazy("|".join(re.escape(a) for a in ANCHORS), re.I)
# "not everything works", "nothing works now", "if it works again": no state said.
_UNSAID = lazy(r"(?:\bnot|n't|\bnever|\bnothing|\bno\s+longer|\bif|\bwhether|\bunless|\buntil|\bhope|\bshould|\bwould"
               r"|\bwill|\bhas\s*n[o']t\s+been|\bbefore)\s+(?:\S+\s+){0,2}$", re.I)
_HOST_ONLY = lazy(r"\s*(?:fine\s+)?(?:on|from|in)\s+(?:the\s+)?host\b|\s*outside\b", re.I)
_STOPS = ".!?;。！？"


def _ends(line: str, p: int) -> bool:
    """Does the stop at ``line[p]`` end a sentence? Not the dot of a version number, between two
    digits (review of round 23: "According to the forums, torch 2.5 doesn't support …" was cut at
    "2." and lost its source)."""
    return not (line[p] == "." and 0 < p < len(line) - 1 and line[p - 1].isdigit() and line[p + 1].isdigit())


def clause_start(line: str, at: int, stops: str = ".!?;") -> int:
    """Where the clause holding position ``at`` of ``line`` starts: just past the last of
    ``stops`` before ``at`` that ends a sentence (0 when there is none); the prose readers' "back
    to the last full stop"."""
    best = -1
    for c in stops:
        p = line.rfind(c, 0, at)
        while p > best and not _ends(line, p):
            p = line.rfind(c, 0, p)
        best = max(best, p)
    return best + 1


def sentence_around(line: str, start: int, end: int, stops: str = ".!?;。！？") -> str:
    """The sentence of ``line`` that holds ``line[start:end]``: from just past the last of ``stops``
    before it to the first after it that ends a sentence (that stop included), or to the line's end."""
    right = len(line)
    for c in stops:
        p = line.find(c, end, right)
        while p != -1 and not _ends(line, p):
            p = line.find(c, p + 1, right)
        if p != -1:
            right = p + 1
    return line[clause_start(line, start, stops):right]


def working_after(lines: Sequence[str], i: int, at: int, sentence: bool = True) -> bool:
    """Do the claim's sentence (the one holding position ``at`` of line ``i``; ``sentence=False``:
    from ``at`` on) and the next two lines say the machine works now or the trouble was fixed?"""
    line = lines[i]
    start = clause_start(line, at, _STOPS) if sentence else at
    text = "\n".join([line[start:]] + [s for s in lines[i + 1:i + 3] if len(s) <= 2000])
    if not _ANCHORED.search(text):
        return False
    for m in _WORKING.finditer(text):
        clause = clause_start(text, m.start(), _STOPS + ",\n")
        if _UNSAID.search(text[clause:m.start()]) or asked(text, m.end()) or _HOST_ONLY.match(text, m.end()):
            continue
        return True
    return False


# A sentence that tells how things go in general rather than what happened here: a condition
# put to the reader ("If you see Xid 79 …", "in case of …"), advice ("Check dmesg for Xid 48",
# "you should look for …"), or a definition ("Xid 48 means a double-bit ECC error"). "If I run
# it for an hour, dmesg shows Xid 79" is the person's own run and stays a report.
# "should" and "try" as advice only: "I should mention that …", "Whenever I try to train, …" are the
# person's own report (review of round 20: round 19 read both as gpu_lost).
# "whether" as "if": "I am not sure whether the current torch doesn't support my RTX 5090" (review of round 25)
_GENERAL_BEFORE = lazy(r"\bif\s+(?!(?:i|we|my|our)\b)|\bwhether\b|\bin\s+case\b"
                       r"|(?<![Ii] )(?<!\bwe )\bshould\b(?!\s+(?:also\s+)?(?:mention|note|add|say|point|clarify|state)\b)"
                       r"|(?:^\W*|\b(?:you|please|just|then|and)\s+)try\b|\bsuggest\w*|\brecommend\w*"
                       # Chinese and Japanese conditions: "如果出现 Xid 79，…", "もし Xid 79 が出たら"
                       r"|如果|假如|要是|もし"
                       r"|\b(?:check|look|search|grep)\s+(?:\S+\s+){0,2}?for\b|\b(?:means?|indicates?)\b"
                       r"|^\W*(?:check|look|search|grep|watch)\b", re.I)
_GENERAL_AFTER = lazy(r"\W{0,3}\s*(?:means|indicates|signals|stands\s+for|refers\s+to|is\s+(?:a|an|when|caused)\b)", re.I)


def general_statement(line: str, start: int, end: int) -> bool:
    """Is the sentence holding ``line[start:end]`` a condition, advice or a definition (above),
    not a report of this machine?"""
    return bool(_GENERAL_BEFORE.search(line[clause_start(line, start, _STOPS):start]) or _GENERAL_AFTER.match(line, end))


# A sentence that tells of a failure not on this machine now (review of round 20): another machine
# ("dmesg shows Xid 79 on the other server, this one is fine", "import torch segfaults on my old
# laptop"), other people ("I have seen Xid 79 reported by other users", "a user reported …"), a
# reference's table ("NVIDIA's table lists Xid 79 as …"), a general statement ("known issue: … on some
# builds"), or a habit that is over ("dmesg used to show Xid 79", "no longer", "anymore"). A fix told
# after a failure ("… Fixed by reseating the card") is not this: the failure happened here, and its
# fix confirms the cause.
# "on my old laptop", "on the other server": the machine named is not this one (error_messages.py too).
ANOTHER_MACHINE = (r"\bon\s+(?:my\s+|an?\s+|the\s+|our\s+|his\s+|her\s+|their\s+)?(?:old|other|another|different|previous"
                   r"|second|friend'?s|colleague'?s)\s+(?:laptop|machine|server|computer|pc|box|node|workstation|system|desktop"
                   r"|host|vm|cluster)s?\b")
# Someone else's thing, named as theirs just before it (the text up to it ends with this): "his RTX
# 5090", "my friend's torch 2.4", "their A100s". Read by gpu_elsewhere and freetext's torch version.
SOMEONE_ELSES = r"\b(?:his|her|their|(?:friend|colleague|co-?worker|brother|sister|boss|roommate)'?s)\s+(?:\w+\s+){0,2}$"
# A reference named, then a colon: what follows is quoted from it ("The FAQ: …", "Our runbook: Xid 79 — …").
_REFERENCE_NAMED = (r"\b(?:faq|readme|changelog|release\s+notes|troubleshooting(?:\s+guide)?|runbook|playbook|wiki|docs"
                    r"|documentation|manual|knowledge\s+base)\s*:")
_REFERENCE = lazy(_REFERENCE_NAMED, re.I)


def from_reference(head: str) -> bool:
    """Do the words before a message (``head``, its line up to it) name a reference it is quoted from?"""
    return ":" in head and _REFERENCE.search(head) is not None


_NOT_HERE_NOW = lazy(
    rf"{ANOTHER_MACHINE}"
    r"|\b(?:docs?|documentation|manual|table|wiki|guide|catalog(?:ue)?|faq|readme|changelog|release\s+notes)\s+(?:lists?"
    r"|listed|says?|said|shows?|describes?|defines?|explains?)\b|\baccording\s+to\b"
    # a reference quoted after its name and a colon: "The FAQ: 'import torch fails with …'" (review of round 23)
    rf"|{_REFERENCE_NAMED}"
    r"|\bused\s+to\b|\bno\s+longer\b|\banymore\b|\bwent\s+away\b|\b(?:is|are)\s+(?:now\s+)?gone\b|\bgone\s+now\b"
    r"|\bon\s+some\s+(?:builds|machines|systems|setups|platforms|servers|nodes)\b|\bknown\s+(?:issue|bug|problem)\b"
    r"|在另一台|别的机器|其他机器", re.I)
_OTHER_PEOPLE = lazy(r"\b(?:other|some|many)\s+(?:users|people|folks)\b|\bsomeone\s+else\b"
                     r"|\bothers\s+(?:have|had|report\w*|see|saw|get|got)\b"
                     r"|\b(?:a|another|one)\s+(?:user|colleague|customer|reader)\s+(?:reported|reports|says|said|has|had|gets|got"
                     r"|sees|saw)\b|\bon\s+(?:their|his|her|someone'?s)\s+(?:machine|computer|laptop|server|pc|system|box)\b"
                     # hearsay, its place named: "someone in the Discord said that …", "a user on the forum
                     # wrote …"; not advice ("someone said to reinstall") (review of round 25)
                     r"|\b(?:someone|somebody|a\s+(?:user|person|commenter|poster))(?:\s+(?:on|in|from|at)\s+(?:the\s+)?[\w.-]+"
                     r"(?:\s+[\w.-]+)?)?\s+(?:said|says|wrote|writes|mentioned|claims?|claimed|posted)\b(?!\s+to\b)", re.I)


def not_here_now(line: str, start: int, end: int, people: bool = True) -> bool:
    """Does the sentence holding ``line[start:end]`` place it on another machine, on other people
    (``people=False``: a claim that is about other people's work leaves them out) or in a reference,
    or say it used to happen (above)?"""
    sentence = sentence_around(line, start, end)
    return bool(_NOT_HERE_NOW.search(sentence) or (people and _OTHER_PEOPLE.search(sentence)))
