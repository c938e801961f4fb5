"""Windows' Device Manager refusing to load the NVIDIA GPU's driver, as people paste or retell its
problem codes: Code 52 ("Windows cannot verify the digital signature for the drivers required for
this device", CM_PROB_UNSIGNED_DRIVER), Code 39 ("Windows cannot load the device driver for this
hardware. The driver may be corrupted or missing.", CM_PROB_DRIVER_FAILED_LOAD) and Code 31 ("This
device is not working properly because Windows cannot load the drivers required for this device.",
CM_PROB_FAILED_ADD) — https://learn.microsoft.com/windows-hardware/drivers/install/device-manager-error-messages
(the codes of cfg.h). The Windows form of a driver that is installed and not loaded: claimed (rank
``STATED``) as ``driver.modules_not_loaded = ("nvidia",)``, which ``driver_kernel_module_not_loaded``
reads (likely).

Read only where the NVIDIA GPU is named in the line or the two before it (the dialog names its
device; a person writes "my RTX 3060 shows code 52"). Not read: Code 43 (the driver loaded and
stopped the device: a failing card, a passthrough guest), another device named in the sentence
(an audio or virtual display driver with Code 52 beside an NVIDIA card in the specs), a question,
a fix said after it.
"""

from __future__ import annotations

import re

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import sentence_around, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about Windows' Device Manager"
_I = re.IGNORECASE

# "(Code 52)" as the dialog ends its text, in Windows' languages, or "code 52" / "error code 39" in a sentence.
_CODE = lazy(r"\((?:code|código|codice|kod|код|代码|代碼|コード|코드)\s*(?P<p>52|39|31)\)"
             r"|\b(?:error\s+)?code\s*[:#]?\s*(?P<s>52|39|31)\b|(?:错误)?代码\s*[:：]?\s*(?P<z>52|39|31)(?!\d)", _I)
_NVIDIA = lazy(r"nvidia|geforce|\b(?:rtx|gtx|quadro|tesla)\b", _I)
_OTHER_DEVICE = lazy(r"\b(?:audio|sound|vad|virtual\s+(?:display|audio|adapter)|bluetooth|wi-?fi|wlan|ethernet|network|tap"
                     r"|usb|camera|webcam|printer|realtek|intel|amd|radeon|vpn|serial|ch34\w*)\b|声卡|网卡|蓝牙", _I)
# Other things with a Device Manager entry that a sentence may name beside the GPU: NVIDIA's own
# non-GPU devices ("NVIDIA Platform Controllers and Framework", "NVIDIA Broadcast", "NVIDIA FrameView
# SDK", nForce chipsets), input, biometric and system devices.
_OTHER_ENTRY = lazy(r"\b(?:controllers?|framework|platform|fingerprint|reader|keyboard|mouse|touch-?pad|track-?pad|sensors?"
                    r"|biometric|chipset|sm\s?bus|tpm|xbox|gamepad|joystick|headsets?|speakers?|microphones?|mic|broadcast"
                    r"|frameview|shield|nforce|streaming|unknown\s+device|base\s+system\s+device|monitor|printer)\b", _I)
# A program's exit or return status, an HTTP status: "exited with code 31", "Process finished with exit code 52".
_STATUS_BEFORE = lazy(r"\b(?:exit\w*|return\w*|status|rc|errno|http|finished|terminated|killed)\b[\s\w]{0,12}$", _I)
# A question without its mark ("What does Code 52 on my RTX 3060 mean").
_ASKING = lazy(r"^\W*(?:what|why|how|does|do|is|can|could|should|anyone|any\s+idea|was\s+bedeutet|что\s+(?:значит|означает)"
               r"|qu[eé]\s+significa|o\s+que\s+significa)\b", _I)
_FIXED = lazy(r"\b(?:fixed|solved|resolved|works?\s+(?:now|again|fine)|working\s+(?:now|again))\b|解决|好了", _I)
_MEANS = {"52": "Code 52: Windows could not verify the driver's signature",
          "39": "Code 39: Windows cannot load the device driver",
          "31": "Code 31: Windows cannot load the drivers required for this device"}


def _code(line: str):
    m = _CODE.search(line)
    if m is None or len(line) > 2000:
        return None
    said = sentence_around(line, m.start(), m.end())
    if "?" in said or _OTHER_DEVICE.search(said) or _OTHER_ENTRY.search(said) or _FIXED.search(said) \
            or _ASKING.match(said) or _STATUS_BEFORE.search(line, max(0, m.start() - 30), m.start()):
        return None
    return m


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    for i, m in doc.where(_code, "code", "código", "codice", "kod", "код", "代码", "代碼", "コード", "코드",
                          ignorecase=True):
        before = "\n".join([*doc.lines[max(0, i - 2):i], doc.lines[i][:m.start()]])
        named = None
        for named in _NVIDIA.finditer(before):
            pass
        if named is None or working_after(doc.lines, i, m.start()):
            continue
        between = before[named.end():]
        if _OTHER_ENTRY.search(between) or _OTHER_DEVICE.search(between):
            continue  # the device the code is about comes after the GPU's name ("NVIDIA Platform Controllers … (Code 31)")
        code = m.group("p") or m.group("s") or m.group("z")
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: Device Manager's {_MEANS[code]} for the NVIDIA GPU (line {i + 1})")
        break
    return f
