"""Short pastes a stranger might send for six classes: CUDA_VISIBLE_DEVICES hiding the GPUs,
device nodes the user may not open, nvidia-uvm missing, nvidia-uvm broken after a suspend,
the NVIDIA module refused by Secure Boot, and the module not loaded at all. Each class has
broken probes (different tools' words, REPL sessions, containers, prose in several languages)
and near-misses: healthy machines, questions, denials and past states in the same words.

The tool lines are what the tools print (kmod, DKMS, mkinitcpio, nvidia-smi, torch, CUDA's
deviceQuery, TensorFlow/XLA, Docker, mokutil, the kernel); the readers are tested on the class,
not on these exact sentences."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source


def _findings(paste: str):
    _, report = diagnose(source.normalise(paste))
    return {f.id: f for f in report.findings}


SMI_ONE = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.90.07              Driver Version: 550.90.07      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|=========================================+========================+======================|
|   0  NVIDIA GeForce RTX 3090        Off |   00000000:01:00.0 Off |                  N/A |
|  0%   35C    P8             20W /  350W |       5MiB /  24576MiB |      0%      Default |
+-----------------------------------------+------------------------+----------------------+
"""

# --------------------------------------------------------------------------- CUDA_VISIBLE_DEVICES
VISIBLE_BROKEN = [
    'os.environ["CUDA_VISIBLE_DEVICES"] = "1"\nRuntimeError: No CUDA GPUs are available',
    "$ CUDA_VISIBLE_DEVICES=2 python main.py\nTHCudaCheck FAIL file=torch/csrc/cuda/Module.cpp line=109 error=38 : "
    "no CUDA-capable device is detected",
    "export CUDA_VISIBLE_DEVICES=3\npython train.py\nRuntimeError: CUDA error: invalid device ordinal",
    ">>> import os\n>>> os.environ['CUDA_VISIBLE_DEVICES'] = '7'\n>>> import torch\n>>> torch.cuda.is_available()\nFalse",
    "CUDA_VISIBLE_DEVICES=-1 python demo.py\nE external/xla/xla/stream_executor/cuda/cuda_driver.cc:282] failed call "
    "to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected",
    'CUDA_VISIBLE_DEVICES="" python infer.py\n>>> torch.cuda.device_count()\n0',
    "If not comment out the line `os.environ[\"CUDA_VISIBLE_DEVICES\"]='1'` in train.py, training will encounter an "
    "error: `RuntimeError: No CUDA GPUs are available`.",
    "It is strongly recommended to remove the setting of cuda device ID in the code：\n`import os\n"
    "os.environ['CUDA_VISIBLE_DEVICES'] = '7'\n`\nas the error message No CUDA GPUs are available keeps running",
    'os.environ["CUDA_VISIBLE_DEVICES"] = "1"\nthis should be changed to\nos.environ["CUDA_VISIBLE_DEVICES"] = "0"',
    "I only have one GPU, and the scripts do `export CUDA_VISIBLE_DEVICES=1`, so torch.cuda.is_available() is False",
    "My machine has a single GPU. train.sh sets CUDA_VISIBLE_DEVICES=2 and the model runs on the CPU.",
    "os.environ['CUDA_VISIBLE_DEVICES'] = '3'  作者在第四行设置了第三个gpu，我只有一张卡，改为0就可以了",
    "我的服务器只有一块显卡，脚本里 CUDA_VISIBLE_DEVICES=1，报错 RuntimeError: No CUDA GPUs are available",
    "GPU가 하나뿐인데 CUDA_VISIBLE_DEVICES=1 로 되어 있어서 RuntimeError: No CUDA GPUs are available 에러가 납니다",
    "GPUが1枚しかないのに CUDA_VISIBLE_DEVICES=1 になっていて torch.cuda.is_available() が False になります",
    "Solo tengo una GPU y el script pone CUDA_VISIBLE_DEVICES=1: RuntimeError: No CUDA GPUs are available",
    "Ich habe nur eine GPU, das Skript setzt CUDA_VISIBLE_DEVICES=1 und bricht mit RuntimeError: No CUDA GPUs are "
    "available ab",
    "docker run --gpus all -e CUDA_VISIBLE_DEVICES=4 my-image python serve.py\nRuntimeError: No CUDA GPUs are available",
    "env:\n  - name: CUDA_VISIBLE_DEVICES\n    value: \"\"\nRuntimeError: No CUDA GPUs are available",
    "CUDA_VISIBLE_DEVICES: NoDevFiles\nRuntimeError: No CUDA GPUs are available",
    "CUDA_VISIBLE_DEVICES=1 ./deviceQuery\ncudaGetDeviceCount returned 100\n-> no CUDA-capable device is detected",
    "set CUDA_VISIBLE_DEVICES=1\npython app.py\nRuntimeError: No CUDA GPUs are available",
    "$env:CUDA_VISIBLE_DEVICES=\"1\"\npython app.py\nRuntimeError: No CUDA GPUs are available",
    "Setting CUDA_VISIBLE_DEVICES=0 instead of 1 fixed it. Before: CUDA_VISIBLE_DEVICES=1 python run.py -> No CUDA "
    "GPUs are available",
    SMI_ONE + "$ CUDA_VISIBLE_DEVICES=1 python -c 'import torch; print(torch.cuda.is_available())'\nFalse",
    SMI_ONE + "export CUDA_VISIBLE_DEVICES=1\nRuntimeError: CUDA error: invalid device ordinal",
    "CUDA_VISIBLE_DEVICES=1 python test.py\n2024-01-01 E external/xla/xla/stream_executor/cuda/cuda_driver.cc:282] "
    "failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected",
    "I commented out os.environ['CUDA_VISIBLE_DEVICES'] = '2' and now it works. With it: No CUDA GPUs are available",
    "CUDA_VISIBLE_DEVICES=5 torchrun --nproc_per_node=1 train.py\nRuntimeError: No CUDA GPUs are available",
    "srun --gres=gpu:1 env | grep CUDA\nCUDA_VISIBLE_DEVICES=\nRuntimeError: No CUDA GPUs are available",
    'CUDA_VISIBLE_DEVICES=1 accelerate launch train.py\n  File "accelerate/state.py", line 790, in set_device\n    torch.cuda.set_device(self.device)\nRuntimeError: CUDA error: invalid device ordinal',
    'My PC has only one GPU (RTX 4070). run.sh exports CUDA_VISIBLE_DEVICES=3 and nothing uses the GPU.',
    'os.environ["CUDA_VISIBLE_DEVICES"] = "2,3"\ntorch.cuda.device_count() returns 0',
    "把 os.environ['CUDA_VISIBLE_DEVICES'] = '1' 改成 '0' 就好了，原来报 No CUDA GPUs are available",
]

VISIBLE_HEALTHY = [
    "CUDA_VISIBLE_DEVICES=0,1,2,3 python -u train.py --network r100\nloss is nan after 3 epochs",
    "CUDA_VISIBLE_DEVICES=6 bash train_3d.sh ./datasets/lerf_mask\nLoss is NaN",
    "I have an Nvidia 1080Ti and CUDA_VISIBLE_DEVICES=0. The tests fail with invalid device ordinal; perhaps the code "
    "looks for multiple GPUs?",
    "If you only have one GPU, set CUDA_VISIBLE_DEVICES=0 in the script.",
    "Do I need CUDA_VISIBLE_DEVICES=1 if I have only one GPU?",
    SMI_ONE + "CUDA_VISIBLE_DEVICES=0 python train.py\nEpoch 1/10 loss 0.42",
    "We train on 8 GPUs with CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 torchrun --nproc_per_node=8 train.py",
    "CUDA_VISIBLE_DEVICES=1 python eval.py\n>>> torch.cuda.is_available()\nTrue\n>>> torch.cuda.device_count()\n1",
    "I have more than one GPU; CUDA_VISIBLE_DEVICES=2 picks the third and it trains fine.",
    "os.environ['CUDA_VISIBLE_DEVICES'] = '0'\nThe output images are blurry compared to the paper.",
    "For those who have a single GPU, the line should be os.environ['CUDA_VISIBLE_DEVICES'] = '0'.",
    "CUDA_VISIBLE_DEVICES=0 python -m vllm.entrypoints.api_server\nINFO: Started server process",
    "The README says CUDA_VISIBLE_DEVICES=1 but my run with CUDA_VISIBLE_DEVICES=1 works fine on my 2-GPU server.",
    "单卡训练 CUDA_VISIBLE_DEVICES=0 python train.py 显存不够",
    "export CUDA_VISIBLE_DEVICES=0\nValueError: too many values to unpack (expected 2)",
    'CUDA_VISIBLE_DEVICES=1 python train.py  # uses my second 3090\nRuntimeError: CUDA out of memory.',
    'I have one GPU and CUDA_VISIBLE_DEVICES=0; the output is wrong.',
]


@pytest.mark.parametrize("paste", VISIBLE_BROKEN)
def test_visible_devices_hiding_the_gpus_is_read(paste):
    assert "cuda_visible_devices_hides_gpus" in _findings(paste)


@pytest.mark.parametrize("paste", VISIBLE_HEALTHY)
def test_visible_devices_near_misses_are_not_an_error(paste):
    f = _findings(paste).get("cuda_visible_devices_hides_gpus")
    assert f is None or f.severity.value != "error"


# --------------------------------------------------------------------------- device-node permissions
PERMS_BROKEN = [
    "So, I am able to get nvidia graphics working inside a container as long as I `chmod 666 /dev/nvidia*` on the host.",
    "Workaround: add the regular user to the video group. Then it works.",
    "sudo usermod -aG video $USER fixed it, nvidia-smi works for my user now",
    "$ nvidia-smi\nFailed to initialize NVML: Insufficient Permissions",
    "openat(AT_FDCWD, \"/dev/nvidiactl\", O_RDWR) = -1 EACCES (Permission denied)",
    "failed to open /dev/nvidia0: Permission denied",
    "RuntimeError: Error opening /dev/nvidiactl: Permission denied",
    "type=AVC msg=audit(1612345678.123:456): avc:  denied  { read write } for  pid=2345 comm=\"python3\" "
    "name=\"nvidiactl\" dev=\"devtmpfs\" ino=1234 scontext=system_u:system_r:container_t:s0 "
    "tcontext=system_u:object_r:xserver_misc_device_t:s0 tclass=chr_file permissive=0",
    "$ ls -l /dev/nvidia*\ncrw-rw---- 1 root video 195,   0 Feb 15 19:37 /dev/nvidia0\n"
    "crw-rw---- 1 root video 195, 255 Feb 15 19:37 /dev/nvidiactl\n"
    "crw-rw---- 1 root video 238,   0 Feb 15 19:37 /dev/nvidia-uvm\n$ id\nuid=1000(me) gid=1000(me) groups=1000(me),27(sudo)",
    "me@box:~$ ls -l /dev/nvidia*\ncrw------- 1 root root 195,   0 Jan  1 10:00 /dev/nvidia0\n"
    "crw------- 1 root root 195, 255 Jan  1 10:00 /dev/nvidiactl\ncrw------- 1 root root 511,   0 Jan  1 10:00 /dev/nvidia-uvm",
    "CUDA works with sudo but not as my normal user: torch.cuda.is_available() is False without sudo",
    "As a regular user I cannot access the nvidia devices; root can.",
    "nvidia-container-cli: initialization error: open failed: /dev/nvidiactl: permission denied",
    "用 sudo 可以用 GPU，普通用户无法访问 /dev/nvidia0，权限不够",
    "chmod 666 /dev/nvidia* 之后才能用，普通用户",
    "일반 사용자로는 /dev/nvidiactl 에서 Permission denied 가 납니다",
    "一般ユーザーだと /dev/nvidia0: Permission denied になります",
    "Error: failed to open /dev/nvidia-uvm: Operation not permitted",
    "podman run --rm --device nvidia.com/gpu=all -u 1000 ubuntu nvidia-smi -L\nFailed to initialize NVML: "
    "Insufficient Permissions",
    "I added my user to the render group and now CUDA sees the GPU.",
    'nvidia-smi works only with sudo; as my user: Failed to initialize NVML: Insufficient Permissions',
    "$ ls -la /dev | grep nvidia\ncrw-------  1 root root  195,   0 Mar  3 09:12 nvidia0\ncrw-------  1 root root  195, 255 Mar  3 09:12 nvidiactl\nme@host:~$ python -c 'import torch; print(torch.cuda.is_available())'\nFalse",
    'Running rootless podman, the container sees /dev/nvidia0 but cannot open it: permission denied',
    'open("/dev/nvidia0", O_RDWR|O_CLOEXEC) = -1 EACCES (Permission denied)',
    'cuInit failed: /dev/nvidiactl: Permission denied',
    'After sudo chmod a+rw /dev/nvidia* everything works again for the jupyter user',
    "The snap can't open /dev/nvidiactl: Permission denied (snap confinement)",
    'Solved by adding the jenkins user to the video group: sudo usermod -a -G video jenkins',
    '普通用户运行 nvidia-smi 提示 Failed to initialize NVML: Insufficient Permissions，root 正常',
    'Failed to open /dev/nvidia-uvm: Permission denied\nRuntimeError: CUDA error: unknown error',
    "Only root can use CUDA on this box; my account gets torch.cuda.is_available() == False. ls -l shows crw-rw---- root video for /dev/nvidia0 and I'm not in video.",
    'E0101 nvc.c:42] nvidia-container-cli: open failed: /dev/nvidia0: permission denied',
    'avc:  denied  { read write } for  pid=812 comm="nvidia-smi" name="nvidia0" dev="devtmpfs" ino=999 scontext=system_u:system_r:container_t:s0 tcontext=system_u:object_r:device_t:s0 tclass=chr_file permissive=0',
    '권한 문제였습니다. sudo usermod -aG video $USER 후 재로그인하니 해결됐어요',
]

PERMS_HEALTHY = [
    "RUN chmod 666 /dev/null && apt-get install -y python3",
    "sudo usermod -aG docker $USER fixed the docker socket permission denied; nvidia-smi works",
    "PermissionError: [Errno 13] Permission denied: '/root/.cache/huggingface'",
    "$ ls -l /dev/nvidia*\ncrw-rw-rw- 1 root root 195,   0 Aug  9 15:54 /dev/nvidia0\n"
    "crw-rw-rw- 1 root root 195, 255 Aug  9 15:54 /dev/nvidiactl\ncrw-rw-rw- 1 root root 242,   0 Aug  9 15:54 /dev/nvidia-uvm",
    "Do I need to add my user to the video group to use CUDA?",
    "I am in the video group and everything works; the model output is wrong though.",
    "I did not chmod /dev/nvidia* and it still works fine.",
    "$ groups\nme adm video render\nTraining is slow on the A100.",
    "chmod +x run.sh && ./run.sh\nEpoch 1 loss 0.3",
    "Permission denied (publickey) when cloning the repo",
    "open /dev/shm/torch_1234: permission denied",
    "sudo is not needed: nvidia-smi works as my user.",
    "mkdir: cannot create directory '/data': Permission denied",
    "The video group owns /dev/dri/card0 on this box; CUDA is fine.",
    "chmod 777 /workspace/output fixed the write error in the container",
    'sudo chmod 666 /dev/nvidia* is in our setup script; question about mixed precision',
    'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
]


@pytest.mark.parametrize("paste", PERMS_BROKEN)
def test_device_nodes_the_user_may_not_open_are_read(paste):
    assert "device_node_permissions" in _findings(paste)


@pytest.mark.parametrize("paste", PERMS_HEALTHY)
def test_device_node_near_misses_say_nothing(paste):
    assert "device_node_permissions" not in _findings(paste)


# --------------------------------------------------------------------------- nvidia-uvm missing
UVM_BROKEN = [
    "After a system reboot none of the containers would restart:\n```\nlstat /dev/nvidia-uvm: no such file or directory\n```",
    "nvidia-docker | 2017/07/09 00:49:15 Error: Could not load UVM kernel module. Is nvidia-modprobe installed?",
    "$ sudo modprobe nvidia_uvm\nmodprobe: FATAL: Module nvidia_uvm not found in directory /lib/modules/4.4.0-83-generic",
    "$ lsmod | grep nvidia\nnvidia_drm             69632  2\nnvidia_modeset       1142784  3 nvidia_drm\n"
    "nvidia              35319808  62 nvidia_modeset\n$ python -c 'import torch; torch.cuda.init()'\n"
    "RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment",
    "$ ls -l /dev/nvidia*\ncrw-rw-rw- 1 root root 195,   0 Jan  1 10:00 /dev/nvidia0\n"
    "crw-rw-rw- 1 root root 195, 255 Jan  1 10:00 /dev/nvidiactl\nRuntimeError: CUDA unknown error",
    "ls: cannot access '/dev/nvidia-uvm': No such file or directory\nfailed call to cuInit: CUDA_ERROR_UNKNOWN",
    "nvidia_uvm is not loaded, and cuInit returns 999 on this headless server",
    "Error response from daemon: error gathering device information while adding custom device "
    "\"/dev/nvidia-uvm\": lstat /dev/nvidia-uvm: no such file or directory",
    "pycuda._driver.Error: cuInit failed: unknown\nmodprobe: FATAL: Module nvidia-uvm not found.",
    "cudaGetDeviceCount returned 30\n-> unknown error\nmodprobe: ERROR: could not insert 'nvidia_uvm': No such device",
    "sudo nvidia-modprobe -u -c=0 fixed it; /dev/nvidia-uvm was missing",
    "nvidia-uvm 模块没有加载，CUDA 报 unknown error",
    '$ ls /dev/nvidia*\n/dev/nvidia0  /dev/nvidiactl  /dev/nvidia-modeset\nRuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment',
    "$ ls -l /dev/nvidia*\ncrw-rw-rw- 1 root root 195,   0 Jan  1 10:00 /dev/nvidia0\ncrw-rw-rw- 1 root root 195, 255 Jan  1 10:00 /dev/nvidiactl\nls: cannot access '/dev/nvidia-uvm': No such file or directory",
    'docker: Error response from daemon: error gathering device information while adding custom device "/dev/nvidia-uvm": no such file or directory.',
    'There is no /dev/nvidia-uvm on the host, so the container fails with CUDA_ERROR_UNKNOWN',
    '/dev/nvidia-uvm does not exist after boot; running sudo modprobe nvidia-uvm fixes it until the next reboot',
    'Fixed with `sudo nvidia-modprobe -c 0 -u`, CUDA works again',
    'modprobe: FATAL: Module nvidia-uvm not found.\nfailed call to cuInit: CUDA_ERROR_UNKNOWN',
    "$ sudo modprobe nvidia-uvm\nmodprobe: ERROR: could not insert 'nvidia_uvm': Unknown symbol in module, or unknown parameter (see dmesg)",
    '/dev/nvidia-uvm 不存在，modprobe nvidia-uvm 之后就好了',
    'The root cause for me was that `/dev/nvidia-uvm`, `/dev/nvidia-uvm-tools` files were missing that CUDA needs.',
    'ggml_cuda_init: failed to initialize CUDA: unknown error\n$ lsmod | grep nvidia\nnvidia_drm             69632  2\nnvidia_modeset       1142784  3 nvidia_drm\nnvidia              35319808  62 nvidia_modeset',
    "$ ls -l /dev/nvidia-uvm\nls: cannot access '/dev/nvidia-uvm': No such file or directory",
    'Error: lstat /dev/nvidia-uvm: no such file or directory\nnvidia-smi works on the host',
    "nvidia_uvm isn't loaded on this headless server, CUDA fails",
    'Loading nvidia_uvm with modprobe fixed the CUDA_ERROR_UNKNOWN',
    'E tensorflow/stream_executor/cuda/cuda_driver.cc:491] failed call to cuInit: CUDA_ERROR_UNKNOWN\nmodprobe: FATAL: Module nvidia_uvm not found in directory /lib/modules/5.4.0-42-generic',
    'cuda runtime error (30) : unknown error\n/dev/nvidia-uvm was not created',
    'No /dev/nvidia-uvm device node in the LXC container, so CUDA init fails with unknown error',
    'stat /dev/nvidia-uvm: no such file or directory\nError: failed to start container',
    "There's no nvidia-uvm device; `sudo modprobe nvidia_uvm` fixed cuInit error 999.",
    'modprobe: FATAL: Module nvidia-uvm not found in directory /lib/modules/6.1.0-13-amd64',
    'cuInit returned 999 on the headless box; lsmod shows nvidia and nvidia_modeset but no nvidia_uvm',
]

UVM_HEALTHY = [
    "$ ls -l /dev/nvidia*\ncrw-rw-rw- 1 root root 195,   0 Jan  1 10:00 /dev/nvidia0\n"
    "crw-rw-rw- 1 root root 195, 255 Jan  1 10:00 /dev/nvidiactl\ncrw-rw-rw- 1 root root 511,   0 Jan  1 10:00 /dev/nvidia-uvm",
    "nvidia_uvm is loaded and CUDA works; only the training diverges.",
    "Is nvidia-uvm needed for inference?",
    "$ lsmod | grep nvidia_uvm\nnvidia_uvm           1990656  0\nnvidia              35319808  1 nvidia_uvm",
    "Could not load the dataset: no such file or directory: data/train.csv",
    "lstat /home/me/model.pt: no such file or directory",
    "The docs mention `sudo modprobe nvidia-uvm`; I never needed it, CUDA is fine.",
    "stat /dev/nvidia-uvm-tools: no such file or directory (ignored, nvidia-smi and CUDA work)",
    '$ ls /dev/nvidia*\n/dev/nvidia0  /dev/nvidiactl  /dev/nvidia-modeset  /dev/nvidia-uvm  /dev/nvidia-uvm-tools\ntorch.cuda.is_available() -> True',
    'I ran sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm after suspend and CUDA works; question about speed',
    'Docs: nvidia-modprobe -u creates /dev/nvidia-uvm when needed',
    'The container mounts /dev/nvidia-uvm fine; the model loads on the GPU.',
    '/dev/nvidia-uvm exists and is crw-rw-rw-; CUDA OK',
    'Is /dev/nvidia-uvm missing on your machine?',
    'open data/nvidia-uvm.txt: no such file or directory',
    '$ lsmod | grep nvidia_uvm\nnvidia_uvm 1437696 2\nTraining speed question',
    'no such file or directory: /dev/nvidia-uvm-tools  (harmless, CUDA works)',
]


@pytest.mark.parametrize("paste", UVM_BROKEN)
def test_nvidia_uvm_missing_is_read(paste):
    assert "nvidia_uvm_missing" in _findings(paste)


@pytest.mark.parametrize("paste", UVM_HEALTHY)
def test_nvidia_uvm_near_misses_say_nothing(paste):
    f = _findings(paste).get("nvidia_uvm_missing")
    assert f is None or f.severity.value != "error"


# --------------------------------------------------------------------------- nvidia-uvm after suspend
SUSPEND_BROKEN = [
    "Occasionally, especially after waking the laptop up from sleep, torch.cuda.is_available() gives\n"
    "UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, "
    "e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero.",
    "After resuming from suspend: failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error",
    "panic: CUDA_ERROR_UNKNOWN\nonce I suspend Ubuntu and then wake it from suspend, mumax3 doesn't work",
    "RuntimeError: cuda runtime error (999) : unknown error\nnvidia-smi works fine; it only happens after the machine "
    "was suspended. sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm fixes it.",
    "休眠唤醒后 CUDA 报错: RuntimeError: CUDA error: unknown error，重启就好了",
    "절전 모드에서 깨어난 후 RuntimeError: CUDA unknown error 가 발생합니다",
    "スリープ復帰後に RuntimeError: CUDA error: unknown error が出ます。再起動すると直ります",
    "Nach dem Ruhezustand: RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment",
    "ggml_cuda_init: failed to initialize CUDA: unknown error\nThis happens every time after the laptop wakes from "
    "sleep (lid closed).",
    "CUDA error 999: unknown error after suspend/resume; works after reboot",
    'After resuming from suspend, CUDA fails: RuntimeError: CUDA error: unknown error',
    'Every time my laptop wakes up from sleep I get `failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error`; a reboot fixes it.',
    'Once the computer woke from hibernation, torch says: UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment',
    '[ 9123.1] PM: suspend exit\n>>> torch.cuda.is_available()\nUserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start.\nFalse',
    'systemd-sleep[4211]: System returned from sleep state.\nE external/xla/xla/stream_executor/cuda/cuda_driver.cc:268] failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error',
    'ACPI: PM: Waking up from system sleep state S3\nRuntimeError: CUDA error: unknown error',
    'If I leave the machine for some time and come back, PyTorch stops recognizing the GPU:\nRuntimeError: cuda runtime error (999) : unknown error at /opt/conda/conda-bld/pytorch/aten/src/THC/THCGeneral.cpp:47',
    'closing the laptop lid and opening it again breaks CUDA: RuntimeError: CUDA unknown error',
    '노트북을 절전 모드에서 복귀시키면 failed call to cuInit: CUDA_ERROR_UNKNOWN 오류가 납니다',
    '笔记本合上盖子再打开以后，torch 报 RuntimeError: CUDA error: unknown error',
    'サスペンドから復帰すると CUDA_ERROR_UNKNOWN になる',
    'Después de la suspensión: RuntimeError: CUDA error: unknown error',
    'stable diffusion webui kept open through a suspend; afterwards: RuntimeError: CUDA unknown error',
    'the server went to sleep overnight; this morning jax says failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error',
    'after suspend/resume `ggml_cuda_init: failed to initialize CUDA: unknown error`, nvidia-smi still works',
    'cudaGetDeviceCount returned 999\n-> unknown error\n(after waking my desktop from standby)',
    'Since sleeping the PC, CUDA error: unknown error. Reloading nvidia_uvm with rmmod/modprobe fixed it.',
    'After hibernate, CUDA error: unknown error; `sudo rmmod nvidia_uvm && sudo modprobe nvidia_uvm` brings it back',
    'Happens after resume from suspend: Check failed: error == cudaSuccess (999 vs. 0)  unknown error',
    'Nach dem Aufwachen aus dem Energiesparmodus: failed call to cuInit: CUDA_ERROR_UNKNOWN',
    'Each time I resume my Thinkpad from suspend, ollama says: ggml_cuda_init: failed to initialize CUDA: unknown error',
    'After the PC wakes up, jax: failed call to cuInit: CUDA_ERROR_UNKNOWN: unknown error',
    'RuntimeError: CUDA error: unknown error\nThis began after I put the computer to sleep; rebooting fixes it',
    '睡眠模式唤醒之后 torch.cuda.is_available() 返回 False，提示 CUDA unknown error',
]

SUSPEND_HEALTHY = [
    "I suspend my laptop every night and CUDA keeps working; the model just trains slowly.",
    "Does CUDA survive a suspend?",
    "The training was suspended by the scheduler and resumed from the checkpoint; loss is fine.",
    "Never suspended the machine. nvidia-smi and torch work.",
    "After waking up this morning I ran the script again and it worked.",
    'The job was resumed from checkpoint after preemption; CUDA works.',
    'I disabled suspend on the server; CUDA error: out of memory when batch size is 64',
    'Sleep(5) in the loop makes the GPU idle; performance question',
    'time.sleep(10) between batches, GPU utilisation drops',
    'We never put the workstation to sleep. RuntimeError: CUDA error: device-side assert triggered',
    'After waking up the container (docker start) everything works',
    'Suspend/resume works fine with NVreg_PreserveVideoMemoryAllocations=1; my question is about fan speed.',
    'How do I make CUDA survive suspend?',
    'Suspended processes are shown as T in top; unrelated to CUDA',
    'pause/resume of the training loop is implemented in trainer.py',
    'the laptop wakes from sleep fine and CUDA still works afterwards; the issue is the fan',
    'Suspend is disabled on this server. RuntimeError: CUDA error: an illegal memory access was encountered',
]


@pytest.mark.parametrize("paste", SUSPEND_BROKEN)
def test_uvm_broken_by_suspend_is_read(paste):
    assert "nvidia_uvm_stale_after_suspend" in _findings(paste)


@pytest.mark.parametrize("paste", SUSPEND_HEALTHY)
def test_suspend_near_misses_say_nothing(paste):
    assert "nvidia_uvm_stale_after_suspend" not in _findings(paste)


# --------------------------------------------------------------------------- Secure Boot
SECURE_BROKEN = [
    "modprobe: ERROR: could not insert 'nvidia': Key was rejected by service",
    "modprobe: ERROR: could not insert 'nvidia': Required key not available",
    "[    3.171437] Loading of unsigned module is rejected\nNVIDIA-SMI has failed because it couldn't communicate with "
    "the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    "[ 1748.999277] Loading of module with unavailable key is rejected\n$ nvidia-smi\nNVIDIA-SMI has failed because it "
    "couldn't communicate with the NVIDIA driver.",
    "Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7\n$ nvidia-smi\n"
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "$ mokutil --sb-state\nSecureBoot enabled\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with "
    "the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    "$ sudo nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n"
    "I checked BIOS and Secure Boot was enabled, so I disabled it and now it works.",
    "nvidia-smi 报错 NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver，关闭安全启动后就好了",
    "insmod: ERROR: could not insert module nvidia.ko: Key was rejected by service",
    "dkms.systemd[1627]: modprobe: ERROR: could not insert 'nvidia': Key was rejected by service",
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. The driver is not loaded; "
    "Secure Boot is on and I never enrolled the MOK key.",
    "[    2.345678] Loading of module with unavailable key is rejected\n==> nvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "$ sudo modprobe nvidia\nmodprobe: ERROR: could not insert 'nvidia': Key was rejected by service",
    '$ mokutil --sb-state\nSecureBoot enabled\n$ lsmod | grep nvidia\n$ uname -r\n6.5.0-14-generic',
    'insmod: ERROR: could not insert module /lib/modules/6.8.0/updates/dkms/nvidia.ko.zst: Required key not available',
    'After updating the BIOS, Secure Boot got enabled again and the nvidia driver stopped loading; disabling it fixed it.',
    'Secure Boot 켜져 있어서 nvidia 모듈이 로드되지 않았습니다. 끄니까 nvidia-smi 가 됩니다',
    "セキュアブートを無効にしたら nvidia-smi が動きました。以前は NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
    "Jan 01 10:00:00 host kernel: Lockdown: systemd-udevd: unsigned module loading is restricted; see man kernel_lockdown.7\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "modprobe: ERROR: could not insert 'nvidia_drm': Key was rejected by service",
    "[ 5.1] PKCS#7 signature not signed with a trusted key\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    'The problem was that I have installed with Secure Boot disabled, and later I enabled the Secure Boot. In such a case, the driver is no longer loaded during boot.',
    "SecureBoot enabled\nnvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "Azure VM with Trusted Launch (Secure Boot on): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. The MOK enrollment screen never showed up.",
    "apt install nvidia-driver-550 asked for a MOK password; I skipped the enrollment at reboot and now nvidia-smi says NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "dkms: modprobe: ERROR: could not insert 'nvidia': Required key not available",
    "Kernel is locked down from EFI Secure Boot mode; see man kernel_lockdown.7\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    '关闭 Secure Boot 之后 nvidia 驱动就能加载了，之前 nvidia-smi 报错',
    'Secure boot was on. Turning it off in the UEFI settings made nvidia-smi work.',
    "[   12.0] Loading of unsigned module is rejected\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    "$ sudo modprobe nvidia\nmodprobe: ERROR: could not insert 'nvidia': Operation not permitted\n$ mokutil --sb-state\nSecureBoot enabled",
    "dmesg: Loading of unsigned module is rejected\nnvidia-smi: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    'I had to disable secure boot in the BIOS, after that the nvidia driver loaded and nvidia-smi worked',
    '보안 부팅을 비활성화하니 nvidia 드라이버가 로드됩니다',
]

SECURE_HEALTHY = [
    "$ mokutil --sb-state\nSecureBoot disabled\n" + SMI_ONE,
    "Secure Boot is enabled and the signed driver loads fine:\n" + SMI_ONE,
    "modprobe: ERROR: could not insert 'r8125': Key was rejected by service\n" + SMI_ONE,
    "Should I disable Secure Boot before installing the driver?",
    "nvidia: module verification failed: signature and/or required key missing - tainting kernel\n" + SMI_ONE,
    '$ mokutil --sb-state\nSecureBoot enabled\n$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-1234)',
    'I enrolled the MOK key, the module loads, and nvidia-smi works; training is slow though.',
    'Secure Boot disabled. Question: which driver for the H100?',
    'Lockdown: modprobe: unsigned module loading is restricted; see man kernel_lockdown.7 (for the virtualbox module)\n$ nvidia-smi -L\nGPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-abcd)',
    'Do I have to sign the nvidia module with Secure Boot on?',
    "The guide says to disable Secure Boot; I didn't need to, everything works.",
    'insmod: ERROR: could not insert module acpi_call.ko: Key was rejected by service\n$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-77)',
    'SecureBoot disabled\nPlatform is in Setup Mode',
    'sbctl status: Secure Boot: ✓ Enabled\n$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3080 (UUID: GPU-88)',
    'Secure Boot is off on this box; CUDA error: out of memory',
    'mokutil --sb-state\nSecureBoot disabled\nnvidia-smi works',
    'I was told to disable secure boot but I did not; the driver works',
]


@pytest.mark.parametrize("paste", SECURE_BROKEN)
def test_secure_boot_refusing_the_module_is_read(paste):
    assert "driver_not_loaded_secure_boot" in _findings(paste)


@pytest.mark.parametrize("paste", SECURE_HEALTHY)
def test_secure_boot_near_misses_are_not_an_error(paste):
    f = _findings(paste).get("driver_not_loaded_secure_boot")
    assert f is None or f.severity.value != "error"


# --------------------------------------------------------------------------- module not loaded
MODULE_BROKEN = [
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA "
    "driver is installed and running.",
    "Startup `modprobe: FATAL: Module nvidia not found in directory /lib/modules/6.8.0-1015-aws`",
    "Error! Bad return status for module build on kernel: 6.14.4-arch1-2 (x86_64)\n"
    "Consult /var/lib/dkms/nvidia/470.256.02/build/make.log for more information.",
    "==> ERROR: module not found: 'nvidia'\n==> ERROR: module not found: 'nvidia_modeset'",
    "$ modinfo nvidia\nmodinfo: ERROR: Module nvidia not found.",
    "ERROR: Unable to load the kernel module 'nvidia.ko'.  This happens most frequently when this kernel module was "
    "built against the wrong or improperly configured kernel sources",
    "I tensorflow/stream_executor/cuda/cuda_diagnostics.cc:140] kernel driver does not appear to be running on this "
    "host (gzhao-b1208): /proc/driver/nvidia/version does not exist",
    "$ cat /proc/driver/nvidia/version\ncat: /proc/driver/nvidia/version: No such file or directory",
    "$ lsmod | grep nvidia\n$ uname -r\n6.8.0-45-generic",
    "$ nvidia-smi\nmodprobe: FATAL: Module nvidia not found.\nNVIDIA-SMI has failed because it couldn't communicate "
    "with the NVIDIA driver.",
    "nvidia-smi 报错：NVIDIA-SMI has failed because it couldn‘t communicate with the NVIDIA driver.",
    "커널 업데이트 후 nvidia-smi 실행 시 NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
    "Error! Bad return status for module build on kernel: 6.8.0-60-generic (x86_64)\n"
    "Consult /var/lib/dkms/nvidia/535.183.06/build/make.log for more information.\n"
    "dpkg: error processing package linux-image-6.8.0-60-generic (--configure):",
    '(EE) NVIDIA: Failed to load the NVIDIA kernel module. Please check your\n(EE) NVIDIA:     system\'s kernel log for additional error messages.\n(EE) Failed to load module "nvidia" (module-specific error, 0)',
    'FATAL: Module nvidia not found.\n(EE) No drivers available.',
    '$ sudo modprobe nvidia\nmodprobe: FATAL: Module nvidia not found in directory /lib/modules/5.15.0-91-generic',
    "$ ls /proc/driver/nvidia\nls: cannot access '/proc/driver/nvidia': No such file or directory",
    "After the kernel upgrade to 6.8.0-45 the nvidia driver stopped working: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "torch.cuda.is_available() False and\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.",
    'I tensorflow/compiler/xla/stream_executor/cuda/cuda_diagnostics.cc:137] kernel driver does not appear to be running on this host (ubuntu): /proc/driver/nvidia/version does not exist',
    'NVIDIA GPU 驱动失效, NVIDIA-SMI has failed because it couldn‘t communicate with the NVIDIA driver.',
    "Nach dem Kernel-Update: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "Después de actualizar el kernel: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    'sudo dkms install -m nvidia -v 470.86\nError! Bad return status for module build on kernel: 5.13.18-21 (x86_64)\nConsult /var/lib/dkms/nvidia/470.86/build/make.log for more information.',
    "==> ERROR: module not found: 'nvidia'\n==> ERROR: module not found: 'nvidia_uvm'",
    '$ sudo modinfo nvidia\nmodinfo: ERROR: Module nvidia not found.\n$ uname -r\n6.1.0-18-amd64',
    "$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n$ dkms status\nnvidia/535.104.05: added",
    "ERROR: Unable to load the kernel module 'nvidia.ko'.",
    "nvidia-smi fails after reboot: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
    "GCP VM: after the automatic kernel update, NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. sudo apt-get install linux-headers-$(uname -r) fixed it",
    "$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n$ uname -r\n6.8.0-49-generic\n$ ls /lib/modules/6.8.0-49-generic/updates/dkms/\nls: cannot access '/lib/modules/6.8.0-49-generic/updates/dkms/': No such file or directory",
    'Building module:\ncleaning build area...\nmake -j16 KERNELRELEASE=6.11.0-9-generic... (bad exit status: 2)\nError! Bad return status for module build on kernel: 6.11.0-9-generic (x86_64)\nConsult /var/lib/dkms/nvidia/550.120/build/make.log for more information.',
    'cuInit: CUDA_ERROR_NO_DEVICE\nI tensorflow/compiler/xla/stream_executor/cuda/cuda_diagnostics.cc:137] kernel driver does not appear to be running on this host (node1): /proc/driver/nvidia/version does not exist',
    "ERROR: Unable to load the kernel module 'nvidia.ko'.  This happens most frequently when this kernel module was built against the wrong or improperly configured kernel sources, with a version of gcc that differs from the one used to build the target kernel",
]

MODULE_HEALTHY = [
    SMI_ONE,
    "$ lsmod | grep nvidia\nnvidia_uvm           1990656  0\nnvidia              35319808  1 nvidia_uvm\n" + SMI_ONE,
    "Error! Bad return status for module build on kernel: 5.15.0-1 (x86_64)\n"
    "Consult /var/lib/dkms/r8125/9.011/build/make.log for more information.\n" + SMI_ONE,
    "==> ERROR: module not found: 'wl'\n" + SMI_ONE,
    "How do I know if the nvidia module is loaded?",
    "$ dkms status\nnvidia/550.90.07, 6.8.0-45-generic, x86_64: installed\n" + SMI_ONE,
    '$ cat /proc/driver/nvidia/version\nNVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024\n' + SMI_ONE,
    'modprobe: FATAL: Module vboxdrv not found in directory /lib/modules/6.8.0-45-generic\n' + SMI_ONE,
    'I updated the kernel and nvidia-smi still works; torch is slow.',
    'Before the fix nvidia-smi printed an error; now it works and the question is about NCCL.\n' + SMI_ONE,
    '$ lsmod | grep nvidia\nnvidia_drm             69632  2\nnvidia              35319808  62 nvidia_modeset\n' + SMI_ONE,
    'Should I use dkms or the precompiled module?',
    '(EE) Failed to load module "mouse" (module does not exist, 0)\n' + SMI_ONE,
    'Error! Bad return status for module build on kernel: 6.9.1 (x86_64)\nConsult /var/lib/dkms/v4l2loopback/0.12.7/build/make.log for more information.\n' + SMI_ONE,
    'modinfo: ERROR: Module ath9k not found.\n' + SMI_ONE,
    'Error! Bad return status for module build on kernel: 6.11.0 (x86_64)\nConsult /var/lib/dkms/zfs/2.2.6/build/make.log for more information.',
]


@pytest.mark.parametrize("paste", MODULE_BROKEN)
def test_module_not_loaded_is_read(paste):
    assert "driver_kernel_module_not_loaded" in _findings(paste)


@pytest.mark.parametrize("paste", MODULE_HEALTHY)
def test_module_near_misses_say_nothing(paste):
    assert "driver_kernel_module_not_loaded" not in _findings(paste)
