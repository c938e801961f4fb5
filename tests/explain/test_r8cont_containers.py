"""Containers and device nodes told by facts: commands quoted in a sentence, CUDA's catch-all
error told by its number (cuInit's 999), nvidia-smi at a container's prompt reaching no driver,
and (container_prose's) a Dockerfile installing the driver. Each reader with broken pastes in several wordings and
near-misses in the same words (a working container, a question, other numbers, toolkit
packages)."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import commands
from tests.rules.test_unseen_classes import errors, findings

from .helpers import text, values

_findings = findings


def _errors(paste: str):
    return set(errors(paste))


# --------------------------------------------------------------------------- quoted commands
@pytest.mark.parametrize("line, expected", [
    ('when I start a container "docker run -it sameli/manylinux2014_x86_64_cuda_12.3" and run nvidia-smi', "none"),
    ("I started it with 'docker run --rm -it pytorch/pytorch:latest bash' and CUDA is False", "none"),
    ("I used \u201cdocker run --gpus all -it myimg bash\u201d and it still fails", "--gpus all"),
    ('I have also tried "docker run --gpus all sameli/manylinux2014 nvidia-smi"', "--gpus all"),
    ('the container ("podman run --device nvidia.com/gpu=all ubuntu") sees the GPU', "--device nvidia.com/gpu=all"),
])
def test_a_command_quoted_in_a_sentence_ends_at_its_quote(line, expected):
    assert values(commands.parse(text(line)))["host.container_gpus"] == expected


@pytest.mark.parametrize("line", [
    'the docs say "docker run" - my GPU is not used without it',
    'what does "docker run --help" print?',
    "it's docker's run command that I do not understand",
])
def test_quoted_words_that_are_no_run_command(line):
    assert "host.container_gpus" not in values(commands.parse(text(line)))


# --------------------------------------------------------------------------- cuInit's 999
CUINIT_CTYPES = """$ docker run --rm --gpus all --device /dev/nvidia-uvm nvidia/cuda:12.4.1-base-ubuntu22.04 python3 -c \
"import ctypes; c=ctypes.CDLL('libcuda.so.1'); print('cuInit:', c.cuInit(0))"
cuInit: 999
"""
CUINIT_SAID = [
    CUINIT_CTYPES,
    "cuInit(0) = 999 inside the container, nvidia-smi works fine",
    "In the LXC container cuInit returned 999 and torch says no GPU",
    "Everything that uses pytorch inside docker fails with 999 error, so cuda is unusable",
    "CUDA error 999 whenever the container starts a job; nvidia-smi shows the card",
]


@pytest.mark.parametrize("paste", CUINIT_SAID)
def test_cuda_999_told_by_number_points_at_nvidia_uvm(paste):
    f = _findings(paste)
    assert "nvidia_uvm_missing" in f or "nvidia_uvm_stale_after_suspend" in f
    assert f.get("nvidia_uvm_missing", f.get("nvidia_uvm_stale_after_suspend")).confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    "cuInit(0) = 0 inside the container, CUDA works",
    "docker run --gpus all ghcr.io/ggml-org/llama.cpp:server-cuda -m model.gguf --n-gpu-layers 999",
    "cuda: generated 999 tokens in 12 s",
    "CUDA benchmark returned 999 MiB free",
    "What does error 999 mean? Our CUDA setup works, I am only asking.",
    "Ticket 999: cuda works, docs typo",
])
def test_other_999s_are_not_cudas_unknown_error(paste):
    assert not {"nvidia_uvm_missing", "nvidia_uvm_stale_after_suspend"} & set(_findings(paste))


# --------------------------------------------------------------------------- nvidia-smi at a container prompt
PROMPT_BROKEN = [
    "[root@24c96d985c30 /]# nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    "Make sure that the latest NVIDIA driver is installed and running.\n",
    "root@3f2a9c1b7d4e:/workspace# nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA "
    "driver. Make sure that the latest NVIDIA driver is installed and running.\n",
    "(venv) root@0a1b2c3d4e5f:/app$ sudo nvidia-smi\n\nNVIDIA-SMI has failed because it couldn't communicate with "
    "the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
]


@pytest.mark.parametrize("paste", PROMPT_BROKEN)
def test_nvidia_smi_at_a_container_prompt_reaching_no_driver_is_the_images_own(paste):
    f = _findings(paste)["driver_installed_inside_container"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # the host's shell (a host name, not a container id): the host's driver is not loaded
    "user@workstation:~$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    "Make sure that the latest NVIDIA driver is installed and running.\n",
    # a container whose nvidia-smi works
    "root@3f2a9c1b7d4e:/workspace# nvidia-smi\n"
    "| NVIDIA-SMI 535.183.01             Driver Version: 535.183.01   CUDA Version: 12.2     |\n",
    # the prompt, then another program's output
    "root@3f2a9c1b7d4e:/workspace# python -c 'import torch; print(torch.cuda.is_available())'\nTrue\n",
])
def test_nvidia_smi_elsewhere_is_not_the_images_driver(paste):
    assert "driver_installed_inside_container" not in _findings(paste)


# --------------------------------------------------------------------------- a Dockerfile installing the driver
# (container_prose's reading; kept here beside the prompt's, the same class in other words)
DOCKERFILE_DRIVER = [
    "FROM nvidia/cuda:12.2.0-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y cuda-drivers\n"
    "root@5561000296a4:~# nvidia-smi\nFailed to initialize NVML: Driver/library version mismatch\n",
    "FROM ubuntu:22.04\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends \\\n"
    "    nvidia-driver-535 \\\n    python3-pip\n\nInside the container torch.cuda.is_available() returns False\n"
    "RuntimeError: Found no NVIDIA driver on your system.\n",
    "Step 6/12 : RUN apt-get install -y libnvidia-compute-550-server\n ---> Running in 1b2c3d4e5f6a\n"
    "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
    "NumCudaDevices() that might have already set an error? Error 803: system has unsupported display driver / "
    "cuda driver combination\n",
    "#7 [4/6] RUN sh NVIDIA-Linux-x86_64-535.104.05.run -s --no-kernel-module\n"
    "Failed to initialize NVML: Driver/library version mismatch\n",
]


@pytest.mark.parametrize("paste", DOCKERFILE_DRIVER)
def test_a_dockerfile_installing_the_driver_with_a_gpu_failure(paste):
    f = _findings(paste)["driver_installed_inside_container"]
    assert f.severity.value == "error" and f.confidence.value in ("likely", "confirmed")


@pytest.mark.parametrize("paste", [
    # toolkit and CUDA toolkit packages are not the driver
    "FROM nvidia/cuda:12.4.1-base-ubuntu22.04\nRUN apt-get update && apt-get install -y cuda-toolkit-12-4 cuda-nvcc-12-4\n"
    "RuntimeError: Found no NVIDIA driver on your system.\n",
    "RUN apt-get install -y nvidia-container-toolkit && nvidia-ctk runtime configure --runtime=docker\n",
    # the host's install, not an image's
    "$ sudo apt-get install -y nvidia-driver-535\nnvidia-smi\nFailed to initialize NVML: Driver/library version mismatch\n",
    # removed from the image, not installed
    "RUN apt-get purge -y 'nvidia-*' && echo removed nvidia-driver-535 leftovers\n",
])
def test_no_driver_in_the_image_where_the_dockerfile_installs_none(paste):
    assert "driver_installed_inside_container" not in _errors(paste)


# --------------------------------------------------------------------------- LXC device rules and nvidia-uvm
LXC = """lxc.cgroup2.devices.allow: c 195:* rwm
lxc.mount.entry: /dev/nvidia0 dev/nvidia0 none bind,optional,create=file
lxc.mount.entry: /dev/nvidiactl dev/nvidiactl none bind,optional,create=file
lxc.mount.entry: /dev/nvidia-uvm dev/nvidia-uvm none bind,optional,create=file
"""
LXC_V1 = LXC.replace("cgroup2", "cgroup")
CUDA_FAILS = "RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment\n"


@pytest.mark.parametrize("paste", [LXC + CUDA_FAILS, LXC_V1 + CUDA_FAILS, "# /etc/pve/lxc/101.conf\n" + LXC + CUDA_FAILS])
def test_lxc_rules_allowing_only_major_195_block_nvidia_uvm(paste):
    f = _findings(paste)["nvidia_uvm_missing"]
    assert f.severity.value == "error"


@pytest.mark.parametrize("paste", [
    LXC.replace("rwm\n", "rwm\nlxc.cgroup2.devices.allow: c 509:* rwm\n", 1),  # uvm's major allowed
    LXC.replace("rwm\n", "rwm\nlxc.cgroup2.devices.allow: c 235:* rwm\n", 1),
    LXC.replace("c 195:* rwm", "a"),  # every device allowed
    LXC.replace("c 195:* rwm", "c *:* rwm"),
])
def test_lxc_rules_that_let_nvidia_uvm_through(paste):
    assert "nvidia_uvm_missing" not in _findings(paste)


# --------------------------------------------------------------------------- nvidia-smi works, CUDA finds no device
SMI_IN_CONTAINER = """root@1d71768111b6:/opt/test# nvidia-smi
+-----------------------------------------------------------------------------+
| NVIDIA-SMI 460.27.04    Driver Version: 460.27.04    CUDA Version: 11.1     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  GeForce RTX 2080    Off  | 00000000:01:00.0 Off |                  N/A |
| 30%   35C    P8    20W / 215W |      1MiB /  7982MiB |      0%      Default |
+-------------------------------+----------------------+----------------------+
"""


@pytest.mark.parametrize("failure", [
    "RuntimeError: No CUDA GPUs are available\n",
    "root@1d71768111b6:/opt/test# ./deviceQuery\ncudaGetDeviceCount returned 100\n-> no CUDA-capable device is detected\n",
    "docker run --gpus all -it img\nCUDA error: no CUDA-capable device is detected\n",
])
def test_nvidia_smi_works_in_a_container_and_cuda_finds_no_device(failure):
    f = _findings(SMI_IN_CONTAINER + failure)["nvidia_uvm_missing"]
    assert f.confidence.value == "likely" and f.severity.value == "warning"


@pytest.mark.parametrize("paste", [
    SMI_IN_CONTAINER + ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n",  # CUDA works
    SMI_IN_CONTAINER.replace("root@1d71768111b6:/opt/test# ", "user@box:~$ ")
    + "RuntimeError: No CUDA GPUs are available\n",  # no container
    "docker run --rm -it img bash\n" + SMI_IN_CONTAINER + "RuntimeError: No CUDA GPUs are available\n",  # no --gpus
    SMI_IN_CONTAINER + "CUDA_VISIBLE_DEVICES=\nRuntimeError: No CUDA GPUs are available\n",  # hidden on purpose
    SMI_IN_CONTAINER + "Is CUDA available: False\nPyTorch version: 2.1.0+cpu\n",  # a CPU-only torch
])
def test_no_uvm_guess_where_cuda_works_or_another_cause_is_shown(paste):
    assert "nvidia_uvm_missing" not in _findings(paste)


# --------------------------------------------------------------------------- enroot / pyxis: nvidia_uvm not loaded
ENROOT_WARN = " [WARN] Kernel module nvidia_uvm is not loaded. Make sure the NVIDIA device driver is installed and loaded.\n"


@pytest.mark.parametrize("paste", [
    "$ srun --container-image=nvcr.io#nvidia/pytorch:23.10-py3 python train.py\npyxis: importing docker image\n"
    + ENROOT_WARN + "RuntimeError: CUDA error: no CUDA-capable device is detected\n",
    "$ enroot start --rw pytorch nvidia-smi -L\n" + ENROOT_WARN + "GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1)\n",
    ENROOT_WARN,
])
def test_enroots_uvm_warning_says_nvidia_uvm_is_not_loaded(paste):
    assert _findings(paste)["nvidia_uvm_missing"].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # the driver itself is down: the warning fires then too
    ENROOT_WARN + " nvidia-container-cli: initialization error: driver error: failed to process request\n",
    ENROOT_WARN + "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the "
    "latest NVIDIA driver is installed and running.\n",
    # a question about the warning, with the module loaded
    "Why would enroot warn that nvidia_uvm is not loaded? lsmod shows it:\nnvidia_uvm           1347584  0\n",
])
def test_no_uvm_finding_from_enroot_when_the_driver_is_down_or_only_asked_about(paste):
    assert "nvidia_uvm_missing" not in _errors(paste)


# --------------------------------------------------------------------------- works as root, fails as the user
@pytest.mark.parametrize("paste", [
    "With sudo python train.py the GPU is used; without sudo it says no CUDA-capable device is detected",
    "sudo python3 demo.py runs on the GPU, as my normal user torch.cuda.is_available() is False",
    "用 root 运行 torch.cuda.is_available() 是 True，普通用户是 False",
    "root で実行すると動くが、一般ユーザーでは動かない (torch.cuda.is_available() False)",
    "as root nvidia-smi works, as a regular user it fails with Insufficient Permissions",
])
def test_works_as_root_fails_as_the_user(paste):
    f = _findings(paste)["device_node_permissions"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    "sudo python train.py works fine, and as my normal user it works too, no error",
    "Should CUDA work as root but not as a normal user? Mine works both ways.",
    "as root and as my normal user alike, nvidia-smi works and torch sees the GPU",
])
def test_root_and_user_both_working_or_both_failing_is_no_permission_problem(paste):
    assert "device_node_permissions" not in _findings(paste)


# --------------------------------------------------------------------------- inside a container, by the paste's own marks
@pytest.mark.parametrize("paste, kind", [
    ("$ lxc exec gpu-box -- nvidia-smi\nNo devices were found\n", "lxc"),
    ("$ incus exec trainer -- python3 -c 'import torch'\n", "lxc"),
    ("$ enroot start --rw pytorch python train.py\n", "other"),
    ("$ srun --gres=gpu:1 --container-image=nvcr.io#nvidia/pytorch:24.01-py3 python train.py\n", "other"),
    ("$ cat /proc/self/cgroup\n0::/system.slice/docker-7f3c2a1b9d0e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a.scope\n",
     "docker"),
    ("$ cat /proc/self/cgroup\n0::/user.slice/user-1000.slice/user@1000.service/user.slice/"
     "libpod-3f2a9c1b7d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a.scope\n", "podman"),
    ("(base) root@7f3c2a1b9d0e:/workspace# nvidia-smi\n", "docker"),
    ("(venv) user@0a1b2c3d4e5f:/app$ python train.py\n", "docker"),
])
def test_the_paste_shows_it_runs_in_a_container(paste, kind):
    ex, _ = diagnose(source.normalise(paste))
    assert ex.facts.host.container.value == kind


@pytest.mark.parametrize("paste", [
    "(base) user@workstation:~$ nvidia-smi\n",  # a host name, not a container id
    "(venv) me@gpu-node-01:/app$ python train.py\n",
    "$ cat /proc/self/cgroup\n0::/user.slice/user-1000.slice/session-3.scope\n",  # a login session
    "I'm not using docker or lxc, this is bare metal\n",
    "$ srun --gres=gpu:1 python train.py\n",  # Slurm without a container image
])
def test_host_marks_are_no_container(paste):
    ex, _ = diagnose(source.normalise(paste))
    assert ex.facts.host.container.value in (None, "none")


# --------------------------------------------------------------------------- torch finds an older driver than nvidia-smi shows
def _smi(driver: str, cuda: str, prompt: str = "root@1d71768111b6:/workspace# ") -> str:
    return (f"{prompt}nvidia-smi\n"
            "+-----------------------------------------------------------------------------------------+\n"
            f"| NVIDIA-SMI {driver}              Driver Version: {driver}      CUDA Version: {cuda}     |\n"
            "|-----------------------------------------+------------------------+----------------------+\n"
            "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n"
            "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n"
            "|=========================================+========================+======================|\n"
            "|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0 Off |                  N/A |\n"
            "|  0%   32C    P8             20W /  350W |       1MiB /  24576MiB |      0%      Default |\n"
            "+-----------------------------------------+------------------------+----------------------+\n")


TOO_OLD = ("UserWarning: CUDA initialization: The NVIDIA driver on your system is too old (found version 11040). Please "
           "update your GPU driver by downloading and installing a new version from the URL: "
           "http://www.nvidia.com/Download/index.aspx Alternatively, go to: https://pytorch.org to install a PyTorch "
           "version that has been compiled with your version of the CUDA driver.\n")


@pytest.mark.parametrize("paste", [
    _smi("550.54.14", "12.4") + TOO_OLD,
    "I run it in a docker container.\n" + _smi("535.183.01", "12.2", prompt="$ ") + TOO_OLD,
])
def test_torch_finding_an_older_driver_than_nvidia_smi_in_a_container(paste):
    assert _findings(paste)["driver_installed_inside_container"].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    _smi("470.223.02", "11.4") + TOO_OLD,  # the driver is that old indeed
    _smi("550.54.14", "12.4", prompt="user@workstation:~$ ") + TOO_OLD,  # no container
])
def test_no_image_driver_where_torch_found_the_driver_shown_or_no_container(paste):
    assert "driver_installed_inside_container" not in _findings(paste)


# --------------------------------------------------------------------------- TensorFlow: the driver is loaded, /dev/nvidia0 is not here
TF_NO_NODE = ("2021-02-25 21:58:35.933252: W tensorflow/stream_executor/cuda/cuda_driver.cc:326] failed call to cuInit: "
              "UNKNOWN ERROR (303)\n2021-02-25 21:58:35.933277: I tensorflow/stream_executor/cuda/cuda_diagnostics.cc:163] "
              "no NVIDIA GPU device is present: /dev/nvidia0 does not exist\n")


@pytest.mark.parametrize("paste", [
    "docker run -it -p 8888:8888 tensorflow/tensorflow:latest-gpu-jupyter\n" + TF_NO_NODE,
    "I am running TensorFlow inside a docker container\n" + TF_NO_NODE,
    "$ kubectl exec -it tf-0 -- python train.py\n" + TF_NO_NODE,
])
def test_tensorflow_finding_no_dev_nvidia0_in_a_container(paste):
    assert _findings(paste)["container_missing_gpus_flag"].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    TF_NO_NODE,  # on a host: nodes never created, another cause
    "docker run --gpus all -it tensorflow/tensorflow:latest-gpu\n" + TF_NO_NODE,  # the start asked for the GPU
])
def test_tensorflow_no_node_outside_a_no_gpu_container(paste):
    assert "container_missing_gpus_flag" not in _findings(paste)


# --------------------------------------------------------------------------- the toolkit's NVML refused
@pytest.mark.parametrize("paste", [
    "$ podman run --rm --hooks-dir=/usr/share/containers/oci/hooks.d/ nvidia/cuda:11.0-base nvidia-smi\n"
    "Error: OCI runtime error: runc create failed: error running hook #0: error running hook: exit status 1, stdout: , "
    "stderr: nvidia-container-cli: initialization error: nvml error: insufficient permissions: unknown\n",
    "Warning  Failed  kubelet  Error: failed to create containerd task: stderr: nvidia-container-cli.real: "
    "initialization error: nvml error: insufficient permissions: unknown\n",
    "nvidia-docker | 2017/01/06 20:03:02 Error: nvml: Insufficient Permissions\n",
])
def test_the_toolkits_nvml_refused_is_device_node_permissions(paste):
    assert _findings(paste)["device_node_permissions"].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # nvidia-smi refusing a privileged setting on a working machine
    "$ nvidia-smi -ac 5001,1590\nSetting applications clocks is not supported for GPU 00000000:01:00.0.\n"
    "Treating as warning and moving on.\n",
    # another tool's own capitalised wording for a clock change it may not make
    "set_gpu_clocks failed: NVML error: Insufficient permissions (run as root to change clocks)\n",
])
def test_privileged_settings_refused_are_no_device_node_problem(paste):
    assert "device_node_permissions" not in _errors(paste)


# --------------------------------------------------------------------------- NVIDIA_VISIBLE_DEVICES=void / none
@pytest.mark.parametrize("paste", [
    "$ env | grep NVIDIA\nNVIDIA_VISIBLE_DEVICES=void\nNVIDIA_DRIVER_CAPABILITIES=compute,utility\n$ nvidia-smi\n"
    "bash: nvidia-smi: command not found\n",
    "services:\n  app:\n    image: myapp:latest\n    environment:\n      - NVIDIA_VISIBLE_DEVICES=none\n"
    "app-1  | RuntimeError: No CUDA GPUs are available\n",
    "ENV NVIDIA_VISIBLE_DEVICES=void\nroot@3f2a9c1b7d4e:/app# python -c \"import torch; torch.zeros(1).cuda()\"\n"
    "RuntimeError: Found no NVIDIA driver on your system.\n",
])
def test_a_container_told_to_get_no_gpu_by_its_environment(paste):
    assert "container_missing_gpus_flag" in _errors(paste)


@pytest.mark.parametrize("paste", [
    "$ env | grep NVIDIA\nNVIDIA_VISIBLE_DEVICES=all\nNVIDIA_DRIVER_CAPABILITIES=compute,utility\n$ nvidia-smi\n"
    "bash: nvidia-smi: command not found\n",  # all: the GPUs are asked for (another cause)
    "NVIDIA_VISIBLE_DEVICES=none is set for the CPU workers on purpose; training runs fine on the GPU node.\n",
    "docker run --gpus all -e NVIDIA_VISIBLE_DEVICES=void img\nRuntimeError: No CUDA GPUs are available\n",
])
def test_visible_devices_that_ask_for_gpus_or_fail_nothing(paste):
    assert "container_missing_gpus_flag" not in _errors(paste)


@pytest.mark.parametrize("said", [
    "nvidia-smi with sudo it works, without sudo it works as well",
    "nvidia-smi doesn't work as root, nor as my normal user",
])
def test_root_and_user_said_alike_are_no_permission_problem(said):
    from envcheck.explain.parsers import prose_state
    assert "driver.device_nodes" not in values(prose_state.parse(text(said)))


def test_root_only_said_is_a_permission_problem():
    from envcheck.explain.parsers import prose_state
    assert "driver.device_nodes" in values(prose_state.parse(text("nvidia-smi only works with sudo, not as my normal user")))
