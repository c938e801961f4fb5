"""CUDA_VISIBLE_DEVICES as a report tells it: which value the failing run had, and a machine
said to have one GPU.

* A report often shows two values: the one the run failed with and the one that fixed it
  ("os.environ["CUDA_VISIBLE_DEVICES"] = "1" … should be changed to … = "0"", "setting
  CUDA_VISIBLE_DEVICES=0 worked", "comment out the line … = '7'"). The environment reader
  takes the last value it sees; here the value the run had is the one *before* the fix, so it
  is claimed above the program's rank, and the person's word that changing it fixed the run
  is what it says about CUDA: it found no GPU (or not the one asked for) with that value
  (``torch.cuda_available`` false, stated). A value with no fix said is left to the
  environment reader.
* "I only have one GPU", "my server has a single GPU", "我只有一张卡", "GPU가 하나뿐",
  "GPUが1枚しかない": a person's count, read only where the text sets CUDA_VISIBLE_DEVICES
  (what the count is evidence for), as one GPU of unknown name (stated). A listing of more
  GPUs outranks it (the assembler drops an anonymous GPU beside several).

* ``CUDA_VISIBLE_DEVICES=${GPU_ID}`` in a compose file beside Compose's own warning that the
  variable is unset (v2 ``WARN[0000] The "GPU_ID" variable is not set. Defaulting to a blank
  string.``, v1 ``WARNING: The GPU_ID variable is not set. …``): the container got an empty
  value, a tool's reading (catalogue message ``compose_variable_unset``).

Advice ("if you only have one GPU, set …") and questions say nothing about the machine.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.explain.first_of import FirstOf
from envcheck.explain.partial import PROGRAM, STATED, STATED_DETAIL, TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "CUDA_VISIBLE_DEVICES told"
_I = re.IGNORECASE

_VALUE = r"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|`[^`\n]*`|[\w,-]*)"
_CVD = lazy(rf"CUDA_VISIBLE_DEVICES['\"`]?\s*\]?\s*(?:=|:|\s+to\s+|\s*(?:改|设置?|换|修改)?(?:为|成)\s*|\s*を\s*|\s*를\s*)\s*{_VALUE}")
# A value named as the change that fixed the run (before it on its line, or on the line before).
_FIX_BEFORE = lazy(
    r"(?:\bchang\w*|\breplac\w*|\bswitch\w*|\bshould\s+be|\bmust\s+be|\bneeds?\s+to\s+be|\bhas\s+to\s+be|"
    r"\bset(?:ting)?\s+(?:it\s+)?(?:back\s+)?to\b|\binstead\b|\bfix(?:ed)?\s+(?:it\s+)?(?:by|with)\b|"
    r"\bsolv\w*\s+(?:it\s+)?(?:by|with)\b|\bresolved?\s+(?:it\s+)?(?:by|with)\b|\bwork-?arounds?\b|\bwalkarounds?\b|"
    r"\badd(?:ing|ed)?\b|改为|改成|换成|设置为|设为|修改为|바꾸|변경|に変更|に変え|cambi\w*|\bänder\w*)[^\n]{0,80}$", _I)
_FIX_AFTER = lazy(r"^[^\n]{0,60}?(?:\bworks?\b|\bworked\b|\bworking\b|\bfix(?:es|ed)\b|\bsolv\w*|\bresolv\w*|"
                        r"\bruns?\s+(?:fine|ok)\b|解决|可以了|正常|就好|成功|됩니다|해결|動きました|解決|funciona)", _I)
_FAIL_AFTER = lazy(r"^[^\n]{0,60}?(?:\bfails?\b|\bfailed\b|\berror\b|\bdoesn'?t\s+work|\bnot\s+work|\bcrash|"
                         r"\bno\s+(?:cuda\s+)?(?:gpus?|devices?)\b|报错|不行|失败|出错|에러|エラー)", _I)
_REMOVE_BEFORE = lazy(r"(?:\bcomment(?:ed|ing)?\s+out|\bremov\w*|\bdelet\w*|\bget\s+rid\s+of|注释|删除|删掉|去掉|"
                            r"주석|삭제|コメントアウト|削除)[^\n]{0,80}$", _I)
# An empty match followed by an expression, not a value: a template or a lookup printing the variable
# ("print(f\"CUDA_VISIBLE_DEVICES: {os.getenv('CUDA_VISIBLE_DEVICES')}\")", "CUDA_VISIBLE_DEVICES=$GPU",
# "CUDA_VISIBLE_DEVICES: %s" % …, "CUDA_VISIBLE_DEVICES=<ids>"): what the value is, is not on the line.
_TEMPLATE = lazy(r"(?<![\w,'\"`-])[{$%<(\[]")
# A value only supposed, before it in its sentence: "in the case when it is set to …, say", "assume",
# "for example" (the "set to" there is no fix). Not "if" / "when": "If I set CUDA_VISIBLE_DEVICES=1 I
# get …" tells the run that failed.
_SUPPOSED = lazy(r"\b(?:in\s+(?:the\s+)?case|suppose|supposing|assume|assuming|say|e\.g\.|for\s+example"
                 r"|for\s+instance)\b[^.;!?\n]*$", _I)
# A line that only joins two alternatives ("or") keeps a fix cue alive for the next value.
_JOIN = lazy(r"^\s*(?:or|或|或者|또는|o|oder|ou)\s*[:,]?\s*$", _I)

_ONE = r"(?:one|1|a\s+single|a)"
_GPU = r"(?:nvidia\s+)?(?:gpu|graphics\s+card|video\s+card|card)(?!s)"
_BOX = r"(?:machine|computer|pc|server|laptop|box|system|workstation|node|host)"
_SINGLE = lazy(
    rf"\b(?:i|we)\s+(?:only\s+|just\s+)?(?:have|has|got|own)\s+(?:got\s+)?(?:only\s+|just\s+)?{_ONE}\s+(?:single\s+)?{_GPU}\b"
    rf"|\bmy\s+{_BOX}\s+(?:only\s+)?(?:has|have)\s+(?:only\s+|just\s+)?(?:one|1|a\s+single)\s+{_GPU}"
    rf"|\b(?:on|with|using|have)\s+(?:a|an|my)\s+(?:single|one|1)[-\s]gpu\s+{_BOX}"
    rf"|\bthere\s+is\s+only\s+(?:one|1)\s+{_GPU}|\bonly\s+(?:one|1)\s+gpu\s+(?:on|in)\s+(?:my|this|the)\s+{_BOX}"
    r"|(?:我|我的|本机|机器|电脑|服务器)[^，。,.\n]{0,8}(?:只有|仅有|就)\s*(?:一|1)\s*(?:张|块|个)\s*(?:显卡|卡|gpu)"
    r"|(?:只有|仅有)\s*(?:一|1)\s*(?:张|块|个)\s*(?:显卡|卡|gpu)|(?:我|我的机器|本机)(?:是|只有)单卡"
    r"|gpu\s*(?:가|는|이)?\s*(?:하나|1개|한\s*개|한\s*장)\s*(?:뿐|밖에)"
    r"|gpu\s*(?:が|は)?\s*(?:1|一)\s*(?:枚|台|つ)\s*(?:しか|だけ)"
    r"|\b(?:solo|sólo)\s+tengo\s+una\s+(?:sola\s+)?gpu|\btengo\s+una\s+sola\s+gpu"
    r"|\b(?:ich\s+habe\s+)?nur\s+eine\s+(?:einzige\s+)?(?:gpu|grafikkarte)", _I)
# _SINGLE searched one gated alternative at a time (first_of.py: the same match): most lines
# naming a GPU hold none of an alternative's words.
_SINGLE_FIRST = FirstOf(_SINGLE.pattern, _I, (
    ("have", "has", "got", "own"), ("has", "have"), ("single", "one", "1"), ("only",), ("only",), ("只有", "仅有", "就"),
    ("只有", "仅有"), ("单卡",), ("뿐", "밖에"), ("しか", "だけ"), ("tengo",), ("tengo",), ("nur",)))
# "if you only have one GPU", "for those who have a single GPU": advice, not this machine.
_ADVICE = lazy(r"(?:\bif\b|\bwhen\b|\bfor\s+(?:those|users|people|anyone)|\banyone\b|\busers?\s+with|如果|若是|若)"
                     r"[^.;!?\n]{0,30}$", _I)
_NEGATED = lazy(r"\b(?:not|never|more\s+than|no\s+longer)\b[^.;!?\n]{0,12}$", _I)


# CUDA's and torch's no-device messages (catalogue: torch_no_cuda_gpus, cuda_no_device,
# cuda_invalid_device), lower case for lines_containing.
_NO_DEVICE_WORDS = ("no cuda gpus are available", "no cuda-capable device is detected", "invalid device ordinal",
                    "cudaerrornodevice", "cuda_error_no_device", "cudaerrorinvaliddevice")
# The words rules/cuda_env.py looks for in torch.cuda_available's detail.
FIXED_BY_SETTING = "setting CUDA_VISIBLE_DEVICES to"


def _unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "'\"`":
        return v[1:-1]
    # "sets CUDA_VISIBLE_DEVICES=1, which makes …": the sentence's comma, not an empty entry
    # (CUDA's parser stops at an empty entry anyway, so "1," and "1" show the same GPUs).
    return v.rstrip(",")


def _above(line: str) -> Optional[bool]:
    """What _cue_above makes of a line above a value: None to pass over (blank, "or", the
    alternative just above), True for a fix cue, False for other text (read once per distinct line)."""
    if not line.strip() or _JOIN.match(line) or _CVD.search(line):
        return None
    return bool(_FIX_BEFORE.search(line) or _REMOVE_BEFORE.search(line))


def _cue_above(doc: Pasted, i: int) -> bool:
    """A fix cue on one of the few lines above a value ("should be changed to", "or")."""
    lines = doc.lines
    seen = 0
    for j in range(i - 1, max(-1, i - 6), -1):
        cue = doc.read(_above, lines[j])
        if cue is None:
            continue
        seen += 1
        if cue:
            return True
        if seen == 2:
            return False
    return False


def _setting(line: str) -> Optional[Tuple[str, str, bool]]:
    """(how, value, commented out) for a line setting CUDA_VISIBLE_DEVICES: how is "remove" (a
    fix removing it told before), "fail" (a failure told after), "fix" (a fix cue beside it) or
    "" (none of these: a cue on the lines above may still make it a fix). Read once per distinct line."""
    m = _CVD.search(line)
    if not m or _TEMPLATE.match(line, m.end()):
        return None
    value = _unquote(m.group("value"))
    before, after = line[:m.start()], line[m.end():]
    if _SUPPOSED.search(before[-300:]):
        return None  # a value supposed ("in the case when it is set to …, say CUDA_VISIBLE_DEVICES=0,1,2"): no run had it
    commented = line.lstrip().startswith("#") and not line.lstrip().startswith("# ")
    if _REMOVE_BEFORE.search(before):
        return "remove", value, commented
    if _FAIL_AFTER.search(after):
        return "fail", value, commented
    if _FIX_AFTER.search(after) or _FIX_BEFORE.search(before):
        return "fix", value, commented
    return "", value, commented


# The run with the value said to work, after it on its line: "set CUDA_VISIBLE_DEVICES=3 and it runs fine".
_WORKS_AFTER = lazy(r"^(?:[^.;!?\n]|\.(?=\w)){0,60}?(?:\bworks?\b|\bworked\b|\bworking\b|\bruns?\s+(?:just\s+)?(?:fine|ok|well|great|perfectly)\b"
                    r"|\bruns?\s+without\s+(?:any\s+)?(?:issues?|problems?|errors?))", _I)
# The rest of that sentence taking it back: "… runs fine, but is_available() is False", "works? no".
_TAKEN_BACK = lazy(r"\b(?:but|however|except|though|although|yet|until|unless|only\s+if)\b|n't\b|\bnot\b|\bno\b|error|fail"
                   r"|\bFalse\b|\?", _I)


def _said_to_work(line: str) -> Optional[str]:
    """The value of a line telling the run with it works (not a fix of another value: nothing before it
    cues one), or None (read once per distinct line)."""
    m = _CVD.search(line)
    if not m or _TEMPLATE.match(line, m.end()):
        return None
    before, after = line[max(0, m.start() - 300):m.start()], line[m.end():m.end() + 300]
    works = _WORKS_AFTER.match(after)
    if (not works or _FAIL_AFTER.search(after) or _FIX_BEFORE.search(before) or _REMOVE_BEFORE.search(before)
            or _SUPPOSED.search(before) or _TAKEN_BACK.search(re.split(r"[.;!\n]", after[works.end():], 1)[0])
            or _TAKEN_BACK.search(after[:works.start()])):
        return None
    return _unquote(m.group("value"))


# Both values on one line, the change between them told: "a change of the CUDA_VISIBLE_DEVICE …
# (in my case a change from '1' to '0' was necessary)", "changed CUDA_VISIBLE_DEVICES from 2 to
# 0 and it works", "export CUDA_VISIBLE_DEVICES=1 gives an error. Changing it to
# CUDA_VISIBLE_DEVICES=0 worked", "CUDA_VISIBLE_DEVICES=1, changing it to 0 fixed it". The
# person's word that the change made the run work is what it says (a success after the new
# value, or the change "was necessary" / "had to" be made); advice ("you can change …", "if …"),
# a question, a supposition or a change that did not help say nothing.
_IDS = r"['\"`]?(?P<{}>-?\d+(?:\s*,\s*-?\d+)*)['\"`]?"
_CHANGE = r"\b(?:chang\w*|switch\w*|edit\w*|modif\w*|set(?:ting)?)\b"
_FROM_TO = lazy(rf"{_CHANGE}(?P<what>[^.;!?\n]{{0,40}}?)\bfrom\s+{_IDS.format('old')}\s+to\s+{_IDS.format('new')}(?![\w.])", _I)
_IT_TO = lazy(rf"^[^\n]{{0,60}}?{_CHANGE}\s+(?:it|this|that|the\s+value)\s+to\s+(?:CUDA_VISIBLE_DEVICES\s*=\s*)?"
              rf"{_IDS.format('new')}(?![\w.])", _I)
_NEEDED = lazy(r"\b(?:was|is|were|be)\s+(?:necessary|needed|required)\b|\bhad\s+to\b|\bneeded\s+to\b|\bin\s+my\s+case\b"
               r"|\bfix(?:ed)?\s+(?:it|this|the\s+\w+)\s+by\b|\bsolved?\s+(?:it|this)\s+by\b", _I)
# The person's own case said, after which earlier advice or requests ("it would be useful if you
# could mention …") no longer govern: "(in my case a change from '1' to '0' was necessary)".
_OWN_CASE = lazy(r"\bin\s+my\s+case\b|\bfor\s+me\b|\bon\s+my\s+(?:machine|system|pc|computer|server|laptop)\b", _I)
_ADVISED = lazy(r"\b(?:you|one|users?)\s+(?:can|could|should|may|might|need|have)\b|\bif\b|\bwhen\b|\btry\b|\bplease\b", _I)
# Another reason told for the change, in its sentence: the run with the old value had a GPU and the
# change picked another one (busy, full or slower; a failure that needs a GPU, such as running out
# of its memory, an illegal access, NCCL or DDP): "since GPU 1 was busy", "GPU 1 is used by another
# job, so I changed …", "=1 gives an out-of-memory error. Changing it to 0 worked", "to use the
# faster GPU", "picked the wrong GPU", "GPU 1 is an old Kepler card not supported". Prose, no
# printer: the words people give for picking a GPU.
_OTHER_REASON = lazy(r"\b(?:busy|occupied|idle|free|full|shared|reserved|in\s+use|used\s+by|another\s+(?:job|process|user|program|task)"
                     r"|other\s+(?:jobs?|process(?:es)?|users?|programs?|tasks?)|out[\s-]+of[\s-]+memory|oom|memory|vram"
                     r"|slow\w*|fast\w*|speed|performance|hangs?|hung|nan|loss|illegal|ddp|nccl|display|monitor"
                     # the GPU the old value chose was there, but not the one wanted or one torch supports
                     r"|wrong|instead\s+of|support\w*|capabilit\w*|sm_\d+|kepler|maxwell|pascal)\b"
                     r"|占用|显存|内存|空闲|更快|太慢", _I)
# The change made by someone else, or working for them: "Someone in #12 changed … and it worked for
# them", "My colleague had to change …".
_OTHERS_DID = lazy(r"\b(?:someone|somebody|others|other\s+people|people|users|he|she|they"
                   r"|(?:my|a|our)\s+(?:colleague|friend|co-?worker|teammate)s?)\b", _I)
# A reason given for the change ("because …", "since …") that says nothing of a GPU missing (no
# "only one GPU", "GPU 1 does not exist"): "because GPU 0 is the 3090" picked a GPU that was there.
_REASON = lazy(r"\b(?:because|since|cause|due\s+to)\b(?P<why>[^.;!?\n]*)", _I)
_MISSING = lazy(r"\b(?:only|single|one|no|not|none|exist\w*|missing|absent)\b|n't\b", _I)
# The run said to work after the change in words _FIX_AFTER has not: "now it runs", "the error disappeared".
_GONE = lazy(r"^[^.;!?\n]{0,60}?(?:\bnow\s+it\s+(?:runs|works)\b|\bit\s+runs\s+now\b"
             r"|\b(?:error|problem|issue)\s+(?:is\s+gone|was\s+gone|disappeared|went\s+away|vanished)\b)", _I)
_FOR_THEM = lazy(r"\bfor\s+(?:them|him|her|others|other\s+people)\b", _I)


_STOP = lazy(r"[;!?]|\.(?!\w)")  # a sentence's end; not the dot of "main.py" or "2.1"


def _sentence(line: str, start: int, end: int) -> Tuple[str, str]:
    """The text of the sentence holding line[start:end] before and after it."""
    left = max((m.end() for m in _STOP.finditer(line, 0, start)), default=0)
    right = _STOP.search(line, end)
    return line[left:start], line[end:right.start() if right else len(line)]


def _changed_on_line(line: str) -> Optional[Tuple[str, str]]:
    """(the value the run had, the value that made it work), both told on ``line`` (a line's test)."""
    m = _FROM_TO.search(line)
    # What changed: the variable named between the verb and "from", or nothing named there and the
    # variable earlier in the sentence ("a change of the CUDA_VISIBLE_DEVICE … a change from '1' to
    # '0'"), not another setting ("changed the batch size from 16 to 8").
    near = m and ("cuda_visible_device" in m.group("what").lower()
                  or (re.fullmatch(r"\s*(?:it|this|that|the\s+value)?\s*", m.group("what"), _I) is not None
                      and "cuda_visible_device" in _sentence(line, m.start(), m.end())[0][-150:].lower()))
    pair = (m.group("old"), m.group("new"), m.start(), m.end()) if near else None
    if pair is None:
        first = _CVD.search(line)
        if first and not _TEMPLATE.match(line, first.end()):
            it = _IT_TO.search(line[first.end():])
            if it and not _ADVISED.search(line, first.end(), first.end() + it.start("new")):
                pair = (_unquote(first.group("value")), it.group("new"), first.start(), first.end() + it.end())
    if pair is None:
        return None
    old, new, start, end = pair
    old, new = re.sub(r"\s+", "", old), re.sub(r"\s+", "", new)
    if not old or old == new:
        return None
    before, after = _sentence(line, start, end)
    own = None
    for own in _OWN_CASE.finditer(before):
        pass
    advised_in = before[own.end():] if own else before
    told_ok = _FIX_AFTER.search(after) or _GONE.search(after) or _NEEDED.search(before + " " + line[start:end] + after)
    if (not told_ok or "?" in after or _ADVISED.search(advised_in) or _SUPPOSED.search(advised_in)
            or _TAKEN_BACK.search(after[:60]) and not (_FIX_AFTER.match(after[:30]) or _GONE.match(after))):
        return None
    if (_OTHER_REASON.search(before + " " + line[start:end] + " " + after) or _OTHERS_DID.search(advised_in)
            or _FOR_THEM.search(after) or any(not _MISSING.search(r.group("why"))
                                              for r in _REASON.finditer(before + " " + line[start:end] + " " + after))):
        return None  # the old value's run had a GPU (another was picked), or it was not this person's run
    return old, new


def _values(doc: Pasted) -> Tuple[List[Tuple[str, int]], bool, Optional[Tuple[str, int]]]:
    """(values the run had, whether a fix is told, the first fixed value) from the lines
    setting CUDA_VISIBLE_DEVICES."""
    originals: List[Tuple[str, int]] = []
    fixed: Optional[Tuple[str, int]] = None
    fix_told = False
    for i, (how, value, commented) in doc.where(_setting, "cuda_visible_devices"):
        if how == "remove":
            originals.append((value, i))
            fix_told = True
        elif how == "fail":
            originals.append((value, i))
        elif how == "fix" or (originals and _cue_above(doc, i)):
            fix_told = True
            if not commented and fixed is None:
                fixed = (value, i)
        elif not commented:
            originals.append((value, i))
    return originals, fix_told, fixed


def _single_said(line: str) -> Optional["re.Match[str]"]:
    """One GPU said on ``line``: not advice, not denied, not asked (a line's test: Pasted.where)."""
    m = _SINGLE_FIRST.search(line)
    if not m or _ADVICE.search(line, 0, m.start()) or _NEGATED.search(line, max(0, m.start() - 20), m.start()):
        return None
    if "?" in line[m.end():m.end() + 40]:
        return None
    return m


# The same reading for another parser's line (gpu_index_fix: a one-GPU machine told beside a fix).
single_gpu_said = _single_said


def _single_gpu(doc: Pasted) -> Optional[Tuple[int, str]]:
    said = doc.where(_single_said, "gpu", "card", "卡", "grafikkarte")
    return (said[0][0], said[0][1].group(0).strip()) if said else None


# A Kubernetes pod spec's env list: "- name: CUDA_VISIBLE_DEVICES" then "value: \"\"".
_K8S_NAME = lazy(r"^\s*-?\s*name:\s*['\"]?CUDA_VISIBLE_DEVICES['\"]?\s*$")
_K8S_VALUE = lazy(r"^\s*value:\s*(?P<value>\"[^\"]*\"|'[^']*'|\S*)\s*$")


def _k8s(doc: Pasted, f: Found) -> None:
    lines = doc.lines
    for i in doc.lines_containing("cuda_visible_devices"):
        if _K8S_NAME.match(lines[i]) and i + 1 < len(lines):
            m = _K8S_VALUE.match(lines[i + 1])
            if m:
                f.item("env.variables", "CUDA_VISIBLE_DEVICES", _unquote(m.group("value")), i + 1, rank=PROGRAM)


# docker/compose (compose-go template interpolation): the warning for a ${VAR} the shell and
# .env leave unset; its value becomes "".
_UNSET = lazy(r"The \"?(?P<var>\w+)\"? variable is not set\. Defaulting to a blank string")
_REF = lazy(r"CUDA_VISIBLE_DEVICES['\"]?\s*[=:]\s*['\"]?\$\{?(?P<var>\w+)(?::?-)?\}?['\"]?\s*$")


def _compose_unset(doc: Pasted, f: Found) -> None:
    unset = {m.group("var") for i in doc.lines_containing("defaulting to a blank string")
             for m in [_UNSET.search(doc.lines[i])] if m}
    if not unset:
        return
    for i in doc.lines_containing("cuda_visible_devices"):
        ref = _REF.search(doc.lines[i])
        if ref and ref.group("var") in unset:
            f.item("env.variables", "CUDA_VISIBLE_DEVICES", "", i, rank=TOOL)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("cuda_visible_device"):  # also the singular people type
        return f
    _k8s(doc, f)
    _compose_unset(doc, f)
    originals, fix_told, fixed = _values(doc)
    run = next((v for v in originals if fixed is None or v[0] != fixed[0]), None)
    if run is not None and fix_told:
        value, i = run
        f.item("env.variables", "CUDA_VISIBLE_DEVICES", value, i, rank=PROGRAM + 5)
        how = f"changing it to {fixed[0]!r}" if fixed else "removing it"
        # The failing run is the one the report is about: its word outranks a session the text
        # shows working ("in interactive Python it returns True"), as the value does (PROGRAM + 5).
        f.set("torch.cuda_available", False, i, rank=PROGRAM + 5,
              detail=f"{STATED_DETAIL}: with CUDA_VISIBLE_DEVICES={value!r} the run found no GPU; {how} fixed it")
    elif run is None and fixed is not None and doc.lines_containing(*_NO_DEVICE_WORDS):
        # Only the fix is told ("to overcome 'No CUDA GPUs are available', add os.environ[
        # "CUDA_VISIBLE_DEVICES"] = "0""): the run's own value (the program's or its launch
        # script's) is not shown, but a value naming GPUs this machine lacks is what setting
        # it fixes. The failing run found no GPU; the rule reads this detail.
        value, i = fixed
        f.set("torch.cuda_available", False, i,
              detail=f"{STATED_DETAIL}: the run found no GPU; {FIXED_BY_SETTING} {value!r} fixed it")
    if not (run is not None and fix_told):
        changed = doc.where(_changed_on_line, "cuda_visible_device")
        if changed:
            i, (value, to) = changed[0]
            f.item("env.variables", "CUDA_VISIBLE_DEVICES", value, i, rank=PROGRAM + 5)
            f.set("torch.cuda_available", False, i, rank=PROGRAM + 5,
                  detail=f"{STATED_DETAIL}: with CUDA_VISIBLE_DEVICES={value!r} the run found no GPU; changing it to {to!r} fixed it")
            run, fix_told = (value, i), True
    if not (run is not None and fix_told) and not doc.lines_containing(*_NO_DEVICE_WORDS):
        # No run failed with another value, and the run with this one is said to work ("an A100 …
        # CUDA_VISIBLE_DEVICES=3 … runs fine"): CUDA saw a GPU with it, whatever the text lists of the machine.
        said = doc.first(_said_to_work, "cuda_visible_devices", ignorecase=True)
        if said is not None and all(v == said[1] for v, _ in originals):
            i, value = said
            f.set("torch.cuda_available", True, i,
                  detail=f"{STATED_DETAIL}: with CUDA_VISIBLE_DEVICES={value!r} the run is said to work")
    single = _single_gpu(doc)
    if single is not None:
        i, said = single
        f.gpu(None, i, detail=f"{STATED_DETAIL}: one GPU ({said})", status=True)
    return f
