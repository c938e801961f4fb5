"""Two dependencies of GPU programs outside CUDA itself, each with its own failure:

* ``cudnn_zlib_missing``: cuDNN 8.3 to 8.9 on Windows load zlibwapi.dll, which neither the CUDA
  toolkit nor cuDNN installs (NVIDIA cuDNN Installation Guide, "Installing Zlib"; cupy/cupy#6226).
  cuDNN's own "Could not locate zlibwapi.dll" is decisive (messages.toml, ``rules/upstream.py``);
  here, a person saying the DLL is missing (``explain/parsers/zlib_prose.py``) gives it as likely.
* ``driver_too_old_for_nvenc_api``: FFmpeg's NVENC encoders ask the driver for the NVENC API of
  the nv-codec-headers they were built with (libavcodec/nvenc.c, nvenc_load_libraries). "Driver
  does not support the required nvenc API version" is decisive. Its companion "The minimum required
  Nvidia driver for nvenc is N or newer" is printed after that check fails and also when the
  encode library cannot be loaded at all ("Cannot load libnvidia-encode.so.1": no driver, or a
  container without the video capability), so alone it is likely, never where the loader failed
  or where the text's own driver (nvidia-smi, NVML) is already N or newer. A person comparing the
  requirement with an older installed driver (``explain/parsers/nvenc_prose.py``) is likely too.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from envcheck.derived.codec_deps_said import nvenc_said_driver_old, zlib_said_missing
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

_MIN_DRIVER = "ffmpeg_nvenc_minimum_driver"
_NO_LIBRARY = "ffmpeg_nvenc_library_not_loaded"
_DECISIVE_NVENC = ("ffmpeg_nvenc_api_version_unsupported", "nvenc_sdk_driver_too_old")
# A driver version as NVML / nvidia-smi give it ("551.76", "535.104.05"): its major and minor.
_VERSION = re.compile(r"^(\d{3})\.(\d{1,3})")


def _version(text: object) -> Optional[tuple]:
    m = _VERSION.match(str(text or ""))
    return (int(m.group(1)), int(m.group(2))) if m else None


def _driver_new_enough(ctx: RuleContext, minimum: Optional[tuple]) -> bool:
    """The text's own driver version (nvidia-smi, NVML) is at or above the encoder's minimum."""
    drv = ctx.facts.nvml.driver_version
    have = _version(drv.value) if drv.ok else None
    return minimum is not None and have is not None and have >= minimum


def nvenc_minimum_driver(ctx: RuleContext) -> Iterator[Finding]:
    """FFmpeg's minimum-driver line, with or without the API-version line before it."""
    ids = {s.id for s in ctx.stated}
    said = next((s for s in ctx.stated if s.id == _MIN_DRIVER), None)
    if said is None or _NO_LIBRARY in ids:
        return
    minimum = _version(said.fact("detail"))
    if _driver_new_enough(ctx, minimum):
        return  # the driver shown is new enough: the line is another machine's (or another container's)
    decisive = next((s for s in ctx.stated if s.id in _DECISIVE_NVENC), None)
    floor = f"driver {said.fact('detail')} or newer" if minimum else "a newer driver"
    ev = [quote(s) for s in (decisive, said) if s is not None]
    yield make("driver_too_old_for_nvenc_api",
               f"The NVENC encoder (FFmpeg's libavcodec, or a program built on it) needs {floor}: it was built "
               "for a newer NVENC API than this driver provides, so hardware encoding does not start. Update the "
               "NVIDIA driver, or use a build of the program made with older nv-codec-headers.",
               ev, confidence=Confidence.CONFIRMED if decisive else Confidence.LIKELY)


def nvenc_said(ctx: RuleContext) -> Iterator[Finding]:
    """A person says the driver is older than their NVENC program needs, and no encoder line says it."""
    said = nvenc_said_driver_old(ctx.facts)
    if said is None or any(s.id == _MIN_DRIVER or s.id in _DECISIVE_NVENC for s in ctx.stated):
        return
    what, words = said
    compared = f" ({what.replace(' < ', ' is older than ')})" if "<" in what else ""
    yield make("driver_too_old_for_nvenc_api",
               f"The text says the NVIDIA driver is too old for the NVENC encoder{compared}: the program was built "
               "for a newer NVENC API than the driver provides. Update the driver (or use an older build of the "
               "program).", [("the person's words", words)], confidence=Confidence.LIKELY)


def zlib_said(ctx: RuleContext) -> Iterator[Finding]:
    """A person says zlibwapi.dll is missing, and cuDNN's own message is not in the text."""
    said = zlib_said_missing(ctx.facts)
    if said is None or any(s.supports("cudnn_zlib_missing") for s in ctx.stated):
        return
    name, words = said
    yield make("cudnn_zlib_missing",
               f"The text says {name} is missing: cuDNN 8.3 to 8.9 on Windows need the 64-bit zlibwapi.dll on the "
               "PATH, and neither the CUDA toolkit nor cuDNN installs it. Put it in the CUDA (or cuDNN) bin folder, "
               "as NVIDIA's cuDNN installation guide says.", [("the person's words", words)],
               confidence=Confidence.LIKELY)


RULES = (nvenc_minimum_driver, nvenc_said, zlib_said)
