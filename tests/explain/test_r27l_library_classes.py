"""Round 27 l: three library/extension classes in the forms strangers show them, each with its
near-misses (a denial, a question, advice, another format, a working machine's output).

* one program's ``ldd`` listing needs two majors of one CUDA library → conflicting_cuda_libraries_loaded;
* an extension op "is not compiled with GPU support" (mmcv ≤ 1.3.17, mmdetection 1.x) or mmcv's
  registry "implementation for device cuda:N not found" → extension_built_without_gpu_arch;
* a person saying the framework loads the system's cuDNN instead of its own → cudnn_version_mismatch.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FAIL = "Check failed: status == CUDNN_STATUS_SUCCESS (3 vs. 0)  CUDNN_STATUS_BAD_PARAM\n"

LDD_TWO = ("$ ldd ./build/examples/openpose/openpose.bin | grep cudnn\n"
           "\tlibcudnn.so.5 => /home/u/cuda-8.0/lib64/libcudnn.so.5 (0x00007f5dd266d000)\n"
           "\tlibcudnn.so.6 => not found\n")


@pytest.mark.parametrize("paste", [
    FAIL + LDD_TWO,
    # both found, other libraries and the loader's own rows between them
    ("$ ldd bin/detector\n\tlinux-vdso.so.1 (0x00007ffd1a5f2000)\n"
     "\tlibcublas.so.11 => /usr/local/cuda-11.8/lib64/libcublas.so.11 (0x00007f1c2a000000)\n"
     "\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f1c29c00000)\n"
     "\tlibcublas.so.12 => /usr/local/cuda-12.1/lib64/libcublas.so.12 (0x00007f1c23000000)\n"
     "\t/lib64/ld-linux-x86-64.so.2 (0x00007f1c2f3a0000)\n"),
])
def test_listing_needs_two_majors(paste):
    assert "conflicting_cuda_libraries_loaded" in findings(paste)


@pytest.mark.parametrize("paste", [
    # one major per library: a working program's listing
    ("$ ldd libtorch_cuda.so | grep -E 'cudnn|cublas'\n"
     "\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f5dd266d000)\n"
     "\tlibcublas.so.11 => /usr/local/cuda/lib64/libcublas.so.11 (0x00007f5dd0000000)\n"
     "\tlibcublasLt.so.11 => /usr/local/cuda/lib64/libcublasLt.so.11 (0x00007f5dc0000000)\n"),
    # ldconfig -p lists what is installed (two majors side by side is normal), not what one program needs
    ("$ ldconfig -p | grep libcudnn.so\n"
     "\tlibcudnn.so.9 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.9\n"
     "\tlibcudnn.so.8 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn.so.8\n"),
    # a find listing of files on disk
    ("$ find / -name 'libcudnn.so.*'\n/usr/lib/x86_64-linux-gnu/libcudnn.so.8\n/usr/lib/x86_64-linux-gnu/libcudnn.so.9\n"),
])
def test_listing_near_misses(paste):
    assert "conflicting_cuda_libraries_loaded" not in findings(paste)


@pytest.mark.parametrize("paste", [
    # two programs' listings (ldd a b heads each with "a:")
    ("$ ldd app_old app_new | grep cudnn\napp_old:\n"
     "\tlibcudnn.so.7 => /usr/local/cuda-10.0/lib64/libcudnn.so.7 (0x00007f5dd266d000)\napp_new:\n"
     "\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f5dd0000000)\n"),
    # two listings of two commands, one after the other
    ("$ ldd old/bin/train | grep cudnn\n"
     "\tlibcudnn.so.7 => /opt/cudnn7/lib64/libcudnn.so.7 (0x00007f5dd266d000)\n"
     "$ ldd new/bin/train | grep cudnn\n"
     "\tlibcudnn.so.8 => /usr/lib/x86_64-linux-gnu/libcudnn.so.8 (0x00007f5dd0000000)\n"),
])
def test_two_listings_are_not_one(paste):
    """Two programs' rows are two listings: no note of one program needing two majors (the
    loaded-libraries rule of rules/versions.py reads every ldd row as one process's and is not
    this reader's)."""
    from envcheck.explain.parsers import library_copies
    from envcheck.explain.source import normalise

    assert not library_copies.parse(normalise(paste)).notes


@pytest.mark.parametrize("paste", [
    "I had an error while running train code.\n\nRuntimeError: DeformConv is not compiled with GPU support\n",
    "  File \"mmdet/ops/nms/nms_wrapper.py\", line 51, in nms\nRuntimeError: nms is not compiled with GPU support\n",
    ("    return modulated_deform_conv2d(x, offset, mask, self.weight, self.bias,\n"
     "RuntimeError: modulated_deformable_im2col_impl: implementation for device cuda:1 not found.\n"),
    "RuntimeError: nms_impl: implementation for device cuda:0 not found.\n",
])
def test_extension_op_without_cuda(paste):
    assert "extension_built_without_gpu_arch" in findings(paste)


@pytest.mark.parametrize("paste", [
    # the string literal in pasted source
    '#else\n    AT_ERROR("RoIAlign is not compiled with GPU support");\n#endif\n',
    # said of torch itself, or a question
    "My torch is not compiled with GPU support, how do I install the CUDA build?\n",
    "PyTorch is not compiled with GPU support on this Mac.\n",
    "Why would DeformConv is not compiled with GPU support?\n",
    # another device's implementation missing
    "RuntimeError: nms_impl: implementation for device mlu:0 not found.\n",
    "RuntimeError: roi_align_forward_impl: implementation for device cpu not found.\n",
])
def test_extension_op_near_misses(paste):
    assert "extension_built_without_gpu_arch" not in findings(paste)


FAILING = "GPU training fails: the loss is NaN after the first step.\n"


@pytest.mark.parametrize("paste", [
    FAILING + "torch.backends.cudnn.version() returned 7501, but from collect_env it's linking to my pre-installed cudnn, "
              "despite the conda install.\n",
    FAILING + "It turns out PyTorch is using the cuDNN in /usr/local/cuda instead of the bundled one.\n",
    FAILING + "tensorflow picks up the system cudnn 7.0 from /usr/lib.\n",
    FAILING + "看起来 torch 调用的是系统的 cudnn 7.0。\n",
])
def test_system_cudnn_said(paste):
    assert "cudnn_version_mismatch" in findings(paste)


@pytest.mark.parametrize("paste", [
    # a denial, a question, advice, a build from source on purpose, a failure over
    FAILING + "PyTorch ships its own cuDNN, so it doesn't use the system cudnn.\n",
    FAILING + "Is torch using the system cuDNN?\n",
    FAILING + "If torch loads the system cudnn you get a version mismatch.\n",
    FAILING + "Make sure tensorflow is not loading the old cudnn from conda.\n",
    FAILING + "I built pytorch from source and it links against the system cudnn 8.9.\n",
    FAILING + "It was loading the system cudnn before; after unset LD_LIBRARY_PATH it works now.\n",
    FAILING + "torch 没有调用系统的 cudnn。\n",
    # no failure told: a working machine's words
    "torch uses the system cudnn 8.9.2 from /usr/lib on this box and training is fine.\n",
])
def test_system_cudnn_near_misses(paste):
    assert "cudnn_version_mismatch" not in findings(paste)


@pytest.mark.parametrize("paste", [
    ("RuntimeError: The following operation failed in the TorchScript interpreter.\n"
     "RuntimeError: nvrtc: error: failed to open libnvrtc-builtins.so.13.0.\n"
     "  Make sure that libnvrtc-builtins.so.13.0 is installed correctly.\nnvrtc compilation failed: \n"),
    ("Program compile log: nvrtc: error: failed to open libnvrtc-builtins.so.12.5.\n"
     "Make sure that libnvrtc-builtins.so.12.5 is installed correctly.\n\n"
     "Error at /home/u/madrona/src/mw/cpp_compile.cpp:100\nNVRTC_ERROR_BUILTIN_OPERATION_FAILURE\n"),
])
def test_nvrtc_builtins_not_installed(paste):
    assert "cuda_library_missing" in findings(paste)


@pytest.mark.parametrize("paste", [
    # the message quoted in advice
    ('If you see "nvrtc: error: failed to open libnvrtc-builtins.so.12.1. Make sure that '
     'libnvrtc-builtins.so.12.1 is installed correctly." set LD_LIBRARY_PATH to the wheel\'s lib directory.\n'),
    # another library NVRTC could not open is not the builtins'
    "nvrtc: error: invalid value for --gpu-architecture (-arch)\n",
    # a working machine's listing of the builtins library
    ("$ ls site-packages/nvidia/cuda_nvrtc/lib\nlibnvrtc-builtins.so.12.1  libnvrtc.so.12\n"
     "Make sure that the CUDA toolkit is installed correctly: it is, torch.cuda.is_available() is True.\n"),
])
def test_nvrtc_builtins_near_misses(paste):
    assert "cuda_library_missing" not in findings(paste)


CRASH = "Training crashes with CUDNN_STATUS_INTERNAL_ERROR.\n"


@pytest.mark.parametrize("paste", [
    CRASH + "I found that two copies of libcudnn are loaded in the process: one from /usr/local/cuda/lib64 and one "
            "from the pip wheel.\n",
    CRASH + "It turned out two different versions of cuBLAS were mixed in one environment.\n",
    "训练时报错 CUDNN_STATUS_EXECUTION_FAILED，后来发现系统里装了两个版本的cudnn，互相冲突。\n",
])
def test_copies_said_to_clash(paste):
    assert "conflicting_cuda_libraries_loaded" in findings(paste)


@pytest.mark.parametrize("paste", [
    # two toolkits side by side: normal, and not a library's copies
    CRASH + "I have two versions of CUDA installed (11.8 and 12.1), could they conflict\n",
    CRASH + "两个版本的cuda会冲突吗\n",
    # a denial, a question, advice
    CRASH + "There is no conflict between the two versions of cudnn on this machine.\n",
    CRASH + "Could two copies of cudnn conflict?\n",
    CRASH + "Make sure you don't have two copies of libcudnn loaded.\n",
    # no failure told: a working machine's words
    "Two versions of cudnn are installed side by side (8 and 9) and both are loaded by different programs without trouble.\n",
])
def test_copies_near_misses(paste):
    assert "conflicting_cuda_libraries_loaded" not in findings(paste)


@pytest.mark.parametrize("paste", [
    # two programs' listings, each loading its own cuDNN from its own place
    ("$ ldd app_old app_new | grep cudnn\napp_old:\n"
     "\tlibcudnn.so.8 => /usr/local/cuda-11.2/lib64/libcudnn.so.8 (0x00007f5dd266d000)\napp_new:\n"
     "\tlibcudnn.so.8 => /home/u/venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn.so.8 (0x00007f5dd0000000)\n"),
    ("$ ldd old/bin/train | grep cublas\n"
     "\tlibcublas.so.11 => /usr/local/cuda-11.8/lib64/libcublas.so.11 (0x00007f5dd266d000)\n"
     "$ ldd new/bin/train | grep cublas\n"
     "\tlibcublas.so.11 => /opt/conda/lib/libcublas.so.11 (0x00007f5dd0000000)\n"),
])
def test_two_programs_listings_are_not_one_process(paste):
    """The loaded-libraries rule (rules/versions.py) reads only one listing's copies as a clash:
    a library another program's listing gave first is that program's (parsers/loader.py)."""
    assert "conflicting_cuda_libraries_loaded" not in findings(paste)


def test_two_copies_in_one_listing_still_clash():
    paste = ("$ ldd libtorch_cuda.so | grep cudnn\n"
             "\tlibcudnn.so.8 => /usr/local/cuda-11.2/lib64/libcudnn.so.8 (0x00007f5dd266d000)\n"
             "\tlinux-vdso.so.1 (0x00007ffd1a5f2000)\n"
             "\tlibcudnn.so.8 => /home/u/venv/lib/python3.10/site-packages/nvidia/cudnn/lib/libcudnn.so.8 "
             "(0x00007f5dd0000000)\n")
    assert "conflicting_cuda_libraries_loaded" in findings(paste)
