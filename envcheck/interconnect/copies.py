"""Copies on one node's GPUs: host<->device per GPU, and the GPU<->GPU matrix.

Like CUDA's ``bandwidthTest`` and ``p2pBandwidthLatencyTest`` (and nvbandwidth's copy-engine
tests): host<->device from pinned and from pageable memory; between GPUs a direct copy
(peer-to-peer where ``torch.cuda.can_device_access_peer`` says the pair allows it —
torch then enables peer access — else the driver stages it) and a copy staged through
pinned host memory by hand, which is the path NCCL's SHM transport takes. Bandwidth: the
median of REPEATS timings of INNER back-to-back copies of TRANSFER_BYTES; latency: the
mean of LATENCY_ITERS copies of 4 bytes. Runs only where torch sees CUDA.
"""

from __future__ import annotations

import statistics
import time
from typing import Any, Callable, List, Sequence

from .nccltests import rounded_gb_s
from .records import CopyRow, Matrix, MatrixCell

TRANSFER_BYTES = 256 << 20
REPEATS, INNER, LATENCY_ITERS = 5, 4, 100


def seconds_per_call(fn: Callable[[], None], sync: Callable[[], None], inner: int, repeats: int = REPEATS,
                     clock: Callable[[], float] = time.perf_counter) -> float:
    """Median over ``repeats`` of the time of ``inner`` calls, divided by ``inner`` (one warm-up call first)."""
    fn()
    sync()
    times = []
    for _ in range(repeats):
        t0 = clock()
        for _ in range(inner):
            fn()
        sync()
        times.append((clock() - t0) / inner)
    return statistics.median(times)


def _sync_all(torch: Any, devices: Sequence[int]) -> Callable[[], None]:
    def sync() -> None:
        for d in devices:
            torch.cuda.synchronize(d)
    return sync


def host_device(torch: Any, device: str, rank: int, size_bytes: int = TRANSFER_BYTES) -> List[CopyRow]:
    index = torch.device(device).index or 0
    sync = _sync_all(torch, [index])
    dev = torch.empty(size_bytes, dtype=torch.uint8, device=device)
    rows = []
    for memory in ("pinned", "pageable"):
        host = torch.empty(size_bytes, dtype=torch.uint8, pin_memory=(memory == "pinned"))
        for direction, fn in (("h2d", lambda: dev.copy_(host, non_blocking=True)),
                              ("d2h", lambda: host.copy_(dev, non_blocking=True))):
            t = seconds_per_call(fn, sync, INNER)
            rows.append(CopyRow(rank, device, direction, memory, size_bytes, rounded_gb_s(size_bytes / t / 1e9)))
    return rows


def _cell(torch: Any, src: int, dst: int, bufs: Any, small: Any, staging: Any, tiny: Any) -> List[MatrixCell]:
    sync = _sync_all(torch, [src, dst])
    peer = bool(torch.cuda.can_device_access_peer(dst, src))
    direct_bw = seconds_per_call(lambda: bufs[dst][1].copy_(bufs[src][0]), sync, INNER)
    direct_lat = seconds_per_call(lambda: small[dst].copy_(small[src]), sync, LATENCY_ITERS, repeats=3)

    def staged(big: bool) -> Callable[[], None]:
        a, b, h = (bufs[src][0], bufs[dst][1], staging) if big else (small[src], small[dst], tiny)
        return lambda: (h.copy_(a), b.copy_(h))
    host_bw = seconds_per_call(staged(True), sync, 2, repeats=3)
    host_lat = seconds_per_call(staged(False), sync, LATENCY_ITERS, repeats=3)
    n = bufs[src][0].numel()
    return [MatrixCell(src, dst, "p2p", rounded_gb_s(n / direct_bw / 1e9), round(direct_lat * 1e6, 2), peer),
            MatrixCell(src, dst, "host", rounded_gb_s(n / host_bw / 1e9), round(host_lat * 1e6, 2), peer)]


def matrix(torch: Any, node: int, host: str, size_bytes: int = TRANSFER_BYTES) -> Matrix:
    count = torch.cuda.device_count()
    names = tuple(f"cuda:{i} {torch.cuda.get_device_name(i)}" for i in range(count))
    if count < 2:
        return Matrix(node, host, names, size_bytes, error=f"{count} GPU visible to this process: no pair to measure")
    bufs = [(torch.empty(size_bytes, dtype=torch.uint8, device=f"cuda:{i}"),
             torch.empty(size_bytes, dtype=torch.uint8, device=f"cuda:{i}")) for i in range(count)]
    small = [torch.empty(4, dtype=torch.uint8, device=f"cuda:{i}") for i in range(count)]
    staging = torch.empty(size_bytes, dtype=torch.uint8, pin_memory=True)
    tiny = torch.empty(4, dtype=torch.uint8, pin_memory=True)
    cells: List[MatrixCell] = []
    for src in range(count):
        for dst in range(count):
            if src != dst:
                cells += _cell(torch, src, dst, bufs, small, staging, tiny)
    return Matrix(node, host, names, size_bytes, tuple(cells))
