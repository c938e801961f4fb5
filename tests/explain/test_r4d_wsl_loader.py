"""WSL 2: a program that loads the driver's unversioned ``libcuda.so`` (cuda-python, Rust's
cudarc, cuDNN 8's sub-libraries, a plain dlopen) finds nothing off ``/usr/lib/wsl/lib`` —
``cuda_library_missing``. Near-misses: a working WSL box listing its libcuda, the same
messages on a plain Linux box or with no driver reachable, a missing ``libcuda.so.1`` (no
driver: the WSL 1 rule's), questions. And "adding X to LD_LIBRARY_PATH fixed it" is a missing
library, never an LD_LIBRARY_PATH conflict."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings as _run

_KERNEL = "$ uname -r\n5.15.153.1-microsoft-standard-WSL2\n"

BROKEN = [
    # cuda-python in a REPL on a WSL 2 kernel
    _KERNEL + ">>> from cuda import cuda\n>>> cuda.cuInit(0)\nTraceback (most recent call last):\n"
    "  File \"cuda/_cuda/ccuda.pyx\", line 424, in cuda._cuda.ccuda.cuPythonInit\nRuntimeError: Failed to dlopen libcuda.so\n",
    # cudarc 0.12+ (candle) under WSL2, said in prose
    "Running candle's example on Ubuntu 22.04 under WSL2 with an RTX 4070:\n"
    "thread 'main' panicked at /root/.cargo/registry/src/cudarc-0.12.1/src/lib.rs:98:5:\n"
    "Unable to dynamically load the \"cuda\" shared library - searched for library names: [\"libcuda.so\", "
    "\"libcuda64.so\"]. Ensure that `LD_LIBRARY_PATH` has the correct path to the installed library.\n",
    # cudarc 0.11 (mistral.rs), Japanese prose
    "WSL2 上の Ubuntu で mistralrs-server を起動すると落ちます。\n"
    "thread 'main' panicked at src/driver/sys/mod.rs:61:9:\n"
    "Unable to find cuda lib under the names [\"cuda\", \"nvcuda\"]. Please open GitHub issue.\n",
    # cuDNN 8 sub-library on WSL 2
    _KERNEL + "Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object "
    "file: No such file or directory\nPlease make sure libcudnn_cnn_infer.so.8 is in your library path!\nAborted\n",
    # a plain dlopen by name, Chinese prose
    "我在 WSL2 里跑 tritonserver，报错：\nOSError: libcuda.so: cannot open shared object file: No such file or directory\n",
]

NEAR = [
    # a working WSL 2 box: only libcuda.so.1 in the cache, torch happy
    _KERNEL + "$ ldconfig -p | grep libcuda\n\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/wsl/lib/libcuda.so.1\n"
    ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n",
    # a question, no failure
    "On WSL2, do I need to add /usr/lib/wsl/lib to LD_LIBRARY_PATH for cuda-python to find libcuda.so?\n",
    # the same failure on a plain Linux box is no WSL path problem
    "$ uname -r\n6.5.0-35-generic\n>>> from cuda import cuda\n>>> cuda.cuInit(0)\nRuntimeError: Failed to dlopen libcuda.so\n",
    # WSL without any driver reachable: nvidia-smi fails too
    "I'm on WSL2.\n$ nvidia-smi\nNVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that "
    "the latest NVIDIA driver is installed and running.\n\nRuntimeError: Failed to dlopen libcuda.so\n",
    # the versioned library missing under WSL: no driver at all (WSL 1 or no Windows driver)
    "Ubuntu on WSL:\n./deviceQuery: error while loading shared libraries: libcuda.so.1: cannot open shared object file: "
    "No such file or directory\n",
]

ADDED = [
    "As a workaround, adding `/usr/lib/wsl/lib` to the `LD_LIBRARY_PATH` environment variable resolves the problem.\n",
    "Appending /usr/local/cuda-12.1/lib64 to my LD_LIBRARY_PATH fixed it.\n",
    "把 /usr/lib/wsl/lib 添加到 LD_LIBRARY_PATH 之后就解决了\n",
]




@pytest.mark.parametrize("text", BROKEN)
def test_wsl_unversioned_libcuda_read(text: str) -> None:
    f = _run(text)["cuda_library_missing"]
    assert f.confidence.value == "likely"
    assert "/usr/lib/wsl/lib" in f.explanation


@pytest.mark.parametrize("text", NEAR)
def test_wsl_libcuda_near_misses_quiet(text: str) -> None:
    assert "cuda_library_missing" not in _run(text)


def test_working_wsl_box_has_no_error() -> None:
    found = _run(NEAR[0])
    assert not [i for i, f in found.items() if f.severity.value == "error"]


@pytest.mark.parametrize("text", ADDED)
def test_adding_to_the_path_is_no_conflict(text: str) -> None:
    assert "ld_library_path_conflict" not in _run(text)


def test_removing_from_the_path_still_blamed() -> None:
    text = "/usr/local/cuda-11.2/lib64 was causing the conflict. Removing it from LD_LIBRARY_PATH fixed it.\n"
    assert "ld_library_path_conflict" in _run(text)
