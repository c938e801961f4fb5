"""A person saying the framework loads a cuDNN other than its own, in their own words:

* "it's linking to my pre-installed cudnn", "PyTorch is using the cuDNN in /usr/local/cuda instead
  of the bundled one", "tensorflow picks up the system cudnn", "torch was loading the old cuDNN from
  conda", "torch 调用的是系统的 cudnn", "用的是系统自带的cudnn而不是…".

A framework word or "it", a verb of loading (link, load, use, pick up, find, call; 调用, 加载,
链接, 使用), then a cuDNN said to be another install's (system, pre-installed, local, old, wrong,
conda's, one under /usr or /opt). The claim's own clause must not deny, doubt or advise ("doesn't
use the system cudnn", "make sure it is not loading…", "if torch loads…", "is torch using…?"),
nor be about a build from source (which links the system cuDNN on purpose), nor a failure said to
be over ("…, now it works"); its sentence must not say it is so on purpose or works ("as
jax[cuda12_local] is meant to", "and training is fast"). A dot inside a version or a path ends no
clause ("the system cuDNN 9.1 because I built it"). Recorded as a note (``derived.library_said.SYSTEM_CUDNN_SAID``);
``rules/linking.py`` judges it with the failure the text tells.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.library_said import SYSTEM_CUDNN_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_OTHER = r"(?:system(?:-wide)?|pre-?installed|locally[\s-]installed|local|older|old|wrong|another|other|global|conda'?s?)"
_CLAIM_EN = lazy(
    r"\b(?:(?:py)?torch|tensorflow|tf|jax(?:lib)?|paddle\w*|caffe2?|it(?:'s|\s+is|\s+was)?)\s+(?:\w+\s+){0,2}?"
    r"(?:link(?:s|ed|ing)?(?:\s+(?:to|against|with))?|load(?:s|ed|ing)?|us(?:es|ed|ing)|pick(?:s|ed|ing)?\s+up|"
    r"finds?|found|call(?:s|ed|ing)?)\s+(?:the\s+|my\s+|a\s+|an\s+|its\s+)?"
    r"(?:" + _OTHER + r"\b[\w\s.-]{0,24}?\bcu[dD][nN][nN]\b|cudnn\s+(?:from|in|under|at)\s+(?:/usr|/opt|the\s+system|my\s+system|"
    r"conda|the\s+cuda\s+(?:folder|directory)))", _I)
_CLAIM_ZH = lazy(r"(?:调用|加载|链接|使用|用)(?:的是|了)\s*(?:系统|本机|本地|/usr|conda)[^。，,；;]{0,12}cudnn", _I)
# In the claim's clause (up to the comma or sentence end around it): a denial, doubt, advice or a
# build from source.
_NOT = lazy(r"\b(?:not|never|no\s+longer|didn't|doesn't|don't|isn't|wasn't|won't|shouldn't|should|could|would|might|"
            r"may|whether|if|make\s+sure|ensure|check|from\s+source|built|compiled|now\s+works?|works?\s+now|fixed|"
            r"solved)\b|n't\b|不|没|是否|如果|应该", _I)
_CLAUSE_END = ",;.!?。，；！？"
# A clause ends at one of those, but a dot only before a space or the line's end: "cuDNN 9.1", a path
# ("/usr/lib/x86_64-linux-gnu/libcudnn.so.8") and a file name keep theirs.
_END = lazy(r"[,;!?。，；！？]|\.(?=\s|$)")
# The sentence says it is so on purpose or works ("as jax[cuda12_local] is meant to", "by design",
# "and training is fast", "which is fine"): a setup described, not the failure's cause.
_ON_PURPOSE = lazy(r"\b(?:meant\s+to|by\s+design|on\s+purpose|intended|intentionally|as\s+(?:designed|expected|documented)"
                   r"|(?:runs?|works?|running|working)\s+(?:fine|well|great|perfectly)|is\s+(?:fine|fast|ok|okay)"
                   r"|no\s+(?:problem|issue)s?\s+with)\b|预期|正常", _I)
_SENTENCE_END = lazy(r"[.!?。！？](?=\s|$)")


def _claim(line: str) -> Optional[str]:
    if "cudnn" not in line.lower():
        return None
    m = _CLAIM_EN.search(line) or _CLAIM_ZH.search(line)
    if not m:
        return None
    start = max((e.end() for e in _END.finditer(line, 0, m.start())), default=0)
    e = _END.search(line, m.end())
    end = e.start() if e else len(line)
    clause = line[start:end + 1]
    if _NOT.search(clause) or clause.rstrip().endswith(("?", "？")):
        return None
    stop = _SENTENCE_END.search(line, m.end())
    if _ON_PURPOSE.search(line[start:stop.end() if stop else len(line)]):
        return None
    return clause.strip()


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    hit = doc.first(_claim, "cudnn", ignorecase=True)
    if hit is not None:
        i, clause = hit
        f.note(f"{SYSTEM_CUDNN_SAID}cuDNN — “{' '.join(clause.split())[:160]}” (line {i + 1})")
    return f
