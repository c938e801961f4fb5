"""Round 26 l: a CUDA library missing, said in the forms the file-naming readers did not read.

* TensorFlow 0.x/1.x's ``Unable to load cuDNN DSO`` (tensorflow/stream_executor/cuda/cuda_dnn.cc,
  LOG(INFO); TensorFlow 0.5 printed it without the "Couldn't open CUDA library" line before it):
  cuda_library_missing, a warning (TensorFlow goes on without cuDNN).
* The program wants one file and the person has another major of it ("the new DLL from Nvidia is
  called cudnn64_6.dll; the latest build of TensorFlow requires that to be cudnn64_5.dll",
  "paddlepaddle依赖的库是cudnn64_7.dll，…，找到的是cudnn64_8.dll"): the wanted file is missing.
* The library named by its family with a library word ("Could not find cudnn library (looked for
  v5[.1])", "找不到cublas库", "can't find libcudart").
Texts after the shapes of tensorflow#62, #9383, #9735, Theano#5370, Paddle#34837,
tensorflow/models#10335; near-misses: a list of what each version requires, questions, a fix that
ended it, the file also had, another machine, advice, CMake's build status, denials."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

MISSING = "cuda_library_missing"


def test_tensorflow_cudnn_dso_line_alone_is_a_missing_library_warning():
    text = ("I tensorflow/stream_executor/dso_loader.cc:77] LD_LIBRARY_PATH: :/usr/local/cuda-7.0/lib64:/usr/local/lib\n"
            "I tensorflow/stream_executor/cuda/cuda_dnn.cc:1062] Unable to load cuDNN DSO.\n")
    got = findings(text)
    assert MISSING in got and "cuDNN" in got[MISSING].explanation
    assert got[MISSING].severity.value == "warning"


@pytest.mark.parametrize("text", [
    "I tensorflow/stream_executor/dso_loader.cc:128] successfully opened CUDA library libcudnn.so.5 locally",
    "What does 'Unable to load cuDNN' mean in the docs?",  # not the DSO line
])
def test_tensorflow_working_lines_say_nothing_missing(text):
    assert MISSING not in findings(text)


@pytest.mark.parametrize("text, lib", [
    ("Took a little digging but the new DLL from Nvidia is called cudnn64_6.dll; the latest build of TensorFlow "
     "requires that to be cudnn64_5.dll. Crashes importing TensorFlow until this is renamed.", "cudnn64_5.dll"),
    ("Turns out, Tensorflow is searching for 'cudnn64_5.dll' ... The latest 'cudnn-8.0-windows7-x64-v6.0' installs "
     "the following dll: 'cudnn64_6.dll' ... By copying the newer DLL to the DLL name that tensorflow expects, I was "
     "able to get past this issue.", "cudnn64_5.dll"),
    ("后来发现报错中提到paddlepaddle依赖的库是cudnn64_7.dll，我在cuda的目录下搜索，找到的是cudnn64_8.dll，"
     "将该库重命名到cudnn64_7.dll之后，重新启动训练", "cudnn64_7.dll"),
    ("my cuda is 11.0 but it need libcudart.so.10.0, my libcudart.so is libcudart.so.11.0", "libcudart.so.10.0"),
])
def test_wanted_file_not_the_one_installed(text, lib):
    got = findings(text)
    assert MISSING in got and lib in got[MISSING].explanation
    assert got[MISSING].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    # what each version requires: no file said to be had
    "TensorFlow 1.2.1 or earlier requires cuDNN 5.1 ('cudnn64_5.dll'); TensorFlow 1.3 or later requires cuDNN 6 "
    "('cudnn64_6.dll')",
    # a question
    "Does TensorFlow 1.3 require cudnn64_6.dll? I have cudnn64_5.dll installed.",
    # a fix that ended it
    "TensorFlow required cudnn64_5.dll but I had installed cudnn64_6.dll; I installed cuDNN 5.1 and now it works.",
    # the wanted file is had too
    "It needs cudnn64_8.dll and I have cudnn64_8.dll and cudnn64_7.dll installed.",
    # another machine, in the past, everything works here
    "On the old server TensorFlow needed cudnn64_5.dll while this one only has cudnn64_6.dll, and here everything "
    "works fine.",
    # advice
    "FAQ: if TensorFlow requires cudnn64_5.dll and you have cudnn64_6.dll installed, download cuDNN 5.1.",
    # the same major wanted and had
    "TensorFlow needs cudnn64_8.dll and the archive installs cudnn64_8.dll into bin.",
])
def test_wanted_and_had_near_misses_are_quiet(text):
    assert MISSING not in findings(text)


@pytest.mark.parametrize("text", [
    "For some reason, I'm getting an error 'Could not find cudnn library (looked for v5[.1])'.",
    "It says it cannot find the cuDNN library, although CUDA 11.8 is installed.",
    "运行时报错说找不到cublas库",
    "The program can't find libcudart, so the GPU is not used.",
    "the cuBLAS DLLs are missing from the folder",
])
def test_library_named_by_family_said_missing(text):
    got = findings(text)
    assert MISSING in got and got[MISSING].confidence.value == "likely"


@pytest.mark.parametrize("text", [
    "-- Could NOT find CUDNN (missing: CUDNN_LIBRARY_PATH CUDNN_INCLUDE_PATH)",
    "CMake Warning at cmake/Dependencies.cmake:1000: cuDNN library not found. Compiling without cuDNN support",
    "The cuDNN library is not missing, I checked the folder.",
    "Is the cudnn library missing?",
    "the cudnn library was missing before, after installing cuDNN 8.9 it works now",
    "If the cuBLAS library is not found, set LD_LIBRARY_PATH.",
    "cuDNN library found at /usr/lib/x86_64-linux-gnu/libcudnn.so.8, everything runs on the GPU.",
])
def test_family_near_misses_are_quiet(text):
    assert MISSING not in findings(text)


@pytest.mark.parametrize("text", [
    "Ошибка: не найдена библиотека cudnn, хотя CUDA 11.8 установлена",
    "La bibliothèque cuDNN est introuvable au lancement du modèle",
    "Die Bibliothek cuBLAS wurde nicht gefunden",
    "cudnn kütüphanesi bulunamadı",
    "Lỗi: không tìm thấy thư viện cudnn khi chạy",
    "cuDNNライブラリが見つかりません",
    "La librería cudnn no se encuentra",
    "Ao iniciar, a biblioteca cublas não foi encontrada",
])
def test_family_said_missing_in_other_languages(text):
    assert MISSING in findings(text)


@pytest.mark.parametrize("text", [
    "Die Bibliothek cuBLAS fehlt nicht, sie liegt in /usr/lib",  # a denial
    "La bibliothèque cuDNN était introuvable, après l'installation de cuDNN 8.9 tout fonctionne maintenant",  # over
    "Si la bibliothèque cuDNN est introuvable, ajoutez-la au PATH.",  # advice
    "cudnn kütüphanesi bulunamadı hatası çözüldü",  # solved
    "Lỗi không tìm thấy thư viện cudnn đã sửa xong",  # fixed
    "Falls die Bibliothek cuDNN nicht gefunden wird, LD_LIBRARY_PATH setzen.",  # advice
])
def test_family_near_misses_in_other_languages_are_quiet(text):
    assert MISSING not in findings(text)


def test_library_said_not_loadable_is_missing():
    text = ("It complains of 'libcuda.so.1' and 'libnvrtc.so.10.1' can not be loaded. CUDA version reported by "
            "`nvidia-smi` is **10.2**  while the `nvcc` is **10.1**.")
    got = findings(text)
    assert MISSING in got and "libnvrtc.so.10.1" in got[MISSING].explanation


@pytest.mark.parametrize("text", [
    "libcudnn_cnn_infer.so.8 could not be loaded because of an undefined symbol",  # another reason
    "cublas64_11.dll could not be loaded: %1 is not a valid Win32 application",  # another reason
    "cudnn64_8.dll can not be loaded? How do I check?",  # a question
    "cudart64_110.dll could not be loaded before, now it loads fine",  # over
    "libcuda.so.1 cannot be loaded inside the container",  # the driver's library, not a CUDA toolkit one
])
def test_not_loadable_near_misses_are_quiet(text):
    assert MISSING not in findings(text)
