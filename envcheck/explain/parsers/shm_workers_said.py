"""DataLoader workers set to 0 said to get past a failure, in a container: /dev/shm too small.

PyTorch's DataLoader workers hand every batch over through shared memory (``/dev/shm``);
Docker and Kubernetes give a container 64 MiB of it. A person who finds that ``num_workers=0``
(no worker processes, so no shared memory) makes the failure go away, in a container, has met a
/dev/shm too small even when the error itself is not pasted (round 25: ultralytics#1238, "Setting
```workers=0``` solved the issue for me. Maybe it has something to do with the Docker-Container,
where I run the training?"; PytorchOCR#137, "在服务器上的docker中运行训练代码时…解决方法是，将Dataloader的
num_workers设置为0"). Both must be said: workers set to 0 told as what fixed it (a sentence, not
advice, a question, a denial or "did not help"), and the run in a container (not denied:
"without docker", "not in a container"). On Windows or a bare host, workers=0 gets past other
things (spawn, pickling), so a container is required.

A process killed by SIGBUS, in any program's words (a shell's "Bus error (core dumped)" and glibc's
translations of it, torch elastic's "Signal 7 (SIGBUS)", DeepSpeed's "return code = -7"), is the same
shortage told another way (round 27: ManiGaussian#16, "I got a Bus error when executing the
evaluation codes" … "You need to add "--shm-size 8G" when running docker"): read where /dev/shm is
told as what is needed or what fixed it, or where the run is in a container and the text never
names /dev/shm (a size set, "already increased", a question: the person has weighed it). A bare
host's bus error with no word of /dev/shm is not read: mmap'd files and misaligned loads raise it too.

Or the converse (round 28: pytorch#5040, "When I set `num_workers=1` or other value greater than 0 in
`torch.utils.data.DataLoader`, I get this error"): workers above 0 told as what brings the failure (not a
question, advice, a denial, "works fine"), in a container (a VS Code devcontainer counts).

A claim (``STATED``) on the size of /dev/shm, failed with :data:`WORKERS_DETAIL`, :data:`WORKERS_FAIL_DETAIL` or
:data:`SIGBUS_DETAIL`, so a df row or a size said outranks it; ``rules/health.py`` makes it a
"likely" shm_too_small.
"""

from __future__ import annotations

import re
from typing import List, Optional

from envcheck.derived.shm_said import SIGBUS_DETAIL, WORKERS_DETAIL, WORKERS_FAIL_DETAIL
from envcheck.explain.partial import Found
from envcheck.explain.sentences import ANOTHER_MACHINE, asked, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

_I = re.IGNORECASE
# The DataLoader argument at 0: torch's ``num_workers=0``, YOLO's ``workers=0``, mmdet's
# ``workers_per_gpu=0``, told "set to 0", "设置为0", "改为0".
_ZERO = lazy(r"(?<![A-Za-z0-9_])(?:num_?)?workers?(?:_per_gpu)?`*\s*(?:=|:|\bto\b|\bas\b|设置?为|设成|改为|改成|为)\s*`*0(?![\d.])", _I)
# ... told as what fixed it, in the same sentence.
_FIXED = lazy(r"\b(?:solved|fixed|resolved|helped|got\s+rid\s+of|works?|worked|working|runs?\s+fine|"
              r"no\s+longer\s+(?:crash|fail|hang|error)\w*)\b"
              r"|解决|就好了|就可以了|可以了|正常了|就行了|没问题了|不报错了", _I)
# A denial, advice or a plan: "did not help", "still crashes", "try setting", "you can set".
_NOT_FIXED = lazy(r"\b(?:not|n't|never|still|try|trying|you|should|could|would|might|maybe|perhaps|if|"
                  r"whether|suggest\w*|recommend\w*)\b|没用|无效|不行|还是|仍然|依然|如果|试试|可以试", _I)
# The run in a container: "the Docker-Container, where I run the training", "inside a docker container",
# "in the pod", "docker run …", "在docker中", "容器里".
_CONTAINER = lazy(r"\bdocker[- ]?containers?\b|\b(?:vs\s?code\s+)?dev\s?containers?\b|\b(?:in|inside|within|from|into)\s+(?:an?\s+|the\s+|my\s+|our\s+|this\s+)?"
                  r"(?:nvidia-)?(?:docker|podman|kubernetes|k8s)?\s*(?:containers?|pods?)\b"
                  r"|\b(?:in|inside|within|under|using|with)\s+(?:an?\s+|the\s+|my\s+)?(?:nvidia-)?docker\b|\bdocker\s+run\b"
                  r"|(?:docker|容器)\s*(?:中|里|内|下)|在\s*(?:docker|容器)", _I)
# A container denied before the words: "without docker", "not in a container", "没有使用docker".
_NO_CONTAINER = lazy(r"\b(?:not|without|no|outside|never|n't)\b[^.;!?\n]{0,20}$|(?:没有|不是|不用|未|非)[^。；！？\n]{0,8}$", _I)

# The converse (r28h, pytorch#5040's "When I set `num_workers=1` or other value greater than 0 in
# `torch.utils.data.DataLoader`, I get this error"): workers above 0 told as what brings the failure.
_NONZERO = lazy(r"(?<![A-Za-z0-9_])(?:num_?)?workers?(?:_per_gpu)?`*\s*(?:(?:=|:|\bto\b)\s*`*[1-9]\d*`*(?:\s+or\s+(?:any\s+)?"
                r"(?:other\s+)?(?:value\s+)?(?:greater|larger|bigger|higher|more)\s+than\s+0)?|(?:>|>=|greater\s+than|larger\s+than|"
                r"bigger\s+than|higher\s+than|above|more\s+than|大于|超过)\s*`*0)(?![\d.])"
                r"|(?:大于|>)\s*0\s*(?:的)?(?:num_?)?workers?", _I)
_FAILS = lazy(r"\b(?:get|got|gets|getting|throws?|threw|raises?|raised|see|saw)\s+(?:this|the|an?|that)\s+(?:\w+\s+)?"
              r"(?:error|exception|crash)\b|\b(?:crash(?:es|ed)?|fails?|failed|hangs?|hung|errors?\s+out|dies|died|"
              r"(?:is|was|are|were|gets?|got)\s+killed)\b|报错|出错|崩溃", _I)
_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
_NOT_FAILS = lazy(r"[?？]|\b(?:not|n't|never|no\s+longer|try|trying|you|should|could|would|might|maybe|perhaps|whether|"
                  r"suggest\w*|recommend\w*|works?|worked|fine)\b|没有|不会|如果|试试", _I)
# The container another machine's or past: "On my old server we used to run it in a docker container".
_ELSEWHERE = lazy(rf"{ANOTHER_MACHINE}|\bused\s+to\b", _I)


def _in_container(doc: Pasted) -> bool:
    for i in doc.lines_containing("docker", "container", "pod", "k8s", "kubernetes", "容器", ignorecase=True):
        line = doc.lines[i]
        for m in _CONTAINER.finditer(line):
            if not _NO_CONTAINER.search(line, max(0, m.start() - 30), m.start()) \
                    and not _ELSEWHERE.search(sentence_around(line, m.start(), m.end())):
                return True
    return False


def _places(line: str, word: str) -> List[int]:
    out, pos = [], line.find(word)
    while pos != -1:
        out.append(pos)
        pos = line.find(word, pos + len(word))
    return out


def _nonzero_fails(line: str) -> Optional[str]:
    """Workers above 0 told as what brings the failure, in a sentence with no denial, advice or question."""
    for m in _NONZERO.finditer(line):
        # the sentence, where a dot inside a name ("torch.utils.data.DataLoader") does not end it
        s = next((t for t in _SENTENCE.finditer(line) if t.start() <= m.start() < t.end()), m).group(0)
        if _FAILS.search(s) and not _NOT_FAILS.search(s) and not not_here_now(s, 0, len(s)):
            return " ".join(s.split()).rstrip(".。!！ ")[:160]
    return None


def _zero_fixed(line: str) -> Optional[str]:
    # the argument first (substring searches: lowering a 4 MiB line costs more), then only its sentence
    found = sorted(p for w in ("worker", "Worker", "WORKER") for p in _places(line, w))
    for pos in found:
        m = _ZERO.match(line, pos - 4 if line[max(0, pos - 4):pos].lower() == "num_" else pos)
        if m is None:
            continue
        s = sentence_around(line, m.start(), m.end())
        if s.rstrip().endswith(("?", "？")):
            continue
        # "with num_workers=0 it works, with num_workers=4 it is twice as fast": workers above 0 told in the same
        # sentence with no failure is a comparison, not a way past one (review of round 28, ra)
        if _FIXED.search(s) and not _NOT_FIXED.search(s) and not (_NONZERO.search(s) and not _FAILS.search(s)):
            return " ".join(s.split()).rstrip(".。!！ ")[:160]
    return None


# SIGBUS in the words of the programs that report it (r27h): glibc's strsignal(SIGBUS) "Bus error" as a
# shell reports the job it killed (bash "Bus error (core dumped)", zsh "zsh: bus error  python …"), and
# glibc's translations of it (po/zh_CN "总线错误", ja "バスエラー", de "Bus-Zugriffsfehler", fr "Erreur de
# bus", es "Error en el bus", pt_BR "Erro no barramento", ru "Ошибка шины", ko "버스 오류"); torch elastic's
# ProcessFailure "Signal 7 (SIGBUS) received by PID n" and "exitcode  : -7" (torch/distributed/elastic/
# multiprocessing/errors/__init__.py); DeepSpeed's launcher "… exits with return code = -7"
# (deepspeed/launcher/launch.py); a container's exit status 135 (128 + SIGBUS); Python's faulthandler
# "Fatal Python error: Bus error"; a person's "I got a Bus error".
_SIGBUS = lazy(r"\bbus\s+error\b|\bSIGBUS\b|\bsignal\s+7\b|\breturn\s+code\s*=\s*-7\b|\bexit\s*code\s*:?\s*(?:-7|135)\b"
               r"|\bexited\s+with\s+(?:code|status)\s+135\b|总线错误|バスエラー|Bus-Zugriffsfehler|Erreur\s+de\s+bus"
               r"|Error\s+en\s+el\s+bus|Erro\s+no\s+barramento|Ошибка\s+шины|버스\s*오류", _I)
# Not a SIGBUS: the kernel's PCIe AER report ("pcieport 0000:00:01.0: AER: PCIe Bus Error: severity=Corrected")
# and the driver's "fallen off the bus" (their readers read them).
_NOT_SIGBUS = lazy(r"\bpcie\b|\bAER\b|\bpci\b|fallen\s+off", _I)
# /dev/shm named as the way out: Docker's --shm-size, compose's shm_size, the tmpfs itself, Kubernetes'
# memory emptyDir over /dev/shm, sharing the host's IPC namespace, or "shared memory" in words.
_SHM_NAMED = lazy(r"--shm[-_]size|\bshm[-_]size\b|/dev/shm|\bemptyDir\b|--ipc[= ]host|\bipc:\s*host\b"
                  r"|\bshared[\s-]+memory\b|\bshm\b|共享内存|共有メモリ|공유\s*메모리", _I)
# ... told as what is needed or what fixed it ("You need to add --shm-size 8G when running docker",
# "increased the shm size and it works", "加大共享内存后解决"), not said already done or not enough.
_TOLD = lazy(r"\b(?:add(?:ed|ing)?|increas\w*|rais(?:e|ed|ing)|enlarg\w*|bump\w*|mount(?:ed|ing)?|need(?:ed|s)?\s+to|"
             r"fix(?:ed|es)?|solv\w*|resolv\w*|works?|worked|helped)\b|增加|加大|调大|扩大|解决|増や|늘려|늘리", _I)
_NOT_TOLD = lazy(r"\b(?:already|still|not|never|n't|didn'?t|doesn'?t|without|if|whether)\b|已经|还是|仍然|没用|如果", _I)
def _sigbus(doc: Pasted) -> Optional[int]:
    """The first line that reports a process killed by SIGBUS (_SIGBUS), not a PCIe or lost-GPU line."""
    for i in doc.lines_containing("bus error", "sigbus", "signal 7", "code = -7", "code -7", "code: -7", "exitcode",
                                  "code 135", "code: 135", "status 135", "bus-zugriff", "de bus", "el bus", "barramento",
                                  "шины", "버스", "总线错误", "バスエラー", ignorecase=True):
        line = doc.lines[i]
        m = _SIGBUS.search(line)
        if m and not _NOT_SIGBUS.search(line) and not asked(line, m.end(), clause=False) \
                and not not_here_now(line, m.start(), m.end()):
            return i
    return None


def _shm_told(doc: Pasted) -> Optional[str]:
    """A sentence naming /dev/shm as what is needed or what fixed it (not a denial, a condition, a
    question, nor something said already done), or None."""
    for i in doc.lines_containing("shm", "shared memory", "shared-memory", "emptydir", "ipc", "共享内存", "共有メモリ", "공유",
                                  ignorecase=True):
        line = doc.lines[i]
        for m in _SHM_NAMED.finditer(line):
            s = sentence_around(line, m.start(), m.end())
            if _TOLD.search(s) and not _NOT_TOLD.search(s) and not s.rstrip().endswith(("?", "？")) \
                    and not not_here_now(line, m.start(), m.end()):
                return " ".join(s.split()).rstrip(".。!！ ")[:160]
    return None


def read(doc: Pasted, f: Found) -> None:
    """Workers at 0 told as the fix, in a container; or a process killed by SIGBUS where /dev/shm is
    told as the way out, or in a container with no shm setting: a failed reading of /dev/shm's size."""
    for reader, needle, detail in ((_zero_fixed, "workers", WORKERS_DETAIL), (_nonzero_fails, "worker", WORKERS_FAIL_DETAIL)):
        hit = doc.first(reader, needle, ignorecase=True)
        if hit and _in_container(doc):
            i, said = hit
            f.fail("host.shm_total_bytes", Status.ERROR, i, detail=f"{detail}: {said}")
            return
    i = _sigbus(doc)
    if i is None:
        return
    told = _shm_told(doc)
    # Without it, a container and no word of /dev/shm anywhere (a flag set, "I already increased the shm
    # size", a question about it: the person has weighed it, and the default 64 MiB is not what they run).
    if told is None and (not _in_container(doc) or any(_SHM_NAMED.search(doc.lines[j]) for j in doc.lines_containing(
            "shm", "shared memory", "shared-memory", "emptydir", "ipc", "共享内存", "共有メモリ", "공유", ignorecase=True))):
        return
    said = told or f"“{' '.join(doc.lines[i].split())[:120]}” in a container"
    f.fail("host.shm_total_bytes", Status.ERROR, i, detail=f"{SIGBUS_DETAIL}: {said}")
