"""Round 20 v: GPU visibility told in prose.

* Review item: "an A100 … CUDA_VISIBLE_DEVICES=3 … runs fine". The run with that value is said to
  work, so CUDA saw a GPU with it (explain/parsers/visible_devices.py claims torch.cuda_available, as
  told, and rules/cuda_env.py judges no value a run saw GPUs with). "Works" taken back in its sentence
  ("…, but is_available() is False"), a question, or a symptom instead ("runs on the CPU") claims
  nothing; a listing (nvidia-smi's table) with fewer GPUs and no word of working still warns.
* A line only printing the variable ("print(f\"CUDA_VISIBLE_DEVICES: {os.getenv(...)}\")") holds no
  value, and a value only supposed ("In the case when it's set to something at launch, say
  CUDA_VISIBLE_DEVICES=0,1,2") is no fix (explain/parsers/visible_devices.py): a working machine's
  report about torch's device-count cache (real text of pytorch/pytorch#95073) gets nothing.
* "I'm attempting to run Forge on Windows 11 with an Intel R GPU" beside "Found no NVIDIA driver"
  (real text of lllyasviel/stable-diffusion-webui-forge#3060): the machine the person runs on has an
  Intel GPU (explain/parsers/gpu_vendor_prose.py). Near-misses: a CPU, a question, a machine that also
  has an NVIDIA GPU.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

HIDES = "cuda_visible_devices_hides_gpus"
NO_GPU = "no_nvidia_gpu_found"
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
SMI_ONE = """\
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  NVIDIA A100-SXM...  On   | 00000000:07:00.0 Off |                    0 |
| N/A   30C    P0    60W / 400W |      4MiB / 81920MiB |      0%      Default |
+-------------------------------+----------------------+----------------------+
"""


@pytest.mark.parametrize("text", [
    "I have an A100 and set CUDA_VISIBLE_DEVICES=3 and it runs fine.",
    "On an A100 with CUDA_VISIBLE_DEVICES=3 the training runs without any errors.",
    "On my RTX 4090 box CUDA_VISIBLE_DEVICES=2 python train.py works fine.",
])
def test_a_value_beside_gpus_only_named_is_no_finding(text):
    assert HIDES not in findings(text)


@pytest.mark.parametrize("text", [
    # a no-device failure beside it: the index hides the GPU
    "I have an A100 and set CUDA_VISIBLE_DEVICES=3 and get RuntimeError: No CUDA GPUs are available",
    # the person says it fails
    "I have an A100. With CUDA_VISIBLE_DEVICES=3 only one GPU is used and the run fails.",
    # "works" taken back in the same sentence
    "I have an A100 and set CUDA_VISIBLE_DEVICES=3 and it runs fine, but torch.cuda.is_available() is False.",
    # no "works" said, a symptom instead
    "My machine has a single GPU. train.sh sets CUDA_VISIBLE_DEVICES=2 and the model runs on the CPU.",
])
def test_a_failure_still_makes_it_a_finding(text):
    assert HIDES in findings(text)


def test_a_listing_with_fewer_gpus_still_warns():
    got = findings(SMI_ONE + "\nexport CUDA_VISIBLE_DEVICES=3\n")
    assert HIDES in got and got[HIDES].severity.value == "warning"


DEVICE_COUNT_CACHE = """\
```python count_device.py
import os
import torch

print(f"CUDA_VISIBLE_DEVICES: {os.getenv('CUDA_VISIBLE_DEVICES')}")
prior_device_count = torch.cuda.device_count()

# Change the environment variable within the run
os.environ["CUDA_VISIBLE_DEVICES"] = "1,2"
print(f"CUDA_VISIBLE_DEVICES: {os.getenv('CUDA_VISIBLE_DEVICES')}")
after_device_count = torch.cuda.device_count()
```
Assume this script runs on a system with four CUDA devices. Then in this case when CUDA_VISIBLE_DEVICES is not \
set, the output of the script may look like
```
CUDA_VISIBLE_DEVICES: None
CUDA_VISIBLE_DEVICES: 1,2
Prior device count 4.
After device count 4.
```

In the case when its set to something at launch, say CUDA_VISIBLE_DEVICES=0,1,2, then we get the following output
```
CUDA_VISIBLE_DEVICES: 0,1,2
CUDA_VISIBLE_DEVICES: 1,2
Prior device count 3.
After device count 3.
```
"""


def test_printed_and_supposed_values_are_no_failed_run():
    assert not findings(DEVICE_COUNT_CACHE)


@pytest.mark.parametrize("text", [
    # the fix still read where it is told
    "os.environ['CUDA_VISIBLE_DEVICES'] = '3' gives RuntimeError: No CUDA GPUs are available\n"
    "Changing it to os.environ['CUDA_VISIBLE_DEVICES'] = '0' fixed it.",
    # "if" tells the failing run, not a supposition
    "If I set CUDA_VISIBLE_DEVICES=2 I get RuntimeError: No CUDA GPUs are available. I only have one GPU.",
])
def test_told_values_are_still_read(text):
    assert HIDES in findings(text)


@pytest.mark.parametrize("text", [
    "Hello, I'm attempting to run Forge on Windows 11 with an Intel R GPU, and I came across this error message:\n\n"
    "\"Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver at "
    "[link]\"",
    "I'm trying to run Fooocus with an AMD Radeon RX 6600 and got " + NO_DRIVER,
])
def test_the_gpu_of_the_machine_run_on(text):
    assert NO_GPU in findings(text)


@pytest.mark.parametrize("text", [
    "I'm trying to run it on my laptop with an Intel i7 CPU and get: " + NO_DRIVER,           # a CPU
    "I'm trying to run it with an Intel GPU? " + NO_DRIVER,                                   # a question
    "I'm trying to run it on a server with an RTX 3090 and an Intel UHD GPU. " + NO_DRIVER,   # NVIDIA there too
])
def test_no_other_vendor_claimed(text):
    assert NO_GPU not in findings(text)


LACKS_TEXT = ("When I am trying to train the model on GPU, I am getting RuntimeError: cuda runtime error (100) : no "
              "CUDA-capable device is detected at /pytorch/aten/src/THC/THCGeneral.cpp:50 error.\n\n"
              "{said}")


@pytest.mark.parametrize("said", [
    # real text of slczgwh/REDN#5 (the trainer passes cuda_device on as CUDA_VISIBLE_DEVICES)
    "Sorry bout that since I haven't got 3 gpus I think I got that error. Changing cuda_devices to 1 solved that "
    "problem...",
    "We don't have 4 GPUs here; changing --gpu_ids to 0 fixed it.",
])
def test_gpus_the_machine_lacks_changed_as_the_fix(said):
    got = findings(LACKS_TEXT.format(said=said))
    assert HIDES in got and got[HIDES].severity.value == "warning"


@pytest.mark.parametrize("said", [
    "I haven't got 3 gpus, so I changed cuda_devices to 1 but it still fails.",      # not fixed
    "If you don't have 4 GPUs, changing gpu_ids to 0 fixes it.",                     # advice
    "I don't have 2 GPUs. Changing num_gpus to 1 solved it.",                        # a count, no index
    "I don't have 2 GPUs? Changing gpu_ids to 0 solved it?",                         # questions
])
def test_no_lacking_gpus_fix_claimed(said):
    assert HIDES not in findings(LACKS_TEXT.format(said=said))


def test_no_lacking_gpus_fix_without_cudas_message():
    assert HIDES not in findings("I haven't got 3 gpus. Changing cuda_devices to 1 solved that problem.")
