"""Two torch installs seen for one Python, in the ways a paste shows it besides one listing
naming torch twice (``packages`` reads that):

* a package tool's version against the imported one: ``pip list`` / ``pip show`` / ``pip
  freeze`` / ``conda list`` says X while ``torch.__version__`` prints Y in a session — the
  import found another copy than the one the tool manages;
* torch in the user site (``~/.local/lib/python3.X/site-packages/torch``, Windows'
  ``AppData\\Roaming\\Python\\Python3X\\site-packages\\torch``) beside a conda env or venv
  in use: the user site comes before the environment's site-packages on ``sys.path``, so
  its stale torch is imported instead of (or mixed with) the environment's;
* a person saying so, in English, Chinese, Korean, Japanese, Spanish or German ("two
  versions of torch installed", "pip和conda都装了torch", "an old torch in ~/.local was
  shadowing the conda one"), not denied or asked — a claim (``STATED``), so a finding on it
  is "likely".

* one traceback passing through torch under two package roots (one process, two installs);
* pip's own "Not uninstalling torch at …, outside environment …" is a catalogue message.

Each sets ``torch.versions_listed`` (the versions or places) with a detail saying which. The
same module reads torch said to be missing ("torch is not installed in this env", Python's
error retold in a sentence), which sets ``torch.installed`` False as a claim.
"""

from __future__ import annotations

import re
from typing import Callable, List, Optional, Tuple

from envcheck.explain.partial import PROGRAM, STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "torch installs"
_I = re.IGNORECASE

_V = r"(\d+\.\d+(?:\.\d+)?(?:[ab.]\w*)?(?:\+[\w.]+)?)"
# What a package tool manages: pip list / conda list rows, freeze lines, pip show's Version.
_LISTED = lazy(rf"^\s*(?:\[(?:pip3?|conda)\]\s+)?(?:torch|pytorch)(?:\s*===?\s*|\s+){_V}(?:\s+\S+){{0,2}}\s*$")
_SHOW_NAME = lazy(r"^\s*Name:\s*torch\s*$")
_SHOW_VERSION = lazy(rf"^\s*Version:\s*{_V}\s*$")
# pip's "Requirement already satisfied: torch in /path/site-packages (2.1.0)" (pip/_internal/
# resolution/resolvelib/… "Requirement already satisfied: %s in %s (%s)", pip 10 to 24): the
# torch pip manages, and where.
_SATISFIED = lazy(rf"Requirement already satisfied:\s*torch(?:[=<>!~]=?[\w.+*]+)?\s+in\s+(?P<where>\S+)\s+\({_V}\)")
# What the import printed: a REPL or print() of torch.__version__. (collect_env's "PyTorch
# version:" beside its own "[pip3] torch==" would tell the same, but a paste often joins
# reports of several environments, so only a session's own print counts.)
_ASKED_VERSION = lazy(r"(?:^\s*(?:>>>|In \[\d+\]:)\s*(?:print\()?\s*torch\.__version__\s*\)?\s*$"
                      r"|python3?(?:\.\d+)?(?:\.exe)?\s+-c\s+.*print\(\s*torch\.__version__\s*\))")
_VALUE = lazy(rf"^\s*(?:Out\[\d+\]:\s*)?['\"]?{_V}['\"]?\s*(?:#.*)?$")

# torch's files in the user site, and an environment's prefix.
_SITE = (r"(?P<site>(?:~|/home/[^/\s'\"]+|/root|/Users/[^/\s'\"]+)/\.local/lib/python3\.\d+/site-packages"
         r"|[A-Za-z]:\\Users\\[^\\\s'\"]+\\AppData\\Roaming\\Python\\Python3\d+\\site-packages)")
_USER_SITE = lazy(_SITE + r"[\\/]torch\b")
_USER_SITE_DIR = lazy(_SITE + r"[\\/]?$", re.IGNORECASE)
# pip show torch's "Location:" (the torch folder is under it), a few lines after "Name: torch".
_LOCATION = lazy(r"^\s*Location:\s*" + _SITE + r"[\\/]?\s*$")
_ENV = lazy(r"(?P<env>(?:[A-Za-z]:)?[\\/][^\s'\"]*?[\\/](?:envs[\\/][\w.-]+|\.?venv|virtualenvs[\\/][\w.-]+))"
            r"(?=[\\/](?:bin|lib|Lib|Scripts|python)|['\"\s:]|$)")

# A traceback frame in torch's files: its site-packages (or dist-packages) root.
_FRAME = lazy(r"^\s*File\s+\"?(?P<root>[^\"\n]*?[\\/](?:site|dist)-packages)[\\/]torch[\\/]")

_TORCH = r"(?:py)?torch"
# Sentences that say two installs were there (English, Spanish, German, Chinese, Korean, Japanese).
_SAID = lazy(
    rf"\b(?:two|2|multiple|several|duplicate|dos|zwei|mehrere)\s+(?:different\s+|distintas\s+|verschiedene\s+)?"
    rf"(?:versions?|copies|installs?|installations?|versiones|instalaciones|copias|Versionen|Installationen)\s+"
    rf"(?:of\s+|de\s+|von\s+)?{_TORCH}\b"
    rf"|\b(?:two|2|multiple|several|dos|zwei|mehrere)\s+(?:different\s+)?{_TORCH}\s+(?:versions|copies|installs|installations)\b"
    # an old copy put into the user site ("an old torch was installed as a user, to ~/.local/…")
    rf"|\b(?:old|older|stale|leftover|previous)\s+(?:\w+\s+){{0,2}}?{_TORCH}\b(?:[^.;!?]|\.(?!\s)){{0,80}}"
    rf"(?:~/\.local|\.local/lib|\bas\s+(?:a\s+)?user\b|\buser\s+site|--user\b)"
    rf"|\b{_TORCH}\s+(?:was\s+|is\s+|got\s+|war\s+|ist\s+|wurde\s+|fue\s+|est[aá]\s+)?(?:installed\s+)?(?:twice|both\s+(?:by|with|via|from|through)\s+"
    rf"(?:pip|conda)\s+and\s+(?:pip|conda)|doppelt|zweimal)\b"
    rf"|\bboth\s+(?:pip|conda)\s+and\s+(?:pip|conda)\s+(?:had\s+|have\s+)?(?:installed\s+)?(?:versions?\s+of\s+)?{_TORCH}\b"
    rf"|\b(?:pip|conda)\s+and\s+(?:pip|conda)\s+(?:had\s+)?both\s+installed\s+{_TORCH}\b"
    # an old/stale copy in the user site taking the environment's place
    rf"|\b{_TORCH}\b(?:[^.;!?]|\.(?!\s)){{0,80}}(?:~/\.local|\.local/lib|user\s+site)(?:[^.;!?]|\.(?!\s)){{0,60}}"
    rf"\b(?:shadow\w*|overrid\w*|conflict\w*|took\s+precedence|(?:was|got)\s+(?:being\s+)?(?:imported|used|loaded)\s+instead)"
    # torch from both tools: "torch installed with both pip and conda", Spanish "instalado con pip y
    # con conda", German "sowohl über pip als auch über conda"
    rf"|\b{_TORCH}\b[^.;!?]{{0,30}}\b(?:installed|instalad[oa]|installiert)\s+(?:with|by|via|con|mit|über)\s+"
    rf"(?:both\s+)?(?:pip|conda)\s+(?:and|y|und)\s+(?:with\s+|by\s+|via\s+|con\s+|mit\s+|über\s+)?(?:pip|conda)\b"
    rf"|\b{_TORCH}\b[^.;!?]{{0,40}}\bsowohl\s+(?:über|mit|per)\s+(?:pip|conda)\s+als\s+auch"
    rf"|(?:两个|2个|多个|两套|两种)(?:不同)?(?:版本的?)?\s*{_TORCH}|pip\s*和\s*conda\s*(?:都|各)\s*(?:安?装)了?(?:一个)?\s*{_TORCH}"
    rf"|{_TORCH}\s*(?:装了两个|装了两次|重复安装)"
    # both tools' builds named as had: "I have both the pip torch and the conda pytorch installed";
    # Chinese "同时用pip和conda装了torch" (installed torch with pip and conda at once)
    rf"|\bboth\s+(?:the\s+|a\s+)?(?:pip|conda)(?:'s|-installed)?\s+{_TORCH}\s+and\s+(?:the\s+|a\s+)?(?:pip|conda)(?:'s|-installed)?\s+{_TORCH}\b"
    rf"|同时\s*(?:用|通过|使用)?\s*pip\s*(?:和|与|跟)\s*conda\s*(?:都|各)?\s*(?:安装|装)了?\s*(?:一个|一遍)?\s*{_TORCH}"
    rf"|pip\S{{0,4}}\s*(?:설치한\s*)?{_TORCH}\S{{0,2}}\s*(?:와|과|랑)?\s*conda\S{{0,4}}\s*(?:설치한\s*)?{_TORCH}\S{{0,2}}\s*(?:가|이)?\s*"
    rf"(?:같이|함께|둘\s*다|중복)"
    rf"|{_TORCH}\s*(?:가|이)?\s*(?:두\s*개|2개|중복)"
    rf"|(?:二つ|2つ|複数)の(?:バージョンの)?\s*{_TORCH}|pip\s*と\s*conda\s*(?:の)?両方で?.{{0,10}}{_TORCH}", _I)
# pip's and conda's torch said to conflict, in one sentence ("pip装的torch和conda装的pytorch冲突").
# (ASCII edges: "用pip" has a CJK letter, a word character, right before the name)
_CONFLICT = lazy(r"(?=[^.;!?。]*(?<![A-Za-z0-9_])pip)(?=[^.;!?。]*conda)(?=[^.;!?。]*torch)[^.;!?。]*"
                 r"(?:conflict|冲突|衝突|충돌|競合|konflikt|conflicto)", _I)
_DENIED = lazy(r"(?:\bnot\b|n't\b|\bno\b|\bnever\b|\bnicht\b|\bkeine?\b|不是|没有|没|不要|别|避免|切勿|아니|않|ではな)[^.;!?。]{0,40}$", _I)
_DENIED_AFTER = lazy(r"^[^.;!?。]{0,12}(?:아니|않|없|ではな|じゃな|ありません)")


# A person saying torch is not installed in the environment used ("torch is not installed in
# this env", "没有安装torch", "torch가 설치되어 있지 않습니다", "torchがインストールされていません");
# not "not installed with CUDA" (a build), nor advice or a question.
_ABSENT = lazy(
    rf"\b{_TORCH}\s+(?:is|was)\s+(?:not|n't)\s+(?:yet\s+|even\s+)?installed\b(?!\s+(?:with|for|correctly|properly|as))"
    rf"|\b{_TORCH}\s+(?:isn't|wasn't)\s+(?:yet\s+|even\s+)?installed\b(?!\s+(?:with|for|correctly|properly|as))"
    # Python's error retold in a sentence ("it returns no module named torch error")
    rf"|\bno\s+module\s+named\s+[`'\"]?torch[`'\"]?(?![\w.])"
    rf"|(?:找不到|没有)\s*{_TORCH}\s*(?:这个)?模块|{_TORCH}\s*모듈을\s*찾을\s*수\s*없|{_TORCH}\s*モジュールが見つかりません"
    rf"|\b{_TORCH}\s+no\s+est[aá]\s+instalad[oa]\b(?!\s+(?:con|para|correctamente))"
    rf"|\b{_TORCH}\s+ist\s+(?:noch\s+)?nicht\s+installiert\b(?!\s+(?:mit|für))"
    rf"|(?:没有|没|未)(?:安装|装)\s*{_TORCH}(?!\s*的?\s*(?:cuda|gpu|cpu))|{_TORCH}\s*(?:没有|未|没)(?:安装|装)(?!\s*(?:cuda|gpu|cpu))"
    rf"|{_TORCH}\S{{0,2}}\s*설치되어\s*있지\s*않|{_TORCH}\S{{0,2}}\s*설치되지\s*않"
    rf"|{_TORCH}\S{{0,2}}\s*インストールされていな|{_TORCH}\S{{0,2}}\s*インストールされていません", _I)


# Which of _ABSENT's forms retell Python's import error rather than describe the environment.
_RETOLD = lazy(r"no\s+module|找不到|模块|모듈|モジュール", _I)
# A state the sentence says is over ("I used to get …", "before I activated the env", "fixed").
_PAST = lazy(r"\b(?:used\s+to|before\s+I|no\s+longer|not\s+anymore|(?:was|got|is)\s+(?:fixed|solved|resolved)"
             r"|now\s+it\s+(?:works|imports))\b|已解决|解决了|해결", _I)


# Python's own exception line: the message catalogue reads it (with its context), not this prose reader.
_EXCEPTION_LINE = lazy(r"^\s*(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:Error|Exception):")


def _absent_said(line: str, search: Callable) -> Optional[str]:
    """The claim's detail where ``line`` says torch is not installed (it reads the line alone;
    ``search``: Pasted.search, whose answers other readers of the same patterns share)."""
    if _EXCEPTION_LINE.match(line):
        return None
    m = search(_ABSENT, line) if len(line) <= 400 else None
    if m and not asked(line, m.end(), clause=False) and not _PAST.search(line) \
            and not re.search(r"\b(?:if|when|whether|unless|make\s+sure)\b[^.;!?]{0,40}$", line[:m.start()], _I):
        what = "Python's No module named 'torch' retold" if _RETOLD.search(m.group(0)) else "torch not installed"
        return f"{STATED_DETAIL}: {what} ({line.strip()[:200]})"
    return None


def _absent(f: Found, doc: Pasted) -> None:
    said = doc.first(lambda line: _absent_said(line, doc.search), "torch", ignorecase=True)  # each distinct line read once; the first counts
    if said:
        i, detail = said
        f.set("torch.installed", False, i, rank=STATED, detail=detail)


def _base(v: str) -> str:
    return v.split("+", 1)[0]


def _same(a: str, b: str) -> bool:
    pa, pb = a.split("."), b.split(".")
    n = min(len(pa), len(pb))
    return pa[:n] == pb[:n]


# The lines _listed and _imported read hold one of these.
_VERSION_WORDS = ("torch", "pytorch", "version")


def _listed_form(line: str) -> Optional[Tuple[str, Optional[str]]]:
    """("listed", the version) where a package tool lists torch on ``line``, ("show", None) for a
    `pip show` name line (its version is on the next line), None otherwise (read once per distinct line)."""
    m = _LISTED.match(line) or _SATISFIED.search(line)
    if m:
        return "listed", m.group(m.re.groups)
    return ("show", None) if _SHOW_NAME.match(line) else None


# A person telling what a package tool lists ("the torch version is displayed as 1.7.0xxxx by pip
# list", "pip show says torch 2.0.1"): the tool named in the sentence, torch and then a version
# within a few words, nothing else named between (no "and", comma or digits: "torch and transformers
# 4.30.0" is another package's version). A claim: the import's own print is compared with it.
_TOOL_SAID = lazy(r"\b(?:pip3?\s+(?:list|show|freeze)|conda\s+list)\b", _I)
_TORCH_VERSION_SAID = lazy(rf"(?<![\w-])(?:py)?torch\b(?P<gap>[^\d.;!?,/]{{0,40}}?)(?<![\w.]){_V}", _I)


def _said_listed_form(line: str) -> Optional[str]:
    """The version where ``line`` tells, in a sentence, what a package tool lists for torch."""
    if len(line) > 400 or _EXCEPTION_LINE.match(line) or _LISTED.match(line):
        return None
    for sentence in re.split(r"(?<=[.!?;])\s+", line):
        if not _TOOL_SAID.search(sentence):
            continue
        m = _TORCH_VERSION_SAID.search(sentence)
        if m and not re.search(r"\band\b|\bor\b", m.group("gap"), _I) and not asked(sentence, m.end(), clause=False):
            return m.group(m.re.groups)
    return None


def _listed(doc: Pasted) -> List[Tuple[int, str]]:
    lines = doc.lines
    out = []
    for i, (form, version) in doc.where(_listed_form, *_VERSION_WORDS):
        if form == "listed":
            out.append((i, version))
        elif i + 1 < len(lines):
            vm = _SHOW_VERSION.match(lines[i + 1])
            if vm:
                out.append((i + 1, vm.group(1)))
    return out


def _asks_version(line: str) -> bool:
    return "__version__" in line and bool(_ASKED_VERSION.search(line))


def _imported(doc: Pasted) -> List[Tuple[int, str]]:
    lines = doc.lines
    out = []
    for i, _ in doc.where(_asks_version, *_VERSION_WORDS):
        for j in range(i + 1, min(i + 3, len(lines))):
            if lines[j].strip():
                vm = _VALUE.match(lines[j])
                if vm:
                    out.append((j, vm.group(1)))
                break
    return out


def _versions(f: Found, doc: Pasted) -> bool:
    listed, imported = _listed(doc), _imported(doc)
    rank, told = PROGRAM, ""
    if not listed and imported:
        said = doc.first(_said_listed_form, "pip", "conda", ignorecase=True)
        if said:
            listed, rank, told = [said], STATED, f"{STATED_DETAIL}: "
    tools = {_base(v) for _, v in listed}
    # "2.0" written short and "2.0.1" printed are one release
    other = next(((i, v) for i, v in imported if not any(_same(_base(v), t) for t in tools)), None)
    if not tools or other is None or len(tools) > 1:
        return False  # nothing to compare, they agree, or the listing already names two (packages)
    li, lv = listed[0]
    f.set("torch.versions_listed", (lv, other[1]), other[0], rank=rank,
          detail=f"{told}a package tool lists torch {lv} (line {li + 1}) but the import prints {other[1]} "
                 f"(line {other[0] + 1}): another copy is imported")
    return True


def _user_site(f: Found, doc: Pasted) -> bool:
    site: Optional[Tuple[int, str]] = None
    for i in doc.lines_containing(".local", "appdata"):
        in_site = _USER_SITE.search(doc.lines[i])
        m = in_site or _LOCATION.match(doc.lines[i])
        if m and (in_site is not None or any(_SHOW_NAME.match(doc.lines[j]) for j in range(max(0, i - 12), i))):
            site = (i, m.group("site"))
            break
        # pip says the torch it manages is in the user site (pip lower-cases Windows paths)
        m = _SATISFIED.search(doc.lines[i])
        if m and _USER_SITE_DIR.match(m.group("where")):
            site = (i, m.group("where"))
            break
    if site is None:
        return False
    for i in doc.lines_containing("envs", "venv"):
        for m in _ENV.finditer(doc.lines[i]):
            if ".local" not in m.group("env"):
                f.set("torch.versions_listed", (site[1], m.group("env")), site[0], rank=PROGRAM,
                      detail=f"torch in the user site {site[1]} (line {site[0] + 1}) beside the environment "
                             f"{m.group('env')} (line {i + 1}): the user site comes first on sys.path")
                return True
    return False


def _two_roots(f: Found, doc: Pasted) -> bool:
    """One traceback (one process) passing through torch's files under two package roots
    ("/usr/local/lib/python3.10/dist-packages/torch/…" and "/usr/lib/python3/dist-packages/
    torch/…"): parts of two installs were imported together."""
    lines, block, roots = doc.lines, -1, {}  # roots: root → first line, within one traceback
    for i in doc.lines_containing("torch"):
        m = _FRAME.match(lines[i])
        if not m:
            continue
        # a traceback runs on while its lines are indented or frames; a gap ends it
        if block < 0 or i - block > 60 or any(not lines[j].startswith((" ", "\t", "File "))
                                              for j in range(block + 1, i)):
            roots = {}
        block = i
        root = m.group("root").replace("\\", "/").lower()
        roots.setdefault(root, i)
        if len(roots) > 1:
            (a, ia), (b, ib) = list(roots.items())[:2]
            f.set("torch.versions_listed", (a, b), i, rank=PROGRAM,
                  detail=f"one traceback passes through torch under {a} (line {ia + 1}) and under {b} "
                         f"(line {ib + 1}): the files of two installs")
            return True
    return False


# "Two versions of torch" counts where they were there at once, not where someone tried them in turn.
_COUNTED = lazy(r"^(?:two|2|multiple|several|duplicate|dos|zwei|mehrere)\b", _I)
_PRESENT = lazy(r"\b(?:install\w*|instalad\w*|there\s+(?:are|were|is)|had|have|has|found|exist\w*|side\s+by\s+side"
                r"|same\s+(?:env\w*|machine|computer|python)|hab\w*|gibt|ten[ií]a|hay)\b", _I)
# Each install in an environment of its own ("in separate conda envs", "in different
# environments", "one per venv", "each in its own env", "在不同的环境"), or both said to work: one
# torch per Python, which is no conflict.
_ENVS = r"(?:conda\s+|virtual\s+|python\s+|docker\s+)?(?:env(?:ironment)?s?|venvs?|virtualenvs?|containers?)\b"
_APART = lazy(rf"\b(?:separate|different|distinct|their\s+own|its\s+own|two|2|multiple|several|each)\s+{_ENVS}"
              rf"|\b(?:one|each)\s+(?:per|in\s+(?:each|every|its\s+own))\s+{_ENVS}|\beach\s+{_ENVS}"
              r"|\bboth\s+(?:of\s+them\s+)?(?:are\s+|were\s+)?(?:fine|ok(?:ay)?|work\w*|run\w*\s+fine)\b"
              r"|不同的?(?:conda\s*)?(?:虚拟)?环境|各自的?(?:conda\s*)?(?:虚拟)?环境|別の(?:仮想)?環境|다른\s*(?:가상\s*)?환경", _I)
_TRIED = lazy(r"\b(?:tried|tested|testing|switch\w*|fail\w*|neither|either|probé|versucht)\b|试了|尝试|시도|試し", _I)


# "there are two versions installed", the package named elsewhere in the sentence ("…, pip uninstall
# torch didn't uninstall 1.4.0"): torch counts only where the sentence names it and no other
# software whose versions people also count (CUDA, cuDNN, Python, the driver, another package).
_TWO_INSTALLED = lazy(r"\b(?:two|2|multiple|several|duplicate)\s+(?:different\s+)?(?:versions|copies|installs|installations)"
                      r"\s+(?:(?:are|were|got|have\s+been|had\s+been)\s+)?(?:installed|present)\b", _I)
_NAMES_TORCH = lazy(r"(?<![\w-])(?:py)?torch\b", _I)
_OTHER_SOFTWARE = lazy(r"\b(?:cuda|cudnn|cudatoolkit|toolkits?|nvcc|drivers?|python\d*(?:\.\d+)*|gcc|numpy|tensorflow|"
                       r"torchvision|torchaudio|xformers|transformers|opencv|protobuf|nvidia[-\w]*|onnx\w*|paddle\w*|jax\w*)\b", _I)


def _two_installed_said(line: str, search: Callable) -> Optional["re.Match[str]"]:
    m = search(_TWO_INSTALLED, line)
    if m is None:
        return None
    left = max((e.end() for e in re.finditer(r"[.!?;](?=\s|$)", line[:m.start()])), default=0)
    right = re.search(r"[.!?;](?=\s|$)", line[m.end():])
    sentence = line[left:m.end() + (right.start() if right else len(line))]
    return m if _NAMES_TORCH.search(sentence) and not _OTHER_SOFTWARE.search(sentence) else None


# Removing the CPU build's own package fixed it ("I uninstalled pytorch-cpu and error went away!"):
# conda's pytorch-cpu (or a torch-cpu) had stayed beside the CUDA torch, two installs of one module.
# The resolution must be said in the same clause and not denied ("… and the error did not go away").
_REMOVED_FIXED = lazy(r"\b(?:uninstall\w*|remov\w*|delet\w*)\s+(?:the\s+)?(?:py)?torch-cpu\b(?P<after>[^.;!?]{0,60}?)"
                      r"\b(?:went\s+away|disappeared|(?:is|was|got)\s+(?:fixed|solved|resolved|gone)|fixed\s+it|solved\s+it"
                      r"|works?\s+now|now\s+(?:it\s+|everything\s+)?works?)", _I)
_NEGATED = lazy(r"\b(?:not|never|still)\b|n't\b", _I)


def _removed_fixed(line: str, search: Callable) -> Optional["re.Match[str]"]:
    if "torch-cpu" not in line.lower():
        return None
    m = search(_REMOVED_FIXED, line)
    return m if m and not _NEGATED.search(m.group("after")) else None


def _two_said(line: str, search: Callable) -> Optional[Tuple[Tuple[str, ...], str]]:
    """(the installs named, the claim's detail) where ``line`` says torch is installed twice."""
    if len(line) > 400:
        return None
    m = (search(_SAID, line) or search(_CONFLICT, line) or _two_installed_said(line, search)
         or _removed_fixed(line, search))
    if (not m or _DENIED.search(line[:m.start()]) or _DENIED_AFTER.search(line[m.end():])
            or asked(line, m.end(), clause=False)):
        return None
    if _COUNTED.match(m.group(0)) and (not _PRESENT.search(line) or _TRIED.search(line)):
        return None
    if _APART.search(line):
        return None
    tools = tuple(t for t in ("pip", "conda", "~/.local") if t in line.lower()) or ("one install", "another")
    return tools, f"{STATED_DETAIL}: two torch installs ({line.strip()[:200]})"


def _said(f: Found, doc: Pasted) -> None:
    said = doc.first(lambda line: _two_said(line, doc.search), "torch", ignorecase=True)  # each distinct line read once; the first counts
    if said:
        i, (tools, detail) = said
        f.set("torch.versions_listed", tools if len(tools) > 1 else tools + ("another install",), i, rank=STATED,
              detail=detail)
        f.set("torch.installed", True, i, rank=STATED)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    if not (_versions(f, doc) or _two_roots(f, doc) or _user_site(f, doc)):
        _said(f, doc)
    _absent(f, doc)
    return f
