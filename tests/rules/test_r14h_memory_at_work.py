"""GPU memory held in a pasted nvidia-smi (round 14, healthy pastes at scale).

gpu_memory_in_use was the commonest warning on healthy pastes: an nvidia-smi taken while the
reporter's own training or web UI runs (the GPU busy, its memory held by that job), or taken
inside a container (a used figure, no process listed). rules/health.py now weighs a pasted
table (explain) as a moment of a working machine unless the text has a failure for memory or an
idle listed process holds it (the stale holder of a killed run); a live reading is unchanged.
llama.cpp's "cudaMalloc failed: out of memory" is catalogued (messages.toml, r14healthy) as
such a failure. Texts written for the test in the shapes nvidia-smi 535-552 prints.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FID = "gpu_memory_in_use"


def smi(used: str, util: str, procs: str = "") -> str:
    return ("+---------------------------------------------------------------------------------------+\n"
            "| NVIDIA-SMI 535.171.04             Driver Version: 535.171.04   CUDA Version: 12.2     |\n"
            "|-----------------------------------------+----------------------+----------------------+\n"
            "| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |\n"
            "| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |\n"
            "|=========================================+======================+======================|\n"
            "|   0  NVIDIA GeForce RTX 3090        Off | 00000000:01:00.0  On |                  N/A |\n"
            f"|  0%   48C    P2             118W / 350W |  {used} / 24576MiB |    {util:>3}%      Default |\n"
            "+-----------------------------------------+----------------------+----------------------+\n"
            + ("+---------------------------------------------------------------------------------------+\n"
               "| Processes:                                                                            |\n"
               "|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |\n"
               "|=======================================================================================|\n"
               + procs +
               "+---------------------------------------------------------------------------------------+\n"
               if procs else ""))


TRAINER = "|    0   N/A  N/A      48211      C   /home/jo/miniconda3/envs/nb/bin/python   22656MiB |\n"
XORG = "|    0   N/A  N/A       1822      G   /usr/lib/xorg/Xorg                         244MiB |\n"
WEBUI = "|    0   N/A  N/A      88123      C   python3 webui.py                          17810MiB |\n"

BROKEN = [
    # an idle process listed holding the card, and the run fails for memory (the dev probe's shape)
    smi("22980MiB", "0", XORG + TRAINER) + "\nMy training script immediately OOMs at batch size 1 even though it ran "
    "yesterday. Nothing else is running.",
    # the same idle holder, no failure in the text: the stale holder of a killed run
    smi("22980MiB", "0", XORG + TRAINER),
    # busy GPU, but the text fails for memory
    smi("22980MiB", "97", TRAINER) + "\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 "
    "has a total capacity of 23.69 GiB of which 301.00 MiB is free. Process 48211 has 22.13 GiB memory in use.",
    # llama.cpp's allocation failure beside a memory query and the holders
    "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 7338.66 MiB on device 0: cudaMalloc failed: out of memory\n"
    "llama_model_load: error loading model: unable to allocate backend buffer\n"
    "$ nvidia-smi --query-gpu=memory.used,memory.total --format=csv\nmemory.used [MiB], memory.total [MiB]\n"
    "9876 MiB, 12288 MiB\n",
]


@pytest.mark.parametrize("text", BROKEN)
def test_memory_held_beside_a_memory_failure_or_by_an_idle_process_is_in_use(text):
    assert FID in findings(text)


NEAR_MISS = [
    # the reporter's own training, the GPU busy, the question about something else
    smi("22980MiB", "100", TRAINER) + "\nTraining is running but throughput dropped after I updated transformers.",
    # a web UI generating, with the desktop's processes
    smi("18342MiB", "78", XORG + WEBUI) + "\nGeneration with SDXL takes 9 s per image, is that normal for a 3090?",
    # nvidia-smi inside a container: a used figure, no process listed
    smi("7325MiB", "0") + "\nInside the container the model server answers requests normally.",
    # busy, several processes of one job
    smi("23100MiB", "99", TRAINER + TRAINER.replace("48211", "48212").replace("22656", "  400"))
    + "\nDDP with two processes on one GPU for a test; loss goes down as expected.",
    # busy GPU, and a past failure the text says is over
    smi("21000MiB", "95", TRAINER) + "\nYesterday I had to lower the batch size; now it trains at 3.8 it/s.",
]


@pytest.mark.parametrize("text", NEAR_MISS)
def test_a_pasted_moment_of_a_working_machine_is_not_memory_in_use(text):
    assert FID not in findings(text)
