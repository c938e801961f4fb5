"""GPU memory held by a run that should be gone, told across sentences or without the word "memory" (round 28).

``held_memory_prose`` reads one sentence that says both that memory is held and that its process
ended. Strangers split it, or never name memory:

* the crash told first, the memory after ("we have crashed during a 2D job, and the GPU believed it
  was still running a job. … This led to users starting new jobs, and the GPU memory already being in
  use, and out of memory errors", relion#54): a sentence saying memory is still / already in use,
  with a crash, kill or zombie in the one or two lines before it;
* a zombie or unkillable process on the GPU ("a zombie process maybe appear, result in the GPU can`t
  use … every time must be restart server, can`t kill process", pytorch#4293; "僵尸进程占着显卡"):
  a zombie or defunct process named with the GPU, and either the text saying it cannot be killed or
  only a reboot frees it, or a failure for memory in the text;
* the interrupted run's process living on, killed by hand, and the failure gone ("中断程序的时候，进程
  没有马上挂掉，直接把未杀掉的进程手动杀掉就好了", tf-tutorials#69; "the process didn't exit after
  Ctrl+C, I killed it and it works now");
* two jobs put on the same GPU, then a failure for memory ("Two jobs might have an overlap in using
  GPUs. Then it will report `CUDA error: out of memory`", pai#2910): the overlap told as the condition
  the failure follows, a hedge allowed only there.

Not a question, advice, a denial ("there is no zombie process"), a habit, another machine's. The
claims are those ``held_memory_prose`` makes (the same details), judged by ``rules/held_memory.py``.
"""

from __future__ import annotations

import re

from envcheck.derived.held_memory import HELD_DETAIL, ONE_NODE_DETAIL, SHARED_DETAIL
from envcheck.derived.held_memory_note import HELD_NOTE
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import not_here_now
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
_MEMORY = lazy(r"\b(?:gpu\d{0,2}|cuda|video|graphics|device)\s+memory\b|\bvram\b|\bmemory\s+(?:on|of)\s+(?:the\s+)?gpus?\b"
               r"|显存|GPU\s*메모리|GPU\s*メモリ|\bGPU-Speicher\b|\bmemoria\s+de\s+(?:la\s+)?gpu\b|\bm[ée]moire\s+(?:du\s+)?gpu\b", _I)
# Memory said still or already held (not "in use" alone: a run's own memory is in use while it runs).
_STILL_HELD = lazy(r"\b(?:already|still)\s+(?:being\s+)?(?:in\s+use|occupied|held|taken|allocated|full|used)\b"
                   r"|\bnot\s+(?:being\s+)?(?:released|freed)\b|\bwas\s*n'?t\s+(?:released|freed)\b"
                   r"|(?:仍然|依然|还|一直)(?:被)?占(?:用|着)|没有?(?:被)?释放|未(?:被)?释放", _I)
# A crash, kill or zombie told before it, in the past.
_ENDED_BEFORE = lazy(r"\b(?:crash(?:ed|es)?|killed|interrupted|aborted|terminated|zombies?|defunct|hung|froze)\b"
                     r"|\bctrl\s*\+\s*c\b|崩溃|中断|杀掉|杀死|僵尸|卡死", _I)
# A zombie or defunct process, in the same sentence as the GPU.
_ZOMBIE = lazy(r"\bzombie\b|\bdefunct\b|\bunkillable\b|僵尸进程|ゾンビ(?:プロセス)?|좀비\s*프로세스|\bzombi[es]?\b", _I)
_GPU = lazy(r"\bgpus?\b|\bcuda\b|\bnvidia-smi\b|\bvram\b|显卡|显存|グラフィック|그래픽", _I)
# The process cannot be killed, or only a restart frees the GPU: "can`t kill process", "kill -9 does not work",
# "every time must be restart server", "杀不掉", "只能重启".
_UNKILLABLE = lazy(r"\bcan(?:[`'’]?t|not|\s+not)\s+(?:be\s+)?kill\w*|\bcould\s*(?:n[`'’]?t|\s+not)\s+(?:be\s+)?kill\w*"
                   r"|\bunable\s+to\s+kill\b|\bkill\s+(?:-9\s+)?(?:does|did)\s*(?:n[`'’]?t|\s+not)\s+(?:work|help)"
                   r"|\b(?:must|have\s+to|had\s+to|need\s+to)\s+(?:be\s+)?(?:restart|reboot)\w*\s+(?:the\s+)?(?:server|machine|computer|"
                   r"node|system|host|pc)\b|杀不(?:掉|死)|无法杀(?:掉|死)|只能重启|必须重启", _I)
_MEMORY_FAILED = lazy(r"out\s+of\s+(?:gpu\s+|cuda\s+|device\s+)?memory|\boom\b|cudaMalloc\s+failed|failed\s+to\s+allocate"
                      r"|显存(?:不足|不够|溢出)|(?:CUDA|GPU)\s*内存(?:不足|不够|溢出)", _I)
# The interrupted run's process living on: "进程没有马上挂掉", "未杀掉的进程", "the process didn't exit after Ctrl+C",
# "the old process was still running".
_LINGERED = lazy(r"进程(?:并)?(?:没有|没|未)(?:马上|立即|立刻|及时|完全|真正)?(?:挂掉|退出|结束|关闭|被杀掉?|死)"
                 r"|未(?:被)?杀(?:掉|死)的进程|残留(?:的)?进程"
                 r"|\bprocess(?:es)?\s+(?:did\s*n[o']?t|didn'?t|never|was\s*n'?t|were\s*n'?t)\s+(?:really\s+|actually\s+|immediately\s+)?"
                 r"(?:exit|die|terminate|end|stop|killed)\w*"
                 r"|\b(?:old|previous|earlier|interrupted|stale|leftover|hung)\s+(?:\w+\s+)?process(?:es)?\s+(?:was|were)\s+still\s+"
                 r"(?:running|alive|there)\b", _I)
_INTERRUPTED = lazy(r"中断|ctrl\s*\+\s*c|\binterrupt\w*|\bstopp?(?:ed|ing)\b|\bcancel\w*|\bkill\w*|\bold\b|\bprevious\b|\bearlier\b", _I)
_KILLED = lazy(r"\bkill(?:ed|ing)?\b|杀掉|杀死|kill掉|\bterminated\b|\bended\s+it\b", _I)
_FIXED = lazy(r"就好了|就可以了|解决了?|正常了|\b(?:works?|worked|runs?|ran)\s+(?:fine|now|again|ok(?:ay)?|normally)\b"
              r"|\b(?:fixed|solved|resolved)\b(?!\s+nothing)|\bproblem\s+(?:was\s+)?gone\b", _I)
# Two jobs or processes put on the same GPUs (pai#2910's "Two jobs might have an overlap in using GPUs").
_OVERLAP = lazy(r"\b(?:two|2|multiple|several|different)\s+(?:\w+\s+)?(?:jobs|processes|tasks|trainings|runs|containers|pods)\b"
                r"[^.;!?]{0,30}?\b(?:overlap\w*|shar(?:e|ed|ing)\s+(?:the\s+)?(?:same\s+)?gpus?|(?:on|using|use|used)\s+the\s+same\s+gpus?)\b",
                _I)
# ... a failure after it told as what follows ("Then it will report …").
# The same job said to run on another node or GPU (trixie#92's "The same job on a different node works fine"),
# not one with more memory ("on another node with a bigger GPU", "on the 80GB card").
_ELSEWHERE_FINE = lazy(r"\b(?:the\s+)?same\s+(?:job|code|script|command|model|run|training|program)\b[^.;!?]{0,40}?\b(?:on|in)\s+"
                       r"(?:a\s+|an\s+|the\s+)?(?:different|another|other|any\s+other|all\s+(?:the\s+)?other)\s+(?:nodes?|gpus?|"
                       r"machines?|servers?|hosts?|cards?)\b[^.;!?]{0,30}?\b(?:works?|worked|runs?|ran|succeed\w*|is\s+fine)\b"
                       r"|\b(?:works?|worked|runs?|ran)\s+(?:fine\s+|well\s+|ok(?:ay)?\s+)?on\s+(?:all\s+)?(?:the\s+)?(?:other|"
                       r"different)\s+(?:nodes|gpus|machines|servers)\b"
                       # the others numbered: "the same job runs fine on nodes 1 and 2", "the same script runs on GPU 0 and 1"
                       # (review of round 28, ra)
                       r"|\b(?:the\s+)?same\s+(?:job|code|script|command|model|run|training|program)\b[^.;!?]{0,40}?\b(?:works?|worked|"
                       r"runs?|ran|succeed\w*|is\s+fine)\b[^.;!?]{0,15}?\bon\s+(?:nodes?|gpus?|cards?|servers?|machines?|hosts?)\s*"
                       r"#?\d+(?:\s*(?:,|and|&)\s*#?\d+)+\b", _I)
# What follows the same job's success, told in its sentence as the contrast: "…, but on GPU 2 it runs out of memory".
# The others said fine after a failure on a numbered one: "It only OOMs on GPU 3, the others are fine" (review of
# round 28, ra); the failure's text must name the GPU or node by its number (not "model A OOMs, the others are fine").
_OTHERS_FINE = lazy(r"\bthe\s+other(?:s|\s+(?:gpus|nodes|cards|ranks|ones))\s+(?:are|were|run|ran|work|worked)\s+(?:all\s+)?"
                    r"(?:fine|ok(?:ay)?|normal(?:ly)?|well)\b", _I)
_NUMBERED = lazy(r"\b(?:gpu|node|rank|card|device|cuda)\s*[#:]?\s*\d+\b", _I)
_ALSO_HERE = lazy(r"\b(?:too|as\s+well|also|everywhere)\b", _I)
_CONTRAST = lazy(r"\W{0,3}\s*(?:but|while|whereas|yet|however)\b", _I)
_BIGGER = lazy(r"\b(?:bigger|larger|more\s+(?:memory|vram)|\d+\s*gb|a100|h100|h200)\b", _I)
# The failure for memory told in the person's words ("a CUDA error about failing to allocate memory").
_MEMORY_FAILED_SAID = lazy(r"out\s+of\s+(?:gpu\s+|cuda\s+|device\s+)?memory|\boom(?:s|ed|ing)?\b|fail(?:s|ed|ing)?\s+to\s+allocate"
                           r"|(?:could\s*n[o']?t|cannot|can'?t|unable\s+to)\s+allocate|allocation\s+fail", _I)
_THEN = lazy(r"^\s*(?:then|and\s+then|so|and)\b", _I)
# A question, advice, a condition, a denial.
_NOT = lazy(r"[?？]|\b(?:if|whether|should|could|would|how\s+(?:to|do|can)|you\s+(?:can|need|must|should|have\s+to)|try|please|"
            r"make\s+sure|check)\b|如果|是否|吗|怎么|如何|请|应该", _I)
_HEDGED = lazy(r"\b(?:might|may|maybe|perhaps|possibly)\b|可能", _I)
_DENIED = lazy(r"\b(?:no|not|never|without|none)\b|n't|没有|并没|不是", _I)


def _said(f: Found, i: int, detail: str, s: str, note: bool = True) -> Found:
    said = " ".join(s.split())[:160]
    f.gpu(None, i, memory_used_bytes=Reading.fail(Status.ERROR, f"{detail} ({said})"))
    if note:
        f.note(f"{HELD_NOTE}“{said}” (line {i + 1})")
    return f


def _sentences(line: str):
    return [s for s in _SENTENCE.findall(line) if s.strip()]


def _plain(s: str) -> bool:
    return not _NOT.search(s) and not not_here_now(s, 0, len(s))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("already", "still", "not released", "not freed", "n't released", "n't freed", "占", "释放"):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue
        sents = _sentences(lines[i])
        for k, s in enumerate(sents):
            if not (_MEMORY.search(s) and _STILL_HELD.search(s) and _plain(s)):
                continue
            # the sentences before it: on its line, then the one or two non-blank lines above
            before = sents[:k] + [t for j in range(max(0, i - 3), i) for t in _sentences(lines[j])][-2:]
            if any(_ended(t) for t in before[-2:]):
                return _said(f, i, HELD_DETAIL, s)
    if not _zombie(doc, f) and not _lingered(doc, f) and not _overlap(doc, f):
        _one_node(doc, f)
    return f


def _one_node(doc: Pasted, f: Found) -> bool:
    """A failure for memory on this node or GPU (its sentence, or the one before) while the same job is said
    to run on another (_ELSEWHERE_FINE), with no question, advice, denial or bigger GPU there."""
    lines = doc.lines
    for i in doc.lines_containing("same job", "same code", "same script", "same command", "same model", "same run",
                                  "same training", "same program", "other node", "other gpu", "other machine",
                                  "other server", "different node", "different gpu", "different machine", "different server",
                                  "the others"):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue
        sents = _sentences(lines[i])
        above = [t for j in range(max(0, i - 2), i) for t in _sentences(lines[j])]
        for k, s in enumerate(sents):
            m = _ELSEWHERE_FINE.search(s)
            numbered = m is None
            m = m or _OTHERS_FINE.search(s)
            if not m or _NOT.search(s) or _DENIED.search(s) or _BIGGER.search(s):
                continue
            if _ALSO_HERE.search(s, m.end()):
                continue  # "…, and on node 3 too": this one runs it as well
            after = [s[m.end():]] if _CONTRAST.match(s, m.end()) else []
            failed = [t for t in (above + sents[:k])[-2:] + [s[:m.start()]] + after
                      if _MEMORY_FAILED_SAID.search(t) and not _NOT.search(t) and not _DENIED.search(t)
                      and (not numbered or _NUMBERED.search(t))]
            if failed:
                _said(f, i, ONE_NODE_DETAIL, f"{failed[-1].strip()} {s.strip()}", note=False)
                return True
    return False


def _ended(s: str) -> bool:
    """A crash, kill or zombie told in ``s``, not asked, advised or denied just before it ("never crashed")."""
    m = _ENDED_BEFORE.search(s)
    return bool(m) and _plain(s) and not _DENIED.search(s[max(0, m.start() - 15):m.start()])


def _zombie(doc: Pasted, f: Found) -> bool:
    lines = doc.lines
    for i in doc.lines_containing("zombie", "defunct", "unkillable", "僵尸", "ゾンビ", "좀비", "zombi"):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue  # nvidia-smi's table, a log line
        for s in _sentences(lines[i]):
            m = _ZOMBIE.search(s)
            if not m or not _GPU.search(s) or _NOT.search(s) or _DENIED.search(s[:m.start()]) \
                    or not_here_now(s, 0, len(s), people=False):
                continue
            confirmed = any(_UNKILLABLE.search(lines[j]) and not _NOT.search(lines[j])
                            for j in doc.lines_containing("kill", "restart", "reboot", "杀", "重启")) \
                or any(_MEMORY_FAILED.search(lines[j]) for j in doc.lines_containing("memory", "oom", "alloc", "显存", "内存"))
            if confirmed:
                _said(f, i, HELD_DETAIL, s)
                return True
    return False


def _lingered(doc: Pasted, f: Found) -> bool:
    lines = doc.lines
    for i in doc.lines_containing("进程", "process"):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue
        line = lines[i]
        m = _LINGERED.search(line)
        if not m or not _KILLED.search(line, m.end()) or not _FIXED.search(line, m.end()) \
                or not _INTERRUPTED.search(line) or _NOT.search(line) or _HEDGED.search(line) \
                or not_here_now(line, 0, len(line), people=False):
            continue
        _said(f, i, HELD_DETAIL, line)
        return True
    return False


def _overlap(doc: Pasted, f: Found) -> bool:
    lines = doc.lines
    for i in doc.lines_containing("overlap", "same gpu", "share", "sharing"):
        if lines[i].lstrip().startswith("|") or len(lines[i]) > 600:
            continue
        sents = _sentences(lines[i])
        nxt = [t for j in range(i + 1, min(len(lines), i + 3)) for t in _sentences(lines[j])][:1]
        for k, s in enumerate(sents):
            m = _OVERLAP.search(s)
            if not m or _NOT.search(s) or _DENIED.search(s) or not_here_now(s, 0, len(s), people=False):
                continue
            after = (sents[k + 1:] + nxt)[:1]
            # the failure in the same sentence, or told next as what follows
            if _MEMORY_FAILED.search(s, m.end()) or (after and _THEN.search(after[0]) and _MEMORY_FAILED.search(after[0])):
                _said(f, i, SHARED_DETAIL, s, note=False)
                return True
    return False
