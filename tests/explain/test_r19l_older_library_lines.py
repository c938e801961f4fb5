"""Round 19 l: the library lines of older frameworks that said nothing.

* TensorFlow 0.x-1.12's loader line ``Couldn't open CUDA library libcudnn.so.5. LD_LIBRARY_PATH: …``
  (tensorflow/stream_executor/dso_loader.cc; 1.13 rewrote it as "Could not load dynamic library"):
  cuda_library_missing, a warning like the newer line (TensorFlow carries on), never for the
  driver's libcuda.so.1 nor for the "successfully opened" lines of a working machine.
* Numba's own ``library nvvm not found`` (numba/cuda/cudadrv/libs.py open_cudalib, under
  NvvmSupportError "libNVVM cannot be found"): cuda_library_missing; numba -s listing every
  library "ok" stays quiet.
* PaddlePaddle's "compiled with CUDNN 8.2, but CUDNN version in your machine is 7.6": an older
  cuDNN *major* is cudnn_version_mismatch; an older minor of the same major stays a lone warning
  line (usually works).
Texts after the shapes of real reports (tensorflow#5591, #8898, #15294, numba#4979, cudf#1861,
Paddle issues); near-misses as listed."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

MISSING = "cuda_library_missing"
CUDNN = "cudnn_version_mismatch"

TF1_OK = ("I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcublas.so.8.0 locally\n"
          "I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcudnn.so.5 locally\n"
          "I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcufft.so.8.0 locally\n"
          "I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcuda.so.1 locally\n"
          "I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcurand.so.8.0 locally\n")


@pytest.mark.parametrize("text, lib", [
    ("I tensorflow/stream_executor/dso_loader.cc:135] successfully opened CUDA library libcublas.so.8.0 locally\n"
     "I tensorflow/stream_executor/dso_loader.cc:126] Couldn't open CUDA library libcudnn.so.5. LD_LIBRARY_PATH: "
     "/home/u/Downloads:/usr/local/cuda-8.0/lib64\n"
     "I tensorflow/stream_executor/cuda/cuda_dnn.cc:3517] Unable to load cuDNN DSO\n", "libcudnn.so.5"),
    (">>> import tensorflow\n"
     "I tensorflow/stream_executor/dso_loader.cc:111] successfully opened CUDA library libcublas.so locally\n"
     "I tensorflow/stream_executor/dso_loader.cc:105] Couldn't open CUDA library libcudnn.so. LD_LIBRARY_PATH: \n"
     "I tensorflow/stream_executor/cuda/cuda_dnn.cc:3448] Unable to load cuDNN DSO\n", "libcudnn.so"),
    ("Couldn't open CUDA library libcublas.so.9.0. LD_LIBRARY_PATH: /usr/local/cuda-9.1/lib64", "libcublas.so.9.0"),
])
def test_tf1_loader_line_is_a_missing_library(text, lib):
    got = findings(text)
    assert MISSING in got and lib in got[MISSING].explanation
    assert got[MISSING].severity.value == "warning"  # TensorFlow logs it and goes on


@pytest.mark.parametrize("text", [
    TF1_OK,
    # the driver's library: not a CUDA toolkit library (the driver findings own it)
    TF1_OK.replace("successfully opened CUDA library libcuda.so.1 locally",
                   "Couldn't open CUDA library libcuda.so.1. LD_LIBRARY_PATH: /usr/local/cuda/lib64"),
    "Is it normal that TensorFlow logs 'successfully opened CUDA library libcudnn.so.5 locally'?",
])
def test_tf1_loader_lines_of_a_working_machine_say_nothing_missing(text):
    assert MISSING not in findings(text)


@pytest.mark.parametrize("text", [
    "  File \"/home/u/miniconda3/envs/pa/lib/python3.7/site-packages/numba/cuda/cudadrv/libs.py\", line 47, "
    "in open_cudalib\n    raise OSError('library %s not found' % lib)\nOSError: library nvvm not found\n",
    "numba.cuda.cudadrv.error.NvvmSupportError: libNVVM cannot be found. Do `conda install cudatoolkit`:\n"
    "library nvvm not found\n",
    "E   OSError: library cudart not found\n",
])
def test_numba_library_not_found(text):
    assert MISSING in errors(text)


@pytest.mark.parametrize("text", [
    "__CUDA Information__\nFound 1 CUDA devices\nid 0    b'Tesla P100-PCIE-16GB'    [SUPPORTED]\n"
    "CUDA libraries:\nFinding cublas\n\tnamed  libcublas.so.9.0.103\n\ttrying to open library...\tok\n"
    "Finding nvvm\n\tnamed  libnvvm.so\n\ttrying to open library...\tok\n",
    "The static library cudadevrt not found warning is harmless here",  # not a library numba opens
])
def test_numba_working_listing_is_quiet(text):
    assert MISSING not in findings(text)


PADDLE = ("W0101 10:00:00.000000  1234 gpu_resources.cc:149] device: 0, cuDNN Version: {found}.\n"
          "W0101 10:00:00.000000  1234 gpu_resources.cc:161] WARNING: device: 0. The installed Paddle is compiled "
          "with CUDNN {built}, but CUDNN version in your machine is {found}, which may cause serious incompatible "
          "bug. Please recompile or reinstall Paddle with compatible CUDNN version.\n")


def test_paddle_older_cudnn_major_is_a_mismatch():
    got = errors(PADDLE.format(built="8.2", found="7.6"))
    assert CUDNN in got and "7" in got[CUDNN].explanation


@pytest.mark.parametrize("built, found", [("8.1", "8.0"), ("9.9", "9.5")])
def test_paddle_older_minor_alone_is_no_error(built, found):
    assert CUDNN not in errors(PADDLE.format(built=built, found=found))
