"""Container classes as strangers paste them: the container started without the GPU, a driver
in the image, the devices lost after a daemon reload. Each class: probes in several tools'
words and languages that must give the finding, and near-misses (healthy containers, questions,
denials, advice, the host) with the same words that must not."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose
from envcheck.explain.source import normalise
from envcheck.rules.finding import Severity

SMI_OK = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|=========================================+========================+======================|
|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0 Off |                  Off |
|  0%   38C    P8             21W /  450W |       2MiB /  24564MiB |      0%      Default |
+-----------------------------------------+------------------------+----------------------+
"""
NGC_BANNER = """
==========
== CUDA ==
==========

CUDA Version 12.4.1

Container image Copyright (c) 2016-2023, NVIDIA CORPORATION & AFFILIATES. All rights reserved.

WARNING: The NVIDIA Driver was not detected.  GPU functionality will not be available.
   Use the NVIDIA Container Toolkit to start this container with GPU support; see
   https://docs.nvidia.com/datacenter/cloud-native/ .
"""
NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and "
             "installed a driver from http://www.nvidia.com/Download/index.aspx")
MISMATCH = "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 550.54"
UNKNOWN = "Failed to initialize NVML: Unknown Error"


def _findings(text: str):
    return diagnose(normalise(text), collected_at="")[1].findings


def _ids(text: str):
    return {f.id for f in _findings(text)}


def _errors(text: str):
    return [f.id for f in _findings(text) if f.severity is Severity.ERROR]


# ------------------------------------------------------------------ started without the GPU
# (the engine's own refusals - no NVIDIA device driver, no nvidia runtime, no CDI spec, the device
# plugin without NVML - are nvidia_container_toolkit_missing: tests/rules/test_container_toolkit.py)
MISSING_FLAG = [
    "$ docker run -it --rm nvcr.io/nvidia/pytorch:24.01-py3\n" + NGC_BANNER,
    "$ docker run --rm ubuntu:22.04 nvidia-smi\ndocker: Error response from daemon: failed to create task for container: "
    "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: "
    'exec: "nvidia-smi": executable file not found in $PATH: unknown.',
    "I forgot to add --gpus all to docker run, now it works.",
    "Without `--gpus all` the GPU is not used at all, torch says cuda is not available.",
    "Adding --gpus all to the command fixed it.",
    "Solved it by adding --gpus all.",
    "The container can't see the GPU, but nvidia-smi works fine on the host.",
    "GPU is not detected inside the docker container.",
    "nvidia-smi: command not found inside the container",
    "root@3f2a9c1b7d4e:/workspace# nvidia-smi\nbash: nvidia-smi: command not found",
    "services:\n  app:\n    image: myorg/trainer:latest\n    ports:\n      - 8000:8000\n\n"
    ">>> torch.cuda.is_available()\nFalse",
    "$ docker exec -it app python -c 'import torch; torch.zeros(1).cuda()'\n" + NO_DRIVER,
    "Running in Docker Desktop on Windows 11 (WSL2 backend):\n"
    "UserWarning: CUDA initialization: Found no NVIDIA driver on your system.",
    "$ singularity exec pytorch_latest.sif python train.py\n" + NO_DRIVER,
    "Easy fix. Adding something like\n    deploy:\n      resources:\n        reservations:\n          devices:\n"
    "            - driver: nvidia\n              count: all\n              capabilities: [gpu]\ninside the compose.",
    "## Fix\nAdd the nvidia device reservation to the service:\n```yaml\ndeploy:\n  resources:\n    reservations:\n"
    "      devices:\n        - driver: nvidia\n          count: 1\n          capabilities: [gpu]\n```",
    "The `worker` service in docker-compose.yml has no NVIDIA device reservation, so the GPU is never used.",
    # zh / ko / ja / es / de / fr
    "容器里识别不到显卡，宿主机上 nvidia-smi 正常。",
    "docker run 的时候忘了加 --gpus all，加上就好了",
    "我启动容器时没有加 --gpus 参数",
    "도커 컨테이너 안에서 GPU 인식이 안 됩니다. 호스트에서는 nvidia-smi 가 잘 됩니다.",
    "docker run 할 때 --gpus all 옵션을 빼먹었네요.",
    "--gpus all 옵션 없이 컨테이너를 실행했습니다.",
    "启动的时候不加 --gpus all，容器里就用不了显卡",
    "コンテナ内でGPUが認識されない。ホストでは nvidia-smi が動きます。",
    "docker run に --gpus all を付け忘れていました。",
    "El contenedor no detecta la GPU aunque el host sí.",
    "Lo ejecuté sin --gpus all y la GPU no aparece.",
    "Im Container wird die GPU nicht erkannt.",
    "Ich habe den Container ohne --gpus gestartet.",
    "J'ai lancé le conteneur sans --gpus all.",
    "My GPU is not used without it: Docker-native GPU support requires passing `--gpus all` to docker run.",
    "The container does not see my GPUs even though nvidia-smi works on the host.",
    "torch.cuda.is_available() returns False inside the docker container, on the host it is True.",
    "$ podman run --rm ubuntu nvidia-smi\nError: crun: executable file `nvidia-smi` not found in $PATH: No such file or "
    "directory: OCI runtime attempted to invoke a command that was not found",
    "I added --runtime=nvidia to the Extra Parameters of the Unraid template and now it works.",
    "$ docker run -p 8888:8888 quay.io/jupyter/pytorch-notebook:cuda12-latest\nIn [1]: import torch\n"
    "In [2]: torch.cuda.is_available()\nOut[2]: False",
    "$ docker run -it --rm -v $(pwd):/work pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime python -c "
    "'import torch;print(torch.cuda.is_available())'\nFalse",
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: trainer\nspec:\n  containers:\n    - name: trainer\n"
    "      image: myorg/trainer:1.0\n      resources:\n        limits:\n          cpu: \"4\"\n\n$ kubectl logs trainer\n"
    "RuntimeError: No CUDA GPUs are available",
    "I use the Plex container on Unraid. nvidia-smi inside the container: command not found. I set "
    "NVIDIA_VISIBLE_DEVICES but forgot the --runtime=nvidia in Extra Parameters.",
    "Running ComfyUI in docker compose:\ncomfyui-1  | " + NO_DRIVER,
    'devcontainer.json:\n{\n  "name": "ml",\n  "image": "mcr.microsoft.com/devcontainers/python:3.11",\n'
    '  "runArgs": ["--shm-size=8g"]\n}\nInside the devcontainer: torch.cuda.is_available() is False',
    '$ docker inspect app\n[\n    {\n        "HostConfig": {\n            "Runtime": "runc",\n'
    '            "DeviceRequests": null,\n        }\n    }\n]\n$ docker exec app python -c "import torch; '
    'torch.zeros(1).cuda()"\n' + NO_DRIVER,
    "进入docker内部，发现torch 的cuda.is_available() 为false。",
    # a compose file without a GPU request, beside the host's nvidia-smi
    "My docker-compose.yml:\nservices:\n  app:\n    image: myorg/trainer:latest\n    ports:\n      - 8000:8000\n\n"
    "On the host:\n" + SMI_OK + "In the container:\napp-1  | RuntimeError: No CUDA GPUs are available",
]


@pytest.mark.parametrize("text", MISSING_FLAG)
def test_container_started_without_the_gpu(text):
    assert "container_missing_gpus_flag" in _ids(text)


MISSING_FLAG_NEAR = [
    "$ docker run --gpus all --rm nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi\n" + SMI_OK,
    "I run the container with --gpus all and the GPU is detected fine; the problem is the model output is wrong.",
    "Do I need to pass --gpus all to docker run?",
    "Make sure to add --gpus all when you start the container.",
    "The GPU is detected inside the container.",
    "nvidia-smi works inside the container:\n" + SMI_OK,
    "services:\n  app:\n    image: vllm/vllm-openai:latest\n    deploy:\n      resources:\n        reservations:\n"
    "          devices:\n            - driver: nvidia\n              count: all\n              capabilities: [gpu]\n"
    "The model answers with garbage after 2k tokens.",
    "I'm not using docker; torch works on the host.\n" + SMI_OK,
    "容器里可以识别到显卡，nvidia-smi 正常。",
    "컨테이너에서 GPU 인식 잘 됩니다.",
    "我一直用 --gpus all 启动容器，容器里显卡正常。",
    "Im Container wird die GPU erkannt.",
    "El contenedor detecta la GPU sin problemas.",
    "Works with --gpus all, thanks! The slowdown was my batch size.",
    "$ singularity exec --nv pytorch_latest.sif python train.py\nepoch 1 loss 0.42",
    "$ docker exec -it app nvidia-smi\n" + SMI_OK,
    "$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi -L\n"
    "GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-1d6b406e-c68c-f7b2-ab20-03b824cbdcc5)",
    "Without --gpus the container runs on the CPU, which is expected for the CPU image.",
    "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install torch\n" + SMI_OK,
    "Is the GPU not detected inside the container? Please post nvidia-smi.",
    "torch.cuda.is_available() returns True inside the docker container.",
    "I added --gpus all but it still doesn't work: CUDA error: out of memory",
    '$ docker inspect app\n"HostConfig": {\n    "Runtime": "runc",\n    "DeviceRequests": [\n        {\n'
    '            "Driver": "",\n            "Count": -1,\n            "Capabilities": [\n                [\n'
    '                    "gpu"\n                ]\n            ]\n        }\n    ],\n}\n' + SMI_OK,
]


@pytest.mark.parametrize("text", MISSING_FLAG_NEAR)
def test_container_with_the_gpu_or_no_claim(text):
    assert "container_missing_gpus_flag" not in _ids(text)
    assert _errors(text) == []


@pytest.mark.parametrize("text", [
    "I forgot to add --gpus all to docker run, now it works.",
    "I use the Plex container on Unraid. nvidia-smi inside the container: command not found.",
    "容器里识别不到显卡，宿主机上 nvidia-smi 正常。",
])
def test_a_container_told_of_in_words_is_likely(text):
    found = [f for f in _findings(text) if f.id == "container_missing_gpus_flag"]
    assert found and all(f.confidence.value == "likely" for f in found)


def test_a_compose_file_with_a_gpu_beside_a_failure_is_no_missing_flag():
    text = ("services:\n  app:\n    image: x/y:1\n    runtime: nvidia\n\n" + SMI_OK
            + "app-1  | RuntimeError: No CUDA GPUs are available")
    assert "container_missing_gpus_flag" not in _ids(text)


def test_a_compose_change_tried_is_the_configuration_that_ran():
    text = ("I tried adding runtime: nvidia but it still fails:\nservices:\n  app:\n    image: x/y:1\n"
            "    runtime: nvidia\nCUDA error: out of memory")
    assert "container_missing_gpus_flag" not in _ids(text)


# ------------------------------------------------------------------ a driver in the image
DRIVER_IN_IMAGE = [
    "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nvidia-driver-535\n\n$ nvidia-smi\n" + MISMATCH,
    "FROM nvidia/cuda:12.4.1-devel-ubuntu22.04\nRUN apt-get update && apt-get install -y cuda-drivers\n",
    "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends cuda-12-4\n",
    "FROM ubuntu:22.04\nRUN apt-get update && \\\n    apt-get install -y \\\n    python3 \\\n    libnvidia-compute-550 \\\n"
    "    && rm -rf /var/lib/apt/lists/*\n",
    "FROM ubuntu:20.04\nCOPY NVIDIA-Linux-x86_64-535.104.05.run /tmp/\n"
    "RUN sh /tmp/NVIDIA-Linux-x86_64-535.104.05.run -s --no-kernel-module\n",
    "#8 [3/7] RUN apt-get update && apt-get install -y cuda-drivers\n"
    "#8 42.31 Setting up libcuda1:amd64 (545.23.08-1) ...\n",
    "Step 4/9 : RUN apt-get install -y nvidia-utils-535\n ---> Running in 3a1b2c\n",
    "FROM rockylinux:9\nRUN dnf install -y nvidia-driver-cuda\n",
    "FROM ubuntu:22.04\nRUN apt-get install -y nvidia-headless-535-server\n",
    "FROM ubuntu:22.04\nRUN apt install -y cuda\n",
    "FROM ubuntu:22.04\nRUN apt-get -y install nvidia-driver-550-open\n",
    "FROM ubuntu:22.04\nRUN apt-get install -y libnvidia-compute-535-server\n",
    "Step 6/12 : RUN apt-get update && apt-get install -y cuda-drivers\n",
    "FROM ubuntu:22.04\nRUN wget -q https://developer.download.nvidia.com/compute/cuda/12.4.0/local_installers/"
    "cuda_12.4.0_550.54.14_linux.run && sh cuda_12.4.0_550.54.14_linux.run --silent\n",
    " => [stage-1 4/8] RUN apt-get install -y cuda-drivers-545\n46.44 Setting up libcuda1:amd64 (545.23.08-1) ...\n",
    "docker: Error response from daemon: failed to create task for container: OCI runtime create failed: "
    "nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/4f7924ec/merged/usr/bin/"
    "nvidia-smi: file exists: unknown.",
    "nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/40c7fcce/merged/usr/lib/"
    "x86_64-linux-gnu/libnvidia-ml.so.1: file exists: unknown.",
    "nvidia-container-cli: mount error: file creation failed: /var/lib/docker/overlay2/ab12/merged/usr/lib/"
    "x86_64-linux-gnu/libcuda.so.1: file exists: unknown.",
    "I installed the NVIDIA driver inside the container, and now nvidia-smi says\n" + MISMATCH,
    "The docker image ships its own nvidia driver, the host has 535.\n" + MISMATCH,
    "The drivers are baked into the image.\n" + MISMATCH,
    "Inside the docker container:\n$ nvidia-smi\n" + MISMATCH,
    "After successfully building the base:0.2.0 image, running nvidia-smi returns an error:\n" + MISMATCH,
    "However, in docker container, the ppa:graphics-drivers will bring in\n`libnvidia-compute-550\n`\n"
    "and it complains about the NVML mismatch.",
    "In the docker image, apt pulls in libnvidia-compute-550 as a dependency.",
    "我在容器里安装了驱动，然后 nvidia-smi 报\n" + MISMATCH,
    "镜像里自带驱动 550，宿主机是 535。",
    "컨테이너 안에 드라이버를 설치했더니 nvidia-smi 가 안 됩니다.\n" + MISMATCH,
    "コンテナ内にNVIDIAドライバをインストールしたら nvidia-smi が失敗します。\n" + MISMATCH,
    "Instalé el driver de nvidia dentro del contenedor y ahora falla.\n" + MISMATCH,
    "Ich habe den Treiber im Container installiert.\n" + MISMATCH,
]


@pytest.mark.parametrize("text", DRIVER_IN_IMAGE)
def test_driver_in_the_image(text):
    assert "driver_installed_inside_container" in _ids(text)


DRIVER_IN_IMAGE_NEAR = [
    "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y cuda-toolkit-12-4\n",
    "FROM ubuntu:22.04\nRUN apt-get install -y cuda-compat-12-4\n",
    "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04\nRUN pip install torch\n",
    "I did not install any driver inside the container.\n" + SMI_OK,
    "Should I install the NVIDIA driver inside the container?",
    "Do not install the driver in the image; the toolkit injects the host's.",
    "$ sudo apt-get install -y nvidia-driver-535\n$ sudo reboot\n" + SMI_OK,
    "FROM ubuntu:22.04\nRUN apt-get remove -y nvidia-driver-535\n",
    "The host has nvidia-driver-550 installed; the container uses it through the toolkit.\n" + SMI_OK,
    "#6 [2/4] RUN apt-get install -y cuda-toolkit-12-4 libcudnn9-cuda-12\n#6 31.2 Setting up cuda-toolkit-12-4 (12.4.1-1)",
    "FROM ubuntu:22.04\nRUN apt-get install -y nvidia-cuda-toolkit\n",
    "驱动装在宿主机上，容器里没有装驱动。",
    "Inside the container nvidia-smi shows:\n" + SMI_OK,
    "FROM ubuntu:22.04\nRUN apt-get install -y python3-pip cuda-nvcc-12-4\n",
    "$ pip install nvidia-cuda-runtime-cu12\nSuccessfully installed nvidia-cuda-runtime-cu12-12.4.127",
    "FROM ubuntu:22.04\nRUN sh cuda_12.4.0_550.54.14_linux.run --silent --toolkit\n",
    "FROM continuumio/miniconda3\nRUN conda install -y cuda -c nvidia\n",
    "FROM python:3.11\nRUN pip install -U torch nvidia-cudnn-cu12\n",
]


@pytest.mark.parametrize("text", DRIVER_IN_IMAGE_NEAR)
def test_no_driver_in_the_image(text):
    assert "driver_installed_inside_container" not in _ids(text)


# ------------------------------------------------------------------ devices lost after a daemon reload
LOST = [
    "root@0123456789ab:/# nvidia-smi\n" + UNKNOWN,
    "(container) $ nvidia-smi -L\n" + UNKNOWN + "\n(host) # nvidia-smi -L\nGPU 0: NVIDIA A10 (UUID: GPU-f15ae561)",
    "Inside the docker container nvidia-smi returns " + UNKNOWN + " after a few days.",
    "$ docker exec -it trainer nvidia-smi\n" + UNKNOWN,
    "$ kubectl logs -n kube-system nvidia-device-plugin-daemonset-x7k2p\n"
    "E0822 08:51:42.925620       1 factory.go:112] Failed to initialize NVML: ERROR_UNKNOWN.",
    "Running in a docker container:\npynvml.nvml.NVMLError_Unknown: Unknown Error",
    "$ kubectl exec -it gpu-pod -- nvidia-smi\n" + UNKNOWN,
    "容器里 nvidia-smi 报错 " + UNKNOWN + "，宿主机正常",
    "컨테이너에서 nvidia-smi 실행하면 " + UNKNOWN + " 가 나옵니다.",
    "コンテナ内で nvidia-smi を実行すると " + UNKNOWN + " になります。",
    "$ docker compose up\ntrainer-1  | " + UNKNOWN + "\ntrainer-1 exited with code 255",
    "$ podman exec -it ml nvidia-smi\n" + UNKNOWN,
    "Dentro del contenedor nvidia-smi devuelve " + UNKNOWN,
    "Im Container liefert nvidia-smi: " + UNKNOWN,
    "After systemctl daemon-reload on the host, in the container: " + UNKNOWN,
    "$ docker run --gpus all -d --name llm vllm/vllm-openai:latest\n... two days later ...\n"
    "$ docker exec llm nvidia-smi\n" + UNKNOWN,
    "Inside the LXC container nvidia-smi prints: " + UNKNOWN,
    "Within the docker container, GPU monitoring stops:\nTraceback (most recent call last):\n"
    '  File "/app/monitor.py", line 12, in <module>\n    pynvml.nvmlInit()\npynvml.NVMLError_Unknown: Unknown Error',
    "root@7f9e2d1c0b3a:/workspace# python -c 'import pynvml; pynvml.nvmlInit()'\npynvml.nvml.NVMLError_Unknown: Unknown Error",
    "in my k8s pod:\n" + UNKNOWN,
    "$ docker exec -it comfyui nvidia-smi\n" + UNKNOWN + "\nRestarting the container fixes it for a while.",
    "Our containers lose the GPU randomly. From inside the container:\n" + UNKNOWN,
    "docker-compose logs:\napi_1  | " + UNKNOWN,
    "$ sudo docker exec 3f2a9c1b7d4e nvidia-smi\n" + UNKNOWN,
    "inside the container `nvidia-smi` gives `" + UNKNOWN + "` while the host is fine",
    "容器运行几天后 nvidia-smi 出现 " + UNKNOWN,
    "도커 컨테이너 안에서 " + UNKNOWN,
    "Docker内で " + UNKNOWN,
    "apptainer shell --nv image.sif\nApptainer> nvidia-smi\n" + UNKNOWN,
    "I0101 00:00:00.000000 1 main.go:256] Retreiving plugins.\n"
    "E0101 00:00:00.100000 1 factory.go:112] Failed to initialize NVML: ERROR_UNKNOWN.\n"
    "(the device plugin pod in kubernetes)",
]


@pytest.mark.parametrize("text", LOST)
def test_container_lost_its_gpus(text):
    assert "container_gpu_lost_after_daemon_reload" in _ids(text)


LOST_NEAR = [
    "$ nvidia-smi\n" + MISMATCH,
    "Inside the container:\n$ nvidia-smi\n" + SMI_OK,
    "I ran systemctl daemon-reload and restarted the container; nvidia-smi works now.\n" + SMI_OK,
    "$ nvidia-smi\n" + UNKNOWN,
    "Running in a docker container:\npynvml.nvml.NVMLError_NotSupported: Not Supported",
    "$ kubectl logs nvidia-device-plugin-daemonset-abc\nFailed to initialize NVML: ERROR_LIBRARY_NOT_FOUND",
    "The container works fine after the restart.\n" + SMI_OK,
    "$ kubectl exec -it gpu-pod -- nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-5c4b1d2e)",
    "$ docker exec -it app nvidia-smi\n" + SMI_OK,
    "Is `systemctl daemon-reload` safe to run with GPU containers?",
    "We never see Unknown Error in the container.\n" + SMI_OK,
    "容器里 nvidia-smi 正常。\n" + SMI_OK,
    "pynvml works in the container:\n>>> pynvml.nvmlDeviceGetCount()\n1",
    "$ docker run --gpus all --rm nvidia/cuda:12.4.1-base-ubuntu22.04 nvidia-smi\n" + SMI_OK,
    "The host's nvidia-smi is fine:\n" + SMI_OK,
]


@pytest.mark.parametrize("text", LOST_NEAR)
def test_no_lost_gpus(text):
    assert "container_gpu_lost_after_daemon_reload" not in _ids(text)
