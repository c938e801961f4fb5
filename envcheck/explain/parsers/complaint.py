"""The reporter saying that something fails, in their own words: "it crashes my graphics driver
and then the OS reboots", "training hangs after the first epoch", "torch does not see the GPU",
"the model runs on the CPU instead of the GPU", "运行时报错", "GPU を認識しない", "오류가 납니다".

A report that says so is not a report of a working machine, whatever else it holds: the verdict
never answers it with "no problems found". Where no finding and no catalogued message explains
it, the verdict is ``insufficient`` and asks for the error itself (``rules/verdict.py``).

Recorded as a note (``facts.SAID_FAILING`` starts it), not as a fact about the machine: it says
what the person met, not which part is broken. The first such sentence is quoted.

Read only in a person's sentences: not in a program's output (a line a catalogued message stands
on, a log line with a time stamp or a level, a traceback's frame, an ``XError:`` line, a ``key:
value`` row: the error readers and the catalogue read those), not in a question about a failure that may come ("will it crash if
…?"), a condition ("if it fails, …", "when an error occurs"), a denial ("started without
errors", "no crash so far", "it does not fail"), a failure the text then says is over ("…,
fixed it by rebooting", ``sentences.working_after``), and not in words that only look like one
("error rate", "mean squared error", "fail-safe", "ECC errors: 0"), nor a failure said over
right after it ("the import error is gone", "エラーは出ません", "오류가 없습니다", "报错已经消失").

A title or a heading counts ("[Bug]: Model fails to load on RTX 4090", "## GPU not detected",
"- Training crashes"): the tag, the heading's hashes and the bullet are not program output.

Cost: each distinct candidate line is read once, in order, and reading stops at the first
sentence kept; a line's first three failure words are weighed, each by its few words before and
after; program output is told by cheap tests first, and at most 200 person's sentences are weighed
(a report's own words are far fewer; a 4 MiB text of distinct prose lines is generated).
"""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import working_after
from envcheck.explain.source import Pasted
from envcheck.facts import SAID_FAILING
from envcheck.lazyre import lazy

SOURCE = "a failure said in words"
_I = re.IGNORECASE

# Cheap candidates first: lines holding one of these (case-folded). Every alternative of the
# patterns below holds one (tests/explain/test_complaint.py checks the examples of each).
_NEEDLES = ("crash", "fail", "error", "exception", "hang", "hung", "freez", "froze", "stuck", "boot", "restart",
            "not ", "n't", *(w + " " for w in ("cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
                                                "wont", "couldnt", "wouldnt", "hasnt", "havent")), "cannot", "unable", "segfault", "segmentation", "screen", "bsod", "instead", "rather",
            "only", "problem", "issue", "trouble", "picking up", "utili", "slow", "nothing happen", "kill", "die",
            "exit", "stopped", "stops", "broke", "out of", "oom", "nan", "falla", "fallo", "funciona",
            "fehler", "stürzt", "erreur", "plante", "erro", "falha", "ошибк", "не ", "вылета", "but ", "get ",
            "disappear", "vanish", "missing", "illegal", "forever", "never", "wrong", "is_available", "usage", "util",
            "detecta", "reconoce", "pasa nada", "se usa", "lento", "cierra", "funktioniert", "erkennt", "läuft", "wird nicht",
            "langsam", "passiert", "marche", "fonctionne", "détecte", "reconnaît", "lent", "não",
            "認識", "使用され", "false",
            "报错", "错误", "失败", "崩溃", "无法", "不能", "卡住", "卡死", "死机", "闪退", "用不了", "不可用", "用不上",
            "找不到", "识别不到", "检测不到", "没有反应", "没反应", "没有任何反应", "没有被使用", "慢", "退出", "重启",
            "エラー", "失敗", "動かない", "認識しない", "落ちる", "できない", "使われ", "遅い", "何も起こ", "再起動",
            "오류", "에러", "실패", "안 됩니다", "안됩니다", "작동하지", "인식하지", "사용되지", "느립니다", "느려요",
            "반응이 없", "재부팅")

# What a machine fails to detect, see or find.
_MACHINE_PART = (r"(?:the\s+|my\s+|any\s+|a\s+|an\s+|our\s+|both\s+|all\s+)?(?:[\w-]+\s+){0,3}?(?:gpus?|devices?"
                 r"|cards?|cuda|driver|nvidia|graphics|librar(?:y|ies)|modules?|it|them|cudnn|nccl"
                 r"|rtx|gtx|geforce|quadro|tesla|titan|radeon)\b")
_MODAL = r"(?:does|do|did|is|are|was|were|will|would|could|can|wo|has|have)"
_EN = lazy(
    r"\b(?:crash(?:es|ed|ing)?|fail(?:s|ed|ing|ure|ures)?|errors?|exceptions?|hang(?:s|ing)?|hung|freez(?:e|es|ing)"
    r"|froze(?:n)?|stuck|reboots?|rebooted|rebooting|segfaults?|segmentation\s+fault|black\s+screen"
    r"|blue\s+screen|bsod|out\s+of\s+(?:gpu\s+|cuda\s+|vram\s+|video\s+|device\s+)?memory|oom|nan)\b"
    rf"|\b{_MODAL}\s*(?:n[o']?t|not)\s+(?:work|run|start|load|use|show|respond)\w*\b"
    r"|\bcan(?:no|')?t\s+(?:work|run|start|load|use)\b|\bunable\s+to\b"
    # "does not detect / see / find" only with what a machine fails to find: "didn't find a good
    # explanation" is the person's search.
    rf"|(?:\b{_MODAL}\s*(?:n[o']?t|not)|\bcan(?:no|')?t)\s+(?:detect|recogni[sz]e|see|find)\w*\s+(?:{_MACHINE_PART})"
    r"|\bnot\s+(?:working|detected|recogni[sz]ed|found|available|usable|used|responding)\b"
    r"|\b(?:runs?|running|ran|uses?|using|used)\s+(?:on\s+|off\s+)?(?:the\s+|my\s+)?cpu\s*,?\s+(?:instead|only|rather)\b"
    r"|\b(?:only|just)\s+(?:runs?|uses?|using|running)\s+(?:on\s+)?(?:the\s+)?cpu\b"
    r"|\bnot\s+using\s+(?:the\s+|my\s+)?gpu\b|\bcpu\s+only\b"
    r"|\bnot\s+(?:picking\s+up|utili[sz]ing)\b"
    r"|\b(?:have|having|had|has|get|getting|got|run\s+into|ran\s+into|running\s+into|facing|faced|encounter(?:ed|ing)?)\s+"
    r"(?:(?:a|an|some|the|this|that|same|similar|weird|strange|odd|big|serious)\s+){0,2}(?:problems?|issues?|trouble)\b"
    r"|\btrouble\s+(?:running|with|using|getting|loading|starting)\b"
    r"|\butili[sz]ation\s+(?:stays|is|remains|stuck)\s+(?:at\s+)?0\s*%"
    r"|\b(?:very|extremely|too|really|so)\s+slow(?:ly)?\b|\bslower\s+than\b|\bnothing\s+happens\b"
    r"|\bexit(?:s|ed)?\s+(?:silently|immediately|with\s+(?:exit\s+)?code\s+[1-9])"
    r"|\b(?:computer|pc|machine|system|server|laptop)\s+(?:restarts|reboots|shuts\s+down|turns\s+off)\b"
    r"|\b(?:gets|got|was|is|being)\s+killed\b|\bkilled\s+by\b|\bkernel\s+(?:dies|died|crashe[sd]|restarts)\b"
    r"|\b(?:stopped|stops)\s+working\b|\bbroke\s+(?:after|when|since)\b|\bis\s+broken\b"
    r"|\bbut\s+[\w.-]+\s+(?:does|did|can|is)n[o']?t\b|\bcan(?:no|')?t\s+get\s+(?:[\w-]+\s+){1,3}to\s+work\b"
    r"|\b(?:gpus?|cards?|devices?)\s+(?:has\s+|have\s+)?(?:disappeared|vanished|went\s+missing|is\s+missing|are\s+missing)\b"
    r"|\billegal\s+memory\s+access\b|\btakes\s+forever\b|\bnever\s+(?:finishes|ends|completes|returns|loads|starts|used)\b"
    r"|\b(?:is|are)\s+wrong\b|\bwrong\s+(?:results?|outputs?|answers?)\b|\b\w+(?:Error|Exception)\b"
    r"|\bis_available\(\)[^\n]{0,24}?\bFalse\b"
    r"|\b(?:usage|utili[sz]ation|util)\s+(?:stays|is|remains|stuck|shows)\s+(?:at\s+)?0\s*%"
    # Other languages written in Latin or Cyrillic letters
    r"|\bno\s+(?:funciona|detecta|reconoce|se\s+usa|pasa\s+nada)\b|\bfall(?:a|o|ó)\b|\bmuy\s+lento\b|\bse\s+cierra\b"
    r"|\b(?:funktioniert|erkennt|läuft)\s+(?:\w+\s+){0,2}?nicht\b|\bwird\s+nicht\s+(?:genutzt|erkannt|verwendet)\b"
    r"|\bsehr\s+langsam\b|\bpassiert\s+nichts\b|\bstürzt\b|\bfehler\b"
    r"|\bne\s+(?:marche|fonctionne|détecte|reconnaît)\s+pas\b|\bplante\b|\berreur\b|\btrès\s+lent\b"
    r"|\bnão\s+(?:funciona|reconhece|detecta)\b|\bmuito\s+lento\b|\bfalha\b|\berro\b"
    r"|не\s+работает|ошибк\w*|вылета\w*|не\s+видит", _I)
_CJK = lazy(r"报错|错误|失败|崩溃|无法|不能(?:用|使用|运行|识别|调用)|卡住|卡死|死机|闪退|用不了|用不上|不可用|找不到|识别不到"
            r"|检测不到|没有(?:任何)?反应|没反应|没有被使用|(?:非常|很|特别)慢|直接退出|(?:自动|直接)重启"
            r"|エラー|失敗|動かない|認識(?:しない|しません|されない|されません)|落ちる|できない"
            r"|使(?:われ|用され)(?:ません|ない|ず)|遅い|何も起こ|再起動|False\s*を返|False를\s*반환"
            r"|오류|에러|실패|안\s?됩니다|작동하지|인식하지|사용되지|느립니다|느려요|반응이\s?없|재부팅")

# Words that only look like a failure: a measure, a device-health counter, a design term.
_NOT_A_FAILURE = lazy(
    r"(?:mean\s+(?:squared|absolute)\s+|relative\s+|absolute\s+|rounding\s+|numerical\s+|quantization\s+|ecc\s+"
    r"|approximation\s+|training\s+|validation\s+|test\s+|reconstruction\s+|standard\s+)errors?\b"
    r"|\berrors?\s*(?:rate|bars?|handling|correction|code\s*[:=]?\s*0|s?\s*[:=]\s*0\b|free|message\s+is\s+clear)"
    r"|\bfail[-\s]?(?:safe|over|back|fast)\b|\bhang\s+(?:on|in\s+there)\b|\binstead\s+of\s+the\s+cpu\b"
    r"|\bexception\s+handling\b|\btime\s+to\s+failure\b|\bfailing\s+silently\b", _I)
# Said over right after the word: "the import error is gone", "エラーは出ません", "报错已经消失".
_GONE_AFTER = lazy(r"^\W{0,3}(?:\w+\W+){0,2}?(?:is|was|has|have|are)\s+(?:now\s+)?(?:gone|fixed|solved|resolved|disappeared)\b"
                   r"|^\W{0,3}(?:\w+\W+){0,2}?(?:went|goes)\s+away\b"
                   r"|^(?:[はがもを]|[가이는도를])?\s?(?:ありません|出ません|出ない|ない|しない|していません|しません|없습니다|없어요|없음"
                   r"|안\s?납니다)|^(?:已经?)?(?:消失|没了|不见了|解决)", _I)
# A denial, a condition or a hope among the few words before: "without errors", "no crash", "if it fails".
_DENY = frozenset(("without", "no", "not", "never", "zero", "0", "any", "if", "when", "whenever", "unless", "whether",
                   "avoid", "avoids", "avoided", "avoiding", "prevent", "prevents", "prevented", "preventing", "fix",
                   "fixes", "fixed", "fixing", "solve", "solves", "solved", "solving", "handle", "handles", "handled",
                   "handling", "catch", "catches", "ignore", "ignores", "ignored", "ignoring", "suppress",
                   "suppresses", "suppressed", "suppressing", "expect", "expects", "expected", "expecting", "might",
                   "may", "could", "would", "should", "will", "check", "checks", "checked", "checking", "case"))
# The same contractions typed without the apostrophe ("it doesnt crash"), as strangers often write them.
_NT = frozenset(("cant", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "couldnt", "wouldnt",
                 "hasnt", "havent", "shouldnt"))
_NOTHING_VERBS = frozenset(("is", "was", "has", "had", "ever", "seems", "else"))
_CJK_UNSAID = lazy(r"(?:没有|没|无|不会|如果|若|避免|防止|解决了?)[^，。,.]{0,2}$|(?:なし|ない)$")

# Program output, not a person: a log line (time stamp, level, bracketed tag), a traceback frame
# or exception line, a `key: value` row, a shell prompt, a path.
_PROGRAM = lazy(
    r"^\s*(?:\[|\d{1,4}[-/:.]\d|(?:\w{3}\s+\d{1,2}\s+\d\d:)|(?:INFO|WARN(?:ING)?|ERROR|DEBUG|TRACE|FATAL|CRITICAL|FAILED|PASSED|SKIPPED|E\d{4}|W\d{4}|I\d{4})\b"
    r"|File\s+\"|at\s+[\w.$]+\(|Traceback\b|[\w.]*(?:Error|Exception|Warning)\b\s*:|[\w./-]+:\d+:|[$>]\s|:\s|>>>|\.\.\.\s"
    r"|[|+]|/|\w:\\|[\w .()/-]{1,40}:\s*\S+(?:\s+\S+){0,2}\s*$)")
# What starts a title, a heading or a list item: "[Bug]: ", "### ", "> ", "- ", "1. ", "(". A tag is a
# word or two, never a log level or a source place ("[INFO]", "[W socket.cpp:663]").
_LEAD = lazy(r"^\s*(?:\[(?!(?:INFO|WARN|WARNING|ERROR|DEBUG|TRACE|FATAL|CRITICAL|NOTICE)\])[A-Za-z][A-Za-z ]{0,20}\]:?\s+"
             r"|#{1,6}\s+|>\s*|[-*+]\s+(?:\[[ xX]\]\s+)?|\d{1,2}[.)]\s+|\(\s*)+")
# Source code quoted in the report: a call with a string argument, a statement's end.
_CODE = lazy(r"\w\(\s*[\"']|[;{}]\s*$")
_WORDS = lazy(r"[A-Za-z\u00c0-\u024f\u0400-\u04ff]{2,}")
_CJK_CHARS = lazy(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_HEAD_WORDS = lazy(r"[\w']+")


def _sentence_word_count(line: str) -> int:
    return len(_WORDS.findall(line)) + len(_CJK_CHARS.findall(line)) // 2


def _unsaid(head: str) -> bool:
    """Do the few words before a failure word deny it, make it a condition, or hope it away?"""
    words = _HEAD_WORDS.findall(head.lower())[-4:]
    # "nothing is broken", "nothing ever crashed" (review of round 28, ra); not "nothing but errors"
    nothing = words[-1:] == ["nothing"] or words[-2:-1] == ["nothing"] and words[-1] in _NOTHING_VERBS
    return nothing or any(w in _DENY or w.endswith("n't") or w in _NT for w in words)


def _said(line: str) -> Optional[int]:
    """Where in ``line`` a person says something fails (None: nowhere): its first three failure
    words are weighed, each by the words around it."""
    for pattern, cjk in ((_EN, False), (_CJK, True)):
        for n, m in enumerate(pattern.finditer(line)):
            if n == 3:
                break
            before, after = line[max(0, m.start() - 40):m.start()], line[m.end():m.end() + 30]
            if (_CJK_UNSAID.search(before) if cjk else _unsaid(before)) or _GONE_AFTER.search(after):
                continue
            near = line[max(0, m.start() - 40):m.end() + 40]
            at = m.start() - max(0, m.start() - 40)
            if any(s.start() < at + len(m.group()) and at < s.end() for s in _NOT_A_FAILURE.finditer(near)):
                continue
            return m.start()
    return None


def _question_about_future(line: str, at: int) -> bool:
    """"Will it crash if …?", "Does this fail on …?": a question about a failure that may come."""
    head = line[:at].lower()
    return ("?" in line[at:] or "？" in line[at:]) and bool(re.search(r"\b(?:will|would|could|can|does|do|is|should)\b[^.!?]*$", head))


def _prose(line: str, first: bool) -> Optional[Tuple[str, int]]:
    """A person's sentence on this line, without its title tag, heading or bullet, and where it
    starts (None: program output, code, or too short to say anything)."""
    if len(line) > 600:
        return None
    lead = _LEAD.match(line)
    body = line[lead.end():] if lead else line
    if _PROGRAM.match(body) or _CODE.search(body) or _sentence_word_count(body) < (2 if lead or first else 3):
        return None
    return body, lead.end() if lead else 0


# How many person's sentences are weighed at most: a report's own words are a few hundred lines at
# most (a 4 MiB text of thousands of distinct prose lines is generated, and would cost seconds).
_BUDGET = 200


def parse(doc: Pasted) -> Found:
    found = Found(SOURCE, STATED)
    seen: Dict[str, Optional[int]] = {}
    first = next((k for k, line in enumerate(doc.lines) if line.strip()), 0) if doc.lines else 0
    budget = _BUDGET
    printed: Optional[set] = None  # lines a catalogued message stands on: a program's, not a person's
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        line = doc.lines[i]
        if printed is None:
            printed = {m.line - 1 + k for m in doc.messages for k in range(m.text.count("\n") + 1)}
        if i in printed:
            continue
        if line in seen and i != first:
            at = seen[line]
        else:
            prose = _prose(line, i == first)
            at = None
            if prose is not None:
                budget -= 1
                body, start = prose
                pos = _said(body)
                at = None if pos is None or _question_about_future(body, pos) else start + pos
            if i != first:
                seen[line] = at
        if at is None:
            if budget <= 0:
                break
            continue
        # From the failure on: "nvidia-smi shows the GPU but pytorch doesn't" is no fix before it.
        if i in doc.enclosed or working_after(doc.lines, i, at, sentence=False):
            budget -= 1
            if budget <= 0:
                break
            continue
        quoted = " ".join(line.split())
        found.note(f"{SAID_FAILING}“{quoted[:160]}{'…' if len(quoted) > 160 else ''}” (line {i + 1})")
        break
    return found
