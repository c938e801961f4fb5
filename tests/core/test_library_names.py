"""A shared library's version from its file name, where the loader cache gives no other
(``ldconfig -p`` lists ``libcudnn.so.8.9.2``; the rules compare that with torch's cuDNN)."""

from __future__ import annotations

import pytest

from envcheck.derived.libraries import lib_version


@pytest.mark.parametrize("name, version", [
    ("libcudnn.so.8.9.2", "8.9.2"),
    ("libcudnn.so.9", "9"),
    ("libnccl.so.2.21.5", "2.21.5"),
    ("libcudart.so.12.4.127", "12.4.127"),
    ("libcublas.so", None),  # the unversioned development link says nothing
    ("libcudnn.so.8.bak", None),
])
def test_version_from_the_file_name(name, version):
    assert lib_version(name) == version
