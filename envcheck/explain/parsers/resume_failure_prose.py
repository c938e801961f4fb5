"""CUDA failing after a suspend and resume, in a person's words: "after resuming from suspend,
ollama only uses the CPU", "CUDA stops working every time the laptop wakes up from sleep",
"休眠唤醒后 pytorch 检测不到 GPU", "スリープから復帰すると CUDA が使えない".

The stale nvidia_uvm (https://github.com/pop-os/default-settings/pull/64) is told this way far
more often than with a quoted error: the resume and the failure in one sentence. That is CUDA unavailable, at a person's rank, with a detail naming the resume
(``derived/driver_claims.RESUME_FAILURE_DETAIL``), beside the resume itself.

A compute word is required (CUDA, torch, TensorFlow, ollama, a model, training, inference, or
the GPU said replaced by the CPU): the display after a resume (a black screen, flicker) is the
graphics stack, not CUDA. Questions, conditions and denials claim nothing.
"""

from __future__ import annotations

import re

from ...derived.driver_claims import RESUME_FAILURE_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..source import Pasted

SOURCE = "resume statements"
_I = re.IGNORECASE

RESUME = lazy(r"\b(?:suspend\w*|resum\w*|hibernat\w*|standby|wak(?:e|es|ing)\s+(?:\w+\s+){0,2}up|woke|"
                     r"(?:from|after|out\s+of)\s+(?:a\s+)?sleep|sleep\s*/\s*(?:wake|resume)|lid)\b"
                     r"|休眠|唤醒|睡眠|待机|スリープ|サスペンド|復帰|절전|대기\s*모드|슬립", _I)
COMPUTE = lazy(r"\b(?:cuda|torch|pytorch|tensorflow|jax|cupy|onnx\w*|ollama|llama[.\w-]*|comfyui|vllm|whisper"
                      r"|stable[\s-]diffusion|training|inference|models?)\b|\bgpu\b[^.;!?\n]{0,40}\bcpu\b|\bcpu\b[^.;!?\n]{0,40}\bgpu\b"
                      r"|训练|推理|模型|学習|推論|모델|학습", _I)
_FAILED = lazy(r"\b(?:stops?|stopped)\s+working|\bno\s+longer\s+(?:works?|detects?|sees?|finds?|uses?)"
                     r"|\b(?:doesn't|does\s+not|don't|can't|cannot|won't|isn't|is\s+not)\s+(?:work|detect|see|find|use|recogni[sz]e|available)"
                     r"|\bnot\s+(?:detected|available|found|working|recogni[sz]ed)|\bfail(?:s|ed|ing)?\b|\berrors?\b|\bbroken\b"
                     r"|\b(?:falls?|fell|falling)\s+back\s+to\s+(?:the\s+)?cpu|\b(?:only\s+)?(?:uses?|using|runs?\s+on|running\s+on)"
                     r"\s+(?:100%\s+)?(?:the\s+)?cpu|\bcpu[- ]only\b|\bunavailable\b|\bunknown\s+error|\breturns?\s+(?:false|0)\b"
                     r"|不能用|无法使用|用不了|报错|失败|检测不到|找不到|识别不到|使えない|認識しない|エラー|인식하지\s*못|안\s*됨|오류", _I)
NOT_SAID = lazy(r"\?|？|\b(?:if|whether|unless|never|without|no\s+(?:errors?|problems?|issues?)|not\s+after|before\s+suspend"
                  r"|disabled?\s+(?:suspend|sleep))\b|如果|もし|만약", _I)
# A dot before a word character is a name's or a version's ("torch.cuda.is_available()", "550.54"), not
# the end of the sentence that holds the resume and the failure.
SENTENCE = lazy(r"[^.!;。！？\n]+(?:\.(?=\w)[^.!;。！？\n]*)*[.!;。！？]?")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("suspend", "resum", "hibernat", "standby", "wak", "woke", "sleep", "lid", "休眠",
                                  "唤醒", "睡眠", "待机", "スリープ", "サスペンド", "復帰", "절전", "대기", "슬립"):
        for s in SENTENCE.findall(lines[i]):
            if RESUME.search(s) and COMPUTE.search(s) and _FAILED.search(s) and not NOT_SAID.search(s):
                said = " ".join(s.split())[:120]
                f.set("torch.cuda_available", False, i, detail=f"{RESUME_FAILURE_DETAIL} ({said})")
                f.set("host.resumed_from_suspend", True, i)
                return f
    return f
