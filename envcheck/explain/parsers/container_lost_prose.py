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
lose the GPU").

Without the NVML error in the text, the loss said of a running container is kept as a note
(``derived/container_lost_said.LOST_SAID``, read by ``rules/container_lost_said``): the same words as
above, or the GPU (nvidia-smi, CUDA) said to stop working in a container after a while ("the GPU
disappears from my docker container after a few days", "nvidia-smi stops working inside the container
after some time", 容器运行一段时间后 GPU 就不可用了, コンテナを長時間動かしているとGPUが見えなくなります).
"Restarting the container fixes it" alone is not enough there (a container started at boot before the
driver loaded is fixed the same way), nor a sentence that names another trigger (a reboot, a sleep, a
driver update: other causes), another machine, a question, a condition or a denial.

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

from envcheck.derived.container_lost_said import LOST_SAID
from envcheck.derived.container_reload import RELOAD_REPRO
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import ANOTHER_MACHINE, asked, clause_start, working_after
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


# The GPU said to stop working in a container after a while (person's words; the time is what
# tells a running container's loss from one that never had the GPU).
_AFTER = (r"\b(?:after\s+(?:some\s+time|a\s+while|(?:a\s+)?(?:few|couple\s+of|several|many|\d+)\s+(?:hours?|days?|minutes?"
          r"|weeks?)|hours|days|a\s+random\s+(?:amount\s+of\s+)?time|running\s+for\s+(?:a\s+while|some\s+time|hours|days))"
          r"|randomly|eventually|over\s+time|at\s+random)\b")
_TIMED_GONE = lazy(
    r"\b(?:gpus?|nvidia-smi|cuda|nvml)\b[^.;!?\n]{0,90}?\b(?:stops?\s+working|stopped\s+working|becomes?\s+(?:unavailable"
    r"|inaccessible)|became\s+(?:unavailable|inaccessible)|(?:is|gets|got)\s+lost|disappears?|disappeared|vanish(?:es|ed)?)\b"
    r"|(?:容器|docker)[^。！？\n]{0,12}(?:一段时间|几天|几个小时|数小时|一阵子)(?:后|之后|以后)?[^。！？\n]{0,20}"
    r"(?:GPU|gpu|显卡|nvidia-smi)[^。！？\n]{0,12}(?:不可用|用不了|消失|失效|找不到|识别不到|报错)"
    r"|コンテナ[^。\n]{0,20}(?:しばらく|長時間|数時間|数日)[^。\n]{0,20}(?:GPU|nvidia-smi)[^。\n]{0,12}(?:見えなく|使えなく"
    r"|認識されなく|消え)"
    r"|컨테이너[^.\n]{0,20}(?:오래|몇\s*시간|며칠|한동안)[^.\n]{0,20}(?:GPU|nvidia-smi)[^.\n]{0,12}(?:사라|안\s*보|인식\s*(?:이\s*)?안)",
    _I)
_TIME = lazy(_AFTER + r"|一段时间|几天|几个小时|数小时|一阵子|しばらく|長時間|数時間|数日|오래|몇\s*시간|며칠|한동안", _I)
_IN_A_CONTAINER = lazy(r"\b(?:containers?|pods?|docker)\b|容器|コンテナ|컨테이너", _I)
# Another trigger named: a reboot or boot (a container started before the driver), sleep, a driver update.
_OTHER_TRIGGER = lazy(r"\b(?:re)?boot\w*|\bsleep\w*|\bsuspend\w*|\bresum\w*|\bhibernat\w*|\bwak(?:e|es|ing)\s+up"
                      r"|\bupdat\w*|\bupgrad\w*|\bdriver\s+install\w*|重启(?:电脑|机器|系统|主机)|休眠|睡眠|更新|升级", _I)
_ELSEWHERE = lazy(ANOTHER_MACHINE, _I)
_RESTARTED_AFTER = lazy(r"\brestart(?:s|ed|ing)?\b|\bdocker\s+(?:run|start)\b", _I)


def _lost_said(doc: Pasted) -> Optional[int]:
    """The line of a person's sentence that a running container lost the GPU (no NVML error in the text)."""
    lines = doc.lines
    for i in doc.lines_containing("container", "pod", "docker", "容器", "コンテナ", "컨테이너", ignorecase=True):
        line = lines[i]
        if len(line) > 2000 or i in doc.enclosed or not _IN_A_CONTAINER.search(line):
            continue
        m = _LOST.search(line)
        if m and m.group(0).lower().startswith(("restart", "重启")) and not _TIME.search(line):
            m = None  # "restarting the container fixes it" alone: a start before the driver loaded too
        if m is None:
            m = _TIMED_GONE.search(line)
            if m and not (_TIME.search(line) or m.group(0).startswith(("容器", "docker", "コンテナ", "컨테이너"))):
                m = None
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        if asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.end()]) or _DENIED.search(m.group(0)) \
                or _DENIED_BEFORE.search(line, start, m.start()) or _OTHER_TRIGGER.search(line) \
                or _ELSEWHERE.search(line) or working_after(lines, i, m.end(), sentence=False):
            continue
        if "daemon-reload" in m.group(0).lower() and _RESTARTED_AFTER.search(line):
            continue  # "I ran systemctl daemon-reload and restarted the container": a setup step, not the loss
        return i
    return None


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
        i = _lost_said(doc)
        if i is not None:  # the note only: where the text speaks from is container_prose's to read
            quoted = " ".join(doc.lines[i].split())
            f.note(f"{LOST_SAID}“{quoted[:160]}{'…' if len(quoted) > 160 else ''}” (line {i + 1})")
        return f
    i = _lost(doc)
    if i is not None:
        f.set("host.container", "kubernetes" if _KUBE.search(doc.lines[i]) else "docker", i)
    return f
