"""A person saying the container engine does not know the NVIDIA runtime: "docker no longer
recognizes the nvidia runtime", "Docker doesn't find the nvidia runtime", "the nvidia runtime is
not registered with Docker", "containerd does not know the `nvidia` runtime", "docker 无法识别 nvidia
runtime" — Docker's "Unknown runtime specified nvidia" / "unknown or invalid runtime name: nvidia"
and containerd's 'no runtime for "nvidia" is configured' (catalogued messages) retold. The runtime
is registered by the NVIDIA Container Toolkit (``nvidia-ctk runtime configure``, or the old
nvidia-docker2 package) and read by the daemon when it starts.

And the toolkit said not to be installed on the host: "I haven't installed the nvidia container
toolkit", "nvidia-container-toolkit is not installed", "没有安装 nvidia-container-toolkit" (not the CUDA
toolkit; not "not installed in the image", where it does not belong).

The claim: ``host.container_gpus = "--runtime=nvidia"`` (rank ``STATED``) with a detail of
``derived/runtime_claims`` (RUNTIME_UNKNOWN_DETAIL, TOOLKIT_ABSENT_DETAIL), which ``rules/hosting.py`` reads as
nvidia_container_toolkit_missing, likely. A run command in the text outranks it. A question, a
denial ("docker recognizes the nvidia runtime now"), a condition or advice ("if Docker does not
know the nvidia runtime, run …") and the fix told in the same sentence claim nothing.
"""

from __future__ import annotations

import re

from envcheck.derived.runtime_claims import RUNTIME_UNKNOWN_DETAIL, TOOLKIT_ABSENT_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about the container runtime"
_I = re.IGNORECASE

_ENGINE = r"(?:docker(?:d|-compose)?|containerd|podman|compose|the\s+(?:docker\s+)?daemon|k3s|moby)"
_RT = r"(?:the\s+|an?\s+)?[`'\"]?nvidia[`'\"]?(?:-container)?\s+runtime\b"
_NOT = (r"(?:does\s*n[o']t|did\s*n[o']t|do\s*n[o']t|no\s+longer|can\s*n[o']t|could\s*n[o']t|cannot|"
        r"(?:fails?|failed)\s+to|won'?t|will\s+not)")
_UNKNOWN = lazy(
    rf"\b{_ENGINE}\b[^.;!?\n]{{0,40}}?\b{_NOT}\s+(?:\w+\s+)?(?:recogni[sz]e|know|find|see|list|detect)s?\s+{_RT}"
    rf"|\b{_RT}\s+(?:is|was)\s*(?:n[o']t|not)\s+(?:recogni[sz]ed|registered|known|found|listed|detected)\b"
    rf"[^.;!?\n]{{0,30}}?\b(?:by|in|with|for)\s+{_ENGINE}\b"
    rf"|\b{_ENGINE}\b[^.;!?\n]{{0,30}}?\b(?:says|said|complains?|reports?)\s+(?:that\s+)?(?:it\s+)?(?:does\s*n[o']t\s+know|"
    rf"can\s*n[o']t\s+find)\s+{_RT}"
    rf"|\b{_ENGINE}\b[^。！？\n]{{0,20}}?(?:无法|不能|不)识别[^。！？\n]{{0,6}}nvidia\s*(?:runtime|运行时)"
    rf"|\b{_ENGINE}\b[^。！？\n]{{0,20}}?找不到[^。！？\n]{{0,6}}nvidia\s*(?:runtime|运行时)", _I)
# The toolkit said not to be installed on the host: "I haven't installed the nvidia container toolkit",
# "nvidia-container-toolkit is not installed", "没有安装 nvidia-container-toolkit". Not the CUDA toolkit,
# and not "not installed in the image" (where it does not belong).
_TOOLKIT = (r"(?:the\s+)?(?:nvidia[\s-]container[\s-]toolkit|nvidia\s+container\s+runtime|nvidia-container-runtime"
            r"|nvidia-docker2?|nvidia\s+docker)\b")
_ABSENT = lazy(
    rf"\b(?:have\s*n[o']t|have\s+not|had\s*n[o']t|did\s*n[o']t|did\s+not|never|forgot\s+to)\s+(?:yet\s+)?install(?:ed)?\s+"
    rf"{_TOOLKIT}"
    rf"|\b{_TOOLKIT}\s+(?:is|was)\s*(?:n[o']t|not)\s+(?:yet\s+)?installed\b|\b{_TOOLKIT}\s+(?:is|was)\s+missing\b"
    r"|(?:没有|没|未)(?:安装|装)\s*(?:nvidia-container-toolkit|nvidia-docker2?|nvidia\s*container\s*toolkit)", _I)
_IN_IMAGE = lazy(r"\s*(?:in|inside|within|into)\s+(?:the\s+|my\s+|this\s+)?(?:container|image|dockerfile)\b", _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|when(?:ever)?|in\s+case|make\s+sure|otherwise|so\s+that)\b|如果|是否", _I)
_FIXED = lazy(r"\b(?:fixed|solved|resolved|works?\s+(?:now|again)|now\s+works?)\b|解决了", _I)
_NEEDLES = ("runtime", "运行时")
_TOOLKIT_NEEDLES = ("container toolkit", "container-toolkit", "nvidia-docker", "nvidia docker", "container runtime",
                    "container-runtime")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("nvidia"):
        return f
    for i in doc.lines_containing(*_NEEDLES):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _UNKNOWN.search(line)
        if not m:
            continue
        start = max(line.rfind(c, 0, m.start()) for c in ".!?;。！？") + 1
        if (asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.start()])
                or _FIXED.search(line, m.end())):
            continue
        f.set("host.container_gpus", "--runtime=nvidia", i, rank=STATED,
              detail=f"{RUNTIME_UNKNOWN_DETAIL} ({m.group(0).strip()[:70]}, line {i + 1})")
        return f
    for i in doc.lines_containing(*_TOOLKIT_NEEDLES):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _ABSENT.search(line)
        if not m:
            continue
        start = max(line.rfind(c, 0, m.start()) for c in ".!?;。！？") + 1
        if (asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.start()])
                or _FIXED.search(line, m.end()) or _IN_IMAGE.match(line, m.end())):
            continue
        f.set("host.container_gpus", "--runtime=nvidia", i, rank=STATED,
              detail=f"{TOOLKIT_ABSENT_DETAIL} ({m.group(0).strip()[:70]}, line {i + 1})")
        return f
    return f
