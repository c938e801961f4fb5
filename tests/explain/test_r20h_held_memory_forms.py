"""Round 20 h: two more forms of "GPU memory taken by something else" (held_memory_prose).

* Other live work said to take the same GPU, beside a failure that names memory ("There's another
  program used a lot of GPU memory" after mxnet's cudaMalloc failure, lc0's "this was just from me
  running to much at once on my gpu", "显卡被其他程序占用了"): gpu_memory_in_use, likely. Without a
  memory failure in the text, nothing; nor from a denial ("No other process is using the GPU",
  "I'm sure no other program was using the GPU memory"), a question, a guess ("may be using"),
  advice ("check whether …") or a tool's hint ("This happens when other processes are using …").
* The run as the subject and the holder unlisted ("failed / canceled runs appear to not reset the
  memory on our GPUs and run as PIDs that are not visible on nvidia-smi", bonito#54's shape); not
  from PyTorch's caching allocator keeping memory ("does not release the memory … back to the OS")
  or a question.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

HELD = "gpu_memory_in_use"
OOM = "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB\n"


@pytest.mark.parametrize("text", [
    OOM + "Ah, you are right. There's another program used a lot of GPU memory.\n",
    "error CUDA error: out of memory (c:\\projects\\lc0\\src\\neural\\cuda\\network_cudnn.cc:442\n\n"
    "this was just from me running to much at once on my gpu\n",
    OOM + "显卡被其他程序占用了\n",
    OOM + "Turned out another user's job was occupying most of the GPU memory.\n",
])
def test_other_work_on_the_same_gpu(text):
    assert HELD in findings(text)
    assert findings(text)[HELD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    OOM + "No other process is using the GPU.\n",
    OOM + "I'm sure no other program was using the GPU memory\n",
    OOM + "Nothing else was running. Another process may be using the GPU memory\n",
    OOM + "Could another process be using the GPU memory?\n",
    OOM + "Check whether another process is using the GPU\n",
    OOM + "This happens when other processes are using the GPU memory.\n",
    "Another user's job was using the GPU, and mine ran fine next to it.\n",
    "I was running too much at once on my gpu, so it was slow.\n",
])
def test_other_work_denied_asked_or_without_a_memory_failure(text):
    assert HELD not in findings(text)


def test_run_that_does_not_reset_memory_and_is_not_listed():
    text = ("Hey, failed / canceled `Bonito` runs appear to not reset the memory on our GPUs (Tesla V100, "
            "440.64.00, CUDA: 10.2) and run as `PID`s that are not visible on `nvidia-smi`\n")
    assert HELD in findings(text)


@pytest.mark.parametrize("text", [
    "PyTorch does not release the memory on the GPU back to the OS, it caches it.\n",
    "Does a canceled run not reset the memory on our GPUs?\n",
    "If a failed job does not free the GPU memory, kill it with fuser.\n",
])
def test_allocator_caching_questions_and_advice_stay_quiet(text):
    assert HELD not in findings(text)
