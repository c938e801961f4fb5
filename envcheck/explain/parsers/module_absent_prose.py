"""A person retelling what the tools that look for the NVIDIA kernel module showed, without pasting
their output: the module is not there for the running kernel.

* **modprobe retold**: "a quick `modprobe nvidia` showed that the module does not exist",
  "modprobe nvidia says module not found", "`modprobe nvidia` 提示找不到模块" — kmod's
  "modprobe: FATAL: Module nvidia not found in directory /lib/modules/…" (a catalogued message)
  in the person's words.
* **an empty grep retold**: "`dmesg | grep NVIDIA` does not show anything", "`lsmod | grep nvidia`
  returns nothing", "lsmod | grep nvidia 没有输出", "lsmod shows no nvidia module". ``nvidia.ko``
  prints "NVRM: loading NVIDIA UNIX … Kernel Module" as it loads and is an lsmod row while loaded
  (driver_text reads the empty grep when it is pasted with the next prompt; this is the retelling).
* **a kernel update broke it**: "booting with 5.3.11 works fine", "the previous kernel still
  works", "it works while I run the `linux` kernel", "the nvidia driver stopped working after a
  kernel update", "since upgrading the kernel nvidia-smi no longer works", "内核更新后 nvidia 驱动用不了了",
  "I have to run `dkms install` by hand after each kernel upgrade", in a paste that names NVIDIA —
  the newer kernel got no module (DKMS/akmods did not build it), the commonest cause of a driver
  that stops at a kernel update (``driver_kernel_module_not_loaded``'s own explanation).
* **the driver said not running**: "`nvidia-smi` reports that the nvidia driver is not running",
  "the NVIDIA kernel driver is not running" (nvidia-smi's and nvidia-settings' refusals retold).

Each is a claim (rank ``STATED``): ``driver.modules_not_loaded = ("nvidia",)``, which
``driver_kernel_module_not_loaded`` reads as likely. A question, a denial ("modprobe nvidia
works", "lsmod | grep nvidia shows nothing unusual", "the old kernel works fine and so does the new
one"), a condition ("if dmesg shows nothing"), or the sentence and the next two lines telling the fix
or a working machine ("Now nvidia-smi shows the GPU", "…, which is expected":
``sentences.working_after``) claims nothing; neither does a grep for another module.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.not_this_host import not_this_host
from envcheck.explain.parsers.module_build_said import BUILT_AFTER
from envcheck.explain.partial import STATED, Found
from envcheck.explain.said_elsewhere import said_elsewhere
from envcheck.explain.sentences import asked, sentence_around, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about the kernel module"
_I = re.IGNORECASE

_SENTENCE_STOP = ".!?;。！？"
_CONDITION = lazy(r"\b(?:if|whether|unless|when(?:ever)?|should|make\s+sure|check\s+(?:that|if|whether))\b|如果|是否", _I)


def _sentence(line: str, start: int, end: int) -> str:
    return sentence_around(line, start, end, _SENTENCE_STOP)


# A kernel or system log line ("[   13.55] nvidia: …", "Oct 14 07:35:56 host kernel: …") is a program's
# output, not a person's sentence; a 4 MiB log is mostly such lines.
_LOG_LINE = lazy(r"\s*\[\s*\d|\w{3}\s+\d{1,2}\s+\d\d:\d\d:\d\d\s|\d{4}-\d\d-\d\d[T ]\d\d:")


def _prose(doc: Pasted, i: int) -> bool:
    line = doc.lines[i]
    return len(line) <= 2000 and not _LOG_LINE.match(line) and i not in doc.enclosed


def _claim(f: Found, i: int, what: str) -> None:
    f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
          detail=f"{STATED_DETAIL}: the NVIDIA kernel module is not there ({what[:70]}, line {i + 1})")


# ------------------------------------------------------------------ modprobe retold
_NOT_THERE = (r"(?:does\s*n[o']t|did\s*n[o']t)\s+exist|(?:is|was)\s*n[o']t\s+(?:found|there|present)"
              r"|(?:is|was)\s+(?:not\s+found|missing|absent)|(?:could|can)\s*(?:n[o']t|not)\s+be\s+found"
              r"|not\s+found")
_MODPROBE_SAID = lazy(
    rf"\bmodprobe\s+nvidia\b[^.;!?\n]{{0,80}}?\b(?:the\s+)?(?:nvidia\s+)?(?:kernel\s+)?module\s+(?:{_NOT_THERE})\b"
    r"|\bmodprobe\s+nvidia\b[^.;!?\n]{0,60}?\b(?:says?|said|showed?|shows|gives?|gave|returns?|returned|reports?|"
    r"complains?|prints?|printed|tells?|told)\b[^.;!?\n]{0,20}?\b(?:module\s+not\s+found|no\s+such\s+module"
    rf"|(?:the\s+|it\s+)?(?:module\s+)?(?:{_NOT_THERE})\b)"
    r"|\bmodprobe\s+nvidia\b[^。！？\n]{0,30}?(?:找不到(?:该)?模块|模块不存在|没有这个模块)", _I)
# "modprobe: command not found": the tool, not the module; "modprobe nvidia works".
_MODPROBE_DENIED = lazy(r"command\s+not\s+found|\bno\s+longer\b|\bmodprobe\s+nvidia\W*\s+(?:works|worked|succeed\w*|loads)\b", _I)


def _modprobe_retold(doc: Pasted) -> Optional[int]:
    for i in doc.lines_containing("modprobe"):
        line = doc.lines[i]
        if not _prose(doc, i) or line.lstrip().startswith(("modprobe:", "FATAL:", "$", "#")):
            continue  # kmod's own line is the catalogued message's; a prompt line is a command
        m = _MODPROBE_SAID.search(line)
        if not m:
            continue
        said = _sentence(line, m.start(), m.end())
        if asked(line, m.end(), clause=False) or _MODPROBE_DENIED.search(said) or working_after(doc.lines, i, m.start()) \
                or _CONDITION.search(line[max(0, m.start() - 25):m.start()]):
            continue
        return i
    return None


# ------------------------------------------------------------------ an empty grep retold
# `dmesg | grep NVIDIA`, `lsmod | grep -i nvidia`, `dmesg | grep -i nvrm`: what the module leaves.
_GREP = r"(?:sudo\s+)?(?:dmesg|lsmod|journalctl\s+-k)\s*\|\s*(?:[ef]?grep|rg)\s+(?:-\w+\s+)*['\"]?(?:nvidia|nvrm)['\"]?"
_EMPTY = (r"(?:does\s*n[o']t|did\s*n[o']t|do\s*n[o']t)\s+(?:show|return|print|give|output|display|find)\s+anything"
          r"|(?:shows?|showed|returns?|returned|prints?|printed|gives?|gave|outputs?|displays?|finds?|found)\s+nothing"
          r"|(?:shows?|showed|returns?|returned|prints?|printed|gives?|gave|outputs?)\s+no\s+(?:output|results?|lines?)"
          r"|(?:is|was|comes?\s+(?:back|up))\s+empty|(?:has|had)\s+no\s+output")
_GREP_EMPTY = lazy(rf"{_GREP}[`'\"]?[^.;!?\n]{{0,20}}?\b(?:{_EMPTY})"
                   # "lsmod shows no nvidia module", "no nvidia modules in lsmod"
                   # "lsmod shows nothing for nvidia", "lsmod returns nothing about nvidia"
                   r"|\blsmod\b[`'\"]?\s+(?:shows?|showed|returns?|returned|gives?|gave|prints?|printed|lists?|listed)\s+nothing\s+"
                   r"(?:for|about|related\s+to|with|named|matching)\s+[`'\"]?nvidia\b"
                   r"|\blsmod\b[`'\"]?\s+(?:shows?|showed|lists?|listed|has|had|returns?|returned|gives?|gave)\s+no\s+nvidia"
                   r"(?:\s+(?:kernel\s+)?modules?|\s+entr(?:y|ies)|\s+lines?)?\b(?![-_\w])"
                   r"|\bno\s+nvidia\s+(?:kernel\s+)?(?:modules?|entr(?:y|ies))\s+(?:(?:is|are)\s+)?(?:shown\s+|listed\s+)?in\s+"
                   r"[`'\"]?lsmod\b"
                   rf"|{_GREP}[`'\"]?[^。！？\n]{{0,10}}?(?:没有(?:任何)?(?:输出|结果|显示)|什么都没有|为空|无输出)", _I)
# "…does not show anything unusual / related to the error": an answer about errors, not an empty grep.
_QUALIFIED = lazy(r"^\s*(?:unusual|useful|interesting|relevant|suspicious|abnormal|wrong|odd|strange|special|"
                  r"helpful|new|else|different|related|about|out\s+of|bad|alarming|of\s+(?:note|interest))\b", _I)


def _grep_empty(doc: Pasted) -> Optional[int]:
    for i in doc.lines_containing("grep", "rg ", "lsmod"):
        line = doc.lines[i]
        lo = line.lower()
        # the pattern's words, as substrings first: a log's lines name grep or lsmod without them
        if not ("|" in lo or "no nvidia" in lo or "nothing" in lo) or "nvidia" not in lo and "nvrm" not in lo or not _prose(doc, i):
            continue
        m = _GREP_EMPTY.search(line)
        if not m:
            continue
        if (asked(line, m.end(), clause=False) or _QUALIFIED.search(line[m.end():]) or working_after(doc.lines, i, m.start())
                or not_this_host(line, m.start(), m.end())
                or _CONDITION.search(line[max(0, m.start() - 25):m.start()])):
            continue
        return i
    return None


# ------------------------------------------------------------------ a kernel update broke it
_OLD_KERNEL = r"(?:the\s+|my\s+|an?\s+)?(?:old(?:er)?|previous|prior|earlier|last|former|\d+\.\d+(?:\.\d+)?[\w.+~-]*)"
_WORKS = r"(?:works?|worked|is\s+(?:fine|ok|okay)|(?:runs?|boots?)\s+fine|no\s+problems?|everything\s+(?:works|is\s+fine))"
_OLD_WORKS = lazy(
    rf"\b(?:boot(?:ing|ed|s)?|start(?:ing|ed)?|revert(?:ing|ed)?|go(?:ing)?\s+back|roll(?:ing|ed)?\s+back)\s+"
    rf"(?:(?:in)?to|with|from|on|using)\s+{_OLD_KERNEL}(?:\s+kernel)?\b[^.;!?\n]{{0,20}}?\b{_WORKS}\b"
    rf"|\b(?:old(?:er)?|previous|prior|earlier|last)\s+kernel\s+(?:\S+\s+)?(?:still\s+)?{_WORKS}\b"
    rf"|\b{_WORKS}\s+(?:fine\s+)?(?:with|on|under|in)\s+(?:the\s+|my\s+)?(?:old(?:er)?|previous|prior|earlier|last)"
    r"\s+kernel\b"
    # another kernel named as the one it works on: "it can work while I am running the `linux` kernel"
    rf"|\b(?:can\s+)?{_WORKS}\s+(?:fine\s+)?(?:while|when)\s+(?:i\s+am\s+|i'm\s+|i\s+)?(?:running|booting|using|"
    r"boot|use|run)\s+(?:in)?(?:to\s+)?(?:the\s+|an?\s+)?[`'\"]?(?!(?:new|newer|newest|latest|current|updated|upgraded)\b)"
    r"[\w.+~-]+[`'\"]?\s+kernel\b", _I)
# "the nvidia driver stopped working after the kernel update", "since the kernel upgrade nvidia-smi
# no longer works": what the kernel update changed for the driver is its module.
_BROKE = (r"(?:(?:i\s+)?(?:can\s*not|can't|could\s*not|couldn't)\s+(?:use|run|start|load)|"
          r"stopped\s+working|no\s+longer\s+(?:works?|loads?)|(?:is|was)\s*n[o']t\s+(?:working|loading|loaded)"
          r"|broke|(?:is|got)\s+broken|disappeared|(?:does\s*n[o']t|did\s*n[o']t|won'?t)\s+(?:work|load)\s+any\s?more"
          r"|(?:does\s*n[o']t|did\s*n[o']t|won'?t)\s+load)")
# A clause's gap, where a version's dots ("5.13.18", "nvidia/440.31") do not end the sentence.
_GAP = r"(?:[^.;!?\n]|\.(?=\w))"
_SUBJECT = r"(?:nvidia(?:[\s-](?:driver|module|kernel\s+module))?|(?:the|my)\s+(?:gpu\s+|graphics\s+|video\s+)?driver|nvidia-smi)"
_KERNEL_UPDATE = r"(?:a\s+|the\s+|my\s+|an?\s+|latest\s+|recent\s+|last\s+)*(?:linux\s+)?kernel\s+(?:update|upgrade)"
_UPDATE_BROKE = lazy(
    rf"\b{_SUBJECT}\b[^.;!?\n]{{0,30}}?\b{_BROKE}\b[^.;!?\n]{{0,30}}?\b(?:after|since|with)\s+{_KERNEL_UPDATE}"
    rf"|\b(?:after|since)\s+(?:updating|upgrading)\s+(?:to\s+)?(?:the\s+|my\s+|a\s+)?(?:new(?:er|est)?\s+|latest\s+)?(?:linux\s+)?kernel\b"
    rf"{_GAP}{{0,30}}?\b{_SUBJECT}\b"
    rf"[^.;!?\n]{{0,20}}?\b{_BROKE}\b"
    rf"|\b(?:when|after|since)\s+(?:i\s+|we\s+)?(?:upgraded?|updated?|installed?)\s+(?:to\s+)?(?:the\s+|a\s+|my\s+)?(?:new\s+)?"
    rf"(?:linux\s+)?kernel\b{_GAP}{{0,30}}?\b{_BROKE}\s+{_SUBJECT}\b"
    # "Ubuntu updated the kernel to 6.8 and the NVIDIA driver stopped working"
    rf"|\b(?:updated|upgraded)\s+(?:the\s+|my\s+)?(?:linux\s+)?kernel\b{_GAP}{{0,30}}?(?:\band|,)\s+(?:now\s+|then\s+)?(?:the\s+|my\s+)?{_SUBJECT}\b"
    rf"{_GAP}{{0,20}}?\b{_BROKE}\b"
    # DKMS not building for new kernels by itself: "I have to manually do `sudo dkms install nvidia/x` after a kernel upgrade"
    r"|\b(?:have|had|need)\s+to\s+(?:manually\s+)?(?:run\s+|do\s+|call\s+)?[`'\"]?(?:sudo\s+)?(?:dkms\s+(?:install|build|autoinstall)"
    rf"|akmods)\b{_GAP}{{0,60}}?\b(?:after|each\s+time|every\s+time|whenever)\b{_GAP}{{0,30}}?\bkernel\b"
    rf"|\b(?:after|since)\s+{_KERNEL_UPDATE}\b[^.;!?\n]{{0,30}}?\b{_SUBJECT}\b[^.;!?\n]{{0,20}}?\b{_BROKE}\b"
    # "内核自动更新后 nvidia 驱动用不了了", "升级内核以后 nvidia-smi 不能用了"
    r"|(?:内核[^。！？\n]{0,4}(?:更新|升级)|(?:更新|升级)(?:了)?内核)(?:后|以后|之后)[^。！？\n]{0,20}?(?:nvidia|NVIDIA|驱动|显卡驱动)"
    r"[^。！？\n]{0,12}?(?:用不了|不能用|无法使用|失效|加载不了|无法加载|没法用|不工作|挂了"
    r"|(?:无法|不能|没法)(?:和|与|跟)驱动通信|通信失败|找不到驱动)", _I)
# "does not work on the older kernel either", "the old kernel works too": both kernels alike.
_NOT_THAT = lazy(r"\b(?:not\s+(?:that|because)|never|no\s+problem)\b|n't\s+(?:think|say|mean)", _I)
_DENIED = lazy(r"(?:\bnot|n't|\bnever|\bneither|\bnor|\balso|\btoo|\beither|\bsame|\bas\s+well)\b", _I)
# "the old kernel works fine and so does the new kernel 6.8", "… on both kernels": said anywhere in the sentence.
_ALIKE = lazy(r"\bso\s+(?:does|do|is|did)\b|\bboth\b|\bany\s+kernel\b", _I)


_WORKS_WORDS = ("work", "fine", " ok", "okay", "problem")
_UPDATE_WORDS = ("updat", "upgrad", "dkms", "akmod", "更新", "升级")


def _kernel_update(doc: Pasted) -> Optional[int]:
    if not doc.lines_containing("kernel", "内核") or not doc.lines_containing("nvidia"):
        return None
    for i in doc.lines_containing("kernel", "boot", "revert", "back", "内核"):
        line = doc.lines[i]
        lo = line.lower()
        # each pattern's words as substrings first (a log's lines say "kernel" and "boot" without them)
        works, updated = any(w in lo for w in _WORKS_WORDS), any(w in lo for w in _UPDATE_WORDS)
        if not (works or updated) or not _prose(doc, i):
            continue
        old = _OLD_WORKS.search(line) if works else None
        m = old or (_UPDATE_BROKE.search(line) if updated else None)
        if not m:
            continue
        # "booting with 5.3.11" needs the text to say a kernel; "with the older one" a kernel nearby.
        near = " ".join(doc.lines[max(0, i - 3):i + 1]).lower()
        clause = max(m.start() - 20, line.rfind(",", 0, m.start()) + 1, 0)
        if (("kernel" not in near and "内核" not in near) or asked(line, m.end(), clause=False)
                or (old and (_DENIED.search(line[clause:m.end() + 12]) or _ALIKE.search(_sentence(line, m.start(), m.end()))))
                or (not old and _NOT_THAT.search(line[clause:m.start()]))
                # the old kernel's "works fine" is the claim itself: only what follows it may say the new one works
                or working_after(doc.lines, i, m.end() if old else m.start(), sentence=not old)
                or _CONDITION.search(line[max(0, m.start() - 25):m.start()]) or said_elsewhere(line, m.start(), m.end())):
            continue
        return i
    return None


# ------------------------------------------------------------------ the driver said not running
# "`nvidia-smi` reports that the nvidia driver is not running", "the NVIDIA kernel driver is not running":
# nvidia-smi's "couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is
# installed and running" and nvidia-settings' "NVIDIA driver is not loaded" retold.
_NOT_RUNNING = lazy(
    r"\bnvidia(?:\s+kernel)?\s+(?:driver|module)\s+(?:is|was)\s*(?:not|n't)\s+running\b"
    r"|\b(?:nvidia-smi|nvidia-settings)\b[`'\"]?[^.;!?\n]{0,30}?\b(?:reports?|says?|said|tells?|shows?|complains?)\s+"
    r"(?:that\s+)?(?:the\s+)?(?:nvidia\s+)?(?:kernel\s+)?driver\s+(?:is|was)\s*(?:not|n't)\s+(?:running|loaded)\b", _I)


def _said_not_running(doc: Pasted) -> Optional[int]:
    for i in doc.lines_containing("running", "loaded"):
        line = doc.lines[i]
        lo = line.lower()
        if ("driver" not in lo or "not" not in lo and "n't" not in lo or not _prose(doc, i)
                or line.lstrip().startswith(("ERROR:", "NVIDIA-SMI"))):
            continue  # the tools' own lines are catalogued messages
        m = _NOT_RUNNING.search(line)
        if not m:
            continue
        if (asked(line, m.end(), clause=False) or working_after(doc.lines, i, m.start())
                or _CONDITION.search(line[max(0, m.start() - 25):m.start()]) or said_elsewhere(line, m.start(), m.end())):
            continue
        return i
    return None


# ------------------------------------------------------------------ the module's build retold as failed
# "I received the message that the dkms build command would not work", "DKMS failed to build the nvidia
# module", "akmods fails to build kmod-nvidia", "the GCC version used to build the kernel is different
# than the current version of GCC": DKMS's "Bad return status for module build on kernel" (a catalogued
# message) and Linux kbuild's "the compiler differs from the one used to build the kernel" (the check
# NVIDIA's module build stops on unless IGNORE_CC_MISMATCH is set) in a person's words. No module was
# built for the running kernel.
_BUILDER = r"(?:dkms|akmods?|kmod-nvidia)"
_BUILD_FAILED = lazy(
    rf"\b{_BUILDER}\b[^.;!?\n]{{0,40}}?\b(?:would\s*n[o']t|wouldn't|won'?t|did\s*n[o']t|does\s*n[o']t|could\s*n[o']t"
    r"|can'?t|cannot|can\s+not)\s+(?:work|build|compile|succeed|finish)\b"
    rf"|\b{_BUILDER}\b[^.;!?\n]{{0,40}}?\b(?:fail(?:s|ed|ing)?|errors?\s+out|errored)\b"
    rf"|\bfail(?:s|ed|ing)?\s+to\s+(?:build|compile)\b[^.;!?\n]{{0,40}}?\b{_BUILDER}\b"
    r"|\b(?:gcc|compiler)\s+(?:version\s+)?used\s+to\s+(?:build|compile)\s+the\s+kernel\s+(?:is|was)\s+"
    r"(?:different|not\s+the\s+same)"
    r"|\bdkms\b[^。！？\n]{0,12}?(?:编译失败|构建失败|安装失败|编译不了|报错)", _I)
# "the nvidia dkms build did not fail", "dkms never errors out": the failure denied inside the match.
_FAIL_DENIED = lazy(r"\b(?:not|never|no)\s+(?:\w+\s+)?(?:fail|error)|n't\s+(?:\w+\s+)?(?:fail|error)", _I)
# "dkms build failed for v4l2loopback": another module's build; "dkms status shows installed" is no failure.
_OTHER_MODULE = lazy(r"\b(?:v4l2loopback|virtualbox|vboxdrv|zfs|evdi|wireguard|rtl\w+|8821\w*|88x2\w*|broadcom|wl|amdgpu|"
                     r"rocm|xone|openrazer|ddcci|acpi_call|nvidia[-_]fs|gdrdrv|mlnx\w*|ofed)\b", _I)


def _build_failed(doc: Pasted) -> Optional[int]:
    for i in doc.lines_containing("dkms", "akmod", "kmod-nvidia", "gcc", "compiler"):
        line = doc.lines[i]
        if not _prose(doc, i) or line.lstrip().startswith(("Error!", "ERROR:", "$", "#")):
            continue  # DKMS's own line is the catalogued message's; a prompt line is a command
        m = _BUILD_FAILED.search(line)
        if not m:
            continue
        said = _sentence(line, m.start(), m.end())
        near = " ".join(doc.lines[max(0, i - 1):i + 2]).lower()
        if ("nvidia" not in near or _OTHER_MODULE.search(said) or _FAIL_DENIED.search(m.group(0))
                or asked(line, m.end(), clause=False)
                or working_after(doc.lines, i, m.start())
                or _CONDITION.search(line[max(0, m.start() - 25):m.start()])
                or _NOT_THAT.search(line[max(0, m.start() - 20):m.start()])
                # a reference, another machine; the build said to succeed after it (review of round 28, ra)
                or said_elsewhere(line, m.start(), m.end())
                or BUILT_AFTER.search("\n".join([line[m.end():], *doc.lines[i + 1:i + 3]]))):
            continue
        return i
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("nvidia", "nvrm"):
        return f
    for reader, what in ((_modprobe_retold, "modprobe found no nvidia module"),
                         (_grep_empty, "a grep for the NVIDIA module found nothing"),
                         (_kernel_update, "a kernel update broke the driver, the new kernel has no module"),
                         (_said_not_running, "the NVIDIA driver said not to be running"),
                         (_build_failed, "the module's build (DKMS, akmods) was said to fail")):
        i = reader(doc)
        if i is not None:
            _claim(f, i, what)
            return f
    return f
