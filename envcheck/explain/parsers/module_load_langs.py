"""A person saying, in a language other than English, that the NVIDIA driver's kernel module does
not load: "das Modul nvidia wird nicht geladen", "драйвер nvidia не загружается", "o driver da
NVIDIA não carrega", "el módulo nvidia no se carga", "le module nvidia ne se charge plus",
"nvidia のドライバが読み込まれない", "nvidia 드라이버가 로드되지 않", "nvidia sürücüsü yüklenmiyor",
"driver nvidia không được nạp", "il modulo nvidia non viene caricato", and the Chinese idiom for
a driver that stopped working after a kernel update, "显卡驱动掉了" / "nvidia 驱动没了 / 失效了".

English is prose_state's ("the nvidia module isn't loading"); Chinese "没有加载" too. Claimed (rank
``STATED``) as ``driver.modules_not_loaded = ("nvidia",)``, which ``driver_kernel_module_not_loaded``
reads: likely, a person's word.

Read only where NVIDIA is named in the line or the two before it ("the driver" is then NVIDIA's).
Not read: a question, nouveau as the subject ("nouveau wird nicht geladen": the blacklist worked),
and a sentence that says it works again ("funktioniert wieder", "снова работает", "又好了").
"""

from __future__ import annotations

import re

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.sentences import sentence_around
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about kernel modules"
_I = re.IGNORECASE

# The module or the driver as its subject, then its not loading, per language.
_NOT_LOADING = lazy(
    # de: "(das Modul|der Treiber) … wird nicht (mehr) geladen", "lädt nicht (mehr)", "ist nicht geladen"
    r"\b(?:modul\w*|treiber\w*|kernelmodul\w*)\b[^.!?\n]{0,60}?\b(?:wird|werden|ist|sind)\s+(?:jetzt\s+|nun\s+|immer\s+)?"
    r"nicht\s+(?:mehr\s+)?geladen\b|\b(?:modul\w*|treiber\w*)\b[^.!?\n]{0,60}?\blädt\s+(?:jetzt\s+)?nicht\b"
    # ru: "драйвер/модуль … не загружается / не загружен / не подгружается"
    r"|(?:драйвер\w*|модул\w*)[^.!?\n]{0,60}?\bне\s+(?:за|под)гру[жз]\w*"
    # pt / es / it: "o driver não carrega", "el módulo no se carga / no está cargado", "non viene caricato"
    r"|\b(?:driver|m[oó]dulo|controlador)\b[^.!?\n]{0,60}?\b(?:n[aã]o|no)\s+(?:se\s+|est[aá]\s+|é\s+|es\s+|mais\s+)?"
    r"(?:carrega\w*|carg\w*)\b"
    r"|\b(?:driver|modulo)\b[^.!?\n]{0,60}?\bnon\s+(?:viene\s+|è\s+|si\s+)?caric\w*"
    # fr: "le module ne se charge (plus|pas)", "n'est (pas|plus) chargé"
    r"|\b(?:module|pilote|driver)\b[^.!?\n]{0,60}?(?:\bne\s+se\s+charge\s+(?:pas|plus)\b|\bn['’]est\s+(?:pas|plus)\s+charg\w*)"
    # ja / ko
    r"|(?:ドライバ|モジュール)[^。！？\n]{0,30}?(?:読み込まれ|ロードされ)(?:な|ていな|ません)"
    r"|(?:드라이버|모듈)[^.!?\n]{0,30}?(?:로드(?:되지|가)\s*(?:않|안)|로드\s*안\s*됨)"
    # tr / vi
    r"|\b(?:sürücü\w*|modül\w*)[^.!?\n]{0,40}?\byüklen(?:miyor|medi|emiyor)\w*"
    r"|\b(?:driver|module)\b[^.!?\n]{0,40}?\bkhông\s+(?:được\s+nạp|nạp\s+được|load\s+được)"
    # zh: the driver "dropped" / gone / stopped working (after a kernel update)
    r"|(?:显卡|nvidia|NVIDIA|英伟达|N卡|GPU)\s*驱动\s*(?:又|突然|就)?\s*(?:掉了|没了|失效了?|丢了)", _I)
_FIXED = lazy(r"\b(?:funktioniert\s+wieder|geht\s+wieder|läuft\s+wieder|gelöst|behoben)\b|снова\s+работает|решен"
              r"|\b(?:funciona\s+(?:de\s+novo|novamente|otra\s+vez|de\s+nuevo)|resolvid|resuelt|risolt|funziona\s+di\s+nuovo)"
              r"|\b(?:fonctionne\s+(?:à\s+nouveau|de\s+nouveau)|résolu)|直った|解決|해결|çözüldü|đã\s+sửa|解决|好了|恢复了", _I)
# Another module named as the one that does not load ("das Modul vboxdrv wird nicht geladen").
_OTHER_MODULE = lazy(r"\b(?:vbox\w*|virtualbox|wl|r8\d{3}\w*|rtl\w+|iwl\w*|zfs|v4l2\w*|evdi|acpi_call|bbswitch|"
                     r"amdgpu|radeon|i915|snd\w*|btusb|kvm\w*)\b", _I)
_NVIDIA = ("nvidia", "英伟达", "n卡", "显卡")
_NEEDLES = ("geladen", "lädt", "загруж", "подгруж", "carreg", "carga", "caric", "charg", "読み込", "ロード", "로드",
            "yüklen", "nạp", "load được", "掉了", "没了", "失效", "丢了")


def _said(line: str):
    m = _NOT_LOADING.search(line)
    if m is None or len(line) > 2000:
        return None
    said = sentence_around(line, m.start(), m.end())
    if "?" in said or "？" in said or "nouveau" in said.lower() or _FIXED.search(said) or _OTHER_MODULE.search(said):
        return None
    return m


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("nvidia", "英伟达", "n卡", ignorecase=True):
        return f
    for i, m in doc.where(_said, *_NEEDLES, ignorecase=True):
        near = " ".join(doc.lines[max(0, i - 2):i + 1]).lower()
        if not any(w in near for w in _NVIDIA):
            continue
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: the NVIDIA driver does not load ({m.group(0).strip()[:60]}, line {i + 1})")
        break
    return f
