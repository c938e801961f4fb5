"""The reporter saying that something fails, in their own words: "it crashes my graphics driver
and then the OS reboots", "training hangs after the first epoch", "torch does not see the GPU",
"the model runs on the CPU instead of the GPU", "运行时报错", "GPU を認識しない", "오류가 납니다".

A report that says so is not a report of a working machine, whatever else it holds: the verdict
never answers it with "no problems found". Where no finding and no catalogued message explains
it, the verdict is ``insufficient`` and asks for the error itself (``rules/verdict.py``).

Recorded as a note (``facts.SAID_FAILING`` starts it), not as a fact about the machine: it says
what the person met, not which part is broken. The first such sentence is quoted.

Read only in a person's sentences: not in a program's output (a log line with a time stamp or a
level, a traceback's frame, an ``XError:`` line, a ``key: value`` row: the error readers and
the catalogue read those), not in a question about a failure that may come ("will it crash if
…?"), a condition ("if it fails, …", "when an error occurs"), a denial ("started without
errors", "no crash so far", "it does not fail"), a failure the text then says is over ("…,
fixed it by rebooting", ``sentences.working_after``), and not in words that only look like one
("error rate", "mean squared error", "fail-safe", "ECC errors: 0").
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import working_after
from envcheck.explain.source import Pasted
from envcheck.facts import SAID_FAILING
from envcheck.lazyre import lazy

SOURCE = "a failure said in words"
_I = re.IGNORECASE

# Cheap candidates first: lines holding one of these (case-folded).
_NEEDLES = ("crash", "problem", "issue", "trouble", "picking up", "utili", "fail", "error", "hang", "hung", "freez", "froze", "stuck", "reboot", "not work",
            "n't work", "not detect", "n't detect", "not recogni", "n't recogni", "n't see", "not see",
            "not find", "n't find", "not found", "unable", "segfault", "segmentation", "black screen",
            "blue screen", "bsod", "instead of", "not using", "n't use", "not use", "only use", "cpu only",
            "报错", "错误", "失败", "崩溃", "无法", "不能", "卡住", "卡死", "死机", "闪退", "用不了", "不可用",
            "找不到", "识别不到", "检测不到", "没有反应", "エラー", "失敗", "動かない", "認識しない", "落ちる",
            "できない", "오류", "에러", "실패", "안 됩니다", "안됩니다", "작동하지", "인식하지")

# What a machine fails to detect, see or find.
_MACHINE_PART = (r"(?:the\s+|my\s+|any\s+|a\s+|an\s+|our\s+)?(?:\w+\s+)?(?:gpus?|devices?|cards?|cuda|driver|nvidia|graphics"
                 r"|librar(?:y|ies)|modules?|it|them|cudnn|nccl)\b")
_EN = lazy(
    r"\b(?:crash(?:es|ed|ing)?|fail(?:s|ed|ing|ure|ures)?|errors?|exceptions?|hang(?:s|ing)?|hung|freez(?:e|es|ing)"
    r"|froze(?:n)?|stuck|reboots?|rebooted|rebooting|segfaults?|segmentation\s+fault|black\s+screen"
    r"|blue\s+screen|bsod)\b"
    r"|\b(?:does|do|did|is|are|was|were|will|would|could|can)\s*(?:n[o']t|not)\s+(?:work|run|start|load|use|show)\w*\b"
    r"|\bcan(?:no|')t\s+(?:work|run|start|load|use)\b|\bunable\s+to\b"
    # "does not detect / see / find" only with what a machine fails to find: "didn't find a good
    # explanation" is the person's search.
    rf"|(?:\b(?:does|do|did|is|are|was|were|will|would|could|can)\s*(?:n[o']t|not)|\bcan(?:no|')t)\s+"
    rf"(?:detect|recogni[sz]e|see|find)\w*\s+(?:{_MACHINE_PART})"
    r"|\bnot\s+(?:working|detected|recogni[sz]ed|found|available|usable|used)\b"
    r"|\b(?:runs?|running|ran|uses?|using|used)\s+(?:on\s+|off\s+)?(?:the\s+|my\s+)?cpu\s+(?:instead|only|rather)\b"
    r"|\b(?:only|just)\s+(?:runs?|uses?|using|running)\s+(?:on\s+)?(?:the\s+)?cpu\b"
    r"|\bnot\s+using\s+(?:the\s+|my\s+)?gpu\b|\bcpu\s+only\b"
    r"|\bnot\s+(?:picking\s+up|utili[sz]ing)\b"
    r"|\b(?:have|having|had|has|get|getting|got|run\s+into|ran\s+into|running\s+into|facing|faced|encounter(?:ed|ing)?)\s+"
    r"(?:(?:a|an|some|the|this|that|same|similar|weird|strange|odd|big|serious)\s+){0,2}(?:problems?|issues?|trouble)\b"
    r"|\btrouble\s+(?:running|with|using|getting|loading|starting)\b", _I)
_CJK = lazy(r"报错|错误|失败|崩溃|无法|不能(?:用|使用|运行|识别|调用)|卡住|卡死|死机|闪退|用不了|不可用|找不到|识别不到|检测不到"
            r"|没有反应|エラー|失敗|動かない|認識しない|落ちる|できない|오류|에러|실패|안\s?됩니다|작동하지|인식하지")

# Words that only look like a failure: a measure, a device-health counter, a design term.
_NOT_A_FAILURE = lazy(
    r"(?:mean\s+(?:squared|absolute)\s+|relative\s+|absolute\s+|rounding\s+|numerical\s+|quantization\s+|ecc\s+"
    r"|approximation\s+|training\s+|validation\s+|test\s+|reconstruction\s+|standard\s+)errors?\b"
    r"|\berrors?\s*(?:rate|bars?|handling|correction|code\s*[:=]?\s*0|s?\s*[:=]\s*0\b|free|message\s+is\s+clear)"
    r"|\bfail[-\s]?(?:safe|over|back|fast)\b|\bhang\s+(?:on|in\s+there)\b|\binstead\s+of\s+the\s+cpu\b"
    r"|\bexception\s+handling\b", _I)
# A denial, a condition or a hope just before the word: "without errors", "no crash", "if it fails".
_UNSAID = lazy(
    r"(?:\bwithout|\bno|\bnot|n't|\bnever|\bzero|\b0|\bany|\bif|\bwhen(?:ever)?|\bin\s+case|\bunless|\bwhether"
    r"|\bavoid(?:s|ed|ing)?|\bprevent(?:s|ed|ing)?|\bfix(?:es|ed|ing)?|\bsolv(?:e|es|ed|ing)|\bhandl(?:e|es|ed|ing)"
    r"|\bcatch(?:es)?|\bignor(?:e|es|ed|ing)|\bsuppress(?:es|ed|ing)?|\bexpect(?:s|ed|ing)?|\bmight|\bmay|\bcould"
    r"|\bwould|\bshould|\bwill|\bto\s+see|\bcheck(?:s|ed|ing)?)\s+(?:\S+\s+){0,3}$", _I)
_CJK_UNSAID = lazy(r"(?:没有|没|无|不会|如果|若|避免|防止|解决了?)[^，。,.]{0,2}$|(?:なし|ない)$")

# Program output, not a person: a log line (time stamp, level, bracketed tag), a traceback frame
# or exception line, a `key: value` row, a shell prompt, a path-like token start.
_PROGRAM = lazy(
    r"^\s*(?:\[|\(|\d{1,4}[-/:.]\d|(?:\w{3}\s+\d{1,2}\s+\d\d:)|(?:INFO|WARN(?:ING)?|ERROR|DEBUG|TRACE|FATAL|CRITICAL|E\d{4}|W\d{4}|I\d{4})\b"
    r"|File\s+\"|at\s+[\w.$]+\(|Traceback\b|[\w.]*(?:Error|Exception|Warning)\b\s*:|[\w./-]+:\d+:|[$>]\s|#+\s|:\s|>>>|\.\.\.\s"
    r"|[|+]|/|\w:\\|[\w .()/-]{1,40}:\s*\S+(?:\s+\S+){0,2}\s*$)")

# Source code quoted in the report: a call with a string argument, a statement's end.
_CODE = lazy(r"\w\(\s*[\"']|[;{}]\s*$")


def _sentence_word_count(line: str) -> int:
    return len(re.findall(r"[A-Za-z]{2,}", line)) + len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]", line)) // 2


def _said(line: str) -> Optional[int]:
    """Where in ``line`` a person says something fails (None: nowhere)."""
    shams = [(n.start(), n.end()) for n in _NOT_A_FAILURE.finditer(line)]
    for pattern, unsaid in ((_EN, _UNSAID), (_CJK, _CJK_UNSAID)):
        for m in pattern.finditer(line):
            if unsaid.search(line[max(0, m.start() - 40):m.start()]) or any(
                    s < m.end() and m.start() < e for s, e in shams):
                continue
            return m.start()
    return None


def _question_about_future(line: str, at: int) -> bool:
    """"Will it crash if …?", "Does this fail on …?": a question about a failure that may come."""
    head = line[:at].lower()
    return ("?" in line[at:] or "？" in line[at:]) and bool(re.search(r"\b(?:will|would|could|can|does|do|is|should)\b[^.!?]*$", head))


def _person_says_it_fails(line: str) -> Optional[int]:
    """Where a person's sentence on this line says something fails (read once per distinct line)."""
    if len(line) > 600 or _PROGRAM.match(line) or _CODE.search(line) or _sentence_word_count(line) < 4:
        return None
    at = _said(line)
    return None if at is None or _question_about_future(line, at) else at + 1  # + 1: position 0 is a hit


def parse(doc: Pasted) -> Found:
    found = Found(SOURCE, STATED)
    for i, at in doc.where(_person_says_it_fails, *_NEEDLES, ignorecase=True):
        if i in doc.enclosed or working_after(doc.lines, i, at - 1):
            continue
        quoted = " ".join(doc.lines[i].split())
        found.note(f"{SAID_FAILING}“{quoted[:160]}{'…' if len(quoted) > 160 else ''}” (line {i + 1})")
        break
    return found
