"""Round 15, g2: GPUs hidden from one run, and nvidia_uvm reloaded.

* A GPU index told as changed to 0 beside CUDA finding no device at all (gpu_index_fix):
  the index was passed on as CUDA_VISIBLE_DEVICES.
* The GPU said to work when the same machine runs the code another way, beside CUDA finding no
  device (gpu_works_elsewhere): this run's environment hides it.
* A failing run's CUDA_VISIBLE_DEVICES value told with the one that fixed it outranks a working
  session the text also shows; a sentence's comma is not part of the value.
* rmmod + modprobe nvidia_uvm told as what brought CUDA back (uvm_reload_fix): the stale uvm.

Each with near-misses of the same shape that must claim nothing: attempts that did not help,
questions, conditions, a count instead of an index, another machine, a container, root.
"""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import gpu_index_fix, gpu_works_elsewhere, uvm_reload_fix, visible_devices
from tests.explain.helpers import items, text, values
from tests.rules.test_unseen_classes import errors, findings

NO_DEVICE = "RuntimeError: cuda runtime error (38) : no CUDA-capable device is detected at THCGeneral.cpp:74\n"
NO_GPUS = "RuntimeError: No CUDA GPUs are available\n"
HIDES = "cuda_visible_devices_hides_gpus"
STALE = "nvidia_uvm_stale_after_suspend"


# --------------------------------------------------------------------------- a GPU index changed to 0
@pytest.mark.parametrize("said", [
    "If you only have one GPU, the setup gives this error:\n" + NO_DEVICE + "Please change `CUDA_ID=1` to `CUDA_ID=0` in scripts/train.sh\n",
    NO_GPUS + "Fixed it by changing --gpu_ids 1 to --gpu_ids 0 in the command.\n",
    NO_DEVICE + "I set gpu_id from 2 to 0 and it trains now.\n",
    NO_DEVICE + "默认是init_env('1'),但我的电脑只有一个gpu，改成0就好了\n",
    NO_GPUS + "I only have one GPU, changed it to 0 and it works.\n",
])
def test_an_index_changed_to_zero_beside_no_device_hides_the_gpus(said):
    assert values(gpu_index_fix.parse(text(said))).get("torch.cuda_available") is False
    assert HIDES in findings(said)


@pytest.mark.parametrize("said", [
    # an attempt that did not help
    NO_DEVICE + "I tried to change `CUDA_ID=1` to `CUDA_ID=0` but the error is the same.\n",
    NO_DEVICE + "Changing gpu_id 1 to 0 didn't help.\n",
    # a question, a condition
    NO_DEVICE + "Should I change gpu_id=1 to gpu_id=0?\n",
    NO_DEVICE + "if you change gpu_id=1 to gpu_id=0 it may work\n",
    # a count, not an index: running on the CPU is another fix
    NO_DEVICE + "I changed num_gpus=2 to num_gpus=0 and it runs on the CPU.\n",
    # no no-device message: an index change for another failure
    "RuntimeError: CUDA error: invalid device ordinal\nChanged `GPU_ID=1` to `GPU_ID=0` and it works.\n",
    # one GPU said, but no change to 0 told as the fix
    NO_DEVICE + "I only have one GPU and nvidia-smi shows it.\n",
    NO_DEVICE + "我只有一个gpu，改成0还是报错\n",
])
def test_near_misses_of_an_index_change_claim_nothing(said):
    assert "torch.cuda_available" not in values(gpu_index_fix.parse(text(said)))


# --------------------------------------------------------------------------- works another way
@pytest.mark.parametrize("said", [
    NO_DEVICE + "Why does `torch._C._cuda_init()` raise an error even though it does not raise the same error directly in python?\n",
    "When I run debug the GPU works:\nsoftlearning run_example_debug ...\n"
    "Error: failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected\n",
    NO_GPUS + "In interactive Python, torch.cuda.is_available() correctly returns True.\n",
    NO_GPUS + "The GPU works fine in the terminal, only the service fails.\n",
    # a plain check on the same machine, and other projects working
    "When I run `torch.cuda.is_available()` it shows `true`. And Cuda is always work fine in all projects that need "
    "GPU. However, in this project it returns `RuntimeError: No CUDA GPUs are available`\n",
    "- 单独运行`python -c \"import torch; print(torch.cuda.is_available())\"`返回`True`\n"
    "- 但使用脚本运行模型时报错：`RuntimeError: No CUDA GPUs are available`\n",
])
def test_gpu_working_another_way_beside_no_device_is_a_hiding_environment(said):
    assert values(gpu_works_elsewhere.parse(text(said))).get("torch.cuda_available") is False
    assert HIDES in findings(said)
    assert HIDES not in errors(said)  # what hides it is not in the text: a warning


@pytest.mark.parametrize("said", [
    NO_GPUS + "Does it work in python directly?\n",
    NO_GPUS + "It works on the host but not in the docker container.\n",
    NO_GPUS + "It works directly in python when I run it with sudo.\n",
    NO_GPUS + "The GPU works in the terminal on my other machine.\n",
    NO_GPUS + "I want it to work directly in python.\n",
    NO_GPUS + "Does torch.cuda.is_available() return True for you?\n",
    NO_GPUS + "If torch.cuda.is_available() returns True, the run should work.\n",
    NO_GPUS + "On the host torch.cuda.is_available() returns True, inside the docker container it does not.\n",
    NO_GPUS + "It works in all projects when I run them with sudo.\n",
    # no no-device message: nothing for this reader
    "In interactive Python, torch.cuda.is_available() correctly returns True.\n",
])
def test_near_misses_of_working_elsewhere_claim_nothing(said):
    assert "torch.cuda_available" not in values(gpu_works_elsewhere.parse(text(said)))


# --------------------------------------------------------------------------- the failing run's value
WORKER = ("When running the service the worker process sets CUDA_VISIBLE_DEVICES=1, which makes PyTorch fail to "
          "detect GPU (torch.cuda.is_available() == False).\n\nThis only happens inside the workers.\n"
          "In interactive Python, torch.cuda.is_available() correctly returns True.\n\n"
          "## Temporary Workarounds\nCUDA_VISIBLE_DEVICES=0 myapp serve\n")


def test_the_failing_runs_value_outranks_a_working_session():
    found = visible_devices.parse(text(WORKER))
    assert values(found)["torch.cuda_available"] is False
    assert items(found, "env.variables") == ["1"]  # the sentence's comma is not part of the value
    assert HIDES in findings(WORKER)


def test_a_value_with_no_failure_told_is_not_the_run_that_failed():
    said = "CUDA_VISIBLE_DEVICES=1, set by the launcher.\nIn interactive Python, torch.cuda.is_available() returns True.\n"
    assert "torch.cuda_available" not in values(visible_devices.parse(text(said)))
    assert HIDES not in errors(said)


# --------------------------------------------------------------------------- nvidia_uvm reloaded
@pytest.mark.parametrize("said", [
    "ollama was logging it could not load the model in GPU.\nThis may help:\n```sh\nsudo rmmod nvidia_uvm || true\n"
    "sudo modprobe nvidia_uvm  || true\n```\n\nollama is running at full speed now, great!\n",
    "torch.cuda.is_available() returned False. `sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm` fixed it.\n",
    "CUDA stopped working.\nsudo modprobe -r nvidia_uvm\nsudo modprobe nvidia-uvm\nNow it works again.\n",
])
def test_a_told_uvm_reload_that_worked_is_the_stale_uvm(said):
    assert values(uvm_reload_fix.parse(text(said))).get("torch.cuda_available") is False
    assert STALE in findings(said)


@pytest.mark.parametrize("said", [
    "sudo rmmod nvidia_uvm\nrmmod: ERROR: Module nvidia_uvm is in use\nsudo modprobe nvidia_uvm\nit works?\n",
    "I tried `sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm`, but this only silenced the error; it runs slower.\n",
    "sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm\nstill the same error\n",
    # advice with no result told
    "You can reload it with sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm\n",
    # only a load: the module was not there, another finding's case
    "sudo modprobe nvidia_uvm\nnow it works\n",
])
def test_near_misses_of_a_uvm_reload_claim_nothing(said):
    assert "torch.cuda_available" not in values(uvm_reload_fix.parse(text(said)))
    assert STALE not in findings(said)
