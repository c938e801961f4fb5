"""Round 28 l: two classes in the short forms strangers paste, each with its near-misses.

* cuDNN 8's loader line without its reason ("Error: Could not load library libcudnn_cnn_infer.so.8")
  or its advice line alone ("Please make sure … is in your library path!") → cuda_library_missing,
  likely; where the line with the reason is pasted, that reason decides (libcuda.so under WSL, an
  undefined symbol of another cuDNN copy).
* torchvision's / torchaudio's compiled ops missing from torch ("No such operator torchvision::nms",
  "'_OpNamespace' 'torchvision' object has no attribute 'nms'", torchaudio's "compiled with different
  CUDA versions") → extension_built_for_other_torch, also where the two versions pair (the builds'
  CUDA tags differ); SGLang's "Ignore import error" form is a warning.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

CUDA_LIB = "cuda_library_missing"
OTHER_TORCH = "extension_built_for_other_torch"


@pytest.mark.parametrize("paste", [
    "Right after the model checkpoint is loaded, the following error occurs:\n\n"
    "```\nError: Could not load library libcudnn_cnn_infer.so.8\n```\n",
    "Could not load library cudnn_ops_infer64_8.dll\n",
    "Please make sure libcudnn_cnn_infer.so.8 is in your library path!\n",
    "transcribing fails with: Please make sure cudnn_adv_infer64_8.dll is in your library path!\n",
    "Could not load library libcudnn_ops_infer.so.8.\nAborted (core dumped)\n",
])
def test_cudnn_line_without_reason(paste):
    f = findings(paste)
    assert CUDA_LIB in f
    assert f[CUDA_LIB].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # a failure said to be over
    'I used to get "Could not load library libcudnn_cnn_infer.so.8" but after sudo apt install libcudnn8 it works now.',
    # advice quoted
    'If you see "Please make sure libcudnn_ops_infer.so.8 is in your library path!", add the nvidia/cudnn/lib '
    "folder to LD_LIBRARY_PATH.",
    # a question
    'Does "Could not load library libcudnn_cnn_infer.so.8" mean cuDNN is not installed?',
    # a listing of the library present
    "$ ldconfig -p | grep cudnn_cnn\n"
    "\tlibcudnn_cnn_infer.so.8 (libc6,x86-64) => /lib/x86_64-linux-gnu/libcudnn_cnn_infer.so.8\n",
])
def test_cudnn_line_near_misses(paste):
    f = findings(paste)
    assert CUDA_LIB not in f or f[CUDA_LIB].severity.value != "error"


@pytest.mark.parametrize("paste, other", [
    # the reason is the driver's libcuda.so (WSL's loader path), not cuDNN
    ("Could not load library libcudnn_cnn_infer.so.8. Error: libcuda.so: cannot open shared object file: No such "
     "file or directory\nPlease make sure libcudnn_cnn_infer.so.8 is in your library path!\nAborted\n", None),
    # the reason is another cuDNN copy's symbol
    ("Could not load library libcudnn_cnn_train.so.8. Error: /usr/lib/x86_64-linux-gnu/libcudnn_cnn_train.so.8: "
     "undefined symbol: _ZN5cudnn3cnn34layerNormFwd_execute_internal_implERKNS_7backend11VariantPackEP11CUstream_st"
     "RNS0_18LayerNormFwd_ParamsERKNS1_20NormForwardOperationEmb, version libcudnn_cnn_infer.so.8\n"
     "Please make sure libcudnn_cnn_train.so.8 is in your library path!\n", "ld_library_path_conflict"),
])
def test_cudnn_reason_decides(paste, other):
    f = findings(paste)
    assert CUDA_LIB not in f
    if other:
        assert other in f


@pytest.mark.parametrize("paste", [
    # the versions pair, the builds do not (torch's +cu92 beside PyPI's untagged torchvision)
    "RuntimeError: No such operator torchvision::nms\ntorch 1.4.0+cu92\ntorchvision 0.5.0\n",
    "AttributeError: '_OpNamespace' 'torchvision' object has no attribute 'nms'\n",
    "AttributeError: '_OpNamespace' 'torchaudio' object has no attribute 'forced_align'\n",
    "RuntimeError: No such operator torchaudio::sox_io_load_audio_file\n",
    "RuntimeError: Detected that PyTorch and TorchAudio were compiled with different CUDA versions. PyTorch has "
    "CUDA version 13.0 whereas TorchAudio has CUDA version 12.8. Please install the TorchAudio version that matches "
    "your PyTorch version.\n",
])
def test_companion_ops_missing(paste):
    f = findings(paste)
    assert OTHER_TORCH in f
    assert f[OTHER_TORCH].severity.value == "error"


def test_pairing_tags_named():
    f = findings("RuntimeError: No such operator torchvision::nms\ntorch 1.4.0+cu92\ntorchvision 0.5.0\n")
    assert "no +cu tag" in f[OTHER_TORCH].explanation


@pytest.mark.parametrize("paste", [
    # a failure said to be over
    'I had "RuntimeError: No such operator torchvision::nms"; reinstalling torch and torchvision from the cu118 '
    "index fixed it, everything works now.",
    # advice quoted
    'If you get "operator torchvision::nms does not exist", make sure torch and torchvision come from the same index.',
    # a question
    "Does \"AttributeError: '_OpNamespace' 'torchvision' object has no attribute 'nms'\" mean my torchvision is wrong?",
    # a working listing: the builds match
    "torch 2.1.0+cu118\ntorchvision 0.16.0+cu118\ntorchaudio 2.1.0+cu118\n",
    # another namespace: a person's own extension, not torchvision's
    "AttributeError: '_OpNamespace' 'my_ops' object has no attribute 'scale_shift'\n",
])
def test_companion_ops_near_misses(paste):
    f = findings(paste)
    assert OTHER_TORCH not in f or f[OTHER_TORCH].severity.value != "error"


def test_ignored_torchaudio_check_is_a_warning():
    f = findings("[2026-02-04 11:27:44] Ignore import error when loading sglang.srt.models.midashenglm: Detected that "
                 "PyTorch and TorchAudio were compiled with different CUDA versions. PyTorch has CUDA version 12.8 "
                 "whereas TorchAudio has CUDA version 12.9. Please install the TorchAudio version that matches your "
                 "PyTorch version.\nLoading safetensors checkpoint shards: 100% Completed | 4/4 [00:03<00:00,  "
                 "1.18it/s]\n")
    assert f[OTHER_TORCH].severity.value == "warning"


@pytest.mark.parametrize("paste", [
    "Failed to load libcudnn_cnn_infer.so.8 when I run the webui",
    "Unable to load library cublasLt64_12.dll, the GPU is not used.",
    "It says cannot load libcudnn_ops_infer.so.8 and then aborts",
    "运行时报错，无法加载 cudnn64_8.dll",
    "не удалось загрузить libcudnn.so.8",
    # the verb after the file
    "cudnn64_8.dll を読み込めません",
    "cudnn64_8.dll 을 로드할 수 없습니다",
    "libcudnn_ops_infer.so.8 konnte nicht geladen werden",
    "libcudnn_cnn_infer.so.8 failed to load, then the process aborted",
])
def test_load_said_to_fail(paste):
    f = findings(paste)
    assert CUDA_LIB in f
    assert f[CUDA_LIB].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # the verb is about something else, the file is there
    "Failed to load the model, and libcudnn.so.8 is installed in /usr/lib/x86_64-linux-gnu.",
    # another reason named
    "Failed to load libcudnn_cnn_infer.so.8 because of an undefined symbol in it",
    # over
    "Failed to load libcudnn_cnn_infer.so.8 at first, solved by installing libcudnn8.",
    "cudnn64_8.dll を読み込めませんでしたが、再インストールで解決しました",
    "libcudnn_cnn_infer.so.8 failed to load because of an undefined symbol",
    # another machine
    "Failed to load libcudnn_ops_infer.so.8 on my other server, this one works.",
    # a program's log line, not the person's words
    "[WARNING] Failed to load libnccl-net.so, falling back to the internal implementation",
])
def test_load_said_to_fail_near_misses(paste):
    f = findings(paste)
    assert CUDA_LIB not in f or f[CUDA_LIB].severity.value != "error"


@pytest.mark.parametrize("paste", [
    "Could not load dynamic library 'libcudnn.so.8'\n",
    "Could not load dynamic library 'cudart64_110.dll'\n",
])
def test_tensorflow_line_without_dlerror(paste):
    f = findings(paste)
    assert f[CUDA_LIB].severity.value == "warning"
    assert f[CUDA_LIB].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # TensorFlow's optional libraries: the profiler's CUPTI, TensorRT
    "Could not load dynamic library 'libcupti.so.11.2'\n",
    "Could not load dynamic library 'libnvinfer.so.7'\n",
    # the driver's library is another finding's
    "Could not load dynamic library 'nvcuda.dll'\n",
    # a working machine's line
    "I tensorflow/stream_executor/platform/default/dso_loader.cc:53] Successfully opened dynamic library libcudnn.so.8\n",
])
def test_tensorflow_line_near_misses(paste):
    assert CUDA_LIB not in findings(paste)


@pytest.mark.parametrize("paste", [
    "I have torch 2.1.0 and torchvision 0.15.2 installed and importing torchvision fails.",
    "pytorch 1.7.1, torchvision 0.9.0, the detection demo crashes",
    "我的 torch 是 2.1.0，torchvision 是 0.15.2，运行报错",
    "torch 2.1.0 and torchaudio 2.0.2, import torchaudio fails",
])
def test_pair_said_for_other_torch(paste):
    f = findings(paste)
    assert OTHER_TORCH in f
    assert f[OTHER_TORCH].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    # the pair matches
    "torch 2.1.0 and torchvision 0.16.0, the demo crashes",
    # a change that ended it
    "I upgraded torchvision from 0.15.2 to 0.16.0 with torch 2.1.0 and now it works.",
    # a requirement quoted
    "torchvision 0.15.2 requires torch 2.0.1, the demo crashes",
    # a question
    "Should I use torch 2.1.0 with torchvision 0.15.2? The demo crashes.",
    # an install command (what pip is asked for, not what is there)
    "pip install torch==2.1.0 torchvision==0.15.2\nthe demo crashes",
    # nothing fails
    "I have torch 2.1.0 and torchvision 0.15.2 installed.",
    # another machine
    "On my other machine torch 2.1.0 and torchvision 0.15.2 crash, this one is fine.",
])
def test_pair_said_near_misses(paste):
    assert OTHER_TORCH not in findings(paste)


LOAD_LIBRARY = "OSError: Could not load this library: /usr/local/lib/python3.10/dist-packages/torchaudio/lib/libtorchaudio.so\n"


def test_load_library_wrapper_alone():
    f = findings(LOAD_LIBRARY)
    assert f[OTHER_TORCH].confidence.value == "likely"


@pytest.mark.parametrize("paste, fid", [
    # the loader's reason before it decides: a CUDA runtime that cannot be opened
    ("OSError: libcudart.so.12: cannot open shared object file: No such file or directory\n\nThe above exception "
     "was the direct cause of the following exception:\n\n" + LOAD_LIBRARY, CUDA_LIB),
])
def test_load_library_reason_decides(paste, fid):
    f = findings(paste)
    assert fid in f and OTHER_TORCH not in f


@pytest.mark.parametrize("paste", [
    # torchvision's image extension (libjpeg/libpng as often; torchvision goes on) and torchcodec (FFmpeg)
    "OSError: Could not load this library: /usr/local/lib/python3.10/dist-packages/torchvision/image.so\n",
    "OSError: Could not load this library: /root/venv/lib/python3.10/site-packages/torchcodec/libtorchcodec_core8.so\n",
])
def test_load_library_other_packages(paste):
    assert OTHER_TORCH not in findings(paste)
