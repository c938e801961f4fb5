"""A person saying, in their own words, what the kernel did with the GPU's modules:

* the NVIDIA kernel module is gone or was never built: "the dkms module is completely gone",
  "the update deleted my dkms module", "the nvidia module was not rebuilt for the new kernel",
  "nvidia 内核模块没有编译" — DKMS/akmods printing nothing a reader could quote, the person
  retelling what ``dkms status`` or ``modprobe`` showed. Claimed (rank ``STATED``) as
  ``driver.modules_not_loaded = ("nvidia",)``, which ``driver_kernel_module_not_loaded`` reads;
* nouveau loading although it was blacklisted: "the module gets loaded again, although I have
  blacklisted it", "nouveau still loads despite the blacklist", "已经屏蔽 nouveau 但还是加载了" —
  the blacklist not in the initramfs (or overridden), so nouveau holds the GPU. Claimed as
  ``driver.loaded_modules = ("nouveau",)``, which ``nouveau_bound`` reads (likely: a person's word).

And one fact from two listings: ``dkms status`` rows that build nvidia for other kernels and not for the
running one (``uname -r`` / ``uname -a`` in the same paste), with no lsmod row showing nvidia loaded:
the module was not built for this kernel (the usual kernel-update failure), whatever the prose says.

A question, a denial ("is not missing", "no longer loads"), or the same words followed by a fix
("…was gone, reinstalling fixed it") claim nothing. Only pastes that name NVIDIA (module) or
nouveau (blacklist) are read; a VirtualBox or Wi-Fi DKMS module is not the GPU's.
"""

from __future__ import annotations

import re

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.said_elsewhere import said_elsewhere
from envcheck.explain.sentences import asked, sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about kernel modules"
_I = re.IGNORECASE

_QUAL = r"(?:completely|complete|entirely|totally|simply|just|now|also|still)\s+"
_GONE = lazy(
    r"\b(?:nvidia|dkms|akmods?|kernel|driver)(?:[\s_-]+(?:kernel|dkms|driver))?\s+modules?\b"
    r"(?:\s+(?:for\s+(?:the\s+)?(?:new|current|running|latest)\s+kernel|\S*nvidia\S*))?"
    r"\s+(?:is|was|were|are|got|gets|has\s+been|have\s+been|ends?\s+up|seems?\s+to\s+be|appears?\s+to\s+be)\s+"
    rf"(?:{_QUAL})*(?P<what>gone|missing|deleted|removed|wiped|(?:not|never)\s+(?:being\s+)?(?:re)?built)\b"
    # "the nvidia module wasn't built for it", "the nvidia kernel module hasn't been rebuilt"
    r"|\bnvidia(?:[\s_-]+(?:kernel|dkms|driver))?\s+modules?\s+(?:was|is|were|are|has|have)n'?t\s+(?:been\s+)?(?:re)?built\b"
    r"(?!\s+for\s+(?:the\s+|my\s+|an?\s+)?(?:old|older|previous|other|another)\b)"
    # "no NVIDIA module for the running kernel", "there is no nvidia kernel module for 6.8.0-45"
    r"|\bno\s+nvidia\s+(?:kernel\s+)?modules?\s+(?:(?:built|installed)\s+)?for\s+(?:the\s+)?(?:running|current|new|newer|latest|booted)\s+"
    r"kernel\b"
    r"|\b(?:deleted|removed|wiped)\s+(?:out\s+)?(?:my|the|all)\s+(?:nvidia\s+)?(?:dkms|akmods?|kernel|nvidia)\s+modules?\b"
    r"|\b(?:dkms|akmods?)\s+(?:did\s+not|didn't|never|failed\s+to)\s+(?:re)?build\s+(?:the\s+)?(?:nvidia\s+)?(?:kernel\s+)?"
    r"modules?\b"
    r"|(?:nvidia|NVIDIA|内核|驱动|dkms|DKMS)\s*模块\s*(?:没有|没|未|并未)(?:被)?(?:编译|构建|生成|重新编译)"
    r"|(?:nvidia|NVIDIA|内核|驱动|dkms|DKMS)\s*模块\s*(?:不见了|丢失了?|消失了?|被删除)", _I)
# "not missing", "no longer gone", "never deleted": the words just before deny it.
_LOST_WORDS = ("no nvidia", "gone", "missing", "deleted", "removed", "wiped", "built", "build", "不见", "丢失", "消失", "删除",
               "编译", "构建", "生成")
# "the vboxdrv dkms module", "my r8125 kernel module": another module, named just before.
_WORD_BEFORE = lazy(r"([A-Za-z0-9_'-]+)\s+$")
_DETERMINERS = {"my", "the", "its", "our", "this", "that", "all", "any", "whole", "nvidia", "nvidia's", "gpu", "new",
                "and", "so", "now", "but", "then", "because", "that's", "which", "seemingly", "apparently"}
_GONE_DENIED = lazy(r"\b(?:not|no\s+longer|never|isn't|wasn't|aren't)\s+$", _I)

_LOADS = r"(?:get|gets|got|is|was|being|keeps?\s+(?:getting|being))?\s*(?:re)?load(?:s|ed|ing)?"
_IGNORED = lazy(
    rf"\b{_LOADS}\s+(?:again|anyway|nevertheless|regardless|still)\b[^.;!?\n]{{0,60}}"
    r"\b(?:although|though|even\s+though|despite|while|but|even\s+with|even\s+after)\b[^.;!?\n]{0,40}blacklist"
    rf"|\bblacklist\w*\b[^.;!?\n]{{0,60}}\b(?:but|yet|still|however)\b[^.;!?\n]{{0,40}}\b(?:still\s+|again\s+)?{_LOADS}"
    r"(?:\s+(?:again|anyway|still|on\s+boot|at\s+boot))?\b"
    rf"|\b(?:still|again)\s+{_LOADS}\b[^.;!?\n]{{0,40}}\b(?:although|though|despite|even\s+(?:though|with|after))\b"
    r"[^.;!?\n]{0,40}blacklist"
    r"|(?:屏蔽|禁用|拉黑|blacklist)[^。！？\n]{0,30}(?:但|可是|却|然而)[^。！？\n]{0,15}(?:仍然|还是|依然|又|仍)[^。！？\n]{0,6}"
    r"(?:加载|载入|在用|被加载)", _I)
# "no longer loads", "is not loaded anymore", "does not load": the blacklist worked.
_IGNORED_DENIED = lazy(r"\b(?:no\s+longer|not|n't|never)\b[^.;!?\n]{0,12}load|不再|没有再", _I)
_FIXED = lazy(r"\b(?:fixed|solved|resolved|works?\s+(?:now|again|fine)|working\s+(?:now|again))\b|解决|好了", _I)


def _sentence(line: str, start: int, end: int) -> str:
    """The sentence of ``line`` around [start, end)."""
    return sentence_around(line, start, end)


def _gone(doc: Pasted, f: Found) -> None:
    if not doc.lines_containing("nvidia"):
        return
    # Lines with both a module and a word of loss (two substring searches) before any pattern.
    lost = set(doc.lines_containing(*_LOST_WORDS))
    for i in (i for i in doc.lines_containing("module", "模块") if i in lost):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed or line.lstrip().startswith(("[", "modprobe", "insmod", "==>")):
            continue  # too long for a sentence; another program's output, which the log readers read
        # NVIDIA named in the line or just above it: "the dkms module" is then the NVIDIA one.
        if "nvidia" not in " ".join(doc.lines[max(0, i - 2):i + 1]).lower():
            continue
        for m in _GONE.finditer(line):
            said = _sentence(line, m.start(), m.end())
            unnamed = m.group(0)[:1].lower() in "dak"  # "dkms/akmods/kernel/driver module": whose?
            before = unnamed and _WORD_BEFORE.search(line[max(0, m.start() - 30):m.start()])
            if (asked(line, m.end()) or _GONE_DENIED.search(line[max(0, m.start() - 20):m.start()])
                    or _FIXED.search(said) or (before and before.group(1).lower() not in _DETERMINERS)
                    or said_elsewhere(line, m.start(), m.end())):
                continue
            f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
                  detail=f"{STATED_DETAIL}: the NVIDIA kernel module is gone ({m.group(0).strip()[:60]}, line {i + 1})")
            return


def _blacklist_ignored(doc: Pasted, f: Found) -> None:
    if not doc.lines_containing("nouveau"):
        return
    for i in doc.lines_containing("blacklist", "屏蔽", "禁用", "拉黑"):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed or line.lstrip().startswith(("blacklist ", "#", "options ", "alias ")):
            continue  # a modprobe.d line is configuration, not what happened
        m = _IGNORED.search(line)
        if not m:
            continue
        said = _sentence(line, m.start(), m.end())
        # The sentence (or the two lines before it) names nouveau: "it" is then nouveau.
        near = " ".join(doc.lines[max(0, i - 2):i + 1]).lower()
        if ("nouveau" not in near or asked(line, m.end()) or _IGNORED_DENIED.search(m.group(0))
                or _FIXED.search(said)):
            continue
        f.set("driver.loaded_modules", ("nouveau",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: nouveau loads although blacklisted ({m.group(0).strip()[:60]}, line {i + 1})")
        return


# Secure Boot named as what keeps the NVIDIA module out, in a person's words: "Secure boot, which
# prevented the nvidia drivers from being properly loaded", "the nvidia driver doesn't load
# because secure boot is enabled", "on my system, if it's enabled, nvidia drivers don't work",
# "因为开了安全启动，nvidia 驱动加载不了", "セキュアブートが有効だとドライバが読み込まれない",
# "보안 부팅 때문에 드라이버가 로드되지 않". The kernel's own refusals ("Key was rejected by
# service", "Lockdown: … unsigned module") are catalogued messages read by driver_text; this is
# the retelling. Kernel since 4.x with the lockdown patches / CONFIG_MODULE_SIG_FORCE, mokutil docs.
_SB_WORDS = ("secure boot", "secureboot", "secure-boot", "security boot", "安全启动", "安全引导", "セキュアブート",
             "セキュア ブート", "보안 부팅", "보안부팅")
_SB = r"(?:secure[\s-]?boot|security\s+boot)"
_DRV = r"(?:nvidia|driver|module|kmod|akmod|dkms|nvidia-smi)"
# Contractions typed without the apostrophe count too ("my nvidia driver cant load because of
# secure boot", "wont load", "doesnt work"): strangers' reports often drop it.
_FAILS = (r"(?:n't|\b(?:can|won|don|doesn|didn|couldn|wouldn)t\b|\bnot|\bnever|\bcannot|\bunable\s+to"
          r"|\bfail(?:s|ed|ing)?\s+to|\brefuses?\s+to|\bstopp?(?:ed|s)?)"
          r"\s+(?:to\s+)?(?:be\s+)?(?:properly\s+|correctly\s+|even\s+)?(?:load|work|start|run|insert)\w*")
_SB_BLAMED = lazy(
    rf"\b{_SB}\b[^.;!?\n]{{0,40}}?\b(?:prevent|block|refus|reject|stop|break)\w*\b[^.;!?\n]{{0,30}}?\b{_DRV}"
    rf"|\b{_DRV}\w*\b[^.;!?\n]{{0,40}}?{_FAILS}\b[^.;!?\n]{{0,60}}?\b(?:because|due\s+to|since|when|whenever|while|with"
    rf"|if|under|caused\s+by)\b[^.;!?\n]{{0,30}}?\b{_SB}\b"
    rf"|\b{_SB}\b[^.;!?\n]{{0,80}}?\b{_DRV}\w*\b[^.;!?\n]{{0,30}}?{_FAILS}"
    # the module refused, passive: "the problem was secure boot: the unsigned nvidia module was rejected"
    rf"|\b{_SB}\b[^.;!?\n]{{0,80}}?\b{_DRV}\w*\b[^.;!?\n]{{0,30}}?\b(?:was|were|is|are|got|gets|being)\s+(?:being\s+)?"
    r"(?:rejected|refused|blocked|denied)\b"
    rf"|\b{_DRV}\w*\b[^.;!?\n]{{0,30}}?\b(?:was|were|is|are|got|gets|being)\s+(?:being\s+)?(?:rejected|refused|blocked|denied)\b"
    rf"[^.;!?\n]{{0,20}}?\bby\s+(?:the\s+)?(?:uefi\s+)?{_SB}\b"
    # German and Spanish: "Secure Boot ist aktiviert, deshalb lädt der nvidia Treiber nicht",
    # "con secure boot activado el controlador de nvidia no carga"
    rf"|\b{_SB}\b[^.;!?\n]{{0,80}}?(?:\b(?:lädt|laden|funktioniert)\s+(?:der\s+|das\s+|die\s+)?(?:nvidia[- ]?)?"
    r"(?:treiber|modul|kernelmodul)?\s*(?:\w+\s+)?nicht\b|(?:treiber|modul)\w*\b[^.;!?\n]{0,30}?\b(?:nicht\s+(?:geladen|lädt|"
    r"laden|funktioniert)|lädt\s+nicht|funktioniert\s+nicht))"
    rf"|\b{_SB}\b[^.;!?\n]{{0,80}}?\b(?:controlador|driver|m[oó]dulo|nvidia)\w*\b[^.;!?\n]{{0,30}}?\bno\s+(?:se\s+)?"
    r"(?:carga|cargan|funciona|funcionan)\b"
    r"|(?:安全启动|安全引导)[^。！？\n]{0,30}?(?:驱动|模块|nvidia)[^。！？\n]{0,15}?(?:无法|不能|没法|没有|未能?)(?:被)?(?:加载|载入|工作|使用)"
    r"|(?:安全启动|安全引导)[^。！？\n]{0,30}?(?:驱动|模块|nvidia)[^。！？\n]{0,15}?(?:加载不了|加载失败|用不了)"
    r"|セキュア\s?ブート[^。！？\n]{0,30}?(?:ドライバ|モジュール|nvidia)[^。！？\n]{0,15}?"
    r"(?:読み込まれ(?:ない|ません)|ロードされ(?:ない|ません)|ロードできない|動かない|動作しない)"
    r"|보안\s?부팅[^.!?\n]{0,30}?(?:드라이버|모듈|nvidia)[^.!?\n]{0,15}?(?:로드되지|로드가\s*안|작동하지|동작하지|안\s*됩니다)", _I)
# Secure Boot off in the same sentence ("I disabled Secure Boot and the driver still won't load",
# "without secure boot"), denied as the cause ("not because of Secure Boot"), or only possible
# ("secure boot may prevent …"): not this machine's state.
_SB_OFF = lazy(r"\bdisabl\w*|\bturn\w*\s+(?:it\s+)?off\b|\bswitch\w*\s+(?:it\s+)?off\b|\b(?:is|was)\s+off\b|\bwithout\b"
                     r"|\bdeactivat\w*|\bdeaktiv\w*|\bausgeschaltet\b|\bdesactiv\w*|\bdeshabilit\w*|\bnot\s+(?:the\s+)?(?:problem|issue|cause|reason)|\bnot\s+because|\bisn't\b"
                     r"|\b(?:may|might|could|can)\s+(?:\w+\s+)?(?:prevent|block|stop|break|cause)"
                     r"|关闭|关掉|禁用|無効|オフ|비활성|끄", _I)
_CONDITIONAL = lazy(r"\b(?:if|when|whenever|unless)\b|如果|場合|경우", _I)
_FIRST_PERSON = lazy(r"\b(?:i|i'm|i've|my|me|we|our|us)\b|我|私|저는|제", _I)


def _secure_boot_blamed(doc: Pasted, f: Found) -> None:
    for i in doc.lines_containing(*_SB_WORDS):
        line = doc.lines[i]
        if len(line) > 2000 or i in doc.enclosed:
            continue
        m = _SB_BLAMED.search(line)
        if not m:
            continue
        said = _sentence(line, m.start(), m.end())
        # A general rule ("if Secure Boot is on, the driver will not load") tells nothing about
        # this machine unless the person says it of theirs ("on my system, if it's enabled, …").
        if (asked(line, m.end(), clause=False) or _SB_OFF.search(said) or _FIXED.search(line, m.end())
                or (_CONDITIONAL.search(said) and not _FIRST_PERSON.search(said))):
            continue
        detail = f"{STATED_DETAIL}: Secure Boot keeps the NVIDIA module out ({m.group(0).strip()[:70]}, line {i + 1})"
        f.set("host.secure_boot", True, i, rank=STATED, detail=detail)
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED, detail=detail)
        return


# dkms status rows, old ("nvidia, 396.45, 4.17.14-202.fc28.x86_64, x86_64: installed") and new
# ("nvidia/535.113.01, 6.2.0-34-generic, x86_64: installed") layouts (dkms 2.x/3.x ``status``).
_DKMS_ROW = lazy(r"^\s*nvidia(?:-open)?(?:/|,\s*)[\d.]+,\s*(?P<kernel>[^,\s]+),\s*[\w-]+:\s*(?:installed|built)\b")
_UNAME_A = lazy(r"^\s*Linux\s+\S+\s+(?P<kernel>\d+\.\d+[^\s#]*)\s+#\d")
_RELEASE = lazy(r"^\s*(?P<kernel>\d+\.\d+\.\d+[\w.+~-]*)\s*$")
_LSMOD_NVIDIA = lazy(r"^\s*nvidia\s+\d+\s+\d+")


def _running_kernel(doc: Pasted):
    lines = doc.lines
    for i in doc.lines_containing("linux"):
        m = _UNAME_A.match(lines[i])
        if m:
            return m.group("kernel")
    for i in doc.lines_containing("uname -r"):
        for j in range(i + 1, min(i + 3, len(lines))):
            m = _RELEASE.match(lines[j])
            if m:
                return m.group("kernel")
    return None


def _dkms_not_for_running(doc: Pasted, f: Found) -> None:
    rows = [(i, m.group("kernel")) for i in doc.lines_containing("nvidia") for m in [_DKMS_ROW.match(doc.lines[i])] if m]
    if not rows:
        return
    running = _running_kernel(doc)
    if running is None or any(k == running for _, k in rows):
        return
    if any(_LSMOD_NVIDIA.match(doc.lines[i]) for i in doc.lines_containing("nvidia")):
        return  # lsmod shows it loaded (a precompiled package's module, not DKMS's)
    built = ", ".join(sorted({k for _, k in rows}))
    f.set("driver.modules_not_loaded", ("nvidia",), rows[0][0],
          detail=f"dkms status builds nvidia for {built}, not for the running kernel {running}")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _gone(doc, f)
    _blacklist_ignored(doc, f)
    _secure_boot_blamed(doc, f)
    if not f:
        _dkms_not_for_running(doc, f)
    return f
