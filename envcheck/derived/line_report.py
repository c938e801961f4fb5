"""Whether a catalogued message found on a line of prose is reported there as this machine's, now.

Rules that read a message strangers retell in a sentence ("… and the warning says Error 803: …")
rather than paste (CUDA's error 803, cuDNN's loader line without its reason, torchvision's ops
missing) ask this of the line before they speak. The sentence holding the message says it is not
this machine's failure when it:

* puts it to the reader as a condition or advice ("If you see …", "Tip: …", "FAQ: …"), or defines
  it ("… usually means you did not reboot");
* denies it just before ("It's not the CUDA error 803 issue", "I don't get …");
* places it on another machine or with another person ("On my colleague's server we see …",
  "on my other machine I get …": the shape of ``explain/sentences.ANOTHER_MACHINE``);
* says it is over ("I no longer get …", "… used to print …", "… anymore").

Prose, not a tool's format: the patterns below are people's phrasings (review of round 28: the
803 rule's own check and the r28l readers took these as reports).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# A condition or advice put to the reader, or a reference quoted, before the message in its sentence.
_ADVICE_BEFORE = re.compile(
    r"\b(?:if|when(?:ever)?)\s+(?:you|one|users?|people)\s+(?:see|get|hit|encounter|run\s+into)\b"
    # a condition not of the person's own run ("If it fails with …", "In case of …"; "If I run it, …" is a report:
    # the shape of explain/sentences._GENERAL_BEFORE)
    r"|\bif\s+(?!(?:i|we|my|our)\b)|\bin\s+case\b|\bwhether\b"
    r"|\b(?:common|typical|frequent|known)\s+(?:error|cause|issue|bug|problem|failure)s?\b"
    r"|\b(?:tip|hint|faq|readme|changelog|release\s+notes|docs?|documentation|wiki)\s*:"
    r"|\bwhat\s+(?:does|is)\b", _I)
# A definition after it: "… usually means …", "… is caused by …", "… happens when …".
_DEFINED_AFTER = re.compile(r"\W{0,3}\s*(?:(?:it|this|which)\s+)?(?:(?:usually|typically|often|generally|always)\s+)?"
                            r"(?:means|indicates|is\s+caused\s+by|happens\s+when|occurs\s+when)\b", _I)
# Denied right before it: "It's not the …", "I don't get …", "never saw …", "haven't seen …".
_DENIED_BEFORE = re.compile(r"(?:\bnot|\bnever|n['’]?t|\bno\s+longer)\s+(?:(?:get(?:ting)?|got|see(?:ing|n)?|saw|hit(?:ting)?"
                            r"|the|a|an|that|this|any|about)\s+){0,2}['\"`“]?$", _I)
# Another machine or person, or a failure that is over, anywhere in the sentence.
_ELSEWHERE = re.compile(
    r"\bon\s+(?:my\s+|an?\s+|the\s+|our\s+|his\s+|her\s+|their\s+)?(?:old|other|another|different|previous|second"
    r"|friend'?s|colleague'?s|co-?worker'?s)\s+(?:laptop|machine|server|computer|pc|box|node|workstation|system|desktop"
    r"|host|vm|cluster)s?\b|\b(?:my\s+)?(?:friend|colleague|co-?worker)(?:'?s)?\s+(?:pc|laptop|machine|server|computer|box)\b"
    r"|\bno\s+longer\b|\bused\s+to\b|\banymore\b"
    # other people's ("Someone in the Discord said they got …", "other users report …")
    r"|\b(?:someone|somebody|other\s+(?:users|people)|another\s+user|a\s+user)\b", _I)
# A sentence's end: a stop followed by a space or the line's end ("1.10.0" and "THC.cpp" hold none).
_STOP = re.compile(r"[.!?;](?=\s|$)")


def asked_in_sentence(line: str, snippet: str) -> bool:
    """Does the sentence of ``line`` holding ``snippet`` end in a question mark ("Why would nvcc say … when I
    have CUDA 12.2?")? A question in a later sentence ("I got …. Does this module support CUDA 11.0?")
    leaves the message reported."""
    at = line.find(snippet[:40])
    if at < 0:
        return False
    rest = line[at + len(snippet):]
    stop = _STOP.search(rest)
    return "?" in rest[:stop.end() if stop else len(rest)]


def not_reported(line: str, snippet: str) -> bool:
    """Does the sentence of ``line`` holding ``snippet`` (the message's matched text) quote it as
    advice, a definition or a denial, or place it elsewhere or in the past (above)?"""
    at = line.find(snippet[:40])
    if at < 0:
        return False
    starts = [m.end() for m in _STOP.finditer(line, 0, at)]
    first = starts[-1] if starts else 0
    stop = _STOP.search(line, at + len(snippet))
    sentence = line[first:stop.end() if stop else len(line)]
    return bool(_ADVICE_BEFORE.search(line[first:at]) or _DEFINED_AFTER.match(line, at + len(snippet))
                or _DENIED_BEFORE.search(line[first:at]) or _ELSEWHERE.search(sentence))
