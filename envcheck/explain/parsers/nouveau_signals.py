"""Graphics tools showing the open nouveau driver on the NVIDIA GPU (not lsmod, dmesg or lspci -k,
which ``driver_text`` and ``pci`` read):

* ``glxinfo``: Mesa's nouveau reports "OpenGL vendor string: nouveau" and a renderer named by
  the chipset, "OpenGL renderer string: NV166" (src/gallium/drivers/nouveau, ``NV%02X``);
  with NVK under zink, "zink Vulkan 1.3(NVIDIA GeForce RTX 3060 (NVK GA106))";
* ``vulkaninfo``: "driverName = NVK", "driverID = DRIVER_ID_MESA_NVK", a device "(NVK GA106)";
* the Xorg log: "(II) NOUVEAU driver Date: …", "(II) NOUVEAU(0): …", "Loading
  …/drivers/nouveau_drv.so";
* ``lshw -C display``: an NVIDIA device with "configuration: driver=nouveau";
* ``hwinfo --gfxcard``: "Driver Status: nouveau is active" / 'Driver: "nouveau"'.

Each is nouveau driving the GPU, so the nouveau module is loaded (a listing's rank, from the
tool). The proprietary driver's own strings ("OpenGL vendor string: NVIDIA Corporation",
"driver=nvidia") and other vendors' Mesa drivers say nothing here.

And Fedora's fallback unit, nvidia-fallback.service, which runs only while /sys/module/nvidia
does not exist (ConditionPathExists=!/sys/module/nvidia) and then runs ``modprobe nouveau``:
systemd's "Started Fallback to nouveau if nvidia did not load" (negativo17's unit) / "… as
nvidia did not load" (RPM Fusion's), RPM Fusion's plymouth line "NVIDIA kernel module missing.
Falling back to nouveau", and a person's "a Nouveau fallback service has started". The NVIDIA
module is then not loaded and nouveau is (catalogue message ``nvidia_fallback_to_nouveau``).
systemd's "Condition check resulted in … being skipped" is the opposite: nvidia was loaded.
"""

from __future__ import annotations

import re

from ...derived.messages import STATED_DETAIL
from ...lazyre import lazy
from ..partial import LISTING, STATED, Found
from ..sentences import asked, clause_start
from ..source import Pasted

SOURCE = "graphics driver output"

_I = re.IGNORECASE
_TOOL_LINE = lazy(
    r"OpenGL vendor string:\s*nouveau\b|OpenGL renderer string:\s*(?:NV[0-9A-F]{2,3}\b|[^\n]*\(NVK\s)"
    r"|\bdriverName\s*=\s*NVK\b|\bDRIVER_ID_MESA_NVK\b|\(NVK\s+[A-Z]{2}\d{3}\)"
    r"|\(II\)\s+NOUVEAU(?:\(\d+\)|\s+driver)\b|/drivers/nouveau_drv\.so\b|LoadModule:\s*\"nouveau\""
    r"|Driver Status:\s*nouveau is active|^\s*Driver:\s*\"nouveau\"")
_LSHW_NOUVEAU = lazy(r"^\s*configuration:.*\bdriver=nouveau\b", _I)
_LSHW_VENDOR_NVIDIA = lazy(r"^\s*vendor:\s*NVIDIA\b", _I)


_FALLBACK_RAN = lazy(r"\b(?:Started|Finished)\s+(?:nvidia-fallback\.service\s*-\s*)?Fallback to nouveau (?:if|as) nvidia "
                           r"did not load|NVIDIA kernel module missing\. Falling back to nouveau")
# systemctl status of the unit: its title line, then "Active: active (exited)" when it ran.
_FALLBACK_TITLE = lazy(r"nvidia-fallback\.service\s*-\s*Fallback to nouveau", _I)
_ACTIVE = lazy(r"^\s*Active:\s*active\b")
# A person's retelling: "a Nouveau fallback service has started", "nvidia-fallback.service ran".
_FALLBACK_TOLD = lazy(r"\b(?:nouveau[- ]fallback|nvidia-fallback)(?:\.service|\s+service)?\b[^.;!?\n]{0,25}?"
                            r"\b(?:has\s+|had\s+|was\s+)?(?:started|starts|ran|runs|kicked\s+in|activated|triggered)\b", _I)
_NOT = lazy(r"\b(?:not|never|no\s+longer)\b|n't\b|skipped|not\s+met", _I)
# A person copying RPM Fusion's plymouth line (the ExecStartPost of its nvidia-fallback.service,
# "NVIDIA kernel module missing. Falling back to nouveau") by hand: lower case, the full stop
# dropped or a comma for it ("This is the phrase that I would get on boot: nvidia kernel module
# missing falling back to nouveau"). The same fact at a person's rank; not where the sentence
# denies it, asks about it, or puts it in the past ("I no longer get …", "used to say …").
_FALLBACK_RETOLD = lazy(r"\bnvidia\s+kernel\s+module\s+(?:is\s+)?missing\s*[.,:;!-]?\s*falling\s+back\s+to\s+nouveau\b", _I)
_GONE = lazy(r"\b(?:not|never|no\s+longer|anymore|any\s+more|used\s+to|stopped|gone)\b|n't\b|\bno\b", _I)


def _fallback(doc: Pasted, f: Found) -> None:
    lines = doc.lines
    for i in doc.lines_containing("fallback to nouveau", "falling back to nouveau", "nouveau fallback", "nouveau-fallback",
                                  "nvidia-fallback"):
        line = lines[i]
        ran = _FALLBACK_RAN.search(line)
        if ran is None and _FALLBACK_TITLE.search(line):
            ran = next((_ACTIVE.match(lines[j]) for j in range(i + 1, min(i + 4, len(lines))) if _ACTIVE.match(lines[j])),
                       None)
        rank, retold_hit = None, False
        if ran is None:
            retold = _FALLBACK_RETOLD.search(line)
            if (retold is not None and not asked(line, retold.end())
                    and not _GONE.search(line[clause_start(line, retold.start()):retold.start()])
                    and not _GONE.search(line[retold.end():retold.end() + 30])):
                ran, rank, retold_hit = retold, STATED, True
        if ran is None:
            told = _FALLBACK_TOLD.search(line)
            if told is None or _NOT.search(told.group(0)) or asked(line, told.end()):
                continue
            ran, rank = told, STATED
        detail = f"{SOURCE}, line {i + 1}: the nouveau fallback ran, so nvidia was not loaded ({ran.group(0).strip()[:60]})"
        if retold_hit:  # a person's copy: their word, so the findings on it are likely
            detail = f"{STATED_DETAIL}: {detail}"
        f.set("driver.loaded_modules", ("nouveau",), i, rank=rank, detail=detail)
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=rank, detail=detail)
        return


# A person telling that blocking nouveau is what made the NVIDIA driver work: "after blacklisting
# nouveau it works", "nouveau was loaded, after blacklisting it everything works" ("it" after
# nouveau was named), "Installation has been successfully completed after disabling nouveau", "i
# exec blacklist nouveau after, k8s-driver-manager can exec success", "禁用nouveau后驱动安装成功".
# Then nouveau held the GPU while the failure was reported (the NVIDIA installer's own "The
# Nouveau kernel driver is currently in use" is a catalogued message): nouveau_bound, at a
# person's rank and as a warning (the rule reads BLOCKED_DETAIL), since the text's machine has
# been fixed. A modprobe.d line or a command is configuration, not what happened; unloading
# nouveau by hand ("unloading nouveau and loading nvidia seems to work") is a test, not a fix.
BLOCKED_DETAIL = "nouveau held the GPU until it was blocked"
_BLOCK = r"(?:blacklist\w*|block\w*|disabl\w*|remov\w*)\s+(?:the\s+)?(?:nouveau|nova(?:_core)?|it)\b"
_WORKED = (r"(?:works?|worked|working|success\w*|succeed\w*|fixed|solved|resolved|completed|(?:can|could)\s+(?:now\s+)?"
           r"(?:exec|run|install|load)\w*\s+(?:\w+\s+)?success\w*)")
_BLOCK_FIXED = lazy(
    rf"\b{_BLOCK}[^.;!?\n]{{0,20}}?\b(?:after|then|and|now|,)[^.;!?\n]{{0,60}}?\b{_WORKED}\b"
    rf"|\bafter\s+(?:i\s+|we\s+)?(?:\w+\s+)?{_BLOCK}[^.;!?\n]{{0,60}}?\b{_WORKED}\b"
    rf"|\b{_WORKED}\b[^.;!?\n]{{0,40}}?\bafter\s+(?:i\s+|we\s+)?{_BLOCK}"
    r"|(?:屏蔽|禁用|拉黑|blacklist)\s*(?:了|掉)?\s*nouveau[^。！？\n]{0,30}?(?:后|之后|以后)[^。！？\n]{0,20}?"
    r"(?:成功|正常|好了|解决|可以了)", _I)
# Blocking done long before the text's trouble, as part of a set-up ("I blacklisted nouveau years
# ago and the driver works; my question is about …"): no failure it cured.
_LONG_AGO = lazy(r"\b(?:years?|months?|(?:a\s+)?long\s+time)\s+ago\b|\bback\s+in\s+(?:19|20)\d\d\b"
                 r"|\bwhen\s+(?:i|we)\s+(?:first\s+)?(?:set\s+up|installed|built)\b|\bas\s+usual\b|\bof\s+course\b", _I)
_NAMED = lazy(r"nouveau|nova", _I)
# "it" for nouveau: nouveau named just before, nothing else (Secure Boot, a service) in between.
_IT_NOUVEAU = lazy(r"\b(?:nouveau|nova)\b(?:(?!secure|boot|service|wayland|gdm|sddm|module\s+signing)[^\n]){0,40}$", _I)
_BLOCK_FAILED = lazy(r"\b(?:not|never|no|still|neither|nor)\b|n't\b|didnt|doesnt|没有|仍然|还是|依然", _I)


def blocked_fixed(doc: Pasted):
    """(line index, match) of the first line telling that blocking nouveau made the NVIDIA driver
    work, or None (``prose_state`` yields its "nouveau was loaded" to it: the past, fixed)."""
    lines = doc.lines
    for i in doc.lines_containing("nouveau", "nova"):
        line = lines[i]
        stripped = line.lstrip().lower()
        if (len(line) > 2000 or i in doc.enclosed
                or stripped.startswith(("blacklist ", "options ", "alias ", "#", "echo ", "sudo ", "$", "install "))):
            continue
        m = _BLOCK_FIXED.search(line)
        if (m is None or asked(line, m.end()) or _BLOCK_FAILED.search(m.group(0))
                or (not _NAMED.search(m.group(0)) and not _IT_NOUVEAU.search(line, 0, m.start()))
                or _LONG_AGO.search(line, max(0, m.start() - 40), m.end() + 20)):
            continue
        return i, m
    return None


def _blocked_fixed(doc: Pasted, f: Found) -> None:
    hit = blocked_fixed(doc)
    if hit:
        i, m = hit
        # Below a person's rank: any other reading of the modules (lsmod, "nouveau is still
        # loaded") tells the machine's state, this only its past.
        f.set("driver.loaded_modules", ("nouveau",), i, rank=STATED - 1,
              detail=f"{STATED_DETAIL}: {BLOCKED_DETAIL} ({m.group(0).strip()[:70]}, line {i + 1})")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    _fallback(doc, f)
    if f:
        return f
    _blocked_fixed(doc, f)
    if f:
        return f
    lines = doc.lines
    for i in doc.lines_containing("nouveau", "nvk", "renderer string"):
        line = lines[i]
        m = _TOOL_LINE.search(line)
        if m:
            f.set("driver.loaded_modules", ("nouveau",), i, detail=f"{SOURCE}, line {i + 1}: {m.group(0).strip()[:60]}")
            return f
        if _LSHW_NOUVEAU.search(line) and any(_LSHW_VENDOR_NVIDIA.search(lines[j]) for j in range(max(0, i - 10), i)):
            f.set("driver.loaded_modules", ("nouveau",), i, detail=f"lshw, line {i + 1}: an NVIDIA device with driver=nouveau")
            return f
    return f
