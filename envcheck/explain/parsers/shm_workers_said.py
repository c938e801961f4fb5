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

A claim (``STATED``) on the size of /dev/shm, failed with :data:`WORKERS_DETAIL`, so a df row or
a size said outranks it; ``rules/health.py`` makes it a "likely" shm_too_small.
"""

from __future__ import annotations

import re
from typing import List, Optional

from envcheck.derived.shm_said import WORKERS_DETAIL
from envcheck.explain.partial import Found
from envcheck.explain.sentences import ANOTHER_MACHINE, sentence_around
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
_CONTAINER = lazy(r"\bdocker[- ]?containers?\b|\b(?:in|inside|within|from|into)\s+(?:an?\s+|the\s+|my\s+|our\s+|this\s+)?"
                  r"(?:nvidia-)?(?:docker|podman|kubernetes|k8s)?\s*(?:containers?|pods?)\b"
                  r"|\b(?:in|inside|within|under|using|with)\s+(?:an?\s+|the\s+|my\s+)?(?:nvidia-)?docker\b|\bdocker\s+run\b"
                  r"|(?:docker|容器)\s*(?:中|里|内|下)|在\s*(?:docker|容器)", _I)
# A container denied before the words: "without docker", "not in a container", "没有使用docker".
_NO_CONTAINER = lazy(r"\b(?:not|without|no|outside|never|n't)\b[^.;!?\n]{0,20}$|(?:没有|不是|不用|未|非)[^。；！？\n]{0,8}$", _I)

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
        if _FIXED.search(s) and not _NOT_FIXED.search(s):
            return " ".join(s.split()).rstrip(".。!！ ")[:160]
    return None


def read(doc: Pasted, f: Found) -> None:
    """Workers at 0 told as the fix, in a container: a failed reading of /dev/shm's size."""
    hit = doc.first(_zero_fixed, "workers", ignorecase=True)
    if hit and _in_container(doc):
        i, said = hit
        f.fail("host.shm_total_bytes", Status.ERROR, i, detail=f"{WORKERS_DETAIL}: {said}")
