"""What people write in their own words: the GPU they have, their OS, WSL, a container,
a Python version, a bare driver version given in reply to "which driver?", the torch they
use ("torch 1.4 with CUDA 10.1", "pytorch 2.6 cu124"), that it is the CPU build ("the cpu
version got installed", "torch 默认的是 cpu 版本"), how many GPUs ("a single GPU").

Reports are written in many languages; Chinese ones are common (显卡 graphics card,
驱动 driver, 版本 version, 容器 container, 单卡 one card), and CJK text runs into Latin
words and numbers without spaces ("我的显卡是3060"), which the GPU-name reader
(``gpu_names.mentions``) allows for.

Everything here is a claim (rank ``STATED``, detail "stated in the text"): any tool
output in the same paste outranks it. Notably, "WSL2" written by a person is recorded
as ``host.wsl = "wsl"`` and not as "wsl2": people often believe they run WSL 2 while
their distribution still runs under WSL 1; only the kernel string proves the version.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List, Optional, Set, Tuple

from envcheck.explain.gated import Gated
from envcheck.explain.gpu_elsewhere import elsewhere
from envcheck.explain.gpu_names import mentions
from envcheck.explain.parsers.system import describe_os
from envcheck.explain.parsers.torch_build_prose import COMMAND_START, not_a_fault, other_frameworks
from envcheck.explain.partial import OUTCOME, PROGRAM, STATED, STATED_DETAIL, Claim, Found
from envcheck.explain.sentences import ANOTHER_MACHINE, SOMEONE_ELSES, clause_start
from envcheck.explain.source import Pasted
from envcheck.knowledge.archs import variant_cuda
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "free text"
_I = re.IGNORECASE

_WSL = lazy(r"\bWSL\s?([12])?\b|Windows Subsystem for Linux", _I)
# Each gated by words every match of it holds (gated.py): a line the container words picked is
# searched only with the patterns whose words it holds (six searches a line were 0.03 s of the 4 MiB paste).
_CONTAINERS = (
    (Gated(lazy(r"\b(?:inside|in|within|from)\s+(?:a\s+|the\s+|my\s+|this\s+)?(?:docker\s+)?containers?\b", _I),
           ("container",)), "docker"),
    (Gated(lazy(r"\b(?:docker|nvidia-docker)\s+(?:run|exec|compose|build|pull|start)\b|\bDockerfile\b|^FROM\s+\S+:\S+", _I),
           ("docker", "from")), "docker"),
    # Image names; the look-behind starts a match only at a token's first character (linear time).
    (Gated(lazy(r"(?<![\w./-])(?:nvcr\.io/nvidia/\S+|nvidia/cuda:\S+|pytorch/pytorch:\S+"
                r"|[\w./-]*pytorch[\w.-]*:[\w.-]*cuda[\w.-]*)"), ("nvcr.io/nvidia/", "nvidia/cuda:", "pytorch")), "docker"),
    (Gated(lazy(r"\bpodman\s+(?:run|exec)\b", _I), ("podman",)), "podman"),
    (Gated(lazy(r"\b(?:kubernetes|kubectl|k8s)\b", _I), ("kube", "k8s")), "kubernetes"),
    (Gated(lazy(r"\b(?:singularity|apptainer)\s+(?:run|exec|shell)\b", _I), ("singularity", "apptainer")), "other"),
)
_NEGATED = lazy(r"\b(?:not|n't|no|without|outside)\s+(?:\w+\s+){0,2}$", _I)
_ROOT_PROMPT = lazy(r"^root@[0-9a-f]{12}:")
# libnvidia-container's debug log (nvidia-container-cli --debug; glog's "I0828 18:43:18.664828 4993
# nvc.c:389] " prefix, which source.normalise strips) names WSL on every host: src/nvc.c logs "attempting
# to load dxcore to see if we are running under Windows Subsystem for Linux (WSL)" and, off WSL, "dxcore
# initialization failed, continuing assuming a non-WSL environment". A program's probe, never a
# statement that this is WSL.
_NVC_LOG = lazy(r"\bto see if we are running under Windows Subsystem for Linux|\bcontinuing assuming a non-WSL environment")
# A prompt a person labelled to tell the container's commands from the host's: "(container) $".
_LABELLED_PROMPT = lazy(r"^\s*\(\s*(?:in\s+(?:the\s+)?)?(?:docker\s+|podman\s+)?container\s*\)\s*[$#>]", _I)
_PYTHON = lazy(r"\bpython\s?-?(3\.\d{1,2}(?:\.\d+)?)\b|\bpython(3)(\d{1,2})\b", _I)
_BARE_DRIVER = lazy(r"^\W*(\d{3}\.\d{2,3}(?:\.\d{2})?)\W*$")
_SAID_DRIVER = lazy(r"\bdriver(?:\s+version)?\s*(?:is|:|=|of|v)?\s*(\d{3}\.\d{2,3}(?:\.\d{2})?)\b", _I)
_CN_CONTAINER = lazy(r"(?:docker\s*)?容器(?:中|内|里|内部)|在\s*docker\s*(?:中|里|内)")
_CN_NEGATED = lazy(r"(?:不|没|非)[^，。,.]{0,3}$")
_CN_DRIVER = lazy(r"驱动(?:程序)?(?:版本)?号?\s*[:：为是]?\s*(\d{3}\.\d{2,3}(?:\.\d{2})?)\b")
_CN_PYTHON = lazy(r"\bpython\s*(?:版本|version|ver\.?)\s*(?:号)?\s*[:：=为是]?\s*v?(3\.\d{1,2}(?:\.\d+)?)\b", _I)
# "torch 1.4", "pytorch1.0", "PyTorch version 2.1.0", "torch==1.5.1", "torch-2.12.0", "torch
# 版本是 2.1.0", "torch 버전은 2.0.1" (version, in Chinese, Korean, Japanese), then
# optionally the CUDA it is for: "with CUDA 10.1", "+cu118", "(cu124)", ", cuda 10.2".
_TORCH = lazy(
    r"(?<![\w./\\-])(?:py)?torch(?![A-Za-z_])(?:\s*(?:version|版本|버전(?:은|는|이)?|バージョン(?:は)?))?"
    r"\s*(?:==?|:|：|-|\s(?:is|was)|是|为|v)?\s*v?"
    r"(?P<v>\d{1,2}\.\d{1,2}(?:\.\d{1,3})?(?:\.?(?:dev|a|b|rc|post)\d+)?)(?P<suffix>\+(?:cu\d{2,3}|cpu|rocm[\d.]+))?"
    r"(?![\w.]*-cp\d)(?!\d|\.\d)"
    r"(?:\s*(?:\(|\+|,|/)?\s*(?:with|w/|using|built with|for|on|and)?\s*(?:cuda|cu)[\s_-]?(?P<cuda>\d{1,2}\.\d|\d{2,3})\b)?",
    _I)
_REMOVED = lazy(r"(?:uninstall\w*|removing|remove[sd]?|Found existing installation:)\s+(?:the\s+)?[`'\"]?$", _I)
# A version that is not this machine's (review of round 23): someone else's ("my friend's torch 2.4",
# "his PyTorch 2.1"), a source quoted ("According to the PyTorch forums, torch 2.5 …", "the docs say
# torch 2.0 …"), another machine ("On my old laptop torch 1.13 …"), in the clause before the version;
# or a release's history, the version its subject ("PyTorch 2.7 added support for the RTX 5090",
# "torch 2.0 drops support for sm_35"): that is the release notes, not an install.
_NOT_MINE_BEFORE = lazy(
    rf"{SOMEONE_ELSES}"
    r"|\baccording\s+to\b|\b(?:docs?|documentation|forums?|faq|readme|changelog|release\s+notes)\s+(?:says?|said|lists?|shows?)\b"
    rf"|{ANOTHER_MACHINE}", _I)
_RELEASE_HISTORY = lazy(r"\s*(?:has\s+|have\s+|had\s+)?(?:added|adds|dropped|drops|removed|removes|introduced|brought)\s+"
                        r"(?:\w+\s+)?support\b", _I)
# "the cpu version got installed", "installs the CPU-only build", "torch 默认的是 cpu 版本" (is the cpu version).
_CPU_BUILD = lazy(r"(?<![A-Za-z])cpu[\s-]*(?:only\s*)?(?:version|build|wheel|variant|package|版本?)|\bcpuonly\b",
                        _I)
_CPU_CONTEXT = lazy(r"torch|install|安装|装的|装了|默认|default", _I)
_CPU_NEGATED = lazy(r"(?:\bnot|n't|\binstead of|\brather than|\bno longer|不是|没有|而不是|不要)\b[^.;!?。]{0,30}$", _I)
# "a single GPU", "1 GPU", "two GPUs", 单卡 / 一张显卡 (one card).
_COUNT = lazy(r"(?<![\w.])(?P<n>\d{1,2}|one|two|three|four|eight|single)\s*(?:x\s*)?(?:nvidia\s+)?gpus?\b|单卡|一张(?:显)?卡",
                    _I)
_NUMBERS = {"one": 1, "single": 1, "two": 2, "three": 3, "four": 4, "eight": 8}
_WINDOWS = lazy(r"\b(?:on|under|using|in)\s+(?:a\s+)?(?:clean\s+|fresh\s+)?windows\b(?!\s*(?:subsystem|\d))|"
                      r"\bwindows\s*(?:平台|系统|platform|machine|pc)\b", _I)
# Lines that are some tool's output, read by other parsers: a sentence parser must not
# second-guess them (an nvidia-smi row names the GPU better than a mention would).
_TOOL_LINE = lazy(r"^\s*(\||\+-|\[pip3?\]|\[conda\]|GPU \d+:|[\w.-]+==[\w.+!-]+\s*$|NVRM|Driver Version\s+:"
                        r"|(?:[0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]\s|Device \d+: \"|deviceQuery, |Peer access from )")  # lspci, deviceQuery


def _gpus(f: Found, line: str, i: int, readers: int) -> None:
    """GPU names (gpu_names.mentions), or how many GPUs a sentence speaks of."""
    cjk = bool(readers & _CJK_LINE)
    named = []
    # A brand, series or model ("RTX", "A100", "3060ti", "960M"), CJK prose ("显卡是3060"), or a
    # bare model number beside a word for a GPU ("GPU: 3060", "a 3090 card"): the cases
    # mentions() can name.
    low = line.lower()
    if readers & (_GPU_MODEL | _CJK_LINE) or (_GPU_CONTEXT.search(low) and _MODEL_NUMBER.search(line)):
        named = mentions(line)
    for name, words in named:
        if elsewhere(line, words):  # another machine's ("my 1080 is in the other PC")
            f.note(f"the text names a {name} as another machine's GPU, which is not among the GPUs of this one")
        else:
            f.gpu(None, i, name=name)
    m = _COUNT.search(line) if not named and ("gpu" in low or cjk) else None
    if m:
        n = m.group("n")
        count = 1 if n is None else (int(n) if n.isdigit() else _NUMBERS[n.lower()])
        # Indices 0..n-1, so "a single GPU" said twice stays one GPU.
        for k in range(min(count, 16)):
            f.gpu(k, i, status=True)


def _torch(f: Found, line: str, i: int) -> None:
    # The last version a sentence names is the one in use ("replace torch-2.11.0+cu128 with
    # torch-2.12.0"); one being removed is not ("Uninstalling torch-2.1.0"). A command line
    # ("uvx --with torch==2.5.1+cu124 …", "pip install torch==…") asks for a build, often the
    # fix told after the failure: install_commands reads what it asks.
    if COMMAND_START.match(line):
        return
    kept = [m for m in _TORCH.finditer(line) if not _REMOVED.search(line[:m.start()])]
    if not kept:
        return
    m = kept[-1]
    if _NOT_MINE_BEFORE.search(line[clause_start(line, m.start()):m.start()]) or _RELEASE_HISTORY.match(line, m.end()):
        return
    f.set("torch.version", m.group("v") + (m.group("suffix") or ""), i)
    cuda = m.group("cuda")
    if cuda:
        version = cuda if "." in cuda else variant_cuda(f"cu{cuda}")
        if version:
            f.set("torch.cuda_build", version, i)


def _cpu_build(f: Found, line: str, i: int) -> None:
    m = _CPU_BUILD.search(line)
    if m and _CPU_CONTEXT.search(line) and not _CPU_NEGATED.search(line[:m.start()]) \
            and not not_a_fault(line, m.start(), m.end()) and not other_frameworks(line, line, m.start(), m.end()):
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"{STATED_DETAIL}: CPU-only build ({line.strip()[:200]})",
               rank=OUTCOME)  # the result, over the install command's request ("cudatoolkit=11.6")
        f.set("torch.installed", True, i)  # a build was installed, the CPU one


def _chinese(f: Found, line: str, i: int) -> None:
    m = _CN_CONTAINER.search(line)
    if m and not _CN_NEGATED.search(line[:m.start()]):
        f.set("host.container", "docker", i)
    m = _CN_DRIVER.search(line)
    if m:
        f.set("nvml.driver_version", m.group(1), i)


def _wsl(f: Found, line: str, i: int) -> None:
    if re.search(r"microsoft-standard|\d-Microsoft\b", line):
        return  # a kernel string: proof, read by the system parser
    if _NVC_LOG.search(line):
        return
    m = _WSL.search(line)
    if m and not _NEGATED.search(line[:m.start()]):
        f.set("host.wsl", "wsl", i)


def _container(f: Found, line: str, i: int) -> None:
    if _ROOT_PROMPT.match(line):
        f.set("host.container", "docker", i, rank=PROGRAM,
              detail="the shell prompt's host name is a container id")
        return
    if _LABELLED_PROMPT.match(line):
        f.set("host.container", "docker", i)  # the person's label: stated
        return
    for pattern, kind in _CONTAINERS:
        m = pattern.search(line)
        if m and not _NEGATED.search(line[:m.start()]):
            f.set("host.container", kind, i)
            return


def _os(f: Found, line: str, i: int) -> None:
    if re.match(r"^\s*(?:[-*]\s+)?OS\s*:", line) or "PRETTY_NAME" in line:
        return  # collect_env / os-release, read by their own parsers
    info = describe_os(line, exact=False)
    if info and info.version:
        f.set("host.os_id", info.os_id, i)
        f.set("host.os_version", info.version, i)
        f.set("host.os_pretty", info.pretty, i)
    elif _WINDOWS.search(line) and not _WSL.search(line):
        f.set("host.os_id", "windows", i)


def _python(f: Found, line: str, i: int) -> None:
    if re.search(r"Python version:|Python-\d|Python \d+\.\d+\.\d+ \(", line):
        return  # collect_env, a banner or the REPL header: read elsewhere at a higher rank
    m = _PYTHON.search(line) or _CN_PYTHON.search(line)
    if m:
        f.set("python.version", m.group(1) or f"{m.group(2)}.{m.group(3)}", i)


# A driver a toolkit or program requires, not the one installed (round 26): "requires driver version
# 555.42.02", "needs driver 550.54.14 or newer".
_REQUIRED_DRIVER = lazy(r"(?:\brequir\w*|\bneed\w*|\bminimum|\bat\s+least)\s+(?:\w+\s+){0,2}$", _I)
_OR_NEWER = lazy(r"\s*(?:or\s+(?:newer|later|higher|above)\b|\+)", _I)


def _driver(f: Found, line: str, i: int) -> None:
    m = _BARE_DRIVER.match(line) or next((d for d in _SAID_DRIVER.finditer(line) if not (
        _REQUIRED_DRIVER.search(line, max(0, d.start() - 30), d.start()) or _OR_NEWER.match(line, d.end()))), None)
    if m:
        major = int(m.group(1).split(".")[0])
        if 173 <= major <= 999:  # NVIDIA's Linux driver branches since CUDA exists
            f.set("nvml.driver_version", m.group(1), i)


# Words a line must hold for each reader to look at it: a substring test is much cheaper
# than the readers' patterns, and a 4 MiB paste has tens of thousands of lines.
_CONTAINER_WORDS = ("container", "docker", "podman", "kube", "k8s", "singularity", "apptainer", "nvcr.io",
                    "nvidia/cuda", "pytorch", "root@", "from ")
_OS_WORDS = ("ubuntu", "debian", "centos", "fedora", "red hat", "rhel", "rocky", "alma", "mint", "pop!_os",
             "opensuse", "amazon linux", "arch linux", "manjaro", "cachyos", "windows", "macos", "mac os", "os x")
_GPU_MODEL_WORDS = ("rtx", "gtx", "mx1", "mx2", "mx3", "mx4", "mx5", "titan", "tesla", "quadro", "geforce", "nvidia",
                    "jetson", "dgx spark")
# Patterns below run on the lower-case text (re.IGNORECASE would make each scan slower).
# Data-centre and workstation models (gpu_names.py): a letter, then digits (A100, T4, GH200, L40S).
# Written as (?<![a-z0-9])g?[abhlvpkmt]\d{1,4}[a-z]{0,2}(?![a-z0-9]) would find the same, but
# starting on a letter of the class lets the regex engine skip to candidates (twice as fast).
_DC_MODEL = lazy(r"[abhlvpkmtg](?<![a-z0-9].)(?:(?<=g)[abhlvpkmt]|(?<!g))\d{1,4}[a-z]{0,2}(?![a-z0-9])")
# A model number with a suffix, \d{3}(?:\s?(?:ti|super)\b|mx?\b) ("3060ti", "2070 super", "960m",
# "940mx"), found from its suffix: digits are everywhere in a log, these words are not (see _suffixed).
_SUFFIX = lazy(r"ti(?:(?<=\d{3}ti)|(?<=\d{3}\sti))\b|super(?:(?<=\d{3}super)|(?<=\d{3}\ssuper))\b"
                     r"|m(?<=\d{3}m)x?\b")
# gpu_names.py's words that make a bare model number a GPU ("GPU: 3060", "a 3090 card", "3060
# laptop"; the brands and series are _GPU_MODEL_WORDS).
_GPU_CONTEXT_GATE = lazy(r"(?:gpus?|graphics|cards?|video|laptop)\b")
_GPU_CONTEXT = lazy(r"\b(?:gpus?|graphics|cards?|video|laptop)\b")
# _SUFFIX's matches that start a line: the newline is the \s of "3060\nti" (checked for the
# three digits before it).
_ACROSS = lazy(r"\n(?:ti|super)\b")
_THREE_DIGITS = lazy(r"\d{3}")
_MODEL_NUMBER = lazy(r"(?<!\d)\d{3,4}(?!\d)")
_NON_ASCII = lazy(r"[^\x00-\x7f]")
_BARE_VERSION = lazy(r"\W{0,8}\d{3}\.\d{2,3}(?:\.\d{2})?\W{0,8}$", re.MULTILINE)  # at a line's start
# Which readers a line needs, found by substring searches over the whole text (a 4 MiB log
# has tens of thousands of lines; most hold none of these words and are not looked at).
_CONTAINER, _GPU_MODEL, _GPU_WORDS, _WSL_LINE, _OS_LINE, _PY, _DRIVER_LINE, _TORCH_LINE, _CPU, _CJK_LINE = (
    1 << n for n in range(10))
_READERS = ((_CONTAINER, _CONTAINER_WORDS), (_GPU_MODEL, _GPU_MODEL_WORDS),
            (_WSL_LINE, ("wsl", "subsystem")), (_OS_LINE, _OS_WORDS), (_PY, ("python",)), (_DRIVER_LINE, ("driver",)),
            (_TORCH_LINE, ("torch",)), (_CPU, ("cpu",)))


def _suffixed(doc: Pasted) -> List[int]:
    """The lines a model number with a suffix starts on (the lines \\d{3}(?:\\s?(?:ti|super)\\b|mx?\\b)
    finds something on, in the lower-case text)."""
    distinct, copies = doc.distinct
    if copies is None:
        return sorted(_suffixed_in(doc, set()))
    # A log repeating its lines: a match within a line is found in the distinct lines and given
    # to every copy. Only "3060\nti" reaches across a line's end, from a line's start: those
    # the distinct lines (whose neighbours differ) give are dropped, and found in the whole text.
    out = {i for k in _suffixed_in(distinct, set(distinct.offsets)) for i in copies[k]}
    text = doc.lower if len(doc.lower) == len(doc.text) else doc.text
    for m in _ACROSS.finditer(text):
        if m.start() >= 3 and _THREE_DIGITS.match(text, m.start() - 3, m.start()):
            out.add(doc.line_of(m.start() - 3))
    return sorted(out)


def _suffixed_in(doc: Pasted, line_starts: Set[int]) -> Set[int]:
    """:func:`_suffixed` by one scan of the text, without the matches at ``line_starts``."""
    text = doc.lower if len(doc.lower) == len(doc.text) else doc.text
    out = set()
    for m in _SUFFIX.finditer(text):
        t = m.start()
        if t not in line_starts:
            out.add(doc.line_of(t - 4 if m.group(0) in ("ti", "super") and text[t - 1].isspace() else t - 3))
    return out


def _within_lines(doc: Pasted) -> Iterator[Tuple[int, List[int]]]:
    """(readers, lines) from the scans whose every match lies within one line."""
    for bit, words in _READERS:
        yield bit, doc.lines_containing(*words)
    yield _GPU_MODEL, doc.lines_with(_DC_MODEL, lower=True)
    yield _GPU_WORDS, doc.lines_with(_GPU_CONTEXT_GATE, lower=True)
    if not doc.text.isascii():
        yield _CJK_LINE | _GPU_MODEL | _DRIVER_LINE | _PY, doc.lines_with(_NON_ASCII)


def _readers(doc: Pasted) -> Dict[int, int]:
    """Line number → the readers it needs (bits above)."""
    out: Dict[int, int] = {}

    def mark(bit: int, lines) -> None:
        for i in lines:
            out[i] = out.get(i, 0) | bit
    # A scan within lines finds the same on every copy of a line: it reads each distinct line
    # once (a log repeats its lines), and a distinct line's readers, all found, go to every copy.
    distinct, copies = doc.distinct
    for bit, lines in _within_lines(distinct):
        mark(bit, lines)
    if copies is not None:
        out = {i: bits for k, bits in out.items() for i in copies[k]}
    # These two look across a line's end ("3060\nti", a version after blank lines).
    mark(_GPU_MODEL, _suffixed(doc))
    mark(_DRIVER_LINE, doc.lines_starting(_BARE_VERSION))
    return out


def _line(f: Found, line: str, i: int, readers: int) -> None:
    if readers & _CONTAINER:
        _container(f, line, i)
    if _TOOL_LINE.match(line):
        return
    if readers & (_GPU_MODEL | _GPU_WORDS | _CJK_LINE):
        _gpus(f, line, i, readers)
    if readers & _WSL_LINE:
        _wsl(f, line, i)
    if readers & _OS_LINE:
        _os(f, line, i)
    if readers & _PY:
        _python(f, line, i)
    if readers & _DRIVER_LINE:
        _driver(f, line, i)
    if readers & _TORCH_LINE:
        _torch(f, line, i)
    if readers & _CPU:
        _cpu_build(f, line, i)
    if readers & _CJK_LINE:
        _chinese(f, line, i)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    # A sentence says the same wherever it stands (no reader here looks at other lines or
    # writes the line number into a detail), so a repeated line — logs repeat a lot — is
    # read once and its claims are made again at each place.
    seen: Dict[str, Optional[Found]] = {}  # line → what it says (None: nothing)
    lines, claims = doc.lines, f.claims
    readers = _readers(doc)
    for i in sorted(readers):
        line = lines[i]
        said = seen.get(line, _UNREAD)
        if said is _UNREAD:
            said = Found(SOURCE, STATED)
            if line.strip():
                _line(said, line, 0, readers[i])
            said = seen[line] = said if said or said.notes else None
        if said is None:
            continue
        for n in said.notes:
            f.note(n)
        for c in said.claims:
            claims.append(Claim(c.path, c.reading, c.rank, c.source, i))
        for g in said.gpus:
            f.gpu_again(g, i)
    return f


_UNREAD = Found(SOURCE, STATED)
