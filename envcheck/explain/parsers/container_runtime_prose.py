"""A person saying the container engine does not know the NVIDIA runtime: "docker no longer
recognizes the nvidia runtime", "Docker doesn't find the nvidia runtime", "the nvidia runtime is
not registered with Docker", "containerd does not know the `nvidia` runtime", "docker 无法识别 nvidia
runtime" — Docker's "Unknown runtime specified nvidia" / "unknown or invalid runtime name: nvidia"
and containerd's 'no runtime for "nvidia" is configured' (catalogued messages) retold. The runtime
is registered by the NVIDIA Container Toolkit (``nvidia-ctk runtime configure``, or the old
nvidia-docker2 package) and read by the daemon when it starts.

And the toolkit said not to be installed on the host: "I haven't installed the nvidia container
toolkit", "nvidia-container-toolkit is not installed", "没有安装 nvidia-container-toolkit" (not the CUDA
toolkit; not "not installed in the image", where it does not belong), read only where the text
starts or asks for a GPU container ("docker run", "--gpus", compose, "runtime:", podman/ctr with a
device, "CUDA … in the container"): "because I don't use docker at all" needs no toolkit.

And two more ways a report shows it: the toolkit's installation told as the fix ("Installing the Nvidia
container toolkit fixed this issue": what was missing), and ``docker info`` listing the runtimes without
nvidia (" Runtimes: io.containerd.runc.v2 runc") where the text asks for that runtime (``--runtime=nvidia``,
compose's ``runtime: nvidia``, daemon.json's ``"default-runtime": "nvidia"``): the running daemon did not
load it (not configured, or not restarted since). And the engine's configuration for that runtime told as
the fix, over a few lines: "changing default_runtime_name = "runc" to default_runtime_name = "nvidia" fixed
the problem" (containerd), "`nvidia-ctk runtime configure --runtime=docker` … that solved it".

The claim: ``host.container_gpus = "--runtime=nvidia"`` (rank ``STATED``) with a detail of
``derived/runtime_claims``, which ``rules/hosting.py`` reads as
nvidia_container_toolkit_missing, likely. A run command in the text outranks it. A question, a
denial ("docker recognizes the nvidia runtime now"), a condition or advice ("if Docker does not
know the nvidia runtime, run …") and the engine said to work after it ("but after … restart docker it
does": ``sentences.working_after``, a working host aside) claim nothing.

And the opposite, as a note (``derived/docker_gpu_request.GPUS_WORKED``): ``--gpus`` said to work on
this host ("docker run --gpus all … works fine", "All of these worked:" over ``--gpus`` command lines),
not before an upgrade, not on another machine, not after a fix: dockerd has the NVIDIA device driver, so
its "could not select device driver" for another request is no missing toolkit (rules/upstream.py).
"""

from __future__ import annotations

import re
from typing import Optional, Sequence, Tuple

from envcheck.derived.container_claims import RUNTIME_CONFIGURED_DETAIL
from envcheck.derived.docker_gpu_request import GPUS_WORKED
from envcheck.derived.runtime_claims import (
    RUNTIME_LISTED_DETAIL,
    RUNTIME_UNKNOWN_DETAIL,
    TOOLKIT_ABSENT_DETAIL,
    TOOLKIT_FIXED_DETAIL,
)
from envcheck.derived.runtime_said import RUNTIME_SAID
from envcheck.explain.parsers import container_node_gpus
from envcheck.explain.partial import STATED, TOOL, Found
from envcheck.explain.sentences import asked, clause_start, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about the container runtime"
_I = re.IGNORECASE

_ENGINE = r"(?:docker(?:d|-compose)?|containerd|podman|compose|the\s+(?:docker\s+)?daemon|k3s|moby)"
_RT = (r"(?:(?:the\s+|an?\s+)?[`'\"]?nvidia[`'\"]?(?:-container)?\s+runtime\b"
       # the name after the word: "it did not "know" of the runtime Nvidia"
       r"|(?:the\s+)?runtime\s+[`'\"]?nvidia\b(?![-\w]))")
_QV = "[`'\"\u201c\u201d\u2018\u2019]?"  # a word set in quotes: 'did not "know" of the runtime'
_NOT = (r"(?:does\s*n[o']t|did\s*n[o']t|do\s*n[o']t|no\s+longer|can\s*n[o']t|could\s*n[o']t|cannot|"
        r"(?:fails?|failed)\s+to|won'?t|will\s+not)")
_UNKNOWN = lazy(
    rf"\b{_ENGINE}\b[^.;!?\n]{{0,40}}?\b{_NOT}\s+(?:\w+\s+)?{_QV}(?:recogni[sz]e|know|find|see|list|detect)s?{_QV}\s+(?:(?:of|about)\s+)?{_RT}"
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
    # the person's own host lacked it: "I checked and I was missing the nvidia-container-toolkit" (not "the
    # README is missing nvidia-container-toolkit", a document's gap)
    rf"|\b(?:I|we)\s*(?:was|were|am|are|'m|'re)\s+(?:still\s+)?missing\s+{_TOOLKIT}"
    r"|(?:没有|没|未)(?:安装|装)\s*(?:nvidia-container-toolkit|nvidia-docker2?|nvidia\s*container\s*toolkit)"
    # ja / ko / es / de
    rf"|{_TOOLKIT}\s*(?:を|が)?\s*(?:インストールしていません|インストールしていなかった|入れていません|入れていなかった"
    r"|インストールされていません)"
    rf"|{_TOOLKIT}\s*(?:을|를|이|가)?\s*(?:설치하지\s*않|설치\s*안\s*(?:했|됐|되어)|설치되어\s*있지\s*않)"
    rf"|\bno\s+(?:tengo|he|hab[ií]a)\s+instalado\s+(?:el\s+)?{_TOOLKIT}|{_TOOLKIT}\s+no\s+(?:est[aá]|estaba)\s+instalado"
    rf"|{_TOOLKIT}\s+(?:ist|war)\s+nicht\s+installiert|\b(?:habe|hatte)\s+(?:das\s+|den\s+)?{_TOOLKIT}\s+nicht\s+installiert", _I)
_IN_IMAGE = lazy(r"\s*(?:in|inside|within|into)\s+(?:the\s+|my\s+|this\s+)?(?:container|image|dockerfile)\b", _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|when(?:ever)?|in\s+case|make\s+sure|otherwise|so\s+that)\b|如果|是否", _I)
_NOT_FIXED = lazy(r"\b(?:not|never|neither|nor)\b|n't\b|没有|没", _I)
# A GPU container started or asked for: "docker run --gpus all", compose's "runtime: nvidia", podman/ctr
# with a device. Without one, "I haven't installed the nvidia container toolkit" is a host that needs
# none ("because I don't use docker at all"), not a missing toolkit.
_GPU_CONTAINER = lazy(r"\bdocker(?:-compose)?\s+(?:container\s+)?run\b|--gpus\b|\bcompose\b|^\s*runtime:|--runtime[= ]"
                      r"|\bdefault-runtime\b|\b(?:podman|ctr|nerdctl)\b[^\n]{0,80}?--(?:device|gpus)\b|nvidia\.com/gpu"
                      # the GPU (CUDA) wanted in a container: "CUDA is not available in the container", "docker 里用不了 GPU"
                      # the container started: "When trying to run the container, it says …"
                      r"|\brun(?:ning)?\s+(?:the|a|my|this|your|our)\s+(?:docker\s+)?container\b"
                      r"|\b(?:gpus?|cuda|nvidia-smi)\b[^.;!?\n]{0,50}?\b(?:in|inside|within|from)\s+(?:the\s+|my\s+|a\s+)?"
                      r"(?:docker\s+)?containers?\b|(?:docker|容器)\s*(?:里|中|内)[^。！？\n]{0,12}?(?:gpu|GPU|cuda|CUDA)"
                      # the container said not to get the GPU: "The container doesn't see the GPU"
                      r"|\bcontainers?\b[^.;!?\n]{0,30}?(?:\b(?:does\s+not|do\s+not|cannot|can\s+not|could\s+not|fails?\s+to|is\s+unable\s+to)"
                      r"|n't)\s+(?:see|detect|find|use|access|recogni[sz]e)\s+(?:the\s+|my\s+|any\s+)?"
                      r"(?:nvidia\s+)?gpus?\b"
                      r"|(?:docker|コンテナ|컨테이너|도커)[^。.\n]{0,20}GPU|\bcontenedor\b[^.\n]{0,30}\bgpu\b"
                      r"|\b(?:im|in\s+(?:dem|einem))\s+Container\b[^.\n]{0,30}\b(?:GPU|Grafikkarte)\b", _I)
_CONTAINER_NEEDLES = ("run", "gpus", "compose", "runtime", "--device", "nvidia.com/gpu", "container", "容器", "docker",
                      "コンテナ", "컨테이너", "도커", "contenedor")
_NEEDLES = ("runtime", "运行时")
_DENIAL_WORDS = ("n't", "not", "no longer", "cannot", "fail", "won't", "never", "forgot", "无法", "不能", "不识别", "找不到",
                 "没")
_TOOLKIT_NEEDLES = ("container toolkit", "container-toolkit", "nvidia-docker", "nvidia docker", "container runtime",
                    "container-runtime")


# The toolkit's installation told as what fixed the run: "Installing the Nvidia container toolkit fixed
# this issue", "solved it by installing nvidia-docker2", "装了 nvidia-container-toolkit 就好了".
_FIXED_BY_INSTALL = lazy(
    rf"\binstall(?:ing|ed)?\s+{_TOOLKIT}[^.;!?\n]{{0,30}}?\b(?:fixed|solved|resolved)\b(?!\s+(?:nothing|none))"
    rf"|\b(?:fixed|solved|resolved)\s+(?:it|this|the\s+(?:issue|problem|error))\s+by\s+install(?:ing)?\s+{_TOOLKIT}"
    r"|(?:安装|装)(?:了|上)?\s*(?:nvidia-container-toolkit|nvidia-docker2?|nvidia\s*container\s*toolkit)\s*(?:之后|以后|后)?"
    r"[^。！？\n]{0,6}(?:就好了|解决了|就可以了)", _I)

# `docker info` listing the engine's runtimes without nvidia (" Runtimes: io.containerd.runc.v2 runc")
# where the text asks for it (--runtime=nvidia, compose's runtime: nvidia, daemon.json's default-runtime):
# the daemon that runs did not load the nvidia runtime (not configured, or not restarted since).
_RUNTIMES = lazy(r"^\s*Runtimes:\s+(?P<names>[\w.\- ]+?)\s*$")
_ASKED = lazy(r"--runtime[= ]+[\"']?nvidia\b|^\s*runtime:\s*[\"']?nvidia\b|\"default-runtime\"\s*:\s*\"nvidia\"")


# The engine's configuration for the NVIDIA runtime told as the fix: the toolkit's own configure command
# (`nvidia-ctk runtime configure --runtime=docker|containerd|crio`, https://docs.nvidia.com/datacenter/cloud-native/
# container-toolkit/latest/install-guide.html#configuration) "… that solved it", or the nvidia runtime made the
# default (containerd's `default_runtime_name = "nvidia"`, daemon.json's "default-runtime") "fixed the problem".
# Told over a few lines (the command or the config line in a block of its own), so read on a window of lines
# joined; a sentence ends at a stop followed by a space (not inside "config.toml").
_SPAN = r"(?:(?![.!?;](?:\s|$)).)"
_CONFIGURED = lazy(
    rf"\bnvidia-ctk\s+runtime\s+configure\b{_SPAN}{{0,160}}?\b(?P<fix>fixed|solved|resolved)\b(?!\s+(?:nothing|none))"
    r"|\b(?P<fix2>fixed|solved|resolved)\s+(?:it|this|the\s+(?:issue|problem|error))\s+by\s+(?:running\s+)?[`'\"]?"
    r"nvidia-ctk\s+runtime\s+configure\b"
    rf"|\b(?:set(?:ting)?|chang(?:e|ed|ing)|switch(?:ed|ing)?)\b{_SPAN}{{0,200}}?\bdefault[-_ ]runtime(?:_name)?\b"
    rf"{_SPAN}{{0,80}}?\bnvidia\b{_SPAN}{{0,60}}?\b(?P<fix3>fixed|solved|resolved)\b(?!\s+(?:nothing|none))"
    # the fix told before the command: "So to fix it I had to run `sudo nvidia-ctk runtime configure --runtime=docker`"
    r"|\bto\s+(?P<fix4>fix)\s+(?:it|this|that|the\s+(?:issue|problem|error))\s*,?\s+(?:I|we)\s+(?:had|needed)\s+to\s+"
    r"(?:run\s+)?[`'\"]?(?:sudo\s+)?nvidia-ctk\s+runtime\s+configure\b", _I)
# The fix told of another machine ("on the other node, which fixed it there"): not this engine's.
_ELSEWHERE = lazy(r"\b(?:(?:the\s+)?other|another|second|previous|old)\s+(?:node|machine|server|host|box|computer|cluster)\b"
                  r"|\bfixed\s+it\s+there\b", _I)
_FIX_DENIED = lazy(r"(?:\bnot|n't|\bnever|\bhasn't|\bnothing)\s+(?:\w+\s+)?$", _I)


def _configured(doc: Pasted) -> Optional[Tuple[int, "re.Match[str]"]]:
    lines = doc.lines
    for i in doc.lines_containing("fix", "solved", "resolved"):
        if len(lines[i]) > 2000 or i in doc.enclosed:
            continue
        window = [j for j in range(max(0, i - 8), i + 1) if lines[j].strip() and len(lines[j]) <= 2000]
        text = " ".join(lines[j].strip() for j in window)
        if "nvidia" not in text.lower():
            continue
        for m in _CONFIGURED.finditer(text):
            fix = next(k for k in ("fix", "fix2", "fix3", "fix4") if m.group(k))
            last = len(text) - len(lines[i].strip())
            if m.end() <= last or _FIX_DENIED.search(text[:m.start(fix)]) or asked(text, m.end(), clause=False):
                continue
            start = max(text.rfind(c + " ", 0, m.start()) for c in ".!?;") + 1
            if _CONDITION.search(text[start:m.start()]) or _ELSEWHERE.search(text, start, m.end() + 20):
                continue
            return i, m
    return None


def _said(doc: Pasted, pattern: "re.Pattern[str]", needles: Sequence[str], words: Sequence[str],
          fix_ends: bool) -> Optional[Tuple[int, "re.Match[str]"]]:
    named = set(doc.lines_containing("nvidia"))  # every form names NVIDIA's runtime or toolkit
    for i in doc.lines_containing(*needles):
        line = doc.lines[i]
        if len(line) > 2000 or i not in named:
            continue
        lo = line.lower()
        if not any(w in lo for w in words) or i in doc.enclosed:  # the pattern's own words, as substrings first
            continue
        m = pattern.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        if (asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.start()])
                or (not fix_ends and _NOT_FIXED.search(m.group(0))) or _IN_IMAGE.match(line, m.end())
                # another host: "we were missing the toolkit on the old node"
                or (fix_ends and _ELSEWHERE.search(line, start, m.end() + 30))
                # what follows the claim says the engine works since ("but after … restart docker it does")
                or (fix_ends and working_after(doc.lines, i, m.end(), sentence=False))):
            continue
        return i, m
    return None


def _runtimes_listed_without_nvidia(doc: Pasted) -> Optional[Tuple[int, "re.Match[str]"]]:
    listed = [(i, m) for i in doc.lines_containing("runtimes:") for m in [_RUNTIMES.match(doc.lines[i])] if m]
    if not listed or any("nvidia" in m.group("names") for _, m in listed):
        return None
    if not any(_ASKED.search(doc.lines[i]) for i in doc.lines_containing("runtime")):
        return None
    return listed[0]


# docker's --gpus said to work on this host: "docker run --gpus all … works", "it runs fine with
# --gpus all,capabilities=compute", or a header ("All of these worked:", "The following commands
# work:") over command lines with --gpus. Read as a note (derived/docker_gpu_request.GPUS_WORKED):
# the NVIDIA device driver is registered with dockerd, so its "could not select device driver"
# for another request is no missing toolkit.
_WORKS = r"(?:works?|worked|working|runs?\s+fine|ran\s+fine|succeed(?:s|ed)?|is\s+fine|without\s+(?:any\s+)?(?:problems?|issues?|errors?))\b"
_IN_SENTENCE = r"(?:(?![.;!?](?:\s|$))[^\n])"  # "nvidia/cuda:11.0-base" does not end it
_GPUS_WORKS = lazy(rf"--gpus\b{_IN_SENTENCE}{{0,160}}?\b{_WORKS}"
                   rf"|\b{_WORKS}{_IN_SENTENCE}{{0,30}}?\bwith\s+[`'\"]?(?:docker\s+run\s+)?--gpus\b", _I)
_WORKED_HEADER = lazy(rf"^\W*(?:(?:all|both)\s+(?:of\s+)?)?(?:these|those|the\s+following|this|the\s+rest)(?:\s+\w+){{0,2}}?"
                      rf"\s+(?:all\s+)?{_WORKS}\s*[:.]?\W*$", _I)
# Not this host, not now, or not working: "on my laptop", "before the upgrade", "works again after
# installing the toolkit" (the fix: the toolkit was missing), "doesn't work", "fails".
_WORKS_UNSAID = lazy(r"\b(?:not|never|no\s+longer|fail\w*|error|unable|before|previously|used\s+to|until|earlier|yesterday"
                     r"|after|since|once|now|again|fix\w*|solv\w*|resolv\w*|if|when|whether|should|laptop"
                     r"|(?:other|another|old|previous|second|different)\s+(?:\w+\s+)?(?:machine|host|server|node|box|computer|pc))\b"
                     r"|n't\b|\?", _I)

_STOP = lazy(r"[.;!?](?=\s|$)")


def _gpus_worked(doc: Pasted) -> Optional[Tuple[int, str]]:
    lines = doc.lines
    for i in doc.lines_containing("--gpus"):
        line = lines[i]
        if len(line) > 600:
            continue
        m = _GPUS_WORKS.search(line)
        if m:
            # the sentence: it ends at a stop before a space ("nvidia/cuda:11.0-base" goes on)
            start = max((e.end() for e in _STOP.finditer(line, 0, m.start())), default=0)
            stop = _STOP.search(line, m.end())
            if not _WORKS_UNSAID.search(line[start:stop.start() if stop else len(line)]):
                return i, line.strip()
        # a header line above, over command lines only: "All of these worked:" then `docker run --gpus …`
        for j in range(i - 1, max(-1, i - 6), -1):
            if _WORKED_HEADER.match(lines[j]) and not _WORKS_UNSAID.search(lines[j]):
                if all("docker" in lines[k] or "--gpus" in lines[k] or not lines[k].strip() or lines[k].strip().startswith("`")
                       for k in range(j + 1, i + 1)):
                    return j, f"{lines[j].strip()} {line.strip()}"
                break
            if lines[j].strip() and not ("docker" in lines[j] or lines[j].strip().startswith("`")):
                break
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("nvidia"):
        return f
    container_node_gpus.read(f, doc)
    worked = _gpus_worked(doc)
    if worked:
        f.note(f"{GPUS_WORKED}“{worked[1][:160]}” (line {worked[0] + 1})")
    for pattern, needles, words, fix_ends, detail in (
            (_UNKNOWN, _NEEDLES, _DENIAL_WORDS, True, RUNTIME_UNKNOWN_DETAIL),
            (_ABSENT, _TOOLKIT_NEEDLES, _DENIAL_WORDS + ("missing", "ません", "なかった", "않", "안 ", "no ", "nicht"), True,
             TOOLKIT_ABSENT_DETAIL),
            (_FIXED_BY_INSTALL, _TOOLKIT_NEEDLES, ("fixed", "solved", "resolved", "好了", "解决", "可以了"), False,
             TOOLKIT_FIXED_DETAIL)):
        if pattern is _ABSENT and not any(_GPU_CONTAINER.search(doc.lines[j]) for j in doc.lines_containing(*_CONTAINER_NEEDLES)):
            continue
        # --gpus shown working here: the toolkit's hook is installed, so its absence is over or another
        # host's ("I was missing the toolkit at first"; review of round 23). The runtime's name can still be
        # unknown to the engine (--gpus needs no daemon.json entry), so _UNKNOWN stays.
        if pattern is _ABSENT and worked:
            continue
        said = _said(doc, pattern, needles, words, fix_ends)
        if said:
            i, m = said
            told = f"{detail} ({m.group(0).strip()[:70]}, line {i + 1})"
            f.set("host.container_gpus", "--runtime=nvidia", i, rank=STATED, detail=told)
            f.note(RUNTIME_SAID + told)  # kept where a run command takes the fact (derived/runtime_said)
            return f
    configured = _configured(doc)
    if configured:
        i, m = configured
        told = f"{RUNTIME_CONFIGURED_DETAIL} ({m.group(0).strip()[:70]}, line {i + 1})"
        f.set("host.container_gpus", "--runtime=nvidia", i, rank=STATED, detail=told)
        f.note(RUNTIME_SAID + told)
        return f
    listed = _runtimes_listed_without_nvidia(doc)
    if listed:
        i, m = listed
        f.set("host.container_gpus", "--runtime=nvidia", i, rank=TOOL,
              detail=f"{RUNTIME_LISTED_DETAIL} (docker info: Runtimes: {m.group('names')[:60]}, line {i + 1})")
    return f
