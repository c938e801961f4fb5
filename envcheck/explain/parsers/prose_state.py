"""What a person says about the machine's state, in their own words: a kernel module that is
(not) loaded ("the nvidia_uvm module is not loaded", "nouveau is always loaded", "nvidia
cannot be loaded"), a suspend before the failure ("after the system wakes from standby"),
Fabric Manager missing ("nvidia-fabricmanager is not installed"), an uncorrectable ECC error
retold ("the GPU is not usable due to Uncorrectable ECC Error"), nvidia-smi's failure
retold ("nvidia-smi gave errors like can't find nvidia driver"), a GPU that is not NVIDIA's
("I have an AMD GPU"), or none at all ("my machine has no NVIDIA GPU").

``freetext`` reads what a person says the machine *is* (its GPU, OS, torch); this module
reads what they say it *does*. Everything here is a claim (rank ``STATED``, detail "stated
in the text"): a tool's output in the same paste outranks it, and a finding resting on it is
"likely". A sentence that denies or asks ("is nouveau loaded?", "nouveau is not the
problem") says nothing: questions are skipped, and a negation decides the value.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from envcheck.derived.messages import NO_NVIDIA_DETAIL
from envcheck.explain.first_of import FirstOf
from envcheck.explain.gated import Gated
from envcheck.explain.not_this_host import not_this_host
from envcheck.explain.parsers.device_nodes import OTHER_RIGHTS
from envcheck.explain.parsers.display_adapters import ASIDE
from envcheck.explain.parsers.nouveau_signals import blocked_fixed
from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.sentences import asked, clause_start, general_statement
from envcheck.explain.source import Pasted
from envcheck.facts import DeviceNode
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

# The kernel modules a person names ("the nvidia_uvm module", "nvidia-uvm", "nouveau"); "the
# driver" / "the nvidia driver" is the nvidia module. Longest first, so nvidia_uvm wins.
_MODULE = (r"(?P<mod>nvidia[_-]uvm|nvidia[_-]drm|nvidia[_-]modeset|nouveau|nvidia(?:\s+kernel)?(?:\s+module|\s+driver)?"
           r"|(?:the\s+)?(?:kernel\s+)?(?:driver|kernel module))")
# "<module> [module|driver] is/was/isn't … loaded", "<module> cannot be loaded", "<module> is
# always present and loaded". At most 40 characters of the same clause between the two.
_LOADED = lazy(rf"\b{_MODULE}(?:\s+(?:kernel\s+)?(?:module|driver)s?)?\b(?P<between>[^.;!?,\n]{{0,40}}?)"
                     r"\b(?:(?P<un>un)?loaded|loads|loading)\b", _I)
_NOT = lazy(r"\b(?:not|no longer|never|cannot|can't|couldn't|could not|fails? to|failed to|won't|doesn't|"
                  r"didn't|isn't|wasn't|aren't|unable to)\b|n't\b", _I)
# 没有加载 / 未加载 (not loaded), 已加载 / 加载了 (loaded).
_CN_LOADED = lazy(r"(?P<mod>nvidia[_-]uvm|nouveau|nvidia)\s*(?:模块|驱动)?\s*(?P<neg>没有|未|无法|不能)?\s*(?:被)?"
                        r"(?:已经?)?(?:加载|载入)", _I)
# nouveau said to drive the GPU: "the system is using the nouveau driver", "still running on
# nouveau", "nouveau is still active", "nouveau wasn't disabled", 用的是 nouveau 驱动 (uses the
# nouveau driver), nouveau 没有禁用 (not disabled), nouveau が使われている, nouveau 드라이버를 사용.
# Not the fix ("blacklisted nouveau", "disabled nouveau"), a denial, or a question.
_NOUVEAU_USED = lazy(r"\b(?:using|uses|running\s+(?:on|with)|stuck\s+(?:on|with)|falls?\s+back\s+to|fell\s+back\s+to)\s+"
                           r"(?:the\s+)?(?:open[- ]source\s+)?nouveau\b"
                           r"|\bnouveau\b(?:\s+(?:kernel\s+)?(?:driver|module))?\s+(?:is|was)\s+(?:still\s+)?"
                           r"(?:active|in\s+use|being\s+used|running|bound|used|enabled|not\s+(?:disabled|blacklisted))\b"
                           r"|\bnouveau\b(?:\s+(?:driver|module))?\s+(?:wasn't|isn't|was\s+never|hasn't\s+been)\s+(?:disabled|blacklisted)"
                           r"|(?:用的是|使用的?是|使用了?|在用)\s*nouveau|nouveau\s*(?:驱动)?\s*(?:没有|未|并未)\s*(?:被)?(?:禁用|屏蔽|关闭)"
                           r"|nouveau\s*(?:が|を)\s*(?:使われ|使用|有効)|nouveau\s*드라이버(?:를|가)?\s*(?:사용|쓰고)"
                           # still running / still loaded: 还在运行 (still running), 読み込まれたまま (left
                           # loaded), 여전히 로드되어 (still loaded), sigue cargado, ist noch geladen
                           r"|nouveau\s*(?:驱动|模块)?\s*(?:还在|仍在|仍然在|依然在|一直在)\s*(?:运行|工作|使用|加载|被使用)"
                           r"|nouveau\s*(?:ドライバ|モジュール)?\s*(?:が|は)\s*(?:読み込まれ|ロードされ)(?:たまま|ています|ている)"
                           r"|nouveau\s*(?:드라이버|모듈)?\s*(?:가|이|는)?\s*(?:여전히|아직)\s*(?:로드되어|로드돼|로드된|사용\s*중)(?!\s*있지\s*않)"
                           r"|\bnouveau\b\s+(?:sigue|todav[ií]a\s+est[aá])\s+(?:cargado|activo|en\s+uso)"
                           r"|\bnouveau\b\s+(?:ist|wird)\s+(?:immer\s+)?noch\s+(?:geladen|aktiv|verwendet)", _I)
_NOUVEAU_DENIED = lazy(r"\b(?:not|no\s+longer|never|instead\s+of|rather\s+than|from|stop(?:ped)?|avoid)\s+(?:\w+\s+){0,2}$", _I)
# A suspend or sleep before the failure: "after suspend", "wakes up from standby", "resume
# from hibernation", 休眠 / 待机 / 睡眠 (sleep) 唤醒 (wake).
# "goes to sleep and wakes up", "after sleep mode", "woke it up" are the same event told plainly.
_SUSPEND = lazy(r"\b(?:suspend(?:s|ed|ing)?|standby|hibernat\w*|resum(?:e|ed|ing)\s+from\s+sleep"
                      r"|wak(?:e|es|ing)\s+(?:up\s+)?from\s+(?:sleep|suspend|standby)"
                      r"|(?:go|goes|going|went|gone|put\s+\w+)\s+(?:in)?to\s+sleep|sleep\s+mode"
                      r"|after\s+(?:a\s+|the\s+)?sleep|(?:wakes?|woke|waking)\s+(?:it\s+|\w+\s+)?up"
                      # Left alone until it sleeps, or the lid shut: "if I leave the machine for some
                      # time and come back", "idle for a while", "after closing the lid".
                      r"|(?:leave|leaves|leaving|left)\s+(?:it|the\s+\w+|my\s+\w+|this\s+\w+)\s+(?:idle|alone|overnight"
                      r"|unattended|for\s+(?:some\s+time|a\s+while|a\s+few\s+hours|hours|the\s+night|a\s+bit))"
                      r"|(?:idle|idling|inactive)\s+for\s+(?:a\s+while|some\s+time|(?:a\s+few\s+|\d+\s+)?(?:minutes|hours))"
                      r"|after\s+(?:being\s+)?idle|(?:clos(?:e|ed|ing)|shut(?:ting)?|open(?:ed|ing)?)\s+(?:the|my)\s+"
                      r"(?:laptop(?:'s)?\s+)?lid)\b"
                      r"|休眠|待机后|睡眠后|唤醒后|闲置一段时间|合上(?:笔记本)?(?:盖子|屏幕)"
                      # Japanese, Korean, Spanish/Portuguese, German, French: sleep / suspend / resume
                      r"|スリープ|サスペンド|休止状態|復帰後|절전\s?모드|대기\s?모드|슬립\s?모드|최대\s?절전"
                      r"|\bsuspensi[oó]n\b|\bsuspender\b|\bsuspens[aã]o\b|\bhibernaci[oó]n\b|\bRuhezustand\b|\bEnergiesparmodus\b"
                      r"|\bmise\s+en\s+veille\b|\bsortie\s+de\s+veille\b", _I)
# Fabric Manager said to be missing or stopped.
_FM = lazy(r"\b(?:nvidia[-_ ]?)?fabric[-_ ]?manager\b[^.;!?\n]{0,30}?\b(?P<state>not\s+installed|not\s+running|"
                 r"missing|isn't\s+installed|isn't\s+running|not\s+started|fails?\s+to\s+start|failed\s+to\s+start|"
                 r"errors?\s+and\s+exits|exited|crash\w*|dead|inactive)\b", _I)
# nvidia-smi's failure in a person's words ("nvidia-smi gave errors like: can't find nvidia
# driver", "nvidia-smi says it couldn't communicate with the driver"): nvidia-smi's own text
# is read by the nvidia-smi parser, at a tool's rank.
_SMI_NO_DRIVER = lazy(r"\bnvidia-smi\b[^.!?\n]{0,60}?\b(?:can't|cannot|couldn't|could not|unable to|fails? to|"
                            r"failed to)\s+(?:find|communicate with|talk to|reach|load)\s+(?:the\s+)?(?:nvidia\s+)?driver",
                            _I)
# Another vendor's GPU named as the machine's GPU: "I have AMD GPU", "an AMD Radeon RX 6800",
# "Intel Arc A770", "my graphics card is a Radeon", "AMD 显卡" (graphics card). A CPU ("AMD
# Ryzen") is not a GPU.
_OTHER_GPU = lazy(r"\b(?:amd|radeon|intel)(?:\(r\))?\s+(?:(?:radeon|arc|iris(?:\s+xe)?|uhd|hd)\s+)?(?:rx\s*\d{3,4}\w*\s+)?"
                        r"(?:(?:gpus?|graphics(?:\s+card)?|video\s+card|card)\b|(?:独立)?显卡)|\bradeon\s+(?:rx|pro|vii|r[579])\b"
                        r"|\bintel\s+arc\b|\bamd\s+(?:instinct|mi\d{2,3})\b|\bintel(?:\(r\))?\s+(?:uhd|iris|hd)\s+graphics\b"
                        r"|\b(?:uhd|iris(?:\s+xe)?|hd)\s+graphics\s+\d{3,4}\b"
                        # "an RX 6700 XT", "a RX570 GPU": AMD's Radeon RX numbers (NVIDIA's are RTX/GTX)
                        r"|\brx\s?[4-9]\d{2,3}(?:\s?xtx?)?\b"
                        r"|\b(?:amd|radeon|intel)(?:\s+radeon)?\s+(?:integrated|onboard|built-in)\s+(?:gpu|graphics)\b", _I)
# The same line naming an NVIDIA GPU beside it ("a monitor on the integrated Intel graphics and
# the nvidia gpu left unconnected", "Intel UHD + NVIDIA GeForce", "AMD iGPU and an RTX 3060"): a
# hybrid machine, whose other GPU is no evidence against the NVIDIA one.
# The word "nvidia" alone is not a GPU ("nvidia-smi fails on my AMD GPU"); a denied one is none
# ("Intel graphics and no NVIDIA card").
_NVIDIA_BESIDE = lazy(r"\bnvidia\s+(?:(?:discrete|dedicated)\s+)?(?:gpu|card|graphics\s+card|adapter|dgpu|geforce|quadro)s?\b"
                            r"|\b(?:geforce|quadro|[rg]tx\s?\d{3,4})\b|英伟达(?:的)?(?:显卡|独显)|n卡", _I)
_BESIDE_DENIED = lazy(r"(?:\b(?:no|not|without|never)|n't\s+have|没有)\s*(?:an?\s+|any\s+|the\s+)?$", _I)


# A program's message quoted in the sentence ("Please check that you have an NVIDIA GPU and
# installed a driver" from torch) names no GPU of the machine.
_QUOTED_SPAN = lazy(r"\"[^\"]*\"|`[^`]*`|“[^”]*”")


def _nvidia_beside(line: str, start: int, end: int) -> bool:
    """An NVIDIA GPU named in the sentence holding ``line[start:end]``, outside quotes."""
    left = clause_start(line, start, ".!?;。！？") - 1
    rights = [p for p in (line.find(c, end) for c in ".!?;。！？") if p != -1]
    said = _QUOTED_SPAN.sub(" ", line[left + 1:min(rights) if rights else len(line)])
    return any(not _BESIDE_DENIED.search(said, max(0, m.start() - 20), m.start()) for m in _NVIDIA_BESIDE.finditer(said))
# A line naming a CPU ("AMD Ryzen 7 5800H with Radeon Graphics", lscpu's "Model name:"):
# its integrated graphics say nothing about an NVIDIA GPU beside it.
_CPU_LINE = lazy(r"\b(?:ryzen|athlon|core\(tm\)|core\s+i[3579]|xeon|epyc|threadripper)\b|model\s+name\s*:", _I)
# No NVIDIA GPU at all, in a person's words: "my machine has no NVIDIA GPU", "I don't have
# a CUDA-capable GPU", "without an nvidia card", 没有 N卡 / 没有英伟达显卡 (have no NVIDIA card).
_NO_NVIDIA = Gated(lazy(r"\b(?:(?:have|has|with|there\s+is|there's)\s+no|(?:don't|doesn't|do\s+not|does\s+not)\s+have"
                        r"(?:\s+an?|\s+any)?|without(?:\s+an?|\s+any)?|(?:i'm|i\s+am|we're|we\s+are)\s+not\s+using"
                        r"(?:\s+an?|\s+any)?)\s+(?:nvidia|cuda[- ]capable|cuda)"
                        r"\s+(?:gpus?|graphics(?:\s+cards?)?|cards?|video\s+cards?|adapters?|devices?|chips?|hardware)\b"
                        r"|没有\s*(?:独立)?(?:nvidia|英伟达|n卡|N卡)(?:的)?\s*(?:显卡|gpu)?"
                        # no GPU at all: "my laptop has no GPU", "I don't have a GPU", 没有GPU / 没有显卡
                        r"|\b(?:i|we|my\s+\w+|this\s+\w+|it)\s+(?:(?:has|have)\s+no|(?:don't|doesn't|do\s+not|does\s+not)"
                        r"\s+have\s+(?:an?|any))\s+(?:dedicated\s+|discrete\s+)?(?:gpus?|graphics\s+cards?)\b"
                        r"(?!\s*(?:memory|mem|ram|usage|util\w*|time|left|available|support|access|acceleration))"
                        r"|(?:机器|电脑|服务器|笔记本)?没有\s*(?:独立)?(?:gpu|GPU|显卡)"
                        # a machine named without one: "on a server without GPU", "a laptop with no graphics card"
                        r"|\b(?:server|machine|computer|pc|laptop|notebook|desktop|vm|instance|node|box|host)\s+"
                        r"(?:without|with\s+no)\s+(?:an?\s+|any\s+)?(?:dedicated\s+|discrete\s+|nvidia\s+)?"
                        r"(?:gpus?|graphics\s+cards?|video\s+cards?)\b"
                        r"(?!\s*(?:memory|access|support|acceleration|passthrough|attached|drivers?))"
                        # a sentence opening on the absence: "No NVIDIA GPU on this laptop, so …" (not "No NVIDIA
                        # GPU on this machine is detected": that is the failure being reported)
                        r"|(?:^|[.!;]\s+)no\s+(?:nvidia|cuda[- ]capable)\s+(?:gpus?|graphics\s+cards?|cards?)\s+(?:on|in)\s+"
                        r"(?:this|my|the|our)\s+(?:laptop|machine|computer|pc|server|box|notebook|desktop|vm|instance|node)\b"
                        r"(?!\s*(?:is|was|were|are|gets?|got|can\s+be|could\s+be)?\s*(?:found|detected|visible|recogni[sz]ed"
                        r"|available|shown|listed|seen))"
                        # "I only have CPU", "we have only a CPU" (not "only the CPU version")
                        r"|\b(?:i|we)\s+(?:only\s+have|have\s+only)\s+(?:an?\s+|the\s+)?cpus?\b"
                        r"(?![- ]*(?:version|build|wheel|torch|pytorch|package|variant|install))"
                        # a machine without any GPU: "a Colab CPU runtime", "a CPU-only server", "a CPU instance"
                        r"|\b(?:on|using|use|in|with|have|has|is)\s+(?:an?\s+|the\s+|my\s+)?(?:\w+\s+){0,2}(?:cpu[- ]only|cpu)\s+"
                        r"(?:runtime|machine|instance|server|vm|node|box|laptop|computer|pc)\b"
                        # the person runs on the CPU: "I am using CPU", "I'm running on the CPU", 我使用的是cpu
                        # (a CPU *build* — "using the CPU version" — is torch_cpu_only_build's, not this)
                        r"|\b(?:i'm|i\s+am|we're|we\s+are|i|we)\s+(?:only\s+)?(?:using|running\s+(?:it\s+)?on|run\s+(?:it\s+)?on)"
                        r"\s+(?:the\s+|a\s+|my\s+|only\s+)?cpu\b(?![- ]*(?:version|build|wheel|only\s+build|torch|pytorch|package"
                        r"|variant|install|offload\w*|threads?|cores?|memory|ram|for|to|and|with|instead|as\s+well|too)\b)"
                        r"|我(?:们)?(?:这里|这边)?(?:只|仅)?(?:使用|用)的?(?:是|只有)?\s*cpu(?!\s*(?:版|的torch|的pytorch))"
                        r"|(?:我|电脑|机器|笔记本)只有\s*cpu"
                        # Japanese, Korean, Spanish, Portuguese, German, French: "(NVIDIA) GPU がありません",
                        # "NVIDIA 그래픽카드가 없습니다", "no tengo GPU NVIDIA", "keine NVIDIA-Grafikkarte", "pas de GPU NVIDIA"
                        r"|(?:nvidia|エヌビディア)?\s*(?:の)?\s*(?:gpu|グラフィックボード|グラボ|ビデオカード)\s*(?:が|は)\s*(?:ありません|ない|無い|搭載されていない)"
                        r"|(?:nvidia|엔비디아)?\s*(?:gpu|그래픽\s?카드|그래픽카드)\s*(?:가|이|는)?\s*(?:없습니다|없어요|없음|없는)"
                        r"|\b(?:no\s+tengo|no\s+tiene|sin|não\s+tenho|não\s+tem|sem)\s+(?:una?\s+|um\s+|uma\s+)?(?:gpu|tarjeta\s+gr[aá]fica|placa\s+de\s+v[ií]deo)"
                        r"(?:\s+(?:de\s+)?nvidia)?\b"
                        r"|\bkeine?\s+(?:nvidia[- ]?)?(?:gpu|grafikkarte)\b|\b(?:pas\s+de|aucune?)\s+(?:carte\s+graphique|gpu)(?:\s+nvidia)?\b", _I),
                   # every alternative holds one of these (checked when made): a line without
                   # any is not searched (most lines that name a GPU or CUDA)
                   ("no", "n't", "without", "没有", "cpu", "ない", "無い", "ありません", "없", "sin", "tem", "tenho", "sem",
                    "kein", "pas", "aucun"))
# _NO_NVIDIA searched one alternative at a time (first_of.py: the same match), each only in lines
# holding one of its own words: most lines holding "no" or "cpu" hold none of the Japanese,
# Korean or Spanish alternatives' words (the whole pattern: ~50 ms on the 4 MiB paste's lines).
_NO_NVIDIA_FIRST = FirstOf(_NO_NVIDIA.pattern, _NO_NVIDIA.flags, (
    ("nvidia", "cuda"), ("没有",), ("gpu", "graphics"), ("没有",), ("gpu", "graphics", "video"), ("nvidia", "cuda"),
    ("cpu",), ("cpu",), ("cpu",), ("cpu",), ("只有",), ("ありません", "ない", "無い"), ("없",), ("gpu", "tarjeta", "placa"),
    ("kein",), ("carte", "gpu")), within=_NO_NVIDIA)
_NO_WORD = lazy(r"\bno\s", _I)
_DENIAL_WORDS = tuple(w for w in _NO_NVIDIA.words if w != "no")


def _no_only_inside_words(line: str) -> bool:
    """The gate's only word is "no" inside another ("grad_norm=", "node", "unknown"): every "no"
    of _NO_NVIDIA is a word followed by a space, so the line cannot match (a training log's
    lines all name gpu_mem and grad_norm: the pattern took 2.7 s over 4 MiB of them)."""
    low = line.lower()
    return "no" in low and not _NO_WORD.search(low) and not any(w in low for w in _DENIAL_WORDS)


# Only an integrated GPU, in a person's words: "my laptop only has integrated graphics", "no
# discrete GPU", 只有核显 / 没有独显 (only integrated / no discrete graphics), 内蔵GPUしかない,
# 내장 그래픽만, "solo tiene gráficos integrados", "nur eine integrierte Grafik".
_IGPU_ONLY = lazy(r"\bonly\s+(?:has\s+|have\s+|got\s+)?(?:an?\s+)?(?:integrated|onboard|built-in)\s+(?:graphics|gpu|video)"
                        r"|\b(?:integrated|onboard)\s+(?:graphics|gpu)\s+only\b|\bno\s+(?:discrete|dedicated)\s+(?:gpu|graphics)"
                        r"|只有\s*(?:核显|集显|集成显卡|核芯显卡|内置显卡)|没有\s*(?:独显|独立显卡)|无独显"
                        r"|内蔵\s*(?:GPU|グラフィックス?)\s*しか|내장\s*(?:그래픽|GPU)\s*만"
                        r"|\bsolo\s+(?:tiene|tengo)\s+(?:una?\s+)?gr[aá]ficos?\s+integrad|\bnur\s+(?:eine\s+)?(?:integrierte|onboard)\s*-?\s*Grafik", _I)
# An Apple machine: no NVIDIA GPU and no CUDA since macOS 10.14 / CUDA 10.2. collect_env's
# "OS: macOS 14.2" is read by the system parsers; this is a person's "on my M1 MacBook".
_APPLE = lazy(r"\b(?:mac\s?os|os\s?x|macbook(?:\s+(?:pro|air))?|imac|mac\s?mini|mac\s?studio|apple\s+silicon|"
                    r"apple\s+m[1-5]|m[1-5]\s+(?:pro|max|ultra)"
                    # "on my Mac", "a Mac M1", "M2 Mac" (a MAC address is no machine: a determiner or chip is required)
                    r"|(?:on|my|a|the|this|our)\s+mac(?:\s+m[1-5])?(?!\s*(?:address|addr|filter|os\b))|m[1-5]\s+mac|mac\s+m[1-5])\b"
                    r"|苹果(?:电脑|笔记本|芯片)|\bM[1-5]\s*(?:芯片|チップ|칩)|맥북|맥\s?미니", _I)


# CUDA working as root and not as the user: the user may not open the device nodes. "it only
# works with sudo", "as root everything works fine, non-root users can't", "works under sudo but
# not as my normal user".
_ROOT_ONLY = lazy(r"\bonly\s+(?:works?|runs?|detects?\s+\w+)\s+(?:with|under|using|as|when\s+run\s+as)\s+(?:sudo|root)\b"
                        r"|\b(?:with|under|using|as)\s+(?:sudo|root)\b[^.;!?\n]{0,30}\b(?:works?|fine|ok|runs?)\b"
                        r"|\b(?:works?|fine|runs?)\b[^.;!?\n]{0,30}\b(?:with|under|using|as)\s+(?:sudo|root)\b", _I)
_AS_USER = lazy(r"\bonly\s+(?:works?|runs?)|\bnon-?root\b|\b(?:normal|regular|ordinary|my|other|non-admin)\s+users?\b"
                      r"|\bwithout\s+sudo\b|\bas\s+(?:a\s+)?user\b", _I)
# Both sides said to behave alike: "without sudo it works as well", "not as root, nor as my user".
_ALIKE = lazy(r"\b(?:as\s+well|too|either\s+way|both|neither|nor|also\s+works?|same)\b", _I)


# Uncorrectable memory errors retold: "due to Uncorrectable ECC Error", "a double-bit ECC
# error", "ECC errors (uncorrectable)", 不可纠正的 ECC 错误. CUDA's own "uncorrectable ECC
# error encountered" is a catalogued message, read by the error parser at a program's rank.
_ECC = lazy(r"\b(?:uncorrect(?:able|ed)|double[- ]bit|dbe)\s+(?:memory\s+)?ECC\s+errors?\b"
                  r"|\bECC\s+errors?\s*\(?\s*(?:uncorrect(?:able|ed)|double[- ]bit)\b|不可(?:纠正|修复|校正)的?\s*ECC", _I)
# "no uncorrectable ECC errors", "without any …", "0 …": the words just before deny it.
_ECC_DENIED = lazy(r"\b(?:no|not|never|without|zero|0)\s+(?:any\s+|more\s+)?$|没有\s*$", _I)


def _negated(text: str) -> bool:
    return bool(_NOT.search(text))


def _module_name(raw: str) -> str:
    low = re.sub(r"\s+", " ", raw.lower()).replace("-", "_")
    for name in ("nvidia_uvm", "nvidia_drm", "nvidia_modeset", "nouveau"):
        if low.startswith(name):
            return name
    return "nvidia"  # "nvidia", "the nvidia driver", "the driver", "the kernel module"


def _modules(line: str) -> Tuple[List[str], List[str]]:
    """(loaded, not loaded) modules a sentence speaks of."""
    loaded: List[str] = []
    missing: List[str] = []
    for m in _LOADED.finditer(line):
        # "loaded: nvidia unloaded: fbdev,nouveau" is inxi's labelled list, not a sentence.
        if asked(line, m.end()) or line[m.end():m.end() + 1] == ":":
            continue
        name = _module_name(m.group("mod"))
        off = bool(m.group("un")) or _negated(m.group("between"))
        if off and not_this_host(line, m.start(), m.end()):
            continue  # "isn't loaded on the login node, which is expected", "… on my Mac, of course"
        (missing if off else loaded).append(name)
    for m in _CN_LOADED.finditer(line):
        (missing if m.group("neg") else loaded).append(_module_name(m.group("mod")))
    return loaded, missing


# The line tests below (Pasted.where) read one line each: a repeated line is tested once.
def _said_modules(line: str) -> Optional[Tuple[List[str], List[str]]]:
    if line.lstrip().startswith(("[", "NVRM", "modprobe", "insmod")) or "|" in line:
        return None  # a log line or a table row: the kernel log's readers read those
    on, off = _modules(line)
    return (on, off) if on or off else None


# The tests below read one line alone (Pasted.where: once per distinct line, the match then
# placed on each copy): the claim's words, and what on the line takes it back (a question, a
# denial, an aside).
def _no_nvidia(line: str) -> Optional["re.Match[str]"]:
    m = None if _no_only_inside_words(line) else _NO_NVIDIA_FIRST.search(line)
    # torch's own "If you are running on a CPU-only machine, please use torch.load with
    # map_location" is advice, not the machine.
    return m if m and not asked(line, m.end()) and "map_location" not in line else None


def _other_gpu(line: str) -> Optional["re.Match[str]"]:
    m = None if _CPU_LINE.search(line) else _OTHER_GPU.search(line)
    if not m or _nvidia_beside(line, m.start(), m.end()):
        return None
    if _negated(line[max(0, m.start() - 25):m.start()]) or asked(line, m.end()) \
            or ASIDE.search(line[max(0, m.start() - 40):m.start()]):
        return None
    return m


def _nouveau_used(line: str) -> Optional["re.Match[str]"]:
    m = _NOUVEAU_USED.search(line)
    if not m or asked(line, m.end()) or _NOUVEAU_DENIED.search(line[max(0, m.start() - 30):m.start()]):
        return None
    return m


def _suspend(line: str) -> Optional["re.Match[str]"]:
    m = _SUSPEND.search(line)
    return m if m and not _negated(line[max(0, m.start() - 20):m.start()]) and not asked(line, m.end()) else None


def _smi_no_driver(line: str) -> Optional["re.Match[str]"]:
    m = _SMI_NO_DRIVER.search(line)
    return m if m and not asked(line, m.end()) else None


def _ecc(line: str) -> Optional["re.Match[str]"]:
    m = _ECC.search(line)
    if not m:
        return None
    after = line[m.end():m.end() + 14].lower()
    if ("encountered" in after or re.match(r"\s*[:=]\s*0\b", after) or asked(line, m.end())
            or _ECC_DENIED.search(line, max(0, m.start() - 20), m.start()) or general_statement(line, m.start(), m.end())):
        return None
    return m


def _apple(line: str) -> Optional["re.Match[str]"]:
    m = _APPLE.search(line)
    return m if m and not _negated(line[max(0, m.start() - 25):m.start()]) and not asked(line, m.end()) else None


def _igpu_only(line: str) -> Optional["re.Match[str]"]:
    m = _IGPU_ONLY.search(line)
    return m if m and not asked(line, m.end()) and not ASIDE.search(line[max(0, m.start() - 40):m.start()]) else None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    search = doc.search
    loaded: List[str] = []
    missing: List[str] = []
    first = None
    for i, (on, off) in doc.where(_said_modules, "load", "加载", "载入"):
        for name in on:
            if name not in loaded and name not in missing:
                loaded.append(name)
                first = i if first is None else first
        for name in off:
            if name not in missing:
                missing.append(name)
                if name in loaded:
                    loaded.remove(name)
                first = i if first is None else first
    for i, m in doc.where(_nouveau_used, "nouveau"):
        if "nouveau" not in loaded and "nouveau" not in missing:
            loaded.append("nouveau")
            first = i if first is None else min(first, i)
    if "nouveau" in loaded and blocked_fixed(doc):
        loaded.remove("nouveau")  # "nouveau was loaded, after blacklisting it everything works": the past (nouveau_signals)
    if loaded:
        f.set("driver.loaded_modules", tuple(loaded), first, detail=f"{STATED_DETAIL}: loaded, in a person's words")
    if missing:
        f.set("driver.modules_not_loaded", tuple(missing), first,
              detail=f"{STATED_DETAIL}: not loaded, in a person's words")
    for i, m in doc.where(_suspend, "suspen", "standby", "hibernat", "sleep", "wake", "woke", "waking", "leav",
                          "left", "idl", "inactive", " lid", "休眠", "待机", "睡眠", "唤醒", "闲置", "合上", "スリープ",
                          "サスペンド", "休止", "復帰", "절전", "대기", "슬립", "ruhezustand", "energiespar", "veille"):
        f.set("host.resumed_from_suspend", True, i)
    for i, m in doc.where(_smi_no_driver, "nvidia-smi"):
        f.fail("nvml.init", Status.ERROR, i, detail=f"{STATED_DETAIL}: {m.group(0)}")
        f.set("nvml.init_error", "driver_not_loaded", i)
    for i, m in doc.where(_ecc, "ecc"):
        # A count over the GPU's life: the person saw at least one; nvidia-smi's counter
        # since the driver loaded is another fact, read from its own table.
        f.gpu(None, i, detail=f"{STATED_DETAIL}: {m.group(0)} (no count given)", ecc_aggregate_uncorrected=1)
    for i, _ in doc.where(_FM.search, "fabric"):
        f.set("driver.fabric_manager_running", False, i)
    for i, m in doc.where(_apple, "mac", "os x", "osx", "apple", " m1", " m2", " m3", " m4", " m5", "苹果", "芯片",
                          "チップ", "칩", "맥"):
        f.set("host.os_id", "macos", i)
    for i, m in doc.where(_no_nvidia, "nvidia", "cuda", "英伟达", "n卡", "gpu", "graphics", "显卡", "cpu", "グラ", "ビデオカード",
                          "그래픽", "tarjeta", "placa", "grafikkarte", "carte graphique"):
        f.set("pci.devices", (), i, detail=f"{NO_NVIDIA_DETAIL} ({m.group(0).strip()})")
    for i, m in doc.where(_igpu_only, "integrated", "onboard", "built-in", "discrete", "dedicated", "核显", "集显",
                          "集成显卡", "核芯显卡", "内置显卡", "独显", "独立显卡", "内蔵", "내장", "integrad", "integrierte"):
        f.set("pci.devices", (), i, detail=f"{NO_NVIDIA_DETAIL} ({m.group(0).strip()})")
    for i, m in doc.where(_ROOT_ONLY.search, "sudo", "root"):
        near = " ".join(lines[i:i + 2])
        if search(_AS_USER, near) and not _ALIKE.search(near) and not asked(lines[i], m.end()) \
                and not OTHER_RIGHTS.search(near) and not general_statement(lines[i], m.start(), m.end()):
            # (not pip's, docker's socket's or a cache's rights; not a condition or advice put to the reader)
            # What the claim implies for the nodes: this user may not open them.
            f.set("driver.device_nodes", (DeviceNode("/dev/nvidiactl", True, accessible=False),), i,
                  detail=f"{STATED_DETAIL}: works as root, not as the user ({m.group(0).strip()})")
    for i, m in doc.where(_other_gpu, "amd", "radeon", "intel", "graphics", "rx"):
        # What the claim implies for the PCI bus: no NVIDIA device on it. Any NVIDIA GPU
        # named anywhere in the text still makes has_nvidia_gpu true (facts.py).
        f.set("pci.devices", (), i, detail=f"{STATED_DETAIL}: the GPU named is not NVIDIA's ({m.group(0).strip()})")
    return f
