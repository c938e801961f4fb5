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
from envcheck.explain.sentences import clause_start, sentence_around, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about kernel modules"
_I = re.IGNORECASE

# The module or the driver as its subject, then its not loading, per language.
_NOT_LOADING = lazy(
    # de: "(das Modul|der Treiber) … wird nicht (mehr) geladen", "lädt nicht (mehr)", "ist nicht geladen"
    r"\b(?:modul\w*|treiber\w*|kernelmodul\w*)\b[^.!?\n]{0,60}?\b(?:wird|werden|ist|sind)\s+(?:[^.!?\n,]{0,40}?\s)?"
    r"nicht\s+(?:mehr\s+)?geladen\b"
    # the verb first, as German puts it after a time or a reason ("Nach dem Update wird der NVIDIA-Treiber nicht geladen")
    r"|\b(?:wird|werden)\s+(?:der|das|die|mein|meine|unser)\s+(?:[\w-]+\s+){0,2}?[\w-]*(?:modul|treiber)\w*\b[^.!?\n,]{0,40}?"
    r"\bnicht\s+(?:mehr\s+)?geladen\b|\b(?:modul\w*|treiber\w*)\b[^.!?\n]{0,60}?\blädt\s+(?:jetzt\s+)?nicht\b"
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
_FIXED = lazy(r"\b(?:funktioniert\s+(?:\w+\s+){0,2}?wieder|geht\s+(?:\w+\s+){0,2}?wieder|läuft\s+(?:\w+\s+){0,2}?wieder"
              r"|gelöst|behoben)\b|(?:снова|опять)\s+работает|работает\s+(?:снова|опять)|решен"
              r"|\b(?:funciona\s+(?:de\s+novo|novamente|otra\s+vez|de\s+nuevo)|resolvid|resuelt|risolt|funziona\s+di\s+nuovo)"
              r"|\b(?:fonctionne\s+(?:à\s+nouveau|de\s+nouveau)|résolu)|直った|解決|해결|çözüldü|đã\s+sửa|解决|好了|恢复了", _I)
# Another module named as the one that does not load ("das Modul vboxdrv wird nicht geladen").
_OTHER_MODULE = lazy(r"\b(?:vbox\w*|virtualbox|wl|r8\d{3}\w*|rtl\w+|iwl\w*|zfs|v4l2\w*|evdi|acpi_call|bbswitch|"
                     r"amdgpu|radeon|i915|snd\w*|btusb|kvm\w*)\b", _I)
# Another device's driver named in the sentence ("Der WLAN-Treiber wird nicht geladen", "Драйвер Wi-Fi не
# загружается", "el driver de audio no se carga", "le pilote du touchpad"), beside an NVIDIA GPU said to work.
_OTHER_DEVICE = lazy(r"(?:\b|-)(?:w-?lan|wi-?fi|bluetooth|ethernet|lan|netzwerk\w*|network|r[eé]seau|сет[иь]\w*|audio\w*|sound\w*"
                     r"|sonido|звук\w*|аудио|touch-?pad\w*|pav[eé]\s+tactile|tastatur\w*|keyboard|clavier|teclado|клавиатур\w*"
                     r"|webcam|kamera|camera|cam[eé]ra|c[aá]mara|камер\w*|drucker|printer|imprim\w*|принтер\w*|realtek|broadcom"
                     r"|radeon|usb|scanner|fingerprint|fingerabdruck|отпечат\w*)\b"
                     r"|無線|ワイヤレス|サウンド|オーディオ|무선|사운드|오디오|网卡|声卡|蓝牙|无线", _I)
# Between the driver and "does not load", another subject: a contrast ("the driver is fine, but the
# model does not load": Ollama's or ComfyUI's weights, not the kernel module) or a thing that loads
# (a model, a file, a page, a game).
_OTHER_SUBJECT = lazy(r"\b(?:aber|doch|but|но|а|однако|pero|sino|mas|porém|mais|ma|però|ama|fakat|nhưng)\b"
                      r"|しかし|けど|ですが|のに|인데|지만|는데|但|可是|不过"
                      r"|model\w*|modèle\w*|модел\w*|モデル|모델|模型|datei\w*|file\w*|fichier\w*|файл\w*|archivo\w*|arquivo\w*"
                      r"|weights?|gewicht\w*|вес(?:а|ов)\b|checkpoint\w*|lora\b|plugin\w*|плагин\w*|extension\w*|erweiterung\w*"
                      r"|spiel\w*|игр[аыу]\b|juego\w*|jogo\w*|jeu\b|gioco|ゲーム|게임|游戏|seite\w*|страниц\w*|p[aá]gina\w*|page\w*"
                      r"|ページ|페이지|网页|dll\b|biblioth\w*|библиотек\w*|librer[ií]a\w*|biblioteca\w*|ui\b|webui|comfyui|ollama", _I)
# A clause break inside the stretch, after which only adverbs may stand ("der Treiber, Version 550, wird
# nicht geladen" is one subject; "der Treiber ist installiert, nvidia-smi läuft, X wird nicht geladen" is not).
_BREAK = lazy(r"[,，、;；:：]")
_ADVERBS_ONLY = lazy(r"^\s*(?:(?:jetzt|nun|immer|noch|schon|plötzlich|уже|всё|все|равно|вдруг|ya|todavía|aún|ahora|ainda|já|agora"
                     r"|encore|toujours|maintenant|ancora|più|ora|また|まだ|急に|아직|갑자기|hâlâ|artık|vẫn|nữa|又|突然|还是|就)\s*)*$", _I)
# A condition or advice before the claim ("Si el módulo nvidia no se carga, ejecute …", "Если драйвер не
# загружается, …", "Se o driver não carregar, …", "Wenn/Falls …", "もし…", "만약 …", "如果 …"), or the
# conditional forms after it ("読み込まれない場合", "로드되지 않으면", "yüklenmiyorsa").
_CONDITION_BEFORE = lazy(r"\b(?:si|wenn|falls|sofern|если|коли|eğer|nếu|qualora|quando|cuando|lorsque)\b"
                         r"|\bse\s+(?:o|a|os|as|il|lo|la|i|gli|le|l['’]|um|uma|un|una|uno|não|non|seu|meu|mio|tuo|il\s+tuo)\b"
                         r"|もし|万一|만약|如果|假如|要是|\b(?:prüfen|check|проверьте|verifique|revise|vérifiez|controlla)\b", _I)
_CONDITION_AFTER = lazy(r"[^\s。、,]{0,2}(?:場合|とき|時|なら|たら)|\S{0,2}(?:으면|면|을\s*때|는\s*경우)", _I)
# Turkish puts "if" in the verb: "yüklenmiyorsa" (if it does not load).
_CONDITION_IN = lazy(r"yüklen\w*(?:sa|se)$", _I)
_KANA_HANGUL = lazy(r"[\u3040-\u30ff\uac00-\ud7af]")
_CJK_SUBJECT = lazy(r"[がはも](?![\u3040-\u309f])|[이가은는]\s")
# Where the verb phrase starts in the stretch (what stands between a clause break and it is read).
_NEGATION = lazy(r"\b(?:wird|werden|ist|sind|lädt)\b|(?<![\w-])не\b|\b(?:n[aã]o|no|non|ne|n['’]est)\b|読み込|ロード|로드|yüklen"
                 r"|không|掉了|没了|失效|丢了", _I)
_FOLLOWING = 2  # the lines after the claim read for the failure said to be over
_NVIDIA = ("nvidia", "英伟达", "n卡", "显卡")
_NEEDLES = ("geladen", "lädt", "загруж", "подгруж", "carreg", "carga", "caric", "charg", "読み込", "ロード", "로드",
            "yüklen", "nạp", "load được", "掉了", "没了", "失效", "丢了")


def _told(line: str, m: re.Match) -> bool:
    """Is ``m`` a person's claim that the NVIDIA driver does not load now: one subject (the driver or
    module) up to the negation, no condition, question, fix, nouveau or other module around it?"""
    said = sentence_around(line, m.start(), m.end())
    if "?" in said or "？" in said or "nouveau" in said.lower() or _FIXED.search(said) or _OTHER_MODULE.search(said) \
            or _OTHER_DEVICE.search(said):
        return False
    stretch = m.group(0)
    if _OTHER_SUBJECT.search(stretch):
        return False
    breaks = list(_BREAK.finditer(stretch))
    if breaks:
        rest = _NEGATION.split(stretch[breaks[-1].end():])[0]
        # Japanese and Korean set off a time or a reason with a comma too ("ドライバが、カーネル更新後に
        # 読み込まれない"); a new subject there has its particle ("…ですが、モデルが…", "…인데, 모델이…").
        if _CJK_SUBJECT.search(rest) if _KANA_HANGUL.search(stretch) else not _ADVERBS_ONLY.match(rest):
            return False
    before = line[clause_start(line, m.start(), ".!?;。！？"):m.start()]
    return not (_CONDITION_BEFORE.search(before) or _CONDITION_AFTER.match(line, m.end()) or _CONDITION_IN.search(stretch))


def _said(line: str):
    if len(line) > 2000:
        return None
    return next((m for m in _NOT_LOADING.finditer(line) if _told(line, m)), None)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    if not doc.lines_containing("nvidia", "英伟达", "n卡", ignorecase=True):
        return f
    for i, m in doc.where(_said, *_NEEDLES, ignorecase=True):
        near = " ".join(doc.lines[max(0, i - 2):i + 1]).lower()
        if not any(w in near for w in _NVIDIA):
            continue
        after = " ".join([doc.lines[i][m.end():m.end() + 300], *doc.lines[i + 1:i + 1 + _FOLLOWING]])
        if _FIXED.search(after) or working_after(doc.lines, i, m.start()):
            continue  # the failure said to be over ("… wird nicht geladen. Nach der Neuinstallation funktioniert es wieder.")
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: the NVIDIA driver does not load ({m.group(0).strip()[:60]}, line {i + 1})")
        break
    return f
