"""``import torch`` said to fail, in a person's words and without the exception: "I can't import
torch anymore", "import torch just fails after I updated", "import torch throws an error on my
machine", "unable to import torch"; Chinese "import torch 报错" / "导入torch失败" / "导入 torch 的时候
直接报错" (importing torch errors / fails), Japanese "import torchでエラーになる", Korean "import torch
에서 에러가 납니다". Not a program's message: a person's words, read from prose.

torch_import_retold reads the same retelling when it carries Windows' "DLL load failed"; a
traceback or Python's exception line is read by error_messages and torch_import_crash. This
reader takes the failure said in words: the import of torch itself (not torchvision,
torch_geometric, "from torch import …"), a word of failure right after it in its clause (fails,
crashes, throws / gives an error, doesn't work, 报错, 失败, エラー, 에러), or "can't / cannot /
unable to import torch" before it. A claim (``STATED``: torch_import_failed then "likely").

Not a claim: a question, a condition or advice ("if import torch fails, …"), a failure denied
("import torch doesn't fail", "no longer fails"), another machine or other people, the trouble
said over, or a text where Python says torch is not there at all ("No module named 'torch'":
torch_not_installed's).
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import (
    asked,
    clause_start,
    general_statement,
    not_here_now,
    sentence_around,
    working_after,
)
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# "import torch" (not torchvision, torch_geometric, torch.nn), then the failure in the same clause.
_IMPORT = r"\bimport(?:ing)?\s+(?:py)?torch\b(?![\w.-])"
_FAILS = (r"(?:just\s+|still\s+|now\s+|always\s+|immediately\s+|simply\s+)?"
          r"(?:fail(?:s|ed|ing)?|crash(?:es|ed|ing)?|err(?:s|ors|ored)\s+out|breaks|broke|segfaults?"
          r"|(?:throws|threw|gives|gave|raises|raised|returns|returned|produces|shows|showed)\s+(?:me\s+)?(?:an?\s+|this\s+|the\s+following\s+)?(?!(?:no|zero|any)\s)(?:\w+\s+)?(?:error|exception)s?"
          r"|(?:does\s*n[o']t|doesn't|is\s*n[o']t|isn't|won't|will\s+not)\s+(?:work|load)(?:ing)?|is\s+not\s+working|not\s+working)\b")
_SAID = lazy(
    rf"{_IMPORT}\s*(?:`|'|\")?\s*(?:(?:on|in|at)\s+(?:my|the|this)\s+\w+\s+|command\s+|statement\s+|line\s+)?{_FAILS}"
    rf"|\b(?:can't|cannot|can\s+not|couldn't|could\s+not|unable\s+to|not\s+able\s+to|fail(?:s|ed)?\s+to)\s+{_IMPORT}"
    # Chinese / Japanese / Korean
    # (ASCII edges after "torch": a CJK letter right after it is a word character too)
    r"|(?:\bimport|导入|導入|引入)\s*(?:py)?torch(?![A-Za-z0-9_.-])[^，。；;,.]{0,10}?(?:报错|報錯|失败|失敗|出错|出錯|错误|錯誤)"
    r"|\bimport\s+(?:py)?torch(?![A-Za-z0-9_.-])\s*(?:で|が|すると|したら|時に?)\s*(?:エラー|失敗|落ち)"
    r"|\bimport\s+(?:py)?torch(?![A-Za-z0-9_.-])\s*(?:에서|시|할\s*때|하면)?\s*(?:에러|오류)", _I)
# The failure denied in the words read: "doesn't fail", "no longer fails", "never crashes" ("doesn't
# work" is a failure).
_DENIED = lazy(r"(?:\b(?:not|never|no\s+longer|without)|n't)\s+(?:\w+\s+)?(?:fail|crash|err|break|broke|throw|threw|give|gave"
               r"|raise|segfault|return|produce|show)", _I)
# A condition or advice before it in its clause.
_IF = lazy(r"\b(?:if|when(?:ever)?|unless|in\s+case|whether|make\s+sure|to\s+avoid|so\s+that)\b[^.;!?]*$"
           r"|(?:如果|假如|若|もし|만약)[^。；]*$", _I)
# Not this machine's import: a rule put to the reader ("you can't import torch before setting …"), or
# a linter's or an editor's complaint about the line ("gives a pylint error", "a red squiggly").
_NOT_IMPORT_FAILURE = lazy(r"\b(?:you|one|people|users)\s+(?:can't|cannot|can\s+not|couldn't|could\s+not|shouldn't)\s+import\b"
                           r"|\b(?:pylint|pylance|pyright|mypy|flake8|ruff|linter|lint|type[- ]?check\w*|squiggl\w*|intellisense)\b", _I)
# Python saying torch is not there: a missing install, not a failing import.
_NOT_INSTALLED = lazy(r"No module named ['\"]?torch['\"]?(?![\w.])", _I)
# "can't import torch anymore": a failure that is new, not a habit over (sentences.not_here_now reads
# "anymore" alone as the past); blanked before that test.
_NEGATED_ANYMORE = lazy(r"(?:n't|\bnot|\bcannot|\bunable)\b[^.;!?]{0,40}?\b(any\s?more)\b", _I)
# A traceback's frame or exception line, a prompt, a comment or a logger's line (not the catalogued
# messages: this reader does not ask for them, two_processes.MESSAGE_READERS).
_CODE_LINE = lazy(r"^\s*(?:File\s+\"|Traceback\b|[\w.]*(?:Error|Exception|Warning)\b:|>>>|\.\.\.\s|\$|#|In\s*\[\d+\]"
                  r"|\d{4}-\d\d-\d\d[ T]\d|\[?(?:INFO|WARNING|ERROR|DEBUG)\b)")
# The failure over, later in its line: "… failed, I reinstalled and now it imports fine" (the words
# sentences.working_after does not read for an import).
_NOW_IMPORTS = lazy(r"\bnow\s+(?:it\s+|torch\s+|everything\s+)?(?:imports|works|loads)\b(?!\s+not\b)", _I)
_NEEDLES = ("import torch", "import pytorch", "importing torch", "导入", "導入", "引入")


def _said(line: str) -> Optional["re.Match[str]"]:
    if len(line) > 400:
        return None
    for a in _NEGATED_ANYMORE.finditer(line):
        line = line[:a.start(1)] + " " * len(a.group(1)) + line[a.end(1):]
    for m in _SAID.finditer(line):
        cs = clause_start(line, m.start())
        if (asked(line, m.end(), clause=False) or _IF.search(line, cs, m.start()) or _DENIED.search(m.group())
                or _NOT_IMPORT_FAILURE.search(sentence_around(line, m.start(), m.end()))
                or general_statement(line, m.start(), m.end()) or not_here_now(line, m.start(), m.end())):
            continue
        return m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if any(_NOT_INSTALLED.search(doc.lines[i]) for i in doc.lines_containing("no module named", ignorecase=True)):
        return f
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        line = doc.lines[i]
        if _CODE_LINE.match(line):
            continue  # a traceback's, a prompt's or a log's line: their own readers read them
        m = _said(line)
        if m is None or working_after(doc.lines, i, m.start()) or _NOW_IMPORTS.search(line, m.end()):
            continue
        f.set("torch.import_error", " ".join(line.split())[:300], i)  # STATED: the person's words
        f.set("torch.installed", True, i)
        return f
    return f
