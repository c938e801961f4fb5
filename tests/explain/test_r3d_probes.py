"""Stranger-shaped pastes for the hardware-counter and library-linking classes (ECC, Xid,
cuDNN/NCCL/LD_LIBRARY_PATH, extension archs): what nvidia-smi, its CSV/-q views, dcgm-exporter,
the kernel log, /proc/<pid>/maps, ldd and LD_DEBUG print, and people's prose in several
languages — each broken paste with the finding it must raise, each near-miss (zero counts,
questions, healthy listings) with no error finding for that class."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings as _run

_TABLE = """+-----------------------------------------------------------------------------+
| NVIDIA-SMI 525.125.06   Driver Version: 525.125.06   CUDA Version: 12.0     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|                               |                      |               MIG M. |
|===============================+======================+======================|
|   0  Tesla V100-SXM2...  On   | 00000000:00:1D.0 Off |                    0 |
| N/A   36C    P0    42W / 300W |      0MiB / 32768MiB |      0%      Default |
|                               |                      |                  N/A |
+-------------------------------+----------------------+----------------------+
|   1  Tesla V100-SXM2...  On   | 00000000:00:1E.0 Off |                    {n} |
| N/A   35C    P0    43W / 300W |      0MiB / 32768MiB |      0%      Default |
|                               |                      |                  N/A |
+-------------------------------+----------------------+----------------------+
"""

_Q_NEW = """==============NVSMI LOG==============

Driver Version                            : 535.161.08
CUDA Version                              : 12.2

Attached GPUs                             : 1
GPU 00000000:3B:00.0
    Product Name                          : NVIDIA A100-PCIE-40GB
    ECC Mode
        Current                           : Enabled
        Pending                           : Enabled
    ECC Errors
        Volatile
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : {n}
        Aggregate
            SRAM Correctable              : 0
            SRAM Uncorrectable            : 0
            DRAM Correctable              : 0
            DRAM Uncorrectable            : {n}
"""

_Q_OLD = """GPU 00000000:00:04.0
    Product Name                    : Tesla P100-PCIE-16GB
    Ecc Mode
        Current                     : Enabled
        Pending                     : Enabled
    ECC Errors
        Volatile
            Single Bit
                Device Memory       : 0
                Register File       : 0
                L1 Cache            : N/A
                L2 Cache            : 0
                Texture Memory      : 0
                Texture Shared      : 0
                CBU                 : N/A
                Total               : 0
            Double Bit
                Device Memory       : {n}
                Register File       : 0
                L1 Cache            : N/A
                L2 Cache            : 0
                Texture Memory      : 0
                Texture Shared      : 0
                CBU                 : N/A
                Total               : {n}
"""

_DCGM = ('DCGM_FI_DEV_{f}{{gpu="{g}",UUID="GPU-6f1c2a4e-0b7d-4c1e-9a55-3e2f1d0c9b8a",device="nvidia{g}",'
         'modelName="NVIDIA A100-SXM4-80GB",Hostname="gpu-node-07"}} {n}')

ECC = [
    _TABLE.format(n=" 2"),
    "nvidia-smi:\n" + _TABLE.format(n="12"),
    _Q_NEW.format(n=3),
    _Q_OLD.format(n=1),
    "$ nvidia-smi --query-gpu=index,name,ecc.errors.uncorrected.volatile.total --format=csv\n"
    "index, name, ecc.errors.uncorrected.volatile.total\n0, NVIDIA A100-SXM4-40GB, 0\n1, NVIDIA A100-SXM4-40GB, 7\n",
    "$ nvidia-smi --query-gpu=ecc.errors.uncorrected.aggregate.total --format=csv\n"
    "ecc.errors.uncorrected.aggregate.total\n4\n",
    "curl -s localhost:9400/metrics | grep ECC\n" + _DCGM.format(f="ECC_DBE_VOL_TOTAL", g=2, n=5),
    _DCGM.format(f="ECC_DBE_AGG_TOTAL", g=0, n=2) + "\n" + _DCGM.format(f="ECC_SBE_AGG_TOTAL", g=0, n=117),
    "Traceback (most recent call last):\n  File \"train.py\", line 88, in <module>\n    loss.backward()\n"
    "RuntimeError: CUDA error: uncorrectable ECC error encountered\n",
    "2026-03-02 11:02:13.449 E tensorflow/stream_executor/cuda/cuda_driver.cc:1010] failed to synchronize "
    "the stop event: CUDA_ERROR_ECC_UNCORRECTABLE: uncorrectable ECC error encountered",
    "我们一台 V100 服务器训练总出 NaN。nvidia-smi 表头 \"Volatile Uncorr. ECC\" 那一列第三张卡是 6，其他卡都是 0。",
    "On one node nvidia-smi shows Volatile Uncorr. ECC = 3 for GPU 5, the rest are clean.",
    "nvidia-smi の Volatile Uncorr. ECC が GPU1 だけ 2 になっています。学習が途中で落ちます。",
    "학습 중에 프로세스가 죽습니다. nvidia-smi에서 Volatile Uncorr. ECC 값이 4로 나옵니다.",
    "En nvidia-smi la columna Volatile Uncorr. ECC marca 1 en la GPU 3 y el entrenamiento se cae.",
    "Bei uns steht in nvidia-smi bei einer Karte Volatile Uncorr. ECC auf 9, seitdem stürzen Jobs ab.",
]

ECC_NEAR = [
    _TABLE.format(n=" 0"),
    _Q_NEW.format(n=0),
    _Q_OLD.format(n=0),
    "$ nvidia-smi --query-gpu=ecc.errors.uncorrected.volatile.total --format=csv\n"
    "ecc.errors.uncorrected.volatile.total\n0\n",
    _DCGM.format(f="ECC_DBE_VOL_TOTAL", g=1, n=0),
    "What does the Volatile Uncorr. ECC column in nvidia-smi mean? Mine says N/A on an RTX 4090.",
    "Volatile Uncorr. ECC is 0 on all 8 GPUs, so memory is fine; the slowdown is elsewhere.",
    "If Volatile Uncorr. ECC goes above 0 should we drain the node?",
    "Volatile Uncorr. ECC 都是 0，显存应该没问题。",
    "$ nvidia-smi --query-gpu=ecc.mode.current --format=csv\necc.mode.current\nEnabled\n",
    "nvidia-smi -q | grep -i ecc\n    ECC Mode\n        Current                           : Disabled",
    "Our runbook: check Volatile Uncorr. ECC; page the on-call when it is not 0.",
    "Se a coluna Volatile Uncorr. ECC mostrar N/A é porque a GeForce não tem ECC.",
    "ECC is enabled on the A100s (nvidia-smi -e 1) and the counters read zero.",
    "nvidia-smi --query-gpu=index,ecc.errors.uncorrected.volatile.total --format=csv,noheader\n0, 0\n1, 0\n",
]

_XID = "NVRM: Xid (PCI:0000:{bus}:00): {x}, pid={pid}, name=python3, {msg}"
XID = [
    "[ 5120.552731] " + _XID.format(bus="3b", x=79, pid=2214, msg="GPU has fallen off the bus."),
    "Dec 06 10:11:12 gpu01 kernel: " + _XID.format(bus="65", x=13, pid=1234, msg="Graphics SM Warp Exception on "
                                                   "(GPC 0, TPC 1, SM 0): Out Of Range Address"),
    "Jun  3 12:00:01 gpu02 kernel: [12345.678901] NVRM: Xid (PCI:0000:b1:00): 62, pid=2311, name=python, "
    "0000(0000) 00000000 00000000",
    "$ journalctl -k | grep -i xid\n" + _XID.format(bus="17", x=119, pid=9001,
                                                     msg="Timeout after 6s of waiting for RPC response from GPU1 GSP!"),
    "[Sat Dec  6 10:00:00 2026] NVRM: Xid (PCI:0000:3b:00): 45, pid=4412, name=torchrun, Ch 00000008",
    "[ 99.001] " + _XID.format(bus="ca", x=94, pid=77, msg="Contained: SM (0x1). RST: No, D-RST: No"),
    "[ 311.02] " + _XID.format(bus="4f", x=31, pid=5120, msg="Ch 00000010, intr 10000000. MMU Fault: ENGINE GRAPHICS "
                                                   "GPCCLIENT_T1_0 faulted @ 0x7f3a_1c000000. Fault is of type "
                                                   "FAULT_PDE ACCESS_TYPE_READ"),
    "[ 2210.4] " + _XID.format(bus="81", x=48, pid=31, msg="An uncorrectable double bit error (DBE) has been detected "
                                                 "on GPU in the framebuffer at physical address 0x3f2a01000."),
    "K8s, dcgm-exporter says:\n" + _DCGM.format(f="XID_ERRORS", g=3, n=13) + "\n"
    + _DCGM.format(f="XID_ERRORS", g=6, n=31),
    _DCGM.format(f="XID_ERRORS", g=0, n=79) + " 1733480000000",
    'DCGM_EXP_XID_ERRORS_COUNT{gpu="1",UUID="GPU-1",device="nvidia1",modelName="NVIDIA H100 80GB HBM3",'
    'Hostname="h100-3",window_size_in_ms="300000",xid="74"} 2',
    "kubectl describe node gpu-5\nEvents:\n  Type     Reason    Age  From            Message\n"
    "  Warning  XidError  3m   kernel-monitor  kernel: NVRM: Xid (PCI:0000:00:1e): 48, pid=991, name=python, "
    "An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer.",
    "nvidia-bug-report.log excerpt:\n" + _XID.format(bus="02", x=43, pid=3155, msg="Ch 00000020"),
    "sudo dmesg -T | grep NVRM\n[Mon Nov 10 03:12:44 2025] NVRM: Xid (PCI:0000:41:00): 92, pid='<unknown>', "
    "name=<unknown>, High single-bit ECC error rate",
    "docker logs trainer 2>&1 | tail\nRuntimeError: CUDA error: an illegal memory access was encountered\n"
    "host dmesg: " + _XID.format(bus="21", x=31, pid=6001, msg="Ch 00000018, intr 00000000. MMU Fault"),
]

XID_NEAR = [
    "$ sudo dmesg | grep -i xid\n$ echo $?\n1",
    _DCGM.format(f="XID_ERRORS", g=0, n=0) + "\n" + _DCGM.format(f="XID_ERRORS", g=1, n=0),
    "[    4.123] NVRM: loading NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024",
    "We grep for Xid in our health check; nothing has shown up in months.",
    "What do Xid 13 and Xid 31 mean? Asking before we buy used cards.",
    "$ nvidia-smi --query-gpu=index,temperature.gpu --format=csv\nindex, temperature.gpu\n0, 41\n1, 39",
    "DCGM_FI_DEV_GPU_TEMP{gpu=\"0\",UUID=\"GPU-1\",device=\"nvidia0\",modelName=\"NVIDIA A100\"} 41",
    'DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-1",device="nvidia0",modelName="NVIDIA A100"} 30211',
    "# HELP DCGM_FI_DEV_XID_ERRORS Value of the last XID error encountered.\n# TYPE DCGM_FI_DEV_XID_ERRORS gauge",
    "DCGM_FI_DEV_XID_ERRORS, gauge, Value of the last XID error encountered.",
    "dcgmi health -c\nHealth Monitor Report\n+---------------------------+\n| Overall Health: Healthy   |",
    "The node problem detector's NVIDIA plugin is configured for Xid 48, 63, 64, 74, 79.",
    "kubectl get events | grep -i xid\nNo resources found in default namespace.",
    "sudo journalctl -k -b | grep -c NVRM: Xid\n0",
    "Xid-Fehler? Nein, dmesg ist sauber, das Problem ist der DataLoader.",
]

# torch 2.3.1+cu121 pins nvidia-cudnn-cu12 8.9.2.26; 2.2.0+cu121 too (torch_variants).
_MAPS = "7f3a1c000000-7f3a1d600000 r-xp 00000000 103:02 4194321                  {p}"
CUDNN = [
    ">>> torch.__version__\n'2.3.1+cu121'\n>>> [l for l in open('/proc/self/maps') if 'cudnn' in l][:1]\n['"
    + _MAPS.format(p="/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.0") + "\\n']",
    "torch 2.3.1+cu121\n$ grep cudnn /proc/$(pgrep -f train.py)/maps | head -1\n"
    + _MAPS.format(p="/usr/local/cuda-12.1/lib64/libcudnn.so.8.6.0"),
    "torch==2.2.0+cu121\n$ cat /proc/4242/maps | grep libcudnn\n"
    + _MAPS.format(p="/opt/conda/lib/libcudnn.so.8.2.1"),
    "torch 2.3.1+cu121\n12:" + _MAPS.format(p="/usr/lib/x86_64-linux-gnu/libcudnn_cnn_infer.so.8.5.0"),
    ">>> import torch\n>>> torch.__version__\n'2.2.0+cu121'\n>>> torch.backends.cudnn.version()\n8201\n",
    "RuntimeError: cuDNN version incompatibility: PyTorch was compiled  against (8, 9, 2) but found runtime "
    "version (8, 2, 1). PyTorch already comes bundled with cuDNN. One option to resolving this error is to ensure "
    "PyTorch can find the bundled cuDNN. Looks like your LD_LIBRARY_PATH contains incompatible version of cudnn. "
    "Please either remove it from the path or install cudnn (8, 9, 2)",
]

CUDNN_NEAR = [
    "torch 2.3.1+cu121\n" + _MAPS.format(
        p="/home/u/.venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn.so.8"),
    "torch 2.3.1+cu121\n" + _MAPS.format(
        p="/home/u/.venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn_cnn_infer.so.8"),
    "cuDNN version: Probably one of the following:\n/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2\n",
    ">>> torch.__version__\n'2.3.1+cu121'\n>>> torch.backends.cudnn.version()\n8902\n",
    "torch 2.3.1+cu121\n\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f3a1c000000)",
    "torch 2.3.1+cu121\n" + _MAPS.format(p="/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.2"),
    "Should I install libcudnn8 from apt or rely on the pip wheel for torch 2.3.1+cu121?",
]

LD = [
    "Conda env with jax and torch:\n$ cat $CONDA_PREFIX/etc/conda/activate.d/env_vars.sh\n"
    "export LD_LIBRARY_PATH=$CONDA_PREFIX/lib:$LD_LIBRARY_PATH\ntorch is 2.2.0+cu121 from pip.\n"
    ">>> torch.backends.cudnn.version()\n8201\n",
    "export LD_LIBRARY_PATH=/opt/libs:$LD_LIBRARY_PATH\n>>> torch.__version__\n'2.3.1+cu121'\n"
    ">>> torch.backends.cudnn.version()\n8600\n",
]

LD_NEAR = [
    "export LD_LIBRARY_PATH=$CONDA_PREFIX/lib:$LD_LIBRARY_PATH\n>>> torch.__version__\n'2.3.1+cu121'\n"
    ">>> torch.backends.cudnn.version()\n8902\n",
    "export LD_LIBRARY_PATH=/opt/libs\n>>> torch.__version__\n'2.3.1+cpu'\n",
]




@pytest.mark.parametrize("text", ECC)
def test_ecc_errors_read(text: str) -> None:
    assert "ecc_errors" in _run(text)


@pytest.mark.parametrize("text", ECC_NEAR)
def test_ecc_near_misses_quiet(text: str) -> None:
    found = _run(text)
    assert "ecc_errors" not in found
    assert not [i for i, f in found.items() if f.severity.value == "error"]


def test_prose_count_is_likely() -> None:
    f = _run("nvidia-smi shows Volatile Uncorr. ECC = 3 for GPU 5.")["ecc_errors"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("text", XID)
def test_xid_read(text: str) -> None:
    assert "xid_errors_logged" in _run(text)


@pytest.mark.parametrize("text", XID_NEAR)
def test_xid_near_misses_quiet(text: str) -> None:
    found = _run(text)
    assert "xid_errors_logged" not in found
    assert not [i for i, f in found.items() if f.severity.value == "error"]


@pytest.mark.parametrize("text", CUDNN)
def test_cudnn_mismatch_read(text: str) -> None:
    assert "cudnn_version_mismatch" in _run(text)


@pytest.mark.parametrize("text", CUDNN_NEAR)
def test_cudnn_near_misses_quiet(text: str) -> None:
    assert "cudnn_version_mismatch" not in _run(text)


@pytest.mark.parametrize("text", LD)
def test_ld_library_path_shadowing_read(text: str) -> None:
    assert "ld_library_path_conflict" in _run(text)


@pytest.mark.parametrize("text", LD_NEAR)
def test_ld_library_path_near_misses_quiet(text: str) -> None:
    assert "ld_library_path_conflict" not in _run(text)


# --------------------------------------------------------------------------- more shapes
_NOKERNEL = "RuntimeError: CUDA error: no kernel image is available for execution on the device"
EXT = [
    "GPU: NVIDIA GeForce RTX 4090\n$ env | grep ARCH\nTORCH_CUDA_ARCH_LIST=7.0;7.5\n" + _NOKERNEL,
    "Dockerfile:\nENV TORCH_CUDA_ARCH_LIST=\"6.0 6.1 7.0 7.5\"\nRUN pip install -e .\n\n"
    "Running on an NVIDIA H100 80GB HBM3:\n" + _NOKERNEL,
    "TORCH_CUDA_ARCH_LIST=7.5 python setup.py install\n...\nGPU 0: NVIDIA GeForce RTX 3090\n"
    "error in ms_deformable_im2col_cuda: no kernel image is available for execution on the device",
    "export TORCH_CUDA_ARCH_LIST=\"8.6\"\n$ nvidia-smi -L\nGPU 0: Tesla V100-SXM2-32GB (UUID: GPU-1)\n" + _NOKERNEL,
    "TORCH_CUDA_ARCH_LIST: 7.5\nGPU: NVIDIA A100-SXM4-40GB\nCUDA error: invalid device function",
]

EXT_NEAR = [
    "Dockerfile:\nENV TORCH_CUDA_ARCH_LIST=\"6.0 6.1 7.0+PTX\"\nRUN pip install -e .\nGPU: NVIDIA H100 80GB HBM3\n"
    "build finished, tests pass.",
    "export TORCH_CUDA_ARCH_LIST=\"8.0;8.6;8.9\"\nGPU 0: NVIDIA GeForce RTX 4090\nEverything runs.",
    "export TORCH_CUDA_ARCH_LIST=\"8.6\"\nGPU 0: NVIDIA GeForce RTX 3090\n" + _NOKERNEL,
    # sm_80 cubins run on every 8.x GPU: an 8.0-only build covers an RTX 4090.
    "export TORCH_CUDA_ARCH_LIST=\"8.0\"\nGPU 0: NVIDIA GeForce RTX 4090\n" + _NOKERNEL,
    "What should TORCH_CUDA_ARCH_LIST be for an RTX 4090?",
]

NCCL = [
    ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n>>> torch.cuda.nccl.version()\n(2, 14, 3)\n",
    "ImportError: /usr/local/lib/python3.10/dist-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
    "ncclCommRegister",
    "我们用的 torch 2.3 cu121，报错以后才发现 NCCL 版本不一致，系统里装的 libnccl2 是 2.15。",
]

NCCL_NEAR = [
    ">>> import torch\n>>> torch.__version__\n'2.3.1+cu121'\n>>> torch.cuda.nccl.version()\n(2, 20, 5)\n",
    "Is NCCL 2.18 compatible with CUDA 12.1? Asking before upgrading.",
    "node1:1234:1234 [0] NCCL INFO NCCL version 2.20.5+cuda12.4\nnode1:1234:1240 [0] NCCL INFO Init COMPLETE",
]


@pytest.mark.parametrize("text", EXT)
def test_extension_arch_read(text: str) -> None:
    assert "extension_built_without_gpu_arch" in _run(text)


@pytest.mark.parametrize("text", EXT_NEAR)
def test_extension_arch_near_misses_quiet(text: str) -> None:
    assert "extension_built_without_gpu_arch" not in _run(text)


@pytest.mark.parametrize("text", NCCL)
def test_nccl_mismatch_read(text: str) -> None:
    assert "nccl_version_mismatch" in _run(text)


@pytest.mark.parametrize("text", NCCL_NEAR)
def test_nccl_near_misses_quiet(text: str) -> None:
    assert "nccl_version_mismatch" not in _run(text)


CUDNN += [
    "2026-01-04 10:22:31.118 E tensorflow/compiler/xla/stream_executor/cuda/cuda_dnn.cc:425] Loaded runtime CuDNN "
    "library: 8.1.0 but source was compiled with: 8.6.0.  CuDNN library needs to have matching major version and "
    "equal or higher minor version.",
    "torch 2.3.1+cu121\n$ LD_DEBUG=libs python train.py 2>&1 | grep cudnn\n     31337:\tcalling init: "
    "/usr/local/cudnn-7.6/lib64/libcudnn.so.7",
    "torch 2.2.0+cu121\n$ sudo cat /proc/$(pgrep -n python)/maps | grep -m1 cudnn_ops\n"
    + _MAPS.format(p="/usr/lib/x86_64-linux-gnu/libcudnn_ops_infer.so.8.4.1"),
    ">>> torch.__version__\n'2.3.1+cu121'\n>>> torch.backends.cudnn.version()\n8500\n",
]

LD += [
    "export LD_LIBRARY_PATH=/usr/local/cuda-11.8/lib64:$LD_LIBRARY_PATH\n>>> torch.__version__\n'2.3.1+cu121'\n",
    "LD_LIBRARY_PATH=/usr/local/cudnn-8.2/lib64:/usr/local/cuda/lib64\ntorch 2.3.1+cu121",
    "~/.bashrc has: export LD_LIBRARY_PATH=$HOME/miniconda3/envs/tf/lib\n"
    ">>> torch.__version__\n'2.2.0+cu121'\n>>> torch.backends.cudnn.version()\n8100\n",
]

LD_NEAR += [
    "export LD_LIBRARY_PATH=/usr/local/cuda-12.1/lib64:$LD_LIBRARY_PATH\n>>> torch.__version__\n'2.3.1+cu121'\n",
    "I removed /usr/local/cuda-11.8/lib64 from LD_LIBRARY_PATH but it didn't help.",
]

NCCL += [
    ">>> import torch\n>>> torch.__version__\n'2.3.1+cu121'\n>>> torch.cuda.nccl.version()\n(2, 18, 1)\n",
    "torch 2.1.0+cu121\nTraceback (most recent call last):\nOSError: /opt/conda/lib/python3.10/site-packages/torch/lib/"
    "libtorch_cuda.so: undefined symbol: ncclCommSplit",
    "The cause was incompatible cuda and nccl versions: the image ships libnccl2 2.15 and torch 2.3 needs 2.20.",
]

CUDNN_NEAR += [
    "torch 2.3.1+cu121\n     31337:\tcalling init: /home/u/.venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn.so.8",
    "torch 2.3.1+cu121\n     31337:\tcalling init: /usr/lib/x86_64-linux-gnu/libcudnn.so.8",
    "Loaded cuDNN version 8902",
]
