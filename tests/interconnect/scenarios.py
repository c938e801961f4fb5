"""Synthetic interconnect outcomes: an 8x H100 HGX run over NCCL, a gloo run on CPUs."""

from __future__ import annotations

import dataclasses
from typing import Sequence

from envcheck.facts import Facts, GpuAffinity, GpuPair, InterconnectFacts, NvLink
from envcheck.interconnect.nccltests import busbw_gb_s, shape
from envcheck.interconnect.records import CollectiveRow, CopyRow, Hang, Matrix, MatrixCell, Outcome, RankInfo
from tests.builders import env, gpu, nvml, ok

H100 = "NVIDIA H100 80GB HBM3"


def uuid(i: int) -> str:
    return f"GPU-{i:08d}-0000-0000-0000-000000000000"


def hgx_facts(n: int = 8, **ic) -> Facts:
    gpus = [gpu(H100, "9.0", index=i, pci_bus_id=f"00000000:{0x18 + i:02X}:00.0") for i in range(n)]
    pairs = tuple(GpuPair(a, b, ok("NV18"), ok(18), ok("ok"), ok("ok"), ok("ok"), ok("ok"))
                  for a in range(n) for b in range(a + 1, n))
    links = tuple(NvLink(g, i, ok(True), ok(4), ok(25.781), ok("0000:c0:00.0"), ok(0), ok(0), ok(0), ok(0))
                  for g in range(n) for i in range(18))
    aff = tuple(GpuAffinity(i, ok(i // 4), ok("0-47" if i < 4 else "48-95")) for i in range(n))
    base = dict(pairs=ok(pairs), nvlinks=ok(links), affinity=ok(aff), iommu=ok("off"), iommu_groups=ok(0),
                acs_redirect_bridges=ok(()), peermem_loaded=ok(False), rdma_devices=ok(()), process_cpus=ok("0-95"))
    base.update(ic)
    return Facts(nvml=nvml(gpus), interconnect=InterconnectFacts(**base), env=env())


def row(collective: str, size: int, ranks: int, seconds: float, wrong: int = 0) -> CollectiveRow:
    sh = shape(collective, size, ranks)
    return CollectiveRow(collective, sh.size_bytes, sh.count, ranks, 20, round(seconds * 1e6, 2),
                         round(seconds * 1.05e6, 2), round(sh.size_bytes / seconds / 1e9, 4),
                         round(busbw_gb_s(collective, sh.size_bytes, seconds, ranks), 4), wrong,
                         0 if collective == "broadcast" else -1)


def hgx_outcome(busbw_gb_s_at_1g: float = 470.0, n: int = 8, hang: Hang = None, wrong: int = 0,
                cpus: str = "0-95", facts: Facts = None, complete: bool = True) -> Outcome:
    ranks = tuple(RankInfo(r, 0, r, "hgx01", 1000 + r, f"cuda:{r}", H100, uuid(r)[4:], cpus=cpus) for r in range(n))
    rows = []
    for c in ("all_reduce", "all_gather"):
        factor = 2 * (n - 1) / n if c == "all_reduce" else (n - 1) / n
        for size in (8, 1 << 20, 1 << 30):
            bw = busbw_gb_s_at_1g if size == 1 << 30 else (busbw_gb_s_at_1g / 4 if size == 1 << 20 else 0.0002)
            rows.append(row(c, size, n, size / (bw / factor * 1e9), wrong if size == 1 << 20 else 0))
    copies = tuple(CopyRow(r, f"cuda:{r}", d, m, 256 << 20, v) for r in range(2)
                   for d, m, v in (("h2d", "pinned", 53.1), ("d2h", "pinned", 51.7), ("h2d", "pageable", 19.0),
                                   ("d2h", "pageable", 17.5)))
    cells = tuple(MatrixCell(s, d, via, bw if not (s, d) == (1, 0) else bw / 2, lat, True)
                  for s in range(3) for d in range(3) if s != d
                  for via, bw, lat in (("p2p", 390.0, 2.4), ("host", 24.5, 18.0)))
    matrix = Matrix(0, "hgx01", tuple(f"cuda:{i} {H100}" for i in range(3)), 256 << 20, cells)
    return Outcome("nccl", "local", n, 1, ("all_reduce", "all_gather"), (8, 1 << 20, 1 << 30), 60.0, ranks, copies,
                   (matrix,), tuple(rows), hang, (), 42.5, complete and hang is None, (facts or hgx_facts(n),))


def gloo_outcome(ranks: int = 4, rows: Sequence[CollectiveRow] = (), **kw) -> Outcome:
    infos = tuple(RankInfo(r, 0, r, "box", 200 + r, "cpu", cpus="0-1") for r in range(ranks))
    rows = tuple(rows) or (row("all_reduce", 8, ranks, 0.002), row("all_reduce", 64 << 20, ranks, 0.2))
    base = Outcome("gloo", "local", ranks, 1, ("all_reduce",), (8, 64 << 20), 60.0, infos, (), (), rows, None, (),
                   12.0, True, (Facts(),))
    return dataclasses.replace(base, **kw)
