"""``import torch`` killing the Python that ran it: no traceback, only the crash as the shell,
the notebook or Python's fault handler reports it, right after a command that only imports torch.

A torch wheel built for instructions the CPU lacks dies with SIGILL while its libraries load
(the aarch64 wheels of several releases on ARMv8.0 CPUs: Raspberry Pi 4, AWS a1 —
pytorch/pytorch#97226, #100156, #109312, #176993); a broken install can die with SIGSEGV the same
way. Python prints nothing then; what a person pastes is the import and the crash::

    >>> import torch
    Illegal instruction (core dumped)

    $ python3 -c "import torch;print(torch.__version__)"
    Illegal instruction

That is ``import torch`` failing (``torch.import_error``; rules/torch_health.py makes it
``torch_import_failed``), whatever made it crash. The crash line is read in the shapes its
printers give it:

* bash (``jobs.c``: a foreground job killed by a signal, the C library's ``strsignal`` text
  and `` (core dumped)``): ``Illegal instruction (core dumped)``, ``Segmentation fault``,
  ``Bus error``, ``Aborted``, ``Floating point exception``; macOS's strsignal adds the
  number (``Illegal instruction: 4``);
* zsh (``Src/signals.h`` ``sig_msg``: "illegal hardware instruction", "segmentation fault",
  "bus error", "abort", "floating point exception"), with the command after it:
  ``zsh: illegal hardware instruction  python3``, or as a job, ``[1]    179220 illegal
  hardware instruction (core dumped)  python repro.py``;
* fish: ``fish: Job 1, 'python3' terminated by signal SIGILL (Illegal instruction)``;
* Jupyter Notebook (``notebook/static/notebook/js/notificationarea.js``, the "Kernel
  Restarting" dialog) and JupyterLab (``The kernel for X appears to have died``):
  ``The kernel appears to have died. It will restart automatically.``;
* CPython's fault handler (``Modules/faulthandler.c``: ``Fatal Python error: Segmentation
  fault``, with the Python frames below it in ``Python/traceback.c``'s form
  ``  File "…/torch/__init__.py", line 237 in <module>``): a frame of torch's
  ``__init__.py`` running at module level is the import itself, whatever command started it.

The same failure retold in a person's sentence ("When I import torch I get Illegal instruction
(core dumped)", "import torch 直接报 Segmentation fault", "importing torch, the Jupyter kernel
dies") is a claim (``STATED``: ``torch_import_failed`` then ``likely``), unless the sentence asks,
supposes ("if"), advises, denies ("does not crash") or says it is over ("used to", "fixed"), or places
it on another machine or other people (``sentences.not_here_now``).

Not read: a crash after other code (``>>> x.cuda()`` before it: not the import), a command
that does more than import torch and print its version, a crash line quoted inside another
process's captured output (``Pasted.enclosed``), the import line or the crash alone, and the two
under a line that sets them on another machine or as a condition ("On my old laptop:", "If you see").
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.explain.partial import STATED, TOOL, Found
from envcheck.explain.sentences import not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "import torch crash"

# bash jobs.c: strsignal(sig) [+ " (core dumped)"], macOS's strsignal with ": N"; a retyped
# paste may end it with a full stop.
# Under another locale bash prints glibc's translated strsignal and its own translated " (core dumped)"
# (glibc po/zh_CN.po, de.po, ja.po, ru.po; bash po/*.po): "段错误 (核心已转储)", "非法指令 (核心已转储)",
# "Speicherzugriffsfehler (Speicherabzug geschrieben)", "Ungültiger Maschinenbefehl (Speicherabzug
# geschrieben)", "セグメンテーション違反です (コアダンプ)", "Ошибка сегментирования (стек памяти сброшен на диск)".
_BASH = lazy(r"^\s*(?P<what>Illegal instruction|Segmentation fault|Bus error|Aborted|Floating point exception"
             r"|段错误|非法指令|Speicherzugriffsfehler|Ungültiger Maschinenbefehl|セグメンテーション違反です"
             r"|Ошибка сегментирования)"
             r"(?::\s*\d{1,2})?(?: \(core dumped\)|\s?[(（][^()（）]{1,40}[)）])?\.?\s*$")
# zsh Src/signals.h sig_msg, printed "zsh: MSG  CMD" (or "[N]    PID MSG  CMD" for a job).
_ZSH = lazy(r"^\s*(?:zsh:|\[\d+\]\s+\d+)\s+(?P<what>illegal hardware instruction|segmentation fault|bus error|abort|"
            r"floating point exception)(?: \(core dumped\))?\s+(?P<cmd>\S.*)$")
# fish: Job N, 'CMD' terminated by signal SIGILL (Illegal instruction)
_FISH = lazy(r"^\s*fish: Job \d+, [\"'“‘](?P<cmd>.+?)[\"'”’] terminated by signal "
             r"(?P<what>SIG(?:ILL|SEGV|BUS|ABRT|FPE))\b")
# Jupyter Notebook's "Kernel Restarting" dialog; JupyterLab names the notebook.
_KERNEL_DIED = lazy(r"^\s*(?:Kernel Restarting\W*)?The kernel (?:for \S+ )?appears to have died\. "
                    r"It will restart automatically\.?\s*$")
# CPython Modules/faulthandler.c: "Fatal Python error: " + the handler's name.
_FAULT = lazy(r"^\s*Fatal Python error: (?P<what>Segmentation fault|Illegal instruction|Bus error|Aborted|"
              r"Floating point exception)\s*$")
# Python/traceback.c (_Py_DumpTraceback): '  File "PATH", line N in NAME' — no comma before
# "in": torch's own __init__ running at module level is the import.
_TORCH_INIT_FRAME = lazy(r'^\s*File "[^"]*[\\/]torch[\\/]__init__\.py", line \d+ in <module>\s*$')
# A command that only imports torch: the REPL's or IPython's prompt, a bare statement, or
# `python -c "import torch"` (at most printing torch.__version__) after any shell prompt.
_IMPORT = r"import torch(?: as \w+)?"
_ONLY_IMPORT = lazy(r"^\s*(?:>>>\s*|In \[\d+\]:\s*)?" + _IMPORT + r"\s*;?\s*$")
_PRINT_VERSION = r"(?:\s*;\s*print\s*\(\s*torch\.__version__\s*\))?"
_PYTHON_C = lazy(r"(?:^|[\s$#>%:])(?:\S*[\\/])?(?:python|py)(?:\d(?:\.\d+)?)?(?:\.exe)?\s+-c\s+"
                 r"(?P<q>[\"'])\s*" + _IMPORT + _PRINT_VERSION + r"\s*;?\s*(?P=q)\s*$")
# A bare interpreter as the killed command (zsh/fish name it): the import is on the line before.
_INTERPRETER = lazy(r"^(?:\S*[\\/])?(?:python|ipython|py)(?:\d(?:\.\d+)?)?(?:\.exe)?$")
# Cheap first look (lower case, Pasted.lines_containing): most lines hold none of these.
_GATES = ("illegal", "segmentation fault", "bus error", "abort", "point exception", "terminated by signal",
          "appears to have died", "段错误", "非法指令", "speicherzugriffsfehler", "maschinenbefehl", "セグメンテーション違反",
          "ошибка сегментирования")
_BACK = 3  # blank lines allowed between the import and the crash
# The notebook dialog's title, on a line of its own when the dialog is copied.
_DIALOG_TITLE = lazy(r"^\s*Kernel Restarting\s*$")


def _imports_only(line: str) -> bool:
    return bool(_ONLY_IMPORT.match(line) or _PYTHON_C.search(line))


def _import_before(doc: Pasted, i: int) -> Optional[int]:
    """The line of an import-only command just before line ``i`` (blank lines between)."""
    for j in range(i - 1, max(-1, i - 1 - _BACK), -1):
        line = doc.lines[j]
        if not line.strip() or _DIALOG_TITLE.match(line):
            continue
        return j if _imports_only(line) else None
    return None


def _crash(doc: Pasted, i: int) -> Optional[str]:
    """What line ``i`` says killed the import, or None."""
    line = doc.lines[i]
    m = _BASH.match(line) or _FAULT.match(line)
    if m:
        if _FAULT.match(line) and _torch_frame_below(doc, i):
            return m.group("what")
        return m.group("what") if _import_before(doc, i) is not None else None
    if _KERNEL_DIED.match(line):
        return "the kernel died" if _import_before(doc, i) is not None else None
    m = _ZSH.match(line) or _FISH.match(line)
    if m is None:
        return None
    cmd = m.group("cmd").strip()
    if _PYTHON_C.search(" " + cmd) or (_INTERPRETER.match(cmd) and _import_before(doc, i) is not None):
        return m.group("what")
    return None


def _torch_frame_below(doc: Pasted, i: int) -> bool:
    """A frame of torch/__init__.py at module level in the fault handler's dump after line ``i``."""
    for j in range(i + 1, min(len(doc.lines), i + 40)):
        if _TORCH_INIT_FRAME.match(doc.lines[j]):
            return True
    return False


# A person's sentence: the import and the crash named in it, in either order, a few words apart.
_CRASH_WORDS = (r"(?:illegal\s+(?:hardware\s+)?instruction|segmentation\s+fault|segfault\w*|core\s+dumped|bus\s+error|段错误|非法指令"
                r"|\bSIG(?:ILL|SEGV|BUS)\b|(?:jupyter\s+|ipython\s+|the\s+|python\s+)?kernel\s+(?:dies|died|crash(?:es|ed)?"
                r"|keeps\s+dying|restarts))")
_IMPORTING = r"\bimport(?:ing|ed)?\s+(?:of\s+)?[`'\"]?torch\b"
_SAID = lazy(rf"{_IMPORTING}(?P<mid>[^.?!;\n]{{0,80}}?){_CRASH_WORDS}"
             rf"|{_CRASH_WORDS}(?P<mid2>[^.?!;\n]{{0,40}}?)\b(?:when|while|on|at|after|upon|during)\s+(?:I\s+)?{_IMPORTING}",
             re.IGNORECASE)
# Between the import and the crash: another step ("import torch works, but model.cuda() segfaults").
_MID_BREAK = lazy(r"\b(?:but|then|later|and|works?|worked|fine|ok(?:ay)?|succe\w*|however|though|train\w*|model|run\w*"
                  r"|forward|backward|inference|infer)\b|\.cuda\b|\.to\(|然后|但是", re.IGNORECASE)
# After them: the crash placed in a later step ("import torch  # segfault happens later in training").
_AFTER_BREAK = lazy(r"\b(?:later|afterwards|then|train\w*|model|forward|backward|inference)\b|\.cuda\b|\.to\(|然后",
                    re.IGNORECASE)
# Not the machine's state: a supposition, advice, a denial, or the crash said to be over.
_NOT_SAID = lazy(r"\b(?:if|whether|unless|in\s+case|should|could|might|may|try|make\s+sure|ensure|not|never|no\s+longer"
                 r"|n't|used\s+to|fixed|solved|resolved|works?\s+now|now\s+works?|went\s+away|anymore)\b"
                 r"|如果|不再|解决", re.IGNORECASE)


def _told(doc: Pasted, f: Found) -> None:
    """A person's sentence saying importing torch crashes."""
    for i in doc.lines_containing("torch"):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed or "import" not in line.lower():
            continue
        m = _SAID.search(line)
        # another step between the import and the crash, or after them ("… segfault happens later in training")
        if m is None or _MID_BREAK.search(m.group("mid") or m.group("mid2") or "") \
                or _AFTER_BREAK.search(line, m.end(), m.end() + 60):
            continue
        sentence = sentence_around(line, m.start(), m.end())
        if "?" in sentence or "？" in sentence or _NOT_SAID.search(sentence) or not_here_now(line, m.start(), m.end()):
            continue
        f.set("torch.import_error", " ".join(sentence.split())[:300], i, rank=STATED)
        f.set("torch.installed", True, i, rank=STATED)
        return


# The prose line over the import and its crash that frames them as another machine's or as a condition
# (review of round 20): "On my old laptop:", "If you see" ("When I run it:", "If I do" is the person's
# own run; "For example:" may be too, and stays read).
_FRAME_CONDITION = lazy(r"^\W*(?:(?:if|when(?:ever)?)\s+(?!(?:i|we|my|our|running|importing|trying)\b)|in\s+case\b)",
                        re.IGNORECASE)


def _framed_elsewhere(doc: Pasted, i: int) -> bool:
    """The first prose line above the crash at ``i`` and its command (within a few lines) sets them on
    another machine or as a condition."""
    for j in range(i - 1, max(-1, i - 6), -1):
        line = doc.lines[j]
        if not line.strip() or _imports_only(line) or _DIALOG_TITLE.match(line):
            continue
        return len(line) <= 300 and bool(_FRAME_CONDITION.match(line) or not_here_now(line, 0, len(line)))
    return False


def parse(doc: Pasted) -> Found:
    """``import torch`` (alone) followed by the crash of the process that ran it."""
    f = Found(SOURCE, TOOL)
    for i in doc.lines_containing(*_GATES):
        line = doc.lines[i]
        if len(line) > 400 or i in doc.enclosed:
            continue
        what = _crash(doc, i)
        if what is None or _framed_elsewhere(doc, i):
            continue
        f.set("torch.import_error", line.strip(), i,
              detail=f"`import torch` crashed the Python running it ({what}), line {i + 1}")
        f.set("torch.installed", True, i)
        return f
    _told(doc, f)
    return f
