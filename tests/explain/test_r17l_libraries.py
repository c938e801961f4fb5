"""Round 17 (libraries and extensions), from short reports scored before any change:

* a person naming a missing CUDA library file with CJK text run into the name ("找不到cudnn64_8.dll"),
  a question in another clause of the same sentence, "lost" for missing, and a message matched on
  the same line that does not name the file (explain/parsers/library_missing_prose.py);
* cuDNN 9's dispatcher alone: "Invalid handle. Cannot load symbol cudnnGetVersion" (messages.toml r17l);
* a CUDA library lacking another family's symbol (libcusolver needing libcublas's): two releases
  mixed, conflicting_cuda_libraries_loaded (rules/linking.py).
"""

from __future__ import annotations

from typing import Dict, List

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import library_missing_prose


def _findings(s: str) -> Dict[str, List[str]]:
    _, report = diagnose(source.normalise(s), collected_at="")
    return {f.id: [f.severity.value, f.confidence.value] for f in report.findings}


def _said(s: str) -> List[str]:
    return library_missing_prose.parse(source.normalise(s)).notes


# --- the person's words -----------------------------------------------------------------------
@pytest.mark.parametrize("said", [
    "但GPU版本报错说找不到cudnn64_8.dll, 这个肯定是没有的，GPU版本默认找cudnn-8+吗？",
    "运行时提示缺少cublasLt64_12.dll文件",
    "the error says cudnn64_8.dll not found, does the GPU build need cuDNN 8?",
    "When I install onnxruntime-gpu==1.19.2, it will report lost of libcudnn.so.9, which needs cuDNN >=9",
    # a catalogued message ("initialization error") matched on the line, but it does not name the file
    'it will report something like initialization error, cuda_execution_provider.cc, file not found "libcublas.so.11"',
    "Can't find cudnn64_8.dll when I start it",  # not a question's "can"
    "Was getting libcudnn.so.8 not found when running the webui",  # a statement without its subject
])
def test_person_names_a_missing_cuda_library(said: str) -> None:
    assert _said(said)
    assert _findings(said)["cuda_library_missing"] == ["error", "likely"]


@pytest.mark.parametrize("said", [
    "找不到cudnn64_8.dll吗？",  # a question in the clause naming the file
    "Is cudnn64_8.dll missing, or is something else wrong?",
    "cudnn64_8.dll, is it missing?",
    "Could it be that cudnn64_8.dll is missing, since the GPU is old",
    "libcudnn.so.9 is not lost, it is in /usr/lib",
    "cudnn64_8.dll存在，路径也加了",  # the file is there
    "之前找不到cudnn64_8.dll，现在可以了",  # a failure said to be over
    "the GPU was lost after an hour of training",  # no library file named
])
def test_near_misses_say_nothing(said: str) -> None:
    assert not _said(said)
    assert "cuda_library_missing" not in _findings(said)


def test_a_message_naming_the_file_is_still_left_to_the_message() -> None:
    text = "运行报错 Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!\n"
    assert not _said(text)
    assert "cuda_library_missing" in _findings(text)


# --- cuDNN 9's dispatcher ---------------------------------------------------------------------
def test_invalid_handle_for_a_cudnn_symbol_is_a_missing_cudnn() -> None:
    f = _findings("Sanity Checking DataLoader 0:   0%|          | 0/1 [00:00<?, ?it/s]\n"
                  "Invalid handle. Cannot load symbol cudnnGetVersion\nAborted (core dumped)\n")
    assert f["cuda_library_missing"][0] == "error"


def test_invalid_handle_for_a_cublaslt_symbol_is_not_read_as_cudnn() -> None:
    assert "cuda_library_missing" not in _findings("Invalid handle. Cannot load symbol cublasLtCreate\n")


def test_invalid_handle_said_to_be_over_is_no_error() -> None:
    f = _findings('I used to get "Invalid handle. Cannot load symbol cudnnGetVersion", fixed it by adding the wheel '
                  "dir to LD_LIBRARY_PATH and it works now. My question is about the batch size.")
    assert all(sev != "error" for sev, _ in f.values()), f


# --- two CUDA families out of step ------------------------------------------------------------
def test_cusolver_lacking_a_cublas_symbol_is_two_sets_mixed() -> None:
    f = _findings("ImportError: /usr/local/cuda/targets/x86_64-linux/lib/libcusolver.so.11: undefined symbol: "
                  "cublasSetEnvironmentMode, version libcublas.so.12\n")
    assert f["conflicting_cuda_libraries_loaded"] == ["error", "likely"]


def test_same_family_pair_keeps_the_library_path_reading() -> None:
    f = _findings("OSError: /usr/local/cuda-11.1/lib64/libcublas.so.11: undefined symbol: cublasLtHSHMatmulAlgoInit, "
                  "version libcublasLt.so.11\n")
    assert "ld_library_path_conflict" in f and "conflicting_cuda_libraries_loaded" not in f


def test_a_symbol_listing_on_a_working_machine_is_no_finding() -> None:
    f = _findings("$ nm -D /usr/local/cuda/lib64/libcusolver.so.11 | grep cublasSetEnvironmentMode\n"
                  "                 U cublasSetEnvironmentMode@libcublas.so.12\n")
    assert "conflicting_cuda_libraries_loaded" not in f


# --- pip's resolver: a compiled companion pinned to another torch ------------------------------
@pytest.mark.parametrize("log", [
    "ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This "
    "behaviour is the source of the following dependency conflicts.\ntorchaudio 2.1.0+cu118 requires torch==2.1.0, but "
    "you have torch 2.2.0+cu118 which is incompatible.\n",
    "xformers 0.0.27.post2 requires torch==2.4.0, but you have torch 2.3.1+cu121 which is incompatible.\n",
    "ERROR: torchvision 0.5.0 has requirement torch==1.4.0, but you'll have torch 1.5.0 which is incompatible.\n",
])
def test_companion_pinned_to_another_torch(log: str) -> None:
    assert _findings(log)["extension_built_for_other_torch"] == ["error", "likely"]


@pytest.mark.parametrize("log", [
    # a patch release of the same torch: the companion's compiled code still fits
    "torchvision 0.16.0+cu118 requires torch==2.1.0, but you have torch 2.1.2+cu118 which is incompatible.\n",
    # a source build of torch: its companions are built against it from source
    "vllm 0.6.6 requires torch==2.5.1, but you have torch 2.2.0a0+git8ac9b20 which is incompatible.\n",
    # a range, not a pin, and a pure-Python package
    "accelerate 0.20.0 requires torch>=1.10.0, but you have torch 1.9.0 which is incompatible.\n",
    "spacy 3.7.2 requires typer<0.10.0,>=0.3.0, but you have typer 0.15.2 which is incompatible.\n",
])
def test_pip_conflicts_that_do_not_break_a_companion(log: str) -> None:
    assert "extension_built_for_other_torch" not in _findings(log)
