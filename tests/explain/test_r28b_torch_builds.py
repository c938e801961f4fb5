"""Round 28 b: three classes strangers' short reports showed (fresh3's misses), widened to their families.

* A Jetson where torch says CUDA is unavailable (rules/arm_wheel_sigill.jetson_torch_without_cuda):
  the aarch64 wheels pip takes from PyPI have no CUDA for a Jetson's GPU (NVIDIA's JetPack builds do):
  torch_cpu_only_build, not the GPU's age (a GPU too old for a build leaves is_available() True).
* "no kernel image" with no GPU named and the person calling their GPU old ("this is an older GPU",
  in eight languages; explain/parsers/torch_old_gpu_said.py): the build dropped it.
* The Visual C++ runtime said to be what fixed the failure ("I had to download vc_redist.x64.exe
  … to resolve this issue", in nine languages; explain/parsers/torch_vcruntime_said.py), and torch's
  own "Microsoft Visual C++ Redistributable is not installed" (messages.toml r28b): torch_import_failed.

Near-misses for each: questions, denials, advice and conditions, a fix said not to have helped,
another machine, NVIDIA's own Jetson build, another framework's DLLs. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

CPU = "torch_cpu_only_build"
OLD = "gpu_arch_too_old_for_torch_build"
NEW = "gpu_arch_unsupported_by_torch_build"
IMPORT = "torch_import_failed"
NK = "RuntimeError: CUDA error: no kernel image is available for execution on the device"


# ---------------------------------------------------------------- Jetson
@pytest.mark.parametrize("paste", [
    "I successfully install the torch on my jetson nano(Jetpack 4.4 [L4T 32.4.3]),but cuda.is_available() returns false",
    "I installed torch on my Jetson Orin NX with pip install torch but torch.cuda.is_available() returns False",
    "Jetson Xavier NX, torch 1.10.0, torch.cuda.is_available() returns False",
    ">>> import torch\n>>> torch.__version__\n'2.5.0'\n>>> torch.cuda.is_available()\nFalse\n(on a Jetson Orin Nano, JetPack 6.1)",
    # the platform without its module (explain/parsers/torch_jetson_platform.py)
    "JetPack 5.1 (L4T 35.3.1): torch.cuda.is_available() returns False after pip install torch",
    "Linux ubuntu 5.15.148-tegra #1 SMP PREEMPT aarch64\ntorch.cuda.is_available() returns False",
    "On my Jetson, torch.cuda.is_available() returns False",
])
def test_jetson_without_cuda_is_the_cpu_wheel(paste):
    got = findings(paste)
    assert CPU in got and OLD not in got and NEW not in got


@pytest.mark.parametrize("paste", [
    "Jetson Nano: torch.cuda.is_available() returns True",  # working
    # NVIDIA's own Jetson build: a CUDA build, another cause
    "On my Jetson TX2, torch 2.1.0a0+41361538.nv23.06, torch.cuda.is_available() is False",
    "Jetson Nano, torch 1.10.0a0+git36449ea.nv21.12 (from NVIDIA), torch.cuda.is_available() returns False",
    # torch's own build shown as a CUDA one
    "Jetson AGX Orin\nPyTorch version: 2.3.0\nIs debug build: False\nCUDA used to build PyTorch: 12.2\n"
    "Is CUDA available: False",
    # a desktop GPU beside it: its build may be the one meant
    "My RTX 3090 desktop: torch.cuda.is_available() returns False. My Jetson Nano works fine.",
    "My Jetson works fine. On my laptop torch.cuda.is_available() returns False.",
    "Does torch.cuda.is_available() return False on a Jetson?",  # a question
    "I will deploy to a Jetson later. Right now torch.cuda.is_available() returns False on my desktop.",
    "On my Jetson, torch.cuda.is_available() returns True",
])
def test_jetson_near_misses_are_not_the_cpu_wheel(paste):
    got = findings(paste)
    assert CPU not in got and OLD not in got


# ---------------------------------------------------------------- an old GPU said
@pytest.mark.parametrize("said", [
    "I certainly understand this is an older GPU but it does still work with other cuda 12.8 processes.",
    "My card is quite old.",
    "I'm using an old GPU.",
    "我的显卡比较老了。",
    "古いGPUを使っています。",
    "오래된 그래픽카드입니다.",
    "У меня старая видеокарта.",
    "Mi tarjeta gráfica es antigua.",
    "Minha placa de vídeo é antiga.",
    "Ich habe eine ältere Grafikkarte.",
    "J'ai une vieille carte graphique.",
    "It's quite an old card.",
    "I have an older-generation GPU.",
    "I'm on an old Quadro.",
])
def test_no_kernel_image_on_a_gpu_called_old(said):
    got = findings(f"{said}\n{NK}")
    assert OLD in got and NEW not in got


@pytest.mark.parametrize("said", [
    "Is my GPU too old?",  # a question
    "My GPU is not that old.",  # denied
    "I replaced my old GPU with a new one.",  # the old one is gone
    "My old card worked fine, the new one fails.",
    "If your GPU is old, install the cu126 build.",  # advice
    "On my other machine the GPU is old.",  # another machine
    "Older GPU drivers are no longer supported.",  # drivers, GPUs in general
    "My code is old.",
    "I have an old GPU driver.",  # the driver, not the GPU
    "My GPU's driver is old.",
])
def test_no_kernel_image_near_misses_keep_the_default(said):
    got = findings(f"{said}\n{NK}")
    assert NEW in got and OLD not in got


def test_an_old_gpu_said_without_a_kernel_failure_says_nothing():
    assert not errors("My GPU is old.\nEverything works.")


# ---------------------------------------------------------------- the Visual C++ runtime
@pytest.mark.parametrize("paste", [
    "I had to download https://aka.ms/vs/16/release/vc_redist.x64.exe on a fresh install of Win10 on a K80 VM to "
    "resolve this issue.",
    "I needed to install the Visual C++ Redistributable.",
    "The VC++ runtime was missing.",
    "缺少VC运行库",
    "去https://aka.ms/vs/16/release/vc_redist.x64.exe下载安装即可",
    "Visual C++ 再頒布可能パッケージが入っていなかった。",
    "Visual C++ 재배포 가능 패키지가 설치되어 있지 않았습니다.",
    "Не был установлен Visual C++ Redistributable.",
    "Tuve que instalar vc_redist.",
    "Tive que instalar o vc_redist.",
    "Ich musste vc_redist installieren.",
    "J'ai dû installer Visual C++ Redistributable.",
])
def test_the_vc_runtime_said_as_the_fix(paste):
    assert IMPORT in findings(paste)


@pytest.mark.parametrize("paste", [
    "Installing vc_redist didn't help, same error.",
    "I installed vc_redist but still get the error.",
    "装了VC运行库还是不行",
    "Do I need to install vc_redist?",
    "Make sure the Visual C++ Redistributable is installed.",
    "If import torch fails, installing vc_redist fixes it.",
    "I already have the latest VC++ redistributable installed.",
    "Installing Microsoft Visual C++ 2015-2022 Redistributable (x64)... done",
    "TensorFlow could not find msvcp140_1.dll; installing the VC++ redistributable fixed it.",
    "My friend's PC needed vc_redist, on the other machine it was missing.",
    # the machine said to work now: the failure is over
    "When I import torch I got DLL load failed. Fixed it by installing the VC++ runtime, now it works.",
    "装了VC运行库就好了",
    "Nach der Installation von vc_redist funktioniert es jetzt.",
    # the failure told as over (sentences' fixed / solved / resolved)
    "Installing the latest Visual C++ Redistributable fixed it.",
    "Error loading c10.dll - solved after installing the VC++ runtime.",
    "Instalar o vc_redist resolveu.",
])
def test_the_vc_runtime_near_misses(paste):
    assert IMPORT not in findings(paste)


def test_torchs_vc_runtime_warning_before_the_dll_failure():
    paste = ("Microsoft Visual C++ Redistributable is not installed, this may lead to the DLL load failure.\n"
             "                 It can be downloaded at https://aka.ms/vs/16/release/vc_redist.x64.exe\n"
             "Traceback (most recent call last):\n  File \"main.py\", line 1, in <module>\n    import torch\n"
             "  File \"C:\\Python37\\lib\\site-packages\\torch\\__init__.py\", line 202, in <module>\n"
             "    from torch._C import *  # noqa: F403\nImportError: DLL load failed: The specified module could not be found.")
    assert IMPORT in findings(paste)


def test_torchs_vc_runtime_warning_alone_is_no_error():
    """A warning before the load: the import may still work, so no error finding on it alone."""
    assert not errors("Microsoft Visual C++ Redistributable is not installed, this may lead to the DLL load failure.\n"
                      "                 It can be downloaded at https://aka.ms/vs/16/release/vc_redist.x64.exe")


def test_a_pip_command_retold_in_a_sentence_ends_with_its_clause():
    """"when I ran pip install -r requirements.txt, there was … No matching distribution found for torch==X":
    the command installs no torch==X (explain/parsers/install_commands.py)."""
    from envcheck.explain import source
    from envcheck.explain.parsers import install_commands
    doc = source.normalise("when I ran `pip install -r requirements.txt`, there was a dependency conflict as "
                           "`No matching distribution found for torch==1.13.1+cu117`")
    found = install_commands.parse(doc)
    assert not any(c.path.startswith("torch.") for c in found.claims)


# ---------------------------------------------------------------- torch's DLLs retold (rules/torch_health.py)
@pytest.mark.parametrize("paste", [
    "When I import torch I get WinError 126, c10.dll can't be found.",
    "Error loading c10.dll when importing torch on Windows 11",
    'The code execution cannot proceed because MSVCP140.dll was not found. (when running python -c "import torch")',
    "由于找不到 VCRUNTIME140_1.dll，无法继续执行代码。import torch 时弹出这个窗口",
])
def test_torchs_dll_or_its_runtime_retold(paste):
    assert IMPORT in findings(paste)


@pytest.mark.parametrize("paste", [
    "The code execution cannot proceed because MSVCP140.dll was not found. (when starting my game)",  # not torch
    "c10.dll is no longer missing after I reinstalled, import torch works.",  # over
    "Is c10.dll supposed to be in torch\\lib?",  # a question
    "If c10.dll is missing, reinstall torch.",  # a condition
])
def test_torchs_dll_near_misses(paste):
    assert IMPORT not in findings(paste)
