"""Round 25 c: the same container classes said in other languages (ja, ko, es, de, zh): the NVIDIA Container
Toolkit said not installed beside a container without the GPU (container_runtime_prose), "only the CPU"
beside other containers getting the GPU (container_others), a running container losing the GPU after days
(container_lost_prose). Texts written for the test, each with near-misses: the toolkit said installed, a
denial, a question, another trigger.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

TOOLKIT = "nvidia_container_toolkit_missing"
FLAG = "container_missing_gpus_flag"
LOST = "container_gpu_lost_after_daemon_reload"


@pytest.mark.parametrize("text, fid", [
    ("Docker で GPU が使えません。nvidia-container-toolkit をインストールしていませんでした。", TOOLKIT),
    ("도커 컨테이너에서 GPU 인식이 안 됩니다. nvidia-container-toolkit 을 설치하지 않았습니다.", TOOLKIT),
    ("El contenedor no detecta la GPU. No tengo instalado nvidia-container-toolkit.", TOOLKIT),
    ("Im Container wird die GPU nicht erkannt. Das nvidia-container-toolkit ist nicht installiert.", TOOLKIT),
    ("Ollama 在 docker 里只用 CPU，很慢。其他容器都能正常使用GPU。", FLAG),
    ("容器运行几天后 nvidia-smi 报错，重启容器就好了。", LOST),
])
def test_said_in_other_languages(text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("text, fid", [
    ("nvidia-container-toolkit をインストールしましたが、Docker で GPU が使えません。", TOOLKIT),
    ("El contenedor no detecta la GPU aunque nvidia-container-toolkit está instalado.", TOOLKIT),
    ("Das nvidia-container-toolkit ist installiert, aber im Container wird die GPU nicht erkannt.", TOOLKIT),
    ("Ollama 在 docker 里只用 CPU。其他容器都能正常使用GPU吗？", FLAG),
    ("重启电脑后容器里 nvidia-smi 报错。", LOST),
    ("容器运行几天后 nvidia-smi 会报错吗？", LOST),
])
def test_near_misses_in_other_languages(text, fid):
    assert fid not in findings(text)
