"""Two more ways a person says a CUDA library is missing, beside naming the file as missing
(``library_missing_prose.py``, which calls these on the lines it did not claim):

* the file the program wants is not the one installed: "the new DLL from Nvidia is called
  cudnn64_6.dll; the latest build of TensorFlow requires that to be cudnn64_5.dll", "Tensorflow is
  searching for 'cudnn64_5.dll' ... installs the following dll: 'cudnn64_6.dll'", "paddlepaddle依赖的库是
  cudnn64_7.dll，…，找到的是cudnn64_8.dll", "it need libcudart.so.10.0 … my libcudart.so is
  libcudart.so.11.0". Both files on one line, of one family (rules/libraries.family) and of two majors
  (rules/libraries.major): the wanted one is what is missing. A list of what each version requires
  (TensorFlow's own "TensorFlow 1.3 or later requires cuDNN 6. ('cudnn64_6.dll')") has no file said
  to be had, and the wanted file also said to be had is no miss;
* the library named by its family, not by a file: "Could not find cudnn library (looked for v5[.1])"
  (Theano's gpuarray/dnn.py raises it), "找不到CUDNN库", "the cuBLAS DLLs are missing", "it cannot find
  libcudart". A family word with a library word (library, lib, DLL, DSO, 库, ライブラリ, 라이브러리) or
  the "lib" prefix, and the person's word for "not there" in the same clause.

The same guards as the file form: not a log line, no denial, question or fix (on the whole line here:
these forms are looser), and not CMake's status that a build goes on without the library ("Could NOT
find CUDNN", "cuDNN not found. Compiling without cuDNN support": a build option, not a failure).
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.lazyre import lazy

_I = re.IGNORECASE
# The families' stems, longest first (rules/libraries.FAMILIES; explain/ does not import rules/, which
# checks the name again before any finding).
_STEMS = ("cublaslt", "cublas", "cudart", "cudnn", "cufft", "curand", "cusolver", "cusparse", "nvrtc", "nvjitlink", "nccl")
# A file name's major as rules/libraries.major reads it: glibc's soname (libcudart.so.11.0), Windows' "64_N"
# (cublas64_12.dll, cudart64_110.dll: CUDA 11.0 written without the dot).
_MAJOR = lazy(r"\.so\.(\d+)|64_(\d+)")

# A library's file name: "cudnn64_8.dll", "cudnn_ops_infer64_8.dll", "libcublasLt.so.11", "libcudnn.so".
# NCCL's optional plugins (libnccl-net.so …) are not NCCL; rules/libraries.family checks the name again.
# Bounded by ASCII word characters only: CJK text runs into the name without a space ("找不到cudnn64_8.dll吗").
LIBRARY_FILE = lazy(r"(?<![A-Za-z0-9_.-])(?:lib)?(?:cudnn|cublas|cudart|cufft|curand|cusolver|cusparse|nvrtc|nvjitlink|nccl(?![-_]))"
                    r"[\w-]{0,40}\.(?:dll|so(?:\.\d{1,3}){0,3})(?![A-Za-z0-9_])", _I)
# The program wants the file: the verb, then the file within the sentence (no stop between them).
_WANT = lazy(r"(?:\b(?:requires?|required|needs?|needed|expects?|expected|wants?|wanted|look(?:s|ing)?\s+for|searche?s?(?:ing)?\s+for"
             r"|depends?\s+on|depending\s+on|asks?\s+for|asking\s+for|tr(?:y|ies|ying)\s+to\s+load|links?\s+against)\b"
             r"|依赖|需要|要求|找的是|在找|寻找|を探して|必要|필요)[^.!?;。！？；\n]{0,80}?$", _I)
# The cheap first look for _WANT: one of its words anywhere on the line.
_WANT_WORD = lazy(r"requir|need|expect|want|look|search|depend|ask|load|link|依赖|需要|要求|找的是|在找|寻找|探して|必要|필요", _I)
# The person has another file: the word just before it.
_HAVE = lazy(r"(?:\b(?:is\s+called|are\s+called|named|installs?|installed|(?:i|we)\s+(?:only\s+)?(?:have|had|got)|found"
             r"|ships?|shipped|comes?\s+with|provides?|only\s+has|there\s+is\s+only|my\s+[\w.-]{1,40}\s+(?:is|are))\b"
             r"|找到的是|安装的是|装的是|只有|インストールされているのは|설치된\s*것은)[^.!?;。！？；\n]{0,60}?$", _I)
# A family named as a library, not a file: "cudnn library", "cuBLAS DLLs", "CUDNN库", "libcudart" (no extension),
# "cuDNN ライブラリ", "cudnn 라이브러리", and with the library word first in ru/es/pt/fr/de/tr/vi.
_FAMILY = lazy(r"(?<![A-Za-z0-9_.\\/-])(?:(?:cudnn|cublas(?:lt)?|cudart|cufft|curand|cusolver|cusparse|nvrtc)(?:64)?"
               r"\s{0,2}(?:shared\s+)?(?:librar(?:y|ies)|libs?\b|dlls?\b|dso\b|库|ライブラリ|라이브러리|kütüphanes\w{0,3})"
               r"|lib(?:cudnn|cublas(?:lt)?|cudart|cufft|curand|cusolver|cusparse|nvrtc)(?![\w.-])"
               # the library word first: "библиотека cudnn", "la librería cuDNN", "die Bibliothek cuBLAS", "thư viện cudnn"
               r"|(?:библиотек\w{0,3}|librer[ií]as?|bibliotecas?|biblioth[eè]ques?|Bibliothek(?:en)?|kütüphanes\w{0,3}|thư\s+viện)"
               r"\s{1,2}(?:lib)?(?:cudnn|cublas(?:lt)?|cudart|cufft|curand|cusolver|cusparse|nvrtc)(?![\w.-]))", _I)
# The wanting program is an older release than the one in use: "The old release needed cudnn64_7.dll; I have
# cudnn64_8.dll and use the new release" (round 26 review).
_PAST_RELEASE = lazy(r"\b(?:old|older|previous|earlier)\s+(?:release|version|build)s?\b", re.IGNORECASE)
# CMake's find module and PyTorch's build status: the build goes on without the library.
_BUILD = lazy(r"Could NOT find|compiling without|building without|build(?:ing)? without|will be disabled|\bUSE_\w+\b"
              r"|-- |CMake", 0)


def family(name: str) -> Optional[str]:
    base = re.split(r"[/\\\\]", name)[-1].lower()
    base = base[3:] if base.startswith("lib") else base
    return next((f for f in _STEMS if base.startswith(f)), None)


def major(name: str) -> Optional[str]:
    m = _MAJOR.search(name)
    if not m:
        return None
    digits = m.group(1) or m.group(2)
    return digits[:-1] if len(digits) == 3 else digits


def wanted_not_had(line: str, missing, denied, asked) -> Optional[Tuple[str, str]]:
    """(the wanted file, the line) where the line says the program wants one file and the person has
    another of the same family and another major; ``missing``/``denied``/``asked`` are the calling
    module's patterns (a denial or fix anywhere on the line, a question in the wanted file's sentence)."""
    files = list(LIBRARY_FILE.finditer(line))
    if len(files) < 2 or _WANT_WORD.search(line) is None or denied.search(line):
        return None
    wanted: List[str] = []
    had: List[str] = []
    for m in files:
        before = line[:m.start()]
        if _WANT.search(before):
            after = re.match(r"[^!?;。！？；\n]*?(?:[.!?;。！？；](?=\s|$)|$)", line[m.end():])
            sentence = re.split(r"[.!?;。！？；](?=\s|$)", before)[-1] + m.group(0) + (after.group(0) if after else "")
            if not asked.search(sentence) and not _PAST_RELEASE.search(sentence):
                wanted.append(m.group(0))
        elif _HAVE.search(before):
            had.append(m.group(0))
    # Two majors of one family wanted ("TensorRT 8.6 needs libcudnn.so.8 …, TensorRT 10 needs libcudnn.so.9"):
    # a comparison of programs, not this one's miss (round 26 review).
    if len({(family(w), major(w)) for w in wanted}) != len({family(w) for w in wanted}):
        return None
    for w in wanted:
        fam, want = family(w), major(w)
        if fam is None or want is None:
            continue
        others = [h for h in had if family(h) == fam and major(h) not in (None, want)]
        if others and not any(major(h) == want and family(h) == fam for h in had):
            return w, line.strip()
    return None


def family_said_missing(line: str, missing, denied, asked, clauses) -> Optional[Tuple[str, str]]:
    """(the family as written, the clause) where a clause names a CUDA library by its family and says
    it is not there, and the line is no build status, denial or fix."""
    if not missing.search(line) or _FAMILY.search(line) is None or _BUILD.search(line) or denied.search(line):
        return None
    for clause in clauses.findall(line):
        m = _FAMILY.search(clause)
        if m is None or not missing.search(clause) or asked.search(clause):
            continue
        name = next((w for w in m.group(0).split() if family(w)), "")
        if family(name) is None:
            continue
        return name, clause.strip()
    return None
