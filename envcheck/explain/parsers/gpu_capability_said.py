"""The person's own GPU with its compute capability, said in prose.

"with my old graphics card (GeForce GM630m => cuda capability 2.1)", "my GPU is a GTX 670M,
compute capability 2.1": a capability the person gives for their GPU, where the model name
may be a typo the model table does not know. Recorded as a GPU claimed by the text (STATED:
the person's word, not a tool's). Why: rules/gpu_before_wheels.py judges a GPU older than
every PyTorch wheel by its capability, and such reports often name a card nobody lists.

Not the person's GPU, so not read: a requirement or a policy ("requires compute capability
3.5 or higher", "the minimum cuda capability that we support is 3.5", "GPUs with compute
capability >= 8.0"), torch's own warning ("Found GPU0 … which is of cuda capability 3.0",
read from messages.toml), a question or a denial. Found by the literal "capability" first
(``doc.lines_containing``); the pattern runs on those lines only.
"""

from __future__ import annotations

import re

from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted

SOURCE = "GPU capability said"

# "cuda capability 2.1", "compute capability is 3.0", "=> cuda capability 2.1", "(compute capability: 3.0)"
_CC = re.compile(r"\b(?:cuda|compute)[ _-]capability\s*(?:is\s+|of\s+|=>?\s*|:\s*|-\s*)?(?:only\s+)?"
                 r"(?P<cc>[1-9]\d?\.\d)\b(?!\s*(?:\+|or (?:higher|above|newer|later)|and (?:up|above)))", re.I)
# whose GPU: the person's ("my", "our", "I have") or a named card on the line
_MINE = re.compile(r"\b(?:my|our|i have|i'm using|i am using|i use)\b", re.I)
_CARD = re.compile(r"\b(?:geforce|quadro|tesla|titan|gtx|gt|rtx|nvs|grid)\b", re.I)
# a requirement, a policy, torch's own warning, a question
_NOT_MINE = re.compile(r"\b(?:minimum|min\.|required?|requires|requirement|at least|support(?:s|ed)?|"
                       r"which is of|need(?:s|ed)?|must|greater|higher than|lower than|below|above|"
                       r"gpus with|cards with|devices with)\b|>=|<=|(?<![=-])[<>]\s*\d|\?", re.I)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing("capability"):
        line = doc.lines[i]
        m = _CC.search(line)
        if m is None or len(line) > 400 or _NOT_MINE.search(line):
            continue
        if not (_MINE.search(line) or _CARD.search(line)):
            continue
        f.gpu(None, i, rank=STATED, compute_capability=m.group("cc"))
    return f
