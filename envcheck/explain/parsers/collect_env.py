"""``python -m torch.utils.collect_env`` output, in every format it has had.

The script prints ``Key: value`` lines (https://github.com/pytorch/pytorch/blob/main/torch/utils/collect_env.py).
What changed over the years, and what the values mean:

* booleans were ``Yes``/``No`` until 1.x and ``True``/``False`` since;
* a missing value is ``Could not collect``; ``No CUDA`` replaces the CUDA fields when
  torch sees no CUDA and nvidia-smi/nvcc found nothing; ``N/A`` means torch could
  not be imported (or the field does not apply, e.g. ROCm on a CUDA build);
* ``CUDA used to build PyTorch: None`` is a CPU-only build (``torch.version.cuda`` is None);
  so is ``Could not collect`` there, printed instead of ``None`` when nvidia-smi or nvcc answered;
* ``CUDA runtime version`` is the *system* ``nvcc --version``, not torch's runtime;
* ``GPU models and configuration`` is ``nvidia-smi -L`` without UUIDs, on the same line
  for one GPU or on the following lines for several;
* ``Nvidia driver version`` is parsed from nvidia-smi's ``Driver Version:`` header, so
  drivers ≥ R610 (``KMD Version:``) print ``Could not collect`` there;
* ``cuDNN version`` lists libcudnn files found by ``ldconfig -p`` (or ``where`` on
  Windows), one per line after ``Probably one of the following:``.

Package lines (``[pip3] …``, ``[conda] …``) are read by ``packages.py``.
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Tuple

from envcheck.explain.gpu_names import mentions
from envcheck.explain.parsers.system import describe_os, python_platform, set_kernel, set_os
from envcheck.explain.partial import REPORT, STATED, Found
from envcheck.explain.source import Pasted
from envcheck.facts import LibraryFile
from envcheck.lazyre import lazy
from envcheck.reading import Status

SOURCE = "collect_env"

MISSING = {"could not collect", "no cuda", "n/a", "", "none found"}
_KEY = lazy(r"^\s*(?:[-*]\s+)?([A-Za-z][^:]{0,60}?):\s?(.*)$")
# GitHub issue templates ask "PyTorch Version (e.g., 1.0):"; the example is not part of the key.
_EXAMPLE = lazy(r"\s*\((?:e\.g\.|eg\.|ex\.)[^)]*\)")
# The keys read below, at a line's start (one scan of the text finds the lines).
_KEYS = ("pytorch version", "cuda used", "rocm used", "python version", "platform", "is cuda available",
         "cuda runtime version", "nvidia driver version", "gpu models", "cudnn version")
# At a line's start (Pasted.lines_starting), in the lower-case text.
_OS_KEY = lazy(r"[ \t]*(?:[-*][ \t]+)?os[ \t]*(?:\([^)\n]{0,40}\))?[ \t]*:")
_GPU_LINE = lazy(r"^\s*GPU (\d+): (.+?)(?:\s+\(UUID: [^)]*\))?\s*$")
_CUDNN_NAME = lazy(r"(?:lib)?cudnn\w*?(?:\.so(?P<so>(?:\.\d+)*)|64_(?P<dll>\d+)\.dll|\.dylib)(?![\w.])")


def _bool(value: str) -> Optional[bool]:
    return {"yes": True, "true": True, "no": False, "false": False}.get(value.strip().lower())


def _present(value: str) -> bool:
    return value.strip().lower() not in MISSING


def cudnn_file(text: str) -> Optional[LibraryFile]:
    """A path such as ``/usr/lib/x86_64-linux-gnu/libcudnn.so.9.8.0`` → a LibraryFile."""
    t = text.strip()
    m = _CUDNN_NAME.search(t) if "cudnn" in t.lower() else None
    if not m:
        return None
    name = m.group(0)
    before = t[:m.start()]
    drive = list(re.finditer(r"[A-Za-z]:\\", before))
    if drive:  # a Windows path may hold spaces: it starts at its drive letter
        path, origin = t[drive[-1].start():m.end()], "cuda_home"
    else:
        path, origin = before.rsplit(None, 1)[-1] + name if before and not before[-1].isspace() else name, "ldconfig"
    version = m.group("dll") or (m.group("so") or "").lstrip(".") or None
    return LibraryFile(name=name, path=path, version=version, origin=origin)


# collect_env's package rows ("[pip3] numpy==1.26.4", "[conda] pytorch 2.1.0 ..."): its own filter
# (torch/utils/collect_env.py, get_pip_packages / get_conda_packages) keeps torch's rows always.
_ROW = lazy(r"^\s*\[(?:pip\d?|conda)\]\s+(?P<name>\S+)")
_TORCH_ROW = lazy(r"^(?:torch|pytorch)(?:[=\s]|$)", re.IGNORECASE)


def _torch_version(f: Found, value: str, i: int, lines: Tuple[str, ...] = ()) -> None:
    if value.strip().upper() == "N/A":
        f.note("collect_env could not import torch (\"PyTorch version: N/A\"): it is not installed, "
               "or `import torch` fails in that environment")
        rows = _package_rows(lines, i)
        if rows and not any(_TORCH_ROW.match(r) for r in rows):
            # An inference from absence: every other claim about it (a program's, a person's, which
            # may say why: "the installer found no torch for this Python") speaks first.
            f.set("torch.installed", False, i, rank=STATED - 1,
                  detail=f"collect_env, line {i + 1}: PyTorch version N/A, and its package rows ({len(rows)}) hold no torch")
    elif _present(value):
        # "2.7.0.dev20250310+cu124 (Nightly)", "2.2.2 (GPU)": the version is the first word.
        m = re.match(r"^\s*v?(\d+\.\d+[\w.+-]*)", value)
        f.set("torch.version", m.group(1) if m else value.strip(), i)
        f.set("torch.installed", True, i)


def _cuda_build(f: Found, value: str, i: int) -> None:
    v = value.strip()
    if v in ("None", "Could not collect"):
        # torch.version.cuda is None. The script prints "None" only when nvidia-smi and nvcc found
        # nothing either; otherwise replace_nones() turns the None into "Could not collect"
        # (collect_env.py, pretty_str). A CUDA build always has the string, and a torch that could
        # not be imported prints "N/A": "Could not collect" is the CPU-only (or ROCm) build.
        f.fail("torch.cuda_build", Status.NOT_FOUND, i, detail=f"CPU-only build (collect_env: CUDA used to build PyTorch: {v})")
    elif re.match(r"^\d+\.\d+", v):
        f.set("torch.cuda_build", re.match(r"^\d+\.\d+", v).group(0), i)


def _hip_build(f: Found, value: str, i: int) -> None:
    if re.match(r"^\d+\.\d+", value.strip()):
        f.set("torch.hip_build", value.strip(), i)


def _os(f: Found, value: str, i: int) -> None:
    info = describe_os(value) if _present(value) else None
    if info:
        set_os(f, info, i)
    elif re.match(r"^\s*(?:Microsoft\s+)?(?:Windows|win32|win-64|win_amd64)\b", value, re.IGNORECASE):
        # An issue template's "OS: Windows", ComfyUI's "OS: win32" (sys.platform): no version.
        f.set("host.os_id", "windows", i)


def _python_version(f: Found, value: str, i: int) -> None:
    m = re.match(r"^\s*(\d+\.\d+(?:\.\d+)?)", value)
    if m:
        f.set("python.version", m.group(1), i)


def _python_platform(f: Found, value: str, i: int) -> None:
    pp = python_platform(value)
    if re.match(r"^\s*Windows-\d", value):
        # platform.platform() on Windows ("Windows-10-10.0.22631-SP0"): collect_env's "Python
        # platform:", the "- Platform:" of transformers' / accelerate's / diffusers' env reports.
        f.set("host.os_id", "windows", i)
    elif pp:
        set_kernel(f, pp[0], i)
        f.set("host.arch", pp[1], i)


def _cuda_available(f: Found, value: str, i: int) -> None:
    b = _bool(value)
    if b is not None:
        f.set("torch.cuda_available", b, i)


def _cuda_runtime(f: Found, value: str, i: int) -> None:
    m = re.match(r"^\s*(\d+\.\d+)(?:\.\d+)?\s*$", value)
    if m:
        f.set("toolkit.nvcc_version", m.group(1), i,
              detail=f"collect_env 'CUDA runtime version' (the system nvcc), line {i + 1}")


def _driver(f: Found, value: str, i: int) -> None:
    m = re.match(r"^\s*(\d{2,4}\.\d+(?:\.\d+)?)\s*$", value)
    if m:
        f.set("nvml.driver_version", m.group(1), i)


def _gpus(f: Found, value: str, i: int, lines: Tuple[str, ...]) -> None:
    first = _GPU_LINE.match(value)
    if first:
        f.gpu(int(first.group(1)), i, name=first.group(2).strip())
        return
    if _present(value):
        named = mentions(value)
        if named:  # a person filling in an issue template: "GPU models and configuration: 2x RTX 3090"
            for name, words in named:
                f.gpu(None, i, rank=STATED, name=name)
        elif re.search(r"nvidia|geforce|tesla|quadro|titan", value, re.IGNORECASE):
            # macOS / ROCm builds print torch.cuda.get_device_name() instead of nvidia-smi -L.
            f.gpu(0, i, name=value.strip())
        return
    if value.strip():
        return  # "Could not collect" / "No CUDA": nothing to say
    for j in range(i + 1, min(i + 65, len(lines))):
        line = lines[j]
        m = _GPU_LINE.match(line)
        if m:
            f.gpu(int(m.group(1)), j, name=m.group(2).strip())
        elif line.strip() and not line.strip().startswith("MIG "):
            break


def _cudnn(f: Found, value: str, i: int, lines: Tuple[str, ...]) -> None:
    candidates: List[Tuple[str, int]] = []
    if value.strip().lower().startswith("probably one of the following"):
        for j in range(i + 1, min(i + 40, len(lines))):
            if not lines[j].strip() or _KEY.match(lines[j]) and not lines[j].strip().startswith(("/", "C:")):
                break
            candidates.append((lines[j], j))
    elif _present(value):
        candidates.append((value, i))
    for text, j in candidates:
        lib = cudnn_file(text)
        if lib:
            f.item("toolkit.libraries", lib.path, lib, j)


Handler = Callable[[Found, str, int], None]
_SIMPLE: Dict[str, Handler] = {
    "cuda used to build pytorch": _cuda_build,
    "rocm used to build pytorch": _hip_build,
    "os": _os,
    "python version": _python_version,
    "python platform": _python_platform,
    "platform": _python_platform,
    "is cuda available": _cuda_available,
    "cuda runtime version": _cuda_runtime,
    "nvidia driver version": _driver,
}
_BLOCK = {"gpu models and configuration": _gpus, "cudnn version": _cudnn, "pytorch version": _torch_version}


def _package_rows(lines: Tuple[str, ...], i: int) -> List[str]:
    """The package names of the "Versions of relevant libraries" block after line ``i``
    ("Could not collect" is no row)."""
    out: List[str] = []
    for j in range(i + 1, min(len(lines), i + 120)):
        m = _ROW.match(lines[j])
        if m:
            if m.group("name").lower() not in ("could", "no"):  # "Could not collect", "No relevant packages"
                out.append(m.group("name"))
        elif out and lines[j].strip():
            break
    return out


def _keyed(line: str) -> Optional[Tuple[str, str]]:
    """(key, value) of a "Key: value" line whose key parse reads; None otherwise (read once per
    distinct line: Pasted.read)."""
    m = _KEY.match(line)
    if not m:
        return None
    key = m.group(1)
    key = (_EXAMPLE.sub("", key) if "(" in key else key).strip().lower()
    return (key, m.group(2)) if key in _SIMPLE or key in _BLOCK else None


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, REPORT)
    lines, read = doc.lines, doc.read
    for i in sorted(set(doc.lines_containing(*_KEYS)) | set(doc.lines_starting(_OS_KEY, lower=True))):
        keyed = read(_keyed, lines[i])
        if keyed is None:
            continue
        key, value = keyed
        if key in _SIMPLE:
            _SIMPLE[key](f, value, i)
        elif key in _BLOCK:
            _BLOCK[key](f, value, i, doc.lines)
    return f
