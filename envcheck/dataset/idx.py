"""Read IDX files (the MNIST format) and refuse anything that is not exactly right.

Format (big-endian): two zero bytes, a type code (0x08 = unsigned byte), the number of
dimensions, one uint32 per dimension, then the data in C order. Labels are magic 2049
(``0x00000801``, one dimension), images magic 2051 (``0x00000803``, three dimensions).
See http://yann.lecun.com/exdb/mnist/ and torchvision's ``read_sn3_pascalvincent_tensor``.

Every check a truncated or corrupted download can fail is made before an array exists:
the gzip stream must be complete (a truncated ``.gz`` raises ``EOFError`` in Python's
``gzip`` module rather than returning the bytes it could decode), its CRC must match,
the header must be sane and the payload length must equal what the header promises.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path
from typing import Tuple

import numpy as np

from .errors import DataFileError
from .files import IMAGE_SIDE, NUM_CLASSES

LABELS_MAGIC = 0x00000801
IMAGES_MAGIC = 0x00000803
_UBYTE = 0x08
# The largest Fashion-MNIST file holds 60,000 images: 47,040,016 bytes. Nothing bigger is
# read or inflated: a 3 MB gzip bomb once took 6.3 GB of memory.
MAX_PAYLOAD_BYTES = 64 * 2**20


def gunzip(raw: bytes, limit: int = MAX_PAYLOAD_BYTES) -> bytes:
    """Every gzip member of ``raw``, inflated up to ``limit`` bytes; ``ValueError`` beyond it,
    ``EOFError`` for a stream that ends early, ``zlib.error`` for a corrupt one (CRC too)."""
    out = bytearray()
    data = raw
    while data:
        d = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # gzip header and trailer, CRC-32 checked
        out += d.decompress(data, limit + 1 - len(out))
        if len(out) > limit or d.unconsumed_tail:
            raise ValueError(f"inflates to more than {limit:,} bytes")
        if not d.eof:
            raise EOFError("compressed stream ended before the end-of-stream marker")
        data = d.unused_data
        if not data.strip(b"\0"):  # trailing zero padding, as gzip.decompress allows
            break
    return bytes(out)


def read_bytes(path: Path) -> bytes:
    """The file's payload, decompressed when the name ends in ``.gz``; one-line errors."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_PAYLOAD_BYTES + 1)
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise DataFileError(f"{path}: larger than any Fashion-MNIST file ({MAX_PAYLOAD_BYTES // 2**20} MiB)")
    if path.name.endswith(".gz"):
        try:
            return gunzip(raw)
        except EOFError:
            raise DataFileError(f"{path}: truncated download (the gzip stream ends early, "
                                f"{len(raw):,} bytes on disk)") from None
        except ValueError as exc:
            raise DataFileError(f"{path}: not a Fashion-MNIST file: it {exc}") from None
        except zlib.error as exc:
            raise DataFileError(f"{path}: corrupt gzip file ({exc})") from None
    return raw


def parse_idx(data: bytes, where: str) -> np.ndarray:
    """A uint8 array from IDX bytes, after checking magic, dimensions and length."""
    if len(data) < 4:
        raise DataFileError(f"{where}: too short for an IDX header ({len(data)} bytes)")
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or ndim == 0 or ndim > 4:
        raise DataFileError(f"{where}: not an IDX file (header {data[:4].hex()})")
    if dtype != _UBYTE:
        raise DataFileError(f"{where}: IDX type code 0x{dtype:02x}, expected 0x08 (unsigned byte)")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataFileError(f"{where}: header cut short ({len(data)} bytes, {ndim} dimensions)")
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    expected = header_len + math.prod(dims)  # Python ints: numpy's int64 product wraps on a corrupt header
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise DataFileError(f"{where}: {what}: {len(data):,} bytes, the header "
                            f"{'x'.join(map(str, dims))} needs {expected:,}")
    # A writable copy: torch.from_numpy and in-place consumers need one (frombuffer is read-only).
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(dims).copy()


def read_images(path: Path) -> np.ndarray:
    """``(N, 28, 28)`` uint8 images from an ``idx3-ubyte`` file (``.gz`` or extracted)."""
    data = read_bytes(path)
    _check_magic(data, IMAGES_MAGIC, path)
    arr = parse_idx(data, str(path))
    if arr.ndim != 3 or arr.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise DataFileError(f"{path}: images of shape {arr.shape[1:]}, expected (28, 28)")
    return arr


def read_labels(path: Path) -> np.ndarray:
    """``(N,)`` uint8 labels in 0..9 from an ``idx1-ubyte`` file (``.gz`` or extracted)."""
    data = read_bytes(path)
    _check_magic(data, LABELS_MAGIC, path)
    arr = parse_idx(data, str(path))
    if arr.size and int(arr.max()) >= NUM_CLASSES:
        bad = int(np.count_nonzero(arr >= NUM_CLASSES))
        raise DataFileError(f"{path}: {bad:,} labels outside 0..9 (max {int(arr.max())})")
    return arr


def read_pair(images: Path, labels: Path) -> Tuple[np.ndarray, np.ndarray]:
    x, y = read_images(images), read_labels(labels)
    if len(x) != len(y):
        raise DataFileError(f"{images.parent}: {len(x):,} images but {len(y):,} labels "
                            f"({images.name} and {labels.name} do not belong together)")
    return x, y


def _check_magic(data: bytes, magic: int, path: Path) -> None:
    if len(data) >= 4:
        found = struct.unpack(">I", data[:4])[0]
        if found != magic:
            kind = {LABELS_MAGIC: "labels", IMAGES_MAGIC: "images"}
            raise DataFileError(f"{path}: IDX magic {found} ({kind.get(found, 'unknown')}), "
                                f"expected {magic} ({kind[magic]})")
