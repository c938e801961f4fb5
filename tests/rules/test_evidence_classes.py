"""Classes of evidence that give a finding on their own (docs/diagnosis.md), each with
a working machine's paste that holds the same words in another context and must not get it.

The texts are written for the test, in upstream's wording (the catalogue cites where each
message is printed); none is taken from the diagnosis corpus.
"""

from __future__ import annotations

from typing import Dict

import pytest

from envcheck.explain import diagnose, source
from envcheck.rules.finding import Confidence, Finding

# A working machine: nvidia-smi's table, collect_env with CUDA available.
HEALTHY = """\
+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 570.133.20             Driver Version: 570.133.20     CUDA Version: 12.8     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |
|   0  NVIDIA GeForce RTX 4090        Off |   00000000:01:00.0 Off |                  Off |
|  0%   35C    P8             20W /  450W |       1MiB /  24564MiB |      0%      Default |
+-----------------------------------------+------------------------+----------------------+
PyTorch version: 2.7.1+cu128
Is debug build: False
CUDA used to build PyTorch: 12.8
OS: Ubuntu 24.04.2 LTS (x86_64)
Python version: 3.12.3
Is CUDA available: True
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 4090
Nvidia driver version: 570.133.20
"""


def findings(text: str) -> Dict[str, Finding]:
    _, report = diagnose(source.normalise(text), collected_at="")
    assert not report.failures, report.failures
    return {f.id: f for f in report.findings}


def verdict(text: str) -> str:
    return diagnose(source.normalise(text), collected_at="")[1].verdict


# ---------------------------------------------------------------------------- a message alone
@pytest.mark.parametrize("text, fid, confidence", [
    # glibc's strerror(ENOSPC), as Python, pip and gzip print it
    ("IOError: [Errno 28] No space left on device", "low_disk_space", Confidence.CONFIRMED),
    ("gzip: stdout: No space left on device", "low_disk_space", Confidence.CONFIRMED),
    # torch's shared-memory file: /dev/shm, not the disk
    ("RuntimeError: unable to write to file </torch_18692_1954506624>: No space left on device (28)",
     "shm_too_small", Confidence.CONFIRMED),
    ("OSError: [Errno 28] No space left on device: '/dev/shm/torch_1_2'", "shm_too_small", Confidence.CONFIRMED),
    ("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).",
     "shm_too_small", Confidence.LIKELY),
    ("RuntimeError: NCCL Error 2: unhandled system error", "shm_too_small", Confidence.LIKELY),
    ("RuntimeError: DataLoader worker (pid 123) is killed by signal: Bus error. It is possible that dataloader's "
     "workers are out of shared memory. Please try to raise your shared memory limit.", "shm_too_small", Confidence.LIKELY),
    # plain lspci -k (no ids): the open driver in use on an NVIDIA GPU
    ("01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)\n"
     "\tKernel driver in use: nouveau\n\tKernel modules: nouveau", "nouveau_bound", Confidence.CONFIRMED),
    ("[  12.5] NVRM: The NVIDIA probe routine was not called for 1 device(s).", "nouveau_bound", Confidence.LIKELY),
    ("Error! Could not locate dkms.conf file.\nFile: /var/lib/dkms/nvidia/535.54.03/source/dkms.conf does not exist.",
     "driver_kernel_module_not_loaded", Confidence.LIKELY),
    ("nv-fabricmanager[91]: fabric manager NVIDIA GPU driver interface version 550.127.05 don't match with driver "
     "version 550.120. Please update with matching NVIDIA driver package.", "fabric_manager_not_running",
     Confidence.CONFIRMED),
    ("Failed to initialize NVML: Driver / library version mismatch", "nvml_driver_library_mismatch",
     Confidence.CONFIRMED),
    # cudaErrorUnknown by number (30 before CUDA 10.1) behind torch's and Caffe's prefixes
    ("RuntimeError: cuda runtime error (30) : unknown error at /pytorch/aten/src/THC/THCGeneral.cpp:50",
     "nvidia_uvm_missing", Confidence.LIKELY),
    ("F0528 22:26:23.117558 13844 syncedmem.hpp:18] Check failed: error == cudaSuccess (30 vs. 0)  unknown error",
     "nvidia_uvm_missing", Confidence.LIKELY),
    ("RuntimeError: CUDA error: system not yet initialized", "fabric_manager_not_running", Confidence.LIKELY),
    # torch's refusal without a GPU named: the build lacks kernels for it, most often a newer GPU
    ("RuntimeError: CUDA error: no kernel image is available for execution on the device",
     "gpu_arch_unsupported_by_torch_build", Confidence.LIKELY),
    ("ERROR: Could not find a version that satisfies the requirement torch (from versions: none)\n"
     "ERROR: No matching distribution found for torch", "python_unsupported_by_torch", Confidence.LIKELY),
    ("ERROR: Ignored the following versions that require a different python version: 2.0.0 Requires-Python >=3.8; "
     "2.0.1 Requires-Python >=3.8\nERROR: Could not find a version that satisfies the requirement torch==2.0.1 "
     "(from versions: 1.13.0, 1.13.1)", "python_unsupported_by_torch", Confidence.CONFIRMED),
    ("ERROR: torch-2.1.0+cu121-cp311-cp311-linux_x86_64.whl is not a supported wheel on this platform.",
     "python_unsupported_by_torch", Confidence.LIKELY),
    # CUDA_VISIBLE_DEVICES set, the GPU count unknown, CUDA finds nothing (or not cuda:1)
    ("export CUDA_VISIBLE_DEVICES=2\nRuntimeError: No CUDA GPUs are available", "cuda_visible_devices_hides_gpus",
     Confidence.LIKELY),
    ("CUDA_VISIBLE_DEVICES=1 python train.py\nRuntimeError: CUDA error: invalid device ordinal",
     "cuda_visible_devices_hides_gpus", Confidence.LIKELY),
    # a Mac, or only another vendor's graphics, asked for CUDA
    ("I'm on macOS with an M1 Pro.\nAssertionError: Torch not compiled with CUDA enabled", "no_nvidia_gpu_found",
     Confidence.LIKELY),
    ("My laptop only has Intel(R) UHD Graphics 620.\nRuntimeError: Found no NVIDIA driver on your system. Please "
     "check that you have an NVIDIA GPU and installed a driver", "no_nvidia_gpu_found", Confidence.LIKELY),
])
def test_a_message_alone_gives_its_finding(text, fid, confidence):
    f = findings(text)
    assert fid in f, sorted(f)
    assert f[fid].confidence is confidence


def test_ENOSPC_in_shared_memory_is_not_a_full_disk():
    f = findings("RuntimeError: unable to write to file </torch_1_2>: No space left on device (28)")
    assert "low_disk_space" not in f


def test_no_kernel_image_with_a_build_that_covers_every_current_gpu_means_an_old_gpu():
    f = findings("torch 2.7.1+cu128\nRuntimeError: CUDA error: no kernel image is available for execution on the device")
    assert "gpu_arch_too_old_for_torch_build" in f and "gpu_arch_unsupported_by_torch_build" not in f


def test_system_not_ready_on_an_nvswitch_board_is_confirmed():
    text = ("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-1)\nGPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-2)\n"
            "RuntimeError: CUDA error: system not yet initialized")
    assert findings(text)["fabric_manager_not_running"].confidence is Confidence.CONFIRMED


def test_pip_finding_some_torch_versions_is_not_an_unsupported_python():
    f = findings("ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: 2.6.0, 2.7.0)")
    assert "python_unsupported_by_torch" not in f


def test_another_package_that_pip_cannot_find_is_not_about_torch():
    f = findings("ERROR: Could not find a version that satisfies the requirement flash-attn (from versions: none)")
    assert "python_unsupported_by_torch" not in f


# ---------------------------------------------------------------------------- the same words, healthy
@pytest.mark.parametrize("extra, fid", [
    # an old probe refusal in the kernel log, the driver up now (nvidia-smi lists the GPU)
    ("[  8.5] NVRM: The NVIDIA probe routine was not called for 1 device(s).", "nouveau_bound"),
    # a bus error hint, /dev/shm large
    ("ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).\n"
     "$ df -h /dev/shm\nFilesystem      Size  Used Avail Use% Mounted on\nshm              32G     0   32G   0% /dev/shm",
     None),
    # DKMS complaining about another vendor's module tree
    ("Error! Could not locate dkms.conf file.\nFile: /var/lib/dkms/amdgpu/6.8.5/source/dkms.conf does not exist.",
     "driver_kernel_module_not_loaded"),
    # a stale nvidia DKMS tree, the module loaded (nvidia-smi answers)
    ("Error! Could not locate dkms.conf file.\nFile: /var/lib/dkms/nvidia/390.48/source/dkms.conf does not exist.",
     "driver_kernel_module_not_loaded"),
    # sentences that name the same things without stating the problem
    ("Is nouveau loaded? I am not sure the nvidia_uvm module is loaded either?", "nouveau_bound"),
    ("I run it inside docker with `docker run --rm -it img python train.py`.", "container_missing_gpus_flag"),
    ("My workstation has an AMD Ryzen 9 CPU.", "no_nvidia_gpu_found"),
    ("I usually suspend the laptop overnight.", "nvidia_uvm_stale_after_suspend"),
    ("I had installed the CPU version before, now the CUDA one.", "torch_cpu_only_build"),
    # CUDA_VISIBLE_DEVICES=0 on a machine whose GPU works
    ("export CUDA_VISIBLE_DEVICES=0", "cuda_visible_devices_hides_gpus"),
    ("I also tried it on my MacBook Pro at home.", "no_nvidia_gpu_found"),
])
def test_a_working_machine_with_the_same_words_gets_no_error(extra, fid):
    f = findings(HEALTHY + extra + "\n")
    assert [x.id for x in f.values() if x.severity.value == "error"] == []
    if fid:
        assert fid not in f


def test_a_sentence_about_module_state_is_a_likely_finding():
    f = findings("CUDA programs fail because the nvidia_uvm module is not loaded; `modprobe nvidia_uvm` fixes it.")
    assert f["nvidia_uvm_missing"].confidence is Confidence.LIKELY
    f = findings("After the upgrade nvidia cannot be loaded because nouveau is always loaded.")
    assert f["nouveau_bound"].confidence is Confidence.LIKELY


def test_secure_boot_turned_on_later_with_the_driver_not_loaded():
    f = findings("I installed the driver with Secure Boot disabled, and later I enabled the Secure Boot. "
                 "Since then the driver is no longer loaded during boot.")
    assert f["driver_not_loaded_secure_boot"].confidence is Confidence.LIKELY


def test_another_vendors_gpu_named_alone_is_no_nvidia_gpu():
    f = findings('I have an AMD GPU and get "Torch not compiled with CUDA enabled"')
    assert "no_nvidia_gpu_found" in f and "torch_cpu_only_build" not in f
    assert verdict('I have an AMD GPU and get "Torch not compiled with CUDA enabled"') != "unexplained"


def test_a_container_run_without_gpus_where_cuda_then_fails():
    text = ("$ docker run -it --rm pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime python\n"
            ">>> import torch\n>>> torch.cuda.is_available()\nFalse\n")
    assert findings(text)["container_missing_gpus_flag"].confidence is Confidence.LIKELY
    with_gpus = text.replace("docker run -it", "docker run --gpus all -it")
    assert "container_missing_gpus_flag" not in findings(with_gpus)


def test_a_cpu_build_a_person_points_out_is_the_finding():
    f = findings("pip install torch on Windows installs the CPU version by default, so torch.cuda.is_available() "
                 "returns False")
    assert f["torch_cpu_only_build"].confidence is Confidence.LIKELY


def test_a_healthy_mac_reporting_something_else_is_not_an_error():
    text = ("PyTorch version: 2.5.1\nIs debug build: False\nCUDA used to build PyTorch: None\n"
            "OS: macOS 14.2 (arm64)\nPython version: 3.12.1\nIs CUDA available: False\n")
    assert [f.id for f in findings(text).values() if f.severity.value == "error"] == []
    assert "no_nvidia_gpu_found" not in findings(text)


def test_pip_refusing_a_wheel_for_this_very_python_is_the_platform_not_python():
    f = findings("Python 3.11.4\nERROR: torch-2.1.0+cu121-cp311-cp311-linux_x86_64.whl is not a supported wheel on "
                 "this platform.")
    assert "python_unsupported_by_torch" not in f


def test_nothing_recognised_is_too_little_to_judge():
    assert verdict("thanks for the great library!") == "insufficient"


# ---------------------------------------------------------------------------- one name, two chips
def test_a_bare_titan_x_is_judged_only_where_both_chips_agree():
    # Maxwell 5.2 and Pascal 6.1 are both gone from the cu128 builds of 2.8: too old, likely.
    f = findings("I have a TITAN X and torch 2.8.0+cu128.\n"
                 "RuntimeError: CUDA error: no kernel image is available for execution on the device")
    g = f["gpu_arch_too_old_for_torch_build"]
    assert g.confidence is Confidence.LIKELY and "5.2 or 6.1" in g.explanation
    # torch's own warning names the capability: that chip, confirmed.
    f = findings("I have a TITAN X.\nNVIDIA TITAN X with CUDA capability sm_61 is not compatible with the current "
                 "PyTorch installation.\nThe current PyTorch install supports CUDA capabilities sm_70 sm_75 sm_80.")
    assert f["gpu_arch_too_old_for_torch_build"].confidence is Confidence.CONFIRMED


@pytest.mark.parametrize("name, cc", [
    ("GeForce GT 720M", "2.1"), ("GeForce GT 755M", "3.0"), ("GeForce GTX 765M", "3.0"), ("GeForce GTX 775M", "3.0"),
    ("GeForce GTX 870M", "3.0"), ("GeForce GTX 880M", "3.0"), ("GeForce 820M", "2.1"), ("GeForce 825M", "3.5"),
    ("GeForce 845M", "5.0"), ("GeForce 910M", "3.5"), ("GeForce 920MX", "5.0"), ("GTX 1060M", "6.1"),
    ("RTX 2060M", "7.5"), ("TITAN X", "5.2"), ("GeForce GTX TITAN X", "5.2"), ("TITAN X (Pascal)", "6.1"),
])
def test_laptop_and_shared_names_have_a_capability(name, cc):
    from envcheck.knowledge import load

    model = load().gpu_model(name)
    assert model is not None and model.cc == cc
    assert (model.other_ccs != ()) == (name in ("GeForce GT 720M", "TITAN X"))


def test_out_of_memory_beside_another_process_is_memory_in_use_only_when_torch_knows_itself():
    other = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of "
             "23.65 GiB of which 17.06 MiB is free. Process 12345 has 20.11 GiB memory in use. Including non-PyTorch "
             "memory, this process has 3.50 GiB memory in use.")
    assert "gpu_memory_in_use" in findings(other)
    # In a container torch lists itself as "Process <pid>": no other process is shown.
    alone = ("OutOfMemoryError: CUDA out of memory. Tried to allocate 1.95 GiB. GPU 0 has a total capacity of 14.75 "
             "GiB of which 1.66 GiB is free. Process 414660 has 13.09 GiB memory in use. Of the allocated memory "
             "10.09 GiB is allocated by PyTorch")
    assert "gpu_memory_in_use" not in findings(alone)
    small = other.replace("20.11 GiB", "310.00 MiB")
    assert "gpu_memory_in_use" not in findings(small)


def test_pypi_torch_wheel_for_windows_is_the_cpu_build():
    log = ("pip install torch\nCollecting torch\n  Downloading torch-2.1.0-cp311-cp311-win_amd64.whl (192.3 MB)\n"
           "Successfully installed torch-2.1.0\n>>> torch.cuda.is_available()\nFalse\n")
    assert "torch_cpu_only_build" in findings(log)
    cuda = log.replace("torch-2.1.0-cp311", "torch-2.1.0+cu121-cp311").replace("False", "True")
    assert "torch_cpu_only_build" not in findings(cuda)
    linux = log.replace("win_amd64", "manylinux1_x86_64")  # PyPI's Linux torch is a CUDA build
    assert "torch_cpu_only_build" not in findings(linux)


def test_a_kernel_lookup_overrules_a_cpu_build_read_from_a_package():
    """No kernel image is printed by a CUDA build: a CPU-only wheel downloaded in the same
    paste is another moment's torch, not the one that failed."""
    log = ("Downloading torch-2.6.0-cp310-cp310-win_amd64.whl (204.2 MB)\n"
           "I want it to work on the 5090.\n"
           "RuntimeError: CUDA error: no kernel image is available for execution on the device\n")
    got = findings(log)
    assert "torch_cpu_only_build" not in got
    assert got["gpu_arch_unsupported_by_torch_build"].confidence is Confidence.LIKELY
    # torch's own word that it is a CPU build stands
    own = log + "AssertionError: Torch not compiled with CUDA enabled\n"
    assert "torch_cpu_only_build" in findings(own)


@pytest.mark.parametrize("said, expected", [
    ("The GPU is not usable due to Uncorrectable ECC Error.", True),
    ("we saw a double-bit ECC error on GPU 3 yesterday", True),
    ("There are no uncorrectable ECC errors.", False),
    ("Could it be an uncorrectable ECC error?", False),
    ("Uncorrectable ECC errors: 0", False),  # a count of none
])
def test_an_uncorrectable_ecc_error_retold_is_a_likely_finding(said, expected):
    got = findings(said + "\n")
    assert ("ecc_errors" in got) is expected
    if expected:
        assert got["ecc_errors"].confidence is Confidence.LIKELY
        assert "The text says" in got["ecc_errors"].explanation
    # nvidia-smi's lifetime counter of none outranks a person's word
    q = ("==============NVSMI LOG==============\nAttached GPUs : 1\nGPU 00000000:01:00.0\n"
         "    Product Name : Tesla V100-SXM2-16GB\n    ECC Errors\n        Aggregate\n"
         "            DRAM Correctable : 0\n            DRAM Uncorrectable : 0\n")
    assert "ecc_errors" not in findings(q + said + "\n")


def test_cuda_unavailable_with_a_value_that_hides_gpus():
    hides = 'CUDA_VISIBLE_DEVICES=-1 python -c "import torch; print(torch.cuda.is_available())"\nFalse\n'
    assert findings(hides)["cuda_visible_devices_hides_gpus"].confidence is Confidence.LIKELY
    first = hides.replace("=-1", "=0")  # the first GPU exists on any machine with one
    assert "cuda_visible_devices_hides_gpus" not in findings(first)
    cpu = hides + ">>> torch.__version__\n'2.3.0+cpu'\n"  # the CPU build is why
    assert "cuda_visible_devices_hides_gpus" not in findings(cpu)


@pytest.mark.parametrize("said", [
    "My machine has no NVIDIA GPU.", "I don't have a CUDA capable GPU", "我的电脑没有N卡",
])
def test_a_person_saying_there_is_no_nvidia_gpu(said):
    checked = said + "\n>>> torch.cuda.is_available()\nFalse\n"
    got = findings(checked)["no_nvidia_gpu_found"]
    assert got.confidence is Confidence.LIKELY and got.severity.value == "warning"
    assert "says the machine has no NVIDIA GPU" in got.explanation
    assert "no_nvidia_gpu_found" not in findings("Do you have no NVIDIA GPU?\n")  # a question


@pytest.mark.parametrize("text, cpu", [
    ("I installed with pip install torch torchvision on Windows 11.\n", True),
    ("PS C:\\Users\\me> pip install torch\n", True),
    ("PS C:\\Users\\me> pip install torch --index-url https://download.pytorch.org/whl/cu121\n", False),
    ("on WSL2 under windows: pip install torch\n", False),  # WSL runs Linux wheels
    ("pip install torch\n", False),  # PyPI's Linux torch is a CUDA build
])
def test_plain_pip_install_torch_on_windows_is_likely_the_cpu_build(text, cpu):
    got = findings(text + ">>> torch.cuda.is_available()\nFalse\nGPU: NVIDIA GeForce GTX 1660\n")
    assert ("torch_cpu_only_build" in got) is cpu
    if cpu:
        assert got["torch_cpu_only_build"].confidence is Confidence.LIKELY


@pytest.mark.parametrize("shown", [
    "torch                     2.1.0+cu121\n",  # the version installed names its CUDA
    "Is CUDA available: True\n",  # a CPU build never says so
])
def test_a_cuda_build_shown_overrules_a_plain_install_on_windows(shown):
    text = "PS C:\\Users\\me> pip install torch transformers\n" + shown + "GPU: RTX 4090\n"
    assert "torch_cpu_only_build" not in findings(text)


def test_a_refused_pip_install_on_windows_installed_no_cpu_build():
    text = ("PS C:\\proj> pip install torch\nERROR: Could not find a version that satisfies the requirement torch "
            "(from versions: none)\nERROR: No matching distribution found for torch\n")
    assert "torch_cpu_only_build" not in findings(text)


@pytest.mark.parametrize("text, fid", [
    ("torch.__version__ 是 2.1.0+cpu，显卡是 RTX 4060\n", "torch_cpu_only_build"),
    ("torch 버전은 2.0.1+cpu 이고 그래픽카드는 RTX 3070 입니다. torch.cuda.is_available() 이 False 입니다\n",
     "torch_cpu_only_build"),
    ("我的电脑是 AMD 显卡，报错 AssertionError: Torch not compiled with CUDA enabled\n", "no_nvidia_gpu_found"),
])
def test_facts_written_in_other_languages(text, fid):
    got = findings(text)
    assert fid in got and got[fid].confidence is Confidence.LIKELY


def test_old_out_of_memory_totals_show_memory_held_outside_torch():
    other = ("RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.69 GiB total capacity; "
             "1.50 GiB already allocated; 8.06 MiB free; 1.52 GiB reserved in total by PyTorch)\n")
    assert findings(other)["gpu_memory_in_use"].confidence is Confidence.LIKELY
    own = ("RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.69 GiB total capacity; "
           "20.50 GiB already allocated; 100.06 MiB free; 22.52 GiB reserved in total by PyTorch)\n")
    assert "gpu_memory_in_use" not in findings(own)  # torch itself holds it: the job is too big


@pytest.mark.parametrize("systemctl, expected", [
    ("$ systemctl status nvidia-fabricmanager\nUnit nvidia-fabricmanager.service could not be found.\n", True),
    ("● nvidia-fabricmanager.service - NVIDIA fabric manager service\n"
     "     Loaded: loaded (/lib/systemd/system/nvidia-fabricmanager.service; enabled)\n"
     "     Active: failed (Result: exit-code) since Mon 2024-01-01\n", True),
    ("● nvidia-fabricmanager.service - NVIDIA fabric manager service\n"
     "     Active: active (running) since Mon 2024-01-01\n", False),
])
def test_systemctl_on_fabric_manager_beside_cuda_failing_to_start(systemctl, expected):
    text = ("GPU 0: NVIDIA H100 80GB HBM3\nUserWarning: CUDA initialization: CUDA driver initialization failed, "
            "you might not have a CUDA gpu.\n" + systemctl)
    assert ("fabric_manager_not_running" in findings(text)) is expected
