"""Review of round 23: texts a working machine's owner would paste, near-misses, and broken texts of
round 23's classes in other words.

Classes: a machine said to be GPU-less (parsers/gpu_less_machine.py) and another machine's GPU
(gpu_elsewhere.py); the driver said not to be in the image (container_driver_denied.py,
container_prose.py), a node advertising 0 GPUs (container_node_gpus.py); a quoted Xid table, a
host's /dev/shm, a GPU off the bus retold (reference_table.py, host_health.py); a torch build said
to lack the GPU (torch_arch_prose.py), torch's DLL failure retold (torch_import_retold.py), an
extension failing after torch changed (extension_prose.py).

Texts written for the test, after the shapes of real threads; the four marked "real" are the
reporters' own words from CPU-inference questions (chequanghuy/TwinLiteNet#2,
princeton-vl/CornerNet-Lite#34, prabindh/darknet#24, muellerdo/kits19.MIScnn#6).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NO_DEVICE = "RuntimeError: Found no NVIDIA driver on your system."
DF_HOST = ("Filesystem      Size  Used Avail Use% Mounted on\n/dev/nvme0n1p2  916G  300G  570G  35% /\n"
           "tmpfs            32G  1.2M   32G   1% /dev/shm\ntmpfs           5.0M  4.0K  5.0M   1% /run/lock")


# --------------------------------------------------------------------------- healthy: no error finding
@pytest.mark.parametrize("text", [
    # a GPU-less machine, by choice, or another machine's
    "I have a non-GPU laptop for travel but this workstation has an RTX 4090 and torch.cuda.is_available() returns "
    "True. The training loss is NaN after 100 steps though.",
    "Works fine on my GPU-less laptop in CPU mode, thanks for the great library! Feature request: add a --threads option.",
    "I don't have a GPU so I use the CPU version, and it runs fine. My question is about the tokenizer output.",
    "My PC doesn't have an NVIDIA GPU, it has an AMD one, so I use ROCm and everything works.",
    "We do not have GPUs on the CI machines, so tests run on CPU.",
    "This is a no-GPU server, intended: we run inference on CPU with onnxruntime. The issue is the output shape.",
    "Note: the docs say 'If you don't have a GPU, install the cpu wheel'.",
    "user@alice-VirtualBox:~/proj$ python train.py --device cpu\nEpoch 1 loss 0.5\nEpoch 2 loss 0.4\nHow do I save the checkpoint?",
    "Before, my laptop didn't have a GPU, but now I bought an RTX 3060 and it works: torch.cuda.is_available() True",
    "The 3090 is in my desktop, this is the laptop with a GTX 1650. nvidia-smi works and CUDA is available.",
    "I'm using a GPU-less VM for the web frontend, and the model server runs on an A100 node. The frontend gets a 502 timeout.",
    "this is a gpu less question: how do I set the log level?",
    "I have a GTX 1080 in my other PC but this laptop only has Intel graphics; I run on CPU and it works.",
    "My RTX 3090 was in my old PC; I moved it into this one and nvidia-smi shows it fine.",
    # real: CPU-inference questions
    "Hello. Is it convenient to make a CPU inference? I want to do an inference test on the CPU,Because I don't have "
    "hardware like a GPU",
    "Right now I only want to try to infer to compare with other models but I don't have a gpu in my computer, how I "
    "should change the code to make it?",
    "1. I am not having GPU infrastructure \n2. I wish to run the inference on my local system using your model \n"
    "3. Is it possible to run it without using a GPU ?  if yes then what approach should I try ?",
    # containers
    "# Do not install the NVIDIA driver in the image; the host provides it via the container toolkit.\n"
    "FROM nvidia/cuda:12.2.0-runtime-ubuntu22.04\nRUN pip install torch\n\nInside the container "
    "torch.cuda.is_available() is True and training works. My question is about the data loader speed.",
    "We don't install the NVIDIA driver in our Dockerfile, the nvidia-container-toolkit mounts it. Everything works, "
    "nvidia-smi in the container shows the A100.",
    "Per the docs: do not install the driver inside the container.",
    "We never install nvidia drivers on our laptops, IT does that.",
    "I didn't install the driver in the image because the host already had it, and it works fine now.",
    "The changelog says: 'no longer install cuda-drivers in the base image'.",
    "Should we not install the nvidia driver in the image?",
    "Capacity:\n  cpu:                64\n  memory:             527957980Ki\n  nvidia.com/gpu:     8\n  pods:               110\n"
    "Allocatable:\n  cpu:                63\n  memory:             527855580Ki\n  nvidia.com/gpu:     8\n  pods:               110",
    "resources:\n  limits:\n    nvidia.com/gpu: 0\n  requests:\n    cpu: 1",
    "Capacity:\n  cpu:                8\n  memory:             32Gi\n  nvidia.com/gpu:     0\n\n"
    "This is our CPU node pool; GPU pods are scheduled onto the gpu pool which shows nvidia.com/gpu: 4.",
    "After the device plugin restart allocatable nvidia.com/gpu is now 4 (it was 0).",
    "Our CPU-only node has allocatable nvidia.com/gpu: 0, as expected; the GPU node has 8.",
    "I installed nvidia-container-toolkit and restarted docker, now docker run --gpus all nvidia/cuda:12.2.0-base nvidia-smi works.",
    "docker run --gpus all nvidia/cuda:12.4.0-base-ubuntu22.04 nvidia-smi works fine. I was missing the "
    "nvidia-container-toolkit on my laptop at first, but installed it last week.",
    "The README is missing nvidia-container-toolkit in the prerequisites list. docker run --gpus all works for me.",
    "We were missing the nvidia-container-toolkit on the old node; this one has it and docker run --gpus all works.",
    "We were missing the nvidia-container-toolkit on the old node.\ndocker run --gpus all -it myimage bash",
    "Are we missing the nvidia-container-toolkit? docker run --gpus all works on the other box.",
    # Xid tables, /dev/shm, a GPU lost said to be over
    "Which of these Xid errors should we alert on?\nXid 13: Graphics Engine Exception\nXid 31: GPU memory page fault\n"
    "Xid 48: Double Bit ECC Error\nXid 79: GPU has fallen off the bus",
    "Our alerting rules:\n- Xid 48 — Double Bit ECC Error -> drain node\n- Xid 63 — ECC page retirement -> ticket\n"
    "- Xid 79 — GPU has fallen off the bus -> reboot\nAll our nodes are healthy right now.",
    DF_HOST,
    "Xid 79 means the GPU has fallen off the bus; we have never seen it on this node.",
    "Xid 48 indicates a Double Bit ECC Error, right? Our nodes are fine, just asking.",
    "The shared memory is not enough? I'm not sure. df shows /dev/shm at 32G.",
    # a torch build said to lack the GPU, an extension, torch's DLL
    "Old versions of torch do not support the RTX 5090; I installed the cu128 nightly and it works.",
    "Earlier releases of PyTorch don't support the RTX 5080, so I use 2.7.1+cu128 which runs fine.",
    "torch < 2.7 doesn't support Blackwell; we pinned torch==2.7.1 and training works.",
    "The README says: torch 1.13 is not compatible with the RTX 4090, use torch 2.0 or newer.",
    "torch 2.6 does not support Python 3.13 on my RTX 4090 box, so I used Python 3.12.",
    "My torch 2.4 build is not compatible with numpy 2 on the A100 node.",
    "torch 2.3 does not support FlashAttention-3 on the H100 yet.",
    "torch 2.1.0+cu121 works with my RTX 4090; the issue is that the H100 cluster job hangs at NCCL init.",
    "We built PyTorch from source for the Jetson AGX Orin and it works great. The question is about TensorRT export.",
    "Is it necessary to build pytorch from source for the RTX 5090?",
    "The release notes say PyTorch 2.7 is the first version to support Blackwell (sm_120).",
    "After upgrading torch to 2.4 the xformers import fails with undefined symbol, but after reinstalling xformers it "
    "works fine now.",
    "After upgrading torch to 2.4 I reinstalled flash-attn so there is no undefined symbol error anymore.",
    "If you upgrade torch, flash-attn may fail with an undefined symbol; rebuild it.",
    "Upgraded torch to 2.5, xformers worked fine. The undefined symbol error I reported was from another machine.",
    "Does upgrading torch break torchvision with undefined symbol?",
    "After upgrading torch, remember to rebuild flash-attn, otherwise you get undefined symbol.",
    "Note for others: after upgrading torch to 2.4 the xformers import fails with undefined symbol unless you reinstall xformers.",
    "Changelog 0.0.28: fixed the undefined symbol error in xformers after upgrading torch to 2.5.",
    "We upgraded torch to 2.5 across the fleet; vllm, xformers and flash-attn all import fine. Undefined symbol errors "
    "are a thing of the past for us.",
    "The RTX 4090 is in my other PC; this laptop has an RTX 3050 and torch.cuda.is_available() is True.",
    "the 5090 in my friend's PC is not supported by his torch 2.4, but my 4090 runs fine with it",
    "user@bob-VirtualBox:~$ ssh gpu-server\nbob@gpu-server:~$ nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1234)",
    "When I import torch I used to get DLL load failed, but installing the VC++ redistributable fixed it.",
    "import torch works; importing cv2 gives DLL load failed.",
    "If import torch gives DLL load failed, install the Visual C++ redistributable.",
    "The FAQ: 'import torch fails with DLL load failed: install VC++ redist'.",
    "Has anyone seen import torch give DLL load failed on Windows 11?",
])
def test_healthy_or_near_miss_gets_no_error(text):
    assert errors(text) == {}


# --------------------------------------------------------------------------- the fixes, by id
@pytest.mark.parametrize("text, fid", [
    # "GPU" a modifier of what is missing, not the card (gpu_less_machine)
    ("My server doesn't have GPU monitoring installed.", "no_nvidia_gpu_found"),
    ("Our cluster's login node doesn't have GPU quotas set.\n" + NO_DEVICE, "no_nvidia_gpu_found"),
    # "didn't install the driver in the image" is a denial (container_prose)
    ("I didn't install the driver in the image because the host already had it, and it works fine now.",
     "driver_installed_inside_container"),
    # the machine the person writes from (gpu_less_machine)
    ("I'm typing this on my non-GPU laptop; the training server is what fails:\n"
     "RuntimeError: CUDA error: no kernel image is available for execution on the device", "no_nvidia_gpu_found"),
    # another module's DLL failure beside a working torch import (torch_import_retold)
    ("import torch works; importing cv2 gives DLL load failed.", "torch_import_failed"),
])
def test_not_read_any_more(text, fid):
    assert fid not in findings(text)


# --------------------------------------------------------------------------- broken texts in other words
@pytest.mark.parametrize("text, fid", [
    ("My laptop has no dedicated GPU.\nAssertionError: Torch not compiled with CUDA enabled", "no_nvidia_gpu_found"),
    ("I'm running this on a GPU-less workstation.\n" + NO_DEVICE, "no_nvidia_gpu_found"),
    ("My machine does not have a GPU, only an Intel iGPU.\n" + NO_DEVICE, "no_nvidia_gpu_found"),
    ("My computer doesn't have a GPU at all.\n" + NO_DEVICE, "no_nvidia_gpu_found"),
    ("I don't have a GPU here.\n" + NO_DEVICE, "no_nvidia_gpu_found"),
    ("I didn't install the driver in the image.\nFailed to initialize NVML: Driver/library version mismatch",
     "nvml_driver_library_mismatch"),
    ("docker run --gpus all myimage\ndocker: Error response from daemon: could not select device driver \"\" with "
     "capabilities: [[gpu]].\nTurns out I was missing the nvidia-container-toolkit.", "nvidia_container_toolkit_missing"),
    ("docker run --gpus all -it myimage bash fails.\nI checked and we were missing the nvidia-container-toolkit on this host.",
     "nvidia_container_toolkit_missing"),
    ("The torch version I installed is not compatible with my RTX 5070 Ti.", "gpu_arch_unsupported_by_torch_build"),
    ("torch 2.4.1 doesn't support my RTX 5090 yet, I get an error when training.", "gpu_arch_unsupported_by_torch_build"),
    ("PyTorch 1.7 is too old for the RTX 3090.", "gpu_arch_unsupported_by_torch_build"),
    ("My old torch version does not support the RTX 5090.", "gpu_arch_unsupported_by_torch_build"),
    ("after I upgraded pytorch to 2.5, torch_scatter fails with undefined symbol", "extension_built_for_other_torch"),
    ("import torch gives me DLL load failed while importing _C: The specified module could not be found.",
     "torch_import_failed"),
    ("Every time I import torch: DLL load failed. Windows 10, python 3.11.", "torch_import_failed"),
    ("GPU 0 keeps falling off the bus under load.", "gpu_lost"),
    ("dmesg shows Xid 79 every few hours on this node.", "gpu_lost"),
    # a definition beside the log's own words, or the person's own sighting
    ("dmesg shows Xid 79 every few hours on this node. Xid 79 means the GPU has fallen off the bus.", "gpu_lost"),
    ("I got Xid 79, which means the GPU has fallen off the bus.", "gpu_lost"),
    ("Xid 79 is what we see every night: GPU has fallen off the bus.", "gpu_lost"),
    ("[ 1234.567] NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.\n"
     "Xid 79 means the GPU has fallen off the bus, what can I do?", "gpu_lost"),
])
def test_broken_in_other_words_is_found(text, fid):
    assert fid in errors(text)
