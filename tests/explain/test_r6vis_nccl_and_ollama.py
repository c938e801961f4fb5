"""Round 6 (r6vis): the NCCL a PyTorch run had, from NCCL's own init banner, beside the wheel
torch pins and the system's libnccl2 package; and CUDA_VISIBLE_DEVICES as ollama's
"server config" line states it.

Near-misses: a banner that agrees with the wheel, a banner in a TensorFlow/Horovod run (not
torch's NCCL), a system package equal to torch's NCCL, ollama's empty entry (unset and empty
look alike there), a value that names an existing GPU."""

from __future__ import annotations

import pytest

from envcheck.explain.parsers import nccl_runtime
from tests.rules.test_unseen_classes import findings as _ids

from .helpers import items, text, values

_PIP = "$ pip list | grep nccl\nnvidia-nccl-cu12          2.19.3\n"
_TORCH = ">>> import torch\n>>> torch.__version__\n'2.2.0+cu121'\n"

BANNER_BAD = [
    _PIP + _TORCH + "node1:1234:1234 [0] NCCL INFO NCCL version 2.15.5+cuda11.8\n",
    _TORCH + "gpu-a:55:55 [0] NCCL INFO NCCL version 2.18.1+cuda12.1\nnode1:55:70 [0] NCCL INFO Channel 00/02 :    0   1\n",
    "$ NCCL_DEBUG=INFO torchrun --nproc_per_node=8 train.py\n" + _TORCH
    + "[rank0]: h100-07:981:981 [0] NCCL INFO NCCL version 2.21.5+cuda12.4\n",
]
BANNER_OK = [
    _PIP + _TORCH + "node1:1234:1234 [0] NCCL INFO NCCL version 2.19.3+cuda12.3\nloss is nan after 100 steps\n",
    # another NCCL user in the run: the banner may be its NCCL, not torch's
    _TORCH + "import horovod.torch as hvd\nnode1:1:1 [0] NCCL INFO NCCL version 2.7.8+cuda11.0\n",
    "import tensorflow as tf\nimport torch\n>>> torch.__version__\n'2.2.0+cu121'\n"
    "w1:2:2 [0] NCCL INFO NCCL version 2.16.5+cuda11.8\n",
    # a question about the banner, no version printed by a program
    _TORCH + "Which NCCL version does torch 2.2 use?\n",
]


@pytest.mark.parametrize("t", BANNER_BAD)
def test_banner_unlike_the_pinned_wheel_is_a_mismatch(t):
    assert "nccl_version_mismatch" in _ids(t)


@pytest.mark.parametrize("t", BANNER_OK)
def test_banner_near_misses(t):
    assert "nccl_version_mismatch" not in _ids(t)


def test_banner_is_claimed_below_the_repl():
    found = nccl_runtime.parse(text(_TORCH + ">>> torch.cuda.nccl.version()\n(2, 19, 3)\n"
                                    "n:1:1 [0] NCCL INFO NCCL version 2.19.3+cuda12.3\n"))
    assert values(found)["torch.nccl_version"] == "2.19.3"


_DPKG = ("$ dpkg -l | grep nccl\n"
         "ii  libnccl-dev    2.18.5-1+cuda12.2   amd64   NVIDIA Collective Communication Library (NCCL) Development Files\n"
         "ii  libnccl2       2.18.5-1+cuda12.2   amd64   NVIDIA Collective Communication Library (NCCL) Runtime\n")
_RPM = "$ rpm -qa | grep nccl\nlibnccl-2.18.5-1+cuda12.2.x86_64\n"


@pytest.mark.parametrize("pkg", [_DPKG, _RPM])
def test_system_nccl_package_unlike_torchs(pkg):
    t = pkg + ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n>>> torch.cuda.nccl.version()\n(2, 14, 3)\n"
    f = _ids(t)
    assert "nccl_version_mismatch" in f and f["nccl_version_mismatch"].severity.value != "error"


@pytest.mark.parametrize("t", [
    # same version: nothing to say
    _DPKG + ">>> import torch\n>>> torch.cuda.nccl.version()\n(2, 18, 5)\n",
    # no version reported by torch: nobody can tell which NCCL ran
    _DPKG + ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n",
    # removed package ("rc"), not installed
    "rc  libnccl2  2.18.5-1+cuda12.2  amd64  NVIDIA Collective Communication Library (NCCL) Runtime\n"
    ">>> import torch\n>>> torch.cuda.nccl.version()\n(2, 14, 3)\n",
])
def test_system_nccl_near_misses(t):
    assert "nccl_version_mismatch" not in _ids(t)


_OLLAMA = ('Dec 16 13:48:06 box ollama[41154]: time=2025-12-16T13:48:06.347+01:00 level=INFO source=routes.go:1554 '
           'msg="server config" env="map[CUDA_VISIBLE_DEVICES:{v} GPU_DEVICE_ORDINAL: HIP_VISIBLE_DEVICES: '
           'OLLAMA_HOST:http://0.0.0.0:11434]"\n')
_ONE_GPU = "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-1c2d3e4f-aaaa-bbbb-cccc-111122223333)\n"


@pytest.mark.parametrize("v", ["1", "2", "GPU-9999ffff-aaaa-bbbb-cccc-000000000000"])
def test_ollama_value_naming_no_gpu(v):
    assert "cuda_visible_devices_hides_gpus" in _ids(_OLLAMA.format(v=v) + _ONE_GPU)


@pytest.mark.parametrize("t", [
    _OLLAMA.format(v="0") + _ONE_GPU,
    _OLLAMA.format(v="GPU-1c2d3e4f-aaaa-bbbb-cccc-111122223333") + _ONE_GPU,
    # the empty entry: Go's os.Getenv cannot tell unset from empty
    _OLLAMA.replace("CUDA_VISIBLE_DEVICES:{v} ", "CUDA_VISIBLE_DEVICES: ") + _ONE_GPU,
])
def test_ollama_near_misses(t):
    assert "cuda_visible_devices_hides_gpus" not in _ids(t)


def test_ollama_empty_entry_is_not_read():
    found = nccl_runtime.parse(text(_OLLAMA.replace("CUDA_VISIBLE_DEVICES:{v} ", "CUDA_VISIBLE_DEVICES: ")))
    assert items(found, "env.variables") == []


_UV_HEAD = "$ uv pip install -r requirements.txt\nResolved 48 packages in 1.2s\nInstalled 4 packages in 3.1s\n"


@pytest.mark.parametrize("rows", [
    " + nvidia-cublas-cu11==11.11.3.6\n + nvidia-cublas-cu12==12.4.5.8\n + torch==2.5.1\n",
    " + nvidia-cuda-runtime-cu11==11.8.89\n ~ nvidia-cuda-runtime-cu12==12.4.127\n",
])
def test_uv_summary_with_two_cuda_majors(rows):
    assert "conflicting_cuda_wheel_packages" in _ids(_UV_HEAD + rows)


@pytest.mark.parametrize("t", [
    # the cu11 wheel was removed by this run, not installed
    _UV_HEAD + " - nvidia-cublas-cu11==11.11.3.6\n + nvidia-cublas-cu12==12.4.5.8\n",
    _UV_HEAD + " + nvidia-cublas-cu12==12.4.5.8\n + nvidia-cudnn-cu12==9.1.0.70\n",
    # rows without uv's summary: a diff or a hand-written list, not read
    " + nvidia-cublas-cu11==11.11.3.6\n + nvidia-cublas-cu12==12.4.5.8\n",
])
def test_uv_summary_near_misses(t):
    assert "conflicting_cuda_wheel_packages" not in _ids(t)


_FAIL = "RuntimeError: No CUDA GPUs are available\n"


@pytest.mark.parametrize("setting", [
    '"configurations": [{\n  "name": "train",\n  "env": {"CUDA_VISIBLE_DEVICES": "1"}\n}]\n',
    '<configuration name="train" type="PythonConfigurationType">\n  <envs>\n'
    '    <env name="CUDA_VISIBLE_DEVICES" value="2" />\n  </envs>\n</configuration>\n',
    'os.environ.setdefault("CUDA_VISIBLE_DEVICES", "3")\n',
    "os.putenv('CUDA_VISIBLE_DEVICES', '1')\n",
    "os.environ.update({'CUDA_VISIBLE_DEVICES': '7'})\n",
    '"containerEnv": { "CUDA_VISIBLE_DEVICES": "" }\n',
])
def test_run_configuration_value_hiding_the_gpu(setting):
    assert "cuda_visible_devices_hides_gpus" in _ids(setting + _FAIL + _ONE_GPU)


@pytest.mark.parametrize("t", [
    # the value names the one GPU there is
    '"env": {"CUDA_VISIBLE_DEVICES": "0"}\n' + _FAIL + _ONE_GPU,
    '<env name="CUDA_VISIBLE_DEVICES" value="GPU-1c2d3e4f-aaaa-bbbb-cccc-111122223333" />\n' + _FAIL + _ONE_GPU,
    # a multi-GPU box running fine with index 3
    "environ({'CUDA_VISIBLE_DEVICES': '3', 'HOME': '/root'})\n4\n3\n"
    ">>> torch.cuda.is_available()\nTrue\n",
    # the name only, no value
    'Is "CUDA_VISIBLE_DEVICES" respected by the launcher?\n' + _ONE_GPU,
])
def test_run_configuration_near_misses(t):
    assert "cuda_visible_devices_hides_gpus" not in _ids(t)


@pytest.mark.parametrize("pkg", [
    "Setting up libnccl2 (2.18.5-1+cuda12.2) ...\n",
    "libnccl2 is already the newest version (2.18.5-1+cuda12.2).\n",
])
def test_apt_and_dpkg_install_lines_name_the_system_nccl(pkg):
    t = "$ sudo apt install libnccl2\n" + pkg + ">>> import torch\n>>> torch.cuda.nccl.version()\n(2, 14, 3)\n"
    assert "nccl_version_mismatch" in _ids(t)
    assert "nccl_version_mismatch" not in _ids(t.replace("(2, 14, 3)", "(2, 18, 5)"))
