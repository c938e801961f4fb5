"""Find, verify and read Fashion-MNIST (or generate the synthetic stand-in).

The data set kind decides the accuracy gate: ``full`` (the official 60,000/10,000
files; ``.gz`` files must match the published checksums), ``subset`` (the 3,615/2,000
subset, recognised by its counts because it has no published checksums) or
``synthetic``. Anything else is refused rather than gated against the wrong target.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from envcheck.dataset import download as fetch_mod
from envcheck.dataset import synthetic as synth
from envcheck.dataset.errors import DataFileError
from envcheck.dataset.files import FILES, KIND_BY_COUNTS, FileSpec, spec
from envcheck.dataset.idx import read_pair
from envcheck.dataset.locate import Location, Lookup, locate
from envcheck.errors import SetupError


@dataclass(frozen=True)
class DataSet:
    kind: str  # "full" | "subset" | "synthetic"
    source: str  # how it was found: "--data-dir", "ENVCHECK_DATA", "cache", "torchvision", "keras", "download", "synthetic"
    directory: Optional[str]
    verification: str  # what was checked, in words
    train_images: np.ndarray = field(repr=False)  # (N, 28, 28) uint8
    train_labels: np.ndarray = field(repr=False)  # (N,) uint8 in 0..9
    test_images: np.ndarray = field(repr=False)
    test_labels: np.ndarray = field(repr=False)
    load_seconds: float = 0.0

    @property
    def synthetic(self) -> bool:
        return self.kind == "synthetic"

    @property
    def label(self) -> str:
        """One phrase for every output: says "synthetic" whenever it is."""
        n = f"{len(self.train_labels):,} train / {len(self.test_labels):,} test"
        if self.synthetic:
            return f"SYNTHETIC data (generated, not Fashion-MNIST; {n})"
        return f"Fashion-MNIST {self.kind} ({n})"


@dataclass(frozen=True)
class FileCheck:
    """The verdict on one file, for ``envcheck data verify``."""

    name: str
    path: Optional[str]
    ok: bool
    examples: Optional[int] = None
    detail: str = ""


def kind_of(n_train: int, n_test: int, where: str) -> str:
    kind = KIND_BY_COUNTS.get((n_train, n_test))
    if kind is None:
        raise DataFileError(f"{where}: {n_train:,} training / {n_test:,} test images is neither the full "
                            f"Fashion-MNIST (60,000 / 10,000) nor envcheck's subset (3,615 / 2,000); "
                            f"no accuracy gate applies to it")
    return kind


def _checksum_failure(path: Path, s: FileSpec) -> Optional[str]:
    if not path.name.endswith(".gz"):
        return None  # extracted files have no published checksum
    problem = fetch_mod.checksum_problem(path, s)
    return f"{path}: {problem}" if problem else None


def read_location(loc: Location) -> Tuple[str, str, Tuple[np.ndarray, ...]]:
    """(kind, verification text, arrays) for a directory holding the four files."""
    f = loc.files
    xtr, ytr = read_pair(f[spec("train", "images").name], f[spec("train", "labels").name])
    xte, yte = read_pair(f[spec("test", "images").name], f[spec("test", "labels").name])
    kind = kind_of(len(ytr), len(yte), str(loc.directory))
    if kind == "full":
        for s in FILES:
            problem = _checksum_failure(f[s.name], s)
            if problem:
                raise DataFileError(problem)
        gz = all(p.name.endswith(".gz") for p in f.values())
        text = ("size, MD5 and SHA-256 match the published checksums" if gz else
                "IDX structure verified (extracted files: no published checksum to compare)")
    else:
        text = "IDX structure and counts verified (the subset has no published checksums)"
    return kind, text, (xtr, ytr, xte, yte)


def synthetic_dataset(seed: int = 0, n_train: int = 60_000, n_test: int = 10_000) -> DataSet:
    t0 = time.perf_counter()
    xtr, ytr, xte, yte = synth.generate(n_train, n_test, seed=seed)
    return DataSet("synthetic", "synthetic", None,
                   f"generated (generator v{synth.GENERATOR_VERSION}, seed {seed})",
                   xtr, ytr, xte, yte, time.perf_counter() - t0)


def load(
    data_dir: Optional[Path] = None,
    *,
    environ: Optional[Mapping[str, str]] = None,
    cache_dir: Optional[Path] = None,
    search_roots: Optional[Sequence[Path]] = None,
    download: bool = True,
    fetcher: Callable[[Path], fetch_mod.FetchResult] = fetch_mod.fetch,
) -> DataSet:
    """Find the files in the documented order, verify and read them; fetch when allowed.

    A corrupt file in a directory envcheck owns (the cache, ``ENVCHECK_DATA``) is fetched
    again; anywhere else it is refused with the reason, never parsed.
    """
    t0 = time.perf_counter()
    env = os.environ if environ is None else environ
    lookup: Lookup = locate(data_dir, environ=env, cache_dir=cache_dir, search_roots=search_roots)
    loc = lookup.found
    source = loc.source if loc else "download"
    if loc is not None:
        try:
            kind, text, arrays = read_location(loc)
            return DataSet(kind, source, str(loc.directory), text, *arrays, time.perf_counter() - t0)
        except DataFileError as exc:
            if not (loc.writable_target and download):
                raise DataFileError(f"{exc} — refusing it; get a good copy with "
                                    f"`envcheck data fetch --to {loc.directory}`") from None
            reason = str(exc)
    else:
        reason = "not found in " + ", ".join(lookup.tried)
    if not download:
        raise SetupError(f"Fashion-MNIST {reason} — {fetch_mod.offline_hint(lookup.download_to)}")
    fetcher(lookup.download_to)
    from envcheck.dataset.locate import files_in

    found, missing = files_in(lookup.download_to)
    if missing:  # a fetcher that returned without the files is a bug, but say so plainly
        raise SetupError(f"{lookup.download_to}: still missing {', '.join(missing)} after the download")
    loc = Location(lookup.download_to, lookup.download_source, found)
    kind, text, arrays = read_location(loc)
    return DataSet(kind, "download", str(loc.directory), text, *arrays, time.perf_counter() - t0)


def verify_directory(directory: Path) -> List[FileCheck]:
    """Check each of the four files on its own (for reporting); never raises for bad data."""
    from envcheck.dataset.idx import read_images, read_labels
    from envcheck.dataset.locate import files_in

    found, _missing = files_in(directory)
    out: List[FileCheck] = []
    for s in FILES:
        path = found.get(s.name)
        if path is None:
            out.append(FileCheck(s.name, None, False, detail="missing"))
            continue
        try:
            arr = (read_images if s.content == "images" else read_labels)(path)
        except DataFileError as exc:
            out.append(FileCheck(s.name, str(path), False, detail=str(exc).removeprefix(f"{path}: ")))
            continue
        if len(arr) == s.count:
            problem = _checksum_failure(path, s)
            if problem:
                out.append(FileCheck(s.name, str(path), False, len(arr), problem.removeprefix(f"{path}: ")))
                continue
            detail = "checksums match" if path.name.endswith(".gz") else "structure ok (extracted: no checksum)"
        elif any(len(arr) == counts[0 if s.split == "train" else 1]
                 for counts, kind in KIND_BY_COUNTS.items() if kind == "subset"):
            detail = "structure ok; the subset's count (no published checksum)"
        else:
            detail = f"structure ok, but {len(arr):,} examples is not a known count ({s.count:,} official)"
        out.append(FileCheck(s.name, str(path), True, len(arr), detail))
    return out
