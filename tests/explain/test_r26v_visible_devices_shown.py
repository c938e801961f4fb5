"""Round 26 v: CUDA_VISIBLE_DEVICES shown empty in the failing run (a person's sentence, a program's
print, a snippet's result comment, a REPL answer) and a Ray task or actor declared without GPUs beside
CUDA finding no device (explain/parsers/visible_devices_shown.py, rules/cuda_env.py). Texts written for
the test in the forms of ray-project/ray#50180 and the Ray/SLURM reports, each class with near-misses: a
denial, a question, a condition, a value kept empty on purpose, no failure, another machine, a task that
asks for GPUs.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

HIDES = "cuda_visible_devices_hides_gpus"
NO_GPUS = "RuntimeError: No CUDA GPUs are available"


@pytest.mark.parametrize("text", [
    "torch.cuda.is_available() returns False in my SLURM job. It turned out CUDA_VISIBLE_DEVICES was set to an empty "
    "string by the prolog script.",
    "My SLURM job without --gres: CUDA_VISIBLE_DEVICES is empty and torch.cuda.is_available() is False.",
    "CUDA_VISIBLE_DEVICES inside the container is blank.\n" + NO_GPUS,
    "CUDA_VISIBLE_DEVICES is empty: True\n" + NO_GPUS,
    "CUDA_VISIBLE_DEVICES in the actor: \ntorch.cuda.device_count() = 0",
    "def f():\n    return os.environ[\"CUDA_VISIBLE_DEVICES\"]\n\nray.get(f.remote())  # returns ''\n"
    "This does not work as expected.",
    ">>> os.environ.get('CUDA_VISIBLE_DEVICES')\n''\n>>> torch.cuda.is_available()\nFalse\n" + NO_GPUS,
])
def test_an_empty_value_shown_in_the_failing_run(text):
    f = findings(text)
    assert HIDES in f
    assert f[HIDES].severity.value == "error" and f[HIDES].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "CUDA_VISIBLE_DEVICES is not empty, it is 0,1. Training fails with CUDA out of memory.",
    "I don't think CUDA_VISIBLE_DEVICES is empty here.\n" + NO_GPUS,
    "Is CUDA_VISIBLE_DEVICES empty in a Ray task without num_gpus? My GPU tasks work fine.",
    "CUDA_VISIBLE_DEVICES is empty?\n" + NO_GPUS,
    "If CUDA_VISIBLE_DEVICES is empty, CUDA sees no GPU. Mine is set to 0.\n" + NO_GPUS,
    "For the unit tests CUDA_VISIBLE_DEVICES is set to an empty string on purpose, to run them on the CPU; one test "
    "fails with an AssertionError about shapes.",
    "In the CPU-only job CUDA_VISIBLE_DEVICES is empty, as expected.\nTraceback (most recent call last):\n"
    "ValueError: shapes (3,) and (4,) not aligned",
    "On the other server CUDA_VISIBLE_DEVICES was empty and CUDA found no GPU; this machine is fine.",
    "CUDA_VISIBLE_DEVICES is empty: False\ntorch.cuda.is_available(): True",
    "CUDA_VISIBLE_DEVICES in the actor: \nThe actor only preprocesses on the CPU; training on the driver uses the GPU.",
    "print(cpu_task.remote())  # returns '' as expected for a CPU task\n" + NO_GPUS,
])
def test_an_empty_value_near_miss(text):
    assert HIDES not in errors(text)


@pytest.mark.parametrize("text", [
    "import ray, torch\n\n@ray.remote\ndef embed(batch):\n    return model(batch.to('cuda'))\n\n"
    "ray::embed() (pid=1234)\n" + NO_GPUS,
    "ray_client = ray.remote(client_cls)\nworkers = [ray_client.remote(**init_args) for _ in range(4)]\n"
    "torch.cuda.is_available() is False in every actor, but True on the driver.",
    "ray.init(num_cpus=8, num_gpus=1)\n\n@ray.remote(num_cpus=1)\nclass Worker:\n    pass\n\n"
    "RuntimeError: Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False.",
])
def test_a_ray_task_declared_without_gpus(text):
    f = findings(text)
    assert HIDES in f
    assert f[HIDES].severity.value == "warning" and f[HIDES].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "@ray.remote(num_gpus=1)\ndef train():\n    pass\n\n" + NO_GPUS,
    "@ray.remote\ndef preprocess(x):\n    return x * 2\n\nEverything runs; torch.cuda.is_available() is True on the driver.",
    "@ray.remote\ndef load():\n    pass\n\n@ray.remote(num_gpus=1)\ndef train():\n    pass\n\n" + NO_GPUS,
    "@ray.remote\ndef train():\n    pass\n\nworker = train.options(num_gpus=0.5).remote()\n" + NO_GPUS,
    "File \"/usr/lib/python3/site-packages/ray/remote_function.py\", line 130, in _remote\n"
    "ray.remote_function.RemoteFunction\n" + NO_GPUS,
    "@ray.remote\ndef preprocess(x):\n    return x\n\ntorch.cuda.OutOfMemoryError: CUDA out of memory.",
])
def test_a_ray_near_miss(text):
    assert HIDES not in findings(text)


# Accelerate passes its gpu_ids on as the run's CUDA_VISIBLE_DEVICES (explain/parsers/visible_devices_launchers.py).
_ACCELERATE_YAML = "compute_environment: LOCAL_MACHINE\ndistributed_type: 'NO'\ngpu_ids: '{}'\nnum_processes: 1\n"


@pytest.mark.parametrize("text", [
    _ACCELERATE_YAML.format("1") + "\nI only have one GPU.\n" + NO_GPUS,
    "accelerate launch --num_processes 1 --gpu_ids 1 train.py\n" + NO_GPUS,
    _ACCELERATE_YAML.format("-1") + "\n" + NO_GPUS,
])
def test_accelerate_gpu_ids_hide_the_gpus(text):
    assert HIDES in findings(text)


@pytest.mark.parametrize("text", [
    _ACCELERATE_YAML.format("all") + "\n" + NO_GPUS,
    _ACCELERATE_YAML.format("0") + "\n" + NO_GPUS,
    "python train.py --dataroot ./datasets/facades --gpu_ids 1\n" + NO_GPUS,
    "Try accelerate launch --gpu_ids 0 train.py if you only have one GPU.\n" + NO_GPUS,
    _ACCELERATE_YAML.format("2,3") + "\nTraining runs fine on GPUs 2 and 3.",
    "gpu_ids: 1\nnum_epochs: 10\n" + NO_GPUS,
])
def test_accelerate_near_misses(text):
    assert HIDES not in findings(text)


@pytest.mark.parametrize("text", [
    "在容器里 CUDA_VISIBLE_DEVICES 为空，torch.cuda.is_available() 返回 False。\n" + NO_GPUS,
    "ジョブ内では CUDA_VISIBLE_DEVICES が空でした。\n" + NO_GPUS,
    "Dentro del contenedor CUDA_VISIBLE_DEVICES está vacía y la GPU no aparece.\n" + NO_GPUS,
    "Im Job ist CUDA_VISIBLE_DEVICES leer, siehe unten.\n" + NO_GPUS,
])
def test_an_empty_value_said_in_other_languages(text):
    assert HIDES in findings(text)


@pytest.mark.parametrize("text", [
    "如果 CUDA_VISIBLE_DEVICES 为空，就看不到 GPU。我的设置是 0。\n" + NO_GPUS,
    "CUDA_VISIBLE_DEVICES が空ですか？\n" + NO_GPUS,
    "CUDA_VISIBLE_DEVICES no está vacía, vale 0.\n" + NO_GPUS,
    "CUDA_VISIBLE_DEVICES ist nicht leer.\n" + NO_GPUS,
])
def test_an_empty_value_near_miss_in_other_languages(text):
    assert HIDES not in errors(text)
