"""Failures the message catalogue does not know, so a paste holding one is never "no problems".

The catalogue (``messages.toml``) names the messages whose cause envcheck can weigh; this
reader only notices that something failed, in the shapes the programs themselves print:

* the last line of a Python traceback, ``ExceptionName: message``
  (CPython ``Lib/traceback.py``, ``TracebackException.format_exception_only``), for
  exception classes named ``…Error`` or ``…Exception`` (optionally module-qualified:
  ``torch.OutOfMemoryError``, ``subprocess.CalledProcessError``);
* a process killed by a signal, as the shell reports it: ``Segmentation fault``,
  ``Aborted``, ``Illegal instruction``, ``Bus error``, ``Floating point exception``, each
  optionally followed by ``(core dumped)`` (bash ``jobs.c``, the ``sys_siglist`` names);
* a C++ exception leaving ``main``: ``terminate called after throwing an instance of …``
  (libstdc++ ``vterminate.cc``);
* a command-line tool's own error line, ``Error: message`` / ``error: message`` / ``ERROR:
  message`` at the start of a line (Go's cobra prints ``Error:`` before a command's error:
  ollama, the NVIDIA container toolkit's CLIs, kubectl's ``error:``; pip's ``ERROR:``; git's and
  cargo's ``error:``), where a word follows (``Error: 0`` is a counter, not a failure; pip's
  "ERROR: pip's dependency resolver does not currently take into account …" follows an install
  that succeeded).

Each such line goes into ``torch.errors`` like a catalogued message. The verdict
(``envcheck/rules/verdict.py``) then either finds a finding that accounts for it or calls
the paste ``unexplained`` and quotes it: a stranger's error is never answered with
"no problems found".
"""

from __future__ import annotations

from envcheck.explain.partial import TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "failure line"

_EXCEPTION = lazy(r"^\s*(?:E\s+)?(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception): \S")
_SIGNAL = r"(?:Segmentation fault|Aborted|Illegal instruction|Bus error|Floating point exception)(?: \(core dumped\))?"
# bare, or after bash's "script: line N: PID " (then the command that died follows)
_SIGNALLED = lazy(rf"^\s*(?:{_SIGNAL}\s*$|\S+: line \d+: +\d+ +{_SIGNAL})")
_TERMINATE = lazy(r"^\s*terminate called after throwing an instance of ")
# pip prints its dependency resolver's notice with "ERROR:" after an install that succeeded.
_CLI_ERROR = lazy(r"^\s*(?:Error|ERROR|error): +(?!pip's dependency resolver)[A-Za-z]")
# Cheap gates before the regular expressions (lower case, as Pasted.lines_containing
# compares): most lines of a paste hold none of these.
_GATES = ("error: ", "exception: ", "fault", "aborted", "illegal instruction", "bus error", "point exception",
          "terminate called")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    for i in doc.lines_containing(*_GATES):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue  # too long to be one; another process's output (Pasted.enclosed)
        if _EXCEPTION.match(line) or _SIGNALLED.match(line) or _TERMINATE.match(line) or _CLI_ERROR.match(line):
            f.error(line, i)
    return f
