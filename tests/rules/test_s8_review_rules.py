"""The review of session 8's rule narrowings (stop findings on working machines) found broken
machines of the same classes that lost their finding; each is back, the working ones stay quiet."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings


def _smi(name: str, drv: str, cuda: str, used: str = "5MiB", util: str = "0%", procs: str = "") -> str:
    return ("+---------------------------------------------------------------------------------------+\n"
            f"| NVIDIA-SMI {drv}             Driver Version: {drv}   CUDA Version: {cuda}     |\n"
            "|-----------------------------------------+----------------------+----------------------+\n"
            "| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |\n"
            "| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |\n"
            "|=========================================+======================+======================|\n"
            f"|   0  {name:<27s}Off | 00000000:01:00.0  On |                  N/A |\n"
            f"|  0%   48C    P2             118W / 350W | {used:>8s} / 24576MiB | {util:>6s}      Default |\n"
            "+-----------------------------------------+----------------------+----------------------+\n" + procs)


BUSY = _smi("NVIDIA GeForce RTX 3090", "535.171.04", "12.2", "22980MiB", "90%", (
    "+---------------------------------------------------------------------------------------+\n"
    "| Processes:                                                                            |\n"
    "|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |\n"
    "|=======================================================================================|\n"
    "|    0   N/A  N/A      48211      C   /home/jo/miniconda3/envs/nb/bin/python   22656MiB |\n"
    "+---------------------------------------------------------------------------------------+\n"))


@pytest.mark.parametrize("failure", [
    "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[64,512,512]",
    "I run out of GPU memory as soon as the second model loads.",
    "Error: llama runner process has terminated: cudaMalloc failed: out of memory",  # ollama's client (cobra)
])
def test_a_busy_table_beside_a_failure_for_memory_is_weighed(failure):
    assert "gpu_memory_in_use" in findings(BUSY + "\n" + failure)


def test_a_busy_table_beside_another_failure_is_a_working_moment():
    assert "gpu_memory_in_use" not in findings(BUSY + "\nValueError: tool parser pythonic failed to parse the output")


@pytest.mark.parametrize("text", [
    "Machine: 2x A100 80GB\n$ CUDA_VISIBLE_DEVICES=0,2 torchrun --nproc_per_node=2 train.py\n"
    "Duplicate GPU detected : rank 1 and rank 0 both on CUDA device 1000",
    "Hardware: 2x RTX 4090\nCUDA_VISIBLE_DEVICES=0,5 vllm serve meta-llama/Llama-3.1-8B --tensor-parallel-size 2\n"
    "ValueError: The number of required GPUs exceeds the total number of available GPUs in the placement group.",
    "We have 2x A100 80GB.\nCUDA_VISIBLE_DEVICES=0,2 torchrun --nproc_per_node=2 train.py\n"
    "The second process crashes and only one GPU is used.",
])
def test_a_mask_past_the_gpus_beside_a_gpu_count_failure_is_found(text):
    assert "cuda_visible_devices_hides_gpus" in findings(text)


CE = ("PyTorch version: 2.1.2+cu121\nIs debug build: False\nCUDA used to build PyTorch: 12.1\n"
      "OS: Ubuntu 22.04.4 LTS (x86_64)\nIs CUDA available: False\nNvidia driver version: 470.223.02\n")
E804 = ("UserWarning: CUDA initialization: Unexpected error from cudaGetDeviceCount(). Did you run some cuda functions "
        "before calling NumCudaDevices() that might have already set an error? Error 804: forward compatibility was "
        "attempted on non supported HW (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)\n")


@pytest.mark.parametrize("text", [
    _smi("NVIDIA GeForce RTX 3090", "470.223.02", "12.2") + CE,  # forward compatibility is no GeForce feature
    _smi("NVIDIA RTX A6000", "470.223.02", "12.2") + CE + E804,  # CUDA said the GPU does not support it
])
def test_no_forward_compatibility_where_it_cannot_run(text):
    assert "driver_too_old_for_torch_cuda" in errors(text)


def test_forward_compatibility_on_a_data_center_gpu_still_runs():
    text = _smi("NVIDIA A100-SXM4-80GB", "470.223.02", "12.2") + CE.replace("available: False", "available: True")
    assert "driver_too_old_for_torch_cuda" not in findings(text)


def test_nccl_watchdog_timeout_counts_as_nccl_failing():
    text = ("torch                     2.5.1+cu124\nnvidia-nccl-cu12          2.27.3\n"
            "[rank0]:[E ProcessGroupNCCL.cpp:616] [Rank 0] Watchdog caught collective operation timeout: "
            "WorkNCCL(SeqNum=1, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600021 milliseconds "
            "before timing out.")
    assert "nccl_version_mismatch" in findings(text)


def test_xformers_banner_beside_a_said_crash_is_an_error():
    text = ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
            "    PyTorch 2.3.0+cu121 with CUDA 1201 (you have 2.2.2+cu121)\n"
            "Training with --xformers crashes right away.")
    assert "extension_built_for_other_torch" in errors(text)


@pytest.mark.parametrize("line, failure", [
    ("Error: llama runner process has terminated: cudaMalloc failed: out of memory", True),
    ("ERROR: Could not find a version that satisfies the requirement torch==2.0.0+cu117", True),
    ("error: externally-managed-environment", True),
    ("Error: 0", False),
    ("Errors: none", False),
])
def test_a_tools_own_error_line_is_never_no_problems(line, failure):
    from envcheck.explain import diagnose, source

    _, report = diagnose(source.normalise(line), collected_at="")
    assert (report.verdict in ("unexplained", "error")) is failure, report.verdict
