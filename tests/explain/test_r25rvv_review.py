"""Review of round 25 v: texts a working machine's owner would paste, near-misses of the round's three
widenings, and broken texts of the same classes in other words. Texts written for the test.

1. gpu_vendor_prose: a card named with a failure right after it is not this machine's when others
   tell it ("用户反馈 …", "some users say …"), when it was another or a past machine ("… on my old
   PC"), or when the failure is told as over or discussed elsewhere; NVIDIA hardware said in the
   words people type without "RTX" ("我这边是3090", "my 3090", "另一张N卡", "换成了NVIDIA的卡") is a
   hybrid or replaced machine's NVIDIA GPU.
2. display_adapters: in a spec list whose CPU is an earlier item, the CPU's own integrated graphics
   as the next item ("Ryzen 7 4800H, Radeon Graphics") and a list headed as a comparison or another
   machine name no adapter of this machine.
3. visible_devices: a CUDA_VISIBLE_DEVICES change told with another reason (a busy, full or slower
   GPU; out of memory, an illegal access, NCCL, DDP; "because GPU 0 is the 3090") or made by someone
   else is no value that hid the GPU; "now it runs" and "the error disappeared" tell the fix.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NO_GPU = "no_nvidia_gpu_found"
HIDES = "cuda_visible_devices_hides_gpus"
NOT_COMPILED = 'raise AssertionError("Torch not compiled with CUDA enabled")\nAssertionError: Torch not compiled with CUDA enabled'
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
OOM = "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"


# --------------------------------------------------------------------------- 1. a card named with a failure
@pytest.mark.parametrize("text", [
    "用户反馈 AMD 6800显卡部署出错，我这边是3090，没问题。",
    "用户反馈 AMD 6800显卡部署出错，请问支持吗",
    "AMD 7900XTX 报错的问题在 #123 已经讨论过了，我的问题是显存不够。\n" + OOM,
    "AMD 6800显卡部署出错的问题已经解决了，换成了NVIDIA的卡",
    "AMD 6800显卡部署出错的问题已经解决了，装了ROCm版本",
    "显卡：AMD 6800（亮机卡），计算用的是另一张N卡",
    "我这边是3090，没问题。AMD 6800显卡部署出错是另一个问题",
    "AMD Radeon driver crashes were an issue on my old PC. Now everything runs fine on this one.",
    "I use the AMD 6800 for display and my 3090 for compute.\n" + NOT_COMPILED,
    "显卡：6700XT 在我的旧电脑上，现在这台是另一张卡，运行正常",
    "Graphics card: Arc A770 in my other PC; this one works fine.",
    "I have a GeForce card and an AMD RX 6600 for the monitors.\n" + NOT_COMPILED,
])
def test_card_not_this_machines(text):
    assert NO_GPU not in findings(text)


@pytest.mark.parametrize("text", [
    "AMD 6800显卡部署出错\n" + NOT_COMPILED,
    "AMD RX 6800 card crashes with " + NO_DRIVER,
    NOT_COMPILED + "\n显卡：AMD 6800，没有N卡",
    # the NVIDIA card told as the one used before
    "我的显卡是6700XT，之前用的3060，现在换成A卡后报错\n" + NOT_COMPILED,
    # NVIDIA named as a kind, not a card of this machine: "CUDA is the NVIDIA camp's"
    "请问是不是不支持AMD显卡？我是AMD 6600XT\n碰到了异常:\"Torch not compiled with CUDA enabled\"\nCUDA是N卡阵营的",
])
def test_card_named_with_its_failure(text):
    assert NO_GPU in findings(text)


@pytest.mark.parametrize("text", [
    "My laptop: Ryzen 7 5800H with Radeon Graphics + RTX 3060. Training runs fine but slow, how do I increase batch size?",
    "I use the AMD 6800 for display, the 3090 for compute. torch.cuda.is_available() returns True.",
    "Laptop with Intel Iris Xe and an RTX 4060. Everything works; question about fp16 speed.",
    "My GPU is an RX 7900 XTX, I use ROCm 6.0 with torch 2.3.0+rocm6.0 on purpose. torch.cuda.is_available() "
    "returns True. How do I enable flash attention?",
    "I'm on a MacBook Pro M2. MPS works, torch.backends.mps.is_available() returns True. Is fp16 supported on MPS?",
    "Compared to an AMD 6800 XT, the 3080 is 2x faster in this benchmark. My results below.",
    "显卡：AMD 6800，使用ROCm版本的pytorch，运行正常。请问如何加速？",
    "Graphics card: Arc A770. I use intel-extension-for-pytorch and torch.xpu.is_available() is True. How do I use bf16?",
    "Specs: Ryzen 9 7950X3D / Radeon iGPU / 4090 / 64GB\nQuestion: how to set num_workers?",
    "Setup: Intel Core i9-13900K + Intel UHD Graphics 770 + 2x 3090\nEverything works.",
])
def test_working_machines_with_another_vendors_gpu_get_no_error(text):
    assert not errors(text)


@pytest.mark.parametrize("text", [
    "GPU: RX 7900 XTX (ROCm 6.1), torch 2.4.0+rocm6.1, everything works. Feature request: add a --dtype flag.",
    "My GPU is an AMD RX 6800. PyTorch version: 2.3.1+rocm6.0\nTraining works, how do I resume from a checkpoint?",
])
def test_rocm_build_in_use_on_purpose_is_no_missing_nvidia_gpu(text):
    assert NO_GPU not in findings(text)


def test_rocm_build_with_a_cuda_failure_still_tells_no_nvidia_gpu():
    text = "My GPU is an AMD RX 6800, torch 2.3.1+rocm6.0\n" + NO_DRIVER
    assert NO_GPU in findings(text)


# --------------------------------------------------------------------------- 2. spec lists
@pytest.mark.parametrize("text", [
    "Laptop: Ryzen 7 4800H, Radeon Graphics, 16GB RAM\n" + NO_DRIVER,
    "System: Intel Core i7-1165G7 / Intel Iris Xe Graphics / 16 GB\n" + NO_DRIVER,
    "For comparison - Ryzen 9 7950X, Radeon RX 7900 XTX: 12 it/s. My machine below.\n" + NO_DRIVER,
    "My friend's PC - Ryzen 5 5600X, Radeon RX 6700 XT - runs it fine.\n" + NO_DRIVER,
])
def test_spec_list_names_no_adapter_of_this_machine(text):
    assert NO_GPU not in findings(text)


@pytest.mark.parametrize("text", [
    NO_DRIVER + "\nMy PC: Ryzen 5 5600X, Radeon RX 6700 XT, 32GB RAM",
    NO_DRIVER + "\nSpecs: i5-12400F / Intel Arc A750 / 16GB",
])
def test_discrete_card_after_the_cpu(text):
    assert NO_GPU in findings(text)


# --------------------------------------------------------------------------- 3. CUDA_VISIBLE_DEVICES changed
@pytest.mark.parametrize("text", [
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 since GPU 1 was busy, and it works now.",
    "GPU 1 is used by another job, so I changed CUDA_VISIBLE_DEVICES from 1 to 0 and training runs fine.",
    "In my case a change of CUDA_VISIBLE_DEVICES from 1 to 0 was necessary because GPU 1 was full.",
    "I had to change CUDA_VISIBLE_DEVICES from 1 to 0 to avoid out of memory, GPU 1 is shared with a colleague.",
    OOM + "\nI changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works, since GPU 1 had another process.",
    "export CUDA_VISIBLE_DEVICES=1 gives an out-of-memory error. Changing it to CUDA_VISIBLE_DEVICES=0 worked.",
    "On our 2-GPU server CUDA_VISIBLE_DEVICES=1 crashed with an illegal memory access; changing it to 0 fixed it.",
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 to use the faster GPU and it works.",
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 because GPU 0 is the 3090 and it works.",
    "I changed CUDA_VISIBLE_DEVICES from 1,2 to 0 and training works now on a single GPU, the DDP error is gone.",
    "Someone in #12 changed CUDA_VISIBLE_DEVICES from 1 to 0 and it worked for them; for me it still fails.\n"
    "RuntimeError: CUDA error: out of memory",
    "My colleague had to change CUDA_VISIBLE_DEVICES from 1 to 0 to make it run. I'm on a different machine.",
    "I changed CUDA_VISIBLE_DEVICES from 0 to 1 to use the second GPU and it works.",
    "CUDA_VISIBLE_DEVICES=1 picked the wrong GPU, changing it to 0 fixed it.",
    "I changed CUDA_VISIBLE_DEVICES from 2 to 0 and now the loss is fine, it works.",
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works, since GPU 1 is an old Kepler card not supported by torch 2.x.",
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works — GPU 1 has a lower compute capability.",
    "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-5c3a1d2e-0b6f-4c1e-9a55-3f2a1b7c9d01)\n"
    "GPU 1: NVIDIA A100-SXM4-80GB (UUID: GPU-7d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6)\n"
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works.",
])
def test_change_for_another_reason(text):
    assert HIDES not in findings(text)


@pytest.mark.parametrize("text", [
    "Switched CUDA_VISIBLE_DEVICES from 1 to 0 and now it runs, thanks!",
    "CUDA_VISIBLE_DEVICES=1 didn't work, changing it to 0 worked.",
    'I modified CUDA_VISIBLE_DEVICES from "1" to "0" and the error disappeared.',
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 because I only have one GPU, and it works.",
    "RuntimeError: No CUDA GPUs are available\nI changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works.",
    "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-5c3a1d2e-0b6f-4c1e-9a55-3f2a1b7c9d01)\n"
    "I changed CUDA_VISIBLE_DEVICES from 1 to 0 and it works.",
])
def test_change_that_made_the_gpu_visible(text):
    assert HIDES in findings(text)
