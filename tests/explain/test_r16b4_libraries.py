"""Branch r16b4: a CUDA library missing as short reports tell it (rules/library_dialogs.py):
.NET's System.DllNotFoundException and Torch7's cuDNN bindings (messages.toml, block r16b4), a
person naming the missing file in their own words, in several languages
(explain/parsers/library_missing_prose.py); and torch's Python globals missing from an extension
imported before torch (rules/linking.py: not an extension built for another torch).

Texts written for the test from the programs' format strings: .NET's Arg_DllNotFoundException
("Unable to load DLL '{0}': …" / "… or one of its dependencies: …"), soumith/cudnn.torch
cudnn/ffi.lua ("'libcudnn (R5) not found in library path."), glibc elf/dl-lookup.c ("undefined
symbol: …"); the sentences are the shapes short reports take, with their near-misses."""

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


# --- .NET and Torch7 --------------------------------------------------------------------------
def test_dotnet_dll_not_found_for_cudnn_is_a_missing_library() -> None:
    f = _findings("I'm getting a DllNotFoundException on GpuContext.cs:26.\n\nAdditional information: Unable to load "
                  "DLL 'cudnn64_6.dll': The specified module could not be found. (Exception from HRESULT: 0x8007007E)\n")
    assert f["cuda_library_missing"][0] == "error"


def test_dotnet_core_form_with_dependencies() -> None:
    f = _findings("Unhandled exception. System.DllNotFoundException: Unable to load DLL 'cublas64_11.dll' or one of its "
                  "dependencies: The specified module could not be found. (0x8007007E)\n")
    assert "cuda_library_missing" in f


def test_dotnet_other_dll_says_nothing_about_cuda() -> None:
    f = _findings("System.DllNotFoundException: Unable to load DLL 'SQLite.Interop.dll': The specified module could "
                  "not be found. (Exception from HRESULT: 0x8007007E)\n")
    assert "cuda_library_missing" not in f


def test_torch7_cudnn_release_names_the_soname() -> None:
    _, report = diagnose(source.normalise(
        "/root/torch/install/bin/luajit: /root/torch/install/share/lua/5.1/cudnn/ffi.lua:1603: 'libcudnn (R5) not "
        "found in library path.\nPlease install CuDNN from https://developer.nvidia.com/cuDNN\n"), collected_at="")
    f = next(f for f in report.findings if f.id == "cuda_library_missing")
    assert "libcudnn.so.5" in f.explanation and "cuDNN 5" in f.explanation


# --- the person's words -----------------------------------------------------------------------
@pytest.mark.parametrize("said", [
    "Under  「waifu2x-caffe ver 1.1.7.1」,\nCalling cuDNN failed, cannot find 「cudnn64_5.dll」 \nWindows 7 x64",
    "When I run it, it can't find cublas64_11.dll. I have CUDA 12.1 installed.",
    "The error says libcudnn.so.8 not found",
    "It tells me cudnn_cnn_infer64_8.dll does not exist",
    "运行的时候提示找不到 cudnn64_8.dll，cuda 是 11.6",
    "启动后缺少 cublasLt64_12.dll",
    "実行すると cudnn_ops_infer64_8.dll が見つかりません と出ます",
    "실행하면 cudnn64_8.dll 을 찾을 수 없습니다 라고 나옵니다",
    "При запуске пишет, что не найден cudnn64_8.dll",
    "Al ejecutar dice que no se encuentra cudnn64_8.dll",
    "No funciona: no se encuentra cublas64_12.dll",
    "I'm trying to run the webui and it still can't find cudnn_cnn_infer64_8.dll even after adding it to PATH",
    "Ao executar aparece que cudnn64_8.dll não foi encontrado",
])
def test_person_names_a_missing_cuda_library(said: str) -> None:
    assert _said(said)
    assert _findings(said)["cuda_library_missing"] == ["error", "likely"]


@pytest.mark.parametrize("said", [
    "cudnn64_8.dll is not missing, I checked the folder.",
    "I checked and cudnn64_8.dll exists in C:\\Program Files\\NVIDIA\\CUDNN\\v8.9\\bin",
    "Is cudnn64_8.dll missing from the torch package?",
    "If cudnn64_8.dll is not found, install cuDNN and add it to PATH.",
    "cudnn64_8.dll was missing, after copying it into the bin folder it works now.",
    "找不到 cudnn64_8.dll 的问题已经解决了",
    "Previously I got cudnn64_8.dll not found, that part is fine now; the issue is the output quality.",
    "之前提示找不到 cudnn64_8.dll，现在是另一个问题",
    "zlibwapi.dll not found",  # cuDNN 8's dependency, not a CUDA library
    "nvcuda.dll is missing",  # the driver's, not a CUDA library
    "libnccl-net.so not found, using internal implementation",  # NCCL's optional plugin
    "WARNING: libcudart.so not found",  # a program's log line, not the person's words
    "[2024-05-01 10:00:00] libcublas.so.12 not found, falling back to the CPU",
    "nccl.so not found, trying the system copy",
])
def test_near_misses_say_nothing(said: str) -> None:
    assert not _said(said)
    assert "cuda_library_missing" not in _findings(said)


def test_tensorflow_log_line_is_left_to_its_message() -> None:
    """TensorFlow's own line is read from messages.toml (a warning: it goes on on the CPU); the
    prose reader does not turn it into an error."""
    log = ("2021-05-01 10:00:00.000000: W tensorflow/stream_executor/platform/default/dso_loader.cc:60] Could not load "
           "dynamic library 'cudart64_110.dll'; dlerror: cudart64_110.dll not found\n")
    assert not _said(log)
    assert _findings(log).get("cuda_library_missing", ["warning"])[0] == "warning"


def test_tool_message_wins_over_the_persons_words() -> None:
    text = ("It can't find cudnn_ops_infer64_8.dll.\n"
            "Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!\n")
    _, report = diagnose(source.normalise(text), collected_at="")
    f = [f for f in report.findings if f.id == "cuda_library_missing"]
    assert len(f) == 1 and f[0].confidence.value != "likely"


# --- torch's Python globals -------------------------------------------------------------------
def test_thp_global_missing_is_an_import_order_not_another_torch() -> None:
    f = _findings("If I import my extension\n\n    import smtl_cuda\n\nI get the error:\n\n"
                  "    ImportError: ./smtl_cuda.so: undefined symbol: THPVariableClass\n")
    assert "extension_built_for_other_torch" not in f


def test_mangled_torch_symbol_still_means_another_torch() -> None:
    f = _findings("ImportError: /opt/conda/lib/python3.10/site-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: "
                  "undefined symbol: _ZN3c104cuda9SetDeviceEi\n")
    assert "extension_built_for_other_torch" in f
