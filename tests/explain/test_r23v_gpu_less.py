"""Round 23 v: a machine without a GPU, and another machine's GPU.

1. A person calling the machine GPU-less ("my non gpu laptop", "a GPU-less server") or saying it
   has none without the article or apostrophe prose_state expects ("My computer doesn't have
   GPU", "I dont have a gpu enabled system"): no_nvidia_gpu_found (parsers/gpu_less_machine.py).
2. A shell prompt whose host name is Ubuntu's installer default for a VirtualBox guest
   ("tarun@tarun-VirtualBox:~$"): a VirtualBox guest, which has no GPU for CUDA.
3. Review item: a GPU named as another machine's ("my NVIDIA GTX 1080 is in the other PC", "the
   3090 is in my desktop, this is the laptop") is not this machine's GPU (explain/gpu_elsewhere.py).

Texts written for the test after the shapes of real reports (zhoubolei/TRN-pytorch#71,
whai362/PSENet#86, junyanz/pytorch-CycleGAN-and-pix2pix#557, v-iashin/MDVC#22), with near-misses.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import errors, findings

NO_GPU = "no_nvidia_gpu_found"
NO_DEVICE = "RuntimeError: cuda runtime error (38) : no CUDA-capable device is detected at /pytorch/torch/csrc/cuda/Module.cpp:34"


def facts(text: str):
    explanation, _ = diagnose(source.normalise(text), collected_at="")
    return explanation.facts


# --------------------------------------------------------------------------- 1. a GPU-less machine said
@pytest.mark.parametrize("text", [
    "I'm trying to run the webcam demo code on my non gpu laptop, and I'm getting the error, "
    "\"torch not compiled with CUDA Enabled\"...",
    "My computer doesn't have GPU. Can I just use cpu without cuda to test or train the model?",
    NO_DEVICE + "\n\nI am a student and I dont have a gpu enabled system, so how can i do this in cpu enabled system.",
    "I run this on my GPU-less server and get " + NO_DEVICE,
    "We're on a non-GPU machine here.\n" + NO_DEVICE,
    "My laptop doesnt have a graphics card.\nAssertionError: Torch not compiled with CUDA enabled",
])
def test_a_gpu_less_machine_said_is_no_nvidia_gpu(text):
    assert NO_GPU in findings(text)


def test_with_the_failure_it_is_an_error():
    got = errors(NO_DEVICE + "\n\nI dont have a gpu enabled system")
    assert NO_GPU in got


@pytest.mark.parametrize("text", [
    # a question or a condition
    "Does it work on a non-GPU laptop?\n" + NO_DEVICE,
    "If your computer doesn't have GPU, pass --cpu.\n" + NO_DEVICE,
    # another machine, or the past
    "It failed on my old non-GPU laptop, this one has an RTX 3060.\n" + NO_DEVICE,
    "The CI's GPU-less runner skips these tests.\n" + NO_DEVICE,
    # what a tool reported, a container, a build
    "My computer doesn't have GPU support in this docker image.\n" + NO_DEVICE,
    "The container doesn't have GPU access.\n" + NO_DEVICE,
    "I don't have GPU enabled builds of torch here.\n" + NO_DEVICE,
    # a denial
    "This is not a non-GPU machine, nvidia-smi shows the card.\n" + NO_DEVICE,
    # a GPU-less machine said to work now
    "I moved it to my non-GPU laptop and now everything works fine on the CPU.",
])
def test_near_misses_claim_no_gpu_less_machine(text):
    f = facts(text)
    assert not (f.pci.devices.ok and f.pci.devices.value == ()), f.pci.devices


def test_a_named_nvidia_gpu_outranks_the_words():
    text = "My computer doesn't have GPU acceleration? It has an RTX 3060.\n" + NO_DEVICE
    assert NO_GPU not in findings(text)


# --------------------------------------------------------------------------- 2. a VirtualBox guest's prompt
MDVC = ("(mdvc) tarun@tarun-VirtualBox:~/Downloads/MDVC$ python main.py --device_ids 1\n"
        "THCudaCheck FAIL file=/opt/conda/conda-bld/pytorch_1565272271120/work/aten/src/THC/THCGeneral.cpp line=50 "
        "error=38 : no CUDA-capable device is detected\n"
        "RuntimeError: cuda runtime error (38) : no CUDA-capable device is detected at "
        "/opt/conda/conda-bld/pytorch_1565272271120/work/aten/src/THC/THCGeneral.cpp:50")


def test_a_virtualbox_guests_prompt_is_a_guest_without_a_gpu():
    assert facts(MDVC).host.in_vm.value == "virtualbox"
    assert NO_GPU in errors(MDVC)


@pytest.mark.parametrize("text", [
    # a host name that merely contains the word, or a path, or no prompt at all
    "root@virtualbox-host:~# python train.py\n" + NO_DEVICE,
    "see ~/VirtualBox VMs/ubuntu-VirtualBox.vbox for the settings\n" + NO_DEVICE,
    "I renamed my desktop from alex-VirtualBox to alex-desktop long ago.\n" + NO_DEVICE,
    # passthrough spoken of
    "alex@alex-VirtualBox:~$ nvidia-smi\nI set up PCI passthrough for the GPU.\n" + NO_DEVICE,
])
def test_no_virtualbox_guest_without_its_prompt(text):
    assert facts(text).host.in_vm.value != "virtualbox"


def test_a_gpu_working_in_the_guest_says_no_gpu_missing():
    text = ("alex@alex-VirtualBox:~$ python -c 'import torch; print(torch.cuda.is_available())'\nTrue\n"
            "Traceback (most recent call last):\nValueError: bad shape")
    assert NO_GPU not in findings(text)


# --------------------------------------------------------------------------- 3. another machine's GPU
@pytest.mark.parametrize("text", [
    "I'm on my laptop, my NVIDIA GTX 1080 is in the other PC. torch.cuda.is_available() returns False.",
    "The RTX 3090 is in my desktop, this is the laptop. RuntimeError: No CUDA GPUs are available",
    "My old PC had a GTX 1080. RuntimeError: No CUDA GPUs are available",
    "I have an RTX 3090 in my other PC. RuntimeError: No CUDA GPUs are available",
    "In my friend's PC there is an RTX 4090. RuntimeError: No CUDA GPUs are available",
])
def test_another_machines_gpu_is_not_this_ones(text):
    assert facts(text).has_nvidia_gpu is not True


@pytest.mark.parametrize("text", [
    "The RTX 3090 is in my desktop. RuntimeError: No CUDA GPUs are available",
    "I moved my GTX 1080 from my old PC into this one. RuntimeError: No CUDA GPUs are available",
    "My old GTX 1080 died, so I bought an RTX 3090. RuntimeError: No CUDA GPUs are available",
    "The RTX 3090 is in my desktop, and this is the desktop I am running it on. No CUDA GPUs are available",
    "I have an RTX 3090 in this PC. RuntimeError: No CUDA GPUs are available",
])
def test_this_machines_gpu_still_counts(text):
    assert facts(text).has_nvidia_gpu is True


def test_another_machines_gpu_and_none_here():
    text = "I have a RTX 3090 in my other PC but this laptop has no NVIDIA GPU. Torch not compiled with CUDA enabled"
    assert NO_GPU in errors(text)
