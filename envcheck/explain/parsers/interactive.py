"""What a user's own Python printed: REPL sessions and one-line checks.

* an expression and the value printed for it on the next line, however it was typed:
  ``>>> torch.cuda.is_available()`` then ``False`` (the REPL), Jupyter's ``In [3]:`` /
  ``Out[3]:``, a script's ``print(torch.cuda.is_available())`` (``import torch;`` before it)
  then its output (``False``, ``>>false``, ``output: False``), the bare expression of a pasted
  notebook cell or prompt-less session (then only a value as Python prints it counts), a
  warning Python printed in between skipped; ``>>> torch.version.cuda`` followed straight by
  the next prompt is None (the REPL echoes nothing for None);
* a script's run of ``print(expr)`` lines and, after it (a fence, "Output:", the command
  running it), one value line for each, in order;
* ``python -c "import torch; print(torch.__version__)"`` (or ``py -c``) followed by its output;
* inline forms ``torch.cuda.is_available(): False`` (Ultralytics prints this),
  ``torch.version.cuda = 12.1``, ``torch.cuda.is_available() -> True``;
* labelled prints from check scripts: ``CUDA available: True``, ``torch version: 2.1.0``;
* the REPL banner ``Python 3.7.5 (default, Oct 25 2019, …)``.
"""

from __future__ import annotations

import ast
import functools
import re
from typing import Callable, Dict, Optional, Tuple

from envcheck.explain.partial import PROGRAM, STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "Python session"

Setter = Callable[[Found, str, int], None]


_CONSTANTS = {"True": True, "False": False, "None": None}


def _literal(text: str):
    t = text.strip()
    if t in _CONSTANTS:  # what most calls print; ast.literal_eval compiles it first
        return _CONSTANTS[t]
    return _evaluated(t)


@functools.lru_cache(maxsize=4096)  # a long log prints the same values again (no caller changes what it gets)
def _evaluated(t: str):
    try:
        return ast.literal_eval(t)
    except (ValueError, SyntaxError):
        return t.strip("'\"")


def _bool(text: str) -> Optional[bool]:
    return {"true": True, "false": False, "yes": True, "no": False}.get(str(_literal(text)).lower())


def _set_bool(path: str) -> Setter:
    def setter(f: Found, text: str, i: int) -> None:
        b = _bool(text)
        if b is not None:
            f.set(path, b, i)
    return setter


def _version(f: Found, text: str, i: int) -> None:
    v = str(_literal(text))
    if re.match(r"^\d+\.\d+", v):
        f.set("torch.version", v, i)
        f.set("torch.installed", True, i)


def _cuda_build(f: Found, text: str, i: int) -> None:
    v = _literal(text)
    if v is None or str(v) == "None":
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build: torch.version.cuda is None (line {i + 1})")
    elif re.match(r"^\d+\.\d+$", str(v)):
        f.set("torch.cuda_build", str(v), i)


def _built(f: Found, text: str, i: int) -> None:
    # torch.backends.cuda.is_built() is torch._C._has_cuda: False only for a build without CUDA.
    if _bool(text) is False:
        f.fail("torch.cuda_build", Status.NOT_FOUND, i,
               detail=f"CPU-only build: torch.backends.cuda.is_built() is False (line {i + 1})")


def _int(path: str) -> Setter:
    def setter(f: Found, text: str, i: int) -> None:
        v = _literal(text)
        if isinstance(v, int) and not isinstance(v, bool):
            f.set(path, v, i)
    return setter


def _arch_list(f: Found, text: str, i: int) -> None:
    v = _literal(text)
    if isinstance(v, list) and all(isinstance(a, str) for a in v):
        f.set("torch.arch_list", tuple(v), i)


def _device_name(f: Found, text: str, i: int) -> None:
    v = _literal(text)
    if isinstance(v, str) and v:
        f.gpu(0, i, name=v)


def _capability(f: Found, text: str, i: int) -> None:
    v = _literal(text)
    if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
        f.gpu(0, i, compute_capability=f"{v[0]}.{v[1]}")


def _nccl(f: Found, text: str, i: int) -> None:
    v = _literal(text)
    if isinstance(v, tuple):
        f.set("torch.nccl_version", ".".join(str(x) for x in v), i)
    elif isinstance(v, int) and not isinstance(v, bool) and v >= 1000:
        # torch < 1.13 returned NCCL_VERSION_CODE: M*1000+m*100+p before NCCL 2.9, M*10000+m*100+p since.
        major, rest = (v // 10000, v % 10000) if v >= 10000 else (v // 1000, v % 1000)
        f.set("torch.nccl_version", f"{major}.{rest // 100}.{rest % 100}", i)


# expression (as typed, without spaces) → what its printed value sets
EXPRESSIONS: Dict[str, Setter] = {
    "torch.__version__": _version,
    "torch.version.cuda": _cuda_build,
    "torch.cuda.is_available()": _set_bool("torch.cuda_available"),
    "torch.backends.cuda.is_built()": _built,
    "torch.cuda.device_count()": _int("torch.device_count"),
    "torch.backends.cudnn.version()": _int("torch.cudnn_version"),
    "torch.cuda.get_arch_list()": _arch_list,
    "torch.cuda.get_device_name()": _device_name,
    "torch.cuda.get_device_name(0)": _device_name,
    "torch.cuda.get_device_capability()": _capability,
    "torch.cuda.get_device_capability(0)": _capability,
    "torch.cuda.nccl.version()": _nccl,
}
_EXPR = "|".join(re.escape(e) for e in sorted(EXPRESSIONS, key=len, reverse=True))
# An expression whose value follows on the next line, in every way it is pasted: at the Python
# prompt or IPython/Jupyter's "In [2]:" (the value follows as "Out[2]: False"), printed by a
# script's line ("print(torch.cuda.is_available())"), a notebook cell or a session pasted without
# its prompts (the bare expression), or marked by hand ("> torch.cuda.is_available()" then
# ">> False"); "import torch;" may come first on the line.
_PROMPT = lazy(r"^(?:>>>|\.\.\.|In \[\d*\]:)\s*")
_MARK = lazy(r"^(?:>{1,2}(?!>)|\$|#)\s*")
_STATEMENT = lazy(rf"^(print\(\s*)?({_EXPR})(?(1)\s*\))$")
_OUT = lazy(r"^Out\[\d+\]:\s*")
_INLINE = lazy(rf"`?({_EXPR})`?\s*(?::|=|->|→|==>)\s*`?([^`]+?)`?\s*$")
# A printed value marked as output (">>false", "-> False", "output: False", "return False").
_OUTPUT_MARK = lazy(r"^(?:>>(?!>)|->|=>|→|#|output\s*[:：]|returns?\s*[:：]?|返回\s*[:：]?)\s*", re.I)
# python -c (or the Windows launcher py -c) printing an expression.
_PRINT_CMD = lazy(rf"(?:\bpy|python3?(?:\.\d+)?)(?:\.exe)?\s+-c\s+.*print\(\s*({_EXPR})\s*\)")
# Python's warning lines between a call and its value ("…/cuda/__init__.py:52: UserWarning: CUDA
# initialization: …" then the source line it quotes, indented): not the value.
_WARNING = lazy(r"\b\w*Warning:|warnings\.warn\(")
# One print of several expressions ("print(torch.__version__, torch.version.cuda,
# torch.cuda.is_available())", at a prompt or in ``python -c``): Python prints the values on
# one line separated by spaces, in the same order.
_PRINT_MANY = lazy(rf"print\(\s*((?:{_EXPR})(?:\s*,\s*(?:{_EXPR}))+)\s*\)")
# A sentence about what the call gave: "torch.cuda.is_available() returning False",
# "cuda.is_available()只会返回false" (returns), "... prints `False`". The module prefix is
# often left out in prose, so "cuda.is_available()" counts too.
_SAID_EXPR = "|".join(re.escape(e.replace("torch.", "", 1)) for e in sorted(EXPRESSIONS, key=len, reverse=True))
# The verb in other languages too: de gibt/liefert/zeigt/ist, ru возвращает/выдаёт/показывает/равно,
# es devuelve/retorna/muestra/da/es, pt retorna/devolve/mostra/dá/é, fr renvoie/retourne/donne/affiche/est,
# ja/ko put a particle before the value ("がFalseを返す", "가 False로 나옵니다").
_RESULT = (r"[^\n`]{0,16}?(?:\b(?:returns?|returned|returning|prints?|printed|printing|gives?|gave|giving|outputs?|"
           r"shows?|showed|is|was|still|always|gibt|liefert|zeigt|ergibt|ist|immer|возвращает|вернул[аои]?|выда[её]т|"
           r"показывает|равно|devuelve|retorna|muestra|da|es|sigue|devolve|mostra|dá|é|continua|renvoie|retourne|donne|"
           r"affiche|est|reste)\b(?:\s+(?:me|us|back))?|=+|返回|输出|显示|打印|为|是|が|は|이|가|는)\s*[:：]?\s*[`'\"]?"
           r"(True|False|None|true|false|\d+\.\d+(?:[\w.+]*\w)?|\d+)(?![A-Za-z0-9_])"  # a CJK particle may follow ("False로"),
           # a version ends in a letter or digit, not the sentence's full stop ("prints 2.1.0+cpu. Should …")
           # not one of two values offered ("が True か False かを確認", "True or False"): a choice, no result
           r"(?![`'\"]?\s*(?:か|or|oder|или|ou|o|또는|或)\s*[`'\"]?(?:True|False|true|false)\b)")
_SAID = lazy(rf"(?:torch\.)?({_SAID_EXPR})[`'\"]?{_RESULT}")
_SAID_WORDS = tuple(e.replace("torch.", "", 1) for e in EXPRESSIONS)  # _SAID needs one of them
# What a value should be, not what it was: "It should print True", "is it supposed to return …".
_EXPECTED = lazy(r"\b(?:should|would|will|must|supposed|expect\w*|might|may|could|ought|want\w*|hop\w*)\b", re.I)
_SAID_AFTER = lazy(rf"^[;)'\"`\s]*{_RESULT}")
_BANNER = lazy(r"^Python (\d+\.\d+\.\d+)\s*(?:\||\()")
# A logger's columns before a labelled print: "11:30:33 AM | INFO     | CUDA available: False".
_LOGGED = r"^(?:[^\n]{0,60}?\b(?:INFO|DEBUG|WARNING|WARN)\b\s*[|:\]-]?\s*)?"
# (pattern, what it sets, words of which a line must hold one for the pattern to match it — in
# lower case and without i, s or k, which re.IGNORECASE also takes as ı, ſ and K: a substring
# test is much cheaper than trying the pattern).
_LABELLED: Tuple[Tuple[re.Pattern, Setter, Tuple[str, ...]], ...] = (
    (lazy(r"^\s*(?:torch|pytorch)(?: version)?\s*[:=]\s*(\d+\.\d+\.\d+\S*)\s*$", re.I), _version, ("torch",)),
    (lazy(_LOGGED + r"\s*(?:is\s+)?(?:(?:py)?torch\s+)?cuda(?:\s+is)?\s+available\??\s*[:=]?\s*(True|False|Yes|No)\s*$", re.I),
     _set_bool("torch.cuda_available"), ("lable",)),
    # PyTorch Lightning's trainer banner ("GPU available: True (cuda), used: True"; before 1.7 without
    # the parenthesis): torch.cuda.is_available(). "(mps)" is Apple's GPU, not CUDA.
    (lazy(_LOGGED + r"\s*GPU available:\s*(True|False)(?:\s*\(cuda\))?,\s*used:"), _set_bool("torch.cuda_available"),
     ("used:",)),
    (lazy(r"^\s*(?:gpu|cuda device|device)[\s_]?(?:count|num)\s*[:=]\s*(\d+)\s*$", re.I), _int("torch.device_count"),
     ("count", "num")),
    (lazy(r"^\s*cuda version \((?:torch|pytorch)\)\s*[:=]\s*(\S+)\s*$", re.I), _cuda_build, ("torch)",)),
)


def _next_value(lines: Tuple[str, ...], i: int) -> Optional[Tuple[str, int]]:
    """The value printed after line ``i``: its next line that is not blank, a code fence or a
    warning Python printed first (within two such lines, or a dozen in all)."""
    seen = 0
    warned = False
    for j in range(i + 1, min(i + 13, len(lines))):
        raw = lines[j]
        s = raw.strip()
        if not s or s.startswith("```"):
            continue
        if s.startswith((">>>", "$", "Traceback", "In [")):
            return None
        if _WARNING.search(s):
            warned = True
            continue
        if warned and raw[:1].isspace():
            continue  # the source line the warning quotes
        seen += 1
        if seen > 2:
            return None
        return _OUT.sub("", s), j
    return None


@functools.lru_cache(maxsize=4096)  # a long log repeats its lines
@functools.lru_cache(maxsize=4096)  # a long log repeats its lines; the answer is a tuple
def _expression(line: str) -> Optional[Tuple[str, bool, bool]]:
    """The expression whose value the next line shows, with whether it is printed (print(…)) and
    whether it is at the interpreter's own prompt; None when the line is no such expression."""
    s = line.strip()
    m = _PROMPT.match(s)
    prompted = bool(m)
    s = s[m.end():] if m else _MARK.sub("", s)
    *before, last = [t.strip() for t in s.split(";") if t.strip()] or [""]
    if any(not t.startswith(("import ", "from ")) for t in before):
        return None  # other statements first: a line of a program, not a look at one value
    m = _STATEMENT.match(last)
    return (m.group(2), bool(m.group(1)), prompted) if m else None


# What stands between a script and its output: "Output:", 输出：, a command running it.
_SEPARATOR = lazy(r"^(?:output|outputs|result|results|console|输出|结果|出力|결과|salida|ausgabe)\s*[:：]?\s*$"
                  r"|^[$>#]?\s*(?:python3?|py)\S*\s+\S+\.py\b", re.I)


def _printed(line: str) -> Optional[str]:
    e = _expression(line)
    return e[0] if e and e[1] and not e[2] else None


def _block(f: Found, lines: Tuple[str, ...], i: int) -> bool:
    """A script's run of print(expr) lines starting at ``i`` and, after it (past a fence,
    "Output:" or the command running it), as many value lines: the values in order."""
    if i and _printed(lines[i - 1]):
        return False  # not the first print of its run
    exprs, j = [], i
    while j < len(lines) and j - i < 30:
        s = lines[j].strip()
        if not s or s.startswith(("```", "import ", "from ")):
            j += 1
        elif _printed(s):
            exprs.append(_printed(s))
            j += 1
        else:
            break
    while j < len(lines) and j - i < 40 and (not lines[j].strip() or lines[j].strip().startswith("```")
                                               or _SEPARATOR.match(lines[j].strip())):
        j += 1
    values = [(lines[k].strip(), k) for k in range(j, min(j + len(exprs), len(lines)))]
    if len(exprs) < 2 or len(values) != len(exprs) or not all(_repr(v) for v, _ in values):
        return False
    for e, (v, k) in zip(exprs, values):
        EXPRESSIONS[e](f, v, k)
    return True


def _repr(text: str) -> bool:
    """A value as Python prints one (True, None, 12, '2.1.0', (8, 6), [...]), or true/false
    typed by hand: what a bare expression's next line must be to be its value."""
    t = text.strip()
    if t.lower() in ("true", "false") or t in _CONSTANTS:
        return True
    try:
        ast.literal_eval(t)
    except (ValueError, SyntaxError):
        return bool(re.match(r"^\d+\.\d+(?:\.\d+)?(?:\+\w+)?$", t))  # print(torch.__version__)'s 2.1.0+cu118
    return True


_MAY_BE_NONE = ("torch.version.cuda",)  # the expressions whose value may be None


def _prompt_follows(lines: Tuple[str, ...], i: int) -> bool:
    """The next non-blank line (within two) is a new prompt: the expression printed nothing."""
    for j in range(i + 1, min(i + 3, len(lines))):
        s = lines[j].strip()
        if s:
            return s.startswith((">>>", "In [")) and not s.startswith("In []")
    return False


def _said(f: Found, line: str, i: int, expr: Optional[str] = None) -> bool:
    """A person's sentence about a call's result: a claim (rank STATED), not the program's
    output. ``expr``: the call is known (a ``python -c`` command) and ``line`` is what follows it.
    A sentence may tell several ("is_available() returns False and torch.version.cuda is None")."""
    if expr:
        m = _SAID_AFTER.match(line)
        said = [(expr, m)] if m else []
    else:
        said = [("torch." + m.group(1), m) for m in _SAID.finditer(line)]
    if not said:
        return False
    found = Found(f.source, STATED)
    for e, m in said:
        if e in EXPRESSIONS:
            EXPRESSIONS[e](found, m.group(m.lastindex), i)
    f.claims.extend(found.claims)
    f.gpus.extend(found.gpus)
    return True


def _printed_many(f: Found, lines: Tuple[str, ...], i: int, m: re.Match) -> bool:
    exprs = [e.strip() for e in m.group(1).split(",")]
    value = _next_value(lines, i)
    if not value:
        return False
    values = value[0].split()
    if len(values) != len(exprs):
        return False  # a value with a space in it (a GPU's name): which is which is not known
    for e, v in zip(exprs, values):
        EXPRESSIONS[e](f, v, value[1])
    return True


# Every form above needs one of these on its line (lower case): "torch" for the expressions and
# the labelled torch version, "python " for the banner, an expression for a sentence about
# it, a labelled print's gate word.
_MAY_SAY = ("torch", "python ") + tuple(sorted({w.lower() for w in _SAID_WORDS} | {
    w for _, _, words in _LABELLED for w in words}))


def _line(f: Found, lines: Tuple[str, ...], i: int) -> bool:
    """Read line ``i`` (and, for a call, the lines after it); False when nothing was recognised."""
    line = lines[i]
    if "torch." in line:  # every expression is torch.<…>
        m = _PRINT_MANY.search(line) if line.count("torch.") > 1 else None
        if m and _printed_many(f, lines, i, m):
            return True
        e = _expression(line)
        if e:
            expr, printed, prompted = e
            if printed and not prompted and _block(f, lines, i):
                return True
            value = _next_value(lines, i)
            if value and not prompted and not _repr(value[0]) and not _EXPECTED.search(value[0]) \
                    and _said(f, value[0], value[1], expr):
                return True  # the code, then the person's "it prints False" on the next line
            if value:
                v = value[0] if prompted else _OUTPUT_MARK.sub("", value[0])
                if prompted or printed or _repr(v):  # a bare expression: only a value as Python prints it
                    EXPRESSIONS[expr](f, v, value[1])
            elif prompted and expr in _MAY_BE_NONE and not printed and _prompt_follows(lines, i):
                # The REPL echoes nothing for None (sys.displayhook; IPython shows no Out[n]):
                # ">>> torch.version.cuda" followed straight by the next prompt is None.
                EXPRESSIONS[expr](f, "None", i)
            return True
        m = _PRINT_CMD.search(line)
        if m and line.count("print(") == 1:
            if _said(f, line[m.end():], i, m.group(1)):
                return True  # the command, then "prints False" on the same line
            value = _next_value(lines, i)
            if value:
                EXPRESSIONS[m.group(1)](f, value[0], value[1])
            return True
        m = _INLINE.search(line)
        if m:
            EXPRESSIONS[m.group(1)](f, m.group(2), i)
            return True
    if line.startswith("Python "):
        m = _BANNER.match(line.strip())
        if m:
            f.set("python.version", m.group(1), i)
            return True
    low = line.lower()
    if (("(" in line and ("cuda." in low or "version" in low)) or "__version__" in line) \
            and any(e in line for e in _SAID_WORDS) and _said(f, line, i):
        return True
    if "torch" in low or "cuda" in low or low.lstrip().startswith(("gpu", "device")) or "gpu available:" in low:
        for pattern, setter, words in _LABELLED:
            for w in words:
                if w in low:
                    lm = pattern.match(line)
                    if lm:
                        setter(f, lm.group(1), i)
                        return True
                    break
    return False


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    # Lines without a call on which nothing was recognised, not read again where they repeat (a
    # long log): only a call's line reads the lines after it, the others are read alone.
    idle = set()
    for i in doc.lines_containing(*_MAY_SAY):
        line = doc.lines[i]
        if line not in idle and not _line(f, doc.lines, i) and "torch." not in line:
            idle.add(line)
    return f
