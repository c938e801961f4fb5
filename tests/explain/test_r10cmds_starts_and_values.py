"""Which container start failed, and an expression with the value printed for it (round 10, r10cmds).

Several starts pasted together (the failing one beside one that works) are judged by what
followed each: the failing start's GPU request counts. And a Python expression followed by its
value is read however it was typed: bare, marked by hand, printed, at a prompt, with a warning
Python printed in between.
"""

from __future__ import annotations

import pytest

from envcheck.derived.container_start import FAILED_IN_IT
from envcheck.explain import diagnose, source, start_outcome
from envcheck.explain.parsers import commands, interactive

from .helpers import details, text, values


def explain_ids(paste: str):
    _, report = diagnose(source.normalise(paste))
    return {f.id for f in report.findings}


def _gpus(paste: str):
    f = commands.parse(text(paste))
    claims = [c for c in f.claims if c.path == "host.container_gpus"]
    return values(f).get("host.container_gpus"), details(f).get("host.container_gpus", ""), len(claims)


# --------------------------------------------------------------------------- which start failed
FAILED_THEN_WORKED = [
    # zh: inline code, the sentence after the command, nvidia-smi through hand-mounted driver files
    ("使用：\n`sudo docker run -v /usr/bin:/usr/local/nvidia/bin -v /usr/lib64/nvidia:/usr/local/nvidia/lib -p 8888:8888 "
     "my/img` 启动镜像后，执行命令报错如下：\n```\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate "
     "with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n```\n\n"
     "很奇怪，使用`sudo nvidia-docker run --rm nvidia/cuda nvidia-smi`能看到结果。\n"),
    # en: the failing start first, then the same image with --gpus all and nvidia-smi's table
    ("$ docker run --rm -it my-experiment nvidia-smi\ndocker: Error response from daemon: OCI runtime create failed:\n"
     "container_linux.go:380: starting container process caused: exec: \"nvidia-smi\": executable file not found in "
     "$PATH: unknown.\n\n$ docker run --rm -it --gpus all my-experiment nvidia-smi\n"
     "| NVIDIA-SMI 470.42.01    Driver Version: 470.42.01    CUDA Version: 11.4     |\n"),
    # the working one first, the failing one last but one: the order does not decide
    ("docker run --gpus all nvidia/cuda:12.2.0-base-ubuntu22.04 nvidia-smi\n"
     "| NVIDIA-SMI 535.54.03              Driver Version: 535.54.03    CUDA Version: 12.2     |\n"
     "docker run -it pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime python\n>>> import torch\n"
     ">>> torch.cuda.is_available()\nFalse\n"
     "docker run --rm -it --gpus all pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime python -c 'import torch; "
     "print(torch.cuda.is_available())'\nTrue\n"),
    # podman: the CDI device works, the plain run does not (a program's log, a hand-marked REPL)
    ("podman run --rm -it docker.io/pytorch/pytorch:1.6.0-cuda10.1-cudnn7-devel bash\n> python\n> import torch\n"
     "> torch.cuda.is_available()\n>> False\n\npodman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi -L\n"
     "GPU 0: NVIDIA GeForce RTX 4070 (UUID: GPU-1234)\nThis works fine.\n"),
    # Apptainer without --nv, then with it
    ("apptainer exec pytorch.sif python -c \"import torch; print(torch.cuda.is_available())\"\nFalse\n"
     "apptainer exec --nv pytorch.sif python -c \"import torch; print(torch.cuda.is_available())\"\nTrue\n"),
    # ko: the person's words on each start's line
    ("`docker run -it myimg python train.py` 로 실행하면 에러가 납니다.\n"
     "`docker run -it --gpus all nvidia/cuda:11.8.0-base-ubuntu22.04 nvidia-smi` 는 잘 됩니다.\n"),
    # one sentence holding both starts (the working one first)
    ("docker run --gpus all nvidia/cuda:12.2.0-base nvidia-smi shows my GPU, but docker run -it pytorch/pytorch "
     "python -c 'import torch; print(torch.cuda.is_available())' prints False\n"),
    ("When I run `docker run -it my/img nvidia-smi` it says nvidia-smi is not found, but `docker run --gpus all "
     "nvidia/cuda:12.2.0-base nvidia-smi` works.\n"),
    # a compose service without a GPU reservation, its log, and the toolkit's test container working
    ("services:\n  app:\n    image: yanwk/comfyui-boot:latest\n    ports:\n      - 8188:8188\n\n"
     "app-1  |   File \"/usr/local/lib/python3.11/site-packages/torch/cuda/__init__.py\", line 314, in _lazy_init\n"
     "app-1  |     torch._C._cuda_init()\napp-1  | RuntimeError: No CUDA GPUs are available\n\n"
     "$ sudo docker run --rm --runtime=nvidia --gpus all ubuntu nvidia-smi\n"
     "| NVIDIA-SMI 555.58.02              Driver Version: 555.58.02      CUDA Version: 12.5     |\n"),
    # a program's own log saying it found no GPU
    ("❯ docker run --rm someone/app:latest --list-gpus\n2025/12/23 | ⚠ card1: NVIDIA CUDA test failed\n"
     "2025/12/23 | ❌ No GPUs detected\n\n❯ docker run --rm --gpus all someone/app:latest --list-gpus\n"
     "2025/12/23 | ✅ card1: NVIDIA CUDA working\n"),
]


@pytest.mark.parametrize("paste", FAILED_THEN_WORKED)
def test_the_start_that_failed_counts_not_the_last_one(paste):
    value, detail, n = _gpus(paste)
    assert value == "none" and n == 1, (value, detail)
    assert "worked" in detail


@pytest.mark.parametrize("paste", FAILED_THEN_WORKED)
def test_a_failed_start_without_gpus_is_the_finding(paste):
    assert "container_missing_gpus_flag" in explain_ids(paste)


@pytest.mark.parametrize("paste", [
    # TensorFlow's device list, empty
    "$ docker run --rm tensorflow/tensorflow:latest-gpu python -c \"import tensorflow as tf; "
    "print(tf.config.list_physical_devices('GPU'))\"\n[]\n",
    # R torch at R's prompt
    "docker run -it rocker/ml R\n> library(torch)\n> cuda_is_available()\n[1] FALSE\n",
    # a device count of 0
    "docker run -it my/img python -c 'import torch; print(torch.cuda.device_count())'\n0\n",
])
def test_a_check_answered_none_in_a_container_started_without_gpus(paste):
    _, detail, _ = _gpus(paste)
    assert FAILED_IN_IT in detail
    assert "container_missing_gpus_flag" in explain_ids(paste)


def test_a_check_answered_with_devices_is_no_failure():
    _, detail, _ = _gpus("docker run --rm tensorflow/tensorflow:latest-gpu python -c \"import tensorflow as tf; "
                         "print(tf.config.list_physical_devices('GPU'))\"\n"
                         "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n")
    assert FAILED_IN_IT not in detail


def test_kubectl_run_without_a_gpu_resource():
    value, _, _ = _gpus("kubectl run cuda-test --image=nvidia/cuda:12.2.0-base-ubuntu22.04 --restart=Never "
                        "-- nvidia-smi")
    assert value == "none"
    value, _, _ = _gpus('kubectl run cuda-test --image=nvidia/cuda:12.2.0-base --overrides=\'{"spec": '
                        '{"containers": [{"name": "c", "image": "nvidia/cuda:12.2.0-base", "resources": '
                        '{"limits": {"nvidia.com/gpu": 1}}}]}}\'')
    assert value == "nvidia.com/gpu"
    value, _, _ = _gpus("kubectl run -it --rm debug --image=busybox --restart=Never -- sh")
    assert value is None  # a debug pod says nothing of the GPU pod


def test_a_single_start_whose_output_shows_the_gpu_failing_is_marked():
    _, detail, _ = _gpus("docker run -it nvcr.io/nvidia/pytorch:23.10-py3\n\n== PyTorch ==\n"
                         "WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.\n")
    assert FAILED_IN_IT in detail


# near misses: the same words, and no container started without its GPU
def test_the_failed_start_asked_for_gpus_so_its_flag_counts():
    value, _, n = _gpus("docker run --gpus all my/img python -c 'import torch; print(torch.cuda.is_available())'\n"
                        "False\nnvidia-docker run --rm nvidia/cuda nvidia-smi\n"
                        "| NVIDIA-SMI 418.87.00    Driver Version: 418.87.00    CUDA Version: 10.1     |\n")
    assert value == "--gpus all" and n == 1


def test_two_starts_in_a_sentence_without_outcomes_keep_todays_reading():
    value, _, n = _gpus("I tried docker run -it a/b bash and docker run --gpus all a/b bash\n")
    assert n == 2 and value == "--gpus all"


def test_a_start_said_to_fail_for_another_error_is_not_tied_to_the_gpu():
    paste = ("This fails:\ndocker run -p 8080:8080 my/app\ndocker: Error response from daemon: driver failed programming "
             "external connectivity: Bind for 0.0.0.0:8080 failed: port is already allocated.\n"
             "This works:\ndocker run --gpus all -p 8081:8080 my/app\n")
    _, detail, _ = _gpus(paste)
    assert FAILED_IN_IT not in detail
    assert "container_missing_gpus_flag" not in explain_ids(paste)


def test_starts_that_all_worked_keep_todays_reading():
    value, detail, n = _gpus("docker run --gpus all nvidia/cuda nvidia-smi\n"
                             "| NVIDIA-SMI 535.54.03    Driver Version: 535.54.03    CUDA Version: 12.2 |\n"
                             "docker run -d -p 8080:8080 my/webui\nIt works, the UI loads.\n")
    assert n == 2 and value == "none" and FAILED_IN_IT not in detail


def test_a_start_without_flags_whose_nvidia_smi_works_is_not_marked():
    # a daemon whose default runtime is nvidia: the GPU reached the container
    _, detail, _ = _gpus("docker run --rm nvidia/cuda:12.2.0-base nvidia-smi\n"
                         "| NVIDIA-SMI 535.54.03    Driver Version: 535.54.03    CUDA Version: 12.2 |\n")
    assert FAILED_IN_IT not in detail


def test_an_amd_container_with_an_unrelated_error_is_not_a_missing_gpu_flag():
    paste = ("docker run -it --rm --device=/dev/kfd --device=/dev/dri --group-add video my/vllm-rocm vllm serve /model\n"
             "ERROR 08-17 11:21:36 [serving_chat.py:222] Error in preprocessing prompt inputs\n")
    assert "container_missing_gpus_flag" not in explain_ids(paste)


def test_a_question_naming_no_gpu_is_not_the_containers_output():
    _, detail, _ = _gpus("docker run -it my/img bash\nWhy would it print no GPU detected?\n")
    assert FAILED_IN_IT not in detail


@pytest.mark.parametrize("words, outcome", [
    ("执行命令报错如下：", start_outcome.FAILED), ("能看到结果。", start_outcome.WORKED),
    ("but it fails with", start_outcome.FAILED), ("this one works:", start_outcome.WORKED),
    ("it does not work", start_outcome.FAILED), ("에러가 납니다", start_outcome.FAILED), ("잘 됩니다", start_outcome.WORKED),
    ("エラーになります", start_outcome.FAILED), ("funktioniert nicht", start_outcome.FAILED),
    ("no funciona", start_outcome.FAILED), ("funciona bien", start_outcome.WORKED), ("I started it with", None),
])
def test_what_a_person_says_of_a_start(words, outcome):
    assert start_outcome.said(words) is outcome


# --------------------------------------------------------------------------- an expression and its value
def _read(paste: str):
    return values(interactive.parse(text(paste)))


@pytest.mark.parametrize("paste, path, value", [
    ("import torch\ntorch.cuda.is_available()\nFalse\n", "torch.cuda_available", False),  # no prompt
    ("> python\n> import torch\n> torch.cuda.is_available()\n>> False\n", "torch.cuda_available", False),
    ("import torch; print(torch.cuda.is_available())\nFalse\n", "torch.cuda_available", False),
    ("print(torch.cuda.is_available());\n\nfalse\n", "torch.cuda_available", False),
    ("In [3]: torch.cuda.is_available()\nOut[3]: False\n", "torch.cuda_available", False),
    ("torch.cuda.is_available()\nOut[3]: True\n", "torch.cuda_available", True),  # a cell pasted without In [ ]
    ('$ python -c "import torch; print(torch.cuda.is_available())"\n/opt/conda/lib/python3.8/site-packages/torch/'
     'cuda/__init__.py:52: UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly '
     'set up environment\n  return torch._C._cuda_getDeviceCount() > 0\nFalse\n', "torch.cuda_available", False),
    (">>> torch.cuda.is_available()\n/home/u/torch/cuda/__init__.py:88: UserWarning: CUDA initialization: The NVIDIA "
     "driver on your system is too old (found version 11040)\n  return torch._C._cuda_getDeviceCount() > 0\nFalse\n",
     "torch.cuda_available", False),
    ('PS C:\\> py -c "import torch; print(torch.version.cuda)"\nNone\n', "torch.cuda_build", "not_found"),
    ("torch.__version__\n'2.1.0+cu118'\n", "torch.version", "2.1.0+cu118"),
    ("print(torch.__version__)\n2.3.1+cpu\n", "torch.version", "2.3.1+cpu"),
    ("import torch\nprint(torch.cuda.device_count())\n0\n", "torch.device_count", 0),
])
def test_an_expression_and_the_value_printed_for_it(paste, path, value):
    assert _read(paste).get(path) == value


@pytest.mark.parametrize("paste, expected", [
    ("```python\nimport torch\nprint(torch.__version__)\nprint(torch.version.cuda)\nprint(torch.cuda.is_available())\n```\n"
     "Output:\n```\n2.1.0+cpu\nNone\nFalse\n```\n",
     {"torch.version": "2.1.0+cpu", "torch.cuda_build": "not_found", "torch.cuda_available": False}),
    ("import torch\nprint(torch.__version__)\nprint(torch.cuda.is_available())\n\n$ python check.py\n2.3.1+cu121\nTrue\n",
     {"torch.version": "2.3.1+cu121", "torch.cuda_available": True}),
    ("print(torch.__version__)\nprint(torch.cuda.is_available())\n输出：\n2.0.1+cu118\nFalse\n",
     {"torch.version": "2.0.1+cu118", "torch.cuda_available": False}),
])
def test_a_scripts_prints_and_its_output_below_them(paste, expected):
    got = _read(paste)
    assert {k: got.get(k) for k in expected} == expected


def test_a_scripts_prints_without_as_many_values_say_nothing():
    assert _read("print(torch.__version__)\nprint(torch.cuda.is_available())\nmodel = Net()\nx = 1\n") == {}
    # one value for two prints: which is which is not known
    assert "torch.cuda_available" not in _read("print(torch.__version__)\nprint(torch.cuda.is_available())\n"
                                               "Output:\nFalse\n\nThen I tried again.\n")


@pytest.mark.parametrize("paste", [
    "Run this:\ntorch.cuda.is_available()\nIt should print True\n",  # advice, not a value
    "if torch.cuda.is_available():\n    print('ok')\n",
    "x = model(); torch.cuda.is_available()\nFalse\n",  # a program's line, not a look at one value
    "torch.cuda.is_available()\nmodel = Net().cuda()\n",
    "Does torch.cuda.is_available()\nreturn False on a Mac?\n",
])
def test_lines_that_are_no_expression_and_its_value(paste):
    assert "torch.cuda_available" not in _read(paste)


# --------------------------------------------------------------------------- "insufficient driver" in a container
def test_insufficient_driver_in_a_container_with_no_driver_shown_may_be_a_missing_gpu_grant():
    paste = ("I run it in a singularity container (handled by nextflow).\n"
             "[error] CUDA error: CUDA driver version is insufficient for CUDA runtime version\n")
    assert "container_missing_gpus_flag" in explain_ids(paste)


def test_insufficient_driver_in_a_container_whose_nvidia_smi_shows_the_driver_is_the_driver():
    paste = ("Inside the docker container:\n$ nvidia-smi\n"
             "| NVIDIA-SMI 418.87.00    Driver Version: 418.87.00    CUDA Version: 10.1     |\n"
             "|   0  Tesla V100-SXM2...  Off  | 00000000:00:1E.0 Off |                    0 |\n"
             "RuntimeError: CUDA driver version is insufficient for CUDA runtime version\n")
    assert "container_missing_gpus_flag" not in explain_ids(paste)
