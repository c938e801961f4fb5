"""A person saying that building or installing compiled CUDA code fails, in their own words, where
the compiler's message itself is not in the text (a screenshot, a summary): "whern i install
tiny_cuda_nn,there have a erroe", "python setup.py build develop fails", "编译 mmcv 时报错",
"flash-attn のビルドでエラーが出ます", "apex 빌드 중 오류가 발생", "при сборке pytorch3d ошибка",
"error al compilar detectron2", "Fehler beim Kompilieren der CUDA-Extension".

What is built must be compiled code: a CUDA extension named (tiny-cuda-nn, apex, flash-attn,
xFormers, detectron2, mmcv, pytorch3d, spconv, PyG's torch-scatter family, the Gaussian-splatting
rasterizers, nvdiffrast, DeepSpeed's ops, mamba-ssm, …) or the build's own words (setup.py, cmake,
nvcc, "CUDA extension", "custom ops", "from source"). Installing torch or a pure-Python package is
not this. The verb and the failure must share the sentence. Not from a question, advice, another
machine or a time before, nor a failure said to be over.

Read by ``parsers/toolkit_arch_said.py`` into a note (``derived.toolkit_arch_said.BUILD_FAILED_SAID``);
``rules/toolkit_arch.py`` weighs it as it weighs a failed build's own message: beside a CUDA release
older than the GPU's first CUDA, the toolkit is likely too old to build for it.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.explain.sentences import asked, general_statement, not_here_now, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE

# Building or installing, in several languages.
_VERB = (r"(?:\binstall\w*|\bbuild\w*|\bcompil\w*|\bsetup\.py\b|\bcmake\b|\bmake\b(?!\s+sure\b)|\bpip\s+install\b|"
         r"编译|安装|構建|构建|ビルド|コンパイル|インストール|빌드|컴파일|설치|"
         r"\bсобр\w*|\bсборк\w*|\bкомпил\w*|\bустанов\w*|\binstal\w*|\bkompil\w*|\bconstru\w*)")
# A failure.
_FAILED = (r"(?:\berr\w*|\bfail\w*|\bcrash\w*|报错|錯誤|错误|失败|失敗|出错|エラー|에러|오류|실패|\bошибк\w*|\bне\s+удал\w*|"
           r"\bfall[aó]\w*|\bfallo\b|\bfalh\w*|\bFehler\b|\bfehlgeschlagen\b|\bschl[äa]gt\s+fehl\b|\berreur\b|\b[ée]chou\w*)")
# What is built: compiled CUDA code.
_COMPILED = (r"(?:tiny[-_ ]?cuda[-_ ]?nn|tinycudann|\bapex\b|flash[-_ ]?att\w*|xformers|detectron2|\bmmcv\w*|mmdet3d|pytorch3d|"
             r"spconv|torch[-_](?:scatter|sparse|cluster|spline[-_]conv)|pointnet2\w*|knn[-_]cuda|chamfer\w*|"
             r"diff[-_]gaussian[-_]rasterization|simple[-_]knn|gsplat|nvdiffrast|kaolin|deepspeed|mamba[-_]ssm|"
             r"causal[-_]conv1d|\bdcn(?:v[234])?\b|deformable[-_ ]conv\w*|maskrcnn[-_]benchmark|warp[-_]?ctc|"
             r"llama[-_]cpp[-_]python|auto[-_]gptq|exllama\w*|sageattention|\bsetup\.py\b|\bcmake\b|\bnvcc\b|"
             # an extension of torch's or CUDA's, not an editor's or a browser's ("the Python extension in VS Code")
             r"(?:cuda|c\+\+|cpp|torch|pytorch)[-_ ]ext\w*|\bextensions?\s+(?:module|build|ops?)\b|custom\s+ops?\b|\bops\b|"
             r"from\s+source|\bkernels?\b|"
             r"扩展|拡張|확장|расширени\w*|erweiterung)")
_VERB_RE = lazy(_VERB, _I)
_FAILED_RE = lazy(_FAILED, _I)
_COMPILED_RE = lazy(_COMPILED, _I)
# Installing torch itself or asking how to: not a build of compiled code.
_NOT_BUILT = lazy(r"\b(?:install\w*|pip\s+install)\s+(?:the\s+)?(?:py)?torch\b(?![-_])", _I)

# Needles for Pasted.lines_containing (lower case): the failure words.
NEEDLES = ("err", "fail", "crash", "报错", "錯誤", "错误", "失败", "失敗", "出错", "エラー", "에러", "오류", "실패",
           "ошибк", "не удал", "fall", "falh", "fehler", "fehlgeschlagen", "fehl", "erreur", "chou")


# The failure denied just before its word: "without errors", "no error", "didn't fail", "never fails".
_DENIED_BEFORE = lazy(r"(?:\b(?:without|no|never|zero|any|sin|ohne|keine?|sem|sans|без)|n[o'’]?t|没有|没|無|없이)\s*(?:\w+\s+)?$", _I)
# The failure denied just after its word, or the word naming no failure (review of round 28): "エラーなしで",
# "エラーなく", "오류 없이", "error handling", "error reporting", "error checking".
_DENIED_AFTER = lazy(r"\s*(?:なし|無し|なく|は(?:ありません|出ません|出なかった)|が出ずに|없이|없었|\s(?:handling|reporting|checking)\b)", _I)
# The failure in a clause of its own after the build said to go through ("I installed xformers from the
# wheel without problems, but training crashes"): what fails is not the build (review of round 28).
_CLAUSE_TURN = lazy(r"\b(?:but|however|though|although|yet|whereas)\b|[,;]\s*(?:then|and\s+then)\b", _I)
_WENT_THROUGH = lazy(r"\bwithout\s+(?:any\s+)?(?:problems?|errors?|issues?)\b|\bsuccess\w*|\bfine\b|\bno\s+(?:problems?|errors?|issues?)\b"
                     r"|\b(?:worked|works|went\s+through|went\s+well)\b", _I)
# The failure's reason named, and it is not the GPU's architecture: a missing host compiler, headers,
# a Python module, memory or disk (review of round 28: "fails with error: Microsoft Visual C++ 14.0 or
# greater is required" beside an RTX 4090 and CUDA 11.7 is no toolkit too old).
_OTHER_REASON = lazy(r"visual\s+c\+\+|\bmsvc\b|\bcl\.exe\b|\bgcc\b|\bg\+\+|python\.h|\bno\s+module\s+named\b"
                     r"|\bmodulenotfounderror\b|\bout\s+of\s+memory\b|\bno\s+space\b|\bpermission\s+denied\b|\bninja\b"
                     r"|\bcuda_home\b|\bunsupported\s+python\b|\bpython\s+3\.\d+\s+is\s+not\s+supported\b", _I)
# A sentence end: "setup.py" and "torch.utils" are none.
_END = lazy(r"[.!?;。！？](?=\s|$)")
# The failure over in the same sentence: "failed at first, but after upgrading to CUDA 11.8 it built fine".
_OVER_AFTER = lazy(r"\b(?:but|then|until|now|after|so)\b[^.!?;]{0,80}?\b(?:works?|worked|built|builds|compiled|installed|"
                   r"fine|succe\w*|solved|fixed|resolved)\b|\bat\s+first\b", _I)


def _bounds(line: str, start: int, end: int) -> Tuple[int, int]:
    """Where the sentence of ``line`` that holds ``start``..``end`` begins and ends."""
    ends = [m.end() for m in _END.finditer(line)]
    return max((e for e in ends if e <= start), default=0), min((e for e in ends if e >= end), default=len(line))


# The verbs' literals, lower case: a line holding none of them is left before any pattern runs.
_VERB_LITERALS = ("install", "build", "compil", "setup.py", "cmake", "make", "编译", "安装", "構建", "构建", "ビルド",
                  "コンパイル", "インストール", "빌드", "컴파일", "설치", "собр", "сборк", "компил", "установ", "instal",
                  "kompil", "constru")


def build_failed_line(line: str) -> Optional[Tuple[int, str]]:
    """(where, the sentence) of the first sentence of ``line`` saying that building compiled CUDA
    code fails, read from the line alone; None when there is none."""
    if len(line) > 600 or line.lstrip().startswith(">") or "|" in line:
        return None
    low = line.lower()
    if not any(v in low for v in _VERB_LITERALS):
        return None
    for m in _FAILED_RE.finditer(line):
        first, last = _bounds(line, m.start(), m.end())
        sentence = line[first:last]
        if _DENIED_BEFORE.search(line[max(first, m.start() - 30):m.start()]):
            continue  # "built apex without errors", "the build didn't fail", "no error"
        if _DENIED_AFTER.match(line, m.end()):
            continue  # "エラーなしで成功", "오류 없이", "error handling"
        if _OVER_AFTER.search(line[first:last]):
            continue  # "failed at first, but after upgrading CUDA it built fine"
        turn = [t for t in _CLAUSE_TURN.finditer(line, first, m.start()) if _WENT_THROUGH.search(line, first, t.start())]
        clause = line[turn[-1].end():last] if turn else sentence  # the failure's own clause
        if not (_VERB_RE.search(clause) and _COMPILED_RE.search(clause)) or _NOT_BUILT.search(sentence):
            continue
        if _OTHER_REASON.search(sentence):
            continue  # the build failed for a reason named, not the architecture
        if asked(line, m.end(), clause=False) or general_statement(line, m.start(), m.end()):
            continue
        if not_here_now(line, m.start(), m.end()):
            continue
        return m.start(), " ".join(sentence.split())[:160]
    return None


def build_failed(doc: Pasted) -> Optional[str]:
    """The first sentence of the text saying that building compiled CUDA code fails, quoted with
    its line, where no later words say it works now; None when there is none."""
    for i, (at, sentence) in doc.where(build_failed_line, *NEEDLES, ignorecase=True):
        if not working_after(doc.lines, i, at):
            return f"“{sentence}” (line {i + 1})"
    return None
