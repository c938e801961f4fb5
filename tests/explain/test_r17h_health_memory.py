"""Round 17, h: GPU health and memory in short, non-English, notebook and docker reports —
the classes the new real reports missed, each with broken texts and the working or
near-miss texts of the same class.

* a disk said to be full in a person's words ("insufficient storage space", "the root
  directory that has no space", 磁盘空间不足, "no hay espacio en el disco"):
  ``parsers/host_health.py`` → ``rules/disk_space.py`` (likely);
* the OS's "Disk quota exceeded" (EDQUOT) and Windows' "There is not enough space on the disk"
  (ERROR_DISK_FULL): catalogue messages, low_disk_space confirmed;
* ECC errors of the host's own memory (a DIMM, EDAC) are not the GPU's
  (``parsers/ecc_prose.py`` → ``rules/ecc_said.py``);
* "the memory of the GPU0 is not released" (a numbered GPU) is held memory;
* "an error about shared memory limited" in docker is /dev/shm.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

# --- a disk said to be full ------------------------------------------------------------------

DISK_FULL_SAID = [
    # ollama/ollama#8545's wording
    "I'm using Ollama version 0.5.7 on an AMD64 Linux machine to install the QWen2 7B model, but I encountered an "
    "issue with insufficient storage space during the installation process.\n",
    # ollama/ollama#5026's wording
    "When I use Modelfile to create a new model, error (error: /tmp/ollama-tfxxxxxxx no space left) occurs. I noticed "
    "that /tmp and /usr/share/ollama share the same root directory that has no space.\n",
    "I ran out of disk space while pulling the model\n",
    "The disk is full, pip install torch fails halfway\n",
    "磁盘空间不足，模型下载失败\n",
    "ディスク容量が不足しています\n",
    "디스크 공간이 부족합니다\n",
    "No hay espacio en el disco para descargar el modelo\n",
    "Sem espaço em disco ao baixar o modelo\n",
    "Kein Speicherplatz mehr beim Herunterladen des Modells\n",
    "Plus d'espace disque pendant le téléchargement\n",
    "Недостаточно места на диске при загрузке модели\n",
]

DISK_NOT_FULL = [
    "Make sure you have enough disk space before pulling the model.\n",
    "I have plenty of disk space, 200GB free.\n",
    "The model needs 50GB of disk space.\n",
    "Is there not enough disk space?\n",
    "It's not a disk space issue, the disk is not full.\n",
    "需要50G磁盘空间\n",
    "not enough space on the GPU for the 70B model\n",
    "ran out of memory on the GPU\n",
    "llama_decode: failed, no space left in the KV cache\n",
    "no space left on /dev/shm\n",
    "warning: no space left in the ring buffer, dropping events\n",
    "Disk: About 50GB\n",
]


@pytest.mark.parametrize("text", DISK_FULL_SAID)
def test_a_disk_said_full_is_low_disk_space(text):
    f = findings(text).get("low_disk_space")
    assert f is not None and f.confidence.value == "likely"


@pytest.mark.parametrize("text", DISK_NOT_FULL)
def test_advice_denials_and_other_memory_say_nothing_of_the_disk(text):
    assert "low_disk_space" not in findings(text)


@pytest.mark.parametrize("text", [
    "OSError: [Errno 122] Disk quota exceeded\n",
    "执行\"开始推理\"时报错 `OSError: [Errno 122] Disk quota exceeded`\n",
    "OSError: [WinError 112] There is not enough space on the disk\n",
    "Error: write failed. There is not enough space on the disk. (os error 112)\n",
])
def test_quota_and_windows_disk_full_messages_confirm_low_disk_space(text):
    f = findings(text).get("low_disk_space")
    assert f is not None and f.confidence.value == "confirmed"


def test_a_quota_said_to_be_fine_is_not_a_message():
    assert "low_disk_space" not in findings("quota check: 12 GB used of 50 GB, fine\n")


# --- ECC errors of the host's memory ---------------------------------------------------------

HOST_ECC = [
    # openstreetmap/operations#1364's wording
    "[longma](https://hardware.openstreetmap.org/servers/longma.openstreetmap.org/) has a failed DIMM throwing "
    "uncorrectable ECC errors.\n\n```\nUncorrectable ECC / other uncorrectable memory error @P2-DIMMH2(CPU2) - "
    "Assertion\n```\n",
    "The server's DIMM in slot A2 reports uncorrectable ECC errors, replacing it tomorrow.\n",
    "EDAC keeps logging ECC errors on CPU#0Channel#2_DIMM#0.\n",
]

GPU_ECC = [
    "GPU 2 has uncorrectable ECC errors\n",
    "My A100 keeps throwing uncorrectable ECC errors since yesterday.\n",
    "显卡报 ECC 错误\n",
    "The failed DIMM was replaced last week. GPU 1 has uncorrectable ECC errors now.\n",
]


@pytest.mark.parametrize("text", HOST_ECC)
def test_ecc_errors_of_a_dimm_are_not_the_gpus(text):
    assert "ecc_errors" not in findings(text)
    assert errors(text) == {}


@pytest.mark.parametrize("text", GPU_ECC)
def test_ecc_errors_said_of_a_gpu_still_count(text):
    assert "ecc_errors" in findings(text)


# --- held memory on a numbered GPU -----------------------------------------------------------

@pytest.mark.parametrize("text", [
    # facebookresearch/XLM#40's wording
    "Hi, when the program ends, the memory of the GPU0 is released, but the other GPUs are not released. Why that ?\n",
    "GPU1 memory is not released after I kill the script\n",
])
def test_memory_of_a_numbered_gpu_held_after_the_program(text):
    assert "gpu_memory_in_use" in findings(text)


@pytest.mark.parametrize("text", [
    "When the program ends, the memory of the GPU0 is released, and the other GPUs too.\n",
    "Why is the memory of the GPU0 not released when the program ends?\n",
    "GPU1 memory is released after I kill the script\n",
])
def test_memory_of_a_numbered_gpu_released_or_asked(text):
    assert "gpu_memory_in_use" not in findings(text)


# --- an error about the shared memory limit --------------------------------------------------

def test_an_error_about_shared_memory_limited_in_docker_is_shm():
    # xinge008/Cylinder3D#17's wording
    text = ("While i train the cylinder_asym, an error about shared memory limited occurs. So i wander what size of "
            "shared memory you suggested while training? BTW, i am training on docker and only one 1080Ti available.\n")
    assert "shm_too_small" in findings(text)


@pytest.mark.parametrize("text", [
    "I got an error about shared memory limit in my triton kernel\n",
    "No error about shared memory limit anymore after --ipc=host\n",
    "is there an error about shared memory limits?\n",
])
def test_kernel_shared_memory_denials_and_questions_are_not_shm(text):
    assert "shm_too_small" not in findings(text)
