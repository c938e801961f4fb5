"""GPU hardware health told without a counter table: ECC errors said in words (any language),
a GPU that dropped off the bus shown by lspci ("(rev ff)", "!!! Unknown header type 7f") or
told in words ("we lost 1 GPU", "掉卡"). Broken pastes in several wordings, and near-misses
that use the same words on a healthy machine (denials, questions, advice, a laptop GPU that
bbswitch switched off, a container that lost its devices)."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import ecc_prose, gpu_gone
from tests.rules.test_unseen_classes import findings as _ids

from .helpers import gpu_fields, text

# --------------------------------------------------------------------------- ECC errors said
ECC_SAID = [
    "PyCUDA tests report ECC errors:\n\nhttps://ci.example.org/jobs/721706\n",
    "GPU 2 has uncorrectable ECC errors since yesterday, jobs on it crash.\n",
    "We keep seeing double-bit ECC errors on the second card.\n",
    "The node was drained because of ECC errors on GPU 5.\n",
    "显卡报 ECC 错误，训练中断了\n",
    "训练时出现ECC错误\n",
    "ECC 에러가 발생합니다\n",
    "学習中にECCエラーが出ます\n",
    "dcgmi health -c reports ECC errors for GPU 0\n",
]


@pytest.mark.parametrize("paste", ECC_SAID)
def test_ecc_errors_said_in_words_are_likely(paste):
    f = _ids(paste)["ecc_errors"]
    assert f.confidence.value == "likely"


def test_corrected_errors_said_are_a_warning_not_an_error():
    f = _ids("nvidia-smi shows single-bit ECC errors on GPU 1, all corrected.\n")["ecc_errors"]
    assert f.severity.value == "warning"


ECC_NOT_SAID = [
    "No ECC errors on either card, both run fine.\n",
    "There are no uncorrectable ECC errors, nvidia-smi -q shows 0.\n",
    "How do I check for ECC errors on an A100?\n",
    "Does this GPU have ECC errors?\n",
    "If you see ECC errors, reset the GPU.\n",
    "ECC errors: 0\n",
    "Our monitoring checks for ECC errors every minute.\n",
    "GeForce cards have no ECC, so they never report ECC errors.\n",
    "显卡没有ECC错误\n",
    "ECC 에러가 없습니다\n",
    "    ECC Errors\n        Volatile\n            SRAM Correctable              : 0\n"
    "            SRAM Uncorrectable            : 0\n            DRAM Correctable              : 0\n"
    "            DRAM Uncorrectable            : 0\n",
    "ECC mode is enabled on all GPUs; ECC error reporting works.\n",
]


@pytest.mark.parametrize("paste", ECC_NOT_SAID)
def test_ecc_errors_denied_asked_or_advised_say_nothing(paste):
    assert not gpu_fields(ecc_prose.parse(text(paste)))
    assert "ecc_errors" not in _ids(paste)


# --------------------------------------------------------------------------- lspci: a dead GPU
def test_lspci_rev_ff_on_an_nvidia_gpu_is_lost():
    paste = ("$ lspci | grep -i nvidia\n"
             "17:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] (rev a1)\n"
             "b1:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] (rev ff)\n")
    f = _ids(paste)["gpu_lost"]
    assert f.confidence.value != "likely"  # lspci's own reading


def test_lspci_rev_ff_beside_nvidia_smi_listing_the_survivors():
    paste = ("$ nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1a)\nGPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-2b)\n"
             "$ lspci | grep -i nvidia\n"
             "17:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] (rev a1)\n"
             "31:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] (rev a1)\n"
             "b1:00.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 80GB] [10de:20b2] (rev ff)\n")
    assert "gpu_lost" in _ids(paste)


def test_lspci_verbose_unknown_header_under_an_nvidia_row_is_lost():
    paste = ("01:00.0 VGA compatible controller: NVIDIA Corporation TU102 [GeForce RTX 2080 Ti] (rev ff) (prog-if ff)\n"
             "\t!!! Unknown header type 7f\n")
    assert "gpu_lost" in _ids(paste)


LSPCI_HEALTHY = [
    "01:00.0 VGA compatible controller: NVIDIA Corporation GA104 [GeForce RTX 3070] (rev a1)\n",
    # A laptop's discrete GPU switched off on purpose reads rev ff while it is off.
    "I use bbswitch to turn the card off when on battery.\n"
    "01:00.0 3D controller: NVIDIA Corporation GP107M [GeForce GTX 1050 Mobile] (rev ff)\n",
    "02:00.0 Ethernet controller: Intel Corporation I210 Gigabit Network Connection (rev ff)\n",
    "\t!!! Unknown header type 7f\n",
]


@pytest.mark.parametrize("paste", LSPCI_HEALTHY)
def test_lspci_rows_that_do_not_show_a_dead_gpu_say_nothing(paste):
    assert not gpu_fields(gpu_gone.parse(text(paste)))
    assert "gpu_lost" not in _ids(paste)


# --------------------------------------------------------------------------- a lost GPU said
LOST_SAID = [
    "Use `lspci | grep -i nvidia` in hoth, `rev ff` means it is down, so there must be problems in GPU 1c.\n",
    "Again, we lost 1 GPU then slurmd did not start.\n",
    "After the reboot one of the GPUs was lost and nvidia-smi shows 7 cards.\n",
    "服务器经常掉卡，nvidia-smi 少了一张\n",
    "训练到一半显卡掉了\n",
    "I.e. shown in `lspci`, but not `nvidia-smi`.\n",
    "This morning one GPU vanished from the node until we rebooted.\n",
]


@pytest.mark.parametrize("paste", LOST_SAID)
def test_a_gpu_said_to_drop_out_is_likely_lost(paste):
    f = _ids(paste)["gpu_lost"]
    assert f.confidence.value == "likely"


LOST_NOT_SAID = [
    "The GPU never got lost during training; it is just slow.\n",
    "Is it possible that we lost a GPU after the reboot?\n",
    "After systemctl daemon-reload the container lost 1 GPU and reports NVML: Unknown Error.\n",
    "没有掉卡，nvidia-smi 正常\n",
    "lspci shows rev a1 for all eight GPUs.\n",
    "How do I prevent losing a GPU to Xid errors?\n",
    "After the driver update 2 GPUs disappeared from nvidia-smi.\n",
    "Did any GPU disappear from nvidia-smi?\n",
    "The GPU never disappeared, it is just slow.\n",
]


@pytest.mark.parametrize("paste", LOST_NOT_SAID)
def test_denied_asked_or_container_losses_say_nothing_here(paste):
    assert not gpu_fields(gpu_gone.parse(text(paste)))


# --------------------------------------------------------------------------- thermal throttling said
THROTTLE_SAID = [
    "My RTX 3090 is thermal throttling after 10 minutes of training.\n",
    "The GPU keeps throttling due to heat, clocks drop to 900 MHz.\n",
    "nvidia-smi -q says HW Slowdown is active while training.\n",
    "显卡过热降频，训练越来越慢\n",
    "学習中にサーマルスロットリングが発生します\n",
    "학습 중에 써멀 스로틀링이 걸립니다\n",
]


@pytest.mark.parametrize("paste", THROTTLE_SAID)
def test_thermal_throttling_said_is_likely(paste):
    f = _ids(paste)["gpu_throttling"]
    assert f.confidence.value == "likely"


THROTTLE_NOT_SAID = [
    "The GPU is not throttling, temps are 60C.\n",
    "The card was never throttled.\n",
    "Is my GPU thermal throttling?\n",
    "I set a power limit with nvidia-smi -pl 250 so the GPU is throttling a bit, that's fine.\n",
    "How to prevent thermal throttling on a laptop\n",
    "If the GPU is thermal throttling, clean the fans.\n",
]


@pytest.mark.parametrize("paste", THROTTLE_NOT_SAID)
def test_throttling_denied_asked_or_on_purpose_says_nothing(paste):
    assert "gpu_throttling" not in _ids(paste)


def test_a_lost_gpu_claim_names_no_gpu():
    # Which GPU dropped out is rarely said; the claim is anonymous (assemble decides where it goes).
    claims = gpu_fields(gpu_gone.parse(text("2 GPUs disappeared in `nvidia-smi` this morning.\n")))
    assert claims and claims[0]["index"] is None and claims[0]["status"] == "gpu_lost"


def test_nvmls_gpu_is_lost_only_in_its_error_framing():
    # nvmlErrorString's "GPU is lost" always follows a colon (nvidia-smi's device handle, pynvml,
    # device plugins); a person asking about a lost GPU is not NVML saying so.
    for paste, lost in (("Is it normal that one GPU is lost after reboot?\n", False),
                        ("nvmlDeviceGetHandleByIndex() failed: GPU is lost\n", True)):
        _, report = diagnose(source.normalise(paste), collected_at="")
        assert ("gpu_lost" in {f.id for f in report.findings if f.confidence.value == "confirmed"}) is lost


def test_a_lost_gpu_beside_the_listed_survivors_is_a_gpu_of_its_own():
    text = ("$ nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-11111111-2222-3333-4444-555555555555)\n"
            "GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-11111111-2222-3333-4444-555555555556)\n"
            "One GPU disappeared from nvidia-smi after the job crashed; lspci still shows 3 of them.\n")
    _, report = diagnose(source.normalise(text), collected_at="")
    assert "gpu_lost" in {f.id for f in report.findings}
