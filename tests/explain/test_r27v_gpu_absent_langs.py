"""Round 27 v: a person saying the machine has no NVIDIA GPU in Russian, Japanese, Turkish,
Vietnamese and Italian (gpu_absent_prose; prose_state reads English, German, Spanish, Portuguese,
French, Korean, Chinese). Texts written for the test, with the near-misses: a question, a
condition, a GPU model named, a fix said after it.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

NO_GPU = "no_nvidia_gpu_found"
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")


@pytest.mark.parametrize("said", [
    "У меня нет видеокарты nvidia, только встроенная.",
    "Ноутбук без дискретной видеокарты nvidia.",
    "NVIDIAのGPUは搭載していません。",
    "このPCにはNVIDIAのグラボがない。",
    "Bilgisayarımda NVIDIA ekran kartı yok.",
    "Máy tôi không có card NVIDIA.",
    "Non ho una scheda video NVIDIA, solo la grafica integrata.",
])
def test_no_nvidia_gpu_said(said):
    assert NO_GPU in findings(said + "\n" + NO_DRIVER)


@pytest.mark.parametrize("said", [
    "Если нет видеокарты nvidia, можно запустить на CPU?",
    "もしNVIDIAのGPUがない場合はどうすればいいですか？",
    "Eğer NVIDIA ekran kartı yok ise CPU kullanılabilir mi?",
    "Nếu không có card NVIDIA thì chạy bằng CPU được không?",
    "У меня нет видеокарты nvidia? Нет, у меня RTX 3060.",
    "Non ho una scheda video NVIDIA? Ho una RTX 4090.",
])
def test_no_nvidia_gpu_near_misses(said):
    assert NO_GPU not in findings(said + "\n" + NO_DRIVER)
