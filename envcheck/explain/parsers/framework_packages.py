"""A person saying a framework's CPU and GPU packages are both installed: "installing both
`onnxruntime` and `onnxruntime-gpu`", "gliner[gpu] installs both onnxruntime and
onnxruntime-gpu", "onnxruntime installs in the same directory overwriting onnxruntime-gpu",
"installing onnxruntime on top of onnxruntime-gpu", "the installation of onnxruntime is unnecessary as
onnxruntime-gpu already contains the CPU provider", "同时安装了 paddlepaddle 和 paddlepaddle-gpu"
(both installed, Chinese).

A sentence must name both packages of one pair and say they are there together (both,
together, alongside, on top of, overwrite, co-exist, 同时, 両方 …); one that removes one
of them ("uninstall onnxruntime and install onnxruntime-gpu"), denies or advises ("do not
install both", "make sure you don't have both"), or asks is not the machine's state.
Each package becomes a ``python.packages`` item at rank ``STATED`` with an empty version
(a listing outranks it); rules/framework_packages.py makes a likely finding of it.
"""

from __future__ import annotations

import re
from typing import Tuple

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# (CPU package, GPU package) as pip names them; a sentence may write "_" for "-".
_PAIRS: Tuple[Tuple[str, str], ...] = (
    ("onnxruntime", "onnxruntime-gpu"),
    ("paddlepaddle", "paddlepaddle-gpu"),
    ("faiss-cpu", "faiss-gpu"),
    ("tensorflow", "tensorflow-gpu"),
    ("tensorflow-cpu", "tensorflow-gpu"),
)


def _name(pkg: str) -> "re.Pattern[str]":
    """The package named as a whole token: "onnxruntime" but not "onnxruntime-gpu",
    "onnxruntime_extensions" or "onnxruntime.InferenceSession"."""
    body = re.escape(pkg).replace(r"\-", "[-_]")
    return re.compile(rf"(?<![\w.-]){body}(?![\w-]|\.\w)", _I)


_NAMES = tuple((_name(c), _name(g), c, g) for c, g in _PAIRS)
# Together in one environment.
_TOGETHER = lazy(r"\bboth\b|\btogether\b|\balong\s*side\b|\bbeside\b|\bas\s+well\s+as\b|\bon\s+top\s+of\b"
                       r"|\boverwr\w*|\boverrid\w*|\bclobber\w*|\bshadow\w*|\bco-?exist\w*|\bco-?install\w*"
                       r"|\bside\s+by\s+side\b|\bat\s+the\s+same\s+time\b|\bbeides?\b|\bambos\b"
                       r"|\bin\s+addition\s+to\b|\balong\s+with\b|\bnext\s+to\b|\badem[aá]s\s+de\b|\bzus[aä]tzlich\b|\bneben\b"
                       r"|同时|同時|都装|都安装|一起|覆盖|両方|둘\s*다|동시에"
                       r"|\balready\b", _I)
# "onnxruntime-gpu already contains the CPU provider" beside "the installation of onnxruntime":
# the GPU package said to be there when the CPU one came in.
# Words that say only one of the two is there ("I skipped onnxruntime because onnxruntime-gpu already
# includes the CPU provider", "I only have onnxruntime-gpu"): on the "already" path they void the claim.
_ONE_OF_THEM = lazy(r"\b(?:skip\w*|only\s+(?:have|has|installed|use)|without|instead)\b", _I)
# Installed, or there.
_THERE = lazy(r"\binstal+\w*|\bpresent\b|\bhave\b|\bhas\b|\bhad\b|\bgot\b|\bpull\w*\s+in\b|\bbrings?\b"
                    r"|安装|装了|インストール|入って|설치", _I)
# Not the machine's state: advice, a condition, a denial, a removal.
_NOT_STATE = lazy(r"\b(?:if|whether|should|must|make\s+sure|ensure|avoid\w*|never|not|don't|do\s+not"
                        r"|doesn't|didn't|no\s+longer|instead\s+of|rather\s+than|only\s+one|un-?install\w*|remov\w*"
                        r"|delet\w*)\b|不要|别|卸载|아니|않|しない|ない", _I)
_SENTENCE = lazy(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
# A command line (a shell prompt "$"/"#", a REPL, pip/conda/uv typed out): its own readers read it.
# A Markdown heading ("## Update: … installed alongside regular onnxruntime", danielgatis/rembg#600,
# round 27) starts with two or more "#" and is the person's prose, as is "# " before a word that is
# no command ("# Update: …"); a root prompt is "# " and a command.
_COMMAND = lazy(r"\s*(?:\$|>>>|(?:pip|conda|uv)\s|#(?!#)\s*(?:pip3?|conda|uv|python3?|sudo|apt(?:-get)?|yum|dnf)\b)", _I)


def _sentences(line: str):
    at = 0
    for part in _SENTENCE.split(line):
        start = line.find(part, at)
        yield start, part
        at = start + len(part)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    # every GPU package of the pairs is named "<name>-gpu" (or with "_"): a long log's other
    # "GPU" lines are not looked at
    for i in doc.lines_containing("-gpu", "_gpu"):
        line = doc.lines[i]
        if len(line) > 600 or _COMMAND.match(line):
            continue  # a log, a command or a listing: their own readers read those
        if not _TOGETHER.search(line):
            continue
        for start, sentence in _sentences(line):
            for cpu_re, gpu_re, cpu, gpu in _NAMES:
                g = gpu_re.search(sentence)
                c = cpu_re.search(sentence) if g else None
                together = _TOGETHER.search(sentence) if c else None
                there = _THERE.search(sentence) if together else None
                if there is None:
                    continue
                # what the sentence says up to its last word of the claim: a denial or advice there
                # ("do not install both", "X and X-gpu must not be installed together") is not the
                # machine's state; one after it ("… so the CUDA provider is not available") is its effect
                claim = sentence[:max(c.end(), g.end(), together.end(), there.end())]
                if together.group(0).lower() == "already":
                    claim = sentence  # "already" says little alone: nothing in the sentence may deny or remove
                    if _ONE_OF_THEM.search(line):
                        continue
                if _NOT_STATE.search(claim) or asked(line, start + max(c.end(), g.end()), clause=False):
                    continue
                f.item("python.packages", cpu, PythonPackage(cpu, ""), i)
                f.item("python.packages", gpu, PythonPackage(gpu, ""), i)
                return f
    return f
