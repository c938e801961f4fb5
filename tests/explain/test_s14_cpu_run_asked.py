"""The run told to use the CPU on a machine without an NVIDIA GPU, and CUDA asked for all the same
(explain/parsers/cpu_run_asked.py, rules/platform.py): the machine is as its owner means it, the
program ignores its own setting. no_nvidia_gpu_found stays (it is true) but is no error. Found by
the sweep of session 14 (a transcription library given ``device="cpu"`` moving one model to CUDA).
Near-misses that keep the error: no CPU setting, ``.to("cpu")`` and ``map_location="cpu"`` (code on
GPU machines does both), ``device="cuda"``. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "no_nvidia_gpu_found"
NO_GPU = "I don't have an NVIDIA GPU, this is a CPU-only laptop.\n"
FAILS = "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver"


@pytest.mark.parametrize("setting", [
    'model = load_model("small", device="cpu")',
    "pipe = pipeline('asr', device_map='cpu')",
    'dev = torch.device("cpu")',
    "python main.py --cpu",
    "python train.py --device cpu --epochs 3",
    "python infer.py --device=cpu",
])
def test_cuda_asked_though_the_run_was_told_to_use_the_cpu(setting):
    f = findings(NO_GPU + setting + "\n" + FAILS)
    assert ID in f, sorted(f)
    assert f[ID].severity.value == "warning"
    assert "told to use the CPU" in f[ID].explanation


@pytest.mark.parametrize("setting", [
    "",
    "x = x.to('cpu').numpy()",
    'state = torch.load("model.pt", map_location="cpu")',
    'model = load_model("small", device="cuda")',
    "python train.py --device cuda:0",
    "python main.py --cpu-vae",
])
def test_without_a_cpu_setting_it_stays_an_error(setting):
    f = findings(NO_GPU + setting + "\n" + FAILS)
    assert ID in f, sorted(f)
    assert f[ID].severity.value == "error"
