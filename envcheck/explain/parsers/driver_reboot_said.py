"""A person saying the GPU stayed unreachable after the NVIDIA driver (or CUDA with its driver) was
freshly installed, until a reboot: "I needed to reboot my system after installing CUDA before the command
would list my GPUs", "nvidia-smi didn't work until I rebooted after installing the driver", "I installed
the driver but haven't rebooted yet", "forgot to reboot after installing the nvidia driver",
"安装驱动后需要重启才能识别显卡", "ドライバをインストールした後、再起動するまで認識されなかった",
"nach der Treiberinstallation musste ich neu starten, damit nvidia-smi funktioniert", "tuve que reiniciar
después de instalar el driver para que nvidia-smi funcionara", "после установки драйвера пришлось
перезагрузиться, чтобы nvidia-smi заработал", "드라이버 설치 후 재부팅해야 nvidia-smi가 됐다".

A freshly installed driver's kernel module is loaded at the next boot (NVIDIA's driver README, "Installing
the driver": the installer loads it only when nothing holds the GPU; distribution packages leave it to
the boot, nouveau holding the GPU until then): nvidia-smi's "couldn't communicate with the NVIDIA driver"
until the reboot is the module not loaded. Claimed (rank ``STATED``) as ``driver.modules_not_loaded =
("nvidia",)``, which ``driver_kernel_module_not_loaded`` reads as likely.

Not this: an UPDATE or upgrade of a driver already loaded (the old module meets the new libraries:
``nvml_driver_library_mismatch``, driver_update_prose's), so a sentence saying update/upgrade/a new version,
or a paste naming a version mismatch, claims nothing here. Neither does advice or a condition ("you need
to reboot after installing the driver", "make sure to reboot"), a question, a routine reboot with no
failure told ("I installed the driver and rebooted, nvidia-smi shows the GPU"), or another machine.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.messages import STATED_DETAIL
from envcheck.explain.partial import STATED, Found
from envcheck.explain.said_elsewhere import said_elsewhere
from envcheck.explain.sentences import asked, clause_start, working_after
from envcheck.explain.source import Pasted
from envcheck.facts import REBOOT_LOADED_MODULE
from envcheck.lazyre import lazy

SOURCE = "statements about a fresh driver install"
_I = re.IGNORECASE

_GAP = r"(?:[^.;!?\n]|\.(?=\w))"
_INSTALL = (r"(?:after|since|following)\s+(?:(?:i\s+|we\s+)?(?:install(?:ing|ed)?|setting\s+up)\s+(?:the\s+|my\s+|our\s+)?"
            r"(?:nvidia\s+)?(?:gpu\s+|graphics\s+|display\s+)?(?:drivers?|cuda(?:\s+toolkit)?|cuda-drivers|nvidia-driver[\w-]*)\b"
            # the noun: "after the driver install", "following the driver installation"
            r"|(?:the\s+|my\s+)?(?:nvidia\s+)?(?:drivers?|cuda(?:\s+toolkit)?)\s+install(?:ation)?\b)")
_REBOOT = r"(?:reboot|restart)(?:ed|ing)?(?:\s+(?:my|the|our)\s+(?:system|machine|computer|pc|server|laptop|box))?"
_SEE = (r"(?:work|list|show|detect|recogni[sz]e|see|find|display|communicate|run|load)\w*")
_SAID = lazy(
    # "I needed to reboot my system after installing CUDA before the command would list my GPUs"
    rf"\b(?:i|we)\s+(?:needed|had|have|need|must)\s+to\s+{_REBOOT}\s+{_INSTALL}{_GAP}{{0,60}}?\b(?:before|until|for|so\s+that|to\s+get|"
    rf"in\s+order\s+for)\b{_GAP}{{0,40}}?\b(?:would|could|to|will|was\s+able\s+to|did)?\s*{_SEE}"
    # "nvidia-smi didn't work / wouldn't list my GPUs until I rebooted (after installing the driver)"
    r"|\b(?:nvidia-smi|the\s+gpus?|my\s+gpus?|cuda|torch|the\s+driver|it)\b[^.;!?\n]{0,40}?\b(?:did\s*n[o']?t|did\s+not|would\s*n[o']?t"
    r"|would\s+not|could\s*n[o']?t|could\s+not|was\s*n[o']?t|was\s+not|failed\s+to)\s+"
    rf"{_SEE}[^.;!?\n]{{0,40}}?\buntil\s+(?:i\s+|we\s+|a\s+)?(?:reboot|restart)(?:ed)?\b"
    # "I installed the driver but haven't rebooted yet", "forgot to reboot after installing the nvidia driver"
    r"|\b(?:i|we)\s+(?:just\s+)?install(?:ed)?\s+(?:the\s+|my\s+)?(?:nvidia\s+)?(?:drivers?|cuda(?:\s+toolkit)?|cuda-drivers|nvidia-driver[\w-]*)"
    r"\b[^.;!?\n]{0,40}?\b(?:but|and)\s+(?:i\s+|we\s+)?(?:have\s*n[o']?t|have\s+not|did\s*n[o']?t|did\s+not)\s+(?:yet\s+)?"
    r"(?:reboot|restart)(?:ed)?\b"
    rf"|\b(?:i|we)\s+forgot\s+to\s+{_REBOOT}\s+{_INSTALL}"
    # "I had to restart my PC after the driver install for the GPU to show up in nvidia-smi"
    rf"|\b(?:i|we)\s+(?:needed|had|have|need|must)\s+to\s+(?:reboot|restart)(?:\s+(?:my|the|our)\s+(?:system|machine|computer|pc|server|"
    rf"laptop|box))?\s+{_INSTALL}{_GAP}{{0,20}}?\bfor\s+(?:the\s+|my\s+)?(?:gpus?|nvidia-smi|cuda|driver|card)\b{_GAP}{{0,20}}?\bto\s+"
    r"(?:show\s+up|appear|be\s+(?:detected|recogni[sz]ed|listed|found)|work)"
    # "nvidia-smi only worked after a reboot following the driver installation"
    r"|\b(?:nvidia-smi|the\s+gpus?|my\s+gpus?|cuda|it)\b[^.;!?\n]{0,20}?\bonly\s+(?:worked|started\s+working|showed\s+up|appeared|"
    rf"(?:was|were)\s+(?:detected|listed|recogni[sz]ed))\s+(?:after|once)\s+(?:a\s+|i\s+|we\s+)?(?:reboot|restart)(?:ed|ing)?\b"
    rf"{_GAP}{{0,12}}?\b{_INSTALL}"
    # "The nvidia driver installed fine but I haven't restarted yet; nvidia-smi fails"
    r"|\b(?:nvidia\s+)?(?:drivers?|cuda(?:\s+toolkit)?)\s+(?:was\s+|got\s+)?installed\s+(?:fine\s+|successfully\s+|ok\s+)?,?\s*but\s+"
    r"(?:i\s+|we\s+)?(?:have\s*n[o']?t|have\s+not|did\s*n[o']?t|did\s+not)\s+(?:yet\s+)?(?:reboot|restart)(?:ed)?\b", _I)
_SAID_LANGS = lazy(
    # zh: "安装驱动后需要重启才能识别", "装完驱动重启之后才能用", "装了驱动还没重启"
    r"(?:安装|装完|装了|装好)(?:了)?\s*(?:nvidia\s*|NVIDIA\s*)?(?:显卡)?(?:驱动|CUDA|cuda)[^。！？\n]{0,12}?(?:需要|要|得|必须)?重启"
    r"(?:一下|电脑|系统|机器)?(?:之后|以后|后)?才(?:能|可以|会)"
    r"|(?:安装|装了)(?:了)?\s*(?:nvidia\s*|NVIDIA\s*)?(?:显卡)?驱动[^。！？\n]{0,8}?(?:还)?(?:没有|没|未)(?:有)?重启"
    # "装完驱动之后 nvidia-smi 报错，重启以后就好了": a failure right after the install, gone after the reboot
    r"|(?:安装|装完|装了|装好)(?:了)?\s*(?:nvidia\s*|NVIDIA\s*)?(?:显卡)?驱动[^。！？\n]{0,24}?(?:报错|不能用|用不了|失败|找不到|识别不到|没反应)"
    r"[^。！？\n]{0,6}?重启(?:一下|电脑|系统)?(?:以后|之后|后)?(?:就)?(?:好了|正常了|可以了|能用了|识别了)"
    # ja: "ドライバをインストールした後、再起動するまで認識されなかった", "再起動しないと nvidia-smi が動かなかった"
    r"|(?:ドライバ|ドライバー|CUDA)[^。！？\n]{0,12}?インストール[^。！？\n]{0,12}?再起動(?:する|した)?(?:まで|しないと|しなければ)"
    # de: "nach der (Treiber)installation musste ich neu starten, damit …"
    r"|\bnach\s+(?:der|dem)\s+(?:\w+\s+)?(?:treiber)?(?:installation|installieren)\b[^.;!?\n]{0,40}?\b(?:musste|muss)\s+(?:ich|man)\s+"
    r"(?:\w+\s+)?neu\s*(?:starten|booten)\b[^.;!?\n]{0,10}?\b(?:damit|bevor|bis)\b"
    # es / pt: "tuve que reiniciar después de instalar el driver para que …", "tive que reiniciar depois de instalar o driver para …"
    r"|\b(?:tuve|tuvimos|tive|tivemos|precisei)\s+(?:que|de)\s+reiniciar\b[^.;!?\n]{0,20}?\b(?:despu[eé]s\s+de|tras|depois\s+de|após)\s+"
    r"instalar\s+(?:el|los|o|os)\s+(?:driver|drivers|controlador(?:es)?|cuda)\b[^.;!?\n]{0,30}?\bpara\s+(?:que|o|a|poder)\b"
    # ru: "после установки драйвера пришлось перезагрузиться, чтобы …"
    r"|после\s+установки\s+(?:драйвер\w*|cuda)[^.;!?\n]{0,20}?(?:пришлось|нужно\s+было|надо\s+было)\s+(?:\w+\s+)?перезагру\w*"
    r"[^.;!?\n]{0,10}?(?:чтобы|прежде|пока)"
    # ko: "드라이버 설치 후 재부팅해야 … 됐다", "재부팅하기 전까지 인식이 안"
    r"|(?:드라이버|CUDA)\s*설치\s*(?:후|하고|한\s*뒤)[^.!?\n]{0,12}?재부팅(?:을\s*)?(?:해야|하기\s*전까지|하고\s*나서야|하니까)", _I)
_WORDS = ("reboot", "restart", "重启", "再起動", "neu start", "neustart", "neu boot", "reinici", "перезагру", "재부팅")
# An update/upgrade of a loaded driver is the mismatch; "a newer version", "over the old driver" too.
_UPDATE = lazy(r"\b(?:updat\w*|upgrad\w*|newer|new\s+version|over\s+the\s+(?:old|existing|previous)|reinstall\w*|mismatch)\b"
               r"|更新|升级|アップデート|アップグレード|aktualisier\w*|actualiz\w*|atualiz\w*|обновл\w*|업데이트|업그레이드", _I)
# "The installer said I need to restart …": advice reported (review of round 28, ra).
_ADVICE = lazy(r"\b(?:you|one|users?|if|whether|unless|should|make\s+sure|remember|don'?t\s+forget|please|recommend\w*|suggest\w*"
               r"|says?|said|tells?|told|warns?|warned|prompts?|prompted|asks?|asked|laut|according)\b"
               # a guide or its words quoted: "教程里说：…", "マニュアルによると", "Laut Anleitung: …"
               r"|如果|もし|만약|wenn|falls|si\s|если|教程|文档|说明书|手册|据说|说[：:]|マニュアル|によると|によれば|anleitung", _I)
# Said of anyone: German "muss man neu starten" (one must restart), "one has to reboot".
_GENERIC = lazy(r"\b(?:muss|musste|müssen)\s+man\b|\bone\s+(?:has|needs|must)\b", _I)


# The forms that tell no failure, only a reboot not yet done ("installed the driver but haven't rebooted yet",
# "forgot to reboot", "装了驱动还没重启"): the machine said to work after it ("…, training works fine",
# "didn't reboot because it wasn't needed: nvidia-smi worked right away") makes them no claim (review of
# round 28, ra). The forms that tell the failure until the reboot keep it: the reboot is their fix.
_NOT_REBOOTED = lazy(r"(?:n[o']?t|\bnot|\bnever|\bforgot\s+to)\s+(?:yet\s+)?(?:reboot|restart)|(?:没有|没|未)(?:有)?重启", _I)
_WORKED_ANYWAY = lazy(r"\b(?:worked|works|working|ran|runs|shows?|showed|lists?|listed|sees|saw|detect(?:s|ed))\s+"
                      r"(?:right\s+away|immediately|straight\s+away|without\s+(?:a\s+|the\s+)?(?:reboot|restart))"
                      r"|\b(?:was|is)\s*n[o']?t\s+needed\b|\bnot\s+needed\b|\bno\s+(?:reboot|restart)\s+(?:was\s+)?needed\b"
                      # zh/ja/de/es/pt: "一切正常", "没问题", "問題なく動いて", "funktioniert trotzdem", "funciona bien"
                      r"|一切正常|没问题|没有问题|正常(?:工作|运行|使用|识别)|問題なく|正常に動|\bfunktioniert\s+(?:trotzdem|problemlos"
                      r"|einwandfrei)|\bfunciona\s+(?:bien|normalmente|sin\s+problemas|sem\s+problemas)", _I)


def _find(doc: Pasted) -> Optional[Tuple[int, "re.Match[str]"]]:
    if doc.lines_containing("version mismatch", "driver/library"):
        return None  # the reboot then is the mismatch's, not a fresh module's
    for i in doc.lines_containing(*_WORDS):
        line = doc.lines[i]
        if len(line) > 2000 or line.lstrip().startswith(("$", "#", "[")):
            continue
        m = _SAID.search(line) or _SAID_LANGS.search(line)
        if not m:
            continue
        start = clause_start(line, m.start(), ".!?;。！？")
        sentence_end = min((p for p in (line.find(c, m.end()) for c in ".!?;。！？") if p >= 0), default=len(line))
        if (_UPDATE.search(line[start:sentence_end]) or asked(line, m.end(), clause=False)
                or _ADVICE.search(line[start:m.start()]) or _GENERIC.search(m.group(0))
                or said_elsewhere(line, m.start(), m.end())):
            continue
        if _NOT_REBOOTED.search(m.group(0)) and (working_after(doc.lines, i, m.start())
                                                 or _WORKED_ANYWAY.search("\n".join([line[m.end():], *doc.lines[i + 1:i + 3]]))):
            continue
        return i, m
    return None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    found = _find(doc)
    if found is not None:
        i, m = found
        line = doc.lines[i]
        if _NOT_REBOOTED.search(m.group(0)):
            how = "and the machine has not been rebooted since, so its module is not loaded"
        else:
            how = REBOOT_LOADED_MODULE
        f.set("driver.modules_not_loaded", ("nvidia",), i, rank=STATED,
              detail=f"{STATED_DETAIL}: the GPU was unreachable after a fresh driver install {how} "
                     f"(line {i + 1}: {line.strip()[:70]})")
    return f
