"""Round 16, review of round 15's prose readers: near-misses that claimed something, and the
broken texts of the same class that must still fire.

* WSL 1 denied with a contraction, left behind, or denied in another language (wsl_said): a
  healthy text got the error ``wsl1_no_gpu_support``.
* nvidia_uvm's reload given as advice or a condition, or followed by another step that fixed it
  (uvm_reload_fix): a healthy text got the error ``nvidia_uvm_stale_after_suspend``.
* "none of my containers lost the GPU" (container_lost_prose): a host's NVML error became a container's.
* Clock settings denied after the verb (Japanese, Korean), undone later in the sentence, a template
  row saying none ("disabled", "-"), a buffer's "memory offset" (clock_settings_prose).
* A GPU index changed, then the failure shown (gpu_index_fix): an attempt, not a fix.
* The GPU said to work in another environment or before an update (gpu_works_elsewhere).
* A model's needs and a run's chosen GPUs are not this machine's count (gpu_count_prose).
"""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import (
    clock_settings_prose,
    container_lost_prose,
    container_runtime_prose,
    driver_branch_said,
    gpu_count_prose,
    gpu_index_fix,
    gpu_works_elsewhere,
    uvm_reload_fix,
    wsl_said,
)
from tests.explain.helpers import text, values
from tests.rules.test_unseen_classes import errors, findings

NO_GPUS = "RuntimeError: No CUDA GPUs are available\n"
NO_DRIVER = "RuntimeError: Found no NVIDIA driver on your system.\n"
ILLEGAL = "RuntimeError: CUDA error: an illegal memory access was encountered\n"
LAUNCH = "RuntimeError: CUDA error: unspecified launch failure\n"
NVML = "Failed to initialize NVML: Unknown Error\n"


# --------------------------------------------------------------------------- WSL 1
@pytest.mark.parametrize("said", [
    "I don't use WSL1, I'm on WSL with Ubuntu 22.04 and CUDA works. torch.cuda.is_available() returns True.",
    "I previously used WSL1 but now I run native Ubuntu 22.04. Everything works; my question is about batch size.",
    "This isn't WSL 1. torch.cuda.is_available() is True.",
    "I used to run WSL 1, now it is a native install.",
    "WSL1ではありません。Ubuntu 22.04 を使っています。",
    "我用的不是WSL1，是原生 Ubuntu。",
    "Ich benutze kein WSL1, sondern natives Ubuntu.",
])
def test_wsl1_denied_or_left_behind_claims_nothing(said):
    assert "host.wsl" not in values(wsl_said.parse(text(said)))
    assert "wsl1_no_gpu_support" not in errors(said)


@pytest.mark.parametrize("said", [
    "I'm using Windows 10 with WSL1 and Ubuntu 20.04.\n" + NO_DRIVER,
    "I'm on WSL1 and torch can't find the GPU.\n" + NO_DRIVER,
    "WSL1 を使っています。\n" + NO_DRIVER,
])
def test_wsl1_said_still_fires(said):
    assert values(wsl_said.parse(text(said))).get("host.wsl") == "wsl1"
    assert "wsl1_no_gpu_support" in findings(said)


# --------------------------------------------------------------------------- nvidia_uvm reloaded
@pytest.mark.parametrize("said", [
    "My setup works fine, torch.cuda.is_available() returns True.\nTip for others: if CUDA stops working after suspend, "
    "run `sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm`, that fixes it.\nMy question is about the dataloader.",
    "Run sudo rmmod nvidia_uvm; sudo modprobe nvidia_uvm and it will work again.",
    "You could try:\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nThis should fix it.",
    "sudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nthat did not change anything. Then I reinstalled the driver and it works.",
])
def test_uvm_reload_as_advice_or_before_another_fix_claims_nothing(said):
    assert "torch.cuda_available" not in values(uvm_reload_fix.parse(text(said)))
    assert "nvidia_uvm_stale_after_suspend" not in findings(said)


@pytest.mark.parametrize("said", [
    "After resume from suspend ollama runs on CPU.\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nNow it works again.",
    "sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm fixed it, when I run ollama now it uses the GPU again.",
])
def test_uvm_reload_told_as_the_fix_still_fires(said):
    assert values(uvm_reload_fix.parse(text(said))).get("torch.cuda_available") is False
    assert "nvidia_uvm_stale_after_suspend" in findings(said)


# --------------------------------------------------------------------------- containers losing the GPU
@pytest.mark.parametrize("said", [
    NVML + "This is on the host; none of my containers lost the GPU.",
    NVML + "On the host, neither container loses the GPU, only nvidia-smi fails.",
])
def test_containers_denied_losing_the_gpu_claim_nothing(said):
    assert "host.container" not in values(container_lost_prose.parse(text(said)))
    assert "container_gpu_lost_after_daemon_reload" not in errors(said)


def test_containers_said_to_lose_the_gpu_still_fire():
    said = NVML + "After a few days the running containers lose access to the GPU."
    assert values(container_lost_prose.parse(text(said))).get("host.container") == "docker"


# --------------------------------------------------------------------------- clocks and voltage
@pytest.mark.parametrize("said", [
    "オーバークロックはしていません。\n" + ILLEGAL,
    "오버클럭은 하지 않았습니다.\n" + LAUNCH,
    "I had overclocked the card but reverted everything to stock a month ago.\n" + LAUNCH,
    "- GPU: RTX 3090\n- Overclock: disabled\n- Driver: 550.54\n",
    "GPU: RTX 3090\nOC: -\nDriver: 550.54\n",
    "The kernel writes at memory offset 4096 of the buffer and then crashes.\n" + ILLEGAL,
])
def test_clock_settings_denied_or_undone_claim_nothing(said):
    assert not any("clock" in n.lower() for n in clock_settings_prose.parse(text(said)).notes)
    assert "gpu_unstable_clock_settings" not in findings(said)


@pytest.mark.parametrize("said", [
    "オーバークロックしています。\n" + ILLEGAL,
    "오버클럭을 했습니다.\n" + LAUNCH,
    "Overclock: 100% power, +125 MHz core, +600 memory\n",
    "memory clock offset of 1200 set with GreenWithEnvy\n" + LAUNCH,
    "core offset: -100, mem offset: +1000\n" + LAUNCH,
])
def test_clock_settings_said_still_fire(said):
    assert "gpu_unstable_clock_settings" in findings(said)


# --------------------------------------------------------------------------- a GPU index changed
@pytest.mark.parametrize("said", [
    "I changed --gpu_ids 1 to --gpu_ids 0 and got:\n" + NO_GPUS,
    "Set gpu_id from 1 to 0, then ran python train.py:\n" + NO_GPUS,
])
def test_an_index_change_followed_by_the_failure_claims_nothing(said):
    assert "torch.cuda_available" not in values(gpu_index_fix.parse(text(said)))
    assert "cuda_visible_devices_hides_gpus" not in findings(said)


def test_an_index_change_that_fixed_the_error_still_fires():
    said = NO_GPUS + "changing CUDA_ID=1 to CUDA_ID=0 fixed the error"
    assert values(gpu_index_fix.parse(text(said))).get("torch.cuda_available") is False
    assert "cuda_visible_devices_hides_gpus" in findings(said)


# --------------------------------------------------------------------------- the GPU working elsewhere
@pytest.mark.parametrize("said", [
    "Until yesterday torch.cuda.is_available() returned True. After a driver update I get:\n" + NO_GPUS,
    "In my other conda env torch.cuda.is_available() returns True, but in this env:\n" + NO_GPUS,
])
def test_another_time_or_environment_is_not_another_way(said):
    assert "torch.cuda_available" not in values(gpu_works_elsewhere.parse(text(said)))
    assert "cuda_visible_devices_hides_gpus" not in findings(said)


# --------------------------------------------------------------------------- a GPU count in prose
@pytest.mark.parametrize("said", [
    "Llama 70B needs 2x A100 80GB to load in fp16.",
    "I'm training on 4x A100 with CUDA_VISIBLE_DEVICES=4,5,6,7 and it runs fine.",
    "The job uses 2 of the 8 A100s.",
])
def test_a_models_needs_or_a_runs_share_is_not_the_machines_count(said):
    assert not gpu_count_prose.parse(text(said)).gpus


def test_a_count_said_still_reads():
    assert len(gpu_count_prose.parse(text("Server: 4x A100, Ubuntu 22.04.")).gpus) == 4


def test_a_failure_told_after_wsl1_is_no_denial_of_it():
    said = "I'm on WSL1 and CUDA is not available.\n" + NO_DRIVER
    assert values(wsl_said.parse(text(said))).get("host.wsl") == "wsl1"


@pytest.mark.parametrize("said", [
    "On the host torch.cuda.is_available() returns True.\n" + NO_GPUS,
    "On the login node torch.cuda.is_available() returns True.\n" + NO_GPUS,
])
def test_another_machine_in_other_words_is_not_another_way(said):
    assert "torch.cuda_available" not in values(gpu_works_elsewhere.parse(text(said)))


def test_the_gpu_working_directly_in_python_still_reads():
    said = "torch.cuda.is_available() returns True directly in python, but inside the Ray worker:\n" + NO_GPUS
    assert values(gpu_works_elsewhere.parse(text(said))).get("torch.cuda_available") is False
    assert "cuda_visible_devices_hides_gpus" in findings(said)


# --------------------------------------------------------------------------- the same classes in other words
NO_DEV = "RuntimeError: CUDA error: no CUDA-capable device is detected\n"


@pytest.mark.parametrize("said", [
    NO_DEV + "把 --gpu_id 1 改成 --gpu_id 0 就好了",
    NO_GPUS + "Fixed by setting `gpu_ids: [1]` to `gpu_ids: [0]` in the config.",
])
def test_an_index_change_in_other_words_reads(said):
    assert values(gpu_index_fix.parse(text(said))).get("torch.cuda_available") is False


@pytest.mark.parametrize("said", [
    NO_DEV + "把 --gpu_id 1 改成 --gpu_id 0 还是报错",
    NO_DEV + "如果把 --gpu_id 1 改成 --gpu_id 0 会怎样？",
    NO_GPUS + "I set `gpu_ids: [1]` to `gpu_ids: [0]` and still get it.",
    NO_GPUS + "Set gpu_ids from 1 to 0.5 of the memory, works.",
])
def test_an_index_change_in_other_words_that_did_not_fix_claims_nothing(said):
    assert "torch.cuda_available" not in values(gpu_index_fix.parse(text(said)))


@pytest.mark.parametrize("said", [
    "torch.cuda.is_available() devuelve True en la terminal, pero con el script:\n" + NO_GPUS,
    "ターミナルでは torch.cuda.is_available() は True を返します。\n" + NO_GPUS,
])
def test_a_plain_check_told_true_in_other_languages_reads(said):
    assert values(gpu_works_elsewhere.parse(text(said))).get("torch.cuda_available") is False


@pytest.mark.parametrize("said", [
    "¿torch.cuda.is_available() devuelve True en la terminal?\n" + NO_GPUS,
    "torch.cuda.is_available() は True を返しますか？\n" + NO_GPUS,
    "En otra máquina (another machine) torch.cuda.is_available() devuelve True.\n" + NO_GPUS,
])
def test_a_plain_check_asked_or_elsewhere_in_other_languages_claims_nothing(said):
    assert "torch.cuda_available" not in values(gpu_works_elsewhere.parse(text(said)))


@pytest.mark.parametrize("said, n", [
    ("我有 2 张 RTX 3090", 2),
    ("2枚のRTX 3090を使っています", 2),
    ("服务器有 4 张 A100，CUDA_VISIBLE_DEVICES=4 时报错", 4),
])
def test_a_count_with_a_measure_word_reads(said, n):
    assert len(gpu_count_prose.parse(text(said)).gpus) == n


@pytest.mark.parametrize("said", [
    "如果买 2 张 A100 够吗",
    "需要 4 张 A100 才能跑 70B",
])
def test_a_count_with_a_measure_word_asked_or_needed_reads_nothing(said):
    assert not gpu_count_prose.parse(text(said)).gpus


# --------------------------------------------------------------------------- nvidia_uvm reloaded, result told first
def test_uvm_reload_introduced_by_its_result_reads():
    # tensorflow/tensorflow#5777 (a comment of a reporter): the result, then the commands as "what it was"
    said = ("I tried to follow this advise but I could also not unload `nvidia_drm` for the same reason. But after "
            "loading the first module in the list again, things worked for me again. So for me it was just:\n\n"
            "```\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n```\n")
    assert values(uvm_reload_fix.parse(text(said))).get("torch.cuda_available") is False
    assert "nvidia_uvm_stale_after_suspend" in findings(said)


@pytest.mark.parametrize("said", [
    "It worked until I suspended the laptop. Then I ran:\n```\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n```\n",
    "If CUDA stops after resume, this should make it work again:\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n",
    "Nothing worked, so I ran:\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n",
])
def test_uvm_reload_introduced_otherwise_claims_nothing(said):
    assert "torch.cuda_available" not in values(uvm_reload_fix.parse(text(said)))


# --------------------------------------------------------------------------- a driver branch
INSUFFICIENT = "RuntimeError: CUDA driver version is insufficient for CUDA runtime version\n"


@pytest.mark.parametrize("said", [
    "The docs say the 525 driver is enough for CUDA 12.0, and I have CUDA 12.1 installed.\n" + INSUFFICIENT,
    "According to the table, driver 470 supports CUDA 11.4.\n" + INSUFFICIENT,
])
def test_a_branch_a_document_names_is_not_this_driver(said):
    assert "nvml.driver_version" not in {c.path for c in driver_branch_said.parse(text(said)).claims}
    assert "cuda_toolkit_newer_than_driver" not in findings(said)


def test_a_branch_said_still_reads():
    said = "My driver is 470 and I installed the CUDA 12.1 toolkit.\n" + INSUFFICIENT
    assert "nvml.driver_version" in {c.path for c in driver_branch_said.parse(text(said)).claims}


# --------------------------------------------------------------------------- the engine configured as the fix
SELECT = "docker: Error response from daemon: could not select device driver \"\" with capabilities: [[gpu]].\n"


def test_the_engine_configured_on_another_node_is_not_this_fix():
    said = ("I ran nvidia-ctk runtime configure --runtime=containerd on the other node, which fixed it there. "
            "On this node:\n" + SELECT)
    assert "host.container_gpus" not in values(container_runtime_prose.parse(text(said)))


def test_the_engine_configured_here_still_reads():
    said = SELECT + "sudo nvidia-ctk runtime configure --runtime=docker\nsudo systemctl restart docker\nthat fixed it.\n"
    assert values(container_runtime_prose.parse(text(said))).get("host.container_gpus") == "--runtime=nvidia"


@pytest.mark.parametrize("said, fixed", [
    ("Nach dem Standby läuft ollama nur auf der CPU.\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n"
     "Jetzt funktioniert es wieder.", True),
    ("Nach dem Standby läuft ollama nur auf der CPU.\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\n"
     "Es funktioniert immer noch nicht.", False),
    ("После сна CUDA не видит GPU.\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nТеперь снова работает.", True),
    ("После сна CUDA не видит GPU.\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nВсё ещё не работает.", False),
    ("スリープ後に CUDA が使えない。\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nこれで動くようになりました。", True),
    ("スリープ後に CUDA が使えない。\nsudo rmmod nvidia_uvm\nsudo modprobe nvidia_uvm\nそれでも動かない。", False),
])
def test_uvm_reload_result_in_other_languages(said, fixed):
    assert (values(uvm_reload_fix.parse(text(said))).get("torch.cuda_available") is False) is fixed


@pytest.mark.parametrize("said", [
    "CUDA is not available on WSL1.\n" + NO_DRIVER,
    "I get no GPU on WSL1.\n" + NO_DRIVER,
    "No funciona la GPU en WSL1.\n" + NO_DRIVER,
])
def test_a_failure_told_before_wsl1_is_no_denial_of_it(said):
    assert values(wsl_said.parse(text(said))).get("host.wsl") == "wsl1"


@pytest.mark.parametrize("said", [
    "No uso WSL1, uso Ubuntu nativo.",
    "Я не использую WSL1.",
    "I'm not on WSL 1.",
])
def test_wsl1_denied_just_before_claims_nothing(said):
    assert "host.wsl" not in values(wsl_said.parse(text(said)))
