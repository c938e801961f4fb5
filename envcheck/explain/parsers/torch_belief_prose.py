"""A CUDA build of torch a person believed they had, then found they had not: "I thought I had
the cuda version but it didn't for some reason", "I assumed I had installed the GPU version of
pytorch, but I hadn't", "I thought it was the CUDA build, but it turned out to be the CPU one";
Chinese "以为装的是GPU版本，结果是CPU版本" (I thought I had installed the GPU version; it was the
CPU one); Japanese "GPU版を入れたつもりがCPU版だった" (I meant to have put in the GPU version; it
was the CPU one). Not a program's message: a person's words, read from prose.

The belief corrected is the claim: what they had is a build without CUDA. Whose build: torch's,
where the sentence names torch, or where the text names no other framework at all (the same
default as freetext's "the cpu version got installed"); a sentence or text about onnxruntime,
TensorFlow, paddle … and not torch is theirs (``framework_builds`` reads those).

Not a claim: a belief kept ("I thought I had the cuda version, and I do"), the CUDA build had but
failing otherwise ("I thought I had the cuda version but it didn't work / detect the GPU" — the
words after the denial must end there or give a reason: "for some reason", "because", "so"), a
question, a condition ("if …"), another machine ("on my old laptop …"). A claim of what happened
(rank ``OUTCOME``, as torch_build_prose's); findings on it are "likely". A thread whose reporter
then says "it works fine now after reinstalling the cuda version" keeps the finding (the cause)
and ``resolved`` makes it a warning.
"""

from __future__ import annotations

import re

from envcheck.explain.parsers.torch_build_prose import other_frameworks
from envcheck.explain.partial import OUTCOME, STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked, clause_start, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

# Cheap literals every alternative of _BELIEF holds (the gate: lines without one are not read).
_NEEDLES = ("thought", "assumed", "believed", "sure", "convinced", "figured", "以为", "以為", "つもり")

# "I thought / assumed / was sure (that)", then what was had: "I had / I installed / I was using",
# "it / torch was", then the CUDA build: "the cuda version", "the GPU build of pytorch", "a
# CUDA-enabled wheel", "pytorch with CUDA (support)".
_EN_BELIEF = (r"\bI(?:'d|\s+had)?\s+(?:(?:always|just|really|honestly)\s+)?(?:thought|assumed|believed|figured"
              r"|was\s+(?:sure|convinced|under\s+the\s+impression))\s+(?:that\s+)?")
_EN_HAD = (r"(?:I(?:'d|\s+had|\s+have|\s+installed|\s+had\s+installed|\s+was\s+using|\s+was\s+running|\s+got|\s+downloaded)"
           r"|(?:it|torch|pytorch|this|that|mine)\s+(?:was|is|had\s+been))\s+(?:already\s+)?(?:installed\s+)?(?:with\s+)?")
_EN_BUILD = (r"(?:(?:the|a|an)\s+)?(?:cuda|gpu)(?:[- ]?(?:enabled|capable|supported|accelerated))?"
             r"(?:[- ](?:version|build|wheel|variant|one|edition|package))?(?:\s+of\s+(?:py)?torch)?"
             r"|(?:py)?torch\s+(?:with|for)\s+(?:cuda|gpu)(?:\s+support)?")
# The belief taken back, right after "but": "it didn't / I hadn't / it wasn't" ending there or with
# a reason ("for some reason", "because", ", so I …"), "it was (actually) the CPU one", "it turned
# out (that) it wasn't / to be the CPU build".
_EN_NOT = (r"(?:(?:it|I|that|this|torch|pytorch)\s+)?(?:didn't|did\s+not|wasn't|was\s+not|hadn't|had\s+not|isn't|is\s+not"
           r"|don't|do\s+not)(?:\s+(?:have(?:\s+it|\s+that|\s+one)?|actually|really))?"
           r"(?=\s*(?:[.,;!)]|$)|\s+(?:for|because|since|and|so|after\s+all)\b)"
           r"|(?:it\s+|that\s+)?(?:was|is)\s+(?:actually\s+|really\s+|just\s+)?(?:the\s+|a\s+)?cpu\b"
           r"|(?:it\s+)?turn(?:ed|s)\s+out\s+(?:that\s+)?(?:(?:it|I|torch|pytorch)\s+)?(?:(?:didn't|did\s+not|wasn't|was\s+not"
           r"|hadn't|had\s+not|isn't)\b|(?:to\s+be|was|is|had)\s+(?:the\s+|a\s+)?cpu\b)")
_BELIEF = lazy(
    rf"{_EN_BELIEF}(?:{_EN_HAD})(?:{_EN_BUILD})\b[^.;!?]{{0,30}}?\s*,?\s*\b(?:but|yet)\s+(?:{_EN_NOT})"
    # Chinese: 以为(我)(已经)装/安装的是 GPU/CUDA 版(本)(的torch)，结果/其实/实际/但 是/装的是 CPU
    r"|以[为為]\s*(?:我\s*)?(?:已经\s*)?(?:安装|装|裝|安裝)(?:的|了)?\s*(?:是\s*)?(?:gpu|cuda)\s*(?:版本?|版的)\s*(?:的\s*)?"
    r"(?:py)?(?:torch)?[^。；;]{0,8}?(?:结果|結果|其实|其實|实际上?|實際上?|没想到|但|却|卻)\s*(?:是|装的是|安装的是|却是|卻是)?\s*cpu"
    # Japanese: GPU/CUDA版(のtorch)を入れた/インストールしたつもりが … CPU版
    r"|(?:gpu|cuda)\s*版\s*(?:の\s*(?:py)?torch\s*)?を?\s*(?:入れた|インストールした)\s*つもり(?:が|でしたが|だったが)[^。]{0,15}?cpu\s*版",
    _I)
# A condition before it in its clause ("if you thought you had …", "in case I thought …").
_IF = lazy(r"\b(?:if|unless|in\s+case|whether)\b[^.;!?]*$|(?:如果|假如|もし)[^。；]*$", _I)
# Another framework named in the text (module or package), as torch_build_prose knows them.
_OTHER = lazy(r"(?<![A-Za-z0-9_.-])(?:onnx\s?runtime|tensorflow|tf-nightly|paddle\w*|faiss|mxnet|jax(?:lib)?"
              r"|cupy|ctranslate2|llama[-_.]?cpp|openvino|tensorrt)(?![A-Za-z0-9_])", _I)
_OTHER_NEEDLES = ("onnx", "tensorflow", "tf-nightly", "paddle", "faiss", "mxnet", "jax", "cupy", "ctranslate2",
                  "llama", "openvino", "tensorrt")
_TORCH = lazy(r"(?<![\w-])(?:py)?torch\b", _I)
# A build named as one: "the cuda version", "a GPU build", "pytorch with cuda". A bare "I thought I had
# CUDA / a GPU" is about the toolkit or the hardware (review of round 26), not torch's build.
_BUILD_WORD = lazy(r"\b(?:version|build|wheel|variant|one|edition|package)\b|torch|版", _I)


def _whose_is_torch(doc: Pasted, sentence: str, line: str, start: int, end: int) -> bool:
    """The build believed is torch's: the sentence names torch, or neither it nor the text
    names another framework (a text about onnxruntime alone is onnxruntime's)."""
    if _TORCH.search(sentence):
        return True
    if other_frameworks(sentence, line, start, end):
        return False
    return not any(_OTHER.search(doc.lines[j]) for j in doc.lines_containing(*_OTHER_NEEDLES))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i in doc.lines_containing(*_NEEDLES):
        line = doc.lines[i]
        if len(line) > 600:
            continue  # a log line: not a person's sentence
        for m in _BELIEF.finditer(line):
            sentence = sentence_around(line, m.start(), m.end())
            if (not _BUILD_WORD.search(m.group()) or asked(line, m.end(), clause=False) or _IF.search(line, clause_start(line, m.start()), m.start())
                    or not_here_now(line, m.start(), m.end(), people=False)
                    or not _whose_is_torch(doc, sentence, line, m.start(), m.end())):
                continue
            f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=OUTCOME,
                   detail=f"{STATED_DETAIL}: CPU-only build, the CUDA build believed installed was not "
                          f"({line.strip()[:200]})")
            f.set("torch.installed", True, i)
            return f
    return f
