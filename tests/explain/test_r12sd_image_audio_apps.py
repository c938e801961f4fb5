"""Round 12 (r12sd): setup diagnostics of the image / audio / vision apps built on torch.

* ComfyUI's startup banner (also Forge's and Fooocus' copies of its model management):
  ``pytorch version: X`` and ``Device: cuda:N NAME : allocator`` (parsers/comfy_startup.py).
* Catalogue entries (messages.toml, block ``r12sd``): YOLOv5's select_device, ONNX Runtime's
  provider fallback and its CUDA_PATH error, CTranslate2's compute-type refusals and silent
  float32 conversion, bitsandbytes' CPU library and its failed CUDA setup.

Each reader has broken pastes and near-misses with the same words: the banner of a working GPU,
a question quoting the message, ``Device: cpu`` asked for with ``--cpu``, the messages of the
same tools when the GPU is in use."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import comfy_startup, env_info_dict, launcher_torch_check, yolo_banner
from envcheck.knowledge import messages

from .helpers import gpu_fields, text, values


def _report(t: str):
    return diagnose(source.normalise(t), collected_at="")[1]


def _ids(t: str):
    return {f.id for f in _report(t).findings}


def _errors(t: str):
    return {f.id for f in _report(t).findings if f.severity.value == "error"}


def _matched(t: str):
    return {m.id for m in messages.match(t)}


# ------------------------------------------------------------------ ComfyUI startup banner
COMFY_OK = [
    # ComfyUI portable on Windows (0.3.x)
    "Total VRAM 24564 MB, total RAM 32694 MB\npytorch version: 2.7.0+cu128\nSet vram state to: NORMAL_VRAM\n"
    "Device: cuda:0 NVIDIA GeForce RTX 4090 : native\nUsing pytorch attention\n",
    # logging prefixes (ComfyUI >= 2024 logs through logging)
    "2024-09-22 16:26:39,791 - root - INFO - Total VRAM 12282 MB, total RAM 32556 MB\n"
    "2024-09-22 16:26:39,791 - root - INFO - pytorch version: 2.4.1+cu124\n"
    "2024-09-22 16:26:39,792 - root - INFO - Set vram state to: NORMAL_VRAM\n"
    "2024-09-22 16:26:39,792 - root - INFO - Device: cuda:0 NVIDIA GeForce RTX 3060 : cudaMallocAsync\n",
    # the sd-webui-comfyui extension prefixes every line
    "[ComfyUI] Total VRAM 20470 MB, total RAM 28652 MB\n[ComfyUI] pytorch version: 2.1.2+cu121\n"
    "[ComfyUI] Set vram state to: NORMAL_VRAM\n[ComfyUI] Device: cuda:0 NVIDIA RTX A4500 : native\n",
    # Forge prints the same banner (backend/memory_management.py)
    "Total VRAM 8188 MB, total RAM 16254 MB\npytorch version: 2.3.1+cu121\nSet vram state to: NORMAL_VRAM\n"
    "Device: cuda:0 NVIDIA GeForce RTX 3070 : native\nHint: your device supports --cuda-malloc for potential speed improvements.\n",
]


@pytest.mark.parametrize("t", COMFY_OK)
def test_a_working_comfyui_banner_is_read_and_is_healthy(t):
    found = values(comfy_startup.parse(text(t)))
    assert found["torch.cuda_available"] is True
    assert found["torch.version"].split("+")[1].startswith("cu")
    assert gpu_fields(comfy_startup.parse(text(t)))[0]["name"].startswith("NVIDIA")
    report = _report(t)
    assert report.verdict == "ok"
    assert not report.findings


def test_a_cpu_build_in_the_banner_beside_an_nvidia_gpu_is_the_cpu_only_build():
    t = ("$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-1d2e3f40-1111-2222-3333-444455556666)\n"
         "$ python main.py --cpu\nTotal VRAM 32556 MB, total RAM 32556 MB\npytorch version: 2.5.1+cpu\n"
         "Set vram state to: DISABLED\nDevice: cpu\n")
    # the CPU wheel's version is left to the stated-version readers, which already take it
    assert "torch.version" not in values(comfy_startup.parse(text(t)))
    assert "torch_cpu_only_build" in _errors(t)


COMFY_NEAR_MISSES = [
    # --cpu asked for: "Device: cpu" says nothing about torch's CUDA
    "Total VRAM 32556 MB, total RAM 32556 MB\nSet vram state to: DISABLED\nDevice: cpu\n",
    # a question quoting the banner mid-line
    "The README says I should see 'Device: cuda:0 NVIDIA GeForce RTX 3060 : cudaMallocAsync' but mine differs, why?\n",
    # collect_env's capitalised line is another report (collect_env.py reads it)
    "PyTorch version: 2.1.0+cu121\nIs debug build: False\n",
    # a VAE/offload line of ComfyUI is not the device banner
    "VAE load device: cuda:0, offload device: cpu, dtype: torch.bfloat16\n",
]


@pytest.mark.parametrize("t", COMFY_NEAR_MISSES)
def test_comfyui_banner_near_misses_claim_nothing(t):
    found = comfy_startup.parse(text(t))
    assert not found.claims and not found.gpus


def test_a_rocm_device_is_cuda_to_torch_and_keeps_its_name():
    t = "pytorch version: 2.6.0.dev20241122+rocm6.2\nDevice: cuda:0 Radeon RX 7900 XT : native\n"
    found = comfy_startup.parse(text(t))
    assert values(found)["torch.version"] == "2.6.0.dev20241122+rocm6.2"
    assert gpu_fields(found)[0]["name"] == "Radeon RX 7900 XT"


# ------------------------------------------------------------------ catalogue entries
BROKEN = [
    ("Namespace(device='0', weights=['yolov5s.pt'])\nFalse\nTraceback (most recent call last):\n"
     "  File \"detect.py\", line 16, in detect\n    device = torch_utils.select_device(opt.device)\n"
     "AssertionError: CUDA unavailable, invalid device 0 requested\n", "yolov5_invalid_cuda_device"),
    ("YOLOv5 🚀 v6.1-0 torch 1.11.0+cpu CPU\nAssertionError: Invalid CUDA '--device 0' requested, use '--device cpu' "
     "or pass valid CUDA device(s)\n", "yolov5_invalid_cuda_device"),
    ("EP Error D:\\a\\_work\\1\\s\\onnxruntime\\python\\onnxruntime_pybind_state.cc:743 onnxruntime::python::"
     "CreateExecutionProviderInstance CUDA_PATH is set but CUDA wasn't able to be loaded. Please install the correct "
     "version of CUDA and cuDNN as mentioned in the GPU requirements page (https://onnxruntime.ai/docs/execution-"
     "providers/CUDA-ExecutionProvider.html#requirements), make sure they're in the PATH, and that your GPU is supported.\n"
     " when using ['CUDAExecutionProvider']\nFalling back to ['CUDAExecutionProvider', 'CPUExecutionProvider'] and retrying.\n",
     "onnxruntime_cuda_path_not_loaded"),
    ("*************** EP Error ***************\nEP Error boom when using ['CUDAExecutionProvider']\n"
     "Falling back to ['CPUExecutionProvider'] and retrying.\n****************************************\n",
     "onnxruntime_ep_fallback_retry"),
    (">>> model = WhisperModel('large-v2', device='cuda', compute_type='float16')\nValueError: Requested float16 "
     "compute type, but the target device or backend do not support efficient float16 computation.\n",
     "ctranslate2_compute_type_unsupported"),
    ("[2024-12-23 02:09:21.464] [ctranslate2] [thread 32148] [warning] The compute type inferred from the saved "
     "model is float16, but the target device or backend do not support efficient float16 computation. The model "
     "weights have been automatically converted to use the float32 compute type instead.\n",
     "ctranslate2_inferred_compute_type_converted"),
    ("CUDA SETUP: Loading binary C:\\kohya_ss\\venv\\lib\\site-packages\\bitsandbytes\\libbitsandbytes_cpu.so...\n"
     "C:\\kohya_ss\\venv\\lib\\site-packages\\bitsandbytes\\cextension.py:34: UserWarning: The installed version of "
     "bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU quantization "
     "are unavailable.\n", "bnb_compiled_without_gpu_support"),
    ("RuntimeError:\n        CUDA Setup failed despite GPU being available. Inspect the CUDA SETUP outputs above "
     "to fix your environment!\n", "bnb_setup_failed_despite_gpu"),
]


# What each BROKEN row's report names: a finding, else the first cause ranked under "Not explained",
# else (a message linked to no finding) the message itself left unexplained.
NAMED = ["torch_cpu_only_build", "torch_cpu_only_build", "cuda_library_missing", "cuda_library_missing",
         "ctranslate2_compute_type_unsupported", "ctranslate2_inferred_compute_type_converted",
         "cuda_library_missing", "cuda_library_missing"]


def _named(t: str):
    r = _report(t)
    return ({f.id for f in r.findings} | {u.causes[0].finding for u in r.judgement.unexplained if u.causes}
            | {u.message for u in r.judgement.unexplained if not u.causes})


@pytest.mark.parametrize("t, mid, named", [(t, mid, n) for (t, mid), n in zip(BROKEN, NAMED, strict=True)])
def test_app_setup_messages_are_read_and_never_called_healthy(t, mid, named):
    assert mid in _matched(t)
    assert _report(t).verdict != "ok"
    assert named in _named(t)


def test_bitsandbytes_fallback_alone_decides_nothing_and_ranks_both_causes():
    t = ("C:\\kohya_ss\\venv\\lib\\site-packages\\bitsandbytes\\cextension.py:34: UserWarning: The installed version "
         "of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and GPU "
         "quantization are unavailable.\n")
    r = _report(t)
    assert not {"cuda_library_missing", "framework_cpu_only_build"} & {f.id for f in r.findings}
    ranked = {c.finding for u in r.judgement.unexplained for c in u.causes}
    assert {"cuda_library_missing", "framework_cpu_only_build"} <= ranked


MINE = {"yolov5_invalid_cuda_device", "onnxruntime_ep_fallback_retry", "onnxruntime_cuda_path_not_loaded",
        "ctranslate2_compute_type_unsupported", "ctranslate2_inferred_compute_type_converted",
        "bnb_compiled_without_gpu_support", "bnb_setup_failed_despite_gpu"}

HEALTHY = [
    # the same tools on a working GPU
    "YOLOv5 🚀 v7.0-72 Python-3.10.9 torch-1.13.1+cu117 CUDA:0 (NVIDIA GeForce RTX 3090, 24268MiB)\n"
    "python detect.py --device 0 --weights yolov5s.pt   # use '--device cpu' for CPU inference\n",
    "Applied providers: ['CUDAExecutionProvider', 'CPUExecutionProvider'], with options: {'CUDAExecutionProvider': {}}\n"
    "find model: /root/.insightface/models/buffalo_l/det_10g.onnx detection [1, 3, '?', '?'] 127.5 128.0\n",
    "bin /opt/conda/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cuda121.so\n"
    "CUDA SETUP: CUDA runtime path found: /opt/conda/lib/libcudart.so.12.1\n"
    "CUDA SETUP: Highest compute capability among GPUs detected: 8.6\n",
    "[ctranslate2] [thread 1] [info] Loaded model /models/faster-whisper-large-v3 on device cuda:0\n"
    "compute_type = float16, device = cuda: transcription speed 27.46 audio seconds/s\n",
    # questions and a fixed past state with the same words
    "Does faster-whisper support int8 compute type on a GTX 1050 Ti, or should I use float32?\n",
    "Earlier onnxruntime kept falling back to the CPU provider; after installing onnxruntime-gpu 1.17 "
    "the CUDAExecutionProvider loads and the session runs on the GPU.\n",
]


@pytest.mark.parametrize("t", HEALTHY)
def test_the_same_tools_on_a_working_gpu_match_none_of_the_new_entries(t):
    assert not (_matched(t) & MINE)
    assert not _errors(t)


# ------------------------------------------------------------------ web UI sysinfo (collect_env as a dict)
def _sysinfo(torch_version, compiled, available, driver, gpus, hip='"N/A"'):
    return ('{\n    "Platform": "Windows-10-10.0.22631-SP0",\n    "Python": "3.10.11",\n    "Version": "v1.9.3",\n'
            '    "Torch env info": {\n'
            f'        "torch_version": "{torch_version}",\n        "is_debug_build": "False",\n'
            f'        "cuda_compiled_version": {compiled},\n        "gcc_version": null,\n'
            f'        "is_cuda_available": "{available}",\n        "cuda_runtime_version": null,\n'
            f'        "nvidia_gpu_models": {gpus},\n        "nvidia_driver_version": {driver},\n'
            f'        "hip_compiled_version": {hip},\n        "cudnn_version": null,\n'
            '        "pip_packages": [\n            "numpy==1.26.2",\n            "torch==2.1.2"\n        ]\n    },\n'
            '    "Exceptions": []\n}\n')


SYSINFO_OK = _sysinfo("2.1.2+cu121", '"12.1"', "True", '"546.33"', '"GPU 0: NVIDIA GeForce RTX 4090"')
SYSINFO_CPU = _sysinfo("2.1.2+cpu", "null", "False", "null", "null")


def test_a_working_webui_sysinfo_is_read_and_is_healthy():
    got = values(env_info_dict.parse(text(SYSINFO_OK)))
    assert got["torch.version"] == "2.1.2+cu121" and got["torch.cuda_build"] == "12.1"
    assert got["torch.cuda_available"] is True and got["nvml.driver_version"] == "546.33"
    assert _report(SYSINFO_OK).verdict == "ok"


def test_a_cpu_build_in_the_webui_sysinfo_is_the_cpu_only_build():
    got = values(env_info_dict.parse(text(SYSINFO_CPU)))
    assert got["torch.cuda_build"] == "not_found" and got["torch.cuda_available"] is False
    assert "torch_cpu_only_build" in _errors(SYSINFO_CPU)


def test_several_gpus_are_a_list_and_a_python_repr_reads_alike():
    t = ("{'torch_version': '2.0.1+cu118', 'cuda_compiled_version': '11.8', 'is_cuda_available': 'True',\n"
         " 'nvidia_gpu_models': [\n   'GPU 0: NVIDIA GeForce RTX 3090',\n   'GPU 1: NVIDIA GeForce RTX 3090'],\n"
         " 'nvidia_driver_version': '535.104.05'}\n")
    found = env_info_dict.parse(text(t))
    assert sorted(g["index"] for g in gpu_fields(found)) == [0, 1]
    assert values(found)["nvml.driver_version"] == "535.104.05"


SYSINFO_NEAR_MISSES = [
    # a ROCm build has no CUDA version either: not a CPU-only build
    _sysinfo("2.1.2+rocm5.6", "null", "True", "null", '"AMD Radeon RX 7900 XTX"', hip='"5.6.31061-8c743ae5d"'),
    # one quoted key in a sentence is not a report
    'My "torch_version" is the latest one, what else do you need?\n',
]


def test_sysinfo_near_misses():
    rocm = values(env_info_dict.parse(text(SYSINFO_NEAR_MISSES[0])))
    assert "torch.cuda_build" not in rocm and rocm["torch.cuda_available"] is True
    assert "torch_cpu_only_build" not in _ids(SYSINFO_NEAR_MISSES[0])
    assert not env_info_dict.parse(text(SYSINFO_NEAR_MISSES[1])).claims


# ------------------------------------------------------------------ web UI launcher: Python version, torch install
_INCOMPATIBLE = ("=================================================================================\n"
                 "INCOMPATIBLE PYTHON VERSION\n\nThis program is tested with 3.10.6 Python, but you have 3.12.3.\n"
                 "If you encounter an error with \"RuntimeError: Couldn't install torch.\" message,\n"
                 "or any other error regarding unsuccessful package (library) installation,\n"
                 "please downgrade (or upgrade) to the latest version of 3.10 Python\n"
                 "and delete current Python and \"venv\" folder in WebUI's directory.\n")
_COULDNT = ("Installing torch and torchvision\nERROR: Could not find a version that satisfies the requirement "
            "torch==2.1.2 (from versions: 2.2.0, 2.2.1, 2.2.2, 2.3.0)\nERROR: No matching distribution found for torch==2.1.2\n"
            "Traceback (most recent call last):\n  File \"C:\\sd\\launch.py\", line 48, in <module>\n    main()\n"
            "RuntimeError: Couldn't install torch.\nCommand: \"C:\\sd\\venv\\Scripts\\python.exe\" -m pip install "
            "torch==2.1.2 torchvision==0.16.2 --extra-index-url https://download.pytorch.org/whl/cu121\nError code: 1\n")


def test_the_launchers_python_warning_alone_is_a_warning_not_a_failed_install():
    got = _matched(_INCOMPATIBLE)
    assert "sd_webui_incompatible_python_version" in got
    assert "sd_webui_couldnt_install_torch" not in got  # the warning quotes the error as an example
    assert _report(_INCOMPATIBLE).verdict != "ok"


def test_a_failed_torch_install_after_the_warning_is_read():
    got = _matched(_INCOMPATIBLE + _COULDNT)
    assert {"sd_webui_incompatible_python_version", "sd_webui_couldnt_install_torch"} <= got
    assert _report(_INCOMPATIBLE + _COULDNT).verdict != "ok"


def test_a_supported_python_and_a_working_install_match_neither():
    t = ("venv \"C:\\sd\\venv\\Scripts\\Python.exe\"\nPython 3.10.6 (tags/v3.10.6:9c7b4bd, Aug  1 2022, 21:53:49) "
         "[MSC v.1932 64 bit (AMD64)]\nVersion: v1.10.1\nCommit hash: 82a973c04367123ae98bd9abdf80d9eda9b910e2\n"
         "Launching Web UI with arguments: --xformers\nRunning on local URL:  http://127.0.0.1:7860\n")
    assert not (_matched(t) & {"sd_webui_incompatible_python_version", "sd_webui_couldnt_install_torch"})


# ------------------------------------------------------------------ YOLOv5 / YOLOR / YOLOv7 device banner
YOLO_GPU = [
    "YOLOv5 🚀 v7.0-187-g0004c74 Python-3.10.12 torch-2.0.1+cu118 CUDA:0 (Tesla T4, 15102MiB)\n",
    "YOLOR 🚀 v0.1-107-gfb79783 torch 1.11.0+cu113 CUDA:0 (NVIDIA GeForce RTX 3080 Ti, 12031.3125MB)\n",
    # Windows strips the emoji (select_device: s.encode().decode('ascii', 'ignore'))
    "YOLOv5  2023-6-6 Python-3.11.4 torch-2.0.1+cu117 CUDA:0 (NVIDIA GeForce RTX 3070, 8192MiB)\n",
]


@pytest.mark.parametrize("t", YOLO_GPU)
def test_a_yolov5_banner_on_a_gpu_is_read_and_is_healthy(t):
    found = yolo_banner.parse(text(t))
    assert values(found)["torch.cuda_available"] is True
    assert gpu_fields(found)[0]["index"] == 0
    assert _report(t).verdict == "ok"


def test_a_cpu_wheel_in_the_yolov5_banner_beside_an_nvidia_gpu_is_the_cpu_only_build():
    t = ("YOLOv5 🚀 2021-10-15 torch 1.9.1+cpu CPU\n\n$ nvidia-smi -L\n"
         "GPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-1d2e3f40-1111-2222-3333-444455556666)\n")
    assert "torch.version" not in values(yolo_banner.parse(text(t)))
    assert "torch_cpu_only_build" in _errors(t)
    assert "torch_cpu_only_build" in _errors("YOLOv5 🚀 2021-10-15 torch 1.9.1+cpu CPU\n")  # as before this reader


YOLO_NEAR_MISSES = [
    # --device cpu on a CUDA wheel: CPU asked for, nothing said about CUDA
    "YOLOv5 🚀 v7.0-0 Python-3.10.9 torch-1.13.1+cu117 CPU\n",
    # prose with the same words
    "I run YOLOv5 with torch 1.13 on my RTX 3060, is CUDA:0 the right device?\n",
    # Ultralytics 8's banner is framework_env's
    "Ultralytics YOLOv8.0.196 🚀 Python-3.11.5 torch-2.1.0+cu118 CUDA:0 (NVIDIA GeForce GTX 1650, 3904MiB)\n",
]


@pytest.mark.parametrize("t", YOLO_NEAR_MISSES)
def test_yolov5_banner_near_misses(t):
    got = values(yolo_banner.parse(text(t)))
    assert "torch.cuda_available" not in got
    assert not _errors(t)


# ------------------------------------------------------------------ cuDNN 9's sub-library loader (faster-whisper >= 1.1)
CUDNN9 = [
    "INFO:faster_whisper:Processing audio with duration 01:13.003\nUnable to load any of {libcudnn_ops.so.9.1.0, "
    "libcudnn_ops.so.9.1, libcudnn_ops.so.9, libcudnn_ops.so}\nInvalid handle. Cannot load symbol "
    "cudnnCreateTensorDescriptor\nAborted (core dumped)\n",
    "cuda指定でtest.pyを実行すると\nUnable to load any of {libcudnn_ops.so.9.1.0, libcudnn_ops.so.9.1, libcudnn_ops.so.9, "
    "libcudnn_ops.so}\nInvalid handle. Cannot load symbol cudnnCreateTensorDescriptor\n中止 (コアダンプ)\n",
]


@pytest.mark.parametrize("t", CUDNN9)
def test_cudnn9_cannot_load_its_sub_library_is_a_missing_library(t):
    assert "cudnn9_unable_to_load_sublibrary" in _matched(t)
    assert "cuda_library_missing" in _ids(t)


CUDNN9_NEAR_MISSES = [
    "$ ls venv/lib/python3.10/site-packages/nvidia/cudnn/lib\nlibcudnn.so.9  libcudnn_ops.so.9  libcudnn_cnn.so.9\n",
    "Unable to load any of the models listed in config.yaml, please check the paths\n",
]


@pytest.mark.parametrize("t", CUDNN9_NEAR_MISSES)
def test_cudnn9_near_misses(t):
    assert "cudnn9_unable_to_load_sublibrary" not in _matched(t)
    assert "cuda_library_missing" not in _ids(t)


# ------------------------------------------------------------------ SD.Next / kohya_ss torch check
LAUNCHER_OK = [
    "08:52:31-556783 INFO     Torch 2.1.2+cu121\n08:52:31-601255 INFO     Torch backend: nVidia CUDA 12.1 cuDNN 8801\n"
    "08:52:31-604259 INFO     Torch detected GPU: NVIDIA GeForce RTX 3090 VRAM 24576 Arch (8, 6) Cores 82\n",
    # kohya_ss 2024 (setup_common.log_cuda_info): "MB" and "8.9"
    "17:05:12-110350 INFO     Torch 2.1.2+cu118\n17:05:12-120351 INFO     Torch backend: nVidia CUDA 11.8 cuDNN 8700\n"
    "17:05:12-123350 INFO     Torch detected GPU: NVIDIA GeForce RTX 4090 VRAM 24564MB Arch 8.9 Cores 128\n",
]


@pytest.mark.parametrize("t", LAUNCHER_OK)
def test_a_working_launcher_torch_check_is_read_and_is_healthy(t):
    found = launcher_torch_check.parse(text(t))
    got = values(found)
    assert got["torch.cuda_available"] is True and got["torch.cuda_build"] in ("12.1", "11.8")
    assert gpu_fields(found)[0]["compute_capability"] in ("8.6", "8.9")
    assert "torch.cudnn_version" not in got  # platform-dependent for one wheel: not compared with a table
    assert _report(t).verdict == "ok"


def test_the_launcher_saying_cuda_is_not_available_on_a_cpu_wheel_is_the_cpu_only_build():
    t = ("08:52:31-556783 INFO     Torch 2.1.2+cpu\n08:52:31-601255 WARNING  Torch reports CUDA not available\n"
         "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-1d2e3f40-1111-2222-3333-444455556666)\n")
    assert values(launcher_torch_check.parse(text(t)))["torch.cuda_available"] is False
    assert "torch_cpu_only_build" in _errors(t)


LAUNCHER_NEAR_MISSES = [
    # DirectML (AMD on Windows): no CUDA, and the GPU line has no VRAM/Arch
    "INFO     Torch backend: DirectML (0.2.0.dev230426)\nINFO     Torch detected GPU: AMD Radeon RX 6800 XT\n",
    # ROCm: not an nVidia CUDA backend
    "INFO     Torch backend: AMD ROCm HIP 5.7.31921\n",
    # prose with the same words
    "I have Torch 2.1.2\nIs 'Torch reports CUDA not available' a problem if I only want the CPU?\n",
]


@pytest.mark.parametrize("t", LAUNCHER_NEAR_MISSES)
def test_launcher_torch_check_near_misses(t):
    got = values(launcher_torch_check.parse(text(t)))
    assert "torch.cuda_build" not in got and "torch.cuda_available" not in got
    assert not _errors(t)


# ------------------------------------------------------------------ bitsandbytes without a binary for the detected CUDA
@pytest.mark.parametrize("t", [
    "CUDA SETUP: Detected CUDA version 121\nCUDA SETUP: Required library version not found: libbitsandbytes_cuda121.so. "
    "Maybe you need to compile it from source?\nCUDA SETUP: Defaulting to libbitsandbytes_cpu.so...\n",
    "CUDA SETUP: Required library version not found: libsbitsandbytes_cpu.so. Maybe you need to compile it from source?\n"
    "CUDA SETUP: Defaulting to libbitsandbytes_cpu.so...\nargument of type 'WindowsPath' is not iterable\n",
])
def test_bitsandbytes_without_a_binary_is_read_and_never_called_healthy(t):
    # the asked-for CUDA binary missing is the wrong build; a missing CPU binary ranks its causes
    if "cuda121" in t:
        assert "bnb_cuda_binary_missing" in _matched(t)
        assert "extension_built_for_other_torch" in _ids(t)
    else:
        assert "bitsandbytes_required_library_not_found" in _matched(t)
        assert _report(t).verdict == "unexplained" and "cuda_library_missing" in _named(t)


def test_bitsandbytes_loading_its_cuda_binary_is_not_a_missing_one():
    t = ("CUDA SETUP: CUDA runtime path found: /usr/local/cuda/lib64/libcudart.so\n"
         "CUDA SETUP: Highest compute capability among GPUs detected: 8.6\nCUDA SETUP: Detected CUDA version 118\n"
         "CUDA SETUP: Loading binary /opt/conda/lib/python3.10/site-packages/bitsandbytes/libbitsandbytes_cuda118.so...\n")
    assert not {"bitsandbytes_required_library_not_found", "bnb_cuda_binary_missing"} & _matched(t)
    assert not _errors(t)
