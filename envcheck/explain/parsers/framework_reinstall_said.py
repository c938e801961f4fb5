"""A person saying that reinstalling a framework's GPU package is what made it use the GPU:

* "To run on the GPU you need to uninstall and re-install onnxruntime-gpu" (danielgatis/rembg#483:
  rembg[gpu] pulls onnxruntime beside onnxruntime-gpu), "pip install --force-reinstall
  onnxruntime-gpu fixed it", "after reinstalling paddlepaddle-gpu it uses the GPU",
  "重新安装onnxruntime-gpu后就能用GPU了" (after reinstalling it can use the GPU).

The sentence names a GPU package of a pair whose CPU and GPU packages unpack one module
(onnxruntime-gpu, paddlepaddle-gpu, faiss-gpu), a reinstall of it ("re-install", "reinstall",
"--force-reinstall", "uninstall and install … again", 重新安装/重装, 再インストール), and its result or
purpose on the GPU or the fault ("to run on the GPU", "uses the GPU", "fixed it", "solved",
"works", get_device() "GPU", CUDAExecutionProvider available). Not advice or a condition ("if it
still uses the CPU, try reinstalling onnxruntime-gpu"), a question, a denial ("reinstalling
onnxruntime-gpu did not help"), a guide quoted ("the README says …"), nor a reinstall for another reason
(a version pinned, an upgrade, a CUDA or cuDNN to match).

Recorded as a note (``derived.gpu_package_reinstall``) naming the GPU package, and the GPU package
as a ``python.packages`` item at rank ``STATED`` (it was installed to be reinstalled); the rule
(rules/framework_packages.py) makes a likely finding of it.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.gpu_package_reinstall import REINSTALL_SAID
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked, general_statement, not_here_now
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

# The GPU packages of the pairs that unpack one module (rules/framework_packages.PAIRS; TensorFlow's
# tensorflow-gpu is its own build before 2.1, MXNet's per-CUDA names have no CPU twin to overwrite):
# pip's names, a sentence may write "_" for "-".
_GPU_PACKAGE = lazy(r"(?<![A-Za-z0-9_.-])(onnxruntime|paddlepaddle|faiss)[-_]gpu(?![A-Za-z0-9_-])", _I)
# A reinstall: "re-install", "reinstalled", "--force-reinstall", "uninstall and install again",
# Chinese 重新安装 / 重装, Japanese 再インストール, Korean 재설치.
_REINSTALL = lazy(r"\bre-?install\w*|--force-reinstall|\buninstall\w*\s+(?:\S+\s+){0,4}?and\s+(?:then\s+)?"
                  r"(?:re-?)?install\w*|重新安装|重装|再インストール|재설치", _I)
# Its result or purpose on the GPU or the fault.
_RESULT = lazy(r"\b(?:to\s+(?:run|use|get|work)\b[^.!?\n]{0,30}?\bgpu\b|(?:runs?|ran|uses?|used|using|works?|worked)"
               r"\s+(?:\w+\s+){0,2}?(?:on\s+)?(?:the\s+)?gpu\b|fix(?:ed|es)\b|solv(?:ed|es)\b|resolv(?:ed|es)\b"
               r"|did\s+the\s+trick|(?:returns?|shows?|says?|gives?)\s+[\"'`]?GPU\b|CUDAExecutionProvider)"
               r"|能用GPU|可以用GPU|用上了GPU|解决|GPUが使え|GPU를\s*사용", _I)
# The reinstall said not to help, or not done.
_DENIED = lazy(r"\b(?:not|n't|never|no\s+(?:luck|change|difference)|without|didn't\s+help|doesn't\s+help)\b"
               r"|没用|无效|没有用|効果なし|안\s*됨", _I)
# A reinstall for another reason: a version pinned or changed, a CUDA or cuDNN to match ("pip install
# --force-reinstall onnxruntime-gpu==1.17 for CUDA 11.8 fixed it" is the version's fix).
_OTHER_REASON = lazy(r"==|\b(?:cuda|cudnn|tensorrt|versions?|upgrad\w*|downgrad\w*|updat\w*|latest|older|newer)\b"
                     # a library the loader could not find: the reinstall fixed an incomplete install or a path
                     # (onnxruntime's "libcublasLt.so.11: cannot open shared object file", "LoadLibrary failed … .dll")
                     r"|\.so(?:\.\d+)*\b|\.dll\b|shared\s+object|cannot\s+open|\blibcu\w+"
                     r"|升级|降级|版本", _I)
# The reinstall's object must be the GPU package: right after the verb ("reinstalling onnxruntime-gpu",
# "pip install --force-reinstall onnxruntime-gpu", "重新安装onnxruntime-gpu"), inside "uninstall … and
# install … again", or right before it ("onnxruntime-gpu を再インストール", "onnxruntime-gpu 재설치").
# "After reinstalling the NVIDIA driver, onnxruntime-gpu uses the GPU" is the driver's reinstall.
_OBJECT_AFTER = lazy(r"^[\s`'\"]*(?:(?:the|my|a|it|package|pip|python3?|-m|-U|--upgrade|--no-cache-dir|--no-deps|-y|again|"
                     r"and|then|also|both)\s+[`'\"]?)*$", _I)
_OBJECT_BEFORE = lazy(r"^[\s`'\"]*(?:を|를|을|,)?\s*$", _I)


# What "uninstall X and install … again" took out, when X is not the framework: "I uninstalled the
# NVIDIA driver and installed onnxruntime-gpu again" is the driver's fix.
_OTHER_OBJECT = lazy(r"\b(?:drivers?|python\d*|cuda|cudnn|tensorrt|(?:py)?torch|windows|visual|vc\+\+|conda|anaconda|venv"
                     r"|environment|msvc|redistributable)\b", _I)


def _object(s: str, again: re.Match) -> Optional[re.Match]:
    """The GPU package the reinstall at ``again`` is of, or None."""
    if _OTHER_OBJECT.search(again.group(0)):
        return None
    for pkg in _GPU_PACKAGE.finditer(s):
        if again.start() <= pkg.start() < again.end() \
                or pkg.start() >= again.end() and _OBJECT_AFTER.match(s[again.end():pkg.start()]) \
                or pkg.end() <= again.start() and _OBJECT_BEFORE.match(s[pkg.end():again.start()]):
            return pkg
    return None


_SENTENCE = lazy(r"(?:[^.!;?。！；？\n]|\.(?=\S))+[.!;?。！；？]?")


def _claim(line: str) -> Optional[Tuple[re.Match, str]]:
    if len(line) > 600:
        return None  # a log line, not a person's sentence
    for m in _SENTENCE.finditer(line):
        s = m.group(0)
        again = _REINSTALL.search(s) if _GPU_PACKAGE.search(s) else None
        pkg = _object(s, again) if again else None
        result = _RESULT.search(s) if pkg else None
        if result is None or _DENIED.search(s) or _OTHER_REASON.search(s):
            continue
        at, to = m.start() + again.start(), m.start() + again.end()
        if asked(line, m.end(), clause=False) or general_statement(line, at, to) or not_here_now(line, at, to):
            continue
        return m, f"{pkg.group(1).lower()}-gpu"
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing("-gpu", "_gpu", ignorecase=True):
        found = _claim(doc.lines[i])
        if found is None:
            continue
        m, gpu = found
        f.note(f"{REINSTALL_SAID}{gpu} — “{' '.join(m.group(0).split())[:160]}” (line {i + 1})")
        f.item("python.packages", gpu, PythonPackage(gpu, ""), i)
        break
    return f
