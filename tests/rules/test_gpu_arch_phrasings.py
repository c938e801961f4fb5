"""The GPU-architecture classes read from the ways strangers paste them (branch r2e): the GPU
named by nvidia-smi -L, get_device_name(), deviceQuery, a marketing name or a sentence in
another language; the build by its version suffix, get_arch_list(), a conda build string or a
Docker base image; the failure in torch's, vLLM's or TensorFlow's words. Each broken text
stands beside working or unrelated texts with the same words. Texts written for the test,
modelled on what the tools print (torch/cuda/__init__.py's warnings, cudaGetErrorString,
TensorFlow's gpu_device.cc), none taken from the diagnosis corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

NK = ("RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
      "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below "
      "might be incorrect.\n")

NEWER = [
    "GPU: RTX 5090\ntorch 2.5.1+cu124\n" + NK,
    "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 5080 (UUID: GPU-5b1c2d3e-1111-2222-3333-444455556666)\n"
    "$ python train.py\n" + NK,
    ">>> import torch\n>>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce RTX 5070 Ti'\n>>> torch.cuda.get_arch_list()\n"
    "['sm_50', 'sm_60', 'sm_61', 'sm_70', 'sm_75', 'sm_80', 'sm_86', 'sm_90']\n>>> torch.ones(1).cuda()\n" + NK,
    ">>> torch.cuda.get_device_capability()\n(12, 0)\n>>> torch.__version__\n'2.4.1+cu121'\n" + NK,
    "我的显卡是RTX 5060，torch版本 2.4.1+cu121，运行时报错：\n" + NK,
    "5090 显卡用 torch 2.3.1+cu121 报 no kernel image is available for execution on the device",
    "RTX 5070 を使っています。torch 2.3.0+cu118 で次のエラーが出ます。\n" + NK,
    "RTX5090でPyTorch 2.5.1+cu124を使うと「CUDA error: no kernel image is available for execution on the device」になります",
    "RTX 5080 그래픽카드에서 torch 2.2.2+cu121 로 실행하면 에러가 납니다.\n" + NK,
    "Tengo una RTX 5070 Ti y PyTorch 2.5.1+cu124. Al entrenar sale:\n" + NK,
    "Ich habe eine RTX 5090 und PyTorch 2.6.0+cu124 installiert. Beim Start kommt:\n" + NK,
    "OS: Windows 11\nGPU: NVIDIA GeForce RTX 5070 Ti Laptop GPU\ntorch==2.2.2+cu118\n" + NK,
    "I'm on a Blackwell card (RTX PRO 6000) and pytorch 2.6.0+cu124 fails:\n" + NK,
    "8x B200, torch 2.5.1+cu121\n" + NK,
    "Device 0: \"NVIDIA GeForce RTX 5090\"\n  CUDA Driver Version / Runtime Version          12.8 / 12.8\n"
    "  CUDA Capability Major/Minor version number:    12.0\n\nPyTorch version: 2.4.0+cu121\n" + NK,
    "FROM pytorch/pytorch:2.1.0-cuda12.1-cudnn8-runtime\n...\nHost GPU: RTX 5090\n" + NK,
    "$ pip list | grep torch\ntorch                    2.4.1+cu124\n$ nvidia-smi\n"
    "| NVIDIA-SMI 575.51.03              Driver Version: 575.51.03      CUDA Version: 12.9     |\n"
    "|   0  NVIDIA GeForce RTX 5090        Off |   00000000:01:00.0  On |                  N/A |\n" + NK,
    "# packages in environment at /home/me/miniconda3/envs/sd:\n"
    "pytorch                   2.3.1           py3.11_cuda12.1_cudnn8.9.2_0    pytorch\nMy GPU is an RTX 5080.\n" + NK,
    "torch 2.5.1+cu124 on a GeForce RTX 5060 Ti, CUDA error: no kernel image is available for execution on the device",
    "GPU: GeForce RTX 5090 (sm_120). PyTorch 2.5.1 cu121.\nRuntimeError: CUDA error: invalid device function\n",
    "[rank0]: RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
    "vllm 0.6.3, torch 2.4.0+cu121, GPU NVIDIA RTX 5090\n",
    "Environment:\n- GPU: RTX 5070\n- torch: 2.6.0+cu126\n"
    "Error: torch.AcceleratorError: CUDA error: no kernel image is available for execution on the device\n",
    "torch.AcceleratorError: CUDA error: no kernel image is available for execution on the device\n"
    "Search for `cudaErrorNoKernelImageForDevice' in "
    "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html for more information.\n"
    "GPU: RTX 5060, torch 2.5.1+cu121",
    "PyTorch 2.5 doesn't support my RTX 5090 yet (sm_120), so every CUDA call fails.",
    "GPU: NVIDIA GeForce RTX 5090\nTorch: 2.6.0+cu124\nError: CUDA error: no kernel image is available for execution on "
    "the device",
    "UserWarning:\nNVIDIA GeForce RTX 5070 with CUDA capability sm_120 is not compatible with the current PyTorch "
    "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_61 sm_70 sm_75 sm_80 sm_86 "
    "sm_90.\n",
    "ptxas fatal   : Value 'sm_120' is not defined for option 'gpu-name'\n"
    "triton.runtime.errors.PTXASError: PTXAS error: Internal Triton PTX codegen error",
    "W tensorflow/core/common_runtime/gpu/gpu_device.cc:2345] TensorFlow was not built with CUDA kernel binaries "
    "compatible with compute capability 12.0. CUDA kernels will be jit-compiled from PTX, which could take 30 minutes "
    "or longer.\n" + NK.replace("RuntimeError: ", ""),
    "Jetson? no: desktop. GPU 0: NVIDIA GeForce RTX 5070 Ti\ntorch 2.0.1+cu118\n" + NK,
    "nvidia-smi shows NVIDIA RTX PRO 6000 Blackwell Workstation Edition; torch 2.4.0+cu124\n" + NK,
]


@pytest.mark.parametrize("text", NEWER)
def test_a_gpu_newer_than_the_build_in_other_words(text):
    assert "gpu_arch_unsupported_by_torch_build" in errors(text)


OLDER = [
    "GPU: Tesla K80\ntorch 2.1.0+cu121\n" + NK,
    "My card is a GTX 770 and torch is 1.13.1+cu117.\n" + NK,
    ">>> torch.cuda.get_device_name(0)\n'Tesla K40m'\n>>> torch.__version__\n'2.0.1+cu118'\n" + NK,
    "GPU: GeForce GTX 680 (compute capability 3.0)\ntorch 1.12.1+cu113\n" + NK,
    "My GPU (GTX 760) is too old for this PyTorch build.\n" + NK,
    "GPU: Quadro K4000, torch 2.0.0+cu117\nRuntimeError: CUDA error: no kernel image is available for execution on "
    "the device",
    # TensorFlow's own check (gpu_device.cc), in its 0.x and 1.x wordings
    "2018-03-05 13:43:54.533246: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1283] Ignoring visible gpu device "
    "(device: 0, name: Quadro K2000M, pci bus id: 0000:01:00.0, compute capability: 3.0) with Cuda compute capability "
    "3.0. The minimum required Cuda capability is 3.5.",
    "I tensorflow/core/common_runtime/gpu/gpu_device.cc:1406] Ignoring visible gpu device (device: 0, name: GeForce "
    "GTX 1070, pci bus id: 0000:01:00.0, compute capability: 6.1) with Cuda compute capability 6.1. The minimum "
    "required Cuda capability is 7.0.",
    "Ignoring gpu device (device: 0, name: GRID K520, pci bus id: 0000:00:03.0) with Cuda compute capability 3.0. "
    "The minimum required Cuda capability is 3.5.",
]


@pytest.mark.parametrize("text", OLDER)
def test_a_gpu_older_than_the_build_in_other_words(text):
    assert "gpu_arch_too_old_for_torch_build" in errors(text)


def test_tensorflows_skipped_gpu_is_confirmed_and_names_the_gpu():
    f = findings(OLDER[6])["gpu_arch_too_old_for_torch_build"]
    assert f.confidence.value == "confirmed"
    assert "K2000M" in f.explanation


EXTENSION = [
    # torch 1.10 cu113 has sm_86; the ops built from a Dockerfile's list do not
    "ENV TORCH_CUDA_ARCH_LIST=\"6.0 6.1 7.0+PTX\"\nGPU: NVIDIA GeForce RTX 3090\ntorch 1.10.0+cu113\n"
    "  File \"/opt/conda/lib/python3.8/site-packages/mmcv/ops/roi_align.py\", line 80, in forward\n" + NK,
    "export TORCH_CUDA_ARCH_LIST=\"7.5\"\npython setup.py install\n...\nGPU 0: NVIDIA A100-SXM4-80GB\n"
    "torch 2.1.0+cu121\n" + NK,
    "GPU: RTX 4090\ntorch 2.1.2+cu121\n  File \"/usr/local/lib/python3.10/dist-packages/pointnet2_ops/"
    "pointnet2_utils.py\", line 50, in forward\n    fps_inds = _ext.furthest_point_sampling(xyz, npoint)\n" + NK,
    # a GTX 960M (sm_50) is in torch 2.5.1+cu124's list: the kernel without an image is not torch's
    "显卡是GTX 960M，torch 2.5.1+cu124，报错 " + NK,
]


@pytest.mark.parametrize("text", EXTENSION)
def test_an_extension_without_the_gpus_arch_in_other_words(text):
    assert "extension_built_without_gpu_arch" in findings(text)


OTHER_TORCH = [
    "ImportError: /usr/local/lib/python3.10/dist-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: "
    "undefined symbol: _ZN3c104cuda9SetDeviceEi",
    "RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA versions. PyTorch has "
    "CUDA Version=11.8 and torchvision has CUDA Version=12.1. Please reinstall the torchvision that matches your "
    "PyTorch install.",
    "OSError: /home/u/.local/lib/python3.8/site-packages/torch_scatter/_version_cuda.so: undefined symbol: "
    "_ZN5torch3jit17parseSchemaOrNameERKSs",
    "ImportError: /root/detectron2/detectron2/_C.cpython-38-x86_64-linux-gnu.so: undefined symbol: "
    "_ZN2at5sliceERKNS_6TensorElll",
    "ImportError: /opt/conda/lib/python3.10/site-packages/mmcv/_ext.cpython-310-x86_64-linux-gnu.so: undefined "
    "symbol: _ZN2at4_ops10zeros_like4callERKNS_6TensorEN3c108optionalINS5_10ScalarTypeEEE",
]


@pytest.mark.parametrize("text", OTHER_TORCH)
def test_an_extension_built_for_another_torch_in_other_words(text):
    assert "extension_built_for_other_torch" in errors(text)


HEALTHY = [
    "GPU: RTX 5090\ntorch 2.7.0+cu128\ntraining runs fine, but the loss is NaN after 100 steps",
    ">>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce RTX 5070 Ti'\n>>> torch.cuda.get_arch_list()\n"
    "['sm_75', 'sm_80', 'sm_86', 'sm_90', 'sm_100', 'sm_120', 'compute_120']\n>>> torch.ones(1).cuda()\n"
    "tensor([1.], device='cuda:0')",
    "export TORCH_CUDA_ARCH_LIST=\"8.6\"\npython setup.py install\nGPU 0: NVIDIA GeForce RTX 4090\n"
    "torch 2.1.0+cu121\nbuild finished, tests pass",
    "Tesla K80 on torch 1.12.1+cu113, works, but slow. Question about DataLoader workers.",
    "2024-01-01 I tensorflow/core/common_runtime/gpu/gpu_device.cc:1886] Created device "
    "/job:localhost/replica:0/task:0/device:GPU:0 with 22463 MB memory:  -> device: 0, name: NVIDIA GeForce RTX 4090, "
    "pci bus id: 0000:01:00.0, compute capability: 8.9",
    "我的显卡是RTX 5060，torch版本 2.8.0+cu128，跑得很正常，只是想问显存占用问题",
    "The README says Blackwell GPUs need CUDA 12.8. My machine has an RTX 4090 with torch 2.4.1+cu121 and "
    "everything works.",
    "TORCH_CUDA_ARCH_LIST=\"7.0;7.5;8.0;8.6;8.9;9.0+PTX\" pip install -v .\nSuccessfully installed my_ext-0.1\n"
    "GPU: RTX 4090",
    "pip install torch torchvision --index-url https://download.pytorch.org/whl/cu128\n"
    "Successfully installed torch-2.7.1+cu128 torchvision-0.22.1+cu128\nRTX 5070 Ti works now; question about "
    "xformers speed.",
    "Device 0: NVIDIA GeForce RTX 5090, compute capability 12.0, VMM: yes\nllama_model_loader: loaded meta data\n"
    "llama output is gibberish with Q4_K_M",
    ">>> torch.cuda.get_device_capability()\n(12, 0)\n>>> torch.__version__\n'2.7.0+cu128'\n"
    ">>> torch.randn(2,2).cuda() @ torch.randn(2,2).cuda()\ntensor(...)",
    "Is 'undefined symbol' error something I should expect if I upgrade torch without rebuilding flash-attn? asking "
    "before I upgrade.",
    "Tried adding 8.9 to TORCH_CUDA_ARCH_LIST but it didn't help, still crashes with an illegal memory access.",
    "Should I set TORCH_CUDA_ARCH_LIST to 8.6 when building for an RTX 3090?",
    "GPU: Quadro K4000, torch 1.2.0 works fine for inference; question about batch sizes.",
    "My GPU (RTX 4090) is fast enough, the question is about fp8 support in this repo.",
    "ImportError: cannot import name 'xyz' from 'mmcv.ops' (this is a typo in my config)",
    # TensorFlow's line for a GPU it uses, and a GPU above the minimum
    "I tensorflow/core/common_runtime/gpu/gpu_device.cc:1120] Found device 0 with properties:\nname: GeForce GTX 1080 "
    "major: 6 minor: 1 memoryClockRate(GHz): 1.7335\nThe minimum required Cuda capability is 3.5 according to the docs; "
    "mine is 6.1, fine.",
]


@pytest.mark.parametrize("text", HEALTHY)
def test_working_machines_with_the_same_words_get_no_arch_error(text):
    got = errors(text)
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build",
                "extension_built_without_gpu_arch", "extension_built_for_other_torch"} & set(got), got


# ---------------------------------------------------------------------------- TORCH_CUDA_ARCH_LIST in the text
LIST_LACKS_GPU = [
    "ENV TORCH_CUDA_ARCH_LIST=\"6.0 6.1\"\nGPU: Tesla T4\n" + NK,
    "export TORCH_CUDA_ARCH_LIST=\"7.5\"\npip install -e .\nnvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-1)\n"
    + NK,
    "TORCH_CUDA_ARCH_LIST=7.5 python setup.py build_ext --inplace\nGPU: RTX 4090\n"
    "RuntimeError: CUDA error: invalid device function\n",
    "set TORCH_CUDA_ARCH_LIST=8.6\r\npython setup.py install\r\nGPU: NVIDIA GeForce RTX 5080\r\ntorch 2.7.0+cu128\r\n"
    + NK,
    "os.environ['TORCH_CUDA_ARCH_LIST'] = '6.1;7.0'\nDevice 0: NVIDIA A100-SXM4-80GB\ntorch 2.1.0+cu121\n" + NK,
]


@pytest.mark.parametrize("text", LIST_LACKS_GPU)
def test_an_arch_list_without_the_gpu_beside_a_missing_kernel_is_the_extension(text):
    f = findings(text)["extension_built_without_gpu_arch"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # 7.0+PTX JIT-compiles for a 7.5; sm_75 code runs on an 8.x only from PTX, but 7.5 runs 7.5
    "ENV TORCH_CUDA_ARCH_LIST=\"6.0 6.1 7.0+PTX\"\nGPU: Tesla T4\nall tests pass",
    "export TORCH_CUDA_ARCH_LIST=\"7.5\"\nGPU 0: NVIDIA GeForce RTX 3090\nbuild ok, question about speed",
    "TORCH_CUDA_ARCH_LIST=\"7.5\" python setup.py install\nGPU: RTX 4090\n"
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
    # an sm_80 cubin runs on an 8.6 (same major, not newer): the list covers the 3090
    "export TORCH_CUDA_ARCH_LIST=\"8.0\"\nGPU 0: NVIDIA GeForce RTX 3090\ntorch 2.1.0+cu121\nthe ops build and run",
])
def test_an_arch_list_that_covers_the_gpu_or_no_failure_is_no_extension_finding(text):
    assert "extension_built_without_gpu_arch" not in findings(text)


# ---------------------------------------------------------------------------- a listing's wheels for another torch
@pytest.mark.parametrize("text", [
    "Package         Version\n--------------- -----------\ntorch           2.1.0+cu121\ntorch-scatter   2.1.1+pt20cu118\n",
    "Package         Version\n--------------- -----------\ntorch           2.3.1\ntorch_sparse    0.6.18+pt21cu121\n",
    "Package     Version\n----------- ------------\ntorch       2.0.1+cu118\ntorchvision 0.17.0+cu118\n",
    "Successfully installed torch-2.2.0 torchvision-0.15.2\n",
    "[pip3] torch==1.13.1\n[pip3] torchvision==0.15.1\n[pip3] numpy==1.24.0\n",
])
def test_a_listed_wheel_built_for_another_torch(text):
    f = findings(text)["extension_built_for_other_torch"]
    assert f.confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "Package         Version\n--------------- -----------\ntorch           2.1.0+cu121\ntorch-scatter   2.1.2+pt21cu121\n",
    "Package     Version\n----------- ------------\ntorch       2.0.1+cu118\ntorchvision 0.15.2+cu118\n",
    "[pip3] torch==2.5.1\n[pip3] torchvision==0.20.1\n",
    "I have torch 2.1 and torchvision 0.15 -- is that ok?",  # a person's words, a question
    "pip install torch==2.1.0 torchvision==0.16.0\n",
    # a source or NGC build's companions are built against it, whatever their number
    "[pip3] torch==1.8.0a0+4a6c178\n[pip3] torchvision==0.8.2\n",
    "Package     Version\n----------- ---------------------\ntorch       2.4.0a0+07cecf4168\ntorchvision 0.19.0a0\n",
])
def test_wheels_that_pair_with_the_torch_are_no_finding(text):
    assert "extension_built_for_other_torch" not in findings(text)


# ---------------------------------------------------------------------------- a GPU named by its family or module
@pytest.mark.parametrize("text", [
    "I'm using an RTX 50 series GPU with torch 2.5.1+cu124.\n" + NK,
    "我的50系显卡，torch 2.4.0+cu121，报错 " + NK,
    "RTX 50 シリーズで torch 2.3.1+cu121 を使っています。\n" + NK,
    "RTX 50 시리즈 그래픽카드, torch 2.2.2+cu121\n" + NK,
    "I'm running TensorFlow with an RTX 5000 series GPU (compute capability 12.0).\ntorch 2.4.1+cu121\n" + NK,
    "DGX Spark, torch 2.5.1+cu124\n" + NK,
    # a Tegra GPU runs no cubin of another minor (torch's own check: sm_80/sm_86 "except {8.7}")
    "Jetson AGX Orin with torch 2.3.0+cu121\n" + NK,
])
def test_a_family_or_module_name_is_judged_like_the_card(text):
    assert "gpu_arch_unsupported_by_torch_build" in errors(text)


@pytest.mark.parametrize("text", [
    "RTX 50 series card, torch 2.7.0+cu128, training works fine; question about batch size.",
    "Quadro RTX 5000 series workstation, torch 2.1.0+cu118, all good.",
    "I have 50 series cards of RAM sticks",
    "我的50系显卡，torch 2.8.0+cu128，运行正常",
])
def test_family_names_of_working_machines_get_no_arch_error(text):
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(errors(text))


def test_a_family_under_a_build_that_covers_it_points_at_the_extension():
    f = findings("RTX 50 series card, torch 2.7.0+cu128:\n" + NK)
    assert "extension_built_without_gpu_arch" in f and "gpu_arch_too_old_for_torch_build" not in f


# ---------------------------------------------------------------------------- torch's warning retold
@pytest.mark.parametrize("text, fid", [
    ("CUDA error：RTX 50xx‘s sm_120 is not compatible with the current PyTorch installation",
     "gpu_arch_unsupported_by_torch_build"),
    ("在5070 ti显卡上运行时提示“sm_120 is not compatible with the current PyTorch installation.”",
     "gpu_arch_unsupported_by_torch_build"),
    ("UserWarning: CUDA capability sm_120 is not compatible with the current PyTorch installation.",
     "gpu_arch_unsupported_by_torch_build"),
    # without the build's list, which way is judged from the wheels: Pascal and Kepler were dropped
    ("GTX 1080: sm_61 is not compatible with the current PyTorch installation", "gpu_arch_too_old_for_torch_build"),
    ("sm_37 is not compatible with the current PyTorch installation (Tesla K80)", "gpu_arch_too_old_for_torch_build"),
])
def test_torchs_warning_retold_without_the_gpu_or_list(text, fid):
    got = errors(text)
    assert fid in got and len({"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(got)) == 1


@pytest.mark.parametrize("text", [
    "PyTorch 2.7 with cu128 fixed the 'sm_120 is not compatible' warning? asking before I upgrade",
    "sm_120 is compatible with the current PyTorch installation now (2.7.0+cu128).",
])
def test_the_warnings_words_in_a_question_or_denial_are_not_the_warning(text):
    assert "gpu_arch_unsupported_by_torch_build" not in errors(text)


# ---------------------------------------------------------------------------- older GPUs, more ways
OLDER_MORE = [
    'GPU: GeForce GTX 1080 Ti\ntorch 2.8.0+cu129\n' + NK,
    '我的显卡是 GTX 1060，torch 2.9.0+cu130，报错：\n' + NK,
    'GTX 1070 を使っています。torch 2.8.0+cu128 で\n' + NK,
    '그래픽카드: GTX 1660 SUPER? no - GTX 1050 Ti, torch 2.9.1+cu130\n' + NK,
    'Tengo una GTX 1080 y PyTorch 2.8.0+cu128.\n' + NK,
    'Meine Grafikkarte ist eine GTX 970, PyTorch 2.9.0+cu130.\n' + NK,
    ">>> torch.cuda.get_device_name(0)\n'NVIDIA GeForce GTX 1080'\n>>> torch.cuda.get_arch_list()\n['sm_75', 'sm_80', 'sm_86', 'sm_90', 'sm_100', 'sm_120', 'compute_120']\n>>> torch.zeros(1).cuda()\n" + NK,
    ">>> torch.cuda.get_device_capability()\n(6, 1)\n>>> torch.__version__\n'2.9.0+cu130'\n" + NK,
    '$ nvidia-smi -L\nGPU 0: Tesla P100-PCIE-16GB (UUID: GPU-aaaa)\n$ pip list | grep torch\ntorch 2.9.0+cu130\n' + NK,
    '|   0  Tesla P40                      Off |   00000000:03:00.0 Off |                  Off |\ntorch==2.9.1+cu130\n' + NK,
    'Device 0: "Quadro P4000"\n  CUDA Capability Major/Minor version number:    6.1\ntorch 2.8.0+cu128\n' + NK,
    'FROM pytorch/pytorch:2.9.0-cuda13.0-cudnn9-runtime\nHost GPU: GTX 1080 Ti\n' + NK,
    '/usr/lib/python3/dist-packages/torch/cuda/__init__.py:287: UserWarning:\nNVIDIA GeForce GTX 1080 Ti with CUDA capability sm_61 is not compatible with the current PyTorch installation.\nThe current PyTorch install supports CUDA capabilities sm_75 sm_80 sm_86 sm_90 sm_100 sm_120 compute_120.\n',
    'Found GPU0 NVIDIA GeForce GTX 1080 Ti which is of compute capability (CC) 6.1.\nThe following list shows the CCs this version of PyTorch was built for and the hardware CCs it supports:\n- 7.5 which supports hardware CC >=7.5,<8.0\n- 8.0 which supports hardware CC >=8.0,<9.0 except {8.7}\nYour installed torch==2.13.0+cu130 does not include kernels for this GPU.',
    "ptxas fatal   : Value 'sm_35' is not defined for option 'gpu-name'",
    'GPU: Tesla K40m, torch 1.13.1+cu117\n' + NK,
    'GeForce GTX 780 Ti (Kepler), PyTorch 2.0.1+cu118:\n' + NK,
    'I tensorflow/core/common_runtime/gpu/gpu_device.cc:1283] Ignoring visible gpu device (device: 0, name: GeForce GT 750M, pci bus id: 0000:01:00.0, compute capability: 3.0) with Cuda compute capability 3.0. The minimum required Cuda capability is 3.5.',
    'UserWarning:\n    Found GPU0 GeForce GT 730 which is of cuda capability 3.5.\n    PyTorch no longer supports this GPU because it is too old.\n    The minimum cuda capability supported by this library is 3.7.\n',
    'Laptop: GeForce 940MX, torch 2.5.1+cu124? no, torch 2.9.0+cu130\n' + NK,
    'RuntimeError: CUDA error: no kernel image is available for execution on the device\nGPU: NVIDIA Quadro M4000, torch 2.9.0+cu128',
    'Titan Xp, torch 2.9.1+cu128\n' + NK,
]


@pytest.mark.parametrize("text", OLDER_MORE)
def test_an_older_gpu_in_more_ways(text):
    assert "gpu_arch_too_old_for_torch_build" in errors(text)


@pytest.mark.parametrize("text", [
    'GPU: GeForce GTX 1080 Ti\ntorch 2.7.1+cu126\ntraining works; question about AMP speed',
    '我的显卡是 GTX 1060，torch 2.5.1+cu121，运行正常',
    'Tesla K80 on torch 1.12.1+cu113; works fine.',
    'GTX 970 still works with torch 2.6.0+cu124 for me.',
    '|   0  Tesla P40                      Off |   00000000:03:00.0 Off |                  Off |\ntorch==2.6.0+cu126\nthe model loads and runs',
])
def test_older_gpus_under_builds_that_still_have_them_get_no_arch_error(text):
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(errors(text))


# ---------------------------------------------------------------------------- extensions by name, more ways
ENV = 'GPU: NVIDIA GeForce RTX 4090\ntorch 2.1.2+cu121\n'
EXTENSION_MORE = [
    ENV + '  File "/usr/local/lib/python3.10/dist-packages/flash_attn/flash_attn_interface.py", line 51, in _flash_attn_forward\n' + NK,
    ENV + '  File "/opt/conda/lib/python3.10/site-packages/xformers/ops/fmha/cutlass.py", line 202, in apply\n' + NK,
    ENV + '  File "/root/detectron2/detectron2/layers/roi_align.py", line 20, in forward\n' + NK,
    ENV + '  File "/root/spconv/spconv/pytorch/conv.py", line 155, in forward\n' + NK,
    ENV + '  File "/workspace/DCNv2/dcn_v2.py", line 31, in forward\n' + NK,
    ENV + '  File "/opt/conda/lib/python3.10/site-packages/apex/normalization/fused_layer_norm.py", line 33, in forward\n' + NK,
    '显卡 RTX 3090，torch 1.10.0+cu113，编译 mmcv-full 后运行报错：\n' + NK,
    'RTX 3090 / torch 1.12.1+cu113 で自作の CUDA 拡張を使うと\n' + NK,
    'GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1)\ntorch==2.0.1+cu118\nbitsandbytes: Error no kernel image is available for execution on the device at line 1216 in file /src/csrc/ops.cu\n',
    'NVIDIA GeForce RTX 4080, torch 2.3.0+cu121\nCUDA Error: no kernel image is available for execution on the device (209) /usr/local/lib/python3.10/dist-packages/flashinfer/data/include/flashinfer/norm.cuh: line 113\n',
]


@pytest.mark.parametrize("text", EXTENSION_MORE)
def test_an_extensions_missing_kernel_under_a_torch_that_covers_the_gpu(text):
    assert "extension_built_without_gpu_arch" in findings(text)


OTHER_TORCH_MORE = [
    'ImportError: /usr/local/lib/python3.10/dist-packages/xformers/_C.so: undefined symbol: _ZN3c104impl3cow11cow_deleterEPv',
    'OSError: /opt/conda/lib/python3.8/site-packages/torch_sparse/_convert_cuda.so: undefined symbol: _ZNK3c107SymBool10guard_boolEPKcl',
    'ImportError: /home/u/apex/amp_C.cpython-39-x86_64-linux-gnu.so: undefined symbol: _ZN2at4_ops6narrow4callERKNS_6TensorElN3c106SymIntES6_',
    'ImportError: /root/miniconda3/lib/python3.10/site-packages/vllm/_C.abi3.so: undefined symbol: _ZN5torch3jit11parseSchemaERKSs',
    'from mmcv.ops import nms\nImportError: /usr/local/lib/python3.7/dist-packages/mmcv/_ext.cpython-37m-x86_64-linux-gnu.so: undefined symbol: _ZN2at5emptyEN3c108ArrayRefIlEERKNS0_13TensorOptionsENS0_8optionalINS0_12MemoryFormatEEE',
    'RuntimeError: Detected that PyTorch and torch_sparse were compiled with different CUDA versions. PyTorch has CUDA version 11.8 and torch_sparse has CUDA version 12.1. Please reinstall the torch_sparse that matches your PyTorch install.',
    'RuntimeError: operator torchvision::nms does not exist',
    "xFormers can't load C++/CUDA extensions. xFormers was built for:\n    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.2.0+cu121)\n    Python  3.10.13 (you have 3.10.13)",
]


@pytest.mark.parametrize("text", OTHER_TORCH_MORE)
def test_an_extension_for_another_torch_in_more_ways(text):
    # xFormers' banner alone is a warning (the app runs on without it): found, at any severity.
    assert "extension_built_for_other_torch" in (findings(text) if "xFormers can't load" in text else errors(text))


def test_xformers_banner_is_an_error_once_an_operator_was_missing():
    banner = OTHER_TORCH_MORE[-1]
    assert "extension_built_for_other_torch" not in errors(banner)
    assert "extension_built_for_other_torch" in errors(
        banner + "\nNotImplementedError: No operator found for `memory_efficient_attention_forward` with inputs:")


@pytest.mark.parametrize("text", [
    ENV + '  File "/usr/local/lib/python3.10/dist-packages/flash_attn/flash_attn_interface.py", line 51, in _flash_attn_forward\nRuntimeError: CUDA out of memory.',
    'undefined symbol errors went away after I rebuilt mmcv for torch 1.10; question about training speed?',
    "ImportError: cannot import name 'nms' from 'torchvision.ops' (typo in my code)",
])
def test_extension_words_without_the_failure_are_no_extension_error(text):
    assert not {"extension_built_without_gpu_arch", "extension_built_for_other_torch"} & set(errors(text))


@pytest.mark.parametrize("text", [
    "GTX 10 series card, torch 2.9.0+cu130\n" + NK,
    "我的10系显卡，torch 2.8.0+cu128，报错 " + NK,
    "GTX 1000 series laptop, torch 2.9.1+cu130\n" + NK,
])
def test_an_older_family_by_name_under_a_build_that_dropped_it(text):
    assert "gpu_arch_too_old_for_torch_build" in errors(text)


@pytest.mark.parametrize("text", [
    "GTX 10 series card, torch 2.6.0+cu124, runs fine",
    "RTX 20 series laptop with torch 2.9.0+cu130, everything works",
    "the 10 series of tests all passed on torch 2.9.0+cu130",
])
def test_older_families_under_builds_that_have_them_get_no_arch_error(text):
    assert not {"gpu_arch_unsupported_by_torch_build", "gpu_arch_too_old_for_torch_build"} & set(errors(text))
