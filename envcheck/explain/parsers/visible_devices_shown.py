"""CUDA_VISIBLE_DEVICES shown empty in the failing run, and Ray tasks declared without GPUs.

CUDA shows no device when CUDA_VISIBLE_DEVICES is set to an empty string (CUDA C++ Programming
Guide, "CUDA Environment Variables": "If the variable is set to an empty string, no GPU devices are
visible"). A report shows the run's value empty in three forms:

* a person's sentence: "it turned out CUDA_VISIBLE_DEVICES was set to an empty string",
  "CUDA_VISIBLE_DEVICES is empty in the job", "CUDA_VISIBLE_DEVICES inside the container is blank",
  "容器里 CUDA_VISIBLE_DEVICES 为空", "CUDA_VISIBLE_DEVICES が空でした", "CUDA_VISIBLE_DEVICES está vacía";
* a program's print of it: "CUDA_VISIBLE_DEVICES is empty: True" (``print(f"… is empty:
  {os.environ.get('CUDA_VISIBLE_DEVICES') == ''}")``), "CUDA_VISIBLE_DEVICES in the actor: " (a
  ``print(f"CUDA_VISIBLE_DEVICES in the actor: {os.environ.get(…)}")`` with nothing after the colon);
* a snippet's result: a function returning or printing ``os.environ["CUDA_VISIBLE_DEVICES"]`` and a
  call of it commented ``# returns ''``; a REPL's ``>>> os.environ.get("CUDA_VISIBLE_DEVICES")``
  answered ``''``.

A denial ("is not empty"), a question, a condition or advice ("if CUDA_VISIBLE_DEVICES is empty …"),
another machine, and a value kept empty on purpose ("… to run on the CPU", "as expected") say
nothing. The rule also wants a failure in the text: an empty value in a working CPU job is no fault.

A Ray task or actor declared without GPUs (``@ray.remote``, ``@ray.remote(num_cpus=1)``,
``ray.remote(ClientClass)``) in a text where CUDA finds no device ("No CUDA GPUs are available",
"torch.cuda.is_available() is False", Ray's "Attempting to deserialize object on a CUDA device but
torch.cuda.is_available() is False"): Ray sets each worker's CUDA_VISIBLE_DEVICES to the GPU ids it
assigned it, joined with commas, so "" for a task given none (ray/_private/accelerators/nvidia_gpu.py,
``set_current_process_visible_accelerator_ids``; ray-project/ray#1044: GPU use is prohibited "for tasks
that don't specify num_gpus"). Not where the text gives any task GPUs (``num_gpus=1``, ``"GPU": 1``,
``use_gpu=True``; ``ray.init(num_gpus=…)`` only tells Ray what the node has): which task failed is
then not told.

Both are notes (derived/visible_devices_shown.py) that rules/cuda_env.py reads: the value is the
person's or the snippet's word, not an environment dump.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.visible_devices_shown import RAY_WITHOUT_GPUS, SHOWN_EMPTY
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, clause_start, general_statement, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "CUDA_VISIBLE_DEVICES shown"
_I = re.IGNORECASE

# A person's sentence, or a program's print, saying the variable is empty (prose; the prints are the
# reporter's own print() calls, no upstream printer): "CUDA_VISIBLE_DEVICES was set to an empty
# string", "CUDA_VISIBLE_DEVICES in the actor is empty", "CUDA_VISIBLE_DEVICES is empty: True".
_SAID_EMPTY = lazy(
    r"CUDA_VISIBLE_DEVICES['\"`]?(?:\s+(?:env(?:ironment)?\s+)?var(?:iable)?)?"
    r"(?:\s+(?:in|inside|within|for|of|on)\s+(?:the\s+|my\s+|this\s+|each\s+|every\s+|that\s+)?[\w.-]+(?:\s+[\w.-]+)?)?"
    r"\s+(?:is|was|were|gets|got|becomes|became|ends\s+up|remains|remained|stays|stayed)"
    r"\s+(?:still\s+|always\s+|just\s+|now\s+)?(?:(?:being\s+)?set\s+(?:to|as)\s+)?"
    r"(?:(?:an?\s+)?(?:empty|blank)\b(?:\s+string)?|''|\"\")"
    # the same said in other languages: "CUDA_VISIBLE_DEVICES 为空 / 被设置为空", "が空", "가 비어 있", "está vacía",
    # "ist leer", "пустая"
    r"|CUDA_VISIBLE_DEVICES['\"`]?\s*(?:(?:被|是)?\s*(?:设置|设)?\s*(?:为|成)\s*空|是空的?|が空|は空|(?:이|가|는)\s*비어\s*있"
    r"|(?:está|esta|es)\s+vac[ií][oa]|(?:ist|war)\s+leer|(?:является\s+)?пуст\w*)"
    r"|\b(?:ist|war)\s+(?:\w+\s+){0,3}?CUDA_VISIBLE_DEVICES['\"`]?\s+leer\b", _I)
# A print labelled with where it ran, nothing after the colon: "CUDA_VISIBLE_DEVICES in the actor: ".
_LABEL_EMPTY = lazy(r"CUDA_VISIBLE_DEVICES\s+(?:in|inside|within|for|of|on|from)\s+(?:the\s+|this\s+|each\s+)?"
                    r"[\w.-]+(?:\s+[\w.-]+)?\s*:\s*$", _I)
# The value kept empty on purpose, or the empty value expected (environment.py's on-purpose words too).
_ON_PURPOSE = lazy(r"\b(?:disabl\w*|turn\w*\s+off)\s+(?:cuda|the\s+gpus?|gpus?)\b"
                   r"|\b(?:run|running|force|forcing|keep|keeping)\s+(?:\w+\s+){0,3}on\s+(?:the\s+)?cpus?\b"
                   r"|\bhid(?:e|ing)\s+(?:the\s+|all\s+)?gpus?\b|\bcpu[\s-]only\b|\bas\s+(?:expected|intended)\b"
                   r"|\b(?:only\s+)?(?:uses?|needs?)\s+(?:only\s+)?(?:the\s+)?cpus?\b"
                   # the same in Chinese, Japanese, Korean: "只用 CPU", "CPU で動かす", "CPU만", "故意", "わざと"
                   r"|(?:只|仅|僅)\s*(?:用|使用|跑)\s*cpu|cpu\s*(?:で|だけ)\s*(?:動か|実行|走ら)|cpu\s*만|故意|有意|わざと|意図的|일부러"
                   r"|\b(?:on\s+purpose|by\s+design|intentional\w*|deliberate\w*)\b"
                   # the empty value called normal there, or shown on a node that runs no GPU work (review
                   # of round 26: "empty on the login node, which is normal there")
                   r"|\bwhich\s+is\s+(?:normal|expected|fine|correct)\b|\bon\s+the\s+(?:login|head|submit)\s+node\b", _I)
# The variable said unset, not set to "": CUDA then shows every GPU ("is empty (not set at all)", "I
# never set it"); an unset variable echoes as an empty line too (review of round 26).
_UNSET = lazy(r"\b(?:not\s+(?:been\s+)?(?:set|defined|exported)|unset|never\s+(?:set|exported|defined)|undefined"
              r"|(?:isn't|wasn't|is\s+not|was\s+not)\s+(?:set|defined|exported)|not\s+present)\b|未设置|没有设置|未定義|未設定", _I)
# A program's source, not its output: a print, a logger's or a warning's call holding the words
# ("print('CUDA_VISIBLE_DEVICES is empty')", "logger.warning(\"CUDA_VISIBLE_DEVICES is empty, …\")").
_SOURCE_LINE = lazy(r"^\s*(?:[\w.\[\]]+\s*=\s*)?(?:print|[\w.]*log(?:ger|ging)?\.\w+|warnings\.warn|raise\s+\w+|sys\.\w+\.write"
                    r"|assert\b|if\b|elif\b)\s*\(?")
# Another machine or another person's run: "on his node", "my colleague said …".
_ELSEWHERE = lazy(r"\b(?:his|her|their|(?:a\s+|my\s+)?colleague's|another|(?:the\s+)?other)\s+(?:node|machine|server|computer|pc|box|cluster)s?\b"
                  r"|\b(?:colleague|coworker|co-worker|friend)s?\b", _I)
# A denial or a condition just before it: "I don't think CUDA_VISIBLE_DEVICES is empty", "unless …".
_DENIED_BEFORE = lazy(r"(?:\b(?:not|never|no|unless|once)\b|n't\b)[^,:;]{0,25}$", _I)

# A snippet reading the variable (Python: os.environ / os.getenv) in a function or print, and a call's
# result given in a comment after it: "ray.get(f.remote())  # returns ''".
_LOOKUP = lazy(r"\b(?:return|print|yield)\b[^\n#]*(?:os\.environ(?:\.get\s*\(|\s*\[)\s*['\"]CUDA_VISIBLE_DEVICES['\"]"
               r"|os\.getenv\s*\(\s*['\"]CUDA_VISIBLE_DEVICES['\"])")
_RESULT_EMPTY = lazy(r"\)\s*#\s*(?:returns?|returned|prints?|printed|gives|gave|outputs?|->|=>)?\s*:?\s*(?:''|\"\")\s*$")
_RESULT_WINDOW = 40  # lines after the lookup that a result comment may stand on
# Any call's result given in a comment: the first one after the lookup is its result, or none is.
_RESULT_ANY = lazy(r"\)\s*#\s*(?:returns?|returned|prints?|printed|gives|gave|outputs?|->|=>)?\s*:?\s*\S")
# The function the lookup stands in (Python's def), whose call the result comment must name.
_DEF = lazy(r"^\s*(?:async\s+)?def\s+(?P<name>\w+)\s*\(")
# A value on the line after a print's label ("CUDA_VISIBLE_DEVICES in the job script:" then "0,1"
# or "export CUDA_VISIBLE_DEVICES=0"): the label is a heading, not an empty print.
_VALUE_BELOW = lazy(r"^\s*(?:[\"']?[\w.-]+(?:\s*,\s*[\w.-]+)*[\"']?|.*CUDA_VISIBLE_DEVICES\s*=.*)\s*$")
# The Python REPL (">>> ", IPython "In [3]: ") asking for the variable, answered '' on the next line.
_REPL_LOOKUP = lazy(r"^\s*(?:>>>|In\s*\[\d+\]:)\s*(?:print\s*\(\s*)?(?:os\.environ(?:\.get\s*\(|\s*\[)\s*"
                    r"['\"]CUDA_VISIBLE_DEVICES['\"]\s*[\])]|os\.getenv\s*\(\s*['\"]CUDA_VISIBLE_DEVICES['\"]\s*\))\s*\)?\s*$")
_REPL_EMPTY = lazy(r"^\s*(?:Out\s*\[\d+\]:\s*)?(?:''|\"\")\s*$")

# Ray's task and actor declarations (the decorator, or ray.remote wrapping a class or function).
_RAY_DECL = lazy(r"(?:@|\b)ray\.remote\b(?:\s*\((?P<args>[^)\n]*))?")
# GPUs given to some task or actor: num_gpus above 0 or a variable, a "GPU" resource, Ray Train's use_gpu.
_GPU_ASKED = lazy(r"\bnum_gpus['\"]?\s*[=:]\s*(?:0*[1-9]|0*\.\d*[1-9]|[A-Za-z_])|['\"]GPU['\"]\s*:\s*(?:0*[1-9]|0*\.\d*[1-9])"
                  r"|\buse_gpu\s*=\s*True\b|\bresources_per_(?:trial|worker)\b[^\n]*gpu", _I)
# CUDA finding no device, as torch, the CUDA runtime and Ray's deserializer print it (catalogue:
# torch_no_cuda_gpus, cuda_no_device) or a person tells it; lower case for lines_containing.
_NO_DEVICE = ("no cuda gpus are available", "no cuda-capable device", "cuda_error_no_device", "cudaerrornodevice",
              "is_available() is false", "is_available() returns false", "is_available() returned false",
              "is_available() = false", "is_available()=false", "is_available() false", "device_count() is 0",
              "device_count() = 0", "device_count() returns 0", "device_count() returned 0")


def _below_value(lines, i: int) -> bool:
    """Does the first non-blank line after ``i`` give a value (the label was a heading)?"""
    nxt = next((lines[j] for j in range(i + 1, min(i + 3, len(lines))) if lines[j].strip()), None)
    return nxt is not None and bool(_VALUE_BELOW.match(nxt))


def _said(line: str) -> Optional[str]:
    """The words on ``line`` that show the variable empty in this run, or None (a line's test)."""
    if _SOURCE_LINE.match(line):
        return None  # the program's source: what it prints is told by its output
    m = _SAID_EMPTY.search(line)
    if m:
        rest = line[m.end():]
        if re.match(r"\s*[:=]\s*False\b", rest) or asked(line, m.end(), clause=False):
            return None
        before = line[clause_start(line, m.start()):m.start()]
        if (_DENIED_BEFORE.search(before) or general_statement(line, m.start(), m.end())
                or not_here_now(line, m.start(), m.end())
                or _ON_PURPOSE.search(sentence_around(line, m.start(), m.end()))
                or _ELSEWHERE.search(sentence_around(line, m.start(), m.end()))
                or _UNSET.search(line, m.end())):
            return None
        return line.strip()
    m = _LABEL_EMPTY.search(line)
    return line.strip() if m and "{" not in line else None


def _snippet_result(doc: Pasted) -> Optional[int]:
    """The line of a result comment giving '' for a lookup of the variable above it, or of a REPL's ''."""
    lines = doc.lines
    for i in doc.lines_containing("cuda_visible_devices"):
        line = lines[i]
        if _REPL_LOOKUP.match(line):
            nxt = next((j for j in range(i + 1, min(i + 3, len(lines))) if lines[j].strip()), None)
            if nxt is not None and _REPL_EMPTY.match(lines[nxt]):
                return nxt
        elif _LOOKUP.search(line):
            # the function it stands in, where there is one: the result must be of its call
            name = next((d.group("name") for d in (_DEF.match(lines[k]) for k in range(i - 1, max(-1, i - 20), -1))
                         if d), None)
            for j in range(i + 1, min(i + 1 + _RESULT_WINDOW, len(lines))):
                if not _RESULT_ANY.search(lines[j]) or (name and f"{name}(" not in lines[j] and f"{name}." not in lines[j]):
                    continue
                if _RESULT_EMPTY.search(lines[j]):
                    return j
                break  # the lookup's result is another value
    return None


def _ray_without_gpus(doc: Pasted) -> Optional[int]:
    """The line of a Ray task or actor declared without GPUs, where no task is given any and CUDA
    finds no device in the text; or None."""
    decls = doc.lines_containing("ray.remote")
    if not decls or not doc.lines_containing(*_NO_DEVICE):
        return None
    lines = doc.lines
    if any(_GPU_ASKED.search(lines[i]) for i in doc.lines_containing("gpu") if "ray.init(" not in lines[i]):
        return None
    for i in decls:
        for m in _RAY_DECL.finditer(lines[i]):
            # none asked, or num_gpus=0 (Ray gives that worker "" too)
            if m.group("args") is None or not _GPU_ASKED.search(m.group("args")):
                return i
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("cuda_visible_devices", "ray.remote"):
        return f
    said = next((i for i in doc.lines_containing("cuda_visible_devices")
                  if _said(doc.lines[i]) and not (_LABEL_EMPTY.search(doc.lines[i]) and _below_value(doc.lines, i))), None)
    i = said if said is not None else _snippet_result(doc)
    if i is not None:
        f.note(f"{SHOWN_EMPTY}“{doc.lines[i].strip()[:160]}” (line {i + 1})")
        return f
    i = _ray_without_gpus(doc)
    if i is not None:
        f.note(f"{RAY_WITHOUT_GPUS}“{doc.lines[i].strip()[:160]}” (line {i + 1})")
    return f
