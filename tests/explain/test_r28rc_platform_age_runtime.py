"""Review rc of round 28 b: try to break its three widened classes with texts a working machine's owner would
paste, near-misses, and broken texts of the same classes in other words. Texts written for the test.

* A Jetson whose torch says CUDA is unavailable (rules/arm_wheel_sigill.jetson_torch_without_cuda,
  explain/parsers/torch_jetson_platform.py): NVIDIA's own Jetson builds named in the text ("+nv23.05",
  l4t-pytorch containers, the jetson-ai-lab index, "NVIDIA's wheel") are CUDA builds; a denied Jetson ("not
  a Jetson", "unlike a Jetson"), the x86 host that flashes one, a Raspberry Pi.
* An old GPU said beside "no kernel image" (explain/parsers/torch_old_gpu_said.py): a GPU that worked
  before ("it worked fine on my old GPU, but after upgrading …"), a model's "old architecture", "older than",
  a recent generation called old, the age set aside, a question about an upgrade to come.
* The Visual C++ runtime (explain/parsers/torch_vcruntime_said.py, rules/torch_health.py): a torch shown
  running (collect_env, "torch works fine"), an install guide's step, the runtime packaged for users,
  another program's DLL dialog."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

CPU = "torch_cpu_only_build"
OLD = "gpu_arch_too_old_for_torch_build"
NEW = "gpu_arch_unsupported_by_torch_build"
IMPORT = "torch_import_failed"
NK = "RuntimeError: CUDA error: no kernel image is available for execution on the device"
WIN_ENV = ("Collecting environment information...\nPyTorch version: 2.3.1+cu121\nIs debug build: False\n"
           "CUDA used to build PyTorch: 12.1\nOS: Microsoft Windows 11 Pro\nPython platform: Windows-10-10.0.22631-SP0\n"
           "Is CUDA available: True\nGPU models and configuration: GPU 0: NVIDIA GeForce RTX 3080\n"
           "Nvidia driver version: 552.22\n")


# ---------------------------------------------------------------- Jetson: working, NVIDIA's builds, not a Jetson
@pytest.mark.parametrize("paste", [
    # jetson-stats' jetson_release on a working Orin, a question about speed
    "Software part of jetson-stats 4.2.3 - (c) 2024, Raffaello Bonghi\n"
    "Model: NVIDIA Jetson AGX Orin Developer Kit - Jetpack 6.0 [L4T 36.3.0]\nNV Power Mode[0]: MAXN\n"
    "Platform:\n - Distribution: Ubuntu 22.04 Jammy Jellyfish\n - Release: 5.15.136-tegra\nLibraries:\n"
    " - CUDA: 12.2.140\n - cuDNN: 8.9.4.25\n - TensorRT: 8.6.2.3\n - OpenCV: 4.8.0 - with CUDA: NO\n"
    "My training script is slow, how do I speed up the dataloader?",
    "I'm on a Jetson Orin Nano with JetPack 6.0. I installed torch from the jetson-ai-lab index and "
    "torch.cuda.is_available() returns True. How do I export my model to ONNX?",
    "Linux orin 5.15.136-tegra #1 SMP PREEMPT aarch64 GNU/Linux\n"
    "$ python3 -c \"import torch; print(torch.__version__, torch.cuda.is_available())\"\n2.3.0 True",
    "Collecting environment information...\nPyTorch version: 2.1.0a0+41361538.nv23.06\nIs debug build: False\n"
    "CUDA used to build PyTorch: 11.4\nOS: Ubuntu 20.04.6 LTS (aarch64)\nIs CUDA available: True\n"
    "Python platform: Linux-5.10.120-tegra-aarch64-with-glibc2.29",
    "JetPack 6.1 [L4T 36.4.0]\ntorch 2.5.0a0+872d972e41.nv24.08\ntorch.cuda.is_available(): True\n"
    "My YOLO export to TensorRT fails with an ONNX opset error.",
    # an aarch64 server and a Raspberry Pi that is not a Jetson
    "Collecting environment information...\nPyTorch version: 2.4.0\nCUDA used to build PyTorch: 12.4\n"
    "OS: Ubuntu 22.04.4 LTS (aarch64)\nPython platform: Linux-6.5.0-1019-nvidia-64k-aarch64-with-glibc2.35\n"
    "Is CUDA available: True\nGPU models and configuration: GPU 0: NVIDIA GH200 480GB\nNvidia driver version: 550.54.15",
    "Platform: aarch64 GH200 (Grace Hopper), not a Jetson. torch 2.5.1+cu124, torch.cuda.is_available() True. "
    "NCCL hangs at init.",
    "This is not a Jetson, it's a Raspberry Pi 5. torch.cuda.is_available() returns False, which is expected "
    "since there is no NVIDIA GPU.",
    "Unlike a Jetson, my Raspberry Pi has no CUDA GPU, so torch.cuda.is_available() returns False. That's fine; "
    "my problem is with the camera.",
    "Note: on Jetson devices, torch.cuda.is_available() returns False if you install torch from PyPI; use "
    "NVIDIA's wheels instead.",  # advice
    "My Jetson Orin Nano used to return False for torch.cuda.is_available() but after installing the "
    "jetson-ai-lab wheel it returns True now.",  # over
])
def test_working_jetsons_and_other_boards_get_no_error(paste):
    assert not errors(paste)


@pytest.mark.parametrize("paste", [
    # NVIDIA's own builds named: a CUDA build, another cause (no --runtime nvidia, the video group)
    "Running nvcr.io/nvidia/l4t-pytorch:r35.2.1-pth2.0-py3 on my Jetson Xavier NX. torch.cuda.is_available() "
    "returns False inside the container; I forgot --runtime nvidia.",
    "JetPack 5.1.1, torch-2.0.0+nv23.05-cp38-cp38-linux_aarch64.whl installed. torch.cuda.is_available() returns False",
    ">>> import torch\n>>> torch.__version__\n'2.0.0+nv23.05'\n>>> torch.cuda.is_available()\nFalse\n"
    "Jetson AGX Orin, JetPack 5.1.1",
    "Jetson Nano, JetPack 4.6, torch 1.10.0 from NVIDIA's wheel. torch.cuda.is_available() returns False when I "
    "run as a user not in the video group.",
    "jetson-containers run $(autotag l4t-pytorch)\n>>> torch.cuda.is_available()\nFalse",
    "I am running my code on Jetson Orin NX (JetPack 5.1.2). Since I am in docker, torch.cuda.is_available() "
    "returns False. The container is dustynv/l4t-pytorch:r35.4.1.",
    # the x86 host that flashes the Jetson
    "I use SDK Manager on my Ubuntu 22.04 host PC to flash JetPack 6.0 to my Orin. On the host, "
    "torch.cuda.is_available() returns False.",
])
def test_jetson_near_misses_are_not_the_pypi_wheel(paste):
    assert CPU not in findings(paste)


@pytest.mark.parametrize("paste", [
    "Jetson Orin Nano dev kit, pip3 install torch torchvision, then torch.cuda.is_available() gives False.",
    "Linux nano 4.9.253-tegra #1 SMP PREEMPT aarch64\n>>> torch.cuda.is_available()\nFalse",
    "I'm using a Jetson AGX Xavier (not a desktop). After pip install torch==2.1.0 torch.cuda.is_available() is False.",
    "Linux orin 5.15.136-tegra #1 SMP PREEMPT aarch64 GNU/Linux\n"
    "$ python3 -c \"import torch; print(torch.__version__, torch.cuda.is_available())\"\n2.3.0 False",
])
def test_jetson_with_the_pypi_wheel_in_other_words(paste):
    assert CPU in findings(paste)


@pytest.mark.parametrize("paste", [
    # NVIDIA's build named but not taken: still the PyPI wheel
    "I did not use NVIDIA's wheel; I ran pip install torch on my Jetson Orin Nano and torch.cuda.is_available() "
    "returns False.",
    "Should I use NVIDIA's wheel? On my Jetson Nano torch.cuda.is_available() returns False after pip install torch",
])
def test_jetson_with_nvidias_build_not_taken(paste):
    assert CPU in findings(paste)


# ---------------------------------------------------------------- an old GPU said
@pytest.mark.parametrize("said", [
    "It worked fine on my old GPU, but after upgrading I get",  # the old GPU is the one before
    "On my old GPU it worked. Now I get",
    "I moved from my old GPU to a new RTX 5090 and now get",
    "I used to have an old GPU. Now:",
    "以前的老显卡没问题，现在报错",
    "I know this is an old architecture (an LSTM) but training fails with",  # a model's architecture
    "The model architecture is old, I know.",
    "The GPU is older than the CPU, but both are recent (2024).",  # a comparison
    "I know my GPU is old-ish (Ampere) but",  # a generation the wheels carry
    "My GPU is old but this is not the problem.",  # set aside
    "My GPU isn't old.",
    "I'm using an old driver.",
    "My old card is in a drawer; this machine has a brand new one.",
])
def test_old_gpu_near_misses_keep_the_default(said):
    got = findings(f"{said}\n{NK}")
    assert OLD not in got


@pytest.mark.parametrize("said", [
    "My GPU is ancient (a Kepler card).",
    "The GPU is really old.",
    "I have a very old NVIDIA card.",
    "It's an older GPU, if that matters.",
    "I'm running an old GPU and",
    "My graphics card is old.",
])
def test_an_old_gpu_in_other_words(said):
    got = findings(f"{said}\n{NK}")
    assert OLD in got and NEW not in got


# ---------------------------------------------------------------- the Visual C++ runtime
@pytest.mark.parametrize("paste", [
    # a torch that runs (collect_env imported it) beside the runtime said missing: over, or another program's
    WIN_ENV + "I had to install the VC++ redistributable first, but now the model trains 3x slower than on Linux. Why?",
    WIN_ENV + "(OpenCV needed the Visual C++ Redistributable, which was missing.) My question: how do I use AMP?",
    # an install guide's step, the runtime packaged for users
    "## Installation on Windows\n1. Install Python 3.11\n2. Install the Microsoft Visual C++ Redistributable (it was "
    "missing on our test machines and torch failed to import)\n3. pip install torch --index-url "
    "https://download.pytorch.org/whl/cu121",
    "Our Docker image for Windows needed to include vc_redist, otherwise torch DLLs fail to load.",
    "In the Windows installer, we had to bundle vc_redist.x64.exe to fix DLL load errors for users.",
    # another program's DLL dialog, torch said to work
    "The code execution cannot proceed because VCRUNTIME140_1.dll was not found. This happens when I start Blender. "
    "Separately, torch 2.2 works fine in my venv.",
    "llama.cpp's main.exe says MSVCP140.dll was not found. My torch install is fine.",
    "Changelog v1.4: fixed a crash when the VC++ runtime was missing (torch import failed).",
    "Installed vc_redist because I had to for ComfyUI; import torch works, cuda available True.",
])
def test_vc_runtime_near_misses(paste):
    assert IMPORT not in findings(paste)


@pytest.mark.parametrize("paste", [
    "After reinstalling Windows I had to install vc_redist.x64.exe again, otherwise import torch failed with WinError 126.",
    "Turns out the Microsoft Visual C++ 2015-2022 Redistributable was missing on this PC.",
    "OSError: [WinError 126] The specified module could not be found. Error loading "
    "\"C:\\Users\\me\\venv\\lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n"
    "I had to install the VC++ redistributable to resolve this.",
    "The code execution cannot proceed because VCRUNTIME140_1.dll was not found. It pops up when I run import torch.",
])
def test_vc_runtime_failures_in_other_words(paste):
    assert IMPORT in findings(paste)


# ---------------------------------------------------------------- second pass: Jetsons in general, a target only
@pytest.mark.parametrize("paste", [
    "Note: on Jetson devices, torch.cuda.is_available() returns False if you install torch from PyPI.",
    "Jetson users: torch.cuda.is_available() returns False with the PyPI wheel.",
    # the Jetson a target; the laptop failing is WSL (L4T is aarch64 Linux)
    "Jetson Orin Nano\ntorch.cuda.is_available() returns False in WSL on my laptop.",
    "Jetson Orin Nano is my target.\n$ uname -a\nLinux LAPTOP 5.15.153.1-microsoft-standard-WSL2 #1 SMP x86_64 "
    "GNU/Linux\n>>> torch.cuda.is_available()\nFalse",
])
def test_jetsons_in_general_or_as_a_target_are_not_this_machine(paste):
    assert CPU not in findings(paste)


@pytest.mark.parametrize("said", [
    "老显卡已经换成4090了。",  # replaced
    "我的显卡不老，是4090。",  # denied
    "My old GPU (a 1080) was replaced by the 5090 I use now.",
    "Old GPU support was dropped in CUDA 12.8, according to the release notes.",
])
def test_old_gpu_near_misses_second_pass(said):
    assert OLD not in findings(f"{said}\n{NK}")


@pytest.mark.parametrize("paste", [
    "我之前缺少VC运行库，装了之后 import torch 没问题了。现在训练很慢。",  # over
    "The Visual C++ Redistributable was missing, so pip install failed to build llama-cpp-python; torch itself is fine.",
    "I had to install the VC++ redistributable for the NVIDIA driver installer.",  # another program's
    "vc_redist.x64.exe /install /quiet /norestart\nInstalling torch...\nSuccessfully installed torch-2.3.1",
])
def test_vc_runtime_near_misses_second_pass(paste):
    assert IMPORT not in findings(paste)


@pytest.mark.parametrize("paste", [
    "Error loading c10.dll happened last week, I reinstalled and it's gone.",  # over
    WIN_ENV + "Earlier I got Error loading c10.dll, so I reinstalled torch. Now my question is about DataLoader workers.",
])
def test_torchs_dll_retold_as_over_or_beside_a_running_torch(paste):
    assert IMPORT not in findings(paste)


@pytest.mark.parametrize("said", [
    "Meine Grafikkarte ist nicht alt, es ist eine RTX 4080.",
    "Ma carte graphique n'est pas vieille.",
    "Моя видеокарта не старая.",
    "Mi tarjeta gráfica no es antigua.",
])
def test_old_gpu_denied_in_other_languages(said):
    assert OLD not in findings(f"{said}\n{NK}")
