"""A person saying the NVIDIA driver is too old, in their own words (any language, any layout):
"the msg is that my Nvidia version is too old", "it says my driver is outdated", "驱动太老了",
"드라이버가 너무 오래되었다", "ドライバーが古い", "el controlador de NVIDIA es demasiado antiguo",
"der Treiber ist zu alt". Usually the retelling of torch's "The NVIDIA driver on your system
is too old (found version N)" that the paste does not quote.

A claim (rank ``STATED``) that the driver's CUDA is too low, as a failed
``nvml.cuda_driver_version`` with a detail naming the sentence (``derived/driver_claims.py``);
nvidia-smi's header in the same paste outranks it. A question ("is my driver too old?"), a
denial ("the driver is not too old", "new enough"), a condition ("if the driver is too old")
claims nothing; whether the paste shows a failure at all is the rule's to weigh.

A person saying no NVIDIA driver is installed ("I haven't installed the NVIDIA driver yet",
"no driver is installed", "还没装驱动", "ドライバーをインストールしていない", "드라이버를 설치하지
않았", "no he instalado el controlador", "der Treiber ist nicht installiert") or that nvidia-smi
is not there ("nvidia-smi 提示找不到命令"): the driver's nvidia-smi not found, in their words, which
``gpu_present_driver_missing`` reads beside a GPU the text names. Inside a container or WSL the
driver is rightly not installed: such sentences claim nothing.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.driver_claims import DRIVER_OLD_DETAIL
from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "statements"
_I = re.IGNORECASE

_SENTENCE = lazy(r"[^.!?;。！？\n]+(?:\.(?=\S)[^.!?;。！？\n]*)*[.!?;。！？]?")
# "driver" (or "nvidia version") within a few words before "too old / outdated / not new enough":
# said of it ("is old", "too old"), or ending its clause ("driver outdated."), not "old" before
# a noun, which is another thing's ("Driver crashes were an issue on my old PC").
_OLD = lazy(
    r"\b(?:nvidia|gpu|graphics|display|cuda)?\s*driver(?:s|\s+version)?\b[^.!?;\n]{0,40}?"
    r"(?:\b(?:(?:is|was|are|were|being|seems?|looks?)\s+(?:(?:too|very|so)\s+)?|(?:too|very|so)\s+)"
    r"(?:old|outdated|out\s+of\s+date|not\s+new\s+enough|older\s+than\s+(?:required|needed|what))\b"
    r"|\b(?:old|outdated|out\s+of\s+date)\b(?!\s+[^\W\d_]))"
    r"|\bnvidia\s+version\s+(?:is|was)\s+(?:too\s+)?(?:old|outdated)\b"
    r"|驱动[^。！？\n]{0,8}?(?:太|过|比较|有点)(?:老|旧|低)|驱动版本(?:太|过)低"
    r"|드라이버[가는]?\s*(?:너무\s*)?(?:오래|낮|구버전)"
    r"|ドライバ[ー]?(?:の\s*バージョン)?\s*[がは]\s*古"
    r"|controlador(?:es)?\s+(?:de\s+(?:nvidia|la\s+gpu|video)\s+)?(?:es|est[aá]|son)\s+(?:demasiado\s+|muy\s+)?"
    r"(?:antiguo|viejo|obsoleto|desactualizado)"
    r"|Treiber\s+(?:ist|sind|war)\s+(?:zu\s+|viel\s+zu\s+)?(?:alt|veraltet)", _I)
# A question, a denial, a condition, a driver since replaced: no claim.
_NOT = lazy(r"\?|？|\b(?:not\s+too|isn't|is\s+not|wasn't|was\s+not|aren't|not\s+(?:the\s+)?(?:problem|issue|cause)|"
            r"if|whether|unless|even\s+though|new\s+enough|up\s+to\s+date|latest)\b|"
            r"不是|并不|如果|是否|吗|아니|않|ない|\bno\s+es\b|\bnicht\b", _I)
_NEEDLES = ("driver", "nvidia version", "驱动", "드라이버", "ドライバ", "controlador", "treiber")

# "I haven't installed the NVIDIA driver", "no driver is installed", in several languages.
_UNINSTALLED = lazy(
    r"\b(?:haven't|have\s+not|didn't|did\s+not|never|not\s+yet)\s+(?:yet\s+)?install(?:ed)?\s+(?:the\s+|any\s+|an?\s+)?"
    r"(?:nvidia\s+|gpu\s+|graphics\s+|display\s+|cuda\s+)*drivers?\b"
    r"|\bno\s+(?:nvidia\s+|gpu\s+|graphics\s+)*drivers?\s+(?:is\s+|are\s+)?installed\b"
    r"|\b(?:nvidia\s+|gpu\s+|graphics\s+)*drivers?\s+(?:is|are)\s+not\s+(?:yet\s+)?installed\b"
    r"|(?:还|尚)?没(?:有)?(?:安)?装\s*(?:nvidia|NVIDIA|英伟达|N卡|显卡)?\s*(?:的)?驱动|驱动\s*(?:还|也)?没(?:有)?(?:安)?装"
    r"|未安装\s*(?:nvidia|NVIDIA|英伟达|显卡)?\s*驱动"
    r"|ドライバ(?:ー)?\s*(?:を|が|は)?\s*(?:まだ)?\s*(?:インストールしていない|インストールされていない|入っていない|入れていない)"
    r"|드라이버(?:를|가|는)?\s*(?:아직\s*)?(?:설치하지\s*않|설치되지\s*않|설치\s*안)"
    r"|\bno\s+(?:he|hemos)\s+instalado\s+(?:el|los|ning[uú]n)?\s*(?:driver|controlador)"
    r"|\bTreiber\s+(?:ist\s+|sind\s+)?(?:noch\s+)?nicht\s+installiert|\bkeinen?\s+(?:NVIDIA-?\s*)?Treiber\s+installiert", _I)
# nvidia-smi said missing in words: "nvidia-smi 提示找不到命令", "nvidia-smi is not found".
_SMI_GONE = lazy(r"nvidia-smi\W{0,3}(?:提示)?\s*(?:找不到(?:命令|该命令)?|未找到命令|命令不存在)"
                 r"|nvidia-smi\s+(?:is\s+)?not\s+(?:found|recognized|installed)\b", _I)
_NOT_HERE = lazy(r"\b(?:if|whether|unless|container|docker|image|wsl|inside)\b|如果|容器|镜像|もし|만약|\bsi\b|\bwenn\b|\bob\b", _I)
_UNINSTALLED_NEEDLES = ("install", "驱动", "ドライバ", "드라이버", "instalado", "treiber", "nvidia-smi")


def _old_said(line: str) -> Optional[str]:
    """The claim's detail where a sentence of ``line`` says the driver is too old."""
    for s in _SENTENCE.findall(line):
        if _OLD.search(s) and not _NOT.search(s):
            return f"{DRIVER_OLD_DETAIL} ({s.strip()[:160]})"
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    _driver_absent(doc, f)
    # Each distinct line is read once (a log repeats its lines); the first saying it makes the claim.
    said = doc.first(_old_said, *_NEEDLES)
    if said and working_after(doc.lines, said[0], 0):
        said = None  # "the driver was too old; after updating it everything works": a past state
    if said:
        f.fail("nvml.cuda_driver_version", Status.ERROR, said[0], detail=said[1])
    return f


def _absent_said(line: str) -> Optional[str]:
    """The claim's detail where a sentence of ``line`` says no NVIDIA driver is installed."""
    for s in _SENTENCE.findall(line):
        m = _UNINSTALLED.search(s) or _SMI_GONE.search(s)
        if m and "?" not in s and "？" not in s and not _NOT_HERE.search(s):
            return f"{STATED_DETAIL}: no NVIDIA driver installed ({m.group(0).strip()[:80]})"
    return None


def _driver_absent(doc: Pasted, f: Found) -> None:
    said = doc.first(_absent_said, *_UNINSTALLED_NEEDLES)
    if said:
        f.fail("driver.nvidia_smi_path", Status.NOT_FOUND, said[0], detail=said[1])
