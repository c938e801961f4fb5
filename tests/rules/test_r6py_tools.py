"""Round-6 readers (branch r6py): a CUDA library missing as the linker, ldd and Windows' own
loader box say it (rules/library_dialogs.py), and uv finding no torch file for this machine
weighed against the Python the text shows (rules/uv_platform.py). Each broken text beside
near-misses with the same words. Texts written for the test, none taken from the corpus."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import WORKING, errors, findings

LIBRARY_MISSING = [
    "/usr/bin/ld: cannot find -lcudart: No such file or directory\ncollect2: error: ld returned 1 exit status",
    "/usr/bin/ld: cannot find -lcublas\n/usr/bin/ld: cannot find -lcurand",
    "ld.lld: error: cannot find -lcudnn",
    "$ ldd build/libmyop.so\n\tlinux-vdso.so.1 (0x00007ffc)\n\tlibcudart.so.11.0 => not found\n"
    "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)",
    "        libcudnn.so.8 => not found",
    "The code execution cannot proceed because cublas64_11.dll was not found. Reinstalling the program may fix "
    "this problem.",
    "whisper.exe - System Error\nThe program can't start because cudart64_110.dll is missing from your computer. "
    "Try reinstalling the program to fix this problem.",
    "由于找不到 cudart64_12.dll，无法继续执行代码。重新安装程序可能会解决此问题。",
    "无法启动此程序，因为计算机中丢失 cudnn64_8.dll。尝试重新安装该程序以解决此问题。",
    "cudart64_12.dll が見つからないため、コードの実行を続行できません。",
    "cublasLt64_12.dll이(가) 없어 코드 실행을 진행할 수 없습니다.",
    "Could not load library cudnn_cnn_infer64_8.dll. Error code 126\n"
    "Please make sure cudnn_cnn_infer64_8.dll is in your library path!",
    "RuntimeError: (PreconditionNotMet) The third-party dynamic library (cudnn64_8.dll) that Paddle depends on is "
    "not configured correctly. (error code is 126)",
    '[E:onnxruntime:Default, provider_bridge_ort.cc:1480 onnxruntime::TryGetProviderInfo_CUDA] '
    '[ONNXRuntimeError] : 1 : FAIL : LoadLibrary failed with error 126 "" when trying to load '
    '"C:\\ComfyUI\\venv\\lib\\site-packages\\onnxruntime\\capi\\onnxruntime_providers_cuda.dll"',
]

NOT_LIBRARY_MISSING = [
    WORKING + "\tlibcudart.so.11.0 => /usr/local/cuda/lib64/libcudart.so.11.0 (0x00007f)",
    "The code execution cannot proceed because VCRUNTIME140_1.dll was not found.",
    "MSVCP140.dll が見つからないため、コードの実行を続行できません。",
    "/usr/bin/ld: cannot find -lcuda",  # the driver's stub, not a CUDA library
    "\tlibcuda.so.1 => not found",
    WORKING + "ldd shows every CUDA library resolved; no cublas64_11.dll errors any more.",
    "/usr/bin/ld: cannot find -lpthread",
    "The third-party dynamic library (mklml.dll) that Paddle depends on is not configured correctly. (error code is 126)",
    WORKING + "TensorRT dynamic library (libnvinfer.so) that Paddle depends on is not configured correctly.",
    'LoadLibrary failed with error 126 "" when trying to load "C:\\x\\onnxruntime_providers_tensorrt.dll"',
    'LoadLibrary failed with error 127 "" when trying to load "C:\\x\\onnxruntime_providers_cuda.dll"',
]


@pytest.mark.parametrize("text", LIBRARY_MISSING)
def test_a_missing_cuda_library_told_by_a_tool_is_read(text):
    assert "cuda_library_missing" in findings(text)


@pytest.mark.parametrize("text", NOT_LIBRARY_MISSING)
def test_the_same_words_without_a_missing_cuda_library_are_not(text):
    assert "cuda_library_missing" not in findings(text)


def test_ld_needed_by_is_a_warning():
    f = findings("/usr/bin/ld: warning: libcudart.so.11.0, needed by /opt/app/libfoo.so, not found "
                 "(try using -rpath or -rpath-link)")
    assert f["cuda_library_missing"].severity.value == "warning"


_UV = ("error: Distribution `torch=={v} @ registry+https://pypi.org/simple` can't be installed because it "
       "doesn't have a source distribution or wheel for the current platform")

NO_TORCH_FOR_PYTHON = [
    "uv add torch\nUsing CPython 3.13.1\nCreating virtual environment at: .venv\n" + _UV.format(v="2.5.1"),
    "Using CPython 3.13.0\n" + _UV.format(v="2.5.1").replace("`", ""),
    "python --version\nPython 3.12.1\nuv sync\n" + _UV.format(v="2.1.2"),
    "hint: You're using CPython 3.13 (`cp313`), but `torch` (v2.3.0) only has wheels with the following Python "
    "ABI tags: `cp38`, `cp39`, `cp310`, `cp311`, `cp312`",
    "hint: You're using CPython 3.13 (cp313), but torch (v2.3.0) only has wheels with the following Python ABI "
    "tag: cp312",
]

NOT_FOR_PYTHON = [
    # the Python is one the release has everywhere: the OS or CPU is the gap
    "Using CPython 3.11.9\n" + _UV.format(v="2.5.1"),
    # no Python in the text: uv's line alone does not tell Python from platform
    _UV.format(v="2.5.1"),
    # uv on Linux says so; a new Python's wheels exist there
    "Using CPython 3.13.1\n" + _UV.format(v="2.5.1")
    + "\nhint: You're on Linux (`manylinux_2_36_aarch64`), but `torch` (v2.5.1) only has wheels for the "
      "following platform: `macosx_11_0_arm64`",
    # another package than torch
    "Using CPython 3.13.1\n" + _UV.format(v="2.5.1").replace("torch==", "numba=="),
    WORKING + "Python version: 3.11.9\nuv add torch worked fine.",
]


@pytest.mark.parametrize("text", NO_TORCH_FOR_PYTHON)
def test_uv_finding_no_torch_for_this_python_is_read(text):
    assert "python_unsupported_by_torch" in findings(text)


@pytest.mark.parametrize("text", NOT_FOR_PYTHON)
def test_uv_without_a_python_gap_is_not(text):
    assert "python_unsupported_by_torch" not in findings(text)


def test_a_python_the_release_lacks_is_an_error_and_the_newest_one_likely():
    lacks = errors("Using CPython 3.13.1\n" + _UV.format(v="2.3.0"))["python_unsupported_by_torch"]
    newest = findings("Using CPython 3.13.1\n" + _UV.format(v="2.5.1"))["python_unsupported_by_torch"]
    assert lacks.confidence.value != "likely" and newest.confidence.value == "likely"


@pytest.mark.parametrize("text, read", [
    ("ERROR: Package 'torch' requires a different Python: 3.13.0 not in '>=3.8,<3.13'", True),
    ("Processing ./torch-1.13.1-cp36-cp36m-linux_x86_64.whl\n"
     "ERROR: Package 'torchvision' requires a different Python: 3.6.9 not in '>=3.7'", True),
    ("ERROR: Package 'numpy' requires a different Python: 3.8.0 not in '>=3.9'", False),
    ("ERROR: Package 'torch-geometric' requires a different Python: 3.7.1 not in '>=3.8'", False),
])
def test_pips_legacy_requires_python_line_naming_torch(text, read):
    assert ("python_unsupported_by_torch" in findings(text)) is read
