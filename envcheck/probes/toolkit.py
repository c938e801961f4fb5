"""The CUDA toolkit and GPU libraries on disk.

``nvcc --version``; ``/usr/local/cuda*`` trees (``version.json``, or ``version.txt`` up to
CUDA 11.0); ``CUDA_HOME``/``CUDA_PATH``; ``PATH`` and ``LD_LIBRARY_PATH`` entries; cuDNN
headers (``cudnn_version.h``, Debian's ``cudnn_version_v*.h``, ``cudnn.h`` up to cuDNN 7);
and the CUDA libraries the loader can see (``ldconfig -p``, the ``LD_LIBRARY_PATH``
directories, each toolkit's ``lib64``). Every path is read under ``root`` so tests can
hand in a fake tree; symbolic links are followed inside it.
"""

from __future__ import annotations

import json
import os
import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Tuple

from ..facts import CudaInstall, LibraryFile, ToolkitFacts
from ..reading import Reading, Status
from ..runner import Runner

_NVCC_RELEASE = re.compile(r"release (\d+\.\d+), (V[\w.]+)")
_CUDNN_DEFINE = re.compile(r"^\s*#\s*define\s+CUDNN_(MAJOR|MINOR|PATCHLEVEL)\s+(\d+)", re.M)
_LIBRARY = re.compile(r"^lib(cuda|cudart|cudnn[a-z_]*|nccl|cublas|cublasLt|nvidia-ml)\.so(\.[\d.]+)?$")
_LDCONFIG_LINE = re.compile(r"^\s+(\S+)\s+\(([^)]*)\)\s+=>\s+(\S+)\s*$")
_HEADER_DIRS = ("/usr/include", "/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu")
# ldconfig lives in /sbin, which an ordinary user's PATH often lacks
# (https://github.com/triton-lang/triton/pull/2019).
_LDCONFIG = ("ldconfig", "/sbin/ldconfig", "/usr/sbin/ldconfig")


class _Tree:
    """Paths as the machine names them, read under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def at(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def resolve(self, path: str) -> Optional[str]:
        """Follow symbolic links component by component, absolute targets re-rooted; None on a
        loop, or when a component cannot be looked at (another user's home directory on
        LD_LIBRARY_PATH is EACCES for lstat; a name over NAME_MAX is ENAMETOOLONG)."""
        todo, done, hops = [p for p in path.split("/") if p], [], 0
        while todo:
            name = todo.pop(0)
            if name in ("", "."):
                continue
            if name == "..":
                done = done[:-1]
                continue
            here = self.at("/" + "/".join(done + [name]))
            try:
                is_link = stat.S_ISLNK(os.lstat(here).st_mode)
            except (FileNotFoundError, NotADirectoryError):
                is_link = False  # the rest of the path does not exist either; callers find that out
            except OSError:
                return None
            if is_link:
                hops += 1
                if hops > 40:
                    return None
                try:
                    target = os.readlink(here)
                except OSError:
                    return None
                done = [] if target.startswith("/") else done
                todo = [p for p in target.split("/") if p] + todo
            else:
                done.append(name)
        return "/" + "/".join(done)

    # os.path.isdir/isfile, unlike Path.is_dir/is_file, answer False instead of raising
    # for EACCES or ENAMETOOLONG.
    def is_dir(self, path: str) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.isdir(self.at(real))

    def executable(self, path: str) -> bool:
        real = self.resolve(path)
        return real is not None and os.path.isfile(self.at(real)) and os.access(self.at(real), os.X_OK)

    def read(self, path: str, limit: int = 65536) -> Optional[str]:
        real = self.resolve(path)
        if real is None:
            return None
        try:
            with open(self.at(real), encoding="utf-8", errors="replace") as fh:
                return fh.read(limit)
        except OSError:
            return None

    def listdir(self, path: str) -> List[str]:
        real = self.resolve(path)
        try:
            return sorted(os.listdir(self.at(real))) if real is not None else []
        except OSError:
            return []


def _split(value: Optional[str]) -> Tuple[str, ...]:
    return tuple(value.split(os.pathsep)) if value is not None else ()


def _tree_version(tree: _Tree, path: str) -> Reading:
    """``version.json`` ("cuda" → "version"), else ``version.txt``, else the directory name."""
    text = tree.read(path + "/version.json")
    if text is not None:
        try:
            return Reading.of(str(json.loads(text)["cuda"]["version"]), "version.json")
        except (ValueError, KeyError, TypeError):
            return Reading.fail(Status.ERROR, f"{path}/version.json has no cuda.version")
    text = tree.read(path + "/version.txt")
    m = re.search(r"CUDA Version (\S+)", text or "")
    if m:
        return Reading.of(m.group(1), "version.txt")
    m = re.search(r"cuda-(\d+\.\d+)$", path)
    if m:
        return Reading.of(m.group(1), "from the directory name only")
    return Reading.fail(Status.NOT_FOUND, "no version.json or version.txt")


def _installs(tree: _Tree, cuda_home: Optional[str]) -> Tuple[CudaInstall, ...]:
    candidates = [f"/usr/local/{n}" for n in tree.listdir("/usr/local") if n.startswith("cuda")]
    candidates += [os.path.normpath(cuda_home)] if cuda_home else []
    out: Dict[str, CudaInstall] = {}
    for path in candidates:  # grows while iterating: a link's target is a tree of its own
        real = tree.resolve(path)
        if real is None or path in out or not os.path.isdir(tree.at(real)):
            continue
        link = real if os.path.islink(tree.at(path)) else None
        out[path] = CudaInstall(path, _tree_version(tree, real), link)
        if link and link not in candidates:
            candidates.append(link)  # /usr/local/cuda -> /opt/cuda-12.4
    return tuple(out.values())


def _find_nvcc(tree: _Tree, path_entries: Tuple[str, ...], homes: List[str]) -> Tuple[Optional[str], str]:
    # The first executable along PATH, as shutil.which finds it, but with links followed
    # inside the tree; then the toolkit directories a build system would try.
    for entry in path_entries:
        if entry and tree.executable(entry.rstrip("/") + "/nvcc"):
            return entry.rstrip("/") + "/nvcc", "found on PATH"
    for home in homes + ["/usr/local/cuda"]:
        if tree.executable(home.rstrip("/") + "/bin/nvcc"):
            return home.rstrip("/") + "/bin/nvcc", "not on PATH; found in " + home
    return None, "nvcc is not on PATH, in CUDA_HOME/CUDA_PATH or in /usr/local/cuda/bin"


def _nvcc_version(tree: _Tree, run: Runner, nvcc: Optional[str], where: str) -> Reading:
    if nvcc is None:
        return Reading.fail(Status.NOT_FOUND, where)
    result = run([str(tree.at(nvcc)), "--version"], timeout=20)
    if result.status is not Status.OK:
        return Reading.fail(result.status, result.detail)
    m = _NVCC_RELEASE.search(result.stdout)
    if result.returncode != 0 or not m:
        last = (result.stderr or result.stdout).strip().splitlines()
        return Reading.fail(Status.ERROR, f"nvcc --version: exit {result.returncode}: {last[-1] if last else 'no output'}")
    return Reading.of(m.group(1), m.group(2))  # "12.4", detail "V12.4.131"


def _cudnn_headers(tree: _Tree, dirs: List[str]) -> Tuple[LibraryFile, ...]:
    found: Dict[str, LibraryFile] = {}
    for d in dirs:
        for name in tree.listdir(d):
            if not (name == "cudnn.h" or re.fullmatch(r"cudnn_version(_v\d+)?\.h", name)):
                continue
            path = f"{d.rstrip('/')}/{name}"
            defines = dict(_CUDNN_DEFINE.findall(tree.read(path) or ""))
            real = tree.resolve(path)
            if "MAJOR" not in defines or real is None or real in found:
                continue  # cudnn.h of cuDNN 8+ only includes cudnn_version.h
            version = ".".join(defines.get(k, "0") for k in ("MAJOR", "MINOR", "PATCHLEVEL"))
            found[real] = LibraryFile(name, path, version, "header")
    return tuple(found.values())


def _version_of(file_name: str) -> Optional[str]:
    """libcudnn.so.8.9.7 → "8.9.7"; libcuda.so.580.95.05 → "580.95.05"; libcuda.so → None."""
    m = _LIBRARY.match(file_name)
    return m.group(2)[1:] if m and m.group(2) else None


def _ldconfig(tree: _Tree, run: Runner) -> Tuple[List[LibraryFile], Optional[str]]:
    why = ""
    for exe in _LDCONFIG:
        result = run([exe, "-p"], timeout=10)
        if result.succeeded:
            break
        why = result.detail or f"{exe} -p: exit {result.returncode}"
        if result.status is Status.TIMEOUT:  # the loader cache (or its file system) is stuck: the others would be too
            return [], why
    else:
        return [], why
    out = []
    for line in result.stdout.splitlines():
        m = _LDCONFIG_LINE.match(line)
        # Flags without "64" are 32-bit copies (i386 libcuda.so.1): not what a 64-bit Python loads.
        if not m or not _LIBRARY.match(m.group(1)) or "64" not in m.group(2):
            continue
        real = tree.resolve(m.group(3))
        out.append(LibraryFile(m.group(1), m.group(3), _version_of(os.path.basename(real or m.group(3))), "ldconfig"))
    return out, None


def _scan(tree: _Tree, directory: str, origin: str) -> List[LibraryFile]:
    """One entry per real file: libcudnn.so -> .so.8 -> .so.8.9.7 is reported once, as 8.9.7."""
    out: Dict[str, LibraryFile] = {}
    for name in tree.listdir(directory):
        if not _LIBRARY.match(name):
            continue
        real = tree.resolve(f"{directory.rstrip('/')}/{name}")
        if real is None or real in out or not os.path.isfile(tree.at(real)):
            continue  # a dangling link loads nothing
        base = os.path.basename(real)
        out[real] = LibraryFile(base if _LIBRARY.match(base) else name, real, _version_of(base), origin)
    return list(out.values())


def probe(root: Path, run: Runner, environ: Mapping[str, str]) -> ToolkitFacts:
    tree = _Tree(root)
    path_entries = _split(environ.get("PATH"))
    ld_path = environ.get("LD_LIBRARY_PATH")
    home_var = "CUDA_HOME" if environ.get("CUDA_HOME") else "CUDA_PATH" if environ.get("CUDA_PATH") else None
    cuda_home = environ.get(home_var) if home_var else None
    homes = [environ[v] for v in ("CUDA_HOME", "CUDA_PATH") if environ.get(v)]

    installs = _installs(tree, cuda_home)
    nvcc, where = _find_nvcc(tree, path_entries, homes)
    toolkit_dirs = [tree.resolve(i.path) or i.path for i in installs]

    # nvcc --version (up to 20 s when it hangs) runs while ldconfig does: a machine where both
    # hang costs the slower of the two, not their sum.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="envcheck-nvcc") as pool:
        nvcc_version = pool.submit(_nvcc_version, tree, run, nvcc, where)
        libraries, ldconfig_failed = _ldconfig(tree, run)
        for d in _split(ld_path):
            if d:  # an empty entry means the current directory, which says nothing about this machine
                libraries += _scan(tree, d, "ld_library_path")
        for d in dict.fromkeys(toolkit_dirs):
            libraries += _scan(tree, d + "/lib64", "cuda_home")

        if cuda_home is None:
            home = Reading.fail(Status.NOT_FOUND, "CUDA_HOME and CUDA_PATH are not set")
        else:
            exists = tree.is_dir(cuda_home)
            home = Reading.of(cuda_home, home_var + ("" if exists else "; the directory does not exist"))
        return ToolkitFacts(
            nvcc_path=Reading.of(nvcc, where) if nvcc else Reading.fail(Status.NOT_FOUND, where),
            nvcc_version=nvcc_version.result(),
            cuda_home=home,
            cuda_installs=Reading.of(installs),
            path_cuda_entries=Reading.of(tuple(e for e in path_entries if e and (
                "cuda" in e.lower() or tree.executable(e + "/nvcc")))) if path_entries else Reading.fail(
                Status.NOT_FOUND, "PATH is not set"),
            ld_library_path=Reading.of(_split(ld_path)) if ld_path is not None else Reading.fail(
                Status.NOT_FOUND, "LD_LIBRARY_PATH is not set"),
            cudnn_headers=Reading.of(_cudnn_headers(tree, list(_HEADER_DIRS) + [d + "/include" for d in toolkit_dirs])),
            libraries=Reading.of(tuple(libraries), f"ldconfig -p unavailable ({ldconfig_failed}); directories only"
                                 if ldconfig_failed is not None else None),
        )
