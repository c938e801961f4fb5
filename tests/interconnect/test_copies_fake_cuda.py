"""The copy measurements and the matrix plots, on a torch whose "CUDA devices" are CPU memory.

envcheck/interconnect/copies.py receives torch as an argument, so the fake sits at that
boundary: real torch tensors and real copies, with ``device="cuda:N"``, ``pin_memory`` and
the ``torch.cuda`` calls answered by :class:`CudaOnCpu`. The figures mean nothing here;
what is checked is that every pair and direction is measured and recorded, and that a
failing GPU becomes a matrix error rather than a lost run.
"""

from __future__ import annotations

import types
from typing import Any, List

import pytest

from envcheck.interconnect import copies
from envcheck.interconnect.records import Matrix
from tests.interconnect.scenarios import hgx_outcome

torch = pytest.importorskip("torch")


class CudaOnCpu:
    """``torch`` as copies.py uses it, with ``count`` CUDA devices that are CPU memory."""

    def __init__(self, count: int, peers: bool = True) -> None:
        self.count, self.peers = count, peers
        self.synced: List[int] = []
        self.cuda = types.SimpleNamespace(
            device_count=lambda: count,
            get_device_name=lambda i: f"Fake GPU {i}",
            synchronize=self.synced.append,
            can_device_access_peer=lambda a, b: self.peers and {a, b} != {0, count - 1},
        )

    def empty(self, *shape: int, device: str = "cpu", pin_memory: bool = False, **kw: Any):
        return torch.empty(*shape, **kw)

    def __getattr__(self, name: str) -> Any:
        return getattr(torch, name)


@pytest.fixture(autouse=True)
def _small(monkeypatch):
    monkeypatch.setattr(copies, "INNER", 1)
    monkeypatch.setattr(copies, "REPEATS", 1)
    monkeypatch.setattr(copies, "LATENCY_ITERS", 2)


def test_host_device_measures_both_directions_from_pinned_and_pageable_memory():
    fake = CudaOnCpu(2)
    rows = copies.host_device(fake, "cuda:1", rank=1, size_bytes=1 << 16)
    assert [(r.direction, r.memory) for r in rows] == [("h2d", "pinned"), ("d2h", "pinned"),
                                                     ("h2d", "pageable"), ("d2h", "pageable")]
    assert all(r.rank == 1 and r.device == "cuda:1" and r.size_bytes == 1 << 16 and r.gb_s > 0 for r in rows)
    assert set(fake.synced) == {1}  # the copies are timed up to the device's own synchronise


def test_matrix_measures_every_ordered_pair_direct_and_through_host():
    m = copies.matrix(CudaOnCpu(3), node=0, host="here", size_bytes=1 << 14)
    assert not m.error and m.devices == ("cuda:0 Fake GPU 0", "cuda:1 Fake GPU 1", "cuda:2 Fake GPU 2")
    pairs = {(c.src, c.dst, c.via) for c in m.cells}
    assert pairs == {(s, d, via) for s in range(3) for d in range(3) if s != d for via in ("p2p", "host")}
    assert all(c.bandwidth_gb_s > 0 and c.latency_us > 0 for c in m.cells)
    # what torch.cuda.can_device_access_peer said, per pair: 0<->2 has no peer access here
    assert {(c.src, c.dst): c.peer_access for c in m.cells if c.via == "p2p"}[(0, 2)] is False
    assert {(c.src, c.dst): c.peer_access for c in m.cells if c.via == "p2p"}[(0, 1)] is True


def test_one_gpu_has_no_pair_to_measure():
    m = copies.matrix(CudaOnCpu(1), node=0, host="here")
    assert m.cells == () and m.error == "1 GPU visible to this process: no pair to measure"


def test_a_rank_whose_matrix_fails_records_the_error_and_keeps_its_collectives():
    from envcheck.interconnect.rank import _Rank

    class OutOfMemory(CudaOnCpu):
        def empty(self, *shape: int, **kw: Any):
            raise RuntimeError("CUDA out of memory. Tried to allocate 256.00 MiB")

    rank = _Rank.__new__(_Rank)  # only the matrix step: no store, no process group
    rank.torch = OutOfMemory(2)
    m = rank._matrix(0)
    assert isinstance(m, Matrix) and m.cells == ()
    assert m.error == "RuntimeError: CUDA out of memory. Tried to allocate 256.00 MiB"


def test_matrix_heatmaps_are_drawn(tmp_path):
    pytest.importorskip("matplotlib")
    from envcheck.interconnect.plots import write_plots

    paths = write_plots(hgx_outcome(), tmp_path)
    heatmaps = [p for p in paths if "matrix" in p.name]
    assert heatmaps and all(p.stat().st_size > 10_000 for p in heatmaps)
