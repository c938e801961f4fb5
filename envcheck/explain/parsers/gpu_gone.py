"""A GPU that stopped answering on the PCI bus, read from ``lspci`` and from a person's words.

* ``lspci``'s row for an NVIDIA display function ending in "(rev ff)". pciutils' lspci
  (lspci.c ``show_terse``, every version: ``printf(" (rev %02x)", rev)``) prints the
  revision-ID byte of the device's config space; a device that no longer answers config
  reads returns all ones, so the byte reads ``ff`` (NVIDIA's GPUs ship as ``a1``/``a2``…).
  ``lspci -v`` on such a device prints "!!! Unknown header type 7f" (lspci.c: the header-type
  byte ``0xff`` masked with ``0x7f``). A laptop's discrete GPU switched off by bbswitch,
  Bumblebee or a GPU-switching tool reads the same way while it is off, so a paste that names
  one of those says nothing here.
* A person retelling it: "`rev ff` means it is down", "lspci shows the card as rev ff".
* A person saying a GPU dropped out: "we lost 1 GPU", "one GPU is lost after reboot",
  "2 GPUs disappeared in nvidia-smi", "shown in lspci, but not nvidia-smi", "掉卡", "显卡掉了",
  "nvidia-smi 少了一张", "GPU가 떨어져". Not when the same sentence names a software change
  (an update, an install: then the driver is the suspect) or a container.
* A GPU unusable after a failure until a reboot: "after this error the GPU cannot be used until I
  reboot". Only beside a failure told, and not after a change of settings (BIOS, MIG or
  persistence mode, a module parameter), which a reboot applies.

lspci's own lines are a tool's reading (``TOOL``); a person's words are claims (``STATED``):
the finding is likely until the kernel log (Xid 79) or nvidia-smi ("GPU is lost", read by the
message catalogue) shows it. A denial, a question, or a
condition says nothing.
"""

from __future__ import annotations

import re

from envcheck.explain.gated import Gated
from envcheck.explain.partial import STATED, STATED_DETAIL, TOOL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Reading, Status

SOURCE = "statements"
_I = re.IGNORECASE

# lspci's row: "01:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] (rev ff)",
# with -nn "[10de:20b2] (rev ff)". Display classes only: the GPU itself.
_LSPCI_DEAD = lazy(r"^\s*(?P<bus>(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\s+(?:VGA compatible controller|3D controller|"
                         r"Display controller)\b[^\n]*?(?:NVIDIA|\[10de:)[^\n]*\(rev ff\)(?:\s*\(prog-if ff\))?\s*$", _I)
_BAD_HEADER = lazy(r"!!! Unknown header type 7f\b", _I)
# The machine switches the GPU off on purpose: rev ff is its normal state then.
_SWITCHED_OFF = lazy(r"\bbbswitch\b|\bbumblebee\b|\boptirun\b|\bprimusrun\b|\bnvidia-xrun\b|\bsupergfx\w*|"
                           r"\benvycontrol\b|\bD3cold\b|\bprime-select\s+(?:intel|on-demand)\b|/power/control\b", _I)
# The words _SWITCHED_OFF cannot match without (its lines are searched, not 4 MiB of text).
_SWITCH_WORDS = ("bbswitch", "bumblebee", "optirun", "primusrun", "nvidia-xrun", "supergfx", "envycontrol", "d3cold",
                 "prime-select", "/power/control")
_REV_FF_SAID = lazy(r"\brev(?:ision)?\s*(?:id\s*)?[:=]?\s*0?x?ff\b", _I)
_GPU_WORD = lazy(r"\b(?:gpus?|cards?|nvidia|lspci|device)\b|显卡|卡", _I)
# "lost 1 GPU", "lost one of the GPUs", "one GPU is lost/loss", "GPU 3 got lost", "Lost GPU occurs".
_LOST = Gated(lazy(r"\blost\s+(?:a|one|two|\d{1,2})\s+(?:of\s+(?:the|our|my|its)\s+)?gpus?\b"
                   r"|\b(?:a|one|\d{1,2})\s+(?:of\s+(?:the|our|my)\s+)?gpus?\s+(?:\d{1,2}\s+)?(?:is|was|got|gets|were|are)\s+"
                   r"(?:lost|loss)\b(?!\s+(?:access|connection))|\blost\s+gpu\s+(?:occurs|happens|again)\b"
                   r"|掉卡|显卡掉了|(?:GPU|显卡|卡)\s*(?:又)?掉(?:了|线)|GPU(?:가|이)\s*(?:빠지|떨어지|사라지)"
                   # "2 GPUs disappeared in nvidia-smi", "one GPU vanishes", "a GPU went missing"
                   r"|\b(?:a|one|two|some|\d{1,2})\s+(?:of\s+(?:the|our|my)\s+)?gpus?\s+(?:\w+\s+)?(?:disappear(?:ed|s)?|"
                   r"vanish(?:ed|es)?|went\s+missing|dropp(?:ed|s)\s+out)\b"
                   r"|\bgpus?\s+(?:\d{1,2}\s+)?(?:disappear(?:ed|s)|vanish(?:ed|es))\s+(?:from|in)\s+`?nvidia-smi"
                   # "shown in lspci, but not nvidia-smi": on the bus, gone from the driver
                   r"|\b(?:shown|listed|visible|appears?|present|there)\s+in\s+`?lspci`?,?\s+but\s+not\s+(?:in\s+)?`?nvidia-smi"
                   r"|nvidia-smi\s*(?:里|中)?\s*少了\s*[一两二三\d]\s*张|显卡消失", _I),
              # every wording names the GPU: a training log's "loss=" lines are not searched
              ("gpu", "卡", "lspci", "少了"))
# The GPU unusable after an error until the machine is rebooted: what a GPU that stopped answering
# does (a hung or fallen-off GPU is only reset by a reboot). "after this error the GPU cannot be used
# until I reboot the server", "I have to restart the machine to use the GPU again", "报这个错之后显卡也会
# 无法使用，必须重启服务器之后才可以重新使用显卡".
_UNTIL_REBOOT = Gated(lazy(
    r"\b(?:gpu|card)s?\b[^.;]{0,40}?\b(?:unusable|unavailable|(?:can(?:no|')t|cannot)\s+be\s+used|(?:is|was|stays?|remains?)\s+"
    r"(?:unusable|unavailable|gone|dead))\b[^.;]{0,40}?\buntil\s+(?:a\s+|i\s+|we\s+)?(?:reboot|restart)"
    r"|\b(?:have|had|need(?:ed)?|must)\s+to\s+(?:reboot|restart)\s+(?:the\s+|my\s+|our\s+)?(?:server|machine|computer|pc|"
    r"system|node|host|workstation)\s+(?:to|before|in\s+order\s+to)\s+(?:use|access|see)\s+(?:the\s+|my\s+)?(?:gpu|card)s?"
    r"\s+again\b"
    r"|(?:必须|只能|需要)重启(?:服务器|电脑|机器|系统|主机)?(?:之后|以后|后)?"
    r"才(?:可以|能)(?:重新|再)?使用(?:显卡|GPU|卡)", _I),
    ("reboot", "restart", "重启"))
# A reboot that follows a change of software or a suspend: the driver or nvidia_uvm, not the GPU.
# Nor one that follows a change of settings (BIOS/UEFI, a kernel or module parameter, grub, MIG
# or persistence mode, a configuration): a reboot applies those, the GPU did not stop answering.
_NOT_THE_GPU = lazy(r"\b(?:suspend\w*|resum\w*|sleep|hibernat\w*|mismatch|jupyter|notebook|kernel\s+restart"
                    r"|bios|uefi|settings?|config\w*|param\w*|options?|grub|modprobe|blacklist\w*|mig|persistence"
                    r"|mode|enabl\w*|disabl\w*|toggl\w*)\b"
                    r"|休眠|睡眠|待机|挂起|更新|升级|安装|设置|配置|参数", _I)
# A failure told beside it (the same line or the two before): "after this error", "when it
# crashes", "报这个错之后" (after this error is reported). Without one the reboot is a chore.
_FAILURE_TOLD = lazy(r"\b(?:errors?|crash\w*|hang\w*|hung|freez\w*|froze\w*|fail\w*|exception|xid|fell\s+off"
                     r"|stuck|died|dies|lost)\b|报.{0,3}错|出错|错误|崩溃|卡死|死机|エラー|오류|에러", _I)
# The same sentence saying things are fine: "otherwise fine", "everything else works".
_FINE = lazy(r"\b(?:otherwise|else)\s+(?:\w+\s+)?(?:fine|ok(?:ay)?|good|works?|working)\b|\bworks\s+fine\b", _I)
# What every wording of _LOST holds besides the GPU, lower-cased ("loss" only as "is loss"; a
# training log's "loss=" on every line is not it).
_LOSS_WORD = lazy(r"lost|(?:is|was|got|gets|were|are)\s+loss\b|掉|빠지|떨어지|사라지|disappear|vanish|missing|dropp"
                        r"|lspci|少了|消失")
# A GPU gone after a change to the software is the driver's problem, not the bus's.
_SOFTWARE_CHANGE = lazy(r"\b(?:updat\w*|upgrad\w*|install\w*|reinstall\w*|apt|dnf|driver\s+\d|kernel\s+\d)\b|更新|升级|安装", _I)
_NOT = lazy(r"\b(?:not|never|no|didn't|doesn't|hasn't|haven't|won't|isn't|wasn't|without|if|whether|would|could|"
                  r"should|prevent\w*|avoid\w*)\b|没有|沒有|不会|不再|防止|如果|是否|않|없", _I)
_CONTAINER = lazy(r"\b(?:container|pod|docker|podman|kubelet|daemon-reload)\b", _I)


def _said(line: str, m: re.Match) -> bool:
    """``m`` is asserted: no denial or condition just before it, no question after it."""
    before = line[max(0, m.start() - 40):m.start()]
    after = line[m.end():m.end() + 40]
    return not _NOT.search(before) and "?" not in after and "？" not in after and "吗" not in after


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    switched_off = any(_SWITCHED_OFF.search(lines[i]) for i in doc.lines_containing(*_SWITCH_WORDS, ignorecase=True))
    if not switched_off:
        for i in doc.lines_containing("(rev ff)", ignorecase=True):
            m = _LSPCI_DEAD.match(lines[i])
            if m:
                bus = m.group("bus").lower()
                bus = bus if bus.count(":") == 2 else "0000:" + bus
                detail = f"lspci lists the GPU at {bus} as '(rev ff)': it no longer answers on the bus (line {i + 1})"
                # Its bus id: a lost GPU is often missing from nvidia-smi's list beside it.
                f.gpu(None, i, rank=TOOL, detail=detail, status=Reading.fail(Status.GPU_LOST, detail), pci_bus_id=bus)
                return f
        for i in doc.lines_containing("unknown header type 7f", ignorecase=True):
            # -v prints it under the device's own row: that row must be an NVIDIA function.
            if _BAD_HEADER.search(lines[i]) and any(re.search(r"NVIDIA|\[10de:", lines[j], _I)
                                                    for j in range(max(0, i - 3), i)):
                detail = f"lspci: '!!! Unknown header type 7f': the device no longer answers on the bus (line {i + 1})"
                f.gpu(None, i, rank=TOOL, detail=detail, status=Reading.fail(Status.GPU_LOST, detail))
                return f
        for i in doc.lines_containing("rev", ignorecase=True):
            line = lines[i]
            m = _REV_FF_SAID.search(line)
            if m and _GPU_WORD.search(line) and _said(line, m) and not _LSPCI_DEAD.match(line) and "(rev ff)" not in line:
                detail = f"{STATED_DETAIL}: {line.strip()[:120]}"
                f.gpu(None, i, detail=detail, status=Reading.fail(Status.GPU_LOST, detail))
                return f
    for i in doc.lines_containing("lost", "loss", "掉", "빠지", "떨어지", "사라지", "disappear", "vanish", "missing",
                                  "dropped out", "drops out", "lspci", "少了", "消失", ignorecase=True):
        line = lines[i]
        if not _LOSS_WORD.search(line.lower()):
            continue
        m = _LOST.search(line)
        if m and _said(line, m) and not _CONTAINER.search(line) and not _SOFTWARE_CHANGE.search(line):
            detail = f"{STATED_DETAIL}: {m.group(0)}"
            f.gpu(None, i, detail=detail, status=Reading.fail(Status.GPU_LOST, detail))
            return f
    for i in doc.lines_containing("reboot", "restart", "重启", ignorecase=True):
        line = lines[i]
        if len(line) > 2000:
            continue  # a log run together on one line, not a person's sentence
        m = _UNTIL_REBOOT.search(line)
        told = any(_FAILURE_TOLD.search(lines[j]) for j in range(max(0, i - 2), i + 1))
        if m and told and _said(line, m) and not re.search(r"\b(?:not|never|no)\b", m.group(0), _I) \
                and not _NOT_THE_GPU.search(line) and not _SOFTWARE_CHANGE.search(line) and not _CONTAINER.search(line) \
                and not _FINE.search(line):
            detail = f"{STATED_DETAIL}: {m.group(0)}"
            f.gpu(None, i, detail=detail, status=Reading.fail(Status.GPU_LOST, detail))
            return f
    return f
