"""Round 25 v: a machine's non-NVIDIA GPU named in a person's own words, thinly.

1. A failure reported on a named AMD/Intel card, with no "my" ("AMD 6800显卡部署出错" — deploying
   on the AMD 6800 card errs; "AMD RX 6800 card fails with …"), a bare model number glued to a
   CJK graphics word ("AMD 6800显卡"), the full-width colon ("显卡：AMD 6800") and a graphics word
   with a model and no vendor ("我的显卡是6700XT", "Graphics card: Arc A770"):
   parsers/gpu_vendor_prose.py.
2. A spec list naming the CPU in one item and the GPU in the next ("Specs: Ryzen 5 5600X, Radeon
   RX 6700 XT, 32GB RAM"): the CPU word no longer hides the GPU of the next item
   (parsers/display_adapters.py); the CPU's own integrated graphics ("AMD Ryzen 7 5800H with
   Radeon Graphics") still name no adapter.

Texts written for the test after the shapes of real reports (zai-org/ChatGLM-6B#814,
Genesis-Embodied-AI/genesis-world#156, ethereum-mining/ethminer#1148), with near-misses: a
condition, a question, a kind, someone else's machine, a denial, NVIDIA hardware beside it.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NO_GPU = "no_nvidia_gpu_found"
NOT_COMPILED = 'raise AssertionError("Torch not compiled with CUDA enabled")\nAssertionError: Torch not compiled with CUDA enabled'
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")


# --------------------------------------------------------------------------- 1. the card named in few words
@pytest.mark.parametrize("text", [
    "AMD 6800显卡部署出错，AMD显卡是否可以使用该项目？\n" + NOT_COMPILED,
    NOT_COMPILED + "\n显卡：AMD 6800",
    NOT_COMPILED + "\n我的显卡是6700XT",
    "AMD 7900XTX 报错：" + NO_DRIVER,
    NO_DRIVER + "\nGraphics card: Arc A770",
    "AMD RX 6800 card fails with " + NOT_COMPILED.splitlines()[-1],
])
def test_card_named_by_its_owner(text):
    assert NO_GPU in findings(text)


@pytest.mark.parametrize("text", [
    # a condition: advice for whoever has that card
    NOT_COMPILED + "\n如果是AMD显卡报错，请使用ROCm版本。",
    "如果显卡是6700XT，请安装ROCm版 torch\n" + NOT_COMPILED,
    "For AMD 6800 cards the error is expected.\n" + NOT_COMPILED,
    # a question
    "AMD 6800显卡报错吗？\n" + NOT_COMPILED,
    "GPU: RX 6700 XT supported?\n" + NOT_COMPILED,
    # someone else's machine
    "On my friend's PC the AMD 6800 card fails with " + NOT_COMPILED.splitlines()[-1],
    # NVIDIA hardware beside it: a hybrid machine, or the card replaced
    "Works fine on my RTX 3090. AMD 6800显卡部署出错 is a different issue.",
    "My AMD 6800 card failed before; I replaced it with an RTX 3080 and it works now.",
    # denied
    "不是AMD显卡出错，我的显卡是 RTX 4090\n" + NOT_COMPILED,
])
def test_not_this_machines_card(text):
    assert NO_GPU not in findings(text)


# --------------------------------------------------------------------------- 2. a spec list
@pytest.mark.parametrize("text", [
    NO_DRIVER + "\nSpecs: Ryzen 5 5600X, Radeon RX 6700 XT, 32GB RAM",
    NO_DRIVER + "\nPC: AMD Ryzen 7 7700X | AMD Radeon RX 7900 XTX | 64 GB",
])
def test_gpu_after_the_cpu_in_a_spec_list(text):
    assert NO_GPU in findings(text)


@pytest.mark.parametrize("text", [
    # the CPU's integrated graphics: one item
    NO_DRIVER + "\nCPU: AMD Ryzen 7 5800H with Radeon Graphics",
    # NVIDIA's card in the list
    NO_DRIVER + "\nSpecs: Ryzen 5 5600X, Radeon RX 6700 XT, RTX 3060, 32GB RAM",
    # another machine's list
    "My old PC: Ryzen 5 3600, Radeon RX 580. Now I use an RTX 3090.\n" + NO_DRIVER,
])
def test_spec_list_near_misses(text):
    assert NO_GPU not in findings(text)


@pytest.mark.parametrize("text", [
    "Specs: Ryzen 9 5900X, RTX 3090, 64GB RAM. Training is slower than expected.",
    "We got our hands on some bigger GPUs (A100); with a batch size of 2, training takes 15 minutes.",
    "显卡：RTX 4090，训练速度正常，只是想问一下 batch size 的设置。",
])
def test_working_machines_get_no_error(text):
    assert not errors(text)
