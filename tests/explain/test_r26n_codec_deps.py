"""Round 26 n: two causes the catalogue lacked (rules/codec_deps.py, messages.toml's r26n block,
explain/parsers/zlib_prose.py and nvenc_prose.py).

* ``cudnn_zlib_missing``: cuDNN 8.3-8.9 on Windows without zlibwapi.dll, from cuDNN's own loader
  line or from a person saying the DLL is missing (any language);
* ``driver_too_old_for_nvenc_api``: an NVENC encoder built for a newer NVENC API than the driver,
  from FFmpeg's (libavcodec/nvenc.c), the Video Codec SDK's and OBS's own lines, or from a person
  comparing the requirement with their older driver.

Texts written for the test after the shapes of real reports (lazydog28/mc_auto_boss#287,
VOICEVOX/voicevox_engine#592, HandBrake/HandBrake#6506 and #5725, obsproject/obs-studio#8723,
keylase/nvidia-patch#585), each class with near-misses that must stay silent: another DLL, a
question, a denial, a fix that ended it, advice, the encode library missing rather than too old, a
driver shown new enough, a working NVENC log."""

from __future__ import annotations

import pytest

from envcheck.rules.finding import Confidence
from tests.rules.test_unseen_classes import errors, findings

ZLIB = "cudnn_zlib_missing"
NVENC = "driver_too_old_for_nvenc_api"

SMI_560 = """+-----------------------------------------------------------------------------------------+
| NVIDIA-SMI 560.94                 Driver Version: 560.94         CUDA Version: 12.6     |
|-----------------------------------------+------------------------+----------------------+
| GPU  Name                  Driver-Model | Bus-Id          Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |
|=========================================+========================+======================|
|   0  NVIDIA GeForce RTX 3060      WDDM  |   00000000:01:00.0  On |                  N/A |
|  0%   45C    P8             15W /  170W |     812MiB /  12288MiB |      3%      Default |
+-----------------------------------------+------------------------+----------------------+
"""


# ------------------------------------------------------------------ cuDNN's zlib DLL
@pytest.mark.parametrize("text", [
    "Could not locate zlibwapi.dll. Please make sure it is in your library path!",
    "CUDA-version: 11070 (11070), cuDNN: 8.4.1, GPU count: 1\n 0 : compute_capability = 860, cudnn_half = 0\n"
    "Could not locate zlibwapi.dll. Please make sure it is in your library path!",
    "用GPU的时候一直提示这个：Could not locate zlibwapi.dll. Please make sure it is in your library path! 然后就退出了",
    "Could not load library zlibwapi.dll. Error code 193. Please verify that the library is built correctly for your "
    "processor architecture (32-bit, 64-bit)",
])
def test_cudnn_says_zlibwapi_is_missing(text):
    f = findings(text)
    assert ZLIB in f and f[ZLIB].confidence is Confidence.CONFIRMED


@pytest.mark.parametrize("text", [
    "提示zlibwapi.dll找不到，这个是干嘛用的",
    "CUDAのバージョンアップをしたことで、必要な動的ライブラリ(`zlibwapi.dll`)が不足してしまい、音声合成に失敗します。",
    "When I run on the GPU it says zlibwapi.dll is missing and the program exits.",
    "onnxruntime-gpu on Windows 10: it can't find zlibwapi.dll, CPU works.",
    "Al usar la GPU no se encuentra zlibwapi.dll y el programa se cierra.",
])
def test_a_person_says_zlibwapi_is_missing(text):
    f = findings(text)
    assert ZLIB in f and f[ZLIB].confidence is Confidence.LIKELY


@pytest.mark.parametrize("text", [
    "Do I need zlibwapi.dll for cuDNN 8.9 on Windows?",  # a question
    "Is zlibwapi.dll missing? where.exe finds it in the CUDA bin folder.",  # a question, then a check
    "zlibwapi.dll is not missing, it is in C:\\tools\\zlib and on the PATH.",  # a denial
    "After copying zlibwapi.dll into the CUDA bin folder it works now.",  # a fix that ended it
    "zlibwapi.dll was missing at first, solved by downloading it from the cuDNN guide.",  # over
    "You might need zlibwapi.dll if cuDNN complains.",  # advice
    "I installed zlib (zlibwapi.dll) as the cuDNN install guide says and training runs on the GPU.",  # no failure
    "Could not locate cudnn_ops_infer64_8.dll. Please make sure it is in your library path!",  # another DLL
    "按照官方文档把zlibwapi.dll放到CUDA的bin目录就可以了",  # the fix, in Chinese
])
def test_no_zlib_finding_on_near_misses(text):
    assert ZLIB not in findings(text)


# ------------------------------------------------------------------ NVENC's API version
FFMPEG_OLD = ("[h264_nvenc @ 00000297c5f420c0] Driver does not support the required nvenc API version. Required: 12.2 "
              "Found: 12.1\n[h264_nvenc @ 00000297c5f420c0] The minimum required Nvidia driver for nvenc is (unknown) "
              "or newer\n[vost#0:0/h264_nvenc @ 00000297c5f41e00] Error while opening encoder - maybe incorrect "
              "parameters such as bit_rate, rate, width or height.")


@pytest.mark.parametrize("text", [
    FFMPEG_OLD,
    "ERROR:libav.hevc_nvenc:Driver does not support the required nvenc API version. Required: 13.0 Found: 12.2",
    "[jim-nvenc] Current driver version does not support this NVENC version, please upgrade your driver",
    "RuntimeError: Current Driver Version does not support this NvEncodeAPI version, please upgrade driver",
])
def test_the_encoder_says_the_driver_is_too_old(text):
    f = errors(text)
    assert NVENC in f and f[NVENC].confidence is Confidence.CONFIRMED


@pytest.mark.parametrize("text", [
    "Since upgraded from OBS 27.x to 29.x NVENC not available.\n\n"
    "22:45:40.550: error:   The minimum required Nvidia driver for nvenc is 471.41 or newer",
    "[hevc_nvenc @ 000001f2768adcc0] The minimum required Nvidia driver for nvenc is 551.76 or newer",
])
def test_the_minimum_driver_line_alone_is_likely(text):
    f = findings(text)
    assert NVENC in f and f[NVENC].confidence is Confidence.LIKELY


@pytest.mark.parametrize("text", [
    "The docs state only Nvidia driver 546.33 and later is supported but the latest Nvidia driver on Ubuntu is only "
    "535.x.  I tried v1.7.2 and nvenc is not available in the settings.",
    "NVENC fails to start, my driver is too old and I cannot update it on this laptop.",
    "用nvenc编码报错，驱动版本太低",
    "FFmpeg 7.1 needs driver 570 or newer for nvenc but I have 566.36 installed, so the encoder fails.",
])
def test_a_person_says_the_driver_is_too_old_for_nvenc(text):
    f = findings(text)
    assert NVENC in f and f[NVENC].confidence is Confidence.LIKELY


@pytest.mark.parametrize("text", [
    # the encode library is not there at all (no driver, a container without the video capability)
    "[h264_nvenc @ 0x609786964840] Cannot load libnvidia-encode.so.1\n"
    "[h264_nvenc @ 0x609786964840] The minimum required Nvidia driver for nvenc is (unknown) or newer",
    # the driver the text shows is already new enough: the line is another machine's
    SMI_560 + "\n[hevc_nvenc @ 000001f2768adcc0] The minimum required Nvidia driver for nvenc is 551.76 or newer",
    # NVENC working (NVEncC's own banner)
    "NVEncC (x64) 9.26 (r3972) by rigaya\nGPU            #0: NVIDIA GeForce RTX 3080 (8704 cores, 1800 MHz)[PCIe4x16]"
    "[610.62]\nNVENC / CUDA   NVENC API 13.0, CUDA 13.3, schedule mode: auto",
    "Is my driver too old for NVENC? HandBrake 1.9 lists driver 551.76 or newer.",  # a question
    "HandBrake's docs: NVENC needs driver 546.33 or later.",  # a requirement quoted, nothing failing
    "NVENC requires driver 551.76 or newer; I have 560.94 and it still fails with an out of memory error.",  # newer
    "NVENC failed because the driver was too old; after updating the driver NVENC works now.",  # over
    "My driver is not too old, NVENC still fails with the 10-bit preset.",  # a denial
    "NVENC failed on the old driver 470; with the new driver 535 it works.",  # another driver, now working
])
def test_no_nvenc_finding_on_near_misses(text):
    assert NVENC not in findings(text)
