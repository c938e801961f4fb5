"""Round-5 readers for the library / extension / host-resource classes (branch r5lib):
GPU memory a person says stays held after its process ended (held_memory_prose), and
catalogue messages in their older or wrapped wordings (torchvision's CUDA check wrapped over
lines, NCCL 2.4-2.11's /dev/shm failures, torch 1.1-1.11's integer cuDNN check, TensorFlow
1.x finding a GPU with its memory taken). Each broken text beside near-misses with the same
words: questions, advice, denials, a healthy machine. Texts written for the test, none taken
from the diagnosis corpus."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import held_memory_prose
from tests.rules.test_unseen_classes import WORKING, findings


def _held(text: str) -> bool:
    f = held_memory_prose.parse(source.normalise(text))
    return bool(f.gpus)


HELD = [
    "After the training script finishes, the GPU memory is still occupied, but nvidia-smi shows no process.",
    "I killed the python process with kill -9 and the VRAM was never released.",
    "A zombie process keeps holding GPU memory on card 0.",
    "Even after I stop the notebook kernel, 10GB of GPU memory stays allocated.",
    "The GPU memory is not freed when the job is killed; fuser -v /dev/nvidia* shows the workers.",
    "kill掉训练进程之后显存不会释放",
    "程序中断以后显存一直被占用，nvidia-smi 看不到任何进程",
    "进程已经结束了，但是显卡还占用着显存",
    "프로세스를 종료해도 GPU 메모리가 해제되지 않습니다.",
    "강제 종료한 뒤에도 VRAM이 계속 점유되어 있습니다.",
    "プロセスを終了してもGPUメモリが解放されない。",
    "Ctrl+C で止めたあと、VRAMが使用されたままです。",
    "La memoria de la GPU sigue ocupada después de matar el proceso.",
    "Der GPU-Speicher wird nach dem Beenden des Prozesses nicht freigegeben.",
    "La mémoire GPU n'est pas libérée après avoir tué le processus.",
]

NOT_HELD = [
    "How do I free GPU memory after killing a process?",
    "If the GPU memory is not released after the process ends, you should kill the zombie process.",
    "You need to kill the process that still occupies the GPU memory.",
    "The GPU memory is released as soon as the process exits.",
    "GPU memory usage is 3 GB while training runs.",
    "I have 24 GB of GPU memory and the training finishes fine.",
    "显存够用，训练结束后显存正常释放。",
    "如果进程结束后显存没有释放怎么办？",
    "훈련이 끝나면 GPU 메모리가 정상적으로 해제됩니다.",
    "終了するとGPUメモリは解放されます。",
    "|  0   N/A  N/A     12345      C   python    10240MiB |",
    "¿Cómo libero la memoria de la GPU si sigue ocupada después de matar el proceso?",
    "Wie kann ich GPU-Speicher freigeben, wenn er nach dem Beenden noch belegt ist?",
    "La mémoire GPU est libérée après avoir tué le processus.",
]


@pytest.mark.parametrize("text", HELD)
def test_memory_held_after_the_process_ended_is_read(text):
    assert _held(text)
    f = findings(text)
    assert "gpu_memory_in_use" in f and f["gpu_memory_in_use"].confidence.value == "likely"


@pytest.mark.parametrize("text", NOT_HELD)
def test_questions_advice_and_released_memory_are_not_read(text):
    assert not _held(text)


def test_a_healthy_report_that_mentions_killing_a_process_has_no_finding():
    text = WORKING + "I restarted the job after killing the old one; GPU memory usage is fine now.\n"
    assert "gpu_memory_in_use" not in findings(text)


@pytest.mark.parametrize("text", [
    "RuntimeError: Detected that PyTorch and torchvision were compiled with different\nCUDA versions. PyTorch has "
    "CUDA Version=11.7 and torchvision has CUDA \nVersion=11.8. Please reinstall the torchvision that matches your "
    "PyTorch \ninstall.",
    "RuntimeError: Detected that PyTorch and torchvision were compiled\nwith different CUDA major versions. PyTorch "
    "has CUDA Version=12.1 and torchvision has CUDA Version=11.8.",
])
def test_torchvisions_cuda_check_wrapped_over_lines(text):
    assert "extension_built_for_other_torch" in findings(text)


def test_torchvision_on_a_working_machine_says_nothing_of_other_torch():
    text = WORKING + "torchvision 0.16.0+cu121\nPyTorch and torchvision were compiled with the same CUDA.\n"
    assert "extension_built_for_other_torch" not in findings(text)


@pytest.mark.parametrize("text", [
    "gpu2-ru7:2143:2561 [1] include/shm.h:28 NCCL WARN Call to posix_fallocate failed : No space left on device\n"
    "gpu2-ru7:2143:2561 [1] NCCL INFO include/shm.h:41 -> 2",
    "[3] include/shm.h:48 NCCL WARN Error while creating shared memory segment nccl-shm-recv-1462445a6f01cbfc-1-2-3 "
    "(size 9637888)",
])
def test_nccl_24_to_211_shm_failures_are_a_small_dev_shm(text):
    assert "shm_too_small" in findings(text)


def test_nccl_using_shared_memory_on_a_working_machine_is_no_shm_problem():
    text = WORKING + ("gpu2:2144:2556 [2] NCCL INFO Ring 00 : 2[3d000] -> 3[3e000] via direct shared memory\n"
                      "gpu2:2142:2554 [0] NCCL INFO comm 0x7f rank 0 nranks 4 cudaDev 0 busId 1a000 - Init COMPLETE\n")
    assert "shm_too_small" not in findings(text)


def test_torch_11_cudnn_check_with_integer_versions():
    f = findings("RuntimeError: cuDNN version incompatibility: PyTorch was compiled against 7401 but linked against "
                 "7301")
    assert "cudnn_version_mismatch" in f


@pytest.mark.parametrize("text", [
    "I tensorflow/core/common_runtime/gpu/gpu_device.cc:1405] Found device 0 with properties:\nname: GeForce GTX 1080 "
    "Ti major: 6 minor: 1 memoryClockRate(GHz): 1.582\npciBusID: 0000:02:00.0\ntotalMemory: 10.92GiB freeMemory: "
    "206.44MiB",
    "totalMemory: 7.92GiB freeMemory: 98.81MiB\nE tensorflow/stream_executor/cuda/cuda_driver.cc:936] failed to "
    "allocate 7.60G (8163524608 bytes) from device: CUDA_ERROR_OUT_OF_MEMORY",
])
def test_tensorflow_finding_the_gpu_nearly_full_at_start(text):
    assert "gpu_memory_in_use" in findings(text)


@pytest.mark.parametrize("text", [
    "totalMemory: 10.92GiB freeMemory: 10.76GiB",
    "totalMemory: 1.95GiB freeMemory: 512.31MiB",
])
def test_tensorflow_finding_the_gpu_free_or_a_small_card_is_no_finding(text):
    assert "gpu_memory_in_use" not in findings(text)


@pytest.mark.parametrize("text", [
    "torch                2.0.1+cu117\ntorchvision          0.15.2+cu118\n",
    "PyTorch version: 2.1.0+cu121\nIs CUDA available: True\n[pip3] torch==2.1.0+cu121\n[pip3] torchvision==0.16.0+cu118\n",
    "Package     Version\n----------- ------------\ntorch       2.5.1+cu124\ntorchvision 0.20.1+cu118\n",
])
def test_a_listing_with_torch_and_torchvision_for_different_cuda(text):
    assert "extension_built_for_other_torch" in findings(text)


@pytest.mark.parametrize("text", [
    "torch                2.1.0+cu121\ntorchvision          0.16.0+cu121\n",
    "torch 2.1.0+cu121\ntorchvision 0.16.0\n",  # an untagged PyPI wheel says nothing of its CUDA
    "torch                2.4.0+cu124\ntorchvision          0.19.0+cu121\n",  # same major: 0.16+ accepts it
    "I installed torch 2.0.1+cu117; should torchvision be 0.15.2+cu118 or +cu117?",  # a question, no listing
])
def test_matching_or_untold_cuda_builds_of_torch_and_torchvision(text):
    assert "extension_built_for_other_torch" not in findings(text)


@pytest.mark.parametrize("text", [
    "  File \"/usr/local/lib/python3.10/dist-packages/flash_attn/flash_attn_interface.py\", line 10, in <module>\n"
    "    import flash_attn_2_cuda as flash_attn_cuda\n"
    "ImportError: libtorch_cuda_cu.so: cannot open shared object file: No such file or directory",
    "OSError: libtorch_cuda_cpp.so: cannot open shared object file: No such file or directory",
])
def test_a_binary_asking_for_torch_1x_split_cuda_libraries(text):
    assert "extension_built_for_other_torch" in findings(text)


def test_ldd_listing_the_split_libraries_on_a_working_torch_1x_is_nothing():
    text = WORKING + ("\tlibtorch_cuda_cu.so => /opt/conda/lib/python3.8/site-packages/torch/lib/libtorch_cuda_cu.so "
                      "(0x00007f)\n\tlibtorch_cuda_cpp.so => /opt/conda/lib/python3.8/site-packages/torch/lib/"
                      "libtorch_cuda_cpp.so (0x00007f)\n")
    assert "extension_built_for_other_torch" not in findings(text)


@pytest.mark.parametrize("text", [
    "ggml_cuda_compute_forward: ADD failed\nCUDA error: no kernel image is available for execution on the device\n"
    "  current device: 0, in function ggml_cuda_compute_forward at /app/ggml/src/ggml-cuda/ggml-cuda.cu:2300\n  err",
    "CUDA error 209 at /go/src/github.com/jmorganca/ollama/llm/llama.cpp/ggml-cuda.cu:7196: no kernel image is "
    "available for execution on the device",
    "CUDA error: invalid device function\n  current device: 0, in function ggml_cuda_compute_forward at "
    "ggml/src/ggml-cuda/ggml-cuda.cu:2374",
])
def test_llama_cpps_own_kernels_without_the_gpus_arch(text):
    assert "extension_built_without_gpu_arch" in findings(text)


@pytest.mark.parametrize("text", [
    "ggml_cuda_init: found 1 CUDA devices:\n  Device 0: NVIDIA GeForce RTX 3090, compute capability 8.6, VMM: yes\n"
    "llm_load_tensors: offloaded 33/33 layers to GPU",
    "CUDA error: an illegal memory access was encountered\n  current device: 0, in function ggml_cuda_compute_forward "
    "at ggml/src/ggml-cuda/ggml-cuda.cu:2374",
])
def test_a_working_or_otherwise_failing_llama_cpp_is_no_arch_problem(text):
    assert "extension_built_without_gpu_arch" not in findings(text)


@pytest.mark.parametrize("text", [
    "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. "
    "This behaviour is the source of the following dependency conflicts.\ntorch 2.1.0 requires "
    "nvidia-cudnn-cu12==8.9.2.26; platform_system == \"Linux\" and platform_machine == \"x86_64\", but you have "
    "nvidia-cudnn-cu12 9.1.0.70 which is incompatible.",
    "Package                  Version\n------------------------ ----------\ntorch                    2.1.0\n"
    "nvidia-cudnn-cu12        9.1.0.70\n",
])
def test_torchs_cudnn_wheel_replaced_by_another_major(text):
    f = findings(text)
    assert "cudnn_version_mismatch" in f and f["cudnn_version_mismatch"].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # a newer minor of the same major: pip complains, torch loads it
    "torch 2.4.0 requires nvidia-cudnn-cu12==9.1.0.70; platform_system == \"Linux\" and platform_machine == "
    "\"x86_64\", but you have nvidia-cudnn-cu12 9.3.0.75 which is incompatible.",
    "torch                    2.4.1\nnvidia-cudnn-cu12        9.1.0.70\n",  # the pinned one
    "torch                    2.1.0+cu118\nnvidia-cudnn-cu11        9.1.0.70\n",  # an index wheel: may bundle its own
    "I have torch 2.1.0; should nvidia-cudnn-cu12 be 9.1.0.70 or 8.9.2.26?",
])
def test_the_pinned_or_a_compatible_cudnn_wheel_is_no_mismatch(text):
    assert "cudnn_version_mismatch" not in findings(text)


def test_paddles_dataloader_bus_error_points_at_dev_shm():
    text = ("ERROR: Unexpected BUS error encountered in DataLoader worker. This might be caused by insufficient shared "
            "memory (shm), please check whether use_shared_memory is set and storage space in /dev/shm is enough")
    assert "shm_too_small" in findings(text)


def test_paddle_on_a_working_machine_with_a_large_dev_shm_is_no_shm_problem():
    text = WORKING + "shm              32G     0   32G   0% /dev/shm\nPaddlePaddle works well on 1 GPU.\n"
    assert "shm_too_small" not in findings(text)


_OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of "
        "23.65 GiB of which 17.06 MiB is free. Including non-PyTorch memory, this process has {mine} memory in use. "
        "Of the allocated memory 1.20 GiB is allocated by PyTorch, and 100.00 MiB is reserved by PyTorch but "
        "unallocated.")


def test_torch_oom_where_others_hold_the_card_though_torch_names_none():
    assert "gpu_memory_in_use" in findings(_OOM.format(mine="1.50 GiB"))


def test_torch_oom_of_the_jobs_own_making_is_not_others_memory():
    assert "gpu_memory_in_use" not in findings(_OOM.format(mine="23.10 GiB"))


_OLLAMA = ("time=2025-01-02T10:00:00.000Z level=INFO source=types.go:131 msg=\"inference compute\" "
           "id=GPU-93e08bff-19ea-9448-3848-d2ab3d687e30 library=cuda variant=v12 compute=8.9 driver=12.4 "
           "name=\"NVIDIA GeForce RTX 4090\" total=\"23.6 GiB\" available=\"{free}\"")


def test_ollama_finding_the_gpu_nearly_full_at_start():
    assert "gpu_memory_in_use" in findings(_OLLAMA.format(free="402.5 MiB"))


@pytest.mark.parametrize("free", ["23.3 GiB", "21.9 GiB"])
def test_ollama_finding_the_gpu_free_is_no_finding(free):
    assert "gpu_memory_in_use" not in findings(_OLLAMA.format(free=free))


@pytest.mark.parametrize("text", [
    "torch                2.1.0\ntorchaudio           2.0.2\n",
    "torch                1.13.1\ntorchaudio           0.12.1\n",
])
def test_a_listing_with_torchaudio_built_for_another_torch_is_a_warning(text):
    f = findings(text)
    assert "extension_built_for_other_torch" in f and f["extension_built_for_other_torch"].severity.value == "warning"


@pytest.mark.parametrize("text", [
    "torch                2.1.0+cu121\ntorchaudio           2.1.0+cu121\n",
    "torch                2.0.1\ntorchaudio           2.0.2\n",  # 2.0.1 pairs with 2.0.2
    "torch                1.13.1+cu117\ntorchaudio           0.13.1+cu117\n",
    "torch                2.6.0a0+ecf3bae40a\ntorchaudio           2.5.0\n",  # a source build: built against it
])
def test_torchaudio_paired_with_its_torch_is_nothing(text):
    assert "extension_built_for_other_torch" not in findings(text)


_NO_KERNEL = "RuntimeError: CUDA error: no kernel image is available for execution on the device"


@pytest.mark.parametrize("frame", [
    "  File \"/opt/conda/lib/python3.7/site-packages/mmcv/ops/roi_align.py\", line 87, in forward\n"
    "    ext_module.roi_align_forward(\n",
    "  File \"/home/u/detectron2/detectron2/layers/nms.py\", line 21, in batched_nms_rotated\n"
    "    keep = _C.nms_rotated(boxes_for_nms, scores, iou_threshold)\n",
    "  File \"/usr/local/lib/python3.10/dist-packages/torchvision/ops/boxes.py\", line 41, in nms\n"
    "    return torch.ops.torchvision.nms(boxes, scores, iou_threshold)\n"
    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n",
])
def test_no_kernel_image_raised_by_an_extensions_op(frame):
    assert "extension_built_without_gpu_arch" in findings("Traceback (most recent call last):\n" + frame + _NO_KERNEL)


@pytest.mark.parametrize("frame", [
    "  File \"/usr/lib/python3/site-packages/torch/nn/modules/linear.py\", line 114, in forward\n"
    "    return torch._C._nn.linear(input, self.weight, self.bias)\n",
    "  File \"/usr/lib/python3/site-packages/torch/nn/functional.py\", line 1297, in relu\n"
    "    result = torch.relu_(input)\n",
])
def test_no_kernel_image_in_torchs_own_op_is_not_the_extension(frame):
    assert "extension_built_without_gpu_arch" not in findings("Traceback (most recent call last):\n" + frame + _NO_KERNEL)


def test_an_extension_op_failing_otherwise_is_no_arch_problem():
    text = ("  File \"demo.py\", line 3, in <module>\n    out = _C.knn_points_idx(p1, p2)\n"
            "RuntimeError: CUDA error: an illegal memory access was encountered")
    assert "extension_built_without_gpu_arch" not in findings(text)


@pytest.mark.parametrize("text", [
    "NotImplementedError: Could not run 'torchvision::nms' with arguments from the 'CUDA' backend. This could be "
    "because the operator doesn't exist for this backend, or was omitted during the selective/custom build process "
    "(if using custom build).",
    "RuntimeError: Could not run 'torch_scatter::scatter_sum' with arguments from the 'CUDA' backend.",
])
def test_an_extensions_op_without_a_cuda_kernel(text):
    assert "extension_built_for_other_torch" in findings(text)


@pytest.mark.parametrize("text", [
    "NotImplementedError: Could not run 'torchvision::nms' with arguments from the 'CPU' backend.",
    "NotImplementedError: Could not run 'quantized::linear_dynamic' with arguments from the 'CUDA' backend.",
])
def test_other_backends_and_non_extension_ops_are_not_the_extension_build(text):
    assert "extension_built_for_other_torch" not in findings(text)


def test_cudnn_8s_sub_libraries_at_different_versions():
    assert "cudnn_version_mismatch" in findings("RuntimeError: cuDNN error: CUDNN_STATUS_VERSION_MISMATCH")


def test_another_cudnn_status_is_not_a_version_mismatch():
    assert "cudnn_version_mismatch" not in findings("RuntimeError: cuDNN error: CUDNN_STATUS_EXECUTION_FAILED")


def test_nccls_fallocate_enospc_is_shm_not_a_full_disk():
    # posix_fallocate's ENOSPC in NCCL's shm transport is /dev/shm: the generic "No space left"
    # line is voided by it (catalogue voided_by), so no low_disk_space beside shm_too_small.
    from envcheck.explain import diagnose, source
    text = ("misc/shmutils.cc:60 NCCL WARN Call to posix_fallocate failed : No space left on device\n"
            "NCCL WARN Error while creating shared memory segment /dev/shm/nccl-abc (size 9637888)\n")
    _, report = diagnose(source.normalise(text), collected_at="")
    ids = {f.id for f in report.findings}
    assert "shm_too_small" in ids and "low_disk_space" not in ids
