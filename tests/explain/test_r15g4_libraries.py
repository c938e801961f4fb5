"""Branch r15g4: JAX's CUDA wheels behind LD_LIBRARY_PATH (rules/jax_paths.py, XLA's cuSPARSE stub in
messages.toml), LD_DEBUG's search path and "needed by" lines (explain/parsers/loader.py), and a
person saying which NCCL they installed (explain/parsers/nccl_runtime.py).

Texts written for the test from the programs' format strings: xla/tsl/cuda/cusparse_stub.cc
("The cuSPARSE library was not found."), jaxlib/cuda/versions_helpers.cc and jax_plugins/cuda
(_version_check, "Jax plugin configuration error"), glibc elf/dl-load.c (LD_DEBUG=libs: "file=…;
needed by …", " search path=…\t\t(LD_LIBRARY_PATH)"), uv's "+ name==version" rows."""

from __future__ import annotations

from typing import Dict, List

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import loader, nccl_runtime
from tests.explain.helpers import text, values

_PLUGIN = ("ERROR:2025-05-22 12:00:00,000:jax._src.xla_bridge:444: Jax plugin configuration error: Exception when "
           "calling jax_plugins.xla_cuda12.initialize()\n"
           "Traceback (most recent call last):\n"
           '  File "/home/me/.venv/lib/python3.12/site-packages/jax_plugins/xla_cuda12/__init__.py", line 197, '
           "in _version_check\n    version = get_version()\n"
           "RuntimeError: jaxlib/cuda/versions_helpers.cc:81: operation cusparseGetProperty(MAJOR_VERSION, &major) "
           "failed: The cuSPARSE library was not found.\n")
_WHEELS = ("$ uv pip install -U \"jax[cuda12]\"\nResolved 4 packages in 304ms\nInstalled 4 packages in 6.00s\n + jax==0.6.1\n + jax-cuda12-plugin==0.6.1\n + nvidia-cusparse-cu12==12.5.9.5\n"
           " + nvidia-nvjitlink-cu12==12.9.41\n")


def _report(s: str):
    _, report = diagnose(source.normalise(s), collected_at="")
    return report


def _findings(s: str) -> Dict[str, List[str]]:
    r = _report(s)
    return {f.id: [f.severity.value, f.confidence.value] for f in r.findings}


# --- XLA's cuSPARSE stub ---------------------------------------------------------------------

def test_cusparse_stub_alone_is_a_missing_library_and_accounts_for_the_plugin_error():
    r = _report(_PLUGIN)
    ids = {f.id for f in r.findings}
    assert ids == {"cuda_library_missing"}
    assert r.verdict == "error" and not r.judgement.unexplained


def test_cusparse_stub_with_wheels_and_a_toolkit_on_ld_library_path_is_the_path():
    s = _WHEELS + "$ echo $LD_LIBRARY_PATH\n/usr/local/cuda-12.1/lib64:/usr/local/cuda-12.1/extras/CUPTI/lib64\n" + _PLUGIN
    found = _findings(s)
    assert found == {"ld_library_path_conflict": ["error", "likely"]}
    assert not _report(s).judgement.unexplained


def test_wheel_directories_on_ld_library_path_are_no_conflict():
    s = (_WHEELS + "$ echo $LD_LIBRARY_PATH\n/home/me/.venv/lib/python3.12/site-packages/nvidia/cusparse/lib:"
         "/home/me/.venv/lib/python3.12/site-packages/nvidia/nvjitlink/lib\n" + _PLUGIN)
    assert set(_findings(s)) == {"cuda_library_missing"}


def test_local_cuda_without_wheels_stays_a_missing_library():
    # jax[cuda12_local]: no nvidia-* wheels, LD_LIBRARY_PATH is where CUDA is meant to be found
    s = "$ echo $LD_LIBRARY_PATH\n/usr/local/cuda-12.4/lib64\n" + _PLUGIN
    assert set(_findings(s)) == {"cuda_library_missing"}


def test_unable_to_load_with_ld_debug_search_path_and_wheel_library_is_the_path():
    s = ("   1382674:\tfile=libnvJitLink.so.12 [0];  needed by /home/p/.venv/lib/python3.13/site-packages/"
         "jax_cuda12_plugin/../nvidia/cusparse/lib/libcusparse.so.12 [0]\n"
         "   1382674:\tfind library=libnvJitLink.so.12 [0]; searching\n"
         "   1382674:\t search path=/opt/cuda/cuda-12.1/lib64/glibc-hwcaps/x86-64-v3:/opt/cuda/cuda-12.1/lib64:"
         "/usr/local/nccl2/lib\t\t(LD_LIBRARY_PATH)\n"
         "   1382674:\t  trying file=/opt/cuda/cuda-12.1/lib64/libnvJitLink.so.12\n"
         "RuntimeError: Unable to load cuSPARSE. Is it installed?\n")
    assert "ld_library_path_conflict" in _findings(s)


def test_working_jax_with_wheels_and_cuda_on_the_path_says_nothing_wrong():
    s = (_WHEELS + "$ echo $LD_LIBRARY_PATH\n/usr/local/cuda-12.1/lib64\n"
         ">>> import jax\n>>> jax.devices()\n[CudaDevice(id=0)]\n")
    r = _report(s)
    assert not [f for f in r.findings if f.severity.value == "error"]
    assert "ld_library_path_conflict" not in {f.id for f in r.findings}


# --- LD_DEBUG=libs ---------------------------------------------------------------------------

def test_ld_debug_search_path_gives_ld_library_path_without_capability_dirs():
    f = loader.parse(text(
        "      4709:\tfind library=libnvJitLink.so.12 [0]; searching\n"
        "      4709:\t search path=/usr/lib/x86_64-linux-gnu/openmpi/lib:/opt/nvidia/hpc_sdk/Linux_x86_64/24.5/cuda/12.4/"
        "lib64/glibc-hwcaps/x86-64-v3:/opt/nvidia/hpc_sdk/Linux_x86_64/24.5/cuda/12.4/lib64:glibc-hwcaps/x86-64-v3:"
        "glibc-hwcaps/x86-64-v2::/usr/local/cuda/lib64/tls/haswell/x86_64:/usr/local/cuda/lib64\t\t(LD_LIBRARY_PATH)\n"))
    assert values(f)["toolkit.ld_library_path"] == (
        "/usr/lib/x86_64-linux-gnu/openmpi/lib", "/opt/nvidia/hpc_sdk/Linux_x86_64/24.5/cuda/12.4/lib64",
        "/usr/local/cuda/lib64")


def test_ld_debug_runpath_and_system_search_paths_are_not_ld_library_path():
    f = loader.parse(text(
        "      4709:\t search path=/home/me/.venv/lib/python3.12/site-packages/nvidia/cusparse/lib\t\t"
        "(RUNPATH from file /home/me/.venv/lib/python3.12/site-packages/nvidia/cusparse/lib/libcusparse.so.12)\n"
        "      4709:\t search path=/lib/x86_64-linux-gnu:/usr/lib\t\t(system search path)\n"))
    assert "toolkit.ld_library_path" not in values(f)


def test_ld_debug_needed_by_records_the_loaded_library():
    f = loader.parse(text("   7:\tfile=libnvJitLink.so.12 [0];  needed by /x/site-packages/nvidia/cusparse/lib/"
                          "libcusparse.so.12 [0]\n"))
    loaded = [it.value.path for it in f.items if it.path == "torch.loaded_libraries"]
    assert loaded == ["/x/site-packages/nvidia/cusparse/lib/libcusparse.so.12"]


# --- NCCL a person installed -----------------------------------------------------------------

_TORCH_NCCL = "$ python -c \"import torch;print(torch.cuda.nccl.version())\"\n(2, 10, 3)\n"


def _stated_nccl(s: str) -> List[str]:
    f = nccl_runtime.parse(text(s))
    return [it.value.version for it in f.items if it.path == "toolkit.libraries"]


def test_said_installed_nccl_is_a_system_package_claim():
    assert _stated_nccl("Now, I installed nccl-2.15.5.\n") == ["2.15.5"]
    assert _stated_nccl("I have installed NCCL 2.18.3 from the NVIDIA repo\n") == ["2.18.3"]
    assert _stated_nccl("I upgraded libnccl2 to 2.19.3 yesterday\n") == ["2.19.3"]


def test_removed_tried_asked_or_denied_nccl_installs_say_nothing():
    assert _stated_nccl("Before, I installed nccl-2.10.3, after that I removed it.\n") == []
    assert _stated_nccl("I tried to install nccl 2.15.5 but apt failed\n") == []
    assert _stated_nccl("Should I install nccl 2.18.1?\n") == []
    assert _stated_nccl("I have not installed nccl 2.18.1 yet\n") == []
    assert _stated_nccl("NCCL version 2.18.1+cuda12.1\n") == []


def test_said_nccl_other_than_torchs_is_a_likely_mismatch_warning():
    s = "Before, I installed nccl-2.10.3, after that I removed it.\nNow, I installed nccl-2.15.5.\n" + _TORCH_NCCL
    assert _findings(s) == {"nccl_version_mismatch": ["warning", "likely"]}


def test_said_nccl_same_as_torchs_is_nothing():
    assert "nccl_version_mismatch" not in _findings("I installed nccl-2.10.3.\n" + _TORCH_NCCL)


# --- a compiled extension named in prose beside a CUDA runtime of another release -----------------

_ENV = "my environment\ncuda version 11.1\npytorch 1.9.0\n\n"


def test_extension_named_before_the_error_is_its_importer():
    s = _ENV + "When I install mmcv-full =1.3.14\nthere's an import error : libcudart.so.10.2: cannot open shared object file\n"
    found = _findings(s)
    assert "extension_built_for_other_torch" in found and "cuda_library_missing" not in found


def test_import_torch_before_the_error_is_torchs_own_library():
    s = (_ENV + "I installed mmcv-full too.\n>>> import torch\n"
         "ImportError: libcudart.so.10.2: cannot open shared object file: No such file or directory\n")
    assert "extension_built_for_other_torch" not in _findings(s)


def test_extension_named_far_from_the_error_is_no_importer():
    s = (_ENV + "I use mmcv-full 1.3.14.\n\nThe training starts.\nThen after a while:\n\n"
         "OSError: libcudart.so.10.2: cannot open shared object file: No such file or directory\n")
    found = _findings(s)
    assert "extension_built_for_other_torch" not in found and "cuda_library_missing" in found


def test_extension_asking_for_the_cuda_the_text_has_is_a_missing_library():
    s = _ENV + "When I import mmcv\nImportError: libcudart.so.11.0: cannot open shared object file\n"
    found = _findings(s)
    assert "extension_built_for_other_torch" not in found and "cuda_library_missing" in found


def test_torch_build_the_text_shows_counts_but_a_bare_versions_default_does_not():
    err = "When I install mmcv-full =1.3.14\nthere's an import error : libcudart.so.10.2: cannot open shared object file\n"
    shown = "cuda version 11.1\ntorch 1.9.0+cu102\n\n" + err
    assert "extension_built_for_other_torch" not in _findings(shown)  # torch's own cu102 is in the text
    assert "extension_built_for_other_torch" in _findings(_ENV + err)  # "pytorch 1.9.0": cu102 only guessed


# --- torch's own library missing a CUDA runtime / CUPTI symbol -----------------------------------------

_C10 = ("ImportError: /home/u/proj/.venv/lib/python3.12/site-packages/torch/lib/libc10_cuda.so: undefined symbol: "
        "cudaGetDriverEntryPointByVersion, version libcudart.so.12\n")


def test_torch_missing_a_runtime_symbol_is_an_older_runtime_loaded():
    found = _findings(_C10)
    assert found["conflicting_cuda_libraries_loaded"] == ["error", "likely"]
    assert found["ld_library_path_conflict"] == ["warning", "likely"]


def test_torch_missing_a_cupti_symbol_by_its_version_tail():
    found = _findings("ImportError: /x/site-packages/torch/lib/libtorch_cpu.so: undefined symbol: "
                      "cuptiActivityEnableDriverApi, version libcupti.so.12\n")
    assert "conflicting_cuda_libraries_loaded" in found


def test_a_clean_ld_library_path_leaves_only_the_two_copies():
    found = _findings("$ echo $LD_LIBRARY_PATH\n/usr/lib/x86_64-linux-gnu/openmpi/lib\n" + _C10)
    assert "conflicting_cuda_libraries_loaded" in found and "ld_library_path_conflict" not in found


def test_a_symbol_of_no_cuda_library_is_not_a_cuda_runtime_clash():
    found = _findings("ImportError: /x/site-packages/foo/_ext.so: undefined symbol: curl_easy_init\n")
    assert "conflicting_cuda_libraries_loaded" not in found and "ld_library_path_conflict" not in found
