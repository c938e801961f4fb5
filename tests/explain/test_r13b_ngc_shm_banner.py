"""NGC containers' start banner saying the SHMEM limit is at Docker's 64 MB default (``host_health``):
the entrypoint measured /dev/shm, so shm_too_small is the banner's reading. Near-misses: the banner
without that note, and a --shm-size given."""

from __future__ import annotations

from envcheck.explain import source
from envcheck.explain.parsers import host_health
from tests.rules.test_unseen_classes import findings

_BANNER = ("NOTE: The SHMEM allocation limit is set to the default of 64MB.  This may be\n"
           "   insufficient for PyTorch.  NVIDIA recommends the use of the following flags:\n"
           "   docker run --gpus all --ipc=host --ulimit memlock=-1 --ulimit stack=67108864 ...\n")


def _shm(text: str):
    return [c.reading.value for c in host_health.parse(source.normalise(text)).claims if c.path == "host.shm_total_bytes"]


def test_the_banner_is_a_64_mib_reading():
    assert _shm(_BANNER) == [64 * 2**20]
    f = findings(_BANNER + "RuntimeError: DataLoader worker (pid 13) is killed by signal: Bus error.\n")
    assert f["shm_too_small"].confidence.value == "confirmed"


def test_an_ngc_start_without_the_note_says_nothing_of_shm():
    text = ("=============\n== PyTorch ==\n=============\nNVIDIA Release 23.09 (build 69180607)\n"
            "$ docker run --gpus all --shm-size=16g nvcr.io/nvidia/pytorch:23.09-py3\n")
    assert not _shm(text)
    assert "shm_too_small" not in findings(text)
