"""No NVIDIA GPU said by vendor in a person's words (any language), the NVIDIA module finding
no GPU (modprobe's ENODEV, "NVRM: No NVIDIA GPU found"), ollama's cuInit 999 (nvidia_uvm),
and CUDA failing after a suspend while the driver answers (stale nvidia_uvm).

Near-misses: a hybrid laptop naming its NVIDIA GPU beside the AMD/Intel one, a CPU named by
vendor, questions, denials, past machines; modprobe's ENODEV for nvidia_uvm only, or with an
NVIDIA GPU in the text; a suspend mentioned on a machine where CUDA works."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import container_device_grants, gpu_vendor_prose
from tests.rules.test_unseen_classes import findings as _run

_TORCH = ('  File "site-packages/torch/cuda/__init__.py", line 239, in _lazy_init\n'
          '    raise AssertionError("Torch not compiled with CUDA enabled")\nAssertionError: Torch not compiled with CUDA enabled\n')

OTHER_VENDOR = [
    "My GPU is an AMD Radeon RX 580 and torch.cuda.is_available() returns False\n",
    "I have an Intel graphics card.\n" + _TORCH,
    "my laptop only has Intel UHD Graphics 620\n" + _TORCH,
    "I'm using an AMD 7900 XTX on Windows 11\n" + _TORCH,
    "i'm using a laptop with Intel Iris Xe graphics, is there anything i can do\n" + _TORCH,
    "我的显卡是AMD的，运行报错\n" + _TORCH,
    "我是A卡\n" + _TORCH,
    "我用的是英特尔核显，跑不了\n" + _TORCH,
    "私のPCのグラボはRadeonです。\n" + _TORCH,
    "제 그래픽카드는 AMD 입니다.\n" + _TORCH,
    "mi tarjeta gráfica es una Intel HD 520\n" + _TORCH,
    "meine Grafikkarte ist eine AMD Radeon\n" + _TORCH,
    "GPU: Intel Iris Xe Graphics\nPython 3.11\n" + _TORCH,
]

OTHER_VENDOR_NEAR = [
    "Is my AMD GPU supported?\n",
    "I switched from AMD to an RTX 4090, now " + _TORCH,
    "my CPU is an AMD Ryzen 9 and the GPU is fine\n",
    "my laptop has an Intel i7 processor\n",
    "I use Intel MKL with GPU acceleration\n",
    "this is not an AMD card\n",
    "I have an AMD Ryzen 7 5800H with Radeon Graphics and a GeForce RTX 3060\n",
    "Does this project support AMD graphics cards?\n",
    "The AMD GPU build is documented here\n",
    "I have amd64 linux\n",
    "I have a gaming laptop with 2 GPUs: an AMD with 512 MB VRAM, and a RTX 4080 with 12 GB VRAM.\n"
    ">>> torch.cuda.is_available()\nTrue\n",
]




def _claims(text: str):
    return [c for c in gpu_vendor_prose.parse(source.normalise(text)).claims if c.path == "pci.devices"]


@pytest.mark.parametrize("text", OTHER_VENDOR)
def test_other_vendor_gpu_said(text: str) -> None:
    assert _claims(text)
    f = _run(text)["no_nvidia_gpu_found"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("text", OTHER_VENDOR_NEAR)
def test_other_vendor_near_misses_claim_nothing(text: str) -> None:
    assert not _claims(text)


_DSSTNE_LIKE = ("GpuContext::Startup: Process 0 out of 1 initialized.\n"
                "modprobe: ERROR: could not insert 'nvidia': No such device\n"
                "cudaGetDeviceCount failed no CUDA-capable device is detected\n")

NO_GPU_PROBED = [
    _DSSTNE_LIKE,
    "$ sudo modprobe nvidia\nmodprobe: ERROR: could not insert 'nvidia_375': No such device\n",
    "$ dmesg | grep NVRM\n[    4.120031] NVRM: No NVIDIA GPU found.\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't "
    "communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
]

NO_GPU_PROBED_NEAR = [
    # the laptop's GPU powered off refuses only nvidia_uvm: not "no GPU"
    "modprobe: ERROR: could not insert 'nvidia_331_updates_uvm': No such device\n",
    # an NVIDIA GPU named: the driver would not take it (another finding's cause)
    "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GP107 [GeForce GTX 1050 Ti] [10de:1c82] (rev a1)\n"
    "modprobe: ERROR: could not insert 'nvidia': No such device\n",
    # a legacy GPU on a new branch
    "NVRM: The NVIDIA GeForce GTX 680 GPU installed in this system is not supported by the 470.82 NVIDIA driver release.\n"
    "NVRM: No NVIDIA GPU found.\nmodprobe: ERROR: could not insert 'nvidia': No such device\n",
    # Secure Boot is a different refusal
    "modprobe: ERROR: could not insert 'nvidia': Key was rejected by service\n",
]


@pytest.mark.parametrize("text", NO_GPU_PROBED)
def test_module_found_no_gpu(text: str) -> None:
    f = _run(text)["no_nvidia_gpu_found"]
    assert f.severity.value == "error" and f.confidence.value == "likely"


@pytest.mark.parametrize("text", NO_GPU_PROBED)
def test_module_that_found_no_gpu_is_not_called_unloaded(text: str) -> None:
    # It loaded, probed and left: neither Secure Boot nor a missing build explains that.
    found = _run(text)
    assert "driver_not_loaded_secure_boot" not in found and "driver_kernel_module_not_loaded" not in found


@pytest.mark.parametrize("text", NO_GPU_PROBED_NEAR)
def test_module_refusals_that_are_not_no_gpu(text: str) -> None:
    found = _run(text)
    assert "no_nvidia_gpu_found" not in found or found["no_nvidia_gpu_found"].severity.value != "error"


_OLLAMA = ('time=2025-01-28T16:57:40.525+01:00 level=WARN source=gpu.go:605 msg="unknown error initializing cuda driver '
           'library /usr/lib/x86_64-linux-gnu/libcuda.so.550.120: cuda driver library init failure: 999. see '
           'https://github.com/ollama/ollama/blob/main/docs/troubleshooting.md for more information"\n'
           'time=2025-01-28T16:57:40.600+01:00 level=INFO source=gpu.go:377 msg="no compatible GPUs were discovered"\n')


def test_ollama_cuinit_999_is_uvm() -> None:
    assert "nvidia_uvm_missing" in _run(_OLLAMA)


def test_ollama_cuinit_999_after_suspend_is_stale_uvm() -> None:
    found = _run("After my laptop wakes from suspend, ollama runs on the CPU:\n" + _OLLAMA)
    assert "nvidia_uvm_stale_after_suspend" in found


def test_old_ollama_wording() -> None:
    text = ('time=2024-07-03T13:26:05.135+08:00 level=DEBUG source=gpu.go:517 msg="Unable to load nvcuda" '
            'library=/usr/lib/x86_64-linux-gnu/libcuda.so.535.183.01 error="nvcuda init failure: 999"\n')
    assert "nvidia_uvm_missing" in _run(text)


def test_ollama_other_cuinit_codes_are_not_uvm() -> None:
    text = 'msg="Unable to load cudart library /usr/lib/x86_64-linux-gnu/libcuda.so.575.57.08: cuda driver library init failure: 3"\n'
    found = _run(text)
    assert "nvidia_uvm_missing" not in found and "nvidia_uvm_stale_after_suspend" not in found


_SMI = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 550.54.14              Driver Version: 550.54.14      CUDA Version: 12.4     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|=========================================+========================+======================|
|   0  NVIDIA GeForce RTX 3060        Off |   00000000:01:00.0  On |                  N/A |
|  0%   45C    P8             15W /  170W |     300MiB /  12288MiB |      0%      Default |
+-----------------------------------------+------------------------+----------------------+
"""


def test_cuda_unavailable_after_resume_with_driver_answering() -> None:
    text = ("CUDA stopped working after I resumed from suspend. nvidia-smi still works:\n" + _SMI
            + ">>> import torch\n>>> torch.cuda.is_available()\nFalse\n")
    assert "nvidia_uvm_stale_after_suspend" in _run(text)


RESUME_NEAR = [
    # CUDA works after the resume
    "After resuming from suspend everything is fine:\n" + _SMI + ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n",
    # a denial
    "The machine never went to sleep.\n" + _SMI + ">>> torch.cuda.is_available()\nFalse\n",
    # the driver itself gone after the resume: not the uvm module
    "After resume from suspend:\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
    "Make sure that the latest NVIDIA driver is installed and running.\n>>> torch.cuda.is_available()\nFalse\n",
]


@pytest.mark.parametrize("text", RESUME_NEAR)
def test_resume_near_misses(text: str) -> None:
    assert "nvidia_uvm_stale_after_suspend" not in _run(text)


GRANTS_WITHOUT_UVM = [
    # podman with the nodes passed by hand
    "$ podman run --rm --device /dev/nvidia0 --device /dev/nvidiactl img python -c 'import torch'\n"
    "RuntimeError: CUDA error: unknown error\n",
    # docker, --device=... form with container paths and permissions
    "docker run --device=/dev/nvidiactl:/dev/nvidiactl:rwm --device=/dev/nvidia0:/dev/nvidia0 img ./deviceQuery\n"
    "cudaGetDeviceCount returned 999\n-> unknown error\n",
    # Proxmox LXC config
    "lxc.cgroup2.devices.allow: c 195:* rwm\nlxc.mount.entry: /dev/nvidia0 dev/nvidia0 none bind,optional,create=file\n"
    "lxc.mount.entry: /dev/nvidiactl dev/nvidiactl none bind,optional,create=file\n"
    "In the container nvidia-smi works but:\nRuntimeError: CUDA error: unknown error\n",
    # a compose file's device list
    "services:\n  trainer:\n    image: img\n    devices:\n      - /dev/nvidia0:/dev/nvidia0\n      - /dev/nvidiactl:/dev/nvidiactl\n"
    "E tensorflow/stream_executor/cuda/cuda_driver.cc:351] failed call to cuInit: CUDA_ERROR_UNKNOWN\n",
    # a CDI spec generated while nvidia_uvm was not loaded
    "cdiVersion: 0.5.0\ncontainerEdits:\n  deviceNodes:\n  - path: /dev/nvidiactl\ndevices:\n- containerEdits:\n"
    "    deviceNodes:\n    - path: /dev/nvidia0\n  name: \"0\"\nkind: nvidia.com/gpu\n"
    "RuntimeError: CUDA error: unknown error\n",
]

GRANTS_NEAR = [
    # uvm in the list
    "docker run --device /dev/nvidia0 --device /dev/nvidiactl --device /dev/nvidia-uvm img python train.py\n"
    "RuntimeError: CUDA error: out of memory\n",
    # the toolkit gives the devices
    "docker run --gpus all --device /dev/nvidia0 --device /dev/nvidiactl img python train.py\n"
    "RuntimeError: CUDA error: unknown error\n",
    "docker run --runtime=nvidia -e NVIDIA_VISIBLE_DEVICES=0 --device /dev/nvidiactl img nvidia-smi\n",
    # only a GPU node: nothing said of nvidiactl or uvm
    "docker run --device /dev/nvidia0 img nvidia-smi\n",
]


@pytest.mark.parametrize("text", GRANTS_WITHOUT_UVM)
def test_container_given_no_uvm_node(text: str) -> None:
    f = _run(text)["nvidia_uvm_missing"]
    assert f.severity.value == "error"


@pytest.mark.parametrize("text", GRANTS_NEAR)
def test_container_grants_near_misses(text: str) -> None:
    assert not container_device_grants.parse(source.normalise(text)).claims


_NO_DRIVER = ("RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed "
              "a driver from http://www.nvidia.com/Download/index.aspx\n")

NO_GPU_MACHINE_TYPES = [
    "I launched a t2.micro instance with the Deep Learning AMI and got\n" + _NO_DRIVER,
    "Instance type: m5.2xlarge (Ubuntu 22.04)\n" + _TORCH,
    "Using Azure Standard_D4s_v3 and I get\n" + _TORCH,
    "Running on a GCP e2-standard-8 VM:\n" + _NO_DRIVER,
    "EC2 g4ad.xlarge で実行すると\n" + _TORCH,
    "在 AWS c5.4xlarge 上运行报错\n" + _NO_DRIVER,
]

MACHINE_TYPE_NEAR = [
    "I moved from a t2.micro to a g4dn.xlarge and now it works.\n",
    "Is a t3.large enough to run this?\n",
    "The web frontend runs on Standard_B2s; training happens on the A100 box.\n",
    "Our p3.2xlarge and the m5.large bastion\n",
    "n1-standard-8 with a T4 attached\n",
]


def _cloud_claims(text: str):
    from envcheck.explain.parsers import cloud_instance
    return cloud_instance.parse(source.normalise(text)).claims


@pytest.mark.parametrize("text", NO_GPU_MACHINE_TYPES)
def test_machine_type_without_gpu(text: str) -> None:
    assert _cloud_claims(text)
    assert "no_nvidia_gpu_found" in _run(text)


@pytest.mark.parametrize("text", MACHINE_TYPE_NEAR)
def test_machine_type_near_misses(text: str) -> None:
    assert not _cloud_claims(text)


_NVC = ("I0522 15:58:24.939162 20853 nvc.c:191] loading kernel module nvidia\n"
        "I0522 15:58:24.940512 20853 nvc.c:203] loading kernel module nvidia_uvm\n"
        "E0522 15:58:24.941286 20853 nvc.c:205] could not load kernel module nvidia_uvm\n"
        "I0522 15:58:24.941325 20853 nvc.c:211] loading kernel module nvidia_modeset\n")


def test_toolkit_could_not_load_uvm() -> None:
    assert "nvidia_uvm_missing" in _run(_NVC)


def test_toolkit_could_load_nothing_is_not_uvm() -> None:
    text = _NVC.replace("I0522 15:58:24.939162 20853 nvc.c:191] loading kernel module nvidia\n",
                        "E0522 15:58:24.940468 20853 nvc.c:193] could not load kernel module nvidia\n")
    assert "nvidia_uvm_missing" not in _run(text)


UNKNOWN_AT_START = [
    "onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : CUDA failure 999: unknown error ; "
    "GPU=0 ; hostname=box ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=245 ; "
    "expr=cudaSetDevice(info_.device_id);\n",
    "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
    "NumCudaDevices() that might have already set an error? Error 999: unknown error\n",
    "  File \"pycuda/autoinit.py\", line 5, in <module>\n    cuda.init()\npycuda._driver.Error: cuInit failed: unknown error\n",
]

UNKNOWN_NEAR = [
    "[ONNXRuntimeError] : 1 : FAIL : CUDA failure 2: out of memory ; GPU=0 ; hostname=box ; expr=cudaMalloc(&p, size);\n",
    "RuntimeError: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions before calling "
    "NumCudaDevices() that might have already set an error? Error 804: forward compatibility was attempted on non "
    "supported HW\n",
    "pycuda._driver.Error: cuInit failed: no CUDA-capable device is detected\n",
]


@pytest.mark.parametrize("text", UNKNOWN_AT_START)
def test_unknown_error_at_start_in_other_programs(text: str) -> None:
    assert "nvidia_uvm_missing" in _run(text)


@pytest.mark.parametrize("text", UNKNOWN_NEAR)
def test_other_errors_at_start_are_not_uvm(text: str) -> None:
    found = _run(text)
    assert "nvidia_uvm_missing" not in found and "nvidia_uvm_stale_after_suspend" not in found


NOUVEAU_TOOLS = [
    "$ glxinfo | grep OpenGL\nOpenGL vendor string: nouveau\nOpenGL renderer string: NV166\n>>> torch.cuda.is_available()\nFalse\n",
    "$ vulkaninfo --summary\nGPU0:\n\tdeviceName         = NVIDIA GeForce RTX 3060 (NVK GA106)\n\tdriverID           = "
    "DRIVER_ID_MESA_NVK\n\tdriverName         = NVK\n",
    "  *-display\n       description: VGA compatible controller\n       product: GP107 [GeForce GTX 1050 Ti]\n"
    "       vendor: NVIDIA Corporation\n       bus info: pci@0000:01:00.0\n       configuration: driver=nouveau latency=0\n",
    "[    20.612] (II) LoadModule: \"nouveau\"\n[    20.613] (II) Loading /usr/lib/xorg/modules/drivers/nouveau_drv.so\n"
    "[    20.640] (II) NOUVEAU driver Date:   Mon Jan 29 2024\n",
    "  Driver Status: nouveau is active\n  Driver Activation Cmd: \"modprobe nouveau\"\n",
]

NOUVEAU_NEAR = [
    "OpenGL vendor string: NVIDIA Corporation\nOpenGL renderer string: NVIDIA GeForce RTX 3060/PCIe/SSE2\n",
    "OpenGL vendor string: Intel\nOpenGL renderer string: Mesa Intel(R) UHD Graphics 620 (KBL GT2)\n",
    "  *-display\n       product: GA106 [GeForce RTX 3060]\n       vendor: NVIDIA Corporation\n"
    "       configuration: driver=nvidia latency=0\n",
    "Should I blacklist nouveau before installing the driver?\n",
]


@pytest.mark.parametrize("text", NOUVEAU_TOOLS)
def test_nouveau_shown_by_graphics_tools(text: str) -> None:
    assert "nouveau_bound" in _run(text)


@pytest.mark.parametrize("text", NOUVEAU_NEAR)
def test_nouveau_tool_near_misses(text: str) -> None:
    from envcheck.explain.parsers import nouveau_signals
    assert not nouveau_signals.parse(source.normalise(text)).claims


def test_installer_says_secure_boot_refused_its_module() -> None:
    text = ("ERROR: The kernel module failed to load. Secure boot is enabled on this system, so this is likely because it "
            "was not signed by a key that is trusted by the kernel. Please try installing the driver again, and sign the "
            "kernel module when prompted to do so.\n")
    assert _run(text)["driver_not_loaded_secure_boot"].severity.value == "error"


def test_installer_secure_boot_line_with_a_working_driver_is_history() -> None:
    text = ("Last year the installer said: ERROR: The kernel module failed to load. Secure boot is enabled on this system, "
            "so this is likely because it was not signed by a key that is trusted by the kernel.\n" + _SMI
            + ">>> torch.cuda.is_available()\nTrue\n")
    assert "driver_not_loaded_secure_boot" not in _run(text)


DRIVER_NOT_INSTALLED = [
    "I have an RTX 3060 but I haven't installed the NVIDIA driver yet.\n" + _TORCH,
    "我的显卡是 RTX 4060，还没装驱动，nvidia-smi 提示找不到命令\n",
    "GPU: GeForce GTX 1660. ドライバーをまだインストールしていないです。\n",
    "Tengo una GeForce RTX 3070 y no he instalado el controlador de NVIDIA.\n",
    "Meine Grafikkarte ist eine GeForce RTX 4070, der Treiber ist noch nicht installiert.\n",
]

DRIVER_NOT_INSTALLED_NEAR = [
    "Do I need to install the NVIDIA driver inside the container? The driver is not installed in the image.\n",
    "If you haven't installed the driver, install it first.\n",
    "I have installed the NVIDIA driver 550 and nvidia-smi works.\n",
    "Have you installed the NVIDIA driver?\n",
    "On WSL the driver is not installed inside Linux, only on Windows.\n",
]


@pytest.mark.parametrize("text", DRIVER_NOT_INSTALLED)
def test_driver_said_not_installed(text: str) -> None:
    assert "gpu_present_driver_missing" in _run(text)


@pytest.mark.parametrize("text", DRIVER_NOT_INSTALLED_NEAR)
def test_driver_not_installed_near_misses(text: str) -> None:
    from envcheck.explain.parsers import driver_prose
    claims = driver_prose.parse(source.normalise(text)).claims
    assert not [c for c in claims if c.path == "driver.nvidia_smi_path"]


FAILED_AFTER_RESUME = [
    "After resuming from suspend, ollama only uses the CPU. nvidia-smi still shows the GPU.\n",
    "CUDA stops working every time my laptop wakes up from sleep; a reboot fixes it.\n",
    "休眠唤醒后 pytorch 检测不到 GPU，重启就好了\n",
    "スリープから復帰すると CUDA が使えない。\n",
    "After the PC comes back from hibernation, Stable Diffusion falls back to the CPU.\n",
]

RESUME_PROSE_NEAR = [
    "After resume from suspend the screen is black and flickers.\n",
    "Does CUDA stop working after suspend?\n",
    "I disabled suspend, so CUDA never fails after sleep.\n",
    "After resuming from suspend, training continues without errors.\n",
    "I put the machine to sleep overnight.\nRuntimeError: CUDA error: out of memory\n",
]


@pytest.mark.parametrize("text", FAILED_AFTER_RESUME)
def test_cuda_failing_after_resume_said(text: str) -> None:
    assert "nvidia_uvm_stale_after_suspend" in _run(text)


@pytest.mark.parametrize("text", RESUME_PROSE_NEAR)
def test_resume_prose_near_misses(text: str) -> None:
    assert "nvidia_uvm_stale_after_suspend" not in _run(text)
