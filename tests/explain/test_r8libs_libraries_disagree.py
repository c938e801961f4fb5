"""Libraries that disagree (round 8): what a stranger's paste shows when two copies or two releases
of one NVIDIA library meet.

* glibc's loader complaint names the object that failed; once its path is normalised
  (".../site-packages/cuml/internals/../../../.././libcublas.so.11" is the env's lib/) a conda
  package's copy is told apart from NVIDIA's wheel, and the PyPI 1.13 wheel's known-bad signature
  is kept for the wheel's own copy.
* an extension (not torch) asking for a CUDA runtime soname of a release the text names nowhere
  was built for another CUDA, so for another torch; without the extension, or without any CUDA in
  the text, the library is just missing.
* two versions of one nvidia-nccl wheel in listings, two hosts' NCCL banners with two releases,
  or NCCL's own rank check: the job's ranks do not share one NCCL.
"""

from __future__ import annotations

import pytest

from envcheck.rules.nccl_runtime import _decode
from tests.rules.test_unseen_classes import findings


def _ids(text: str):
    return set(findings(text))


# ---------------------------------------------------------------------------- loader: two copies
CONDA_COPIES = [
    # another package's RPATH reaching the env's lib/ (normalised: /data/mc/envs/tt/lib/libcublas.so.11)
    "ImportError: /data/mc/envs/tt/lib/python3.10/site-packages/cuml/internals/../../../.././libcublas.so.11: "
    "symbol cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11 not defined in file libcublasLt.so.11 with link "
    "time reference",
    # torch's RPATH reaching the env's lib/ from a site-packages given as a variable
    "OSError $ENV_PATH/torch/lib/../../../../libcublas.so.11: undefined symbol: cublasLt_for_cublas_HSS, version "
    "libcublasLt.so.11 when importing torch",
    # a symbol lookup error from the shell, cuSPARSE's family, a miniforge base env
    "python: symbol lookup error: /home/u/miniforge3/lib/python3.11/site-packages/foo/../../../libcusparse.so.12: "
    "undefined symbol: __nvJitLinkComplete_12_4, version libnvJitLink.so.12",
]


@pytest.mark.parametrize("text", CONDA_COPIES)
def test_a_conda_copy_reached_through_a_relative_path_is_a_second_copy(text):
    ids = _ids(text)
    assert "conflicting_cuda_libraries_loaded" in ids, ids
    assert "known_bad_torch_build" not in ids and "ld_library_path_conflict" not in ids, ids


def test_the_wheels_own_copy_keeps_the_known_bad_signature():
    ids = _ids("OSError: /home/u/.local/lib/python3.8/site-packages/nvidia/cublas/lib/libcublas.so.11: undefined "
               "symbol: cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11")
    assert "known_bad_torch_build" in ids, ids


def test_the_signature_without_a_path_keeps_the_known_bad_signature():
    assert "known_bad_torch_build" in _ids("undefined symbol: cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11")


def test_dist_packages_torch_reaching_usr_local_lib_is_not_called_a_conda_copy():
    ids = _ids("OSError: /usr/local/lib/python3.8/dist-packages/torch/lib/../../../../libcublas.so.11: undefined "
               "symbol: cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11")
    assert "conflicting_cuda_libraries_loaded" not in ids or "ld_library_path_conflict" in ids, ids


LOADER_NEAR_MISSES = [
    # the path listed on a working machine
    "$ ls /data/mc/envs/tt/lib/python3.10/site-packages/cuml/internals/../../../.././libcublas.so.11\n"
    "/data/mc/envs/tt/lib/python3.10/site-packages/cuml/internals/../../../.././libcublas.so.11\n"
    ">>> torch.cuda.is_available()\nTrue",
    # a question naming the message, no loader output
    "Has anyone seen 'not defined in file libcublasLt.so.11 with link time reference'? Mine imports fine now.",
    # an unrelated system library's relocation error (ls on CentOS), no CUDA library
    "ls: relocation error: /lib64/libacl.so.1: symbol getxattr, version ATTR_1.0 not defined in file libattr.so.1 "
    "with link time reference",
]


@pytest.mark.parametrize("text", LOADER_NEAR_MISSES)
def test_conda_paths_and_questions_are_no_two_copies(text):
    ids = _ids(text)
    assert not ids & {"conflicting_cuda_libraries_loaded", "known_bad_torch_build", "ld_library_path_conflict"}, ids


# ---------------------------------------------------------------------------- an extension for another CUDA
MMCV_TRACE = """Traceback (most recent call last):
  File "<stdin>", line 1, in <module>
  File "/opt/conda/lib/python3.7/site-packages/mmcv/ops/__init__.py", line 1, in <module>
    from .bbox import bbox_overlaps
  File "/opt/conda/lib/python3.7/site-packages/mmcv/utils/ext_loader.py", line 12, in load_ext
    ext = importlib.import_module('mmcv.' + name)
  File "/opt/conda/lib/python3.7/importlib/__init__.py", line 127, in import_module
    return _bootstrap._gcd_import(name[level:], package, level)
ImportError: libcudart.so.10.2: cannot open shared object file: No such file or directory"""

EXTENSION_OTHER_CUDA = [
    # an index URL's CUDA tag
    "pip install mmcv-full -f https://download.openmmlab.com/mmcv/dist/cu111/torch1.9.0/index.html\n" + MMCV_TRACE,
    # the person's own words, no space between the name and the number
    "ubuntu20.04 + nvidia530.30 + cuda12.1\n" + MMCV_TRACE.replace("10.2", "10.1"),
    # IPython's frames, a CUDA 12 torch named by its wheel tag
    "torch 2.1.2+cu121\n"
    "File ~/miniconda3/envs/mv/lib/python3.10/site-packages/mamba_ssm/ops/selective_scan_interface.py:11\n"
    "---> 11 import selective_scan_cuda\n"
    "ImportError: libcudart.so.11.0: cannot open shared object file: No such file or directory",
    # a bare import line before the error, Chinese prose naming the CUDA
    "我的CUDA版本是11.8\n>>> from detectron2 import _C\n"
    "ImportError: libcudart.so.10.1: cannot open shared object file: No such file or directory",
    # nvcc's release line
    "Cuda compilation tools, release 12.4, V12.4.131\n  File \"/home/u/proj/ops/build.py\", line 3, in <module>\n"
    "    import deform_conv_cuda\nImportError: libcublas.so.11: cannot open shared object file: No such file or directory",
]


@pytest.mark.parametrize("text", EXTENSION_OTHER_CUDA)
def test_an_extension_wanting_another_cudas_runtime_was_built_for_another_torch(text):
    ids = _ids(text)
    assert "extension_built_for_other_torch" in ids, ids
    assert "cuda_library_missing" not in ids, ids


EXTENSION_NEAR_MISSES = [
    # no CUDA named anywhere: the library is missing, whoever asked
    MMCV_TRACE,
    # the CUDA named is the one the soname asks for (11.x shares libcudart.so.11.0)
    "CUDA 11.8\n" + MMCV_TRACE.replace("10.2", "11.0"),
    # torch itself asks: torch's own build, not an extension's
    "cuda 12.1\n  File \"/x/site-packages/torch/__init__.py\", line 199, in <module>\n    _load_global_deps()\n"
    "OSError: libcudart.so.11.0: cannot open shared object file: No such file or directory",
    # no traceback, no import: only a person's words around it
    "I have CUDA 12.1 but something asks for libcudart.so.10.1: cannot open shared object file",
]


@pytest.mark.parametrize("text", EXTENSION_NEAR_MISSES)
def test_without_an_extension_or_another_cuda_the_library_is_missing(text):
    ids = _ids(text)
    assert "extension_built_for_other_torch" not in ids, ids


def test_a_healthy_extension_import_is_no_finding():
    ids = _ids("torch 2.1.2+cu121\n>>> from detectron2 import _C\n>>> import mmcv.ops\n>>> print('ok')\nok")
    assert "extension_built_for_other_torch" not in ids and "cuda_library_missing" not in ids, ids


# ---------------------------------------------------------------------------- NCCL: ranks that disagree
NCCL_DIFFER = [
    # two nodes' pip freeze
    "node 1:\n```\nnvidia-nccl-cu12==2.20.5\n```\nnodes 2,3:\n```\nnvidia-nccl-cu12==2.19.3\n```",
    # pip list rows of two environments
    "$ pip list | grep nccl   # worker-0\nnvidia-nccl-cu12         2.21.5\n"
    "$ pip list | grep nccl   # worker-1\nnvidia-nccl-cu12         2.18.1",
    # collect_env of two machines
    "[pip3] nvidia-nccl-cu11==2.14.3\n[pip3] torch==1.13.1\n---\n[pip3] nvidia-nccl-cu11==2.15.5\n[pip3] torch==1.13.1",
    # two hosts' banners (NCCL_DEBUG=INFO), one job
    "gpu01:2301:2301 [0] NCCL INFO NCCL version 2.18.1+cuda12.1\n"
    "gpu02:4410:4410 [0] NCCL INFO NCCL version 2.19.3+cuda12.3\n"
    "gpu02:4410:4470 [0] NCCL INFO Channel 00/02 :    0   1",
    # pdsh-prefixed banners
    "10.0.0.1: node-a:100:100 [0] NCCL INFO NCCL version 2.17.1+cuda12.0\n"
    "10.0.0.2: node-b:200:200 [0] NCCL INFO NCCL version 2.20.5+cuda12.4",
    # NCCL's own check
    "node-b:200:260 [0] init.cc:1012 NCCL WARN Mismatched NCCL version detected : rank 8 version 22005 rank 0 "
    "version 21903",
]


@pytest.mark.parametrize("text", NCCL_DIFFER)
def test_two_nccl_releases_in_one_job_are_a_mismatch(text):
    assert "nccl_version_mismatch" in _ids(text)


NCCL_NEAR_MISSES = [
    # a comparison of releases in prose (NCCL issues do this all the time)
    "run with nccl version 2.21.5 the loop takes 40 s; run with nccl version 2.18.3 it takes 17 s",
    "I could reproduce the problem with v2.12.7, v2.15.5, and v2.16.5 (NCCL built with CUDA 11.2 each time).",
    # one version on every node
    "gpu01:1:1 [0] NCCL INFO NCCL version 2.19.3+cuda12.3\ngpu02:2:2 [0] NCCL INFO NCCL version 2.19.3+cuda12.3",
    "nvidia-nccl-cu12==2.20.5\nnvidia-nccl-cu12==2.20.5",
    # one banner alone, rank 0 only
    "NCCL version 2.21.5+cuda12.4\nhost:1:1 [0] NCCL INFO Channel 00/32 :    0",
    # the wheels of two CUDA majors side by side (another finding's), one version each
    "nvidia-nccl-cu11==2.14.3\nnvidia-nccl-cu12==2.19.3",
    # an install command and a listing of the result
    "pip install nvidia-nccl-cu12==2.20.5\nSuccessfully installed nvidia-nccl-cu12-2.20.5\nnvidia-nccl-cu12==2.20.5",
]


@pytest.mark.parametrize("text", NCCL_NEAR_MISSES)
def test_one_nccl_per_job_or_prose_comparisons_are_no_mismatch(text):
    assert "nccl_version_mismatch" not in _ids(text)


@pytest.mark.parametrize("code, version", [("22005", "2.20.5"), ("21903", "2.19.3"), ("2803", "2.8.3"),
                                           ("2708", "2.7.8"), ("22703", "2.27.3")])
def test_nccl_version_codes_decode_as_nccl_h_encodes_them(code, version):
    assert _decode(code) == version


NCCL_FILES_DIFFER = [
    # ls -l of a source build's lib and the system's symlink
    "$ ls -lh $NCCL_HOME/lib/libnccl.so.2\nlrwxrwxrwx 1 root root 17 Jul 17 19:02 /workspace/nccl/build/lib/libnccl.so.2 "
    "-> libnccl.so.2.27.0\n$ ls -lh /usr/lib/x86_64-linux-gnu/libnccl.so.2\nlrwxrwxrwx 1 root root 17 Sep 10 2024 "
    "/usr/lib/x86_64-linux-gnu/libnccl.so.2 -> libnccl.so.2.23.4",
    # find over the disk
    "$ find / -name 'libnccl.so.2.*' 2>/dev/null\n/usr/local/nccl2/lib/libnccl.so.2.17.1\n"
    "/opt/conda/lib/libnccl.so.2.19.3",
]


@pytest.mark.parametrize("text", NCCL_FILES_DIFFER)
def test_two_nccl_releases_on_disk_are_a_likely_mismatch(text):
    assert "nccl_version_mismatch" in _ids(text)


NCCL_FILES_NEAR_MISSES = [
    # one release, its symlink chain
    "$ ls -l /usr/lib/x86_64-linux-gnu/libnccl*\n/usr/lib/x86_64-linux-gnu/libnccl.so -> libnccl.so.2\n"
    "/usr/lib/x86_64-linux-gnu/libnccl.so.2 -> libnccl.so.2.18.5\n/usr/lib/x86_64-linux-gnu/libnccl.so.2.18.5",
    # file names without a directory, in prose
    "I thought I was calling libnccl.so.2.8.3 but it is libnccl.so.2.9.9 now, and it works.",
    # the loader's complaint about one file is no listing
    "libnccl.so.2.19.3: cannot open shared object file: No such file or directory",
]


@pytest.mark.parametrize("text", NCCL_FILES_NEAR_MISSES)
def test_one_nccl_on_disk_or_prose_file_names_are_no_mismatch(text):
    assert "nccl_version_mismatch" not in _ids(text)


def test_torchs_nccl_answer_on_the_same_line_meets_the_system_package():
    ids = _ids('python -c "import torch;print(torch.cuda.nccl.version())"  in Terminal, I can see (2, 10, 3).\n'
               "ii  libnccl2  2.15.5-1+cuda11.8  amd64  NVIDIA Collective Communication Library (NCCL) Runtime")
    assert "nccl_version_mismatch" in ids, ids


def test_torchs_nccl_answer_matching_the_system_package_is_no_mismatch():
    ids = _ids('python -c "import torch;print(torch.cuda.nccl.version())"  prints (2, 15, 5)\n'
               "ii  libnccl2  2.15.5-1+cuda11.8  amd64  NVIDIA Collective Communication Library (NCCL) Runtime")
    assert "nccl_version_mismatch" not in ids, ids


# ---------------------------------------------------------------------------- torch's own library in a conda env
def test_torchs_own_library_in_a_conda_env_lacking_a_cuda_symbol_names_both_ways_in():
    ids = _ids("ImportError: /fs/conda/envs/t/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: undefined "
               "symbol: cusparseSpSV_bufferSize, version libcusparse.so.11")
    assert {"conflicting_cuda_libraries_loaded", "ld_library_path_conflict"} <= ids, ids


def test_torchs_own_library_outside_conda_keeps_the_library_path_reading():
    ids = _ids("ImportError: /home/u/venv/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so: undefined "
               "symbol: cusparseSpSV_bufferSize, version libcusparse.so.11")
    assert "ld_library_path_conflict" in ids and "conflicting_cuda_libraries_loaded" not in ids, ids


@pytest.mark.parametrize("said", ["CUDA 버전은 12.1 입니다", "CUDAのバージョンは12.1です", "Mi versión de CUDA es 12.1",
                                  "CUDA-Version 12.1 installiert", "nvcc: Cuda compilation tools, release 12.1, V12.1.105"])
def test_the_cuda_a_person_names_in_several_languages_counts(said):
    ids = _ids(said + "\n" + MMCV_TRACE)
    assert "extension_built_for_other_torch" in ids, ids


# ---------------------------------------------------------------------------- glibc: a version node missing
VERSION_NODES = [
    # a toolkit's cuDNN found for the wheel's sub-library
    "ImportError: /usr/local/cuda-11.2/lib64/libcudnn_ops_infer.so.8: version `libcudnn_ops_infer.so.8' not found "
    "(required by /home/u/.local/lib/python3.8/site-packages/nvidia/cudnn/lib/libcudnn_cnn_infer.so.8)",
    # cuBLASLt of a system CUDA 12 for the wheel's cuBLAS
    "OSError: /usr/local/cuda/lib64/libcublasLt.so.12: version `libcublasLt.so.12' not found (required by "
    "/opt/venv/lib/python3.10/site-packages/nvidia/cublas/lib/libcublas.so.12)",
    # a conda env's cuDNN for torch's own library
    "python: /home/u/miniconda3/envs/a/lib/libcudnn.so.8: version `libcudnn.so.8' not found (required by "
    "/home/u/miniconda3/envs/a/lib/python3.9/site-packages/torch/lib/libtorch_cuda.so)",
]


@pytest.mark.parametrize("text", VERSION_NODES)
def test_a_missing_cuda_version_node_is_two_copies_mixed(text):
    assert "conflicting_cuda_libraries_loaded" in _ids(text)


def test_a_missing_nccl_version_node_is_an_nccl_mismatch():
    ids = _ids("/usr/lib/x86_64-linux-gnu/libnccl.so.2: version `libnccl.so.2' not found (required by "
               "/opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so)")
    assert "nccl_version_mismatch" in ids, ids


VERSION_NODE_NEAR_MISSES = [
    # libstdc++'s version node: another finding's, not two CUDA copies
    "ImportError: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.30' not found (required by "
    "/home/u/miniconda3/lib/python3.10/site-packages/torch/lib/libtorch_python.so)",
    # a question quoting the words without the loader's full line
    "What does \"version `libcudnn.so.8' not found\" mean? My torch imports fine after reinstalling.",
    # glibc's own symbol versions
    "./app: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found (required by ./app)",
]


@pytest.mark.parametrize("text", VERSION_NODE_NEAR_MISSES)
def test_other_version_nodes_and_questions_are_no_cuda_copies(text):
    ids = _ids(text)
    assert not ids & {"conflicting_cuda_libraries_loaded", "ld_library_path_conflict", "nccl_version_mismatch"}, ids


@pytest.mark.parametrize("text", [
    "[rank0]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:"
    "1691, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.20.5\n"
    "[rank1]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:"
    "1691, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.19.3",
    "[1,0]<stdout>:gpu01:100:100 [0] NCCL INFO NCCL version 2.18.1+cuda12.1\n"
    "[1,8]<stdout>:gpu02:200:200 [0] NCCL INFO NCCL version 2.18.3+cuda12.2",
])
def test_ranks_or_tagged_hosts_naming_two_releases_are_a_mismatch(text):
    assert "nccl_version_mismatch" in _ids(text)


def test_every_rank_naming_one_release_is_no_mismatch():
    line = ("[rank{}]: torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/"
            "ProcessGroupNCCL.cpp:1691, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version "
            "2.19.3")
    assert "nccl_version_mismatch" not in _ids("\n".join(line.format(r) for r in range(4)))


def test_a_listed_pypi_113_torch_with_a_conda_copy_failing_is_not_the_known_bad_wheel():
    ids = _ids("torch                     1.13.1\n"
               "ImportError: /data/mc/envs/tt/lib/python3.10/site-packages/cuml/internals/../../../.././libcublas.so.11:"
               " symbol cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11 not defined in file libcublasLt.so.11 "
               "with link time reference")
    assert "conflicting_cuda_libraries_loaded" in ids and "known_bad_torch_build" not in ids, ids


def test_a_listed_pypi_113_torch_with_the_wheels_copy_failing_is_the_known_bad_wheel():
    ids = _ids("torch                     1.13.1\n"
               "OSError: /home/u/.local/lib/python3.8/site-packages/nvidia/cublas/lib/libcublas.so.11: undefined "
               "symbol: cublasLtHSHMatmulAlgoInit, version libcublasLt.so.11")
    assert "known_bad_torch_build" in ids, ids


def test_collect_envs_torch_cuda_counts_for_the_extension_reader():
    ids = _ids("PyTorch version: 2.0.1+cu118\nIs debug build: False\nCUDA used to build PyTorch: 11.8\n" + MMCV_TRACE)
    assert "extension_built_for_other_torch" in ids, ids


def test_collect_envs_torch_cuda_fitting_the_soname_is_no_extension_finding():
    ids = _ids("PyTorch version: 2.0.1+cu118\nCUDA used to build PyTorch: 11.8\n" + MMCV_TRACE.replace("10.2", "11.0"))
    assert "extension_built_for_other_torch" not in ids, ids
