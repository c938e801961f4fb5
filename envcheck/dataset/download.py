"""Download the four files once, verified, even when several runs ask at the same time.

* A file already present with the published checksums is kept; one that fails them is
  replaced (reported in the result).
* Each download streams into a temporary file in the destination directory and is
  renamed over the final name only after its size, MD5 and SHA-256 match, so a reader
  never sees half a file and a crash leaves no file under the real name.
* A ``filelock.FileLock`` on ``<dest>/.envcheck-fetch.lock`` serialises concurrent runs
  (processes): the second waits, then finds the files verified and downloads nothing.
* Each mirror gets a few attempts with exponential back-off; then the next mirror.
  URLs are opened with :func:`urllib.request.urlopen`, so ``file://`` mirrors work too
  (tests and air-gapped machines use them).
"""

from __future__ import annotations

import hashlib
import http.client
import os
import stat
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional, Sequence, Tuple

from envcheck.atomicio import new_file_mode
from envcheck.dataset.files import FILES, MIRRORS, FileSpec
from envcheck.errors import SetupError

CHUNK_BYTES = 1 << 20
LOCK_NAME = ".envcheck-fetch.lock"

Opener = Callable[..., object]  # urllib.request.urlopen's shape: (url, timeout=) -> response
Progress = Callable[[str, int, int], None]  # (file name, bytes so far, bytes expected)


class FetchError(SetupError):
    """No mirror delivered a file with the right checksum (exit 3)."""


@dataclass(frozen=True)
class FileFetch:
    name: str
    path: str
    action: str  # "present" (verified, kept) | "downloaded" | "replaced" (was corrupt)
    url: Optional[str] = None
    attempts: int = 0
    detail: Optional[str] = None  # why an existing file was replaced


@dataclass(frozen=True)
class FetchResult:
    directory: str
    files: Tuple[FileFetch, ...]

    @property
    def downloaded(self) -> int:
        return sum(1 for f in self.files if f.action != "present")


def hashes(path: Path) -> Tuple[int, str, str]:
    """(size in bytes, md5, sha256) of a file, read in chunks."""
    md5, sha = hashlib.md5(), hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(CHUNK_BYTES)
            if not chunk:
                break
            size += len(chunk)
            md5.update(chunk)
            sha.update(chunk)
    return size, md5.hexdigest(), sha.hexdigest()


def checksum_problem(path: Path, s: FileSpec) -> Optional[str]:
    """None when the file matches the published size and checksums, else why not (one line)."""
    try:
        size, md5, sha = hashes(path)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if size != s.gz_bytes:
        return f"{size:,} bytes, expected {s.gz_bytes:,} ({'truncated' if size < s.gz_bytes else 'too long'})"
    if sha != s.sha256:
        return f"checksum mismatch: sha256 {sha[:16]}…, expected {s.sha256[:16]}…"
    if md5 != s.md5:
        return f"checksum mismatch: md5 {md5}, expected {s.md5}"
    return None


def offline_hint(dest: Path) -> str:
    return (f"on a connected machine run `envcheck data fetch --to DIR`, copy DIR here and pass "
            f"`--data-dir DIR` (or set ENVCHECK_DATA=DIR); `--synthetic` runs on generated data "
            f"meanwhile (would have downloaded to {dest})")


def _download_once(url: str, dest: Path, s: FileSpec, opener: Opener, timeout_s: float,
                   progress: Optional[Progress]) -> Path:
    """Stream ``url`` into a temporary file beside ``dest``; return it only if verified."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{s.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        md5, sha = hashlib.md5(), hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out, opener(url, timeout=timeout_s) as resp:  # type: ignore[attr-defined]
            while True:
                chunk = resp.read(CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > s.gz_bytes:
                    raise ValueError(f"more than the expected {s.gz_bytes:,} bytes")
                md5.update(chunk)
                sha.update(chunk)
                out.write(chunk)
                if progress:
                    progress(s.name, size, s.gz_bytes)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, new_file_mode())  # mkstemp makes it 0600; the data set is not a secret
        if size != s.gz_bytes:
            raise ValueError(f"got {size:,} bytes, expected {s.gz_bytes:,} (connection cut short?)")
        if sha.hexdigest() != s.sha256 or md5.hexdigest() != s.md5:
            raise ValueError(f"checksum mismatch (sha256 {sha.hexdigest()[:16]}…)")
        return tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _why(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        reason = exc.reason
        return str(getattr(reason, "strerror", None) or reason)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def fetch_file(s: FileSpec, dest_dir: Path, mirrors: Sequence[str], *, opener: Opener,
               attempts: int, backoff_s: float, sleep: Callable[[float], None], timeout_s: float,
               progress: Optional[Progress]) -> Tuple[str, int]:
    """Download one file into ``dest_dir`` (caller holds the lock); (url used, attempts made)."""
    target = dest_dir / s.name
    failures: List[str] = []
    made = 0
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + s.name
        for attempt in range(attempts):
            if attempt:
                sleep(backoff_s * 2 ** (attempt - 1))
            made += 1
            try:
                tmp = _download_once(url, target, s, opener, timeout_s, progress)
            except urllib.error.HTTPError as exc:
                failures.append(f"{url}: {_why(exc)}")
                if 400 <= exc.code < 500 and exc.code not in (408, 429):
                    break  # the mirror does not have it: retrying will not help
                continue
            # URLError, timeouts, resets, bad bytes; and http.client's own protocol errors
            # (IncompleteRead when a chunked response is cut short, BadStatusLine), which are
            # not OSErrors.
            except (OSError, ValueError, EOFError, http.client.HTTPException) as exc:
                failures.append(f"{url}: {_why(exc)}")
                continue
            try:
                os.replace(tmp, target)
            except OSError:
                tmp.unlink(missing_ok=True)
                raise
            return url, made
    last = "; ".join(dict.fromkeys(failures))  # each distinct reason once
    raise FetchError(f"could not download {s.name} ({last}) — {offline_hint(dest_dir)}")


def _planted(path: Path, what: str, follow: bool = False) -> None:
    """Refuse, in one line, anything at ``path`` that is not a regular file (a directory, a
    FIFO; a symlink unless ``follow``): the lock is envcheck's, and following a link planted
    there would write somewhere else. A data file may be a link to a file (it is verified)."""
    try:
        st = os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a symbolic link" if stat.S_ISLNK(st.st_mode)
                else "not a regular file")
        raise SetupError(f"{path}: {kind}, not envcheck's {what}; remove it and run again")


def fetch(
    dest: Path,
    *,
    mirrors: Sequence[str] = MIRRORS,
    files: Sequence[FileSpec] = FILES,
    opener: Opener = urllib.request.urlopen,
    attempts: int = 3,
    backoff_s: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
    timeout_s: float = 60.0,
    lock_timeout_s: float = 1800.0,
    progress: Optional[Progress] = None,
) -> FetchResult:
    """Make ``dest`` hold every file in ``files``, verified; download only what is missing or bad."""
    import filelock

    dest = Path(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SetupError(f"{dest}: cannot create the data directory: {exc.strerror or exc}") from None
    if not os.access(dest, os.W_OK):
        raise SetupError(f"{dest}: not writable; pick another directory with --to (or ENVCHECK_DATA)")
    _planted(dest / LOCK_NAME, "lock file")
    for s in files:
        _planted(dest / s.name, "data file", follow=True)
    lock = filelock.FileLock(str(dest / LOCK_NAME), timeout=lock_timeout_s)
    try:
        with lock:
            out: List[FileFetch] = []
            for s in files:
                path = dest / s.name
                _planted(path, "data file", follow=True)  # again, now that no other envcheck is writing here
                problem = checksum_problem(path, s) if path.exists() else "missing"
                if problem is None:
                    out.append(FileFetch(s.name, str(path), "present"))
                    continue
                url, made = fetch_file(s, dest, mirrors, opener=opener, attempts=attempts, backoff_s=backoff_s,
                                       sleep=sleep, timeout_s=timeout_s, progress=progress)
                action = "downloaded" if problem == "missing" else "replaced"
                out.append(FileFetch(s.name, str(path), action, url, made,
                                     None if problem == "missing" else problem))
            return FetchResult(str(dest), tuple(out))
    except filelock.Timeout:
        raise SetupError(f"{dest}: another envcheck has been downloading for {lock_timeout_s:.0f} s "
                         f"(lock {dest / LOCK_NAME}); try again later") from None
    except OSError as exc:  # the lock planted between the check and the lock, a full disk…
        raise SetupError(f"{dest}: cannot write the data set: {exc.strerror or exc}") from None
