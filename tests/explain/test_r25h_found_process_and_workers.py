"""Round 25 h: two classes thin reports said in the reporter's own words.

* A process the person found (in nvidia-smi) taking all or nearly all of the GPU's memory, in a text
  that says the run failed for memory (nanodet#147: "我运行nvidia-smi，发现有个VeCarRecoServer进程，
  把所有内存基本全吃了…" beside "出现了CUDA内存不足的问题"): gpu_memory_in_use, likely. Not without a
  memory failure, nor from a denial, a question, a condition, a process said to be gone since, or
  the person's own job.
* DataLoader workers set to 0 told as what fixed it, in a container (ultralytics#1238: "Setting
  workers=0 solved the issue for me. Maybe it has something to do with the Docker-Container, where
  I run the training?"): shm_too_small, likely. Not on a host or Windows (no container said), nor
  when the container is denied, nor from advice, a question or "did not help".
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

HELD = "gpu_memory_in_use"
SHM = "shm_too_small"
ZH_OOM = "我在训练的时候出现了CUDA内存不足的问题。\n"
OOM = "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB\n"


@pytest.mark.parametrize("text", [
    ZH_OOM + "我运行nvidia-smi，发现有个VeCarRecoServer进程，把所有内存基本全吃了，杀掉再运行又会出现，请问这个进程是什么呢？\n",
    ZH_OOM + "用nvidia-smi看了一下，发现有一个python进程把显存全占了。\n",
    OOM + "I ran nvidia-smi and found a process called dcgm-exporter eating almost all the GPU memory.\n",
    OOM + "Looking at nvidia-smi there is a process named Xorg taking up nearly all of the memory.\n",
])
def test_a_process_found_taking_the_memory(text):
    got = findings(text)
    assert HELD in got and got[HELD].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # no failure for memory in the text: the person's own job, busy
    "我运行nvidia-smi，发现有个python进程，把所有显存基本全吃了，训练很正常。\n",
    "I ran nvidia-smi and found a process called python eating almost all the GPU memory; training runs fine.\n",
    # a denial, a question, a condition
    ZH_OOM + "我运行nvidia-smi，没有发现有个进程把显存全吃了。\n",
    ZH_OOM + "是不是nvidia-smi里发现有个进程把显存全吃了？\n",
    ZH_OOM + "如果nvidia-smi发现有个进程把显存全占了，就把它杀掉。\n",
    OOM + "Could it be that nvidia-smi shows there is a process taking up all of the memory?\n",
    # over since: killed and the memory came back
    ZH_OOM + "nvidia-smi里发现有个进程把显存全占了，杀掉之后就好了。\n",
    OOM + "In nvidia-smi I found a process using all the GPU memory, killed it and it works now.\n",
    # system memory, not the GPU's: no GPU tool or GPU memory on the line
    ZH_OOM + "top里发现有个java进程，把所有内存基本全吃了。\n",
    # another machine's, or the past
    OOM + "On my other server, nvidia-smi once showed there was a process hogging all the GPU memory.\n",
    OOM + "Last year I found a process eating all the GPU memory in nvidia-smi, but that was another machine.\n",
])
def test_found_process_denied_asked_over_or_without_a_memory_failure(text):
    assert HELD not in findings(text)


CONTAINER_LINE = "Maybe it has something to do with the Docker-Container, where I run the training?\n"


@pytest.mark.parametrize("text", [
    "Training stops after the first epoch.\nSetting workers=0 solved the issue for me. " + CONTAINER_LINE,
    "I train inside a docker container. With num_workers=0 it works.\n",
    "在服务器上的docker中运行训练代码时报错。解决方法是，将Dataloader的num_workers设置为0。\n",
    "The job runs in a Kubernetes pod; setting workers_per_gpu=0 fixed it.\n",
    "We train from a docker container, and with num_workers=0 it no longer crashes.\n",
])
def test_workers_at_zero_fixing_it_in_a_container(text):
    got = findings(text)
    assert SHM in got and got[SHM].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # no container: Windows, a bare host (workers=0 gets past spawn and pickling errors there)
    "On Windows 11, setting num_workers=0 solved the issue for me.\n",
    "Setting workers=0 solved the issue for me. I am not using docker, this is a bare-metal server.\n",
    "Setting num_workers=0 fixed it. I run it without docker.\n",
    # advice, a question, a denial, a plan
    "I run the training in a docker container. Try setting num_workers=0, that usually helps.\n",
    "I run the training in a docker container. Does setting num_workers=0 fix it?\n",
    "I run the training in a docker container. Setting num_workers=0 did not help, it still crashes.\n",
    "I run the training in a docker container. 我把num_workers设置为0了，还是不行。\n",
    # the container is another machine's
    "Setting num_workers=0 fixed it on my laptop. On my old server we used to run it in a docker container.\n",
    # zero of something else
    "In the docker container, setting CUDA_VISIBLE_DEVICES=0 fixed it.\n",
])
def test_workers_at_zero_without_a_container_or_not_a_fix(text):
    assert SHM not in findings(text)
