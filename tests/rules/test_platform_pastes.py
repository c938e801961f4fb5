"""The driver/platform classes (no GPU, Secure Boot, WSL 1, nouveau/nova, nvidia-uvm after
sleep, device-node permissions) in the other ways strangers paste them: each broken paste beside
a working machine's paste holding the same words, which must get no error finding. Texts written
for the test, none taken from the diagnosis corpus."""

from __future__ import annotations

from typing import Dict

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Finding

NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
UNKNOWN = "RuntimeError: CUDA error: unknown error"
SMI_FAILED = ("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
              "latest NVIDIA driver is installed and running.")
WORKING = """\
PyTorch version: 2.3.0+cu121
Is CUDA available: True
CUDA runtime version: 12.1.105
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090
Nvidia driver version: 550.54.14
"""


def findings(text: str) -> Dict[str, Finding]:
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f for f in report.findings}


def errors(text: str) -> Dict[str, Finding]:
    return {k: f for k, f in findings(text).items() if f.severity.value == "error"}


@pytest.mark.parametrize("text, fid", [
    # no NVIDIA GPU, in other words
    (NO_DRIVER + "\nI don't have any NVIDIA adapter on my laptop, how can I fix this?", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nI am not using an NVIDIA GPU, my laptop has Intel graphics.", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nI'm running on the CPU, is there a way around this?", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\n运行这一步时我使用的是cpu，请问怎么办", "no_nvidia_gpu_found"),
    # nvidia-uvm left broken: the machine left idle or its lid shut before CUDA's "unknown error"
    (UNKNOWN + "\nIf I leave the machine for some time and come back, PyTorch stops recognizing the GPU.",
     "nvidia_uvm_stale_after_suspend"),
    ("After closing the laptop lid and opening it again:\n" + UNKNOWN, "nvidia_uvm_stale_after_suspend"),
    # Secure Boot: the fix retold, Chinese, the kernel's own lines
    ("optirun glxgears\n[ERROR]Cannot access secondary GPU - error: Could not load GPU driver\n"
     "I disabled the SecureBoot and it worked.", "driver_not_loaded_secure_boot"),
    (SMI_FAILED + "\n关闭安全启动后就好了", "driver_not_loaded_secure_boot"),
    (SMI_FAILED + "\n我的电脑安全启动是开启的", "driver_not_loaded_secure_boot"),
    # WSL 1: a WSL 1 kernel named by DKMS, a localised `wsl -l -v`, the WSL issue form
    ("sudo dkms install -m nvidia -v 440.100\nError! Your kernel headers for kernel 4.4.0-19041-Microsoft cannot be "
     "found.\n" + SMI_FAILED, "wsl1_no_gpu_support"),
    ("C:\\> wsl -l -v\n  名称            状态           版本\n* Ubuntu          正在运行         1\n" + NO_DRIVER,
     "wsl1_no_gpu_support"),
    ("### Are you using WSL 1 or WSL 2?\n\n- [ ] WSL 2\n- [x] WSL 1\n\n" + NO_DRIVER, "wsl1_no_gpu_support"),
    # another driver holds the GPU (nvidia.ko's own line)
    ("ERROR: Unable to load the kernel module 'nvidia.ko'.\n[  201.9] NVRM: GPU 0000:01:00.0 is already bound to "
     "NovaCore.\n[  201.9] NVRM: No NVIDIA devices probed.", "nouveau_bound"),
    # device nodes: `ls -la /dev | grep nvidia` with groups, a program refused a node
    ("me@box:~$ ls -la /dev | grep nvidia\ncrw-rw----  1 root video 195,   0 Mar  1 10:00 nvidia0\n"
     "crw-rw----  1 root video 195, 255 Mar  1 10:00 nvidiactl\ncrw-rw----  1 root video 511,   0 Mar  1 10:00 "
     "nvidia-uvm\nme@box:~$ groups\nme adm sudo\n", "device_node_permissions"),
    ("$ strace -f python train.py 2>&1 | grep nvidia\n"
     "openat(AT_FDCWD, \"/dev/nvidiactl\", O_RDWR) = -1 EACCES (Permission denied)", "device_node_permissions"),
    # other languages: no NVIDIA GPU, the sleep before "unknown error", Secure Boot on
    (NO_DRIVER + "\n私のノートPCにはNVIDIAのGPUがありません。", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\n제 노트북에는 NVIDIA 그래픽카드가 없습니다.", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nNo tengo una GPU NVIDIA, solo la gráfica integrada.", "no_nvidia_gpu_found"),
    (NO_DRIVER + "\nIch habe keine NVIDIA-Grafikkarte.", "no_nvidia_gpu_found"),
    (UNKNOWN + "\nスリープから復帰した後にこのエラーが出ます。", "nvidia_uvm_stale_after_suspend"),
    (UNKNOWN + "\n절전 모드 후에 이 오류가 발생합니다.", "nvidia_uvm_stale_after_suspend"),
    (SMI_FAILED + "\nセキュアブートが有効になっています。", "driver_not_loaded_secure_boot"),
    # the module not in the kernel: its /proc entry missing, `lsmod | grep nvidia` printing nothing
    ("$ cat /proc/driver/nvidia/version\ncat: /proc/driver/nvidia/version: No such file or directory\n"
     "torch.cuda.is_available() returns False", "driver_kernel_module_not_loaded"),
    ("me@box:~$ lsmod | grep nvidia\nme@box:~$ python -c 'import torch; print(torch.cuda.is_available())'\nFalse",
     "driver_kernel_module_not_loaded"),
    # nouveau drives the GPU: lshw's configuration line, the kernel log's device prefix
    ("$ sudo lshw -C display\n  *-display\n       product: TU106 [GeForce RTX 2060]\n       vendor: NVIDIA "
     "Corporation\n       configuration: driver=nouveau latency=0\ntorch.cuda.is_available() returns False",
     "nouveau_bound"),
    ("[    3.120000] nouveau 0000:01:00.0: NVIDIA TU106 (166000a1)\n" + SMI_FAILED, "nouveau_bound"),
])
def test_broken_paste_gives_its_finding(text: str, fid: str) -> None:
    assert fid in findings(text)


@pytest.mark.parametrize("text", [
    # the same words on working machines
    WORKING + "I am using CPU for the tokenizer and the GPU for training; the loss is NaN after epoch 3.",
    WORKING + "I'm running on the CPU version of the preprocessing script, it works; the model output is wrong.",
    WORKING + "My MAC address filter blocks the server after an upgrade.",
    WORKING + "I disabled Secure Boot in the BIOS before installing the driver and it works fine. The loss is NaN.",
    WORKING + "Secure Boot is enabled and the signed driver loads fine; the display flickers on Wayland.",
    WORKING + "I leave the machine idle overnight between runs; training speed is the question.",
    WORKING + "GPU がない環境では学習が遅い、という質問です。スリープ後も問題なく動きます。",
    WORKING + "セキュアブートが有効ですが、署名済みドライバーは正常に動作します。",
    WORKING + "### Are you using WSL 1 or WSL 2?\n\n- [x] WSL 2\n- [ ] WSL 1\n\nKernel 5.15.90.1-microsoft-standard-WSL2",
    WORKING + "me@box:~$ ls -la /dev | grep nvidia\ncrw-rw-rw-  1 root root 195,   0 Mar  1 10:00 nvidia0\n"
              "crw-rw-rw-  1 root root 195, 255 Mar  1 10:00 nvidiactl\ncrw-rw-rw-  1 root root 511,   0 Mar  1 10:00 "
              "nvidia-uvm\n",
    WORKING + "sudo dkms status\nnvidia, 550.54.14, 6.8.0-45-generic, x86_64: installed",
    WORKING + "$ lsmod | grep nvidia\nnvidia_uvm           1519616  0\nnvidia              56532992  87 nvidia_uvm\n"
              "$ cat /proc/driver/nvidia/version\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 "
              "01:44:30 UTC 2024",
    WORKING + "$ sudo lshw -C display\n  *-display\n       product: AD102 [GeForce RTX 4090]\n       vendor: NVIDIA "
              "Corporation\n       configuration: driver=nvidia latency=0",
    WORKING + "Graphics:  Device-1: NVIDIA AD102 [GeForce RTX 4090] driver: nvidia v: 550.54.14\n"
              "           Display: x11 server: X.Org driver: loaded: nvidia unloaded: fbdev,modesetting,nouveau,vesa",
])
def test_working_paste_with_the_same_words_gets_no_error(text: str) -> None:
    assert errors(text) == {}


def test_a_refused_node_is_not_a_listing() -> None:
    """strace names the node it was refused, nothing else: nvidia-uvm is not missing for that."""
    text = ("openat(AT_FDCWD, \"/dev/nvidiactl\", O_RDWR) = -1 EACCES (Permission denied)\n"
            "torch.cuda.is_available() returns False")
    f = findings(text)
    assert "device_node_permissions" in f and "nvidia_uvm_missing" not in f


def test_secure_boot_retold_as_the_fix_is_a_person_s_word() -> None:
    f = findings(SMI_FAILED + "\nAfter disabling secure boot nvidia-smi works.")
    assert f["driver_not_loaded_secure_boot"].confidence.value == "likely"
