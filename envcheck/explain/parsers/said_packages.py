"""Framework packages a person says are installed, outside any tool's listing.

Two shapes people write, in any language:

* **A requirement specifier inside a sentence**: "after pip安装paddlepaddle==2.3.2和
  paddlepaddle-gpu==2.3.2, ..." (after installing …, Chinese), "I have onnxruntime==1.16.0 and
  onnxruntime-gpu==1.16.0 installed", "faiss-gpu==1.7.2 がインストールされています" (Japanese).
  The sentence must say the package is there (installed, have, got, 安装, 装了, インストール,
  설치, instalado, installiert) and must not make it a try, a wish, advice, a condition or a
  failure ("I tried to install …", "you should install …==…", "pip install …==… failed",
  "ERROR: No matching distribution found for …"); a command line (pip/conda/uv) is
  install_commands' and a whole ``name==version`` line packages.py's.
* **An issue template's environment list**: a line holding one package and its version, with
  or without a bullet, a colon, or a space between them: "- onnxruntime-gpu 1.16.0",
  "paddlepaddle: 2.3.2", "paddlepaddle-gpu:2.3.2", "onnx - 1.6.0", and the name and version run
  together, "paddlepaddle-gpu2.3.2".

Only the frameworks whose CPU and GPU builds are two pip packages (rules/framework_packages.py's
pairs, and rules/framework_build.py's CPU-only builds) are read: torch's own version told in
words is freetext's (it knows "torch 2.1.0+cpu" and the CUDA beside it). Each package becomes a
``python.packages`` item at rank ``STATED`` (a listing outranks it), and a finding built on it
is likely, never confirmed: the item carries an empty version, as framework_packages.py's do
(rules/framework_packages.py reads an empty version as a person's word). TensorFlow 2.1 and later
is the GPU build under the plain ``tensorflow`` name, so a said ``tensorflow`` of 2.1 or later is
not recorded as a CPU package.
"""

from __future__ import annotations

import re

from envcheck.explain.parsers.torch_build_prose import COMMAND_START
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.knowledge.archs import ver
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# pip names (either separator) of the frameworks with a CPU and a GPU package. The look-behind
# keeps "my-onnxruntime-gpu" and "x.onnxruntime" out; the look-ahead keeps "onnxruntime-gpu"
# from being read as "onnxruntime" followed by "-gpu".
_NAME = (r"(?<![A-Za-z0-9_.-])(?P<name>onnxruntime(?:[-_](?:gpu|directml|openvino))?|paddlepaddle(?:[-_]gpu)?"
         r"|faiss[-_](?:cpu|gpu)(?:[-_]cu\d{2})?|tensorflow(?:[-_](?:gpu|cpu))?|mxnet(?:[-_]cu\d{2,3}\w?)?"
         r"|jaxlib)(?![\w-])")
_VERSION = r"(?P<version>\d+(?:\.\d+)+(?:\.?(?:post|dev|rc|a|b)\d*)?(?:\+[\w.]+)?)"
# A specifier in a sentence: "paddlepaddle==2.3.2", "onnxruntime-gpu >= 1.16".
_SPEC = lazy(rf"{_NAME}\s*(?P<op>===?|>=|~=)\s*{_VERSION}(?![A-Za-z0-9_]|\.\d)", _I)
# A list row: the name, then a colon, a dash, spaces or nothing, then the version, and nothing after
# but a closing mark. (Bullets, bold markers and backticks around it are allowed.)
_NAME_OPEN = _NAME[:-len(r"(?![\w-])")]  # the row's version may follow the name without a space
# The word "version" may stand between them ("paddlepaddle-gpu version: 2.5.1", "paddlepaddle-gpu版本：2.5.1"),
# and the version may be in parentheses ("onnxruntime-gpu (1.16.3)").
_ROW = lazy(rf"^\s*(?:[-*•+]\s+)?[`*_]*{_NAME_OPEN}[`*_]*(?:\s*(?:version|版本|버전|バージョン))?"
                  rf"(?:\s*[:：=]\s*|\s+[-–]\s+|\s+|(?=\d))[(（]?v?{_VERSION}[)）]?[`*_]*\s*[,;]?\s*$", _I)
# The sentence says the package is on the machine.
_THERE = lazy(r"\binstal+\w*|\bhave\b|\bhas\b|\bhad\b|\bgot\b|\bpresent\b|\bin\s+(?:my|the|this)\s+(?:env|venv|environment)"
                    r"|\bwith\b|\busing\b|\bused\b|\bcurrent(?:ly)?\b"
                    r"|安装|装了|装的|用的|使用|インストール|入って|설치|instalad\w*|instalé|installiert|install[ée]", _I)
# Not the machine's state: a try, a plan, advice, a condition, a denial, a failure.
_NOT_STATE = lazy(r"\b(?:try|tried|trying|attempt\w*|will|would|going\s+to|want\w*|plan\w*|should|must|need\w*"
                        r"|recommend\w*|suggest\w*|if|whether|unless|not|never|don't|doesn't|didn't|can't|cannot"
                        r"|couldn't|could\s+not|unable|fail\w*|error\w*|instead|rather|un-?install\w*|remov\w*"
                        r"|requir\w*|satisf\w*|no\s+matching|downgrad\w*\s+to|upgrad\w*\s+to|switch\w*\s+to)\b"
                        # a project's declared requirements, not what the environment holds
                        r"|install_requires|extras_require|requirements|dependenc\w*|pyproject|setup\.py|environment\.ya?ml"
                        r"|尝试|试了|试过|试着|想要|打算|建议|应该|如果|是否|失败|报错|不要|卸载|无法安装|安装不"
                        r"|試し|したい|予定|失敗|시도|실패|하려고", _I)
# Where a clause ends ("." inside "1.15.1" does not): the words about one package's state stay inside it.
_CLAUSE = lazy(r"[.;!?,](?=\s|$)|[。；！？，、]")
# A command written inline: install_commands reads it ("I ran `pip install x==1`" is a request).
_INLINE_COMMAND = lazy(r"\b(?:pip3?|conda|mamba|uv|poetry)\s+(?:install|add)\b|^\s*RUN\s", _I)


def _record(f: Found, name: str, version: str, i: int) -> None:
    name = name.lower().replace("_", "-")
    if name == "tensorflow":
        v = ver(version)
        if v is None or v >= ver("2.1"):
            return  # the GPU build itself (or unreadable): not the CPU package of a pair
    f.item("python.packages", name, PythonPackage(name, ""), i)


def _clause(line: str, start: int, end: int) -> str:
    left = 0
    for c in _CLAUSE.finditer(line, 0, start):
        left = c.end()
    stop = _CLAUSE.search(line, end)
    return line[left:stop.start() if stop else len(line)]


# Every name above holds one of these (a cheap first look before any pattern); packages.py asks for
# the same needles, so a long paste is scanned for them once.
_NEEDLES = ("onnxruntime", "paddle", "faiss", "tensorflow", "mxnet", "jax")


def _said(f: Found, doc: Pasted) -> None:
    for i in sorted(set(doc.lines_containing("==")).intersection(doc.lines_containing(*_NEEDLES))):
        line = doc.lines[i]
        if len(line) > 600 or COMMAND_START.match(line) or _INLINE_COMMAND.search(line):
            continue  # a log, or a command: their own readers read those
        if re.fullmatch(r"\s*\S+\s*===?\s*\S+\s*", line):
            continue  # a bare "name==version" row is packages.py's (a listing)
        for m in _SPEC.finditer(line):
            if m.group("op") not in ("==", "==="):
                continue  # ">=" names a wish of a requirements file, not the version there
            said = _clause(line, m.start(), m.end())
            if not _THERE.search(said) or _NOT_STATE.search(said) or asked(line, m.end(), clause=False):
                continue
            _record(f, m.group("name"), m.group("version"), i)


def _rows(f: Found, doc: Pasted) -> None:
    for i in doc.lines_containing(*_NEEDLES):
        line = doc.lines[i]
        if len(line) > 80:
            continue
        m = _ROW.match(line)
        if m is None:
            continue
        name = m.group("name").lower().replace("_", "-")
        written = m.group("name")
        if written != name and "-" not in name and re.match(r"[`*_]*\s*(?:version|版本|버전|バージョン)", line[m.end("name"):], _I):
            continue  # "MXNet version: 0.10", "PaddlePaddle version: 2.5": a template's framework, not which package
        if re.search(r"\d$", name) and not re.search(r"[\s:：–-]", line[m.end("name"):m.start("version")]):
            continue  # "mxnet-cu1121.9.1": where the name ends in digits the run-together row is unreadable
        _record(f, name, m.group("version"), i)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _said(f, doc)
    _rows(f, doc)
    return f
