"""A person saying the NVIDIA module's build (DKMS, akmods) broke or failed for a kernel, in English and
other languages, as strangers put it in one line: "The new update to the kernel 6.6.1 break the DKMS build",
"nvidia-dkms fails to build on linux 7.1", "the nvidia module doesn't compile against kernel 6.8",
"Kernel 6.15 broke the nvidia dkms module", "DKMS-Build schlägt nach dem Kernel-Update fehl",
"el módulo dkms de nvidia no compila con el kernel 6.6", "o dkms da nvidia falha ao compilar",
"la compilation du module nvidia échoue", "dkms не собирает модуль nvidia", "DKMS のビルドに失敗",
"DKMS 빌드 실패", "内核更新后 DKMS 编译失败".

What the builders print is catalogued (dkms's "Bad return status for module build on kernel", its
autoinstall summary, Void's "Building DKMS module … FAILED!", akmods' "[FAILED]"); this is the retelling.
No NVIDIA module exists for that kernel (``driver_kernel_module_not_loaded``'s usual cause): claimed (rank
``STATED``) as ``driver.modules_not_loaded = ("nvidia",)``, read as likely.

module_absent_prose reads English "dkms … failed" where NVIDIA is named beside it; this reader adds the
verbs it lacks (break/broke, doesn't compile, won't build), the other languages, and a DKMS or akmods
build said broken *for a kernel* in a paste that names no other module: a paste sent to a GPU diagnosis
with a DKMS build broken by a kernel update is the NVIDIA module's unless it says otherwise (VirtualBox,
ZFS, Wi-Fi, v4l2loopback … named within two lines claim nothing). A question, a denial ("DKMS builds
fine", "did not fail"), a condition or advice ("if DKMS fails to build …"), or the failure said over in
the sentence or the next two lines ("…, 525.147 fixed it") claims nothing.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.parsers.module_load_langs import _FIXED as _FIXED_LANGS
from envcheck.explain.parsers.module_load_langs import _OTHER_DEVICE
from envcheck.explain.partial import STATED, Found
from envcheck.explain.said_elsewhere import said_elsewhere
from envcheck.explain.sentences import asked, clause_start, working_after
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "statements about the kernel module's build"
_I = re.IGNORECASE

# The builders (dkms, akmods; the packages that run them: nvidia-dkms-535, nvidia580-dkms, akmod-nvidia).
_BUILDER = r"(?:(?:nvidia[\w.-]{0,12}-)?dkms|akmods?(?:-nvidia)?|kmod-nvidia)"
_NV_MODULE = r"(?:nvidia(?:[\s-](?:kernel\s+)?(?:driver|module|modules|kmod|dkms))?|(?:the\s+)?nvidia-open)"
_KERNEL = r"(?:kernel|linux(?:[\s-]?(?:zen|lts|\d))|\d+\.\d+(?:\.\d+)?(?:[\w.+~-]*)?)"
_FAILS_EN = (r"(?:fail(?:s|ed|ing)?(?:\s+to\s+(?:build|compile|install))?|(?:does|did|do|would|will|wo|ca)\s*(?:n[o']?t|not)\s+"
             r"(?:build|compile)|can(?:not|'t)\s+(?:be\s+)?(?:build|built|compiled?)|(?:is|was|are|were)\s*(?:n[o']t|not)\s+"
             r"(?:building|compiling|built|compiled)|(?:(?:is|got|gets|was)\s+)?broken|breaks|broke|errors?\s+out|errored"
             # the noun: "DKMS module build failure on kernel 6.15.2", "nvidia-dkms build error with linux 6.17"
             r"|(?:build\s+)?(?:failure|error)s?)")
_SAID_EN = lazy(
    # "the kernel update breaks the DKMS build", "The new update to the kernel 6.6.1 break the DKMS build", "Kernel 6.15 broke nvidia-dkms"
    rf"\b(?:{_KERNEL}|update|upgrade)\b[^.;!?\n]{{0,50}}?\b(?:break|breaks|broke|breaking|has\s+broken|have\s+broken)\s+"
    rf"(?:the\s+|my\s+)?(?:nvidia\s+)?{_BUILDER}\b"
    rf"|\b(?:break|breaks|broke|breaking)\s+(?:the\s+)?(?:nvidia\s+)?{_BUILDER}\s+(?:build|module|modules|install)"
    # "nvidia-dkms fails to build on linux 7.1", "the DKMS build is broken with kernel 6.6", "dkms module fails to build on 6.2.1"
    rf"|\b(?:{_NV_MODULE}\s+)?{_BUILDER}(?:\s+(?:build|builds|module|modules|package|install)){{0,2}}\s+{_FAILS_EN}\b"
    rf"[^.;!?\n]{{0,40}}?\b(?:on|with|for|against|after|under|since|in)\s+(?:the\s+|my\s+|a\s+)?(?:new(?:er|est)?\s+|latest\s+|updated\s+)?"
    rf"(?:[\w-]+\s+)?{_KERNEL}"
    # the NVIDIA module (not the builder) said not to build for a kernel: "the nvidia module doesn't compile against kernel 6.8"
    rf"|\b{_NV_MODULE}\s+(?:\d{{3}}(?:\.\d+)*\s+)?{_FAILS_EN}\b[^.;!?\n]{{0,30}}?\b(?:on|with|for|against|after|under)\s+"
    rf"(?:the\s+|my\s+|a\s+)?(?:new(?:er|est)?\s+|latest\s+|updated\s+)?{_KERNEL}", _I)
# Other languages: the builder (dkms, akmods) failing, or the NVIDIA module not compiling; "nvidia-smi falla"
# (nvidia-smi fails) is no build, so NVIDIA as the subject needs a verb of building.
_B = r"(?:dkms|akmods?)[\w-]*"
_N = r"(?:dkms|akmods?|nvidia)[\w-]*"
_SAID_LANGS = lazy(
    # de: "der DKMS-Build schlägt fehl", "das nvidia-Modul lässt sich nicht (mehr) bauen/kompilieren", "dkms … fehlgeschlagen"
    rf"\b{_B}\b[^.;!?\n]{{0,50}}?(?:\bschlägt\b[^.;!?\n]{{0,30}}?\bfehl\b|\bfehlgeschlagen\b)"
    rf"|\bschlägt\b[^.;!?\n]{{0,40}}?\b{_B}\b[^.;!?\n]{{0,40}}?\bfehl\b"
    rf"|\b{_N}\b[^.;!?\n]{{0,50}}?\blässt\s+sich\s+(?:\w+\s+){{0,3}}?nicht\s+(?:mehr\s+)?(?:bauen|kompilieren|übersetzen)\b"
    # es / pt: "dkms falla al compilar", "el módulo de nvidia no compila", "o dkms da nvidia falha ao compilar"
    rf"|\b{_B}\b[^.;!?\n]{{0,40}}?\b(?:falla|fall[oó]|falha|falhou)\b"
    rf"|\b{_N}\b[^.;!?\n]{{0,40}}?\b(?:no\s+(?:se\s+)?compila|não\s+(?:se\s+)?compila|(?:falla|fall[oó]|falha|falhou)\s+ao?l?\s+compilar)\b"
    r"|\berror\s+al\s+compilar\s+(?:el\s+)?m[oó]dulo\b[^.;!?\n]{0,20}?\b(?:dkms|nvidia)\b|\berro\s+ao\s+compilar\b[^.;!?\n]{0,30}?\b(?:dkms|nvidia)\b"
    # fr: "dkms échoue", "le module nvidia ne compile plus", "la compilation du module nvidia échoue"
    rf"|\b{_B}\b[^.;!?\n]{{0,40}}?\béchou\w*|\b{_N}\b[^.;!?\n]{{0,40}}?\bne\s+(?:se\s+)?compile\s+(?:plus|pas)\b"
    r"|\bcompilation\b[^.;!?\n]{0,20}?\b(?:dkms|nvidia)\b[^.;!?\n]{0,30}?\béchou\w*"
    # ru: "dkms не собирает модуль", "модуль nvidia не собирается", "сборка dkms не удалась / падает / завершилась ошибкой"
    rf"|\b{_N}[^.;!?\n]{{0,40}}?\bне\s+(?:может\s+)?(?:собира\w*|собра\w*|компилир\w*|скомпилир\w*)"
    r"|сборк\w*[^.;!?\n]{0,20}?\b(?:dkms|nvidia)\b[^.;!?\n]{0,30}?(?:\bне\s+удал\w*|\bпада\w*|\bзаверш\w*\s+ошибк\w*|\bсломал\w*)"
    # ja: "DKMS のビルドに失敗", "nvidia モジュールのビルドが失敗", "DKMS でコンパイルできない"
    r"|(?:dkms|akmods?|nvidia)[^。！？\n]{0,20}?(?:ビルド|コンパイル|構築)(?:に|が)?(?:失敗|できな|できませ|通らな)"
    # ko: "DKMS 빌드 실패", "nvidia 모듈 빌드에 실패", "컴파일이 안 됩니다"
    r"|(?:dkms|akmods?|nvidia)[^.!?\n]{0,20}?(?:빌드|컴파일)(?:가|이|에|를)?\s*(?:실패|안\s*(?:됩|돼|되))"
    # zh: "DKMS 编译失败", "nvidia 模块编译不了", "dkms 构建出错"
    r"|(?:dkms|akmods?|nvidia)[^。！？\n]{0,20}?(?:编译|構建|构建|編譯)(?:失败|失敗|不了|出错|出錯|报错|不通过)", _I)
_VERSION = lazy(r"\b\d+\.\d+")
_WORDS = ("dkms", "akmod", "kmod-nvidia", "nvidia")
_FAIL_WORDS = ("fail", "n't", "not", "broke", "break", "cannot", "can't", "error", "schlägt", "fehlgeschlagen", "nicht",
               "falla", "falló", "fallo", "no ", "falha", "não", "erro", "échou", "ne ", "не ", "сборк", "失敗", "できな",
               "できませ", "通らな", "실패", "안", "失败", "不了", "出错", "出錯", "报错", "不通过")
# A builder or a verb of building: every pattern above holds one.
_BUILD_WORDS = ("dkms", "akmod", "kmod", "build", "built", "compil", "bauen", "übersetz", "собира", "собра", "сборк", "ビルド",
                "コンパイル", "構築", "빌드", "컴파일", "编译", "构建", "構建", "編譯")
# Another DKMS module named: its build is not the GPU's.
_OTHER_MODULE = lazy(r"\b(?:v4l2loopback|virtualbox|vbox\w*|zfs|spl|evdi|wireguard|rtl\w+|r8125|r8168|8821\w*|88x2\w*|broadcom|"
                     r"wl|amdgpu|rocm|xone|xpadneo|openrazer|ddcci|acpi_call|nvidia[-_]fs|gdrdrv|mlnx\w*|ofed|bbswitch|"
                     r"deepin-anything|hid-\w+|it87|nct6687\w*|tuxedo\w*|lg4ff|new-lg4ff|vmware|vmmon|displaylink|"
                     r"hp-wmi\w*|btusb|iwlwifi|mt76\w*)\b", _I)
# "DKMS builds fine", "it did not fail", "no DKMS errors": the failure denied or absent.
_DENIED = lazy(r"\b(?:not|never|no|without)\s+(?:\w+\s+)?(?:fail|error|problem|issue)|n't\s+(?:\w+\s+)?(?:fail|error)"
               r"|\b(?:builds?|built|compiles?|compiled)\s+(?:fine|ok|okay|successfully|without)|\bno\s+longer\b", _I)
_CONDITION = lazy(r"\b(?:if|whether|unless|when(?:ever)?|in\s+case|should|might|may|could|make\s+sure|check\s+(?:that|if|whether)"
                  r"|otherwise|prevent|avoid)\b|如果|もし|만약|falls|wenn|si\s|если", _I)


# A kernel or system log line ("[   13.55] nvidia: …", "Oct 14 07:35:56 host kernel: …") is a program's output.
_LOG_LINE = lazy(r"\s*\[\s*\d|\w{3}\s+\d{1,2}\s+\d\d:\d\d:\d\d\s|\d{4}-\d\d-\d\d[T ]\d\d:")


def _prose(doc: Pasted, i: int) -> bool:
    line = doc.lines[i]
    # a builder's own output line (dkms's "Error! …", akmods' rows, a prompt) is the catalogue's
    return (len(line) <= 2000 and not _LOG_LINE.match(line)
            and not line.lstrip().startswith(("Error!", "ERROR", "==>", "$", "#", "Building ", "DKMS module '", "[", "+ ")))


def _find(doc: Pasted) -> Optional[int]:
    named = bool(doc.lines_containing("nvidia"))
    words = set(doc.lines_containing(*_WORDS))  # a long log names nvidia on thousands of lines; few say building
    for i in doc.lines_containing(*_BUILD_WORDS):
        if i not in words:
            continue
        line = doc.lines[i]
        lo = line.lower()
        if not any(w in lo for w in _FAIL_WORDS) or not _prose(doc, i):
            continue
        m = _SAID_EN.search(line) or _SAID_LANGS.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        near = "\n".join(doc.lines[max(0, i - 2):i + 3])
        # the failure said over after it, in any language ("pero con el driver 550 ya funciona", "…直りました",
        # "всё заработало"; review of round 28, ra)
        rest = "\n".join([line[m.end():], *doc.lines[i + 1:i + 3]])
        # NVIDIA named in the paste, or a DKMS/akmods build broken for a kernel with no other module named
        kernel_said = "kernel" in lo or "linux" in lo or "内核" in line or "カーネル" in line or "커널" in line \
            or "ядр" in lo or "núcleo" in lo or bool(_VERSION.search(m.group(0)))
        if not named and not kernel_said:
            continue
        if (_OTHER_MODULE.search(near) or _DENIED.search(line[start:m.end() + 30])
                or asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.end()])
                or working_after(doc.lines, i, m.start()) or said_elsewhere(line, m.start(), m.end())
                or BUILT_AFTER.search(rest) or _FIXED_LANGS.search(rest) or _WORKS_AGAIN.search(rest)):
            continue
        return i
    return None


# The build said to succeed after the failure: "…, but after reinstalling the headers it built", "then the DKMS
# build succeeded", "now it compiles" (review of round 28, ra).
BUILT_AFTER = lazy(r"\b(?:it|dkms|akmods|the\s+(?:dkms\s+)?(?:build|module)|the\s+nvidia\s+module)\s+(?:then\s+|now\s+|finally\s+)?"
                    r"(?:built|builds|compiled|compiles|(?:was|got)\s+built|succeeded|installed\s+(?:fine|successfully|ok))\b"
                    r"(?!\s+(?:for\s+the\s+old|on\s+the\s+old))", _I)

# ------------------------------------------------------------------ a kernel update broke the driver, other languages
# module_absent_prose reads English and Chinese ("the nvidia driver stopped working after a kernel update",
# "内核更新后 nvidia 驱动用不了了"); these are the other languages, and a kernel named as breaking the driver
# ("linux 6.6 breaks nvidia 525"), and a kernel updated without the reboot that would load its module ("updated
# the kernel, but didn't reboot": the running kernel's modules are gone or not yet built on many distributions).
_NV = r"(?:nvidia|NVIDIA|Nvidia)"
_UPDATE_LANGS = lazy(
    # en: "linux 6.6 breaks nvidia 525", "kernel 6.8 broke the nvidia driver"
    rf"\b(?:linux|kernel)\s+\d+\.\d+(?:\.\d+)?[\w.+~-]*\s+(?:breaks|broke|has\s+broken)\s+(?:the\s+|my\s+)?{_NV}(?:\s+(?:drivers?|modules?|\d{{3}}))?\b"
    # de: "Nach dem Kernel-Update funktioniert/lädt/geht der NVIDIA-Treiber nicht mehr"
    rf"|\b(?:nach|seit)\s+(?:dem|einem)\s+(?:letzten\s+)?kernel[\s-]?(?:update|upgrade|aktualisierung)\b[^.;!?\n]{{0,50}}?(?:{_NV}|treiber)"
    r"[^.;!?\n]{0,30}?\bnicht\s+mehr\b"
    # es: "después de actualizar el kernel, el driver de nvidia dejó de funcionar / no funciona / ya no carga"
    r"|\b(?:despu[eé]s\s+de|tras)\s+(?:actualizar\s+el\s+(?:kernel|n[uú]cleo)|la\s+actualizaci[oó]n\s+del\s+(?:kernel|n[uú]cleo))\b"
    rf"[^.;!?\n]{{0,50}}?(?:{_NV}|driver|controlador)[^.;!?\n]{{0,30}}?\b(?:dej[oó]\s+de\s+funcionar|ya\s+no\s+(?:funciona|carga)|no\s+(?:funciona|carga))\b"
    # pt: "depois de atualizar o kernel o driver da nvidia parou de funcionar / não funciona mais"
    r"|\b(?:depois\s+de|ap[oó]s)\s+(?:atualizar\s+o\s+(?:kernel|n[uú]cleo)|a\s+atualiza[cç][aã]o\s+do\s+(?:kernel|n[uú]cleo))\b"
    rf"[^.;!?\n]{{0,50}}?(?:{_NV}|driver)[^.;!?\n]{{0,30}}?\b(?:parou\s+de\s+funcionar|n[aã]o\s+(?:funciona|carrega))"
    # fr: "après la mise à jour du noyau, le pilote nvidia ne fonctionne plus / ne se charge plus"
    r"|\bapr[eè]s\s+(?:la\s+)?mise\s+[aà]\s+jour\s+du\s+(?:noyau|kernel)\b"
    rf"[^.;!?\n]{{0,50}}?(?:{_NV}|pilote|driver)[^.;!?\n]{{0,30}}?\bne\s+(?:fonctionne|marche|se\s+charge|charge)\s+plus\b"
    # ru: "после обновления ядра драйвер nvidia перестал работать / не работает / слетел / не загружается"
    rf"|после\s+обновлени\w+\s+ядра[^.;!?\n]{{0,50}}?(?:{_NV}|драйвер)[^.;!?\n]{{0,30}}?(?:перестал\w*\s+работать|не\s+работает|слетел\w*"
    r"|не\s+загружа\w*|отвалил\w*)"
    # ja: "カーネルをアップデートしたら nvidia のドライバが動かなくなった"
    rf"|カーネル[^。！？\n]{{0,6}}?(?:アップデート|更新|アップグレード)[^。！？\n]{{0,10}}?(?:したら|した後|後|してから)[^。！？\n]{{0,30}}?"
    rf"(?:{_NV}|ドライバ)[^。！？\n]{{0,20}}?(?:動かなくなった|動かない|動作しない|使えなくなった|認識しなくなった|読み込まれない|ロードされない)"
    # ko: "커널 업데이트 후 nvidia 드라이버가 작동하지 않습니다"
    rf"|커널\s*(?:업데이트|업그레이드)\s*(?:후|이후|하고\s*나서|한\s*뒤)[^.!?\n]{{0,30}}?(?:{_NV}|드라이버)[^.!?\n]{{0,20}}?"
    r"(?:작동하지|작동\s*안|안\s*(?:됨|돼|됩니다)|인식(?:이)?\s*안|로드되지)"
    # en: "updated the kernel, but didn't reboot", "I upgraded the kernel and haven't rebooted yet"
    r"|\b(?:updated|upgraded)\s+(?:the|my|our)\s+kernel\b,?\s+(?:but|and)\s+(?:i\s+|we\s+)?(?:did\s*n[o']?t|did\s+not|have\s*n[o']?t"
    r"|have\s+not|had\s*n[o']?t|never)\s+(?:yet\s+)?(?:reboot|restart)(?:ed)?\b", _I)
# "ya funciona", "já funciona", "marche à nouveau", "работает": said after it, the trouble is over.
_WORKS_AGAIN = lazy(r"\b(?:ya\s+funciona|j[aá]\s+funciona|funciona\s+(?:bien|normalmente)|marche\s+(?:à|de)\s+nouveau|remarche"
                    r"|fonctionne\s+(?:bien|correctement)|funktioniert\s+(?:jetzt|alles|wieder)|(?:läuft|lief)\s+(?:jetzt\s+)?(?:alles\s+)?wieder)\b|заработал\w*|動くようになった|直りました|直ります|작동합니다", _I)
_UPDATE_WORDS = ("kernel", "linux", "noyau", "núcleo", "nucleo", "ядра", "カーネル", "커널")


# The words of an update or a break, as substrings first: a kernel log's every line says "kernel".
_CHANGE_WORDS = ("updat", "upgrad", "aktualis", "actualiz", "atualiz", "mise à jour", "mise a jour", "обновлени", "アップデート",
                 "更新", "アップグレード", "업데이트", "업그레이드", "break", "broke")


def _kernel_update(doc: Pasted) -> Optional[int]:
    for i in doc.lines_containing(*_UPDATE_WORDS):
        line = doc.lines[i]
        lo = line.lower()
        if len(line) > 2000 or not any(w in lo for w in _CHANGE_WORDS) or _LOG_LINE.match(line):
            continue
        m = _UPDATE_LANGS.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        rest = "\n".join([line[m.end():], *doc.lines[i + 1:i + 2]])
        # another device's driver (WLAN, audio …) is what broke; the failure said over afterwards, in any language
        if (asked(line, m.end(), clause=False) or _CONDITION.search(line[start:m.start()])
                or _OTHER_DEVICE.search(m.group(0)) or _FIXED_LANGS.search(rest) or _WORKS_AGAIN.search(rest)
                or working_after(doc.lines, i, m.end()) or said_elsewhere(line, m.start(), m.end())):
            continue
        return i
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    i = _find(doc) if doc.lines_containing("dkms", "akmod", "kmod-nvidia", "nvidia") else None
    # "the driver" after a kernel update is the GPU's where the paste names NVIDIA, CUDA or a GPU
    if i is None and doc.lines_containing("nvidia", "cuda", "gpu"):
        i = _kernel_update(doc)
    if i is not None:
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: the NVIDIA module was not built or not loaded for a new kernel (line {i + 1}: "
                     f"{doc.lines[i].strip()[:70]})")
    return f
