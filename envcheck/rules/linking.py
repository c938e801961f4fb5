"""Findings from the dynamic loader's "undefined symbol" (``derived.linking`` says whose
symbol is missing from whose library).

* a torch symbol missing in an extension: the extension was built for another torch;
* a torch symbol missing in torch's own libraries: two torch builds are mixed;
* ``iJIT_NotifyEvent`` missing in libtorch: MKL too new for conda's torch;
* a CUDA library's version node missing (glibc's "version `libcudnn_ops_infer.so.8' not found
  (required by …)"): the copy found first is another build of it, two copies mixed;
* a CUDA library's symbol missing between two CUDA libraries: two copies mixed, with pip's wheels
  usually a directory on LD_LIBRARY_PATH (https://github.com/pytorch/pytorch/issues/80637).

What a package listing shows before anything is imported is ``rules/listed_builds.py``'s.
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterator, Optional, Tuple

from envcheck.derived.libraries import ld_entries
from envcheck.derived.library_copies import copies_said_to_clash, listing_needs_two_majors
from envcheck.derived.library_said import system_cudnn_said
from envcheck.derived.linking import LoaderFailure, library_owner, loader_failures, symbol_owner
from envcheck.facts import SAID_FAILING
from envcheck.knowledge.archs import decode_cudnn
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.listed_builds import listed_cuda_differs, listed_for_other_torch, listed_torchaudio_for_other_torch


def _ld_known_clean(ctx: RuleContext) -> bool:
    ld = ctx.facts.toolkit.ld_library_path
    env = ctx.facts.env.variables.get({})
    if not (ld.ok or "LD_LIBRARY_PATH" in env):
        return False
    words = ("cuda", "cudnn", "nvidia", "nccl", "tensorrt")
    return not any(w in e.lower() for e in ld_entries(ctx.facts) for w in words)


# A CUDA library file directly in a conda environment's lib/ ("…/envs/NAME/lib/libcublas.so.11",
# "…/miniconda3/lib/…", or torch's RPATH reaching it: "…/torch/lib/../../../../libX.so", four levels
# up from torch/lib being <prefix>/lib in any lib/pythonX.Y/site-packages layout): a conda package's
# copy (cudatoolkit, cudnn), loaded through torch's RPATH whatever LD_LIBRARY_PATH holds — the
# second copy is that package's, not a path entry's. Paths are read once normalised too: another
# package's RPATH reaches the same lib/ as ".../site-packages/cuml/internals/../../../.././libX.so".
_CONDA_LIB_COPY = re.compile(r"(?:/(?:envs/[^/\s]+|(?:ana|mini)conda\d?|miniforge\d?|mambaforge)/lib/"
                             r"|(?<!dist-packages/)torch/lib/(?:\.\./){4})lib(?:cu|nv|nccl)[\w.+-]*\.so")
# torch installed in a conda environment: ".../envs/NAME/lib/python3.10/site-packages/torch/lib/…",
# a base install's ".../miniconda3/lib/python3.9/…".
_CONDA_ENV = re.compile(r"/(?:envs/[^/\s]+|(?:ana|mini)conda\d?|miniforge\d?|mambaforge|micromamba)/lib/python\d")
# The object glibc names before its complaint ("/x/libcublas.so.11: symbol …", "…: undefined symbol: …").
_OBJECT = re.compile(r"(?P<path>[^\s'\"(]+\.so[\w.]*):\s+(?:undefined symbol|symbol\s)")


# A CUDA library file of one of NVIDIA's pip wheels ("site-packages/nvidia/cublas/lib/libcublas.so.11",
# or reached from torch: "torch/lib/../../nvidia/cusparse/lib/libcusparse.so.12"). The wheels one
# torch release pins are built to fit each other, so when the wheel's file lacks a CUDA library's
# symbol, the copy that provided it is another one (a system toolkit's, a conda lib/, a wheel of
# another version): two copies mixed in one process (https://github.com/pytorch/pytorch/pull/174320,
# the system libcublasLt found for the wheel's libcublas).
_WHEEL_LIB_COPY = re.compile(r"-packages[/\\](?:torch[/\\]lib[/\\]\.\.[/\\]\.\.[/\\])?nvidia[/\\][\w-]+[/\\]lib[/\\]"
                             r"lib(?:cu|nv)[\w.+-]*\.so")


def _object_path(text: str) -> str:
    """The complaining object's path as glibc printed it, normalised ("" when the text names none)."""
    m = _OBJECT.search(text)
    if not m or "/" not in m.group("path"):
        return ""
    path = m.group("path")
    return posixpath.normpath(path) if path.startswith("/") else path


def conda_lib_copy(text: str) -> bool:
    """The failing CUDA library is a copy in a conda environment's lib/ (as printed, or normalised)."""
    if _CONDA_LIB_COPY.search(text):
        return True
    path = _object_path(text)
    return bool(path) and bool(_CONDA_LIB_COPY.search(path))


def outside_wheels(text: str) -> bool:
    """The loader's complaint names the failing object's path and that path is neither torch's
    own lib/ nor one of NVIDIA's pip wheels: the copy that failed is a system, conda or another
    package's one."""
    path = _object_path(text)
    if not path:
        return False
    return not (_WHEEL_LIB_COPY.search(path) or re.search(r"[/\\]torch[/\\]lib[/\\][^/\\]+$", path))


def _versioned(ctx: RuleContext) -> Tuple[LoaderFailure, ...]:
    """glibc's "symbol S version V not defined in file F with link time reference": S is
    missing from the copy of F that was loaded, as with an undefined symbol."""
    out = []
    for s in ctx.stated:
        if s.id == "loader_symbol_version_not_defined":
            symbol = str(s.fact("loader.symbol") or "")
            library = s.fact("loader.library")
            out.append(LoaderFailure(s, str(library) if library else None, symbol, symbol_owner(symbol),
                                     library_owner(str(library) if library else None, s.text)))
    return tuple(out)


# The CUDA runtime's API (cuda_runtime_api.h: cudaMalloc, cudaGetDriverEntryPointByVersion, new in 12.5)
# and CUPTI's (cupti_activity.h: cuptiActivityEnableDriverApi) by name, or glibc's ", version
# libcudart.so.12" tail (elf/dl-lookup.c): a symbol torch's own library misses from them means an older
# copy of that library was loaded than the one the wheel brings (a CUDA 12.4 toolkit found first:
# https://github.com/pytorch/pytorch/issues/157381).
_VERSION_TAIL = re.compile(r"^lib(?P<fam>cudart|cupti)\.so", re.I)
_RUNTIME_SYMBOL = re.compile(r"^(?P<fam>cuda|cupti)[A-Z]")


def _runtime_family(lf: LoaderFailure) -> Optional[str]:
    if lf.symbol_owner != "other":
        return None
    m = _VERSION_TAIL.match(str(lf.stated.fact("loader.symbol_version") or "")) or _RUNTIME_SYMBOL.match(lf.symbol)
    return None if m is None else "cudart" if m.group("fam").lower() == "cuda" else m.group("fam").lower()


def _older_runtime_loaded(ctx: RuleContext, lf: LoaderFailure, family: str) -> Iterator[Finding]:
    where = lf.library or "a library"
    evidence = [quote(lf.stated), ("loader.symbol", lf.symbol)]
    yield make("conflicting_cuda_libraries_loaded",
               f"{where} needs {lf.symbol} from lib{family}, and the lib{family} that was loaded lacks it: an older copy "
               f"(a system CUDA toolkit's, a conda lib/) came first instead of the one "
               + ("torch's wheels bring" if lf.library_owner == "torch" else "it was built with")
               + ". Remove that copy from the loader's path, or make the newer one load first.",
               evidence, confidence=Confidence.LIKELY)
    if not _ld_known_clean(ctx):
        yield make("ld_library_path_conflict",
                   "The usual way that older copy comes first is a CUDA toolkit directory on LD_LIBRARY_PATH, searched "
                   "before the wheels' own libraries.", evidence, confidence=Confidence.LIKELY)


# torch/csrc's Python globals (THPVariableClass, THPDtypeType …) are unmangled and in every torch since 0.4:
# one missing means the extension was imported before torch (PyTorch's C++ FAQ, "Undefined symbol errors
# from PyTorch/ATen": "The fix is to import torch before you import your extension"), not another torch.
_THP_GLOBAL = re.compile(r"^THP[A-Z]\w*(?:Class|Type)$")


def undefined_symbols(ctx: RuleContext) -> Iterator[Finding]:
    for lf in loader_failures(ctx.stated) + _versioned(ctx):
        where = lf.library or "a library"
        evidence = [quote(lf.stated), ("loader.symbol", lf.symbol)]
        runtime = _runtime_family(lf)
        if runtime is not None:
            yield from _older_runtime_loaded(ctx, lf, runtime)
            continue
        if lf.symbol_owner == "mkl":
            yield make("mkl_incompatible_with_torch",
                       f"{where} needs {lf.symbol}, which MKL 2024.1 and later no longer export; conda's PyTorch "
                       "builds link against it, so import torch fails until MKL is pinned below 2024.1.",
                       evidence, links=("https://github.com/pytorch/pytorch/issues/123097",))
        elif lf.symbol_owner == "torch" and lf.library_owner == "torch":
            yield make("mixed_torch_installations",
                       f"torch's own library {where} lacks the torch symbol {lf.symbol}: its libraries come from "
                       "two different builds (pip and conda, a nightly over a release, a stale copy).",
                       evidence, confidence=Confidence.LIKELY)
        elif lf.symbol_owner == "torch" and _THP_GLOBAL.match(lf.symbol):
            continue  # torch's Python globals: the extension was imported before torch (see _THP_GLOBAL)
        elif lf.symbol_owner == "torch":
            yield make("extension_built_for_other_torch",
                       f"{where} needs {lf.symbol} from libtorch, which the installed torch does not have: the "
                       "extension was compiled against another PyTorch version. Reinstall or rebuild it for the "
                       "installed torch.", evidence)
        elif lf.symbol_owner == "nccl" or lf.library_owner == "nccl":
            yield make("nccl_version_mismatch",
                       f"{where} and NCCL do not fit together ({lf.symbol} is missing): the NCCL that was loaded is "
                       "not the one PyTorch was built with.", evidence, severity=Severity.ERROR,
                       confidence=Confidence.LIKELY)
        elif lf.symbol_owner not in ("other", "torch", "mkl") or lf.library_owner not in ("other", "torch"):
            family = lf.symbol_owner if lf.symbol_owner != "other" else lf.library_owner
            if conda_lib_copy(lf.stated.text):
                yield make("conflicting_cuda_libraries_loaded",
                           f"{where} lacks {lf.symbol}: the copy of {family} that was loaded is a conda package's, in "
                           "the environment's lib/ (a cudatoolkit or cudnn package), and it does not fit the other "
                           "CUDA libraries torch uses. Remove that package, or install the one matching torch's CUDA.",
                           evidence, confidence=Confidence.LIKELY)
            elif _WHEEL_LIB_COPY.search(lf.stated.text):
                yield make("conflicting_cuda_libraries_loaded",
                           f"{where}, the copy from NVIDIA's pip wheel, lacks {lf.symbol}: the {family} library that "
                           "provided it is another copy (a CUDA toolkit's, a conda lib/, a wheel of another version), "
                           "so two sets of CUDA libraries are mixed in one process.",
                           evidence, confidence=Confidence.LIKELY)
                if not _ld_known_clean(ctx):
                    yield make("ld_library_path_conflict",
                               "The usual way that other copy comes first is a CUDA or cuDNN directory on "
                               "LD_LIBRARY_PATH, searched before the wheels' own libraries.",
                               evidence, confidence=Confidence.LIKELY)
            elif _ld_known_clean(ctx):
                yield make("conflicting_cuda_libraries_loaded",
                           f"{where} lacks {lf.symbol}: two versions of {family} were loaded into one process, and "
                           "LD_LIBRARY_PATH holds none of them; another copy comes first (a conda lib/, "
                           "/etc/ld.so.conf.d, LD_PRELOAD).", evidence, confidence=Confidence.LIKELY)
            else:
                if lf.library_owner == "torch" and _CONDA_ENV.search(lf.stated.text):
                    yield make("conflicting_cuda_libraries_loaded",
                               f"torch's own {where} lacks {lf.symbol}: the {family} library it found is another "
                               "release than the one this torch was built with. In a conda environment that copy is "
                               "usually a conda package the environment resolved to another CUDA release (cudatoolkit, "
                               f"lib{family}…, through torch's RPATH into the environment's lib/); pin it to torch's "
                               "CUDA.", evidence, confidence=Confidence.LIKELY)
                elif lf.library_owner not in ("other", "torch") and lf.symbol_owner not in ("other", lf.library_owner):
                    # two families shipped apart (cuSOLVER needing cuBLAS's symbol): two releases side by side
                    yield make("conflicting_cuda_libraries_loaded", f"{where} lacks {lf.symbol}: it was built with "
                               f"another {lf.symbol_owner} than the one loaded beside it; two sets of CUDA libraries "
                               "are mixed in one process.", evidence, confidence=Confidence.LIKELY)
                yield make("ld_library_path_conflict",
                           f"{where} lacks {lf.symbol}: two versions of {family} are mixed in one process. With "
                           "PyTorch's wheels the usual way a second copy gets loaded first is a CUDA or cuDNN "
                           "directory on LD_LIBRARY_PATH, searched before the wheels' own libraries.",
                           evidence, severity=Severity.ERROR, confidence=Confidence.LIKELY)


# glibc's "LIB: version `V' not found (required by REQ)" (elf/dl-version.c): the LIB that was loaded
# has no version node V, which REQ was linked against. NVIDIA's libraries name their version nodes
# after their soname ("libcudnn_ops_infer.so.8", "libcublasLt.so.12", "libnvJitLink.so.12"), so a
# V of that form says the loaded LIB is another build of that library than REQ's: two copies, and
# the one found first (LIB's path) is the other one.
_LIB_BEFORE = re.compile(r"(?P<lib>[^\s'\"(]+\.so[\w.]*):\s+version\s")
_SYSTEM_DIR = re.compile(r"^/(?:usr/local/cuda[\w.-]*|usr/lib(?:64)?|opt|usr/local/lib)/")


def version_nodes_missing(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stated:
        if s.id != "loader_version_not_found":
            continue
        required = str(s.fact("loader.required_version") or "")
        family = symbol_owner(required) if required.startswith("lib") else "other"
        if family in ("other", "torch", "mkl"):
            continue
        m = _LIB_BEFORE.search(s.text)
        lib = posixpath.normpath(m.group("lib")) if m and m.group("lib").startswith("/") else (m.group("lib") if m else "")
        by = str(s.fact("loader.required_by") or "a library")
        evidence = [quote(s)]
        if family == "nccl":
            yield make("nccl_version_mismatch",
                       f"{by} needs {required}'s symbols, and the NCCL that was loaded{f' ({lib})' if lib else ''} is "
                       "another release without them: the NCCL that was loaded is not the one it was built with.",
                       evidence, severity=Severity.ERROR, confidence=Confidence.LIKELY)
            return
        yield make("conflicting_cuda_libraries_loaded",
                   f"{by} was linked against {required}, but the {family} library the loader found"
                   f"{f' ({lib})' if lib else ''} is another build without that version: two copies of {family} "
                   "are mixed in one process. Keep the copy the program was built with first on the search path "
                   "(remove the other directory from LD_LIBRARY_PATH, or the other package).",
                   evidence, confidence=Confidence.LIKELY)
        if lib and _SYSTEM_DIR.match(lib) and not _ld_known_clean(ctx) and not conda_lib_copy(lib):
            yield make("ld_library_path_conflict",
                       f"The copy found first, {lib}, is a system one: the usual way it comes before the program's "
                       "own is its directory on LD_LIBRARY_PATH.", evidence, confidence=Confidence.LIKELY)
        return


_WHEEL_DIR = re.compile(r"[/\\](?:site|dist)-packages[/\\]")


def ld_library_path_shadows_cudnn(ctx: RuleContext) -> Iterator[Finding]:
    """torch reports a loaded cuDNN other than the one it was built with, torch is a pip CUDA
    wheel (its cuDNN comes from the nvidia-cudnn wheel, found through the RUNPATH of libtorch,
    which LD_LIBRARY_PATH overrides: ld.so(8)), and the text sets LD_LIBRARY_PATH to directories
    outside the Python environment (a conda env's lib/, a toolkit): those directories are where
    the other cuDNN comes from. Entries named for CUDA/cuDNN are ``versions.ld_library_path_conflict``'s."""
    tv = ctx.torch_view
    if tv is None or tv.is_cpu or tv.cudnn_compiled is None or tv.cudnn_loaded is None:
        return
    if tv.cudnn_compiled.value == tv.cudnn_loaded.value or not (tv.build and tv.build.local.startswith("cu")):
        return
    entries = ld_entries(ctx.facts)
    if any("cudnn" in e.lower() or re.search(r"cuda[-/_]?\d+\.\d+", e.lower()) for e in entries):
        return
    outside = [e for e in entries if not _WHEEL_DIR.search(e) and not e.startswith("$LD_LIBRARY_PATH")]
    if not outside:
        return
    compiled, loaded = decode_cudnn(tv.cudnn_compiled.value), decode_cudnn(tv.cudnn_loaded.value)
    refused = compiled[0] != loaded[0] or loaded[1] < compiled[1]
    yield make("ld_library_path_conflict",
               f"PyTorch ({tv.build.local} wheel) was built with cuDNN {'.'.join(map(str, compiled))} and ships it in "
               f"the nvidia-cudnn wheel, but loaded cuDNN {'.'.join(map(str, loaded))}; LD_LIBRARY_PATH is searched "
               f"first and puts {', '.join(outside)} ahead of the wheel's copy. Remove "
               + ("it" if len(outside) == 1 else "them") + " from LD_LIBRARY_PATH (or stop the activation script "
               "that sets it) for this Python.",
               [(tv.cudnn_compiled.source, tv.cudnn_compiled.value), (tv.cudnn_loaded.source, tv.cudnn_loaded.value),
                ("toolkit.ld_library_path", entries)],
               severity=Severity.ERROR if refused else Severity.WARNING, confidence=Confidence.LIKELY)


def _failure_told(ctx: RuleContext) -> bool:
    """The text tells a failure: a person says something fails, or an upstream error message is in it."""
    return any(n.startswith(SAID_FAILING) for n in ctx.facts.notes) or any(s.message.kind == "error" for s in ctx.stated)


def two_majors_in_one_listing(ctx: RuleContext) -> Iterator[Finding]:
    """One program's ``ldd`` listing needs two majors of one CUDA library
    (``derived.library_copies``): parts of it were built against two installs of the library, so
    the process maps both copies (or one, failing on the other) and their symbols clash. Keep one
    install and rebuild against it."""
    said = listing_needs_two_majors(ctx.facts)
    if said is None:
        said = copies_said_to_clash(ctx.facts)
        if said is None or not _failure_told(ctx):
            return
        yield make("conflicting_cuda_libraries_loaded",
                   f"The text says two copies of {said[0]} clash ({said[1]}): one process loading two builds of the "
                   "same CUDA library mixes their symbols. Keep one copy on the library path (the one the program was "
                   "built with, e.g. its pip wheel's) and remove the other from LD_LIBRARY_PATH or uninstall it.",
                   [("the person's words", said[1])], confidence=Confidence.LIKELY)
        return
    names, quoted = said
    yield make("conflicting_cuda_libraries_loaded",
               f"One program's library listing needs {names}: parts of it were built against two installs of the "
               "same CUDA library, so the process loads both copies (or one, and cannot find the other) and their "
               "symbols clash (errors such as CUDNN_STATUS_BAD_PARAM, undefined symbols). Keep one install of it on "
               "the library path (remove the other, e.g. a copy placed in the CUDA toolkit's directory or a distribution "
               "package) and rebuild the program against that one.",
               [("ldd listing", quoted)], confidence=Confidence.LIKELY)


def system_cudnn_said_loaded(ctx: RuleContext) -> Iterator[Finding]:
    """A person says the framework links or loads another install's cuDNN (the system's, conda's, one
    under /usr/local/cuda) instead of its own (``derived.library_said.system_cudnn_said``), and the
    text tells a failure: the cuDNN it runs with is not the one it was built with. Likely: their words."""
    said = system_cudnn_said(ctx.facts)
    if said is None or not _failure_told(ctx):
        return
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return
    yield make("cudnn_version_mismatch",
               f"The text says the framework loads a cuDNN other than its own ({said[1]}): it then runs with another "
               "cuDNN version than the one it was built with, which fails or misbehaves. Remove the other cuDNN from "
               "the library path (LD_LIBRARY_PATH, /etc/ld.so.conf.d, a copy in the CUDA toolkit's lib64) so the "
               "framework loads its own, or make the system cuDNN the version it was built with.",
               [("the person's words", said[1])], confidence=Confidence.LIKELY)


RULES = (undefined_symbols, version_nodes_missing, listed_for_other_torch, listed_cuda_differs,
         listed_torchaudio_for_other_torch, ld_library_path_shadows_cudnn, two_majors_in_one_listing,
         system_cudnn_said_loaded)
