"""Host-health evidence told indirectly: a GPU that fell off the bus in a person's words,
/dev/shm from a pasted df or said to be too small, and the upstream messages that only
imply the cause (torch's bare shared-memory write failure, TensorFlow's context-creation
out-of-memory, torch.save's short write). Each reader with a broken paste and a healthy
near-miss in the same words."""

from __future__ import annotations

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import host_health

from .helpers import gpu_fields, text, values


def _ids(paste: str):
    _, report = diagnose(source.normalise(paste))
    return {f.id: f for f in report.findings}


# --------------------------------------------------------------------------- GPU off the bus
def test_a_gpu_said_to_fall_off_the_bus_is_likely_lost():
    for paste in ("### Describe the bug\n\ngpu randomly falls off the bus when playing games on the nvidia gpu\n",
                  "Sometimes GPU 1 falls out of the bus under load.\n",
                  'The kernel log confirms this with a Xid 79 error, indicating the GPU has "fallen off the bus".\n'):
        f = _ids(paste)["gpu_lost"]
        assert f.confidence.value == "likely"


def test_a_denied_or_asked_bus_drop_says_nothing():
    for paste in ("The GPU never fell off the bus, nvidia-smi answers fine, but training is slow.\n",
                  "Could the GPU have fallen off the bus?\n",
                  "I checked dmesg: no Xid 79, the card didn't drop off the bus.\n"):
        assert not gpu_fields(host_health.parse(text(paste)))
        assert "gpu_lost" not in _ids(paste)


# --------------------------------------------------------------------------- /dev/shm
DF_DOCKER = """root@3f2c:/workspace# df -h /dev/shm
Filesystem      Size  Used Avail Use% Mounted on
shm              64M     0   64M   0% /dev/shm
"""
DF_HOST = """$ df -h
Filesystem      Size  Used Avail Use% Mounted on
/dev/nvme0n1p2  916G  402G  468G  47% /
tmpfs            32G  1.2M   32G   1% /dev/shm
"""
DF_BLOCKS = """$ df /dev/shm
Filesystem     1K-blocks  Used Available Use% Mounted on
shm                65536     0     65536   0% /dev/shm
"""


def test_df_gives_the_size_of_dev_shm():
    assert values(host_health.parse(text(DF_DOCKER)))["host.shm_total_bytes"] == 64 * 2**20
    assert values(host_health.parse(text(DF_BLOCKS)))["host.shm_total_bytes"] == 64 * 2**20
    assert "shm_too_small" in _ids(DF_DOCKER + "RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus error.\n")


def test_a_large_dev_shm_is_no_finding_even_beside_a_bus_error():
    # The size is known and ample: the bus error has another cause, and the rule decided.
    assert values(host_health.parse(text(DF_HOST)))["host.shm_total_bytes"] == 32 * 2**30
    assert "shm_too_small" not in _ids(DF_HOST + "RuntimeError: DataLoader worker (pid 47) is killed by signal: Bus error.\n")


def test_shared_memory_said_to_run_short_is_likely_too_small():
    for paste in ("出现这个错误的情况是，在服务器上的docker中运行训练代码时，batch size设置得过大，shared memory不够（因为docker限制了shm）.\n",
                  "Training dies after one epoch; the shared memory is too small in our Kubernetes pod.\n",
                  "训练时报共享内存不足的错\n"):
        f = _ids(paste)["shm_too_small"]
        assert f.confidence.value == "likely"


def test_shared_memory_named_without_a_shortage_says_nothing():
    for paste in ("docker run --gpus all --shm-size=16g -it pytorch/pytorch bash\nshared memory is not the problem; the loss is NaN.\n",
                  "Is the shared memory too small?\n",
                  "We use --ipc=host so the container shares the host's shared memory.\n"):
        assert "host.shm_total_bytes" not in values(host_health.parse(text(paste)))
        assert "shm_too_small" not in _ids(paste)


# --------------------------------------------------------------------------- implied causes
def test_torchs_bare_shared_memory_write_failure_points_at_shm():
    paste = ("    fd, size = storage._share_fd_()\nRuntimeError: unable to write to file </torch_1394_2747491098>\n")
    assert _ids(paste)["shm_too_small"].confidence.value == "likely"
    # A torch.load of a missing file is another message and no finding.
    assert "shm_too_small" not in _ids("FileNotFoundError: [Errno 2] No such file or directory: 'torch_model.pt'\n")


TF_CTX = ("2019-07-11 12:42:11.226602: W tensorflow/compiler/xla/service/platform_util.cc:240] unable to create "
          "StreamExecutor for CUDA:0: failed initializing StreamExecutor for CUDA device ordinal 0: Internal: failed "
          "call to cuDevicePrimaryCtxRetain: CUDA_ERROR_OUT_OF_MEMORY: out of memory; total memory reported: 11523260416\n")
TF_ALLOC = ("2019-07-11 12:50:02.112233: E tensorflow/stream_executor/cuda/cuda_driver.cc:890] failed to alloc "
            "2147483648 bytes on host: CUDA_ERROR_OUT_OF_MEMORY: out of memory\n"
            "W tensorflow/core/common_runtime/bfc_allocator.cc:419] Allocator (GPU_0_bfc) ran out of memory trying to "
            "allocate 2.00GiB\n")


def test_a_context_that_cannot_be_created_means_memory_held_elsewhere():
    assert _ids(TF_CTX)["gpu_memory_in_use"].confidence.value == "likely"


def test_a_job_too_big_for_the_gpu_is_not_memory_held_elsewhere():
    assert "gpu_memory_in_use" not in _ids(TF_ALLOC)
    assert "gpu_memory_in_use" not in _ids(
        "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity "
        "of 23.65 GiB of which 1.12 GiB is free.\n")


def test_a_checkpoint_short_write_points_at_a_full_disk():
    paste = ("  File \"/root/miniconda3/lib/python3.8/site-packages/torch/serialization.py\", line 668, in _save\n"
             "    zip_file.write_record(name, storage.data_ptr(), num_bytes)\n"
             "RuntimeError: [enforce fail at inline_container.cc:471] . PytorchStreamWriter failed writing file "
             "data/77: file write failed\n")
    assert _ids(paste)["low_disk_space"].confidence.value == "likely"
    # A path that does not exist is the other PytorchStreamWriter failure, not a full disk.
    assert "low_disk_space" not in _ids(
        "RuntimeError: [enforce fail at inline_container.cc:319] . PytorchStreamWriter failed opening archive.\n")
