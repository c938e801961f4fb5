"""Dynamic-loader errors and library paths: which library failed, and where one was loaded from.

The glibc loader's messages (catalogued in ``messages.toml``: loader_undefined_symbol,
loader_nccl_symbol, loader_version_not_found, loader_cannot_open, cuDNN 8's ``Could not
load library``) become :class:`~envcheck.facts.LoaderError` records in
``torch.loader_errors``, each with the library that should have provided what was missing:

* by the symbol's name. C libraries prefix their API (``nccl.h``: ``nccl*``, ``cudnn.h``:
  ``cudnn*``, ``cublas_api.h``: ``cublas*``, ``cusparse.h``: ``cusparse*``,
  ``nvJitLink.h``: ``nvJitLink*`` (versioned ``__nvJitLink*_12_4``), ``cufft.h``, ``curand.h``,
  ``cusolver*.h``, ``nvrtc.h``, ``nvml.h``; the runtime ``cuda*``, the driver API ``cu*``);
  C++ symbols name their first namespace after ``_ZN``/``_ZNK``/``_ZTIN``… (Itanium C++
  ABI mangling: a length, then the name): ``c10``, ``at``, ``torch``, ``caffe2``, ``thpp``
  are libtorch's, so an extension outside ``torch/lib`` missing one was built for another
  torch; ``cudnn`` is cuDNN's own;
* by the ``, version libX.so.N`` tail glibc appends for a versioned symbol, and the
  ``GLIBC_``/``GLIBCXX_``/``CXXABI_`` version names of ``version `V' not found``.

The file an ``undefined symbol`` names was loaded: its path (``/usr/local/cuda/lib64``,
``/usr/lib/x86_64-linux-gnu``, a conda ``lib/``, ``site-packages/nvidia/*/lib``) goes into
``torch.loaded_libraries``, and so do ``ldd`` rows (``libcudnn.so.8 => /path (0x…)``) and
``/proc/<pid>/maps`` lines for the NVIDIA libraries.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Optional, Tuple

from envcheck.explain.ldd_listings import Listings
from envcheck.explain.partial import LISTING, TOOL, Found
from envcheck.explain.source import Pasted, normalise
from envcheck.explain.torch_extension_import import under_torch_extension
from envcheck.facts import LibraryFile, LoadedLibrary, LoaderError
from envcheck.lazyre import lazy

SOURCE = "loader"

# C symbol prefix → library (the headers named above). Longest prefix first.
_C_PREFIXES: Tuple[Tuple[str, str], ...] = (
    ("__nvJitLink", "libnvJitLink"), ("nvJitLink", "libnvJitLink"), ("cublasLt", "libcublasLt"),
    ("cublas", "libcublas"), ("cusparse", "libcusparse"), ("cusolver", "libcusolver"), ("cufft", "libcufft"),
    ("curand", "libcurand"), ("cudnn", "libcudnn"), ("nccl", "libnccl"), ("nvrtc", "libnvrtc"),
    ("nvml", "libnvidia-ml"), ("nvtx", "libnvToolsExt"), ("cupti", "libcupti"),
    # Intel's JIT profiling API (jitprofiling.h), which MKL exported until 2024.0; conda's
    # torch builds import it from MKL (https://github.com/pytorch/pytorch/issues/123097).
    ("iJIT_", "mkl"),
)
_CUDA_RUNTIME = lazy(r"^cuda[A-Z]")  # cudaMalloc, cudaGetDeviceCount … (cuda_runtime_api.h)
_CUDA_DRIVER = lazy(r"^cu[A-Z]")  # cuInit, cuMemAlloc_v2 … (cuda.h)
# C++ namespaces → library.
_NAMESPACES = {"c10": "libtorch", "at": "libtorch", "torch": "libtorch", "caffe2": "libtorch", "thpp": "libtorch",
               "cudnn": "libcudnn", "nvinfer1": "libnvinfer"}
# Itanium mangling: _Z, then N (nested) with optional CV qualifiers, or a special name
# (TI typeinfo, TV vtable, TS typeinfo name), then <length><identifier>.
_MANGLED = lazy(r"^_Z(?:T[IVS])?N?[rVK]{0,3}(\d{1,3})")
_VERSION_PROVIDERS = (("GLIBCXX_", "libstdc++"), ("CXXABI_", "libstdc++"), ("GLIBC_", "libc"))
# Families of NVIDIA's libraries: a loaded file of these is worth recording.
_NVIDIA_LIB = lazy(r"^lib(?:cuda|cudart|cudnn\w*|nccl|cublas\w*|cufft\w*|curand|cusparse\w*|cusolver\w*|nvrtc"
                         r"[\w-]*|nvJitLink|nvidia-ml|nvToolsExt|cupti)\.so(?:\.[\d.]+)?$")
# ldd: "\tlibcudnn.so.8 => /usr/local/cuda/lib64/libcudnn.so.8 (0x00007f…)"
_LDD = lazy(r"^\s*(?P<name>lib[\w.+-]+\.so[\w.]*)\s+=>\s+(?P<path>/\S+)\s+\(0x[0-9a-f]+\)\s*$")
# A file listing (find, ls -l, ls -1 with the directory): a path alone at the end of a line.
_LISTED = lazy(r"(?:^|\s)(?P<path>(?:\.|~)?/\S*/(?P<name>lib[\w.+-]+\.so[\w.]*))\s*$")
# /proc/<pid>/maps: "7f12…-7f13… r-xp 00000000 08:01 1234 /usr/lib/x86_64-linux-gnu/libcuda.so.550.90.07"
# The row may come quoted (a Python list of lines: "['7f3a…-7f3b… r-xp … /usr/lib/…/libcudnn.so.8']"),
# after "grep -n"'s "12:" or a pid, so it is searched for, not anchored.
_MAPS = lazy(r"(?:^|[\s'\"\[,:])[0-9a-f]{6,16}-[0-9a-f]{6,16}\s+[r-][w-][x-][ps]\s+[0-9a-f]+\s+\S+\s+\d+\s+"
                   r"(?P<path>/[^\s'\",\]\\]+)")
# LD_DEBUG=libs: "     12345:\tcalling init: /usr/lib/x86_64-linux-gnu/libcudnn.so.8" (glibc elf/dl-init.c,
# call_init) is printed for every object the loader initialised, i.e. the file that was loaded.
_LD_DEBUG_INIT = lazy(r"^\s*\d+:\s+calling init:\s+(?P<path>/\S+)\s*$")
# LD_DEBUG=libs, glibc elf/dl-load.c: _dl_map_object's "file=libnvJitLink.so.12 [0];  needed by
# /…/nvidia/cusparse/lib/libcusparse.so.12 [0]" (the object whose dependency is being looked up was
# loaded), and print_search_path's " search path=/a:/b\t\t(LD_LIBRARY_PATH)": the directories that
# LD_LIBRARY_PATH held, each preceded by the capability subdirectories the loader tries in it
# ("/a/glibc-hwcaps/x86-64-v3", older glibc's "/a/tls/haswell/x86_64"), which are not entries.
_LD_DEBUG_NEEDED = lazy(r"^\s*\d+:\s+file=\S+\s+\[\d+\];\s+needed by\s+(?P<path>/\S+)\s+\[\d+\]\s*$")
_LD_DEBUG_SEARCH = lazy(r"^\s*\d+:\s+search path=(?P<dirs>\S*)\s+\(LD_LIBRARY_PATH\)\s*$")
_CAPABILITY_DIR = lazy(r"(?:^|/)(?:glibc-hwcaps/[\w.-]+|tls(?:/[\w.-]+){0,2}|haswell(?:/x86_64)?|x86_64|avx512_1(?:/x86_64)?)$")


@functools.lru_cache(maxsize=4096)  # a long log repeats its loader errors
def provider(symbol: str, version: str = "") -> str:
    """The library a missing symbol should have come from ("" when its name does not say)."""
    tail = re.match(r"^(lib[\w+-]+?)(?:\.so[\w.]*)?$", version or "")
    if tail:
        return library_family(tail.group(1)) or tail.group(1)
    for prefix, lib in _VERSION_PROVIDERS:
        if symbol.startswith(prefix):
            return lib
    m = _MANGLED.match(symbol)
    if m:
        n = int(m.group(1))
        name = symbol[m.end():m.end() + n]
        return _NAMESPACES.get(name, "") if len(name) == n else ""
    for prefix, lib in _C_PREFIXES:
        if symbol.startswith(prefix):
            return lib
    if _CUDA_RUNTIME.match(symbol):
        return "libcudart"
    if _CUDA_DRIVER.match(symbol):
        return "libcuda"
    return ""


def library_family(name: str) -> str:
    """"libcudnn_cnn_infer.so.8" → "libcudnn", "libcublasLt.so.12" → "libcublasLt" ("" if not NVIDIA's)."""
    base = re.sub(r"\.so.*$", "", name)
    for prefix, lib in _C_PREFIXES:
        if lib.startswith("lib") and base.startswith(lib):
            return lib
    if base in ("libcudart", "libcuda"):
        return base
    return ""


def _path_before(line: str, col: int, name: str) -> str:
    """The path printed in front of a file name the catalogue matched at ``col``
    (the catalogue's group stops at a slash: it names the file, the loader prints its path)."""
    head = line[:col]
    m = re.search(r"((?:[A-Za-z]:)?[^\s:'\"()]*[/\\])$", head)
    return (m.group(1) + name) if m else name


def _loaded(f: Found, path: str, i: int) -> None:
    name = re.split(r"[/\\]", path)[-1]
    if "/" in path and _NVIDIA_LIB.match(name):
        f.item("torch.loaded_libraries", path, LoadedLibrary(name, path), i)


def _on_disk(f: Found, path: str, name: str, i: int) -> None:
    """A listed file of an NVIDIA library: where a wheel or a toolkit put it (not proof that
    it is loaded): in site-packages it came with a pip wheel (nvidia-cudnn-cu12 …), under
    /usr/local/cuda* with a toolkit."""
    if not _NVIDIA_LIB.match(name):
        return
    if "-packages/" in path:
        origin = "python"
    elif re.search(r"/cuda[\w.-]*/(?:targets/[\w-]+/)?lib(?:64)?/", path):
        origin = "cuda_home"
    else:
        return
    version = re.search(r"\.so\.([\d.]+)$", name)
    # A listing ranks below collect_env's own cuDNN lines (the same files, found by ldconfig).
    f.item("toolkit.libraries", path, LibraryFile(name, path, version.group(1) if version else None, origin), i,
           rank=LISTING)


# Who asked for a library the loader could not open, read back from the error up a Python
# traceback: the nearest frame outside the standard library ('File ".../site-packages/mmcv/utils/
# ext_loader.py", line 12', IPython's "File ~/…/mamba_ssm/ops/x.py:11") or import statement
# ("from detectron2 import _C", "---> 11 import selective_scan_cuda", ">>> import torch").
_FRAME = lazy(r'File "(?P<q>[^"]{1,400})", line \d+|File (?P<i>[~/\w.:\\-][^\s:]{0,400}\.py):\d+'
                    r"|(?P<o>/\S{1,400}\.py) in ")
_IMPORT = lazy(r"^\s*(?:-*>\s*\d+\s+|>>>\s*|\d+\s+)?(?:from\s+(?P<a>[\w.]+)\s+import\b|import\s+(?P<b>[\w.]+))")
_PACKAGE = lazy(r"[/\\](?:site|dist)-packages[/\\](?P<pkg>[\w.-]+)")
_STDLIB = lazy(r"[/\\]lib[/\\]python\d[\d.]*[/\\](?!(?:site|dist)-packages)|<frozen")
_LOOKBACK = 25


def _module_of(path: str) -> str:
    if _STDLIB.search(path):
        return ""
    m = _PACKAGE.search(path)
    if m:
        return re.sub(r"\.py$", "", m.group("pkg"))
    parts = re.split(r"[/\\]", path)
    return parts[-2] if len(parts) > 1 else ""


# Without a traceback, the person naming the package whose import failed, on the error's line or the
# two before it ("When I install mmcv-full =1.3.14 / there's an import error : libcudart.so.10.2: …"):
# PyPI distributions that ship CUDA code compiled against torch (their import loads that .so).
_EXTENSION_NAMED = lazy(r"(?<![\w-])(?P<pkg>mmcv(?:[-_]full)?|detectron2|flash[-_]attn|xformers|torch[-_](?:scatter|sparse|cluster"
                              r"|spline[-_]conv)|pytorch3d|apex|deepspeed|vllm|auto[-_]gptq|exllamav2|mamba[-_]ssm|causal[-_]conv1d"
                              r"|maskrcnn[-_]benchmark|spconv|nvdiffrast|tinycudann|MinkowskiEngine|torchvision|torchaudio)(?![\w-])",
                        re.IGNORECASE)


def _named_extension(lines: Tuple[str, ...], i: int) -> str:
    for j in range(i, max(-1, i - 3), -1):
        m = _EXTENSION_NAMED.search(lines[j])
        if m:
            return re.split(r"[-_]", m.group("pkg").lower())[0] if m.group("pkg").lower().startswith("mmcv") \
                else m.group("pkg").lower().replace("-", "_")
    return ""


def _importer(lines: Tuple[str, ...], i: int) -> str:
    """The module whose import failed at line ``i`` ("" when no traceback, import or package is shown)."""
    return _traced_importer(lines, i) or _named_extension(lines, i)


# The frames that load an extension's library for it (torch.ops.load_library → ctypes.CDLL, torch's
# cpp_extension.load): the module whose import failed is the caller above them.
_LOADING_FRAMES = lazy(r"[/\\]torch[/\\](?:_ops\.py|utils[/\\]cpp_extension\.py)|[/\\]ctypes[/\\]__init__\.py")


# torch.ops.load_library's re-raise (torch/_ops.py, torch 2.x: raise OSError(f"Could not load this library:
# {path}") from e), printed after the ctypes error it chains: the library's package is the importer.
_COULD_NOT_LOAD = lazy(r"Could not load this library: (?P<path>\S{1,400})")


def _load_library_owner(lines: Tuple[str, ...], i: int) -> str:
    for line in lines[i:i + 8]:
        m = _COULD_NOT_LOAD.search(line) if "Could not load" in line else None
        if m:
            return _module_of(m.group("path"))
    return ""


def _traced_importer(lines: Tuple[str, ...], i: int, past_loaders: bool = False) -> str:
    for j in range(i - 1 if "Error" in lines[i][:40] else i, max(-1, i - _LOOKBACK), -1):
        line = lines[j]
        if "File" in line or ".py in " in line:
            fm = _FRAME.search(line)
            if fm:
                path = fm.group("q") or fm.group("i") or fm.group("o")
                if past_loaders and _LOADING_FRAMES.search(path):
                    continue
                module = _module_of(path)
                if module:
                    return module
                continue
        if "import" in line:
            im = _IMPORT.match(line)
            if im:
                top = (im.group("a") or im.group("b") or "").split(".")[0]
                if top:
                    return top
    return ""


# A CUDA version the text names in any of the usual ways: "CUDA 11.1", "cuda12.1", "CUDA版本10.2",
# "pytorch-cuda=11.7", "cudatoolkit=11.3", nvcc's "release 11.6", a wheel's or index's "cu111",
# "+cu121". nvidia-smi's header (the driver's CUDA, not an installed one) is left out.
_CUDA_SAID = lazy(r"(?i)(?<![a-z])cuda(?:toolkit)?[\s_=:：-]*(?:の|的)?\s*(?:version|ver\.?|版本|버전|バージョン)?"
                        r"\s*(?:は|은|는|이|号)?[\s:：=是为]*v?(?P<v>\d{1,2}\.\d)(?![\d])"
                        r"|versi[oó]n\s+de\s+cuda\s*(?:es\s+)?:?\s*v?(?P<e>\d{1,2}\.\d)(?![\d])"
                        r"|release (?P<r>\d{1,2}\.\d),"
                        r"|(?<![a-z])cu(?P<t>\d{2,3})(?![\d])")


def _cuda_seen(doc: Pasted) -> Tuple[str, ...]:
    seen = []
    # A log repeats its lines: each distinct line is read once.
    for line in dict.fromkeys(doc.lines[i] for i in doc.lines_containing("cuda", "release ", "cu1", "cu9", "cu8")):
        if "Driver Version" in line or "NVIDIA-SMI" in line or "cannot open shared object" in line:
            continue
        for m in _CUDA_SAID.finditer(line):
            if m.group("t"):
                t = m.group("t")
                v = f"{t[:-1]}.{t[-1]}"
            else:
                v = m.group("v") or m.group("e") or m.group("r")
            if v not in seen:
                seen.append(v)
    return tuple(seen)


def _record(f: Found, m, lines: Tuple[str, ...], offsets: Tuple[int, ...]) -> Optional[LoaderError]:
    i = m.line - 1
    col = m.start - offsets[i]
    line = lines[i]
    if m.id in ("loader_undefined_symbol", "loader_nccl_symbol", "loader_symbol_version_not_defined"):
        symbol = str(m.fact("loader.symbol") or "")
        obj = m.fact("loader.library")
        path = ""
        if obj:
            path = _path_before(line, col, str(obj))
            _loaded(f, path, i)
        return LoaderError("undefined_symbol", path, symbol, provider(symbol, str(m.fact("loader.symbol_version") or "")))
    if m.id == "loader_version_not_found":
        version = str(m.fact("loader.required_version") or "")
        lacking = re.search(r"((?:[^\s:'\"()]*/)?[\w.+-]+\.so[\w.]*):\s*$", line[:col])
        path = lacking.group(1) if lacking else ""
        if path:
            _loaded(f, path, i)
        return LoaderError("version_not_found", path, version, provider(version))
    if m.id in ("loader_cannot_open", "loader_driver_library_missing"):
        name = str(m.fact("loader.library") or "")
        return LoaderError("cannot_open", name, "", library_family(name))
    return None


# "symbol S version V not defined in file F with link time reference" is the versioned form of
# an undefined symbol (glibc elf/dl-lookup.c): recorded the same way.
_LOADER_IDS = ("loader_undefined_symbol", "loader_nccl_symbol", "loader_version_not_found", "loader_cannot_open",
               "loader_driver_library_missing", "loader_symbol_version_not_defined")


def errors_in(text: str) -> Tuple[LoaderError, ...]:
    """The loader errors in any text — for the torch probe's import error, so a live machine
    and a paste give the same records."""
    found = parse(normalise(text))
    return tuple(it.value for it in found.items if it.path == "torch.loader_errors")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, TOOL)
    lines = doc.lines
    found = [m for m in doc.messages if m.id in _LOADER_IDS]
    if found:
        offsets = doc.offsets
        # One error per place: loader_nccl_symbol restates loader_undefined_symbol's match.
        seen = set()
        cuda = None
        for m in found:
            err = _record(f, m, lines, offsets)
            if err is None:
                continue
            key = (err.kind, err.object, err.symbol)
            if m.id == "loader_nccl_symbol" and any(k[0] == "undefined_symbol" and k[2] == err.symbol for k in seen):
                continue
            if key not in seen:
                seen.add(key)
                if err.kind == "cannot_open" and err.provider:
                    if cuda is None:
                        cuda = _cuda_seen(doc)
                    err = dataclasses.replace(err, importer=_importer(lines, m.line - 1), cuda_seen=cuda)
                f.item("torch.loader_errors", "|".join(key), err, m.line - 1)
    for m in doc.messages:
        if m.id == "windows_procedure_not_found":
            # Windows' "undefined symbol" (ERROR_PROC_NOT_FOUND): which import it broke decides whose build it is.
            importer = _traced_importer(lines, m.line - 1, past_loaders=True) or _load_library_owner(lines, m.line - 1)
            if importer and under_torch_extension(lines, m.line - 1, importer):  # not cv2's, numpy's own DLLs
                err = LoaderError("procedure_not_found", m.text.strip(), importer=importer)
                f.item("torch.loader_errors", f"procedure_not_found|{importer}", err, m.line - 1)
            break
    listings = Listings(lines)
    for i, (path, name) in doc.where(_library_on, "=>", ".so"):
        if name is None:
            if listings.keeps(path, i):
                _loaded(f, path, i)
        else:
            _on_disk(f, path, name, i)
    for i, path in doc.where(_ld_debug_needed, "needed by"):
        _loaded(f, path, i)
    searched = doc.first(_ld_debug_search, "(ld_library_path)")
    if searched is not None:
        i, dirs = searched
        f.set("toolkit.ld_library_path", dirs, i, detail=f"LD_LIBRARY_PATH as the loader searched it (LD_DEBUG), line {i + 1}")
    return f


def _ld_debug_needed(line: str) -> Optional[str]:
    m = _LD_DEBUG_NEEDED.match(line)
    return m.group("path") if m else None


def _ld_debug_search(line: str) -> Optional[Tuple[str, ...]]:
    """The LD_LIBRARY_PATH entries of LD_DEBUG's search path, without the capability subdirectories
    the loader adds to each (kept only where the directory itself is not listed, i.e. is an entry)."""
    m = _LD_DEBUG_SEARCH.match(line)
    if not m:
        return None
    dirs = [d for d in m.group("dirs").split(":") if d]
    listed = set(dirs)
    kept = []
    for d in dirs:
        cap = _CAPABILITY_DIR.search(d)
        base = d[:cap.start()] if cap else None
        if cap and (not base or base in listed):
            continue  # "/a/glibc-hwcaps/x86-64-v3" beside "/a"; a bare "glibc-hwcaps/…" is an empty entry's
        if d not in kept:
            kept.append(d)
    return tuple(kept) or None


def _library_on(line: str) -> Optional[Tuple[str, Optional[str]]]:
    """(path, None) for a library a process loaded (ldd, /proc/PID/maps, LD_DEBUG), (path, name)
    for one listed on disk, None otherwise; read once per distinct line (Pasted.where)."""
    if "=>" in line:
        lm = _LDD.match(line)
        return (lm.group("path"), None) if lm else None
    if "/" in line and "-" in line and _MAPS.search(line):
        return _MAPS.search(line).group("path"), None
    if "calling init:" in line and _LD_DEBUG_INIT.match(line):
        return _LD_DEBUG_INIT.match(line).group("path"), None
    if ".so" in line:
        lm = _LISTED.search(line)
        if lm and "cannot open" not in line and "undefined symbol" not in line:
            return lm.group("path"), lm.group("name")
    return None
