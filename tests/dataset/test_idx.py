"""The IDX reader: real files from ../shared, and every way a file can be wrong."""

from __future__ import annotations

import gzip
import shutil
import struct
import zlib

import numpy as np
import pytest

from envcheck.dataset import DataFileError, load, read_images, read_labels, verify_directory
from envcheck.dataset.idx import MAX_PAYLOAD_BYTES, gunzip, parse_idx, read_pair
from envcheck.dataset.loading import kind_of
from envcheck.errors import SetupError

from .idxfiles import idx_bytes, tiny_set, write


def fm(shared):
    return shared / "data" / "fashion-mnist"


def test_real_label_files(shared):
    train = read_labels(fm(shared) / "train-labels-idx1-ubyte.gz")
    test = read_labels(fm(shared) / "t10k-labels-idx1-ubyte.gz")
    assert train.shape == (60_000,) and test.shape == (10_000,)
    assert train.dtype == np.uint8
    # Fashion-MNIST is balanced: 6,000 / 1,000 examples of each class.
    assert np.bincount(train).tolist() == [6000] * 10
    assert np.bincount(test).tolist() == [1000] * 10
    assert train[:8].tolist() == [9, 0, 0, 3, 0, 2, 7, 2]


def test_real_subset_reads_as_the_subset_kind(shared):
    sub = fm(shared) / "subset"
    x, y = read_pair(sub / "train-images-idx3-ubyte.gz", sub / "train-labels-idx1-ubyte.gz")
    assert x.shape == (3615, 28, 28) and y.shape == (3615,)
    assert x.dtype == np.uint8 and 0 < x.mean() < 255
    data = load(sub, download=False)
    assert data.kind == "subset" and not data.synthetic
    assert data.test_images.shape == (2000, 28, 28)
    # The subset is the start of the official files.
    full = read_labels(fm(shared) / "train-labels-idx1-ubyte.gz")
    assert (data.train_labels == full[:3615]).all()
    assert "subset" in data.label


@pytest.mark.parametrize("name", ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte"])
def test_real_truncated_downloads_are_rejected(shared, name):
    with pytest.raises(DataFileError) as exc:
        read_images(fm(shared) / f"{name}.truncated.gz")
    msg = str(exc.value)
    assert "truncated" in msg and "\n" not in msg


def test_truncated_file_in_a_data_dir_is_refused_in_one_line(shared, tmp_path):
    for f in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        shutil.copy(fm(shared) / f, tmp_path / f)
    for stem in ("train-images-idx3-ubyte", "t10k-images-idx3-ubyte"):
        shutil.copy(fm(shared) / f"{stem}.truncated.gz", tmp_path / f"{stem}.gz")
    with pytest.raises(DataFileError) as exc:
        load(tmp_path, download=False)
    assert "truncated download" in str(exc.value) and "envcheck data fetch --to" in str(exc.value)
    assert "\n" not in str(exc.value)
    checks = {c.name: c for c in verify_directory(tmp_path)}
    assert not checks["train-images-idx3-ubyte.gz"].ok
    assert checks["train-labels-idx1-ubyte.gz"].ok and checks["train-labels-idx1-ubyte.gz"].detail == "checksums match"


def _write_gz(path, payload: bytes):
    path.write_bytes(gzip.compress(payload, mtime=0))
    return path


def test_wrong_magic(tmp_path):
    labels = idx_bytes(np.zeros(5))
    p = _write_gz(tmp_path / "x-images.gz", labels)
    with pytest.raises(DataFileError, match="magic 2049"):
        read_images(p)


def test_wrong_image_shape(tmp_path):
    p = _write_gz(tmp_path / "x.gz", idx_bytes(np.zeros((3, 27, 28))))
    with pytest.raises(DataFileError, match=r"shape \(27, 28\)"):
        read_images(p)


def test_extracted_file_shorter_than_its_header(tmp_path):
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(idx_bytes(np.zeros((3, 28, 28)))[:-100])
    with pytest.raises(DataFileError, match="truncated: 2,268 bytes"):
        read_images(p)


def test_header_whose_size_overflows_int64_is_refused(tmp_path):
    # 2^31 x 2^31 x 4 wraps to 0 in an int64 product: the 16-byte file would "match" and
    # then fail numpy's reshape with a traceback.
    p = tmp_path / "train-images-idx3-ubyte"
    p.write_bytes(struct.pack(">HBB3I", 0, 8, 3, 2 ** 31, 2 ** 31, 4))
    with pytest.raises(DataFileError, match="truncated: 16 bytes"):
        read_images(p)


def test_trailing_bytes(tmp_path):
    p = _write_gz(tmp_path / "l.gz", idx_bytes(np.zeros(4)) + b"\0")
    with pytest.raises(DataFileError, match="longer than its header"):
        read_labels(p)


def test_labels_out_of_range(tmp_path):
    p = _write_gz(tmp_path / "l.gz", idx_bytes(np.array([1, 2, 10, 255])))
    with pytest.raises(DataFileError, match="2 labels outside 0..9"):
        read_labels(p)


def test_corrupt_gzip_crc(tmp_path):
    raw = bytearray(gzip.compress(idx_bytes(np.zeros(100)), mtime=0))
    raw[-6] ^= 0xFF  # the CRC-32 in the trailer
    p = tmp_path / "l.gz"
    p.write_bytes(bytes(raw))
    with pytest.raises(DataFileError, match="corrupt gzip"):
        read_labels(p)


def test_not_idx_at_all(tmp_path):
    with pytest.raises(DataFileError, match="not an IDX file"):
        parse_idx(b"<html>Not found</html>", "x")


def test_images_and_labels_must_pair(tmp_path):
    files = tiny_set(n_train=10)
    write(tmp_path, files)
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(np.zeros(9)), mtime=0))
    with pytest.raises(DataFileError, match="10 images but 9 labels"):
        read_pair(tmp_path / "train-images-idx3-ubyte.gz", tmp_path / "train-labels-idx1-ubyte.gz")


def test_unknown_counts_are_refused_not_gated(tmp_path):
    with pytest.raises(DataFileError, match="neither the full Fashion-MNIST"):
        kind_of(40, 20, str(tmp_path))
    assert kind_of(60_000, 10_000, "x") == "full" and kind_of(3615, 2000, "x") == "subset"


def test_missing_file_is_a_setup_error(tmp_path):
    with pytest.raises(SetupError, match="no such file"):
        read_labels(tmp_path / "nope.gz")


def test_a_gzip_bomb_is_refused_without_inflating_it(tmp_path):
    # 200 MB of zeros compress to ~200 KB; inflating it whole once took 6.3 GB for 3 MB.
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    raw = bomb.compress(b"\0" * (200 * 2**20)) + bomb.flush()
    p = tmp_path / "train-images-idx3-ubyte.gz"
    p.write_bytes(raw)
    with pytest.raises(DataFileError, match="inflates to more than"):
        read_images(p)


def test_gunzip_reads_every_member_and_checks_the_end():
    two = gzip.compress(b"ab", mtime=0) + gzip.compress(b"cd", mtime=0) + b"\0\0"
    assert gunzip(two) == b"abcd" == gzip.decompress(two)
    with pytest.raises(EOFError):
        gunzip(gzip.compress(b"x" * 1000, mtime=0)[:-12])
    with pytest.raises(ValueError):
        gunzip(gzip.compress(b"x" * 101, mtime=0), limit=100)
    assert gunzip(gzip.compress(b"x" * 100, mtime=0), limit=100) == b"x" * 100


def test_an_oversized_extracted_file_is_refused_unread(tmp_path):
    p = tmp_path / "train-images-idx3-ubyte"
    with p.open("wb") as fh:
        fh.truncate(MAX_PAYLOAD_BYTES + 10)  # sparse: costs no disk
    with pytest.raises(DataFileError, match="larger than any Fashion-MNIST file"):
        read_images(p)
