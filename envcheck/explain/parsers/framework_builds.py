"""Which build of a framework other than PyTorch a paste shows: TensorFlow's version where a
report gives it outside a package listing, and a person saying the CPU build of a framework
is what is installed.

* **TensorFlow's version.** TensorFlow's issue template ("### TensorFlow version" then
  "tf 2.16" or "v2.12.0-rc1-12-g0db597d0d75 2.12.0" on a line of its own; the older
  "TensorFlow version (use command below): 2.1.0") and a script printing it ("TensorFlow
  version: 2.16.1", "Tensor Flow Version: 2.12.0"). Recorded as the ``tensorflow`` package
  at rank ``STATED`` (a listing outranks it): TensorFlow 2.11 and later have no CUDA build
  for native Windows (rules/framework_build.py).
* **A person saying the CPU build is installed**: "I installed the CPU version of paddle",
  "jaxlib is the CPU-only build", "the venv had plain onnxruntime (CPU build) instead of
  onnxruntime-gpu", "装的是CPU版的paddle" (Chinese), "CPU版のjaxlib" (Japanese), "CPU 버전
  paddle" (Korean). The framework's CPU package becomes a ``python.packages`` item at rank
  ``STATED`` with an empty version. A question, advice, a condition or a denial ("should I
  install the CPU version of jax?", "make sure you don't install onnxruntime", "not the CPU
  version") is not the machine's state. Both packages of a pair named together ("onnxruntime
  and onnxruntime-gpu are both installed") are framework_packages.py's.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.facts import PythonPackage
from envcheck.lazyre import lazy

SOURCE = "framework builds"
_I = re.IGNORECASE

# ---------------------------------------------------------------- TensorFlow's version
_TF_HEADING = lazy(r"^[#*\s-]{0,8}tensor\s?flow\s+version\b[^:\n]{0,40}?:?[*\s]*$", _I)
_TF_INLINE = lazy(r"\btensor\s?flow\s+version\b[^:=\n]{0,40}[:=]\s*(?:tf\s*)?v?(\d\.\d{1,2}(?:\.\d{1,2})?)\b", _I)
_VERSION = lazy(r"(?<![\w.])(?:tf\s*|v)?(\d\.\d{1,2}(?:\.\d{1,2})?)(?![\w.])", _I)


def _template_version(doc: Pasted, i: int) -> Optional[Tuple[int, str]]:
    """The version on the first non-empty line after a "TensorFlow version" heading (the
    last version-like token: "v2.12.0-rc1-12-g0db597d0d75 2.12.0" gives 2.12.0)."""
    for j in range(i + 1, min(i + 4, len(doc.lines))):
        line = doc.lines[j].strip().strip("`")
        if not line:
            continue
        if len(line) > 80 or line.startswith("#"):
            return None
        found = _VERSION.findall(line)
        return (j, found[-1]) if found else None
    return None


def _tensorflow_version(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("version", ignorecase=True):
        line = doc.lines[i]
        if len(line) > 300 or "flow" not in line.lower():
            continue
        m = _TF_INLINE.search(line)
        got = (i, m.group(1)) if m else (_template_version(doc, i) if _TF_HEADING.match(line) else None)
        if got is not None:
            f.item("python.packages", "tensorflow", PythonPackage("tensorflow", got[1]), got[0])
            return


# ---------------------------------------------------------------- a person naming the CPU build
# The frameworks a person names, and the CPU package each claim becomes.
_FRAMEWORKS: Tuple[Tuple["re.Pattern[str]", str], ...] = (
    (lazy(r"(?<![A-Za-z0-9_.-])jax(?:lib)?(?![A-Za-z0-9_-])", _I), "jaxlib"),
    (lazy(r"(?<![A-Za-z0-9_.-])(?:paddle\s?paddle|paddle)(?![A-Za-z0-9_-])|飞桨", _I), "paddlepaddle"),
    (lazy(r"(?<![A-Za-z0-9_.-])onnx\s?runtime(?![A-Za-z0-9_-])|(?<![A-Za-z0-9_.-])ort(?=\s+(?:package|wheel|build))", _I), "onnxruntime"),
    (lazy(r"(?<![A-Za-z0-9_.-])tensor\s?flow(?![A-Za-z0-9_-]|-cpu)|(?<![A-Za-z0-9_.-])tensorflow-cpu(?![A-Za-z0-9_-])", _I), "tensorflow-cpu"),
    (lazy(r"(?<![A-Za-z0-9_.-])faiss(?:-cpu)?(?![A-Za-z0-9_-])", _I), "faiss-cpu"),
    (lazy(r"(?<![A-Za-z0-9_.-])mxnet(?![A-Za-z0-9_-])", _I), "mxnet"),
    # llama.cpp's Python binding, built from source by pip: its CPU build is a build, not a package
    # name (rules/framework_build.py reads the claim, never a listing of it)
    (lazy(r"(?<![A-Za-z0-9_.-])llama[-_.]?cpp(?:[-_]python)?(?![A-Za-z0-9_-])", _I), "llama-cpp-python"),
)
# The build is the CPU one: "CPU version/build/wheel/package", "CPU-only", "plain X (CPU build)",
# "X instead of X-gpu", "non-GPU"; Chinese 版/版本, Japanese 版, Korean 버전.
_CPU_BUILD = lazy(
    r"\bcpu[\s-]*(?:only\s+)?(?:version|build|wheel|package|variant|edition)s?\b|\bcpu[\s-]only\b|\bnon[\s-]gpu\b"
    r"|\bwithout\s+(?:gpu|cuda)\s+support\b|\bno\s+(?:gpu|cuda)\s+support\b"
    # built or installed without the GPU backend: "llama-cpp-python was built without CUDA", "compiled
    # without cuBLAS", "installed without CMAKE_ARGS" (pip then builds llama.cpp for the CPU)
    r"|\b(?:built|compiled|installed|build)\s+(?:\w+\s+){0,3}?without\s+(?:the\s+)?(?:gpu|cuda|cublas|ggml_cuda|llama_cublas|cmake_args)\b"

    r"|cpu\s*(?:的)?\s*版本?|cpu\s*版|cpu\s*버전|versi[oó]n\s+(?:de\s+)?cpu\b|\bcpu-version\b", _I)
# "X instead of X-gpu" / "X, not X-gpu": the CPU package is the one there.
_INSTEAD = lazy(r"(?<![A-Za-z0-9_.-])(onnxruntime|paddlepaddle|faiss-cpu|tensorflow-cpu|jaxlib|mxnet)`?\*{0,2}"
                      r"[^.!?\n]{0,40}?\b(?:instead\s+of|rather\s+than|not)\s+`?"
                      r"(?:\1|onnxruntime|paddlepaddle|faiss|tensorflow|jaxlib|mxnet)?[-_]?(?:gpu|cuda)", _I)
# Installed, there, in use.
_THERE = lazy(r"\binstal+\w*|\bhave\b|\bhas\b|\bhad\b|\bgot\b|\bis\b|\bwas\b|\bare\b|\bwere\b|\busing\b|\buses\b"
                    r"|\bran\b|\bruns\b|\bpull\w*\b|\bcame\b|\bended\s+up\b|\bresolved\b"
                    r"|\binstalad\w*|\btenía\b|\binstalliert\b|\bwar\b"
                    r"|安装|装了|装的|装成|裝成|装上|用的|是|インストール|入って|설치", _I)
# Not the machine's state: advice, a condition, a question word, a denial, a plan.
_NOT_STATE = lazy(r"\b(?:if|whether|should|must|make\s+sure|ensure|avoid\w*|never|don't|do\s+not|doesn't"
                        r"|didn't|isn't|wasn't|not\s+the|no\s+longer|want\s+to|need\s+to|how\s+(?:to|do|can)"
                        r"|can\s+i|switch\s+(?:back\s+)?to|go\s+back\s+to|support\s+for|for\s+users|option|used\s+to|previously"
                        r"|originally|formerly|at\s+first"
                        # a time before this one (review of round 26): "back in version 0.1.x", "in older
                        # versions", "before I rebuilt it"
                        r"|back\s+in|in\s+(?:older|old|earlier|previous)\s+(?:versions?|releases?)"
                        r"|before\s+I\s+(?:re)?(?:built|build|installed|install|compiled))\b"
                        r"|不要|别|如果|是否|吗|ではない|しない|아니|않", _I)
# The state said changed later in the sentence: "…; now I install it with CMAKE_ARGS", "but now it
# offloads 35/35 layers".
_NOW_OTHERWISE = lazy(r"(?:[;,]|\bbut)\s*now\b|\bnow\s+(?:it|I|we)\s+(?:is|are|works?|offloads?|install\w*|uses?|runs?|build\w*|built)\b", _I)
# Upstream's own words that read like a person's ("you have installed CPU version PaddlePaddle").
_UPSTREAM = lazy(r"cannot use gpu because you have installed|using paddlepaddle cpu version|pybind\.cc|place\.cc", _I)
_SENTENCE = lazy(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_NEEDLES = ("cpu", "instead of", "rather than", "non-gpu", "non gpu", "without gpu", "without cuda", "no gpu support",
            "no cuda support", "without cublas", "without the cuda", "without the gpu", "without ggml_cuda",
            "without llama_cublas", "without cmake_args")


def _sentences(line: str):
    at = 0
    for part in _SENTENCE.split(line):
        start = line.find(part, at)
        yield start, part
        at = start + len(part)


# The CPU package named by its own name ("I had installed tensorflow-cpu by mistake", "faiss-cpu got
# pulled in"): said there only in the past or as a state (a bare "install" is a plan or advice), not
# denied right before it ("faiss-gpu, not faiss-cpu"), not quoted from a guide, not chosen on purpose,
# and not beside the GPU package in the same sentence (which of the two is there is then unsaid).
_NAMED_CPU = lazy(r"(?<![A-Za-z0-9_.-])(tensorflow-cpu|faiss-cpu)(?![A-Za-z0-9_-])", _I)
_NAMED_THERE = lazy(r"\binstalled\b|\bhad\b|\bhave\b|\bhas\b|\bgot\b|\bwas\b|\bis\b|\bwere\b|\busing\b|\bpulled\b|\bended\s+up\b"
                    r"|\bcame\b|安装了|装了|装的|装成|インストールされ|설치되", _I)
_NAMED_DENIED = lazy(r"\b(?:not|no|never|without|instead\s+of|rather\s+than)\s+(?:the\s+)?`?$", _I)
_NAMED_ELSEWHERE = lazy(r"\b(?:says?|said|tells?|recommends?|suggests?|readme|docs?|documentation|guide|tutorial"
                        r"|on\s+purpose|intentional\w*|deliberate\w*|ci\b|runners?)\b"
                        r"|(?<![A-Za-z0-9_.-])(?:tensorflow-gpu|faiss-gpu\S*|tensorflow\[and-cuda\])", _I)


def _named_cpu_package(sentence: str) -> Optional[str]:
    m = _NAMED_CPU.search(sentence)
    if m is None or not _NAMED_THERE.search(sentence) or _NAMED_DENIED.search(sentence, 0, m.start()) \
            or _NAMED_ELSEWHERE.search(sentence) or _NOT_STATE.search(sentence):
        return None
    return m.group(1).lower()


def _claim(sentence: str) -> Optional[str]:
    """The CPU package a sentence says is installed, if it says so."""
    named = _named_cpu_package(sentence)
    if named:
        return named
    m = _INSTEAD.search(sentence)
    if m and not _NOT_STATE.search(sentence[:m.start()]):
        name = m.group(1).lower()
        return {"faiss-cpu": "faiss-cpu", "tensorflow-cpu": "tensorflow-cpu"}.get(name, name)
    cpu = _CPU_BUILD.search(sentence)
    if cpu is None:
        return None
    for pattern, package in _FRAMEWORKS:
        fw = pattern.search(sentence)
        if fw is None or abs(fw.start() - cpu.start()) > 40:
            continue  # the CPU build of another thing ("the CPU version of torch works; jax …")
        there = _THERE.search(sentence)
        if there is None:
            return None
        claim = sentence[:max(cpu.end(), fw.end(), there.end())]
        if _NOT_STATE.search(claim) or _NOW_OTHERWISE.search(sentence, len(claim)):
            return None
        return package
    return None


def _cpu_build_claims(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing(*_NEEDLES, ignorecase=True):
        line = doc.lines[i]
        if len(line) > 600 or line.lstrip().startswith(("$", ">>>", "pip ", "conda ", "uv ", "RUN ", "#")):
            continue  # commands and listings are read by their own parsers
        if _UPSTREAM.search(line):
            continue  # the framework's own message, catalogued (messages.toml): not a person's words
        for start, sentence in _sentences(line):
            package = _claim(sentence)
            if package is None or asked(line, start, clause=False):
                continue
            f.item("python.packages", package, PythonPackage(package, ""), i)
            return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _tensorflow_version(doc, f)
    _cpu_build_claims(doc, f)
    return f
