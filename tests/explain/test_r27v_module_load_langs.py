"""Round 27 v: the NVIDIA module said not to load in other languages (module_load_langs):
German, Russian, Portuguese, Spanish, French, Italian, Japanese, Korean, Turkish, Vietnamese, and the
Chinese idiom "显卡驱动掉了". Texts written for the test, with the near-misses: nouveau as the
subject (the blacklist worked), another module, a question, the failure said to be over, a driver
not installed (no loading said), a driver that loads.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NOT_LOADED = "driver_kernel_module_not_loaded"


@pytest.mark.parametrize("text", [
    "Nach dem Kernel-Update funktioniert nvidia-smi nicht mehr, das Modul nvidia wird nicht geladen.",
    "Der NVIDIA-Treiber lädt nicht mehr seit dem Update auf 6.8.",
    "После обновления ядра драйвер nvidia не загружается, nvidia-smi не работает.",
    "Depois de atualizar o kernel, o driver da NVIDIA não carrega mais.",
    "Después de actualizar el kernel, el módulo nvidia no se carga.",
    "Après la mise à jour du noyau, le module nvidia ne se charge plus.",
    "Dopo l'aggiornamento del kernel il modulo nvidia non viene caricato.",
    "カーネルを更新したら nvidia のドライバが読み込まれなくなりました。",
    "커널 업데이트 후 nvidia 드라이버가 로드되지 않습니다.",
    "Çekirdek güncellemesinden sonra nvidia sürücüsü yüklenmiyor.",
    "Sau khi cập nhật kernel, driver nvidia không được nạp.",
    "服务器重启之后显卡驱动掉了，nvidia-smi 报错。",
    "ubuntu 自动更新内核以后 nvidia 驱动又掉了",
])
def test_module_not_loading_said(text):
    assert NOT_LOADED in findings(text)


@pytest.mark.parametrize("text", [
    "Das Modul nouveau wird nicht mehr geladen, der nvidia-Treiber läuft jetzt.",
    "nvidia-smi geht, aber das Modul vboxdrv wird nicht geladen.",
    "Wird das nvidia Modul nicht geladen?",
    "El módulo nvidia no se carga después de actualizar el kernel? No estoy seguro.",
    "Der nvidia Treiber wurde nicht geladen, nach Neuinstallation funktioniert wieder alles.",
    "显卡驱动掉了的问题已经解决了，nvidia-smi 正常。",
    "le pilote nvidia n'est pas installé sur cette machine",
    "O driver da NVIDIA carrega normalmente e o nvidia-smi funciona.",
    "нвидиа: драйвер загружен, nvidia-smi работает",
])
def test_module_not_loading_near_misses(text):
    assert NOT_LOADED not in findings(text)
