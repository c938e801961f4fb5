"""Probes a stranger might paste for four classes (hidden GPUs, torch missing, GPU memory held
by another program, a small /dev/shm), in other tools' words and other languages, and
near-misses: healthy pastes using the same words. Each broken probe must name its class; no
near-miss may carry an error finding."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _findings(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return report


CVD = "cuda_visible_devices_hides_gpus"
NOTORCH = "torch_not_installed"
HELD = "gpu_memory_in_use"
SHM = "shm_too_small"

BROKEN = [
    # ---- CUDA_VISIBLE_DEVICES hides every GPU
    (CVD, "$ docker compose config | grep CUDA\n      CUDA_VISIBLE_DEVICES: \"\"\n\nvllm serve fails:\n"
          "RuntimeError: Failed to infer device type"),
    (CVD, "$ env | grep CUDA\nCUDA_VISIBLE_DEVICES=\n$ python train.py\nRuntimeError: No CUDA GPUs are available"),
    (CVD, "env:\n  - name: CUDA_VISIBLE_DEVICES\n    value: \"\"\n\n>>> import torch\n>>> torch.cuda.is_available()\n"
          "False\n>>> torch.cuda.device_count()\n0"),
    (CVD, "$ echo $CUDA_VISIBLE_DEVICES\n-1\n$ python -c 'import tensorflow as tf'\n"
          "E tensorflow/stream_executor/cuda/cuda_driver.cc:271] failed call to cuInit: CUDA_ERROR_NO_DEVICE: "
          "no CUDA-capable device is detected"),
    (CVD, "import os\nos.environ[\"CUDA_VISIBLE_DEVICES\"] = \"-1\"\nimport torch\nx = torch.zeros(1).cuda()\n"
          "RuntimeError: No CUDA GPUs are available"),
    (CVD, "PS C:\\> $env:CUDA_VISIBLE_DEVICES=\"-1\"\nPS C:\\> python demo.py\n"
          "RuntimeError: CUDA error: no CUDA-capable device is detected"),
    (CVD, "Dockerfile:\nFROM pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime\nENV CUDA_VISIBLE_DEVICES=\"\"\n\n"
          "RuntimeError: No CUDA GPUs are available"),
    (CVD, "srun env | grep CUDA\nCUDA_VISIBLE_DEVICES=NoDevFiles\n\nRuntimeError: No CUDA GPUs are available"),
    (CVD, "设置了 CUDA_VISIBLE_DEVICES=-1 之后：\n>>> torch.cuda.is_available()\nFalse\n>>> torch.cuda.device_count()\n0"),
    (CVD, "$ CUDA_VISIBLE_DEVICES= python -c \"import torch; print(torch.cuda.device_count())\"\n0"),
    (CVD, "docker run --gpus all -e CUDA_VISIBLE_DEVICES= myimage python run.py\n"
          "RuntimeError: CUDA error: no CUDA-capable device is detected"),
    (CVD, "printenv:\nCUDA_VISIBLE_DEVICES=none\nHOME=/root\n\nRuntimeError: Failed to infer device type"),
    (CVD, "環境変数 CUDA_VISIBLE_DEVICES=\"\" のまま実行すると\nRuntimeError: No CUDA GPUs are available"),
    (CVD, "export CUDA_VISIBLE_DEVICES=-1\npython app.py\n...\nRuntimeError: Attempting to deserialize object on a "
          "CUDA device but torch.cuda.is_available() is False."),
    (CVD, "    environment:\n      - CUDA_VISIBLE_DEVICES=\n\nollama | RuntimeError: No CUDA GPUs are available"),
    (CVD, "$ docker compose up\nWARN[0000] The \"GPU_ID\" variable is not set. Defaulting to a blank string.\n"
          "    environment:\n      - CUDA_VISIBLE_DEVICES=${GPU_ID}\nvllm-1  | RuntimeError: Failed to infer device type"),
    (CVD, "WARNING: The GPU variable is not set. Defaulting to a blank string.\n    environment:\n"
          "      CUDA_VISIBLE_DEVICES: \"$GPU\"\ntrainer_1  | RuntimeError: No CUDA GPUs are available"),
    # ---- torch is not installed in the environment that runs the program
    (NOTORCH, "In [1]: import torch\n---------------------------------------------------------------------------\n"
              "ModuleNotFoundError                       Traceback (most recent call last)\nCell In[1], line 1\n"
              "----> 1 import torch\n\nModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "ImportError: \nStableDiffusionPipeline requires the PyTorch library but it was not found in your "
              "environment. Checkout the instructions on the installation page: https://pytorch.org/get-started/locally/"),
    (NOTORCH, "None of PyTorch, TensorFlow >= 2.0, or Flax have been found. Models won't be available and only "
              "tokenizers, configuration and file/data utilities can be used."),
    (NOTORCH, "$ accelerate launch train.py\nTraceback (most recent call last):\n  File \"/home/u/.local/bin/accelerate\", "
              "line 5, in <module>\n    from accelerate.commands.accelerate_cli import main\n"
              "ModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "(base) $ pip show torch\nWARNING: Package(s) not found: torch"),
    (NOTORCH, "C:\\Users\\me> python -c \"import torch\"\nTraceback (most recent call last):\n  File \"<string>\", line 1, "
              "in <module>\nModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "运行时报错 ModuleNotFoundError: No module named 'torch'，但我明明 pip install 过了"),
    (NOTORCH, "Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n    import torch\n"
              "ImportError: No module named torch"),
    (NOTORCH, ">>> import torchvision\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
              "  File \"/opt/venv/lib/python3.10/site-packages/torchvision/__init__.py\", line 5, in <module>\n"
              "    import torch\nModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "ImportError: BertModel requires the PyTorch library but it was not found in your environment."),
    (NOTORCH, "$ pip show torch\nName: torch\nVersion: 2.3.1\nLocation: /home/u/miniconda3/envs/dl/lib/python3.10/"
              "site-packages\n\nbut the notebook (kernel: Python 3 (ipykernel)) says\n"
              "ModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "(base) C:\\Users\\me> conda list torch\n# packages in environment at C:\\Users\\me\\miniconda3:\n#\n"
              "# Name                    Version                   Build  Channel\n\n(base) C:\\Users\\me> python app.py\n"
              "ModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "실행하면 ModuleNotFoundError: No module named 'torch' 에러가 납니다."),
    (NOTORCH, "  File \"/usr/lib/python3/dist-packages/lightning/__init__.py\", line 4, in <module>\n    import torch\n"
              "ModuleNotFoundError: No module named 'torch'"),
    (NOTORCH, "$ uv run train.py\nTraceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n"
              "    from diffusers import StableDiffusionPipeline\nImportError: StableDiffusionPipeline requires the "
              "PyTorch library but it was not found in your environment."),
    # ---- GPU memory held by another program
    (HELD, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of "
           "23.65 GiB of which 17.06 MiB is free. Process 4242 has 20.11 GiB memory in use. Including non-PyTorch "
           "memory, this process has 3.50 GiB memory in use."),
    (HELD, "ValueError: Free memory on device (4.12/23.68 GiB) on startup is less than desired GPU memory utilization "
           "(0.9, 21.31 GiB). Decrease GPU memory utilization or reduce GPU memory used by other processes."),
    (HELD, "+-----------------------------------------------------------------------------------------+\n"
           "| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |\n"
           "|-----------------------------------------+------------------------+----------------------+\n"
           "| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n"
           "| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n"
           "|=========================================+========================+======================|\n"
           "|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0 Off |                  Off |\n"
           "|  0%   45C    P2             70W /  450W |   22810MiB /  24564MiB |      0%      Default |\n"
           "+-----------------------------------------+------------------------+----------------------+\n"
           "| Processes:                                                                              |\n"
           "|  GPU   GI   CI        PID   Type   Process name                              GPU Memory |\n"
           "|        ID   ID                                                               Usage      |\n"
           "|=========================================================================================|\n"
           "|    0   N/A  N/A      1873      C   /usr/local/bin/ollama                       22800MiB |\n"
           "+-----------------------------------------------------------------------------------------+\n"
           "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"),
    (HELD, "$ gpustat\nserver  Sat Jun  1 10:00:00 2024  550.54.14\n[0] NVIDIA GeForce RTX 3090 | 45'C,   0 % | "
           "23000 / 24576 MB | alice(22950M)\n\nRuntimeError: CUDA error: out of memory"),
    (HELD, "$ gpustat -cp\n[0] NVIDIA GeForce RTX 3090 | 45'C,   0 % | 23000 / 24576 MB | alice:python/1873(22950M)\n"
           "[1] NVIDIA GeForce RTX 3090 | 40'C,   0 % |   300 / 24576 MB |"),
    (HELD, "$ nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv\n"
           "pid, process_name, used_gpu_memory [MiB]\n1873, /usr/bin/python3, 21950 MiB\n\n"
           "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"),
    (HELD, "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.69 GiB total capacity; 1.20 GiB "
           "already allocated; 18.00 MiB free; 1.30 GiB reserved in total by PyTorch)"),
    (HELD, "E tensorflow/stream_executor/cuda/cuda_driver.cc:240] failed call to cuDevicePrimaryCtxRetain: "
           "CUDA_ERROR_OUT_OF_MEMORY: out of memory; total memory reported: 11523260416"),
    (HELD, "|    0   N/A  N/A     17750      C   ...envs/sd/bin/python                     21576MiB |\n"
           "torch.cuda.OutOfMemoryError: CUDA out of memory."),
    (HELD, "$ nvidia-smi --query-gpu=memory.used,memory.total --format=csv\nmemory.used [MiB], memory.total [MiB]\n"
           "22100 MiB, 24564 MiB\nllama_model_load: error loading model\n"
           "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 4096.00 MiB on device 0: cudaMalloc failed: out of memory"),
    (HELD, "ValueError: Free memory on device cuda:0 (5.89/79.19 GiB) on startup is less than desired GPU memory "
           "utilization (0.9, 71.27 GiB)"),
    (HELD, "$ nvidia-smi --query-compute-apps=pid,used_memory --format=csv,noheader\n2211, 20480 MiB\n3390, 2048 MiB"),
    # ---- /dev/shm too small
    (SHM, "Dentro del contenedor `df -h /dev/shm` da 64M.\nBus error (core dumped)"),
    (SHM, "Inside the container /dev/shm is only 64M and training dies with\nBus error (core dumped)"),
    (SHM, "容器里 /dev/shm 只有 64M，DataLoader 一开 num_workers 就挂：Bus error (core dumped)"),
    (SHM, "コンテナ内の /dev/shm が 64MB しかありません。学習が Bus error で落ちます。"),
    (SHM, "(raylet) WARNING: The object store is using /tmp instead of /dev/shm because /dev/shm has only 67108864 "
          "bytes available. This will harm performance!"),
    (SHM, "ValueError: The configured object store size (15.032385536 GB) exceeds /dev/shm size (4.500000768 GB). "
          "This will harm performance."),
    (SHM, "$ df -h | grep shm\nshm              64M     0   64M   0% /dev/shm"),
    (SHM, "$ mount | grep shm\nshm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=65536k)"),
    (SHM, "$ grep shm /proc/mounts\nshm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0"),
    (SHM, "Im Container ist /dev/shm nur 64M groß, daher Bus error im DataLoader."),
    (SHM, "컨테이너 안에서 /dev/shm 이 64M 밖에 안 됩니다. Bus error (core dumped)"),
    (SHM, "ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm)."),
    (SHM, "RuntimeError: unable to write to file </torch_18_1876477289>: No space left on device (28)"),
    (SHM, "misc/shmutils.cc:72 NCCL WARN Error: failed to extend /dev/shm/nccl-UbzKZ9 to 9637892 bytes"),
    (SHM, "h:202016:202235 [0] misc/shmutils.cc:132 NCCL WARN Error while creating shared memory segment "
          "/dev/shm/nccl-WU88OE (size 9637888), error: No space left on device (28)"),
    (SHM, "[1] misc/shmutils.cc:114 NCCL WARN Error while creating shared memory segment /dev/shm/nccl-NzwJ7O "
          "(size 9637888)"),
    (SHM, "shm is 64M in this pod (no emptyDir with medium: Memory) and the workers crash: Bus error"),
]

HEALTHY = [
    "$ docker compose config | grep CUDA\n      CUDA_VISIBLE_DEVICES: \"0\"\nINFO: vLLM API server started on port 8000",
    "To force CPU you can set CUDA_VISIBLE_DEVICES=\"\" before launching. My run is fine, I just want to know "
    "how to pin threads.",
    "I set CUDA_VISIBLE_DEVICES=-1 on purpose to benchmark the CPU path; it runs, just slowly.",
    "CUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node 2 train.py\n>>> torch.cuda.is_available()\nTrue",
    "$ env | grep CUDA\nCUDA_VISIBLE_DEVICES=0\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate "
    "20.00 MiB (GPU 0; 23.69 GiB total capacity; 22.1 GiB already allocated)",
    "$ df -h /dev/shm\nFilesystem      Size  Used Avail Use% Mounted on\ntmpfs            32G  1.2G   31G   4% /dev/shm",
    "I run the container with --shm-size=16g and /dev/shm is 16G, training works.",
    "Docker's default /dev/shm is 64MB, so I start it with --ipc=host and everything is fine.",
    "I increased /dev/shm from 64M to 8G and now the DataLoader is fast; question about pin_memory.",
    "mount | grep shm\nshm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=16777216k)",
    "My kernel uses 48 KB of shared memory per block; is 64 KB shared memory possible on an A100?",
    "Is a 64M shm enough for two workers?",
    "$ gpustat\n[0] NVIDIA GeForce RTX 3090 | 45'C,   0 % |   900 / 24576 MB | alice(880M)",
    "[1] misc/shmutils.cc:129 NCCL WARN Error while attaching to shared memory segment /dev/shm/nccl-glnlGK "
    "(size 14156128), error: No such file or directory (2)",
    "$ docker compose up\nWARN[0000] The \"HF_TOKEN\" variable is not set. Defaulting to a blank string.\n"
    "    environment:\n      - CUDA_VISIBLE_DEVICES=${GPU_ID}\n      - HF_TOKEN=${HF_TOKEN}\nvllm-1  | INFO: Started",
    "$ nvidia-smi --query-gpu=memory.used,memory.total --format=csv\nmemory.used [MiB], memory.total [MiB]\n"
    "310 MiB, 24564 MiB",
    "$ pip show torch\nName: torch\nVersion: 2.3.1+cu121\nLocation: /opt/venv/lib/python3.10/site-packages",
    "$ pip install torch\n...\nSuccessfully installed torch-2.3.1 nvidia-cudnn-cu12-8.9.2.26\n>>> import torch\n"
    ">>> torch.cuda.is_available()\nTrue",
    "ModuleNotFoundError: No module named 'torchaudio'\n>>> import torch\n>>> torch.__version__\n'2.3.1+cu121'",
    "Disabling PyTorch because PyTorch >= 2.4 is required but found 2.3.0",
    "nvidia-smi shows 1200MiB / 24564MiB used by Xorg and gnome-shell, which is normal; my question is about "
    "mixed precision.",
]


@pytest.mark.parametrize("expected,text", BROKEN, ids=[f"{e}-{i}" for i, (e, _) in enumerate(BROKEN)])
def test_broken_probe_names_its_class(expected, text):
    report = _findings(text)
    assert expected in {f.id for f in report.findings}, [(f.id, f.severity.value) for f in report.findings]


@pytest.mark.parametrize("text", HEALTHY, ids=[f"healthy-{i}" for i in range(len(HEALTHY))])
def test_near_miss_has_no_error(text):
    report = _findings(text)
    assert not [f.id for f in report.findings if f.severity.value == "error"]


# Near-misses that speak of /dev/shm or its size without it being small on this machine.
SHM_WORDS = [t for t in HEALTHY if "shm" in t.lower() or "shared memory" in t.lower()]


@pytest.mark.parametrize("text", SHM_WORDS, ids=[f"shm-words-{i}" for i in range(len(SHM_WORDS))])
def test_shm_words_without_a_small_shm(text):
    assert SHM not in {f.id for f in _findings(text).findings}
