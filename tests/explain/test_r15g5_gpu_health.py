"""Round 15, group g5 (GPU health and memory): the classes the new real cases of this round showed
missed, each with broken pastes in several wordings and near-misses on a working machine.

* clocks or voltage a person set themselves (an overclock, an undervolt, offsets) ->
  ``gpu_unstable_clock_settings`` (a warning, likely): nicehash/excavator#160's "Overclock: 100% power,
  +125 MHz core, +600 memory";
* a GPU said to be unusable after an error until the machine reboots -> ``gpu_lost`` (likely):
  opendatalab/MinerU#426's "必须重启服务器之后才可以重新使用显卡";
* GPU memory said to be held by an unknown holder, beside an nvidia-smi that lists no process ->
  ``gpu_memory_in_use`` (likely): wencolani/CrossE#2's "my GPU still seems to have almost 13GB
  allocated by someone";
* an issue template's "MXNet version: 0.10" names the framework, not the CPU-only ``mxnet`` package.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings as _ids

# --------------------------------------------------------------------------- clocks set by hand
CLOCKS_SET = [
    "With latest Version 1.4.2 alpha NVIDIA release.\nOverclock: 100% power, +125 MHz core, +600 memory\nDriver: 388.71\n",
    "I overclocked my 3080 and now training dies with CUDA error: an illegal memory access was encountered\n",
    "Running core +150, mem +1000 in Afterburner, the kernels fail with unspecified launch failure\n",
    "The card is undervolted with MSI Afterburner (0.85 V at 1800 MHz).\n",
    "I undervolted my 4090 to keep it cool.\n",
    "memory clock offset of 1200 set with GreenWithEnvy\n",
    "nvidia-settings -a '[gpu:0]/GPUGraphicsClockOffset[3]=100' -a '[gpu:0]/GPUMemoryTransferRateOffset[3]=800'\n",
    "t-rex -a ethash -o stratum+tcp://pool:4444 --mclock +1000 --cclock +100\n",
    "my overclock settings were too much for this workload\n",
    "显卡超频了，训练时报错\n",
    "オーバークロックしているGPUでエラーが出ます\n",
    "그래픽카드를 오버클럭 했습니다\n",
]


@pytest.mark.parametrize("paste", CLOCKS_SET)
def test_clocks_set_by_hand_are_a_likely_warning(paste):
    f = _ids(paste)["gpu_unstable_clock_settings"]
    assert f.severity.value == "warning" and f.confidence.value == "likely"


CLOCKS_NOT_SET = [
    "My GPU is an ASUS RTX 3080 Gaming OC, torch works.\n",
    "GPU: RTX 2070 Super OC\n",
    "The card is factory overclocked by the vendor.\n",
    "I did not overclock my GPU, everything is at stock.\n",
    "No overclock, no undervolt, default clocks.\n",
    "Overclock: none\n",
    "Could overclocking cause this?\n",
    "If you overclock, lower the memory clock first.\n",
    "I reset my overclock and it still crashes.\n",
    "You should try undervolting to reduce the heat.\n",
    "Clocks\n    Graphics                          : 1560 MHz\n    Memory                            : 5501 MHz\n",
    "| N/A   36C    P0    41W / 300W |  12799MiB / 16280MiB |      0%      Default |\n",
    "sudo nvidia-smi -lgc 1500 to lock the clocks for benchmarking\n",
    "我没有超频，显卡是默认设置\n",
    "Core count: +8 cores over the last model, memory 64 GB\n",
]


@pytest.mark.parametrize("paste", CLOCKS_NOT_SET)
def test_clock_near_misses_say_nothing(paste):
    assert "gpu_unstable_clock_settings" not in _ids(paste)


# --------------------------------------------------------------------------- unusable until a reboot
UNTIL_REBOOT = [
    "报这个错之后显卡也会无法使用，必须重启服务器之后才可以重新使用显卡。\n",
    "After this error the GPU cannot be used until I reboot the server.\n",
    "After the crash I have to restart the machine to use the GPU again.\n",
    "RuntimeError: CUDA error: unspecified launch failure\nThe card stays unusable until a reboot.\n",
    "出现这个错误后只能重启电脑才能使用显卡\n",
]


@pytest.mark.parametrize("paste", UNTIL_REBOOT)
def test_gpu_unusable_until_reboot_is_a_likely_lost_gpu(paste):
    assert _ids(paste)["gpu_lost"].confidence.value == "likely"


NOT_UNTIL_REBOOT = [
    "After suspend I have to restart the machine to use the GPU again.\n",
    "After installing the driver I had to reboot the computer to use the GPU again.\n",
    "更新驱动后必须重启电脑才能使用显卡\n",
    "Do I have to reboot the server to use the GPU again?\n",
    "The GPU is not unusable until reboot, it recovers by itself.\n",
    "显卡无法使用，重启后正常\n",
    "I restart the Jupyter kernel to use the GPU again after an OOM.\n",
    "Inside the container I have to restart the container to use the GPU again.\n",
]


@pytest.mark.parametrize("paste", NOT_UNTIL_REBOOT)
def test_reboot_near_misses_say_nothing(paste):
    assert "gpu_lost" not in _ids(paste)


# --------------------------------------------------------------------------- memory held by nobody listed
_SMI = """```
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 410.48                 Driver Version: 410.48                    |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  Tesla P100-SXM2...  Off  | 00000000:05:00.0 Off |                    0 |
| N/A   36C    P0    41W / 300W |  {used}MiB / 16280MiB |      {util}%      Default |
+-------------------------------+----------------------+----------------------+

+-----------------------------------------------------------------------------+
| Processes:                                                       GPU Memory |
|  GPU       PID   Type   Process name                             Usage      |
|=============================================================================|
+-----------------------------------------------------------------------------+
```
"""
HELD_BY_NOBODY = ("Ok, I think I have found the cause of my OOM issues.\nEven when I do not have any CrossE processes "
                  "running, my GPU still seems to have almost 13GB allocated by someone. No processes seem to be using it:\n")


def test_memory_said_held_by_someone_beside_a_table_with_no_process():
    f = _ids(HELD_BY_NOBODY + _SMI.format(used=12799, util=0))["gpu_memory_in_use"]
    assert f.confidence.value == "likely" and f.severity.value == "warning"


@pytest.mark.parametrize("paste", [
    "My GPU has 12GB allocated by someone even when I do not have any training processes running.\n",
    "The card shows 10 GB used by something unknown, even though I don't have any python processes running.\n",
    "nvidia-smi shows 10GB used on the GPU but no processes are listed.\n",
    "My card has 11 GB in use by something, even though I don't have any processes running.\n",
    "我的显卡被占用了10G显存，但是nvidia-smi没有进程\n",
])
def test_memory_said_held_by_someone_alone(paste):
    assert _ids(paste)["gpu_memory_in_use"].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # the person's words, but the table shows the memory free, or a busy GPU (their own job at work)
    HELD_BY_NOBODY + _SMI.format(used=300, util=0),
    HELD_BY_NOBODY + _SMI.format(used=12799, util=97),
    # a small amount: a display or the driver's own reservation
    "Even when nothing runs, nvidia-smi shows 500MB used by something on my GPU.\n",
    "My GPU has 24 GB of memory.\n",
    "how do I free 12GB allocated by someone on my GPU?\n",
    "如何释放被占用的显存？nvidia-smi没有进程\n",
    "显存被占用了10G，是我的训练进程\n",
    "nvidia-smi shows 10GB used on the GPU by my training process.\n",
    "The port is in use by another process, no processes running on the GPU need it.\n",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.93 GiB total capacity; "
    "5.81 GiB already allocated; 1.25 GiB free; 6.06 GiB reserved in total by PyTorch)\n",
    # a table with no process and no words about a holder: nvidia-smi inside a container
    _SMI.format(used=12799, util=0),
])
def test_held_memory_near_misses_say_nothing(paste):
    assert "gpu_memory_in_use" not in _ids(paste)


# --------------------------------------------------------------------------- a template's framework name
@pytest.mark.parametrize("paste", [
    "## Environment info\nOperating System: Ubuntu 14.04 (DGX-1)\n\nMXNet version: 0.10\n",
    "PaddlePaddle version: 2.5.1\n",
])
def test_a_templates_framework_version_is_not_its_cpu_package(paste):
    assert "framework_cpu_only_build" not in _ids(paste)


def test_a_listed_cpu_package_still_counts():
    assert "framework_cpu_only_build" in _ids("- mxnet 1.9.1\n")
