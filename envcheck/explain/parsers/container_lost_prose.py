"""Running containers said to lose the GPU, beside NVML's "Unknown Error": the error comes from a container.

nvidia-smi's "Failed to initialize NVML: Unknown Error" in a container that worked at first is the known
loss of its device access after a systemd reload on the host (NVIDIA/nvidia-container-toolkit#48, the
NVIDIA notice); ``rules/failures.container_lost_gpus`` reads it where the text is known to come from a
container. People tell where it happens in their own words rather than with ``docker run``: "the GPUs
become unavailable inside all the running containers", "the GPU disappears from all containers",
"running containers lose access to the GPU", "every time we run systemctl daemon-reload the containers
lose the GPU", "restarting the container fixes it", "重启容器后恢复". Such a sentence, in a text that holds
NVML's "Unknown Error", says the error was printed in a container: ``host.container`` (stated; a pod or
Kubernetes named on the line: kubernetes, else docker).

Not a question, a condition ("if the containers lose the GPU …") or a denial ("the containers do not
lose the GPU"); nothing without the NVML error in the text (the symptom alone is ``container_prose``'s).

A reproduction of the same loss, written as steps, says it without the error (the report's title
often holds that): the GPU used in a container, then ``systemctl daemon-reload`` on the host, then
the GPU in the container again ("Run `nvidia-smi` in the dev environment container and confirm that
it works. / Run `sudo systemctl daemon-reload` on the host. / Run `nvidia-smi` in the dev environment
container."), the order NVIDIA's notice gives (nvidia-container-toolkit#48). A note
(``derived/container_reload.RELOAD_REPRO``) and ``host.container`` (stated). Not where the engine or
the container is restarted after the reload (an install guide's "daemon-reload; restart docker"),
where the step after it says the GPU still works, nor a question, condition or denial.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.container_reload import RELOAD_REPRO
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, clause_start
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "containers said to lose the GPU"
_I = re.IGNORECASE

_CTR = r"(?:all\s+)?(?:the\s+|my\s+|our\s+)?(?:running\s+)?(?:gpu\s+)?(?:docker\s+)?(?:containers?|pods?)\b"
_LOST = lazy(
    # "containers lose (access to) the GPU", "pods lost their GPUs"
    rf"\b(?:containers?|pods?)\b[^.;!?\n]{{0,40}}?\b(?:lose|loses|lost|losing|drop|drops|dropped)\s+"
    r"(?:their\s+|the\s+|its\s+|all\s+|access\s+to\s+(?:the\s+|their\s+)?)?(?:gpus?|gpu\s+access|access|devices?)\b"
    # "the GPUs become unavailable inside all the running containers", "the GPU disappears from all containers"
    rf"|\b(?:gpus?|devices?)\b[^.;!?\n]{{0,40}}?\b(?:become|became|becomes|get|gets|got|are|is|go|goes|went)\s+"
    rf"(?:unavailable|inaccessible|lost|gone|missing)\s+(?:in|inside|within|from|for)\s+{_CTR}"
    rf"|\b(?:gpus?|devices?)\b[^.;!?\n]{{0,30}}?\b(?:disappears?|disappeared|vanish(?:es|ed)?)\s+(?:from|in|inside)\s+{_CTR}"
    # "restarting the container(s) fixes it": the failure was in them
    rf"|\brestart(?:ing|ed)?\s+{_CTR}[^.;!?\n]{{0,30}}?\b(?:fix|fixes|fixed|solves|solved|restores|restored|helps|brings)\b(?!\s+nothing)"
    # daemon-reload on the host named beside containers
    r"|\bsystemctl\s+daemon-reload\b[^.;!?\n]{0,80}?\b(?:containers?|pods?)\b"
    r"|\b(?:containers?|pods?)\b[^.;!?\n]{0,80}?\bsystemctl\s+daemon-reload\b"
    r"|重启(?:了)?\s*(?:docker\s*)?容器[^。！？\n]{0,10}?(?:恢复|就好|好了|正常)|容器[^。！？\n]{0,20}?(?:丢失|失去)[^。！？\n]{0,6}(?:GPU|gpu|显卡)", _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|when\s+you|in\s+case)\b|如果", _I)
_DENIED = lazy(r"\b(?:not|never|no\s+longer)\b|n't\b|没有|不会", _I)
# A denial before the words in their clause: "none of my containers lost the GPU", "neither container …".
_DENIED_BEFORE = lazy(r"\b(?:none|neither|nor|no|not|never)\b|n't\b|没有|不会", _I)
_KUBE = lazy(r"\b(?:pods?|kubernetes|k8s|kubectl|kubelet)\b", _I)
_NEEDLES = ("container", "pod", "daemon-reload", "容器")


def _lost(doc: Pasted) -> Optional[int]:
    lines = doc.lines
    for i in doc.lines_containing(*_NEEDLES):
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _LOST.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        if asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.end()]) or _DENIED.search(m.group(0)) \
                or _DENIED_BEFORE.search(line, start, m.start()):
            continue
        return i
    return None


# A step of a reproduction that uses the GPU in a container (before and after the reload).
_IN_CTR = lazy(r"\b(?:nvidia-smi|gpus?|cuda)\b[^\n]{0,80}?\b(?:in|inside|within|from)\s+(?:the\s+|that\s+|a\s+|my\s+|"
               r"same\s+|running\s+|\w+\s+){0,4}(?:containers?|pods?)\b", _I)
_RELOAD = lazy(r"\bsystemctl\s+daemon-reload\b", _I)
# What makes the reload harmless: the engine or the container started again after it.
_RESTARTED = lazy(r"\brestart\b|\bsystemctl\s+(?:start|restart)\b|\bdocker\s+(?:run|start|restart)\b", _I)
_STILL_WORKS = lazy(r"\b(?:still|keeps?)\s+(?:works?|working|running|fine|sees?)\b|\bno\s+(?:error|problem)s?\b", _I)


def _repro(doc: Pasted) -> Optional[int]:
    """The line of a reproduction's ``systemctl daemon-reload`` step between two steps using the GPU
    in a container (each within three lines), or None."""
    lines = doc.lines
    for i in doc.lines_containing("daemon-reload"):
        line = lines[i]
        m = _RELOAD.search(line)
        if not m or len(line) > 300 or asked(line, m.end(), clause=False) or _CONDITION.search(line[:m.start()]) \
                or _DENIED.search(line[:m.start()]) or _RESTARTED.search(line):
            continue
        before = [j for j in range(max(0, i - 3), i) if _IN_CTR.search(lines[j])]
        after = [j for j in range(i + 1, min(len(lines), i + 4)) if _IN_CTR.search(lines[j])]
        if not before or not after:
            continue
        between = lines[i + 1:after[0] + 1]
        if any(_RESTARTED.search(x) or _STILL_WORKS.search(x) or asked(x, 0, clause=False) for x in between):
            continue
        return i
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("failed to initialize nvml") or not doc.lines_containing("unknown error"):
        i = _repro(doc) if doc.lines_containing("daemon-reload") else None
        if i is not None:
            f.set("host.container", "kubernetes" if _KUBE.search(doc.lines[i]) else "docker", i)
            f.note(f"{RELOAD_REPRO}“{doc.lines[i].strip()[:160]}” (line {i + 1})")
        return f
    i = _lost(doc)
    if i is not None:
        f.set("host.container", "kubernetes" if _KUBE.search(doc.lines[i]) else "docker", i)
    return f
