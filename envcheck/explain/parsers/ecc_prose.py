"""A person reading nvidia-smi's uncorrectable-ECC counter out to us, in any language.

nvidia-smi's table heads its counter column "Volatile Uncorr. ECC" (nvidia-smi's default
view, every driver since R3xx), ``-q`` names it "Volatile → … Uncorrectable"/"DRAM
Uncorrectable", ``--query-gpu`` "ecc.errors.uncorrected.volatile.total"; DCGM "ECC DBE". A
sentence that names one of them and gives a non-zero count ("Volatile Uncorr. ECC on GPU 2
shows 12", "Volatile Uncorr. ECC 第二张卡显示的是 12") says the GPU has had that many
uncorrectable errors. Nothing is read from a zero, "N/A", a question or a condition ("what
does Volatile Uncorr. ECC mean?", "if Uncorr. ECC goes above 0"), nor from numbers that name
a GPU ("GPU 3", "#3", "卡 3").

The count is claimed as the lifetime (aggregate) count, which is never below the volatile
one, at rank ``STATED``: the finding it leads to is "likely", and a pasted table outranks it.

Without a count, a sentence that says the GPU has, shows or reports ECC errors ("PyCUDA tests
report ECC errors", "GPU 2 has uncorrectable ECC errors", "ECC errors on the second card",
"显卡报 ECC 错误", "ECC 에러가 발생", "ECCエラーが出ます") claims one uncorrectable error
(a corrected one where it says "corrected"/"single-bit"). CUDA's own "uncorrectable ECC error
encountered" is a catalogue message, read there. Nothing is read from a denial ("no ECC
errors", "0 ECC errors"), a question, a condition, advice ("check for ECC errors"),
nvidia-smi -q's "ECC Errors" section heading, or ECC errors of the host's own memory ("a failed
DIMM throwing uncorrectable ECC errors", EDAC's "CE error on CPU#0Channel#2_DIMM#0", "the RAM
reports ECC errors"): a sentence naming a DIMM, the system RAM or EDAC and no GPU is about the
server's memory, not the GPU's.
"""

from __future__ import annotations

import re

from envcheck.derived.host_ecc_note import HOST_ECC_NOTE
from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements"
_I = re.IGNORECASE

_COUNTER = lazy(r"\bvolatile\s+uncorr(?:\.|ected|ectable)?\s*ecc\b|\buncorr\.\s*ecc\b"
                      r"|\becc\.errors\.uncorrected\.(?:volatile|aggregate)\.total\b|\bECC\s+DBE\b", _I)
# A sentence (a line may hold several); a dot inside "Uncorr. ECC" or a field name does not end one.
_SENTENCE = lazy(r"[^!?;。！？\n]+[!?;。！？]?")
_NOT = lazy(r"\?|？|\b(?:if|whether|would|could|should|when(?:ever)?)\b|如果|是否|吗|ですか|나요|인가요", _I)
# A count: digits not part of a version/address, not naming a GPU or a line.
# ASCII classes: a CJK particle right after the count ("4로", "是6") is \w but not part of it.
_COUNT = lazy(r"(?<![0-9A-Za-z_.:#/-])(?<!GPU )(?<!GPU)(?<!card )(?<!卡)(?<!第)(\d{1,6})"
                    r"(?![0-9A-Za-z_.:%/-]|\s*(?:GPUs?|cards?|号|張|张|块|台|번|개|枚))", _I)


_ECC_ERR = lazy(r"(?<![\w-])ECC\s*(?:memory\s+)?(?:errors?|faults?|failures?)\b(?!\s*(?:reporting|counters?|counts?|"
                      r"checking|monitoring|correction|handling|status|mode|config\w*)\b)"
                      r"|ECC\s*(?:错误|報錯|报错|故障|에러|오류|エラー)", _I)
# A verb of having or showing before it, or the GPU it is on after it.
_ASSERT_BEFORE = lazy(r"\b(?:reports?|reported|reporting|shows?|showed|showing|shown|has|have|had|having|got|gets?|"
                            r"getting|see|sees|seeing|saw|seen|throws?|threw|thrown|hit|hits|hitting|encounter\w*|detect(?:s|ed)|"
                            r"logged|logs|due\s+to|because\s+of|caused\s+by|suffer\w*|produc\w*|gives?|gave|giving)\b"
                            r"|报|出现|发生|有|显示|발생|나|出て|出る|発生", _I)
_ASSERT_AFTER = lazy(r"^\s*(?:on|in|from|at)\s+(?:the\s+|my\s+|our\s+|one\s+of\s+the\s+)?(?:gpu|card|node|device|"
                           r"second|first|third|\d)|^\s*(?:がい|が(?:出|発生)|가\s*(?:발생|나)|이\s*(?:발생|나))", _I)
_DENY = lazy(r"\b(?:no|not|never|without|zero|none|free\s+of|n't|if|whether|when(?:ever)?|check\w*|monitor\w*|"
                   r"detect(?:ing)?|avoid\w*|prevent\w*|clear\w*|reset\w*|how|what|any|can|could|would|should|might|may)\b"
                   r"|(?<![\d.])0\s*$|没有|沒有|无|不是|如果|是否|检查|없|ない|なし", _I)
_CORRECTED = lazy(r"\b(?:corrected|correctable|single[- ]bit|SBE)\b", _I)
_UNCORRECTED = lazy(r"\b(?:uncorrect\w*|double[- ]bit|DBE)\b", _I)
_CUDA_MESSAGE = lazy(r"ECC error encountered|ECC_UNCORRECTABLE", _I)
# The host's memory (a DIMM, system RAM, the kernel's EDAC/MCE reports), and words that put the
# GPU back in the sentence.
_HOST_MEMORY = lazy(r"\b(?:DIMMs?|R?DIMM\w*|(?:system|host|server|main)\s+(?:memory|RAM)|RAM|EDAC|MCE|memory\s+modules?|"
                          r"motherboard|mainboard)\b|内存条|内存(?!.*显存)|メモリモジュール|메인\s*메모리", _I)
_GPU_WORD = lazy(r"\b(?:GPUs?|cards?|VRAM|HBM\d?\w*|nvidia|cuda|tesla|a100|h100|v100)\b|显卡|显存|グラフィック|그래픽", _I)


def _in_table(sentence: str) -> bool:
    """Cells of nvidia-smi's table, not a person's sentence: its rows put "|" between the cells
    (nvidia-smi's default view), and a table whose line breaks were lost (a paste flattened to
    one line, a table quoted inside a sentence) still has them, though the line no longer starts
    with one. People do not write "|" in prose."""
    return sentence.count("|") >= 2


def _claim(doc: Pasted, f: Found) -> None:
    """A sentence that says a GPU has ECC errors, without a count."""
    lines = doc.lines
    for i in doc.lines_containing("ecc"):
        line = lines[i]
        if line.lstrip().startswith("|") or _CUDA_MESSAGE.search(line):
            continue  # nvidia-smi's table, or CUDA's message (the catalogue reads both)
        for s in _SENTENCE.findall(line):
            m = _ECC_ERR.search(s)
            if not m or _NOT.search(s) or _in_table(s):
                continue
            before, after = s[:m.start()], s[m.end():]
            if _DENY.search(before[-40:]) or re.match(r"\s*[:=]\s*0\b|\s*\(?0\)?\s*$", after):
                continue
            if _HOST_MEMORY.search(s) and not _GPU_WORD.search(s):
                # the server's own memory (a DIMM, the RAM, EDAC): rules/ecc_said.py then keeps
                # a bare "uncorrectable ECC errors" read elsewhere off the GPU
                said = " ".join(s.split())[:160]
                f.note(f"{HOST_ECC_NOTE}“{said}” (line {i + 1})")
                continue
            if not (_ASSERT_BEFORE.search(before[-40:]) or _ASSERT_AFTER.search(after)):
                continue
            detail = f"{STATED_DETAIL}: {s.strip()[:160]}"
            window = s[max(0, m.start() - 30):m.end()]
            if _CORRECTED.search(window) and not _UNCORRECTED.search(window):
                f.gpu(None, i, detail=detail, ecc_aggregate_corrected=1)
            else:
                f.gpu(None, i, detail=detail, ecc_aggregate_uncorrected=1)
            return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    for i in doc.lines_containing("uncorr", "ecc dbe"):
        line = lines[i]
        if line.lstrip().startswith("|"):
            continue  # nvidia-smi's own table: its reader reads the cells
        for s in _SENTENCE.findall(line):
            m = _COUNTER.search(s)
            if not m or _NOT.search(s) or _in_table(s):
                continue
            counts = [int(c) for c in _COUNT.findall(s[m.end():])]
            worst = max(counts, default=0)
            if worst:
                f.gpu(None, i, detail=f"{STATED_DETAIL}: {s.strip()[:160]}", ecc_aggregate_uncorrected=worst)
                return f
    _claim(doc, f)
    _row_remap(doc, f)
    return f


# Row remapping (A100 and later) told outside nvidia-smi -q's block (r27h): the block's own fields on
# one line where the paste lost its breaks ("Remapped Rows Correctable Error : 0 Uncorrectable Error : 8
# Pending : No Remapping Failure Occurred : Yes", nvidia-smi -q's ROW_REMAPPER section, R450+), the
# field quoted ("nvidia-smi -q shows Remapping Failure Occurred : Yes"), and the state in words ("a row
# remapping failure", "row remapping failed", "failed to remap the row", "rows pending remapping",
# "a row remap is pending"). Nothing from a question, a condition, advice or a denial ("no row remapping
# failure", "check whether a remap is pending"), nor from "Remapping Failure Occurred : No".
_FAILED_FIELD = lazy(r"\bRemapping\s+Failure\s+Occurred\s*:\s*(Yes|No)\b", _I)
_PENDING_FIELD = lazy(r"\bRemapped\s+Rows\b.{0,120}?\bPending\s*:\s*(Yes|No)\b", _I)
_REMAP_FAILED = lazy(r"\brow[\s-]+remap(?:ping|per)?\s+(?:has\s+)?(?:fail(?:ed|ure|ures|s)?)\b|\bremapping\s+failure\b"
                     r"|\bfail(?:ed|s)?\s+to\s+remap\b|\brow[\s-]+remap(?:ping)?\s+(?:is\s+)?exhausted\b|行重映射失败|로우\s*리매핑\s*실패", _I)
_REMAP_PENDING = lazy(r"\brows?\s+(?:are\s+|is\s+)?pending\s+remap(?:ping)?\b|\brow[\s-]+remap(?:ping|s)?\s+(?:is\s+|are\s+)?pending\b"
                      r"|\bpending\s+row[\s-]+remap\w*", _I)
_REMAP_NOT = lazy(r"\?|？|\b(?:if|whether|no|not|never|without|n't|check\w*|monitor\w*|detect(?:s|ing)?|watch\w*|when(?:ever)?|"
                  r"should|could|would|might|may|can|means?|such\s+as|e\.g)\b|如果|是否|没有", _I)


# Every form above holds one of these (lower-cased).
_REMAP_LOOKS = ("remapping failure", "remapped rows", "row remap", "row-remap", "to remap", "pending remap",
                "rows pending", "rows are pending", "rows is pending", "重映射", "리매핑")


def _row_remap(doc: Pasted, f: Found) -> None:
    """Row remapping failed or pending, told or quoted outside the -q block (see above)."""
    lines = doc.lines
    for i in doc.lines_containing("remap", "重映射", "리매핑", ignorecase=True):
        line, low = lines[i], lines[i].lower()
        if line.lstrip().startswith("|") or len(line) > 2000 or not any(w in low for w in _REMAP_LOOKS):
            continue  # a table's row, a log line, or "remap" in some other sense (cheap looks first)
        failed, pending = _FAILED_FIELD.search(line), _PENDING_FIELD.search(line)
        if (failed or pending) and not re.match(r"^\s+(?:Remapping Failure Occurred|Pending)\s*:", line):
            # a field on a line of its own is nvidia-smi -q's block, read by its reader; here the quoted or flattened one
            detail = f"{STATED_DETAIL}: {' '.join(line.split())[:160]}"
            f.gpu(None, i, detail=detail, remapped_rows_failed=failed and failed.group(1).lower() == "yes",
                  remapped_rows_pending=pending and pending.group(1).lower() == "yes")
            continue
        for s in _SENTENCE.findall(line):
            for rx, field in ((_REMAP_FAILED, "remapped_rows_failed"), (_REMAP_PENDING, "remapped_rows_pending")):
                m = rx.search(s)
                if m and not _REMAP_NOT.search(s) and not _in_table(s):
                    f.gpu(None, i, detail=f"{STATED_DETAIL}: {s.strip()[:160]}", **{field: True})
