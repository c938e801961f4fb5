"""No NVIDIA GPU, an NVIDIA GPU without a driver, and nouveau holding it, as strangers' pastes
show them through other tools (Windows' adapter lists, macOS' system_profiler, inxi, lshw,
glxinfo, full lspci listings in CI logs, programs' own logs) and in other languages; beside
each, working machines' pastes with the same words, which must not get the finding as an
error. Texts written for the test from what the tools print, none taken from the corpus."""

from __future__ import annotations

from typing import Dict

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Finding

NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
NOT_COMPILED = "AssertionError: Torch not compiled with CUDA enabled"
NO_GPUS = "RuntimeError: No CUDA GPUs are available"
AUTOCAST = ("UserWarning: User provided device_type of 'cuda', but CUDA is not available. Disabling\n"
            "  warnings.warn(")
SMI_FAILED = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
              "latest NVIDIA driver is installed and running.")
REPL_FALSE = ">>> import torch\n>>> torch.cuda.is_available()\nFalse"
SMI_TABLE = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
|   0  NVIDIA GeForce RTX 3060 ...    Off |   00000000:01:00.0  On |                  N/A |
+-----------------------------------------+------------------------+----------------------+
"""
VM_LSPCI = """\
$ lspci
00:00.0 Host bridge: Intel Corporation 440FX - 82441FX PMC [Natoma] (rev 02)
00:01.0 ISA bridge: Intel Corporation 82371SB PIIX3 ISA [Natoma/Triton II]
00:01.1 IDE interface: Intel Corporation 82371SB PIIX3 IDE [Natoma/Triton II]
00:02.0 VGA compatible controller: {vga}
00:03.0 Ethernet controller: Red Hat, Inc. Virtio network device
$ nvidia-smi
"""


def findings(text: str) -> Dict[str, Finding]:
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f for f in report.findings}


NO_GPU = [
    # Windows: wmic, PowerShell, dxdiag, Task Manager, Device Manager
    "C:\\>wmic path win32_VideoController get name\nName\nIntel(R) UHD Graphics 620\n\n" + NO_DRIVER,
    "PS C:\\> Get-CimInstance Win32_VideoController | Select-Object Name\n\nName\n----\nAMD Radeon(TM) Graphics\n\n"
    + NO_DRIVER,
    "------------------\nDisplay Devices\n---------------\n          Card name: AMD Radeon RX 580 Series\n"
    "       Manufacturer: Advanced Micro Devices, Inc.\n          Chip type: AMD Radeon Graphics Processor (0x67DF)\n"
    + NOT_COMPILED,
    "Task Manager shows:\nGPU 0\nIntel(R) Iris(R) Xe Graphics\n\n" + NO_DRIVER,
    "Device Manager > Display adapters:\n    Intel(R) HD Graphics 520\n" + NO_GPUS,
    "Device Manager > Display adapters:\n    AMD Radeon(TM) Vega 8 Graphics\n" + REPL_FALSE,
    # macOS: system_profiler SPDisplaysDataType
    "Graphics/Displays:\n\n    Apple M2:\n\n      Chipset Model: Apple M2\n      Type: GPU\n      Bus: Built-In\n"
    "      Total Number of Cores: 10\n      Vendor: Apple (0x106b)\n" + NOT_COMPILED,
    "Graphics/Displays:\n\n    Intel Iris Plus Graphics 655:\n\n      Chipset Model: Intel Iris Plus Graphics 655\n"
    "      Type: GPU\n      Bus: Built-In\n" + NO_DRIVER,
    "      Chipset Model: AMD Radeon Pro 5500M\n      Type: GPU\n      Bus: PCIe\n" + NO_DRIVER,
    # Linux tools: inxi, glxinfo, lshw, neofetch, clinfo
    "Graphics:\n  Device-1: Intel UHD Graphics 620 driver: i915 v: kernel\n  Display: x11 server: X.Org 1.21.1.4\n"
    + NO_DRIVER,
    "$ glxinfo -B | grep renderer\nOpenGL renderer string: Mesa Intel(R) UHD Graphics 630 (CFL GT2)\n" + NO_GPUS,
    "OpenGL renderer string: AMD Radeon RX 6700 XT (navi22, LLVM 15.0.7, DRM 3.49, 6.2.0-26-generic)\n" + NO_DRIVER,
    "  *-display\n       description: VGA compatible controller\n       product: UHD Graphics 620\n"
    "       vendor: Intel Corporation\n       configuration: driver=i915 latency=0\n" + NO_DRIVER,
    "OS: Ubuntu 22.04.3 LTS x86_64\nCPU: Intel i5-8250U (8) @ 3.400GHz\nGPU: Intel UHD Graphics 620\n" + NO_DRIVER,
    "  Device Name                                     Intel(R) UHD Graphics 630\n" + NO_GPUS,
    # full lspci listings without an NVIDIA device: cloud VMs, a CI log
    VM_LSPCI.format(vga="Cirrus Logic GD 5446") + "bash: nvidia-smi: command not found\n",
    VM_LSPCI.format(vga="Amazon.com, Inc. Device 1111") + "nvidia-smi: command not found\n" + REPL_FALSE,
    VM_LSPCI.format(vga="Device 1234:1111 (rev 02)") + "Command 'nvidia-smi' not found, but can be installed with:\n",
    VM_LSPCI.format(vga="VMware SVGA II Adapter") + "-bash: nvidia-smi: command not found\n",
    "\n".join(f"2024-03-01T10:00:0{i}.1234567Z {line}" for i, line in enumerate(
        VM_LSPCI.format(vga="Red Hat, Inc. QXL paravirtual graphic card (rev 05)").splitlines()))
    + "\n2024-03-01T10:00:09.1Z /usr/bin/bash: nvidia-smi: command not found\n",
    # a program's log naming the adapter it found
    "12:01:07:  GPUs: 1\n12:01:07:        GPU 0: Bus:1 Slot:0 Func:0 AMD:5 Cypress Pro [Radeon HD 5800/6850]\n"
    "12:01:07:         CUDA: Not detected: Failed to open dynamic library 'nvcuda.dll'\n",
    "[INFO] Using device: Intel(R) Arc(TM) A770 Graphics\n" + NOT_COMPILED,
    # prose, in several languages
    "My laptop only has Intel UHD Graphics 620.\n" + NO_DRIVER,
    "I'm on a Radeon RX 6600 XT.\n" + NOT_COMPILED,
    "我的显卡是 AMD Radeon RX 6600，运行时报错 " + NOT_COMPILED,
    "电脑是集成显卡 Intel(R) UHD Graphics 630\n" + NO_DRIVER,
    "グラボは Radeon RX 6700 XT です。\n" + NO_DRIVER,
    "제 그래픽카드는 AMD Radeon RX 580 입니다.\n" + NO_DRIVER,
    "Mi tarjeta gráfica es una Intel HD Graphics 520.\n" + NO_DRIVER,
    "Meine Grafikkarte ist eine AMD Radeon RX 6700 XT.\n" + NOT_COMPILED,
    "Tengo una Intel(R) Iris(R) Xe Graphics y sale: " + NO_DRIVER,
    "Running on a MacBook Pro with Apple M1 Max.\n" + NOT_COMPILED,
    # lspci's and neofetch's names for Intel's and AMD's GPUs by code name
    "00:02.0 VGA compatible controller: Intel Corporation CometLake-H GT2 [UHD Graphics] (rev 05)\n"
    "\tKernel driver in use: i915\n" + NO_DRIVER,
    "$ lspci | grep -i vga\n04:00.0 VGA compatible controller: Advanced Micro Devices, Inc. [AMD/ATI] Renoir (rev c6)\n"
    + NO_DRIVER,
    "GPU: Intel CometLake-H GT2 [UHD Graphics]\n" + NO_GPUS,
    # other tools: DirectML, vulkaninfo, rocm-smi, About This Mac, uname on a Mac, a single-board computer
    ">>> import torch_directml\n>>> torch_directml.device_name(0)\n'AMD Radeon RX 6600 XT'\n" + REPL_FALSE,
    "GPU0:\n\tdeviceType = PHYSICAL_DEVICE_TYPE_DISCRETE_GPU\n\tdeviceName = AMD Radeon RX 6700 XT (RADV NAVI22)\n" + NO_GPUS,
    "$ rocm-smi --showproductname\nGPU[0]\t\t: Card series: \t\tNavi 31 [Radeon RX 7900 XT/7900 XTX]\n" + NO_DRIVER,
    "Graphics  Intel Iris Plus Graphics 1536 MB\n" + NOT_COMPILED,
    "$ uname -a\nDarwin MacBook-Pro.local 23.1.0 Darwin Kernel Version 23.1.0: Mon Oct  9 21:27:24 PDT 2023; "
    "root:xnu-10002.41.9~6/RELEASE_ARM64_T6000 arm64\n" + NOT_COMPILED,
    "Running on a Raspberry Pi 4 Model B.\n" + NO_DRIVER,
    # only an integrated GPU, in several languages
    "My laptop only has integrated graphics.\n" + NO_DRIVER,
    "我的笔记本只有核显，运行报错\n" + NO_DRIVER,
    "电脑没有独显\n" + NOT_COMPILED,
    "Mi portátil solo tiene gráficos integrados.\n" + NO_DRIVER,
    "Mein Laptop hat nur eine integrierte Grafik.\n" + NO_DRIVER,
    "内蔵GPUしかないノートPCです。\n" + NO_DRIVER,
    "내장 그래픽만 있는 노트북입니다.\n" + NO_DRIVER,
    "我用的是苹果电脑 M2 芯片\n" + NOT_COMPILED,
    "torch.cuda.is_available() returns False. My laptop has an Intel Iris Xe.",
    "CUDA no está disponible, mi tarjeta es una AMD Radeon RX 580",
    "torch.cuda.is_available() が False になります。ノートPCのGPUは Intel UHD Graphics です。",
]


@pytest.mark.parametrize("text", NO_GPU)
def test_no_nvidia_gpu_read_from_other_tools(text):
    got = findings(text)
    assert "no_nvidia_gpu_found" in got, sorted(got)
    assert got["no_nvidia_gpu_found"].severity.value in ("error", "warning")


DRIVER_MISSING = [
    "$ sudo lshw -C display\n  *-display UNCLAIMED\n       description: 3D controller\n       product: GA100 [A100 PCIe 40GB]\n"
    "       vendor: NVIDIA Corporation\n       bus info: pci@0000:00:1e.0\n       configuration: latency=0\n"
    "nvidia-smi: command not found\n",
    "$ lspci -k | grep -A 2 -i nvidia\n01:00.0 VGA compatible controller: NVIDIA Corporation GA106 [GeForce RTX 3060] "
    "(rev a1)\n\tSubsystem: Gigabyte Technology Co., Ltd Device 4074\n\tKernel modules: nouveau\n$ nvidia-smi\n"
    "Command 'nvidia-smi' not found, but can be installed with:\n",
    "Graphics:\n  Device-1: NVIDIA GA104 [GeForce RTX 3070] driver: N/A\n  Display: x11 server: X.Org 1.21.1.4\n"
    + SMI_FAILED,
    "2022-11-02T18:32:26.85Z + lspci -nnk\n2022-11-02T18:32:26.86Z 00:1e.0 3D controller [0302]: NVIDIA Corporation "
    "GA102GL [A10G] [10de:2237] (rev a1)\n2022-11-02T18:32:26.86Z \tSubsystem: NVIDIA Corporation Device [10de:152f]\n"
    "2022-11-02T18:32:26.86Z \tKernel modules: nvidiafb, nouveau\n",
]


@pytest.mark.parametrize("text", DRIVER_MISSING)
def test_gpu_without_driver_read_from_other_tools(text):
    assert "gpu_present_driver_missing" in findings(text)


NOUVEAU = [
    "Graphics:\n  Device-1: NVIDIA TU117M [GeForce GTX 1650 Mobile / Max-Q] driver: nouveau v: kernel\n" + SMI_FAILED,
    "  *-display\n       description: VGA compatible controller\n       product: GP107 [GeForce GTX 1050 Ti]\n"
    "       vendor: NVIDIA Corporation\n       configuration: driver=nouveau latency=0\n" + SMI_FAILED,
    "[    3.128843] nouveau 0000:01:00.0: NVIDIA GP107 (137000a1)\n" + NO_DRIVER,
    "$ lsmod | grep nouveau\nnouveau              2433024  3\nmxm_wmi                16384  1 nouveau\n" + SMI_FAILED,
    "01:00.0 VGA compatible controller: NVIDIA Corporation TU106 [GeForce RTX 2060] (rev a1)\n"
    "\tKernel driver in use: nouveau\n\tKernel modules: nvidiafb, nouveau\n",
]


@pytest.mark.parametrize("text", NOUVEAU)
def test_nouveau_read_from_other_tools(text):
    assert "nouveau_bound" in findings(text)


HEALTHY = [
    # an integrated GPU beside a real NVIDIA one: Windows, lspci, inxi, a CPU's name
    "C:\\>wmic path win32_VideoController get name\nName\nIntel(R) UHD Graphics 630\nNVIDIA GeForce RTX 3060 Laptop GPU\n",
    "GPU 0\nIntel(R) Iris(R) Xe Graphics\nGPU 1\nNVIDIA GeForce RTX 4060 Laptop GPU\n" + SMI_TABLE,
    "00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 630 (Desktop)\n"
    "01:00.0 VGA compatible controller: NVIDIA Corporation TU106 [GeForce RTX 2060] (rev a1)\n"
    "\tKernel driver in use: nvidia\n\tKernel modules: nvidiafb, nouveau, nvidia_drm, nvidia\n",
    "Graphics:\n  Device-1: Intel Alder Lake-P GT2 [Iris Xe Graphics] driver: i915 v: kernel\n"
    "  Device-2: NVIDIA GA107M [GeForce RTX 3050 Mobile] driver: nvidia v: 535.129.03\n",
    "CPU: AMD Ryzen 7 5800H with Radeon Graphics\nGPU models and configuration: GPU 0: NVIDIA GeForce RTX 3070 Laptop GPU\n"
    "Is CUDA available: True\nNvidia driver version: 535.98\n",
    "Processor: Intel(R) Core(TM) i7-10750H CPU @ 2.60GHz, Intel(R) UHD Graphics\n" + SMI_TABLE,
    "this laptop has a GTX 1050 and Intel HD Graphics 630, the game flickers",
    # a GPU server's BMC adapter and its NVIDIA GPUs; `lspci | grep VGA` hides 3D controllers
    "$ lspci | grep -i vga\n03:00.0 VGA compatible controller: ASPEED Technology, Inc. ASPEED Graphics Family (rev 41)\n"
    + SMI_TABLE,
    "$ lspci | grep VGA\n02:00.0 VGA compatible controller: Matrox Electronics Systems Ltd. Integrated Matrox G200eW3 "
    "Graphics Controller (rev 04)\nThe training crashes with a shape mismatch in my model.",
    # a full listing cut off before the NVIDIA line (the end of the paste)
    "$ lspci\n00:00.0 Host bridge: Intel Corporation 440FX - 82441FX PMC [Natoma]\n00:01.0 ISA bridge: Intel "
    "Corporation 82371SB PIIX3 ISA [Natoma/Triton II]\n00:03.0 VGA compatible controller: Amazon.com, Inc. Device 1111\n"
    "00:04.0 Non-Volatile memory controller: Amazon.com, Inc. Device 8061\n00:05.0 Ethernet controller",
    # questions and plans, not the machine
    "Does this work on an AMD Radeon RX 6600? My current machine is fine:\n" + SMI_TABLE,
    "Is Intel Arc supported? " + SMI_TABLE,
    # nouveau named but not holding the GPU
    "I blacklisted nouveau and installed the driver.\n" + SMI_TABLE,
    "$ cat /etc/modprobe.d/blacklist-nouveau.conf\nblacklist nouveau\noptions nouveau modeset=0\n" + SMI_TABLE,
    "$ lspci -k | grep -A 3 VGA\n01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)\n"
    "\tSubsystem: ASUSTeK Computer Inc. Device 87b3\n\tKernel driver in use: nvidia\n\tKernel modules: nouveau, nvidia\n",
    "Graphics:\n  Device-1: NVIDIA GA102 [GeForce RTX 3090] driver: nvidia v: 550.54.14\n",
    # lshw's block for a claimed NVIDIA GPU
    "  *-display\n       description: VGA compatible controller\n       product: GA102 [GeForce RTX 3090]\n"
    "       vendor: NVIDIA Corporation\n       configuration: driver=nvidia latency=0\n",
]


@pytest.mark.parametrize("text", HEALTHY)
def test_same_words_on_working_machines_are_no_error(text):
    got = findings(text)
    bad = {k for k, f in got.items() if f.severity.value == "error"}
    bad |= {k for k in ("no_nvidia_gpu_found", "gpu_present_driver_missing", "nouveau_bound") if k in got}
    assert not bad, sorted(got)


MORE_HEALTHY = [
    # torch's ROCm build on an AMD GPU: CUDA's API answers, the machine works
    "PyTorch version: 2.3.0+rocm6.0\nIs CUDA available: True\nROCM used to build PyTorch: 6.0.32830\n"
    "GPU models and configuration: AMD Radeon RX 7900 XTX (gfx1100)\nThe attention kernel returns NaN.",
    # a healthy Mac's collect_env names its chip under CPU:
    "OS: macOS 14.2 (arm64)\nIs CUDA available: False\nGPU models and configuration: No CUDA\nCPU:\nApple M2 Max\n"
    "RuntimeError: The MPS backend is supported on MacOS 13.0+.",
    "Does this run on an AMD Radeon RX 6600? I only tried the CPU path so far and it works.",
    "I replaced my old Radeon RX 580 last week; the model trains fine now but the loss is NaN.",
    "This is not an Intel UHD Graphics 620 issue, the app crashes on every machine.",
    "Support for Intel Arc A770 would be nice; feature request, nothing is broken.",
    "GPU 0: NVIDIA L4\nTraining loss diverges after 10 epochs.\nThe other box has Intel UHD Graphics 630.",
    "My laptop has integrated graphics and an RTX 3060; the model converges slowly.",
    "It is not only integrated graphics, there is a GTX 1650 too.",
    "Will it run on a Raspberry Pi 4? On my workstation everything works.",
    "I plan to deploy it on a Raspberry Pi later; this is my server:\n" + SMI_TABLE,
    "0a:00.1 Audio device: Advanced Micro Devices, Inc. [AMD/ATI] Navi 21 HDMI Audio\n" + SMI_TABLE,
]


@pytest.mark.parametrize("text", MORE_HEALTHY)
def test_other_vendors_named_in_passing_are_no_finding(text):
    assert "no_nvidia_gpu_found" not in findings(text)


# An NVIDIA GPU named, and no NVIDIA driver at all on the machine: nvidia-smi missing, a
# program saying it found no driver (likely: nvidia-smi may be off PATH, so a warning alone).
NO_DRIVER_AT_ALL = [
    "$ lspci | grep -i nvidia\n01:00.0 VGA compatible controller: NVIDIA Corporation GA106 [GeForce RTX 3060] (rev a1)\n"
    "$ nvidia-smi\nnvidia-smi: command not found",
    "C:\\Users\\me> nvidia-smi\n'nvidia-smi' is not recognized as an internal or external command,\n"
    "operable program or batch file.\nMy GPU is an RTX 3060.",
    "I have a GTX 1660 Ti but Device Manager shows only Microsoft Basic Display Adapter.\n" + NO_DRIVER,
    "I have an RTX 4090 on a fresh Ubuntu install.\n" + NO_DRIVER,
    "显卡是 RTX 3060，驱动还没装。\nnvidia-smi: command not found",
    "GPU: NVIDIA GeForce RTX 3060\n$ nvidia-smi\nbash: nvidia-smi: command not found\n" + NO_DRIVER,
    "$ ubuntu-drivers devices\n== /sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0 ==\nvendor   : NVIDIA Corporation\n"
    "model    : GA106 [GeForce RTX 3060 Lite Hash Rate]\ndriver   : nvidia-driver-535 - distro non-free recommended\n"
    "driver   : xserver-xorg-video-nouveau - distro free builtin\n$ nvidia-smi\n"
    "Command 'nvidia-smi' not found, but can be installed with:\nsudo apt install nvidia-utils-535",
    "Device Manager > Display adapters:\n    Microsoft Basic Display Adapter\nI bought an RTX 3070 laptop and CUDA is "
    "not available.",
    "设备管理器 显示适配器: Microsoft 基本显示适配器\n我的显卡是 RTX 4060\n" + REPL_FALSE,
    "グラボは RTX 4070 です。\n2024-01-01 W tensorflow/stream_executor/platform/default/dso_loader.cc:64] Could not load "
    "dynamic library 'nvcuda.dll'; dlerror: nvcuda.dll not found",
]


@pytest.mark.parametrize("text", NO_DRIVER_AT_ALL)
def test_named_gpu_without_any_driver(text):
    got = findings(text)
    assert "gpu_present_driver_missing" in got, sorted(got)
    assert got["gpu_present_driver_missing"].confidence.value == "likely"
    assert "no_nvidia_gpu_found" not in got


DRIVER_THERE = [
    # a container without the GPU passed in: the host's driver is not in it
    "$ docker run --rm -it pytorch/pytorch bash\nroot@4f2a:/workspace# nvidia-smi\nbash: nvidia-smi: command not found\n"
    "My host has an RTX 3090 and nvidia-smi works there.",
    "Dockerfile:\nFROM nvidia/cuda:12.1.0-runtime-ubuntu22.04\nRUN nvidia-smi\n/bin/sh: 1: nvidia-smi: not found\n"
    "The build host has an A100.",
    # the past, then nvidia-smi's table
    "Before installing the driver I got nvidia-smi: command not found; now it works:\n" + SMI_TABLE,
    # WSL 2 keeps nvidia-smi in /usr/lib/wsl/lib
    "$ uname -r\n5.15.133.1-microsoft-standard-WSL2\n$ nvidia-smi\nnvidia-smi: command not found\nGPU is RTX 3070",
    # the basic adapter is the other GPU: NVIDIA's driver works
    "GPU 0\nMicrosoft Basic Display Adapter\nGPU 1\nNVIDIA GeForce RTX 3060\n" + SMI_TABLE,
    "Is Microsoft Basic Display Adapter a problem for my RTX 3060?",
    # CUDA works: the driver is there whatever PATH says
    "PyTorch version: 2.3.0+cu121\nIs CUDA available: True\nGPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090\n"
    "Nvidia driver version: 550.54.14\n$ nvidia-smi\nnvidia-smi: command not found",
]


@pytest.mark.parametrize("text", DRIVER_THERE)
def test_driver_present_or_elsewhere_is_not_missing(text):
    assert "gpu_present_driver_missing" not in findings(text)


NOUVEAU_SAID = [
    "The system is using the nouveau driver.\n" + SMI_FAILED,
    "It is still running on nouveau after the install.\n" + SMI_FAILED,
    "nouveau is still active even though I installed nvidia-driver-535.\n" + SMI_FAILED,
    "系统用的是 nouveau 驱动\n" + SMI_FAILED,
    "nouveau 没有禁用，装完驱动还是不行\n" + SMI_FAILED,
    "nouveau が使われているようです。\n" + SMI_FAILED,
    "현재 nouveau 드라이버를 사용 중입니다.\n" + SMI_FAILED,
]


@pytest.mark.parametrize("text", NOUVEAU_SAID)
def test_nouveau_in_use_said(text):
    got = findings(text)
    assert "nouveau_bound" in got, sorted(got)
    assert got["nouveau_bound"].confidence.value == "likely"


NOUVEAU_NOT_USED = [
    "I am not using nouveau, the proprietary driver is installed.\n" + SMI_TABLE,
    "I switched from nouveau to the NVIDIA driver last year; training is slow though.\n" + SMI_TABLE,
    "Is the system using nouveau? How do I check?",
    "I blacklisted nouveau and disabled it in grub.\n" + SMI_TABLE,
    "Instead of nouveau I now run the 550 driver.\n" + SMI_TABLE,
]


@pytest.mark.parametrize("text", NOUVEAU_NOT_USED)
def test_nouveau_named_but_not_in_use(text):
    assert "nouveau_bound" not in findings(text)


COLAB_TRACE = ('Traceback (most recent call last):\n  File "/content/Fooocus/entry_with_update.py", line 46, in <module>\n'
               '    from launch import *\n')
HOSTED_CPU = [
    COLAB_TRACE + NO_DRIVER,
    "I run the notebook on Colab and get\n" + NO_GPUS,
    "!nvidia-smi\n/bin/bash: line 1: nvidia-smi: command not found\n>>> from google.colab import drive\n" + REPL_FALSE
    + "\nCUDA is not available",
    '  File "/kaggle/working/train.py", line 12, in <module>\n' + NO_DRIVER,
    "在 colab 上运行报错：" + NO_DRIVER,
    "Space hardware: cpu-basic\n" + NO_DRIVER,
    "jobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n" + NO_DRIVER,
    "I deployed it on an EC2 t3.large instance.\n" + NO_DRIVER,
    "SageMaker notebook instance ml.m5.xlarge:\n" + NO_GPUS,
    "VM: Standard_D4s_v3 (Ubuntu 22.04)\nnvidia-smi: command not found\n" + REPL_FALSE + "\nCUDA is not available",
    "GCE e2-standard-8 instance\n" + NO_DRIVER,
]


@pytest.mark.parametrize("text", HOSTED_CPU)
def test_hosted_runtime_without_gpu(text):
    got = findings(text)
    assert "no_nvidia_gpu_found" in got, sorted(got)
    assert got["no_nvidia_gpu_found"].confidence.value == "likely"


HOSTED_GPU = [
    # a GPU runtime: nvidia-smi's table names the T4
    COLAB_TRACE + "RuntimeError: CUDA out of memory.\n" + SMI_TABLE.replace("GeForce RTX 3060 ...", "Tesla T4            "),
    # Colab with a CPU wheel installed by the user: torch_cpu_only_build's, not this
    COLAB_TRACE + NOT_COMPILED,
    # Colab named, nothing failed
    "I trained it on Colab and the accuracy is 12% lower than the paper reports.",
    # the person says the runtime is a GPU one
    "On a Colab GPU runtime I get\n" + NO_GPUS,
    "runs-on: [self-hosted, gpu]\n" + SMI_FAILED,
    # the runtime's driver is shown (too old for the torch installed): a GPU runtime
    "in colab:\nRuntimeError: The NVIDIA driver on your system is too old (found version 10010).\n" + REPL_FALSE,
    "Runtime type is obviously GPU, yet on Colab\n" + NO_GPUS,
    # a GPU instance type, and a CPU one named while the GPU box fails
    "On a g4dn.xlarge instance:\n" + SMI_FAILED,
    "The preprocessing runs on a c5.large, training on our GPU server:\n" + SMI_TABLE + NO_GPUS,
]


@pytest.mark.parametrize("text", HOSTED_GPU)
def test_hosted_runtime_with_gpu_or_other_cause(text):
    assert "no_nvidia_gpu_found" not in findings(text)
