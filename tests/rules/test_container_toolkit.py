"""The host's container engine without the NVIDIA runtime (nvidia_container_toolkit_missing) in
the words of the programs that refuse (Docker, containerd, the CDI library, the Kubernetes device
plugin, the shell, the package managers), and a driver in the image shown by the container's own
package database or by TensorFlow's kernel/DSO comparison. Each broken paste must give its
finding; each near-miss (a healthy paste with the same words) must give no error finding."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose
from envcheck.explain.source import normalise
from envcheck.rules.finding import Severity

_SMI_OK = ("+-----------------------------------------------------------------------------------------+\n"
           "| NVIDIA-SMI 550.127.05             Driver Version: 550.127.05     CUDA Version: 12.4     |\n"
           "|-----------------------------------------+------------------------+----------------------+\n"
           "|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0 Off |                  N/A |\n"
           "+-----------------------------------------+------------------------+----------------------+\n")
_SHIM = ("docker: Error response from daemon: failed to create task for container: failed to create shim task: "
         "OCI runtime create failed: ")


def _findings(text: str):
    return diagnose(normalise(text), collected_at="")[1].findings


def _ids(text: str):
    return {f.id: f for f in _findings(text)}


def _errors(text: str):
    return [f.id for f in _findings(text) if f.severity is Severity.ERROR]


# ------------------------------------------------------------------ the engine has no NVIDIA runtime
NO_TOOLKIT = [
    # docker --gpus: no NVIDIA device driver registered (quoted, compose's "nvidia", retyped without quotes)
    "$ docker run --rm --gpus all nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi\n"
    'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].\n'
    "ERRO[0000] error waiting for container: context canceled",
    "docker compose up\nAttaching to gpu-hot-1\n"
    'Error response from daemon: could not select device driver "nvidia" with capabilities: [[gpu]]',
    'Error response from daemon: could not select device driver "nvidia" with capabilities: [[compute utility]]',
    "docker: Error response from daemon: could not select device driver with capabilities: [[gpu]].",
    # --runtime=nvidia on a daemon that does not know it (old and new wording)
    "$ docker run --runtime=nvidia --rm nvidia/cuda:9.0-base nvidia-smi\n"
    "docker: Error response from daemon: Unknown runtime specified nvidia.",
    "docker-compose up -d\nError response from daemon: unknown or invalid runtime name: nvidia",
    # the runtime or hook named in daemon.json is not installed
    "$ docker run --runtime=nvidia --rm nvidia/cuda:9.1-devel nvidia-smi\n"
    'exec: "nvidia-container-runtime-hook": executable file not found in $PATH\n'
    'docker: Error response from daemon: oci runtime error: exec: "nvidia-container-runtime-hook": executable file '
    "not found in $PATH.",
    "Step 3/24 : RUN ln -snf /usr/share/zoneinfo/$TZ /etc/localtime\n ---> Running in 88879eafbc23\n"
    "failed to create shim task: OCI runtime create failed: unable to retrieve OCI runtime error (open "
    "/run/containerd/io.containerd.runtime.v2.task/moby/88879eaf/log.json: no such file or directory): "
    'exec: "nvidia-container-runtime": executable file not found in $PATH: unknown',
    # Kubernetes: the runtime class has no handler, the device plugin's pod gets no NVML
    "Warning  FailedCreatePodSandBox  12s  kubelet  Failed to create pod sandbox: rpc error: code = Unknown desc = "
    'failed to get sandbox runtime: no runtime for "nvidia" is configured',
    "$ kubectl logs -n kube-system nvidia-device-plugin-daemonset-m5f68\nLoading NVML\n"
    "Failed to start nvml with error:  could not load NVML library",
    "2022/05/13 23:09:23 Loading NVML\n2022/05/13 23:09:23 Failed to initialize NVML: could not load NVML library.\n"
    "2022/05/13 23:09:23 If this is a GPU node, did you set the docker default runtime to 'nvidia'?",
    # podman: no CDI spec generated
    "$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi\n"
    "Error: setting up CDI devices: unresolvable CDI devices nvidia.com/gpu=all",
    # the toolkit's commands and packages are missing on the host
    "$ sudo nvidia-ctk runtime configure --runtime=docker\nsudo: nvidia-ctk: command not found",
    "$ nvidia-container-cli -V\nbash: nvidia-container-cli: command not found",
    "(base) dell@dell:sudo apt-get install -y nvidia-container-toolkit\n正在读取软件包列表... 完成\n"
    "E: 无法定位软件包 nvidia-container-toolkit",
    "$ sudo apt-get install -y nvidia-docker2\nReading package lists... Done\n"
    "E: Unable to locate package nvidia-docker2",
    "$ sudo dnf install nvidia-container-toolkit\nNo match for argument: nvidia-container-toolkit\n"
    "Error: Unable to find a match: nvidia-container-toolkit",
    "$ sudo apt install nvidia-container-toolkit\nE: パッケージ nvidia-container-toolkit が見つかりません",
    # the toolkit in CDI / csv mode refuses --gpus when Docker does not use its runtime
    _SHIM + "runc create failed: unable to start container process: error during container init: error running "
    "prestart hook #0: exit status 1, stdout: , stderr: Auto-detected mode as 'cdi'\ninvoking the NVIDIA Container "
    "Runtime Hook directly (e.g. specifying the docker --gpus flag) is not supported. Please use the NVIDIA Container "
    "Runtime (e.g. specify the --runtime=nvidia flag) instead.: unknown",
]


@pytest.mark.parametrize("text", NO_TOOLKIT)
def test_the_engine_without_the_nvidia_runtime(text):
    assert "nvidia_container_toolkit_missing" in _ids(text)


@pytest.mark.parametrize("text", NO_TOOLKIT[:9])
def test_an_engine_refusal_is_not_a_missing_gpus_flag(text):
    """The run asked for the GPU and the host's engine refused it: the fix is on the host."""
    ids = _ids(text)
    assert ids["nvidia_container_toolkit_missing"].confidence.value == "confirmed"
    assert "container_missing_gpus_flag" not in ids


NO_TOOLKIT_NEAR = [
    "$ sudo apt-get install -y nvidia-container-toolkit\nSetting up nvidia-container-toolkit (1.17.3-1) ...\n"
    "$ sudo nvidia-ctk runtime configure --runtime=docker\nINFO[0000] Wrote updated config to /etc/docker/daemon.json\n"
    "$ sudo systemctl restart docker\n$ docker run --rm --gpus all ubuntu nvidia-smi\n" + _SMI_OK,
    "$ docker info | grep -i runtime\n Runtimes: io.containerd.runc.v2 nvidia runc\n Default Runtime: runc\n"
    "$ docker run --rm --runtime=nvidia --gpus all ubuntu nvidia-smi\n" + _SMI_OK,
    "$ nvidia-ctk --version\nNVIDIA Container Toolkit CLI version 1.14.3\ncommit: 53b24618a542025b108239fe602e66e912b7d6e2\n"
    "$ nvidia-ctk cdi list\nINFO[0000] Found 2 CDI devices\nnvidia.com/gpu=0\nnvidia.com/gpu=all\n"
    "$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi -L\n"
    "GPU 0: NVIDIA GeForce RTX 2060 (UUID: GPU-2f68f999-7b41-e64a-3709-0c8c4fa756c0)",
    "Do I need to install nvidia-container-toolkit before running docker with --gpus all?",
    "The README should mention that the NVIDIA Container Toolkit is required for the GPU image.",
    "docker run --gpus all -e NVIDIA_DRIVER_CAPABILITIES=compute,utility -it anaconda:v1 bash\n"
    "nvidia-container-toolkit 1.0.1-1 on ubuntu16.04; the training is 6% slower in the container than on the host.",
    "$ kubectl describe node gpu-1 | grep nvidia.com/gpu\n  nvidia.com/gpu:     1\n  nvidia.com/gpu:     1\n"
    "$ kubectl logs nvidia-device-plugin-daemonset-abcde\nLoading NVML\nStarting GRPC server for 'nvidia.com/gpu'",
    "$ which nvidia-ctk\n/usr/bin/nvidia-ctk\n$ which nvidia-container-runtime\n/usr/bin/nvidia-container-runtime",
]


@pytest.mark.parametrize("text", NO_TOOLKIT_NEAR)
def test_a_working_toolkit_is_no_finding(text):
    assert "nvidia_container_toolkit_missing" not in _ids(text)
    assert _errors(text) == []


# ------------------------------------------------------------------ a driver in the image
DRIVER_IN_IMAGE = [
    "root@5561000296a4:/workspace# dpkg -l | grep nvidia\n"
    "ii  libnvidia-compute-535:amd64   535.183.01-0ubuntu0.22.04.1   amd64   NVIDIA libcompute package\n"
    "ii  nvidia-utils-535   535.183.01-0ubuntu0.22.04.1  amd64  NVIDIA driver support binaries\n",
    "$ docker exec -it trainer apt list --installed | grep nvidia\n"
    "libnvidia-compute-550/jammy-updates,now 550.120-0ubuntu0.22.04.1 amd64 [installed,automatic]\n"
    "libnvidia-container1/bionic,now 1.14.3-1 amd64 [installed]\n",
    "$ docker run --rm myorg/app:latest rpm -qa | grep -i nvidia\n"
    "nvidia-driver-cuda-libs-550.54.15-1.el9.x86_64\nnvidia-driver-libs-550.54.15-1.el9.x86_64\n",
    "root@0a1b2c3d4e5f:/# python -c 'import tensorflow as tf; print(tf.config.list_physical_devices())'\n"
    "E tensorflow/stream_executor/cuda/cuda_diagnostics.cc:303] kernel version 384.90.0 does not match DSO version "
    "384.81.0 -- cannot find working devices in this configuration\n",
]


@pytest.mark.parametrize("text", DRIVER_IN_IMAGE)
def test_the_image_holds_a_driver(text):
    assert "driver_installed_inside_container" in _ids(text)


DRIVER_IN_IMAGE_NEAR = [
    # the host's package list (the toolkit's issue template asks for it)
    "user@gpubox:~$ dpkg -l | grep nvidia\n"
    "ii  libnvidia-compute-535:amd64   535.183.01-0ubuntu0.22.04.1   amd64   NVIDIA libcompute package\n"
    "ii  nvidia-utils-535   535.183.01-0ubuntu0.22.04.1  amd64  NVIDIA driver support binaries\n"
    "ii  nvidia-container-toolkit   1.17.3-1   amd64   NVIDIA Container toolkit\n",
    # a CUDA image's own packages: the forward-compatibility libraries and the toolkit's, no driver
    "root@5561000296a4:/# dpkg -l | grep -i nvidia\n"
    "ii  cuda-compat-12-4   550.54.15-1   amd64   CUDA Compatibility Platform\n"
    "ii  libnvidia-container-tools   1.14.3-1   amd64   NVIDIA container runtime library (command-line tools)\n"
    "root@5561000296a4:/# nvidia-smi\n" + _SMI_OK,
    "$ docker exec -it trainer apt list --installed | grep cuda\n"
    "cuda-cudart-12-4/now 12.4.127-1 amd64 [installed,local]\ncuda-libraries-12-4/now 12.4.1-1 amd64 [installed,local]\n",
]


@pytest.mark.parametrize("text", DRIVER_IN_IMAGE_NEAR)
def test_no_driver_in_the_image(text):
    assert "driver_installed_inside_container" not in _ids(text)
    assert _errors(text) == []


MISMATCH_803 = ("RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
                "NumCudaDevices() that might have already set an error? Error 803: system has unsupported display driver "
                "/ cuda driver combination")


def test_cuda_803_in_a_container_points_at_the_image():
    f = _ids("$ docker run --gpus all --rm myorg/train:latest python train.py\n" + MISMATCH_803)
    assert f["driver_installed_inside_container"].confidence.value == "likely"


def test_cuda_803_on_a_host_is_not_the_image():
    assert "driver_installed_inside_container" not in _ids("$ python train.py\n" + MISMATCH_803)


def test_no_nvidia_node_at_all_in_a_container():
    """``ls /dev/nvidia*`` whose glob matched nothing, at a container's prompt: no GPU was passed in."""
    f = _ids("root@3f2a9c1b7d4e:/# ls -l /dev/nvidia*\nls: cannot access '/dev/nvidia*': No such file or directory\n")
    assert "container_missing_gpus_flag" in f


def test_no_nvidia_node_on_a_host_is_not_a_container_finding():
    text = ("user@box:~$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
            "Make sure that the latest NVIDIA driver is installed and running.\n"
            "user@box:~$ ls -l /dev/nvidia*\nls: cannot access '/dev/nvidia*': No such file or directory\n")
    assert "container_missing_gpus_flag" not in _ids(text)


_OLLAMA_NO_GPU = ('time=2024-09-17T15:04:08.212Z level=INFO source=gpu.go:200 msg="looking for compatible GPUs"\n'
                  'time=2024-09-17T15:04:08.215Z level=INFO source=gpu.go:377 msg="no compatible GPUs were discovered"\n')


@pytest.mark.parametrize("text", [
    "$ docker run -d -v ollama:/root/.ollama -p 11434:11434 --name ollama ollama/ollama\n$ docker logs ollama\n"
    + _OLLAMA_NO_GPU,
    "On the host:\n" + _SMI_OK + "docker compose logs ollama:\n" + _OLLAMA_NO_GPU,
    "$ docker run --rm -p 8000:8000 vllm/vllm-openai:latest --model Qwen/Qwen2-7B\nRuntimeError: Failed to infer device type",
])
def test_a_program_in_a_container_finds_no_gpu(text):
    assert _ids(text)["container_missing_gpus_flag"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # the run asked for the GPU: another cause
    "$ docker run -d --gpus=all -v ollama:/root/.ollama -p 11434:11434 --name ollama ollama/ollama\n" + _OLLAMA_NO_GPU,
    # Docker Desktop on a Mac: no NVIDIA GPU anywhere
    "Docker Desktop on my MacBook Pro M2, docker logs ollama:\n" + _OLLAMA_NO_GPU,
    # on the host, no container
    "$ ollama serve\n" + _OLLAMA_NO_GPU,
])
def test_no_gpu_found_elsewhere_is_not_a_missing_flag(text):
    assert "container_missing_gpus_flag" not in _ids(text)


@pytest.mark.parametrize("run, missing", [
    # --gpus injects compute and utility: the container has the GPUs, the cause is elsewhere
    ("docker run --rm --gpus all pytorch/pytorch python train.py", False),
    # --runtime=nvidia gives what the image's NVIDIA_DRIVER_CAPABILITIES asks (utility alone when unset)
    ("docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=all -it --rm allennlp/allennlp", True),
    ("docker run --rm pytorch/pytorch python train.py", True),
])
def test_no_cuda_gpu_in_a_container_started_with_or_without_gpus(run, missing):
    from envcheck.explain import diagnose, source
    text = f"$ {run}\nTraceback (most recent call last):\nRuntimeError: No CUDA GPUs are available\n"
    _, report = diagnose(source.normalise(text), collected_at="")
    assert ("container_missing_gpus_flag" in {f.id for f in report.findings}) is missing
