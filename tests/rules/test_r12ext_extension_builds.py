"""Compiled extensions' own setup diagnostics (branch r12ext): xFormers' loader banners and op
reasons, PyG's optional-extension loader, vLLM's _C import, bitsandbytes' binary lookup, an
apex-style setup.py building without a GPU, DeepSpeed's op builder and ds_report, torch's
inductor refusing a pre-Volta GPU for Triton, and a person's "torch.version.cuda is X but
nvcc --version is Y". Texts written for the test from the upstream sources' format strings
(messages.toml origins), none taken from the diagnosis corpus; each broken paste has a
near-miss that uses the same words on a working machine, in a question or in code."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from tests.rules.test_unseen_classes import errors, findings

OTHER_TORCH = "extension_built_for_other_torch"
DIFFERS = "toolkit_differs_from_torch_cuda"

DS_REPORT = """--------------------------------------------------
DeepSpeed C++/CUDA extension op report
--------------------------------------------------
NOTE: Ops not installed will be just-in-time (JIT) compiled at
      runtime if needed. Op compatibility means that your system
      meet the required dependencies to JIT install the op.
--------------------------------------------------
JIT compiled ops requires ninja
ninja .................. [OKAY]
--------------------------------------------------
op name ................ installed .. compatible
--------------------------------------------------
cpu_adam ............... [NO] ....... [OKAY]
fused_adam ............. [NO] ....... [OKAY]
 [WARNING]  sparse_attn requires a torch version >= 1.5 and < 2.0 but detected 2.0
sparse_attn ............ [NO] ....... [NO]
--------------------------------------------------
DeepSpeed general environment info:
torch install path ............... ['/usr/local/lib/python3.10/dist-packages/torch']
torch version .................... 2.0.1+cu117
deepspeed install path ........... ['/usr/local/lib/python3.10/dist-packages/deepspeed']
deepspeed info ................... 0.9.5, unknown, unknown
torch cuda version ............... 11.7
torch hip version ................ None
nvcc version ..................... {nvcc}
deepspeed wheel compiled w. ...... torch 2.0, cuda 11.7
shared memory (/dev/shm) size .... 31.32 GB
"""

XFORMERS_INFO = """xFormers 0.0.20
memory_efficient_attention.cutlassF:               available
memory_efficient_attention.cutlassB:               available
memory_efficient_attention.flshattF:               available
memory_efficient_attention.smallkF:                available
is_triton_available:                               True
pytorch.version:                                   2.0.1+cu118
pytorch.cuda:                                      available
gpu.compute_capability:                            8.9
gpu.name:                                          NVIDIA GeForce RTX 4090
build.info:                                        available
build.cuda_version:                                1108
build.python_version:                              3.10.11
build.torch_version:                               2.0.1+cu118
build.env.TORCH_CUDA_ARCH_LIST:                    5.0+PTX 6.0 6.1 7.0 7.5 8.0+PTX 9.0
"""

BROKEN = [
    # xFormers' banner in its form without a CUDA field: built for another torch
    ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
     "    PyTorch 2.0.1 (you have 2.1.0+cu121)\n    Python  3.11.5 (you have 3.11.5)\n"
     "  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)", OTHER_TORCH),
    ("WARNING:xformers:WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
     "    PyTorch 1.13.1 (you have 2.0.0+cu117)", OTHER_TORCH),
    # the banner without versions (no build metadata)
    ("WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for a different version of "
     "PyTorch or Python.\n  Please reinstall xformers (see https://github.com/facebookresearch/xformers#installing-xformers)",
     OTHER_TORCH),
    # PyG's optional-extension loader
    ("/opt/conda/lib/python3.10/site-packages/torch_geometric/typing.py:31: UserWarning: An issue occurred while "
     "importing 'torch-scatter'. Disabling its usage. Stacktrace: /opt/conda/lib/python3.10/site-packages/torch_scatter/"
     "_scatter_cuda.so: undefined symbol: _ZNK3c105Error4whatEv", OTHER_TORCH),
    ("UserWarning: An issue occurred while importing 'pyg-lib'. Disabling its usage. Stacktrace: Could not load this "
     "library: /usr/local/lib/python3.11/dist-packages/libpyg.so", OTHER_TORCH),
    # vLLM's compiled ops, built for another torch
    ("WARNING 05-02 10:11:12 _custom_ops.py:14] Failed to import from vllm._C with ImportError('/venv/lib/python3.11/"
     "site-packages/vllm/_C.abi3.so: undefined symbol: _ZN3c106detail14torchCheckFailEPKcS2_jRKSs')", OTHER_TORCH),
    # ds_report: DeepSpeed's op builder would compile with nvcc 12.1 against torch's CUDA 11.7
    (DS_REPORT.format(nvcc="12.1"), DIFFERS),
    # a person's words for the two versions
    ("my torch.version.cuda is 11.3, but my nvcc --version is 10.1 so the extension does not build", DIFFERS),
    ("torch.version.cuda = 12.1 and nvcc -V shows release 11.5", DIFFERS),
]

NEAR_MISS = [
    # xFormers' banner with the same torch on both sides: something else kept the library from loading
    "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
    "    PyTorch 2.1.0 (you have 2.1.0)\n    Python  3.10.12 (you have 3.10.12)",
    # xformers.info on a working GPU (every kernel available, built for the running torch)
    XFORMERS_INFO,
    # AMD (ck*) and Hopper-only (fa3) rows are never available on an Ada GPU
    XFORMERS_INFO.replace("memory_efficient_attention.smallkF:                available",
                          "memory_efficient_attention.ckF:                    unavailable\n"
                          "memory_efficient_attention.fa3F@0.0.0:             unavailable"),
    # ds_report on a machine whose nvcc matches torch's CUDA, ops JIT-compiled as usual
    DS_REPORT.format(nvcc="11.7"),
    # code silencing PyG's warning, not the warning itself
    'warnings.filterwarnings("ignore", message="An issue occurred while importing \'torch-scatter\'. Disabling its usage.")',
    # vLLM on a plugin platform (Ascend) or a Mac: no vllm._C is expected there
    "WARNING 03-11 02:47:04 _custom_ops.py:21] Failed to import from vllm._C with ModuleNotFoundError(\"No module named "
    "'vllm._C'\")\nINFO 03-11 02:47:04 __init__.py:44] plugin ascend_enhanced_model loaded.",
    # bitsandbytes' CPU fall-back on a Mac
    "Using device: mps\n/Users/me/venv/lib/python3.11/site-packages/bitsandbytes/cextension.py:34: UserWarning: The "
    "installed version of bitsandbytes was compiled without GPU support. 8-bit optimizers, 8-bit multiplication, and "
    "GPU quantization are unavailable.",
    # an apex build in a docker build step: a warning, not a failure
    "Warning: Torch did not find available GPUs on this system.\n If your intention is to cross-compile, this is not "
    "an error.\nBy default, Apex will cross-compile for Pascal (compute capabilities 6.0, 6.1, 6.2),\n"
    "Successfully installed apex-0.1",
    # questions and wishes about the two versions
    "Should torch.version.cuda be 11.8 when nvcc --version is 12.1?",
    "Is it a problem if nvcc --version is 12.4? torch is fine.",
    "the docs say torch.version.cuda should be 11.7 for this repo",
]


@pytest.mark.parametrize("text, fid", BROKEN)
def test_extension_tools_own_diagnostics_name_the_cause(text, fid):
    assert fid in findings(text)


@pytest.mark.parametrize("text", NEAR_MISS)
def test_same_words_on_working_machines_are_not_errors(text):
    assert not errors(text)
    assert OTHER_TORCH not in findings(text)
    assert DIFFERS not in findings(text)


def _verdict(text: str) -> str:
    _, report = diagnose(source.normalise(text), collected_at="")
    return report.verdict


@pytest.mark.parametrize("text", [
    # (inductor refusing a Pascal GPU for Triton is gpu_too_old_for_library since r13old: tests/rules/test_r13old_library_capability.py)
    "deepspeed.ops.op_builder.builder.MissingCUDAException: CUDA_HOME does not exist, unable to compile CUDA op(s)",
    "`cutlassF` is not supported because:\n    xFormers wasn't build with CUDA support\n"
    "    operator wasn't built - see `python -m xformers.info` for more info",
])
def test_refusals_without_a_catalogued_cause_are_never_ok(text):
    assert _verdict(text) != "ok"
    assert not errors(text)


WITHOUT_ARCH = "extension_built_without_gpu_arch"


@pytest.mark.parametrize("text", [
    # pointnet2 / OpenPCDet-style launch checks after the extension's own kernel
    "ball_query_kernel_launcher_stack\nCUDA kernel failed : no kernel image is available for execution on the device",
    "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-0b9a)\nCUDA kernel failed : invalid device function",
    "在docker里编译后运行报错：CUDA kernel failed : no kernel image is available for execution on the device",
    # an extension's CPU-only build raising on a CUDA tensor (c10's pre-1.7 suffix, pytorch3d's full stop)
    "RuntimeError: Not compiled with GPU support (ROIAlign_forward at /home/u/detectron2/detectron2/layers/csrc/"
    "ROIAlign/ROIAlign.h:73)\nframe #0: c10::Error::Error(c10::SourceLocation, std::string const&) + 0x47",
    "  File \"/opt/conda/lib/python3.9/site-packages/pytorch3d/ops/knn.py\", line 64, in forward\n"
    "    idx, dists = _C.knn_points_idx(p1, p2, lengths1, lengths2, norm, K, version)\n"
    "RuntimeError: Not compiled with GPU support.",
])
def test_extension_kernels_missing_for_the_gpu(text):
    found = findings(text)
    assert WITHOUT_ARCH in found
    # torch's build is not in the text: the failing kernel is the extension's, not torch's
    assert "gpu_arch_unsupported_by_torch_build" not in found
    assert "gpu_arch_too_old_for_torch_build" not in found


@pytest.mark.parametrize("text", [
    # the extension's source pasted, not its error
    'at::Tensor ROIAlign_forward(const at::Tensor& input) {\n#ifdef WITH_CUDA\n  return ROIAlign_forward_cuda(input);\n'
    '#else\n  AT_ERROR("Not compiled with GPU support");\n#endif\n}',
    # another failure in the same launch check
    "CUDA kernel failed : out of memory",
    "CUDA kernel failed : an illegal memory access was encountered",
])
def test_source_code_and_other_launch_failures_are_not_missing_kernels(text):
    assert WITHOUT_ARCH not in findings(text)


def test_torch_saying_its_build_lacks_the_gpu_still_blames_torch():
    text = ("UserWarning: NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch "
            "installation.\nThe current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 "
            "sm_90.\nCUDA kernel failed : no kernel image is available for execution on the device")
    assert "gpu_arch_unsupported_by_torch_build" in findings(text)
