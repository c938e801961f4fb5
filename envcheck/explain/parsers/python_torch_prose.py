"""What a person says about their Python and about the installer finding no torch for it,
and the torch an upgrade installed before things broke (torch_upgrade_said).

* The Python in use, told in a sentence ("I am currently using python version 3.14", "so I just
  installed 3.11", "my python version is 3.6"): it outranks a Python merely named in a line
  ("Python 3.8 is on a legacy build cycle"), never a program's own output (collect_env, a
  banner); and pip's own ``pip --version`` line ("pip 9.0.1 from … (python 3.6)").
* The installer finding no torch, in a person's words ("pip cant seem to find any version for
  it", "I cannot install torch", "torch is not available for Python 3.14", 找不到 torch, …),
  "wheels are not available for Python 3.x" in a report naming torch, and uv's refusal retold
  without its first words after ``uv add torch``: ``torch.installed`` is false with
  NO_TORCH_FOUND in its detail, which rules/wheel_gap.py weighs against the Python and the OS.

Conditions, advice, questions and problems already solved are not the machine's state: left.
"""

from __future__ import annotations

import re
from typing import Tuple

from envcheck.explain.parsers import torch_upgrade_said
from envcheck.explain.partial import OUTCOME, PROGRAM, STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "a person's words"

# What rules/wheel_gap.py looks for in torch.installed's detail (NO_TORCH_FOUND there; a test
# pins the two).
NO_TORCH_FOUND = "the installer found no torch for this Python"
# A person saying the installer found no torch for their Python ("pip cant seem to find any
# version for it", "I cannot install torch", "torch is not available for Python 3.14", "python
# 3.14 ... cannot use torch"), in the languages reports come in. The line must name torch.
_NO_TORCH_SAID = lazy(
    r"\b(?:pip3?|poetry|uv|conda|mamba)\s+(?:just\s+|still\s+)?(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not|"
    r"doesn'?t|does\s+not|won'?t|is\s+unable\s+to|fails?\s+to|failed\s+to)\s+(?:seem\s+to\s+)?"
    r"(?:find|locate|resolve|install|download)\b"
    r"|\b(?:can'?t|cannot|can\s+not|couldn'?t|could\s+not|unable\s+to|fail(?:s|ed)?\s+to)\s+(?:pip\s+)?"
    r"(?:install|find|download|get)\s+(?:the\s+|any\s+)?(?:py)?torch\b"
    r"|\b(?:py)?torch\s+(?:is\s+|was\s+)?(?:not|n't)\s+(?:yet\s+)?(?:available|found|installable|supported)\s+"
    r"(?:for|in|on|with)\s+(?:python|py|cp)\s*3"
    # the pinned version said to be gone ("The torch version that the backend uses is no longer
    # available somehow"), torch's own version, not torch.cuda's availability
    r"|\b(?:py)?torch(?:\s+version|\s*==\s*\d[\w.+]*)(?![\w.])[^.\n]{0,60}?\b(?:is|are)\s+(?:no\s+longer|not)\s+"
    r"(?:yet\s+)?available\b(?!\s+(?:on|for|with)\s+(?:gpu|cuda|cu\d|rocm|arm|aarch64|mac))"
    r"|\bno\s+(?:py)?torch\s+(?:wheels?|builds?|versions?|releases?|binar(?:y|ies)|packages?|distributions?)\s+"
    r"(?:for|on)\s+(?:python|py|cp)\s*3"
    r"|\bpython\s*(?:version\s*)?3\.\d{1,2}\b[^.\n]{0,40}?\b(?:can'?t|cannot|can\s+not|unable\s+to)\s+"
    r"(?:use|install|get)\s+(?:py)?torch\b"
    r"|(?:找不到|无法安装|無法安裝|装不上|安装不了)[^\n]{0,12}?(?:py)?torch(?![A-Za-z_-])|(?:py)?torch(?![A-Za-z_-])[^\n]{0,12}?"
    r"(?:找不到(?:可用|匹配|对应|合适)?的?版本|装不上|安装不了|无法安装|無法安裝)"
    r"|(?:py)?torch(?![A-Za-z_-])[^\n]{0,20}?(?:が見つから|のバージョンが見つから|をインストールできな|がインストールできな)"
    r"|(?:py)?torch(?![A-Za-z_-])[^\n]{0,20}?(?:을|를)?\s?(?:찾을 수 없|설치할 수 없|설치가 안)"
    r"|\bno\s+(?:puedo|se\s+puede|logro|consigo)\s+instalar\s+(?:py)?torch(?![A-Za-z_-])|\bpip\s+no\s+encuentra\s+(?:py)?torch(?![A-Za-z_-])"
    r"|\bnão\s+(?:consigo|dá\s+para)\s+instalar\s+(?:o\s+)?(?:py)?torch(?![A-Za-z_-])"
    r"|\b(?:py)?torch\s+(?:lässt\s+sich\s+nicht|kann\s+nicht)\s+installier|\bpip\s+findet\s+kein\w*\s+(?:py)?torch(?![A-Za-z_-])",
    re.IGNORECASE)
# The same said of wheels in a torch report, torch named elsewhere ("Wheel binaries are not
# available for Python 3.11 Windows x86-64"), and uv's refusal retold without its first words
# ("… can't be installed because it doesn't have a source distribution or wheel for the current
# platform", uv crates/uv-distribution-types, uv 0.4 to 0.9) after `uv add torch`.
_NO_WHEEL_SAID = lazy(
    r"\b(?:wheels?|wheel\s+binaries|binar(?:y|ies)|builds?|packages?)\s+(?:are|is)\s+(?:still\s+)?(?:not|n't)\s+"
    r"(?:yet\s+)?available\s+(?:for|on)\s+(?:python|py|cp)\s*3"
    r"|can't be installed because it doesn't have a source distribution or wheel for the current platform",
    re.IGNORECASE)
_ASKS_TORCH = lazy(r"\b(?:uv\s+(?:add|pip\s+install)|pip3?\s+install|poetry\s+add)\s+(?:[^\n]*\s)?[\"']?torch\b")
_TORCH = lazy(r"torch(?![A-Za-z_-])", re.IGNORECASE)  # torch itself, not torchvision / torch-scatter
# Not the state of the machine: a condition, advice, or a problem already solved.
_NOT_NOW = lazy(r"\b(?:if|whether|unless|until|once|in\s+case)\b|\b(?:fixed|solved|resolved|works\s+now|"
                      r"now\s+works|working\s+now|worked|succeeded|successfully|disappear\w*|goes\s+away|went\s+away)\b|解决|解決|已经好|해결|解決済|resuelto|"
                      r"funciona\s+ahora|gelöst|resolvido", re.IGNORECASE)
_CONDITION = lazy(r"\b(?:if|whether|unless|until|in\s+case)\b", re.IGNORECASE)
# Advice in the same sentence before the words ("you should", "try installing", "instead").
_ADVISED = lazy(r"\b(?:you\s+(?:should|could|can|may|might)|should\s+(?:use|try|install)|please\s+(?:use|try)|"
                      r"try\s+(?:using|to\s+use|installing)|instead)\b", re.IGNORECASE)
_SENTENCE_END = lazy(r"[.!?。？！](?:\s|$)|[？。！]")


def _sentence(line: str, m: re.Match) -> Tuple[str, str]:
    """The part of ``m``'s sentence before it, and the character that ends the sentence."""
    starts = [e.end() for e in _SENTENCE_END.finditer(line, 0, m.start())]
    end = _SENTENCE_END.search(line, m.end())
    return line[(starts[-1] if starts else 0):m.start()], (end.group(0).strip() if end else "")


# A person naming the Python they run ("I am currently using python version 3.14", "so I just
# installed 3.11", "my python version is 3.6"): outranks a Python merely mentioned in a line
# ("Python 3.8 is on a legacy build cycle"), never a program's own output (collect_env, a banner).
_PY_IN_USE = lazy(
    r"\b(?:(?:currently\s+|now\s+|just\s+)?(?:using|running|installed|upgraded\s+to|updated\s+to)\s+"
    r"(?:the\s+)?(?:latest\s+|new\s+)?(?:python|py|cpython)?\s*(?:version\s*)?v?"
    r"|\b(?:i|we)\s+(?:use|run|have)\s+(?:python|py|cpython)\s*(?:version\s*)?v?"
    r"|my\s+python(?:\s+version)?\s+is\s+(?:python\s*)?v?"
    # the environment made with one ("the script is making venv with 3.13 instead of 3.10")
    r"|\b(?:making|made|creat(?:ing|ed|es)|builds?|built)\s+(?:the\s+|a\s+|its\s+)?(?:venv|virtualenv|virtual\s+env(?:ironment)?)"
    r"\s+(?:with|using|on|from)\s+(?:python\s*)?v?)"
    r"(3\.\d{1,2})(?:\.\d{1,2})?\b(?!\.?\d)", re.IGNORECASE)
# pip's own `pip --version`: "pip 9.0.1 from /usr/local/lib/python3.6/site-packages (python 3.6)"
# (pip/_internal/cli/main_parser.py, get_pip_version: "pip {} from {} (python {})").
_PIP_VERSION = lazy(r"\bpip \d+(?:\.\d+)+ from \S.{0,300}? \(python (3\.\d{1,2})\)")


# Words one of the sentences above cannot do without: only lines holding one (and "python" or
# "torch") meet the patterns, so a long traceback full of torch/ paths costs substring searches.
_IN_USE_WORDS = ("using", "running", "installed", "upgraded", "updated", "my python", "i use", "we use", "i run",
                 "we run", "i have", "we have", "(python ", "venv", "virtual env")
_SAID_WORDS = ("can't", "cant", "cannot", "can not", "couldn", "could not", "unable", "fail", "doesn", "does not",
               "won't", "not available", "n't available", "not found", "not installable", "not supported",
               "not yet", "no longer", "no torch", "no pytorch", "找不到", "无法安装", "無法安裝", "装不上", "安装不了", "見つから",
               "できな", "수 없", "설치가 안", "instalar", "encuentra", "installier", "findet")
_ASK_WORDS = ("uv add", "uv pip install", "pip install", "pip3 install", "poetry add")
_WHEEL_WORDS = ("not available", "n't available", "not yet available", "current platform")


def _chunks(line: str, words: Tuple[str, ...]) -> Tuple[str, ...]:
    """``line`` itself, or for a long one (a whole log on one line) the stretches around its
    first needles: the sentences read here are short, and a pattern over megabytes is not."""
    if len(line) <= 600:
        return (line,)
    low, out = line.lower(), []
    for w in words:
        at = low.find(w)
        while at >= 0 and len(out) < 40:
            out.append(line[max(0, at - 200):at + 300])
            at = low.find(w, at + 300)
    return tuple(out)


def _pythons_said(line: str) -> Tuple[Tuple[str, bool], ...]:
    """(version, told by pip --version) for each Python a chunk of ``line`` names as the one in
    use; read once per distinct line (Pasted.read)."""
    out = []
    for chunk in _chunks(line, _IN_USE_WORDS):
        m = _PIP_VERSION.search(chunk) if "(python " in chunk else None
        if m:
            out.append((m.group(1), True))
            continue
        m = _PY_IN_USE.search(chunk)
        before, after = (_sentence(chunk, m)[0], chunk[m.end():]) if m else ("", "")
        if m and not _CONDITION.search(before) and not _ADVISED.search(before) \
                and not _NOT_NOW.search(re.split(r"[.!?。？！]", after, maxsplit=1)[0]):
            out.append((m.group(1), False))
    return tuple(out)


def parse(doc: Pasted) -> Found:
    """The Python a person says they run, pip's own version line, and a person saying the
    installer found no torch."""
    f = Found(SOURCE, STATED)
    lines = doc.lines
    said = set(doc.lines_containing(*_IN_USE_WORDS, ignorecase=True))
    for i in doc.lines_containing("python", ignorecase=True):
        if i not in said:
            continue
        for version, by_pip in doc.read(_pythons_said, lines[i]):
            if by_pip:
                f.set("python.version", version, i, rank=PROGRAM, detail=f"pip --version (line {i + 1})")
            else:
                f.set("python.version", version, i, rank=OUTCOME,
                      detail=f"{STATED_DETAIL}: the Python in use (line {i + 1})")
    torch_lines = doc.lines_containing("torch", ignorecase=True)
    if not torch_lines:
        return f
    torch_upgrade_said.read(doc, f, torch_lines)
    said = set(doc.lines_containing(*_SAID_WORDS, ignorecase=True)).intersection(torch_lines)
    wheels = set(doc.lines_containing(*_WHEEL_WORDS, ignorecase=True))
    asked = None
    for i in sorted(said | wheels):
        for line in _chunks(lines[i], _SAID_WORDS + _WHEEL_WORDS):
            m = _NO_TORCH_SAID.search(line) if i in said and _TORCH.search(line) else None
            if m is None and i in wheels:
                m = _NO_WHEEL_SAID.search(line)
                if m and "current platform" in m.group(0):
                    if asked is None:
                        asked = any(_ASKS_TORCH.search(c) for j in doc.lines_containing(*_ASK_WORDS)
                                    for c in _chunks(lines[j], _ASK_WORDS))
                    m = m if asked else None  # uv's words about some other package
            if m is None or _NOT_NOW.search(line):
                continue
            before, end = _sentence(line, m)
            if end not in ("?", "？") and not _ADVISED.search(before):
                f.set("torch.installed", False, i, detail=f"{STATED_DETAIL}: {NO_TORCH_FOUND} (line {i + 1})")
                return f
    return f
