"""A CPU-only torch told in a person's words that ``freetext`` does not take: "it forced a
non-CUDA version of Torch", "pip replaced torch with one without CUDA support", "a CPU-only
PyTorch got installed", "CPU 버전이 설치되었습니다" (the CPU version was installed, Korean),
"CPU版のPyTorchが入っていた" (Japanese), "installed Torch without the CUDA version", "pytorch CPU
instead of GPU", "no CUDA in the torch version", "pip pulled the CPU wheel" (torch named in the
line), "torch without GPU support", "不带CUDA的torch", "CUDAなしのtorch", "CUDA 없는 torch",
"PyTorch sin soporte para CUDA"; and a torch version with the CPU wheels' label quoted without the
package's name ("in System Info it says "2.0.0+cpu"").

A description alone is not the machine: the sentence must say the build got onto it
(installed, forced, replaced, downgraded, pulled in, 安装, インストール, 설치) and must not deny
it or ask ("not the CPU-only build", "should I install the non-CUDA version?"; a person's own
finding told with a doubtful "?" asks nothing: "I noticed that the torch is actually installed with
the cpu version?"), unless it says the CUDA build is missing ("missing cuda torch", "my torch is
missing CUDA"). Everything here is a claim (rank ``OUTCOME`` like freetext's "the cpu version got installed": what
happened outranks the install command's request), and a finding on it is "likely".
"""

from __future__ import annotations

import re
from typing import Callable, Dict, Optional

from envcheck.explain.partial import COPIED, OUTCOME, STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked, clause_start, not_here_now, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

_TORCH = r"(?:py)?torch"
# The build named without CUDA: "non-CUDA version of Torch", "CPU-only PyTorch", "torch
# without CUDA (support)", "CUDA-less torch", "a torch that has no CUDA"; Spanish "la versión
# CPU de PyTorch", "PyTorch sin CUDA"; German "die CPU-Version von PyTorch", "PyTorch ohne
# CUDA"; French "la version CPU de PyTorch", "PyTorch sans CUDA".
_NO_CUDA_BUILD = lazy(
    rf"\b(?:non[- ]?cuda|cuda[- ]?less|cpu[- ]only)\s+(?:(?:version|build|variant|wheel|copy)\s+of\s+)?{_TORCH}\b"
    rf"|\b{_TORCH}\s+(?:\w+\s+){{0,3}}?(?:without|with\s+no|lacking|sin|ohne|sans)\s+(?:any\s+|the\s+|a\s+)?"
    rf"(?:(?:soporte|support)\s+(?:de\s+|para\s+|f[üu]r\s+)?)?cuda\b"
    # "torch without GPU support", "torch without the GPU version": GPU alone ("torch on a machine
    # without a GPU") is a CPU-only machine, not a CPU build
    rf"|\b{_TORCH}\s+(?:\w+\s+){{0,3}}?(?:without|with\s+no|lacking)\s+(?:the\s+|any\s+)?gpu[- ]"
    rf"(?:support|version|build|enabled|acceleration)\b"
    # the build named by its variant after the name: "pytorch CPU instead of GPU", "uninstall the
    # pytorch CPU and install the GPU one", "torch CPU version" (not "torch CPU inference/threads")
    rf"|\b{_TORCH}\s+\(?cpu\)?(?:[- ](?:version|build|wheel|variant|edition))?(?=\s+instead\b|\s+and\b|\s*[.,;:)!]|\s*$)"
    # "no CUDA in the torch version", "there is no CUDA in my pytorch"
    rf"|\bno\s+cuda\s+(?:support\s+)?in\s+(?:the\s+|my\s+|this\s+)?{_TORCH}\b"
    # Chinese "不带CUDA的torch" (torch without CUDA), "不支持CUDA的pytorch"; Japanese "CUDAなしのtorch",
    # "CUDA非対応のPyTorch"; Korean "CUDA 없는 torch", "CUDA 미지원 torch"
    rf"|(?:不带|没有|不含|无|不支持)\s*cuda\s*(?:支持)?\s*的\s*(?:版本的?\s*)?{_TORCH}"
    rf"|cuda\s*(?:なし|無し|非対応)\s*の?\s*(?:版の?\s*)?{_TORCH}"
    rf"|cuda\s*(?:가\s*)?(?:없는|미지원)\s*(?:버전의?\s*)?{_TORCH}"
    rf"|\b{_TORCH}\s+(?:\(|\[)?(?:cpu[- ]only|non[- ]?cuda)\b"
    # what it was turned into: "downgraded torch to no cuda", "switched torch to a non-CUDA build"
    rf"|\b{_TORCH}\s+(?:\w+\s+){{0,2}}?(?:to|into)\s+(?:an?\s+)?(?:no|non)[- ]?cuda\b"
    rf"|\b(?:versi[oó]n|version|variante?|compilaci[oó]n)\s+(?:de\s+|para\s+)?(?:s[oó]lo\s+)?cpu\s+(?:de\s+|del\s+)?{_TORCH}\b"
    rf"|\bcpu[- ](?:version|variante?|build)\s+(?:von\s+)?{_TORCH}\b"
    # Korean "CPU 버전" (version) / Japanese "CPU版" after the words were split by a space
    r"|\bcpu\s*(?:전용\s*)?버전|\bcpu\s*専用", _I)
# The build named by its variant alone ("installed the non-CUDA version", "pip pulled the CPU wheel",
# "a CPU-only build got installed"): read where the line names torch and no other framework.
_VARIANT_ALONE = lazy(r"\b(?:the|a|an)\s+(?:non[- ]?cuda|cuda[- ]?less|cpu(?:[- ]only)?)\s+"
                            r"(?:version|build|wheel|variant|package|edition)\b", _I)
# The CUDA build said to be absent, which tells the machine's state without an event word:
# "missing cuda torch", "my torch is missing CUDA (support)", "pytorch lacks CUDA". Only where
# the sentence ends there (or says "support"): "missing CUDA torch instructions" and "torch is
# missing cuda libraries" are about something else.
_MISSING_CUDA = lazy(
    rf"\bmissing\s+(?:the\s+|a\s+)?cuda(?:[- ]enabled)?\s+(?:(?:version|build|wheel)\s+of\s+)?{_TORCH}\b(?!\s*[a-z(])"
    rf"|\b{_TORCH}\s+(?:(?:is|was)\s+)?(?:missing|lacks|lacking)\s+(?:the\s+)?cuda(?:\s+support)?\b(?!\s*[a-z(])"
    # "my torch has no CUDA (support)", "the installed pytorch had no CUDA"
    rf"|\b{_TORCH}\s+(?:build\s+|install\s+)?(?:has|had|comes\s+with)\s+no\s+cuda(?:\s+support\b|\b(?!\s*[a-z(]))", _I)
# An installer said not to give the CUDA build: "ltt_install_torch does not install CUDA version of
# pytorch", "pip won't install the GPU version of torch", "conda never installs the cuda build of
# pytorch", "没有安装GPU版本的torch" (did not install the GPU version). What it installed then
# is the CPU build (PyPI's default, or conda's cpu variant): a state, like _MISSING_CUDA.
_NOT_INSTALLED_CUDA = lazy(
    r"(?:\b(?:does|did|do|will|would)\s*n[o']t|\b(?:doesn't|didn't|don't|won't|never|cannot|can't)|\bfail(?:s|ed)?\s+to)"
    r"\s+(?:to\s+)?(?:install|pull|download|fetch|pick|resolve|get)\w*\s+(?:me\s+)?(?:the\s+|a\s+|any\s+)?"
    rf"(?:cuda|gpu)[- ]?(?:enabled\s+|capable\s+|supported\s+)?(?:(?:version|build|variant|wheel)s?\s+of\s+(?:the\s+)?{_TORCH}"
    rf"|{_TORCH})\b"
    r"|(?:没有|没|未|并未)(?:能)?(?:安装|装|下载)(?:上|到)?(?:的)?\s*(?:gpu|cuda)\s*(?:版本?|版的)\s*(?:的)?\s*(?:py)?torch", _I)
# "if it does not install …", "when pip doesn't pick the CUDA build": a condition, not an event.
_CONDITION = lazy(r"\b(?:if|when|whenever|unless|in\s+case|make\s+sure|ensure)\b[^.;!?。]*$|如果[^。；]*$", _I)
# A condition before the build named: "if it installed torch without CUDA, …", "如果安装的是不带CUDA的torch".
_IF = lazy(r"\b(?:if|unless|in\s+case|whether)\b[^.;!?。]*$|(?:如果|假如|若是|もし|만약)[^。；]*$", _I)
# What would, could, might or may have happened, in the build's clause: a counterfactual or a guess
# ("pip would have installed the cpu version of torch without the index URL", "pip might have
# installed the CPU version, I am not sure"), not what got onto the machine (review of round 25).
# "must have installed" is the person's inference from what they saw, and counts.
_GUESSED = lazy(r"\b(?:would|could|might|may)(?:\s+not|n't)?\s+have\s+(?:been\s+)?\w+", _I)
# Users in general as who gets the build, after a fix word in its sentence: a change's description ("This is intended to fix
# issues with the user getting a CPU-only version of torch": invoke-ai/InvokeAI#2532, a pull request),
# not this machine (review of round 25).
_USERS_GET = lazy(r"\b(?:fix\w*|prevent\w*|avoid\w*|address\w*|handl\w*)\b[^.;!?]{0,40}\b(?:the\s+)?(?:users?|people|everyone|anyone)"
                  r"\s+(?:\w+\s+)?(?:get\w*|got|end\w*\s+up|ended\s+up|receiv\w*)\b[^.;!?]{0,30}$", _I)
# The build described, not had: offered or said to exist ("there is also a CPU-only version of torch
# for people without a GPU", "the project page offers a CPU version"), or compared ("the CPU version of
# torch is 200 MB smaller", the build the sentence's subject) (review of round 25). "I have the CPU version" and "my torch is the CPU
# version" still tell the machine's.
_DESCRIBED_BEFORE = lazy(r"\b(?:there\s+(?:is|are|exists?)|offers?|provides?|ships?|publish(?:es)?)\s+(?:also\s+|still\s+)?"
                         r"(?:an?\s+|the\s+)?(?:separate\s+|smaller\s+|lighter\s+)?$", _I)
_DESCRIBED_AFTER = lazy(r"[^,.;!?]{0,20}?\b(?:is|are)\s+(?:\w+\s+)?(?:smaller|larger|bigger|lighter|faster|slower|available"
                        r"|\d+(?:\.\d+)?\s*[mg]i?b)\b", _I)
# The conda/conda-forge package that is the CPU build ("installs pytorch-cpu").
_CPU_PACKAGE = lazy(r"(?<![\w/.-])(?:py)?torch-cpu(?![-\w])", _I)
# The build got onto the machine ("instaló", "installiert", "installé" too).
_HAPPENED = lazy(r"\b(?:instal+\w*|forc\w*|replac\w*|downgrad\w*|overwr\w*|pull\w*\s+in|pulled|swapp?\w*|"
                       r"switch\w*|got|ended\s+up|came\s+with|brought|descarg\w*|herunterge\w*|wurde|dumb\w*\s+down|chang\w*|"
                       r"turn\w*|revert\w*|go(?:es|ing)?\s+back|went\s+back|gave|give[sn]?|resolv\w*"
                       # a resolver said to take it: "pip searches PyPI first, grabbing the non-cuda
                       # pytorch version", "uv picked up the CPU-only build"
                       r"|grabb?\w*|picked\s+up|picks\s+up|fetched)\b"
                       r"|安装|装了|インストール|入って|설치", _I)
_DENIED = lazy(r"(?:\bnot\b|n't\b|\binstead\s+of\b|\brather\s+than\b|\bno\s+longer\b|\bavoid\w*|\bprevent\w*"
                     r"|\bnicht\b|\bkeine?\b|\ben\s+vez\s+de\b|\bstatt\b)[^.;!?。]{0,30}$"
                     # Spanish/French "no se instaló …", "n'a pas installé …": only close before
                     r"|\b(?:no|pas)\b[^.;!?。]{0,18}$", _I)
# Korean and Japanese deny after the noun: "CPU 버전이 아니라" (not the CPU version), "CPU版ではない".
_DENIED_AFTER = lazy(r"^[^.;!?。]{0,8}(?:아니|않|ではな|じゃな)")
# The CPU build chosen on purpose (a machine meant to run on the CPU), in the sentence.
_CHOSEN = lazy(r"\b(?:on\s+purpose|intentional\w*|deliberate\w*|by\s+choice|a\s+prop[oó]sito|absichtlich"
                     r"|bewusst|expr[eè]s)\b|故意|特意|わざと|意図的|일부러|의도적"
                     # not this machine's state: one build tried in turn, or what a guide tells to do
                     r"|\b(?:tried|trying|tested|testing)\s+(?:out\s+)?(?:the\s+|a\s+|an\s+)?(?:cpu|non[- ]?cuda)"
                     r"|\b(?:says?|said|tells?|told|asks?|recommends?|suggests?)\s+(?:you\s+|us\s+|me\s+|people\s+)?to\s+"
                     r"(?:install|use)\b|\bfor\s+(?:the\s+)?ci\b"
                     # the build picked by name, or a reason given for it (sweep of session 14: CI
                     # set-ups that install the CPU wheel to save time): "explicitly installing the
                     # cpu-only version", "by specifying the CPU-only version", "does not need the
                     # GPU version", "to save download time"
                     r"|\b(?:explicit\w*\s+(?:install\w*|us\w*|pin\w*|cho\w*)|specify\w*|specified|pinn?\w*|cho(?:ose|osing|se)|select\w*)"
                     r"\s+(?:only\s+)?(?:the\s+|a\s+)?(?:cpu|non[- ]?cuda|[\[`'\"(]\+?cpu)"
                     r"|\b(?:does|do|did)\s*(?:n't|\s+not)\s+need\s+(?:the\s+|a\s+)?(?:gpu|cuda)"
                     r"|\bsav(?:e|es|ed|ing)\s+(?:\w+\s+){0,3}(?:time|space|disk|bandwidth|megabytes|gigabytes)\b", _I)


# Another framework's package or module: its CPU build ("the CPU version of onnxruntime",
# "onnxruntime(cpu version)", "tensorflow-cpu") is not PyTorch's.
# ASCII word edges: in "CPU版的paddle" the character before the name is a CJK letter, which \w counts.
_OTHER_FRAMEWORK = lazy(r"(?<![A-Za-z0-9_.-])(?:onnx\s?runtime|tensorflow|tf-nightly|paddle\w*|faiss|mxnet|jax(?:lib)?"
                              r"|cupy|ctranslate2|llama[-_.]?cpp|openvino|tensorrt)(?![A-Za-z0-9_])", re.IGNORECASE)


def other_frameworks(sentence: str, line: str, start: int, end: int) -> bool:
    """The CPU build named at ``line[start:end]`` belongs to another framework: the words right
    around it name one and not torch ("onnxruntime (cpu version)", "the CPU version of
    `onnxruntime`"), or its sentence names one and never torch."""
    # the package a build belongs to stands right before it ("onnxruntime (cpu version)") or
    # after "of" ("the CPU version of `onnxruntime`")
    before = line[max(0, start - 25):start]
    after = re.match(r"\s*(?:of|for|de|del|von|du)\s+(?:the\s+)?[`'\"]?([\w.-]+)", line[end:end + 40], re.I)
    named = after.group(1) if after else " ".join(before.split()[-2:])
    if _OTHER_FRAMEWORK.search(named) and not _NAMES_TORCH.search(named):
        return True
    return bool(_OTHER_FRAMEWORK.search(sentence)) and not _NAMES_TORCH.search(sentence)


# What already happened, in the clause itself: "自动下载了cpu版本，能否…？" (it downloaded the
# CPU version, could you …?) tells the event and then asks something else; "should I install
# the CPU version, or the CUDA one?" tells nothing.
_PAST = lazy(r"\b(?:installed|downloaded|got|ended\s+up|pulled|replaced|forced|switched|turned|came\s+with)\b"
                   r"|下载了|安装了|装了|装的是|下了|インストールされ|入って|설치되었|설치됐", _I)


# A person's own finding, told with a doubtful "?" ("I noticed that the torch is actually installed
# with the cpu version? (.cuda.is_available() = False)"): "I noticed / found / realized (that)" before
# the build, in its sentence, tells what they saw, not a question. Only where the "?" closes the
# claim itself (nothing but a few letters between) and the sentence does not open as a question
# ("Did I notice …", "Why …"); "Have you noticed that …?" and "I noticed the cpu version, should I
# install it?" still ask.
_OBSERVED = lazy(r"\bI(?:'ve|\s+have)?\s+(?:just\s+|then\s+|later\s+|also\s+|now\s+)?(?:noticed|found|realized|realised"
                 r"|saw|discovered|checked\s+and\s+(?:found|saw))\s+(?:out\s+)?(?:that\s+)?", _I)
_QUESTION_OPENS = lazy(r"^\s*(?:why|how|what|did|do|does|have|has|had|is|are|was|were|can|could|should|would|will|shall)\b", _I)


def _observed(line: str, start: int, end: int) -> bool:
    """The sentence holding ``line[start:end]`` reports what the person saw, its "?" a doubt."""
    cs = clause_start(line, start, ".!?;。！？")
    q = re.match(r"[\w\s]{0,12}[?？]", line[end:])
    return (q is not None and _OBSERVED.search(line, cs, start) is not None
            and not _QUESTION_OPENS.match(line[cs:start]) and _PAST.search(line, cs, end) is not None)


def _asked(line: str, start: int, end: int) -> bool:
    """The sentence holding ``line[start:end]`` asks, and its own clause does not say the
    build already got there."""
    if not asked(line, end, clause=False) or _observed(line, start, end):
        return False
    if asked(line, end):
        return True
    return not _PAST.search(line, clause_start(line, start, ",，;。.!"), end)


def _described(line: str, cs: int, start: int, end: int) -> bool:
    """The CPU build named at ``line[start:end]`` (its clause from ``cs``) is described, not had
    (above). Not an absence: "there is no CUDA in the torch version it installed" tells the machine's."""
    if "cpu" not in line[start:end].lower():
        return False
    return bool(_DESCRIBED_BEFORE.search(line, cs, start)
                or (re.match(r"\s*(?:the|an?)?\s*$", line[cs:start], re.I) and _DESCRIBED_AFTER.match(line, end)))


def not_a_fault(line: str, start: int, end: int) -> bool:
    """A CPU build named at ``line[start:end]`` that is not the machine's fault: a question,
    a sentence saying it was chosen on purpose, tried in turn, or what a guide says to
    install, or one about another framework's build (the sentence names onnxruntime,
    TensorFlow … and not torch), or a guess (what "would / might have" happened), or one that
    tells of another machine or a reference ("… on my old laptop", "according to the docs"), or
    describes a fix for users who get it. Not merely other people: a report that "for some people
    it installs the cpu only version" is filed by one of them. Used by freetext's reader too."""
    cs = clause_start(line, start, ",;.!?")
    cs = max([cs] + [b.end() for b in re.finditer(r"\b(?:but|and|so)\b", line[:start], re.I)])
    if (_GUESSED.search(line, cs, start) or _USERS_GET.search(line, clause_start(line, start), start)
            or not_here_now(line, start, end, people=False) or _described(line, cs, start, end)):
        return True
    sentence = re.split(r"(?<=[.!?。])\s", line)
    at = 0
    for part in sentence:
        if at <= start < at + len(part) + 1:
            return _asked(line, start, end) or bool(_CHOSEN.search(part)) or other_frameworks(part, line, start, end)
        at += len(part) + 1
    return _asked(line, start, end)


# The variant's own tag quoted as a name ("the [cpu] version", "the `+cpu` build", "the 'cpu'
# wheel") in a line that names torch: uv's and pip's resolvers pick the PyPI/CPU variant and
# people quote its tag. "default(s) to" counts as it happening.
_TAGGED_CPU = lazy(r"[\[`'\"(]\+?cpu(?:[- ]only)?[\]`'\")]\s*(?:version|build|wheel|variant)\b", _I)
_NAMES_TORCH = lazy(r"(?<![\w-])(?:py)?torch\b", _I)
_DEFAULTED = lazy(r"\bdefault(?:s|ed)?\s+to\b|\bresolv\w*\s+(?:to\s+)?(?:the\s+)?[\[`'\"(]", _I)
_QUOTED = lazy(r"`[^`]*`")
_CLAUSE_END = lazy(r"[.!?;,](?=\s|$)|[。，；]")


# A line that is a command ("pip install torch==2.1.0 --index-url …/cpu"): install_commands reads it.
COMMAND_START = lazy(r"^\s*(?:[$#>%]+\s*|\(\S+\)\s*\S*[$#>]\s*)?(?:sudo\s+)?(?:(?:pip3?|python[\d.]*\s+-m\s+pip|uv\s+pip)\s+"
                            r"(?:install|uninstall|download|list|freeze|show)\b|uvx\s+-|uv\s+(?:add|sync|run)\b"
                            r"|(?:conda|mamba|micromamba)\s+(?:install|create|env|update|list|search)\b|(?:poetry|pipenv|pixi)\s+(?:add|install|run)\b)",
                            _I)


def _in_command(line: str, start: int, end: int) -> bool:
    """The sentence holding ``line[start:end]`` carries a command ("==" pins, "--" options) after
    the quotes are taken out: a command in prose is read where it stands, not as the event.
    An inline command quoted apart ("when I use `uvx --with moshi`, it defaults to the [cpu]
    version") is not part of it."""
    # the quotes blanked first, keeping positions: a URL's dots inside one do not end the sentence
    line = _QUOTED.sub(lambda q: "`" + " " * (len(q.group()) - 2) + "`", line)
    # the clause: it ends at ".!?;," before a space or the line's end ("pytorch.org" goes on), or at
    # "。，；" ("installed torch without CUDA, but I then ran pip install … --index-url …" is two)
    left = max((e.end() for e in _CLAUSE_END.finditer(line, 0, start)), default=0)
    right = _CLAUSE_END.search(line, end)
    said = line[left:right.start() if right else len(line)]
    return "==" in said or " --" in said


def _happened(line: str, start: int, end: int) -> bool:
    """The build's sentence says it got onto the machine: the event word in another sentence of the
    line ("Installed with the cu121 index. The CPU version of torch is 200 MB smaller.", "I installed
    everything with the cu124 index; there is also a CPU-only version of torch …") is another
    event (review of round 25)."""
    sentence = sentence_around(line, start, end)
    return bool(_HAPPENED.search(sentence) or _DEFAULTED.search(sentence))


def _cpu_build_said(line: str, search: Callable) -> Optional[str]:
    """The claim's detail where ``line`` says torch is a CPU-only build (it reads the line alone;
    ``search``: Pasted.search, whose answers other readers of the same patterns share)."""
    if len(line) > 600 or COMMAND_START.match(line):
        return None  # a log or a command line: their own readers read those
    m = search(_NO_CUDA_BUILD, line) or (_CPU_PACKAGE.search(line) if "torch-cpu" in line.lower() else None)
    if m is None and search(_NAMES_TORCH, line):
        m = _TAGGED_CPU.search(line) or _VARIANT_ALONE.search(line)
        if m is not None and not (_HAPPENED.search(line) or _DEFAULTED.search(line)):
            m = None
    state = None if m else search(_MISSING_CUDA, line)
    if m is None and state is None:
        state = search(_NOT_INSTALLED_CUDA, line)
        if state is not None and _CONDITION.search(line, 0, state.start()):
            state = None
    m = m or state
    if m and _in_command(line, m.start(), m.end()):
        return None
    if (not m or not (state or _happened(line, m.start(), m.end())) or _DENIED.search(line[:m.start()])
            or _IF.search(line, 0, m.start())
            or _DENIED_AFTER.search(line[m.end():]) or not_a_fault(line, m.start(), m.end())):
        return None
    return f"{STATED_DETAIL}: CPU-only build ({line.strip()[:200]})"


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    # "the GPU version of torch" names no CUDA/CPU: lines naming a GPU are read where they name torch too.
    gpu_torch = set(doc.lines_containing("gpu")) & set(doc.lines_containing("torch"))
    seen: Dict[str, Optional[str]] = {}  # each distinct line read once (a log repeats its lines)
    for i in sorted(set(doc.lines_containing("cuda", "cpu")) | gpu_torch):
        line = doc.lines[i]
        detail = seen[line] if line in seen else seen.setdefault(line, _cpu_build_said(line, doc.search))
        if detail:  # the first line saying it makes the claim
            f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=OUTCOME, detail=detail)
            f.set("torch.installed", True, i)
            break
    if not f.claims:
        _bare_cpu_version(doc, f)
    return f


# A torch version with the CPU wheels' local label, quoted from a program's screen without the
# package's name ("in the System Info section it says "2.0.0+cpu""): PyTorch's wheel index labels
# its CPU builds "+cpu" (torch, torchvision, torchaudio). Intel's extension labels its CPU builds
# "+cpu" too, with a three-digit patch ("2.1.100+cpu"): only one- or two-digit patches count, and a
# line naming another package right before the version is left to the package readers.
_BARE_CPU = lazy(r"(?<![\w.+-])\d\.\d{1,2}\.\d{1,2}\+cpu(?![\w.+-])")
_NAMED_BEFORE = lazy(r"(?<![\w-])(?!(?:py)?torch(?:vision|audio)?\b)[A-Za-z][\w]*[-_][\w-]+\W{0,4}$"
                           r"|\b(?:ipex|intel|extension|openvino|onnx\w*|tensorflow|paddle\w*|mxnet|jax\w*|dgl|pyg)\b", _I)


# The same kind of version with a CUDA wheel's label ("2.1.0+cu121"), written after the CPU one:
# "At first it printed 2.1.0+cpu … now it prints 2.1.0+cu121 True" tells a CPU build that was
# replaced, and the later build is the one installed now. Another package's version right before
# it (torchvision's, torchaudio's: "+cu121" on a companion beside a CPU torch is the fault itself)
# does not count.
_BARE_CUDA = lazy(r"(?<![\w.+-])\d\.\d{1,2}\.\d{1,2}\+cu\d{2,3}(?![\w.+-])")
_COMPANION_BEFORE = lazy(r"\b(?:torch)?(?:vision|audio|text|data)\b|\bxformers\b", _I)


# The CUDA version only asked for, not installed: pinned or in an install command ("pip install
# torch==2.1.0+cu121", "installing 2.1.0+cu121"), tried, wanted or expected ("I need 2.1.0+cu121",
# "should it print 2.1.0+cu121?"), read in the words between the clause's start (or the last
# version) and the version. "I installed 2.1.0+cu121 and now it prints 2.1.0+cu121" is done.
_ASKED_FOR = lazy(r"==\s*$|\b(?:pip3?|conda|mamba|uv)\s|\binstall(?:ing)?\b|\b(?:try|tried|trying|attempt\w*"
                  r"|need|needs|want\w*|wish|hop\w+|should|expect\w*|supposed|would\s+like|instead\s+of|rather\s+than"
                  r"|look\w*\s+for|search\w*\s+for|requir\w*)\b", _I)
# The install said to fail on the line: pip's resolver ("ERROR: No matching distribution found for
# torch==2.1.0+cu121", "Could not find a version that satisfies the requirement", pip/_internal/
# resolution/resolvelib/factory.py), or in words ("it fails", "did not work").
_INSTALL_FAILED = lazy(r"\bno\s+matching\s+distribution\b|\bcould\s+not\s+find\s+a\s+version\b|\bfail\w*\b"
                       r"|\b(?:did|does|do)\s*n[o']t\s+work\b|\bdidn't\s+work\b|\berror\b", _I)


def _cuda_installed(line: str, m: "re.Match[str]", left: int) -> bool:
    """The CUDA-labelled version at ``m`` tells the build now installed: not another package's
    (torchvision's "+cu121" beside a CPU torch is the fault itself), not asked for or tried
    (the words from ``left`` to it), not on a line telling the install failed, not a question."""
    if _COMPANION_BEFORE.search(line[max(0, m.start() - 30):m.start()]) or COMMAND_START.match(line):
        return False
    left = max([left] + [c.end() for c in _CLAUSE_END.finditer(line, left, m.start())])
    return not (_ASKED_FOR.search(line[left:m.start()]) or _INSTALL_FAILED.search(line)
                or asked(line, m.end(), clause=False))


def _replaced_later(doc: Pasted, i: int, end: int) -> bool:
    """A CUDA-labelled torch version, told as the one installed, follows the CPU one ending at
    ``doc.lines[i][end]``, on the same line or a later one, and no CPU-labelled one follows it
    ("I installed 2.1.0+cu121 but it still prints 2.1.0+cpu"): the CPU build is not the one
    installed now."""
    for j in doc.lines_containing("+cu"):
        if j < i:
            continue
        line = doc.lines[j]
        left = end if j == i else 0
        for m in _BARE_CUDA.finditer(line, left):
            if _cuda_installed(line, m, left) and not _cpu_after(doc, j, m.end()):
                return True
            left = m.end()
    return False


def _cpu_after(doc: Pasted, j: int, end: int) -> bool:
    """A CPU-labelled torch version stands after ``doc.lines[j][end]``."""
    return any(_BARE_CPU.search(doc.lines[k], end if k == j else 0)
               for k in doc.lines_containing("+cpu") if k >= j)


def _bare_cpu_version(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing("+cpu"):
        line = doc.lines[i]
        if len(line) > 600 or COMMAND_START.match(line) or "==" in line:
            continue  # a log, a command, a pinned requirement: their own readers read those
        m = _BARE_CPU.search(line)
        if m is None or _NAMED_BEFORE.search(line[max(0, m.start() - 40):m.start()]):
            continue
        if _replaced_later(doc, i, m.end()):
            return
        if (_DENIED.search(line[:m.start()]) or _IF.search(line, 0, m.start()) or _CHOSEN.search(line)
                or asked(line, m.end(), clause=False)):
            continue
        # a string only torch prints, copied (COPIED): it outranks a later install command's
        # request for a CUDA wheel ("I tried pip install torch==2.1.0+cu121 but it fails")
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, rank=STATED,
               detail=f"{STATED_DETAIL}: CPU-only build ({line.strip()[:200]})")
        before = line[max(0, m.start() - 40):m.start()]
        if _NAMES_TORCH.search(before) and not _COMPANION_BEFORE.search(before):
            # torch's own version, and the one installed now: a CUDA one said later was only
            # asked for (_replaced_later), whatever sentence readers take from the request
            f.set("torch.version", m.group(), i, rank=COPIED, detail=STATED_DETAIL)
        f.set("torch.installed", True, i)
        return
