"""Error messages and warnings printed by torch, CUDA, NVML, cuDNN, NCCL, the loader, Docker …

The patterns are the upstream message catalogue's (``envcheck/knowledge/data/messages.toml``,
docs/messages.md): this module only turns each match into claims.

* Every catalogued message goes verbatim into ``torch.errors`` (``kind = "error"``) or
  ``torch.warnings`` — the whole lines it spans, joined, without the
  ``file.py:123: UserWarning:`` prefix Python's ``warnings.formatwarning`` puts in front —
  so the rules can match the catalogue against the same texts the doctor's torch probe
  records. Messages that share lines (a wrapper such as ``CUDA initialization: …`` and
  the message it wraps) make one text, an error if any of them is one.
* The facts a message carries (its named groups, already converted by the catalogue:
  ``found version 11040`` → the driver's CUDA "11.4", ``(8, 3, 2)`` → cuDNN 8302,
  ``sm_120`` → "12.0") become claims on the matching facts (:data:`FACT_PATHS`).
* A few messages imply a fact without carrying a value (:data:`IMPLIED`): ``Torch not
  compiled with CUDA enabled`` is a CPU-only build, ``No module named 'torch'`` means torch
  is not installed, a loader error under ``import torch`` is torch's import error.

A message the person says they do not meet ("I don't get '…' any more", "- [x] I am not getting
…", "I no longer see …") or tells as what may come ("if you see …") is not this machine's output
and is skipped; one asked about ("why do I get …?") was met, and counts.

Dynamic-loader messages are also read by ``loader.py`` (which library, loaded from where).
"""

from __future__ import annotations

import functools
import re
from typing import Dict, List, Optional, Sequence, Tuple

from envcheck.explain.disk_room import room_answered
from envcheck.explain.partial import TOOL, Found
from envcheck.explain.sentences import ANOTHER_MACHINE, asked, from_reference, working_after
from envcheck.explain.source import Pasted
from envcheck.knowledge import messages
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "error message"
_I = re.IGNORECASE

# Catalogue fact → the Facts path it is. Facts without a field (a CUDA error number, a
# compiler version, NCCL's timeouts …) stay in the message text.
FACT_PATHS: Dict[str, str] = {
    "nvml.cuda_driver_version": "nvml.cuda_driver_version",
    "torch.cuda_build": "torch.cuda_build",
    "torch.arch_list": "torch.arch_list",
    "torch.version": "torch.version",
    "torch.cudnn_compiled_version": "torch.cudnn_compiled_version",
    "torch.cudnn_version": "torch.cudnn_version",
    "torch.nccl_version": "torch.nccl_version",
    "toolkit.nvcc_version": "toolkit.nvcc_version",  # cpp_extension: "The detected CUDA version (11.8)" is nvcc's
    "toolkit.cuda_home": "toolkit.cuda_home",
    "driver.userspace_library_version": "driver.userspace_library_version",
    "driver.kernel_module_version": "driver.kernel_module_version",
    "python.version": "python.version",
}
_GPU_FACTS = {"gpu.name": "name", "gpu.compute_capability": "compute_capability", "gpu.pci_bus_id": "pci_bus_id"}

_CPU_ONLY = ("torch.cuda_build", Reading.fail(Status.NOT_FOUND, "CPU-only build"))
# Message id → facts it implies (path, reading); the detail gets the message's line.
IMPLIED: Dict[str, Tuple[Tuple[str, Reading], ...]] = {
    "torch_not_compiled_with_cuda": (_CPU_ONLY, ("torch.installed", Reading.of(True))),
    "torch_compiled_without_cuda": (_CPU_ONLY, ("torch.installed", Reading.of(True))),
    "python_no_module_torch": (("torch.installed", Reading.of(False)),),
    "pkg_resources_torch_not_found": (("torch.installed", Reading.of(False)),),
    "importlib_metadata_no_torch": (("torch.installed", Reading.of(False)),),
    "sd_webui_torch_cannot_use_gpu": (("torch.cuda_available", Reading.of(False)), ("torch.installed", Reading.of(True))),
}
# Loader failures and torch's own load errors: torch's import error when they happen
# while importing torch (the traceback or the line says so).
IMPORT_FAILURES = frozenset({
    "loader_undefined_symbol", "loader_nccl_symbol", "loader_cannot_open", "loader_driver_library_missing",
    "loader_version_not_found", "torch_windows_dll", "torch_c_extensions", "windows_dll_load_failed",
    "python_dll_load_failed",
})
_IMPORT_CONTEXT = lazy(r"\bimport torch\b|torch[/\\]__init__\.py|from torch\._C import|on import\b")
# A text without any of these cannot match _IMPORT_CONTEXT (a substring test is far cheaper).
_IMPORT_WORDS = ("import torch", "torch/__init__.py", "torch\\__init__.py", "from torch._C import", "on import")
# Python's warnings.formatwarning: "path/to/file.py:123: UserWarning: message".
_WARNING_PREFIX = lazy(r"^\s*(?:\S+:\d+:\s+)?\w*Warning:\s*")
# A message the person says they do not meet ("I don't get 'Torch not compiled with CUDA enabled'
# any more", "- [x] I am not getting …", "I no longer see …") or tells as what may come ("if you
# see …", "in case you get …"): not this machine's output. Only when the denial runs up to the quoted
# message ("I don't get why it says …" is a person who does get it).
_DENIED = lazy(
    r"(?:\b(?:do|does|did|am|is|are|was|were|have|has|had)\s*(?:n[o']t|not)\s+(?:get|getting|got|gotten|see|seeing|saw"
    r"|seen|receiv\w*|hit|hitting|encounter\w*|run\s+into|running\s+into|fac(?:e|ing)|observ\w*|experienc\w*)"
    r"|\b(?:no\s+longer|never)\s+(?:get|gets|got|getting|see|sees|saw|seeing|seen|shows?|showed|prints?|printed|had|have"
    r"|has|encounter\w*)"
    r"|\b(?:if|in\s+case|whenever|when)\s+(?:you|one|someone|anyone|users?)\s+(?:still\s+|ever\s+)?(?:get|gets|see|sees|hit|hits"
    r"|encounter\w*|run\s+into|runs\s+into|fac(?:e|es)|receiv\w*))"
    r"(?:\s+(?:the|this|that|an?|any)\b)?(?:\s+(?:error|warning|message|exception)s?)?[\s:'\"`“”‘’(\[-]{0,6}"
    r"(?:[\w.]{0,60}(?:Error|Exception|Warning)\s*:\s*)?$", _I)
_DENIAL_WORDS = ("not", "n't", "never", "no longer", "if ", "in case", "when")
# After a message, the words placing it on another machine ("I got this on my old laptop, not on
# this server"): with the machine said to work (sentences.working_after), it is not this one's.
_ELSEWHERE = lazy(rf"{ANOTHER_MACHINE}"
                  r"|\bnot\s+(?:on|with)\s+this\s+(?:machine|server|laptop|computer|pc|box|node|system|one)\b", _I)
# Right after a message, its question answered no ("No space left on device? No, the disk has 400 GB
# free", "'CUDA out of memory'? Nope."): the person asked whether it was that and says it was not.
# "? No idea why", "? No matter what I do" answer nothing.
_ANSWERED_NO = lazy(r"[\s'\"`“”‘’)]{0,3}\?\s*(?:no|nope|nah|not\s+(?:that|it|the\s+case|here))\b"
                    r"(?!\s+(?:idea|clue|matter|luck|way|one|change|difference|help))", _I)
# Right after a message, a negated condition: what would happen otherwise ("(The error is '…no kernel
# image…' if not using CUDA 11)", "… unless you install the cu118 build"), not what happened here
# (sweep 24: a working RTX 3090 given an error). "… if I use the GPU" is the person's own run and stays.
_OTHERWISE = lazy(r"[\s'\"`“”‘’)\].,]{0,4}(?:if\s+(?:not|you\s+(?:don'?t|do\s+not|aren'?t|are\s+not))\b|unless\s+you\b)", _I)
# Other people said to get the message, earlier in its sentence, no first person between ("Some users
# get '…' with RTX 30 cards; mine is a 1080", "others have reported …"): not this machine's output
# (review of round 20). "Like other users, I get …" names the person and stays.
_OTHERS_GOT = lazy(r"\b(?:(?:other|some|many)\s+(?:users|people|folks)|someone\s+else|others)\s+(?:also\s+)?"
                   r"(?:get|got|see|saw|have\s+(?:seen|had|reported|gotten|got)|had|report(?:ed)?|hit|run\s+into|ran\s+into)\b"
                   r"(?![^.!?]*\b(?:I|me|my|we|our)\b)[^.!?]*$", _I)
# ... unless the rest of its sentence puts the person with them ("…, and I see it too").
_ME_TOO = lazy(r"[^.!?;\n]*\b(?:I|me|my|we|us|our)\b", _I)
# A recorded text longer than this keeps only the matched part and some context (a message
# inside a one-line JSON log must not put the whole log into the facts).
_LONGEST = 2000
_CONTEXT = 120


def _groups(found: Sequence[messages.Match], lines: Tuple[str, ...]) -> List[List[messages.Match]]:
    """Matches whose lines overlap, together (a wrapper and the message it wraps)."""
    out: List[List[messages.Match]] = []
    last = -1
    for m in sorted(found, key=lambda m: (m.line, m.start)):
        first_line = m.line - 1
        end_line = first_line + m.text.count("\n")
        if out and first_line <= last:
            out[-1].append(m)
            last = max(last, end_line)
        else:
            out.append([m])
            last = end_line
    return out


def _text(group: List[messages.Match], lines: Tuple[str, ...], offsets: Sequence[int]) -> str:
    """The lines the messages span, joined into one, without a warning's location prefix."""
    a = group[0].line - 1
    b = max(m.line - 1 + m.text.count("\n") for m in group)
    text = _joined(lines[a:b + 1])
    if len(text) > _LONGEST:
        start = min(m.start for m in group) - offsets[a]
        end = max(m.end for m in group) - offsets[a]
        joined = "\n".join(lines[a:b + 1])
        text = " ".join(joined[max(0, start - _CONTEXT):end + _CONTEXT].split())
    return _unprefixed(text)


# Cached: a long log repeats the same messages on the same lines.
@functools.lru_cache(maxsize=4096)
def _joined(span: Tuple[str, ...]) -> str:
    return " ".join(s.strip() for s in span if s.strip())


@functools.lru_cache(maxsize=4096)
def _unprefixed(text: str) -> str:
    return _WARNING_PREFIX.sub("", text, count=1) or text


def _subject(m: messages.Match, lines: Tuple[str, ...], offsets: Sequence[int]) -> Optional[str]:
    """The GPU a capability message is about when its name precedes the message on the line:
    torch prints ``f"{device_name} with CUDA capability sm_{cc} is not compatible …"``
    (torch/cuda/__init__.py, _check_capability). A match without those words (the message
    quoted from its "sm_XY" on, in a sentence) has no name before it, only the sentence."""
    if not m.text.lower().startswith("with cuda capability"):
        return None
    i = m.line - 1
    before = lines[i][:m.start - offsets[i]]
    before = _WARNING_PREFIX.sub("", before).strip(" :")
    if 2 <= len(before) <= 120 and not before.endswith((".", ")")):
        return before
    return None


def _facts(f: Found, m: messages.Match, lines: Tuple[str, ...], offsets: Sequence[int]) -> None:
    i = m.line - 1
    detail = f"{m.id} message, line {m.line}"
    gpu: Dict[str, object] = {}
    index = None
    for fact in m.facts:
        if fact.name in FACT_PATHS:
            f.set(FACT_PATHS[fact.name], fact.value, i, detail=detail)
        elif fact.name in _GPU_FACTS:
            gpu[_GPU_FACTS[fact.name]] = fact.value
        elif fact.name == "gpu.index":
            index = fact.value
        elif fact.name == "env.cuda_visible_devices":
            f.item("env.variables", "CUDA_VISIBLE_DEVICES", fact.value, i)
    if "compute_capability" in gpu and "name" not in gpu:
        name = _subject(m, lines, offsets)
        if name:
            gpu["name"] = name
    if m.id == "nvml_gpu_lost" and "pci_bus_id" in gpu:
        gpu["status"] = Reading.fail(Status.GPU_LOST, f"{m.text} (line {m.line})")
    if gpu:
        f.gpu(index if isinstance(index, int) else None, i, detail=detail, **gpu)
    for path, reading in IMPLIED.get(m.id, ()):
        f.set(path, Reading(reading.value, reading.status, f"{reading.detail or m.id}: {m.text} (line {m.line})"), i)


def _import_error(f: Found, m: messages.Match, lines: Tuple[str, ...]) -> None:
    i = m.line - 1
    context = " ".join(lines[max(0, i - 15):i + 1])
    if any(w in context for w in _IMPORT_WORDS) and _IMPORT_CONTEXT.search(context):
        f.set("torch.import_error", lines[i].strip(), i)
        f.set("torch.installed", True, i)


def recognise(line: str) -> Optional[Tuple[str, str]]:
    """("error" | "warning", catalogue id) of the most specific message in a line, or None:
    an error before a warning, and of a wrapper (``CUDA error: …``) and the message it
    wraps, the wrapped one (it starts later)."""
    found = messages.match(line)
    if not found:
        return None
    errors = [m for m in found if m.kind == "error"]
    best = max(errors or found, key=lambda m: m.start)
    return best.kind, best.id


def _denied(m: messages.Match, lines: Tuple[str, ...], offsets: Sequence[int]) -> bool:
    i = m.line - 1
    return _denied_by(lines[i][max(0, m.start - offsets[i] - 120):m.start - offsets[i]])


def _others_before(head: str) -> bool:
    """_OTHERS_GOT, tried only where one of its words is (a long log holds thousands of messages)."""
    low = head.lower()
    return ("other" in low or "some" in low or "many" in low) and bool(_OTHERS_GOT.search(head))


def _not_this_machine(m: messages.Match, lines: Tuple[str, ...], offsets: Sequence[int]) -> bool:
    """A message only asked about ("What does '…' mean?") or placed on another machine, with the
    machine said to work right after it ("Just curious, my setup works"), or asked about and answered
    no ("No space left on device? No, …"): not this machine's output.
    A traceback followed by "now it works" stays a failure (the cause confirmed by its fix)."""
    i = m.line - 1
    line = lines[i]
    end = m.end - offsets[i]
    if 0 <= end < len(line) and (_ANSWERED_NO.match(line, end) or _OTHERWISE.match(line, end)
                                 or room_answered(m.id, lines, i, end)):
        return True
    start = m.start - offsets[i]
    if 0 <= start <= len(line) and _others_before(line[max(0, start - 200):start]) and not _ME_TOO.match(line, max(0, end)):
        return True
    if 0 <= start <= len(line) and from_reference(line[max(0, start - 200):start]):  # "Our runbook: Xid 79 — …"
        return True
    if len(line) > 2000 or end > len(line):
        return False
    # The cheap tests first: a long log holds thousands of messages, few of them asked about.
    if not (asked(line, end, clause=False) or _ELSEWHERE.search(line, end, end + 200)):
        return False
    return working_after(lines, i, end, sentence=False)


# Cached: a long log repeats the same messages after the same words.
@functools.lru_cache(maxsize=4096)
def _denied_by(head: str) -> bool:
    """Do the words before a message (``head``) say the person does not meet it (_DENIED)?"""
    low = head.lower()
    return any(w in low for w in _DENIAL_WORDS) and bool(_DENIED.search(head))


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    if not doc.messages:
        return f
    lines = doc.lines
    offsets = doc.offsets
    present = {m.id for m in doc.messages}
    cat = messages.catalogue()
    enclosed = doc.enclosed
    for group in _groups([m for m in doc.messages if m.line - 1 not in enclosed], lines):
        if _denied(group[0], lines, offsets) or _not_this_machine(group[-1], lines, offsets):
            continue
        kind = "error" if any(m.kind == "error" for m in group) else "warning"
        f.error(_text(group, lines, offsets), group[0].line - 1, "torch.errors" if kind == "error" else "torch.warnings")
        for m in group:
            if present.intersection(cat.get(m.id).voided_by):
                continue  # quoted above, but what it implies is not this machine's (messages.toml voided_by)
            _facts(f, m, lines, offsets)
            if m.id in IMPORT_FAILURES:
                _import_error(f, m, lines)
    return f
