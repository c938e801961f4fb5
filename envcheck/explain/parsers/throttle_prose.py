"""A GPU said to be slowing itself down from heat or a power problem, in any language.

NVML names the reasons a GPU holds its clocks down (nvml.h nvmlClocksEventReason*; nvidia-smi
-q "Clocks Event Reasons" / "Clocks Throttle Reasons"): heat ("HW Thermal Slowdown", "SW Thermal
Slowdown") and a power brake ("HW Power Brake Slowdown") are faults to fix, a power cap at full
load is normal. People retell the first kind as "the GPU is thermal throttling", "it throttles
at 87°C", "HW slowdown kicks in", "显卡过热降频", "サーマルスロットリング", "써멀 스로틀링".
Such a sentence claims the thermal reason (``STATED``; the -q section, read by nvidia_smi_q,
outranks it). A denial, a question, a condition, or throttling the person set up on purpose
(a power limit they lowered, clocks they locked) says nothing.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading

SOURCE = "statements"
_I = re.IGNORECASE

_THERMAL = lazy(
    r"\b(?:gpu|card|it|a100|h100|v100|rtx\s*\d{4}|gtx\s*\d{3,4}|tesla\s+\w+)\s+(?:\w+\s+){0,2}"
    r"(?:is|was|keeps|kept|starts?|started|gets?|got)\s+(?:\w+\s+)?(?:thermal(?:ly)?[\s-]+)?throttl(?:ing|ed)\b"
    r"|\bthermal[\s-]+throttl(?:ing|es|ed)\b|\bthrottl(?:es|ing|ed)\s+(?:\w+\s+){0,2}(?:due\s+to|because\s+of|from)\s+"
    r"(?:the\s+)?(?:heat|temperature|overheating|thermals?)\b|\bHW\s+(?:thermal\s+)?slowdown\s+(?:is\s+)?(?:active|engaged|kicks?\s+in)\b"
    r"|过热降频|温度过?高[^\n]{0,10}降频|降频[^\n]{0,6}(?:过热|温度)|サーマルスロットリング|熱で(?:クロックが)?下が|써멀\s?스로틀링|과열[^\n]{0,8}클럭", _I)
_NOT = lazy(r"\b(?:not|never|no|without|didn't|doesn't|isn't|wasn't|if|whether|could|would|should|might|"
                  r"prevent\w*|avoid\w*|check\w*)\b|没有|不会|如果|是否|ない|않|없", _I)
_ON_PURPOSE = lazy(r"\b(?:power[\s-]?limit|-pl\b|--power-limit|lock(?:ed)?[\s-]+(?:gpu[\s-]+)?clocks?|-lgc\b|undervolt\w*|"
                         r"laptop\s+on\s+battery)\b", _I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("throttl", "slowdown", "降频", "スロットリング", "熱で", "스로틀링", "클럭", ignorecase=True):
        line = lines[i]
        m = _THERMAL.search(line)
        if not m:
            continue
        before, after = line[max(0, m.start() - 40):m.start()], line[m.end():m.end() + 40]
        if _NOT.search(before + " " + m.group(0)) or "?" in after or "？" in after or "吗" in after or _ON_PURPOSE.search(line):
            continue
        detail = f"{STATED_DETAIL}: {m.group(0)}"
        f.gpu(None, i, detail=detail, clock_event_reasons=Reading.of(("hw_thermal_slowdown",), detail))
        return f
    return f
