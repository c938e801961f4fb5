"""Benchmark: `envcheck interconnect` against its targets (docs/interconnect.md), printed, never asserted.

CPU (any machine): a 4-process gloo sweep of all_reduce, all_gather, reduce_scatter and
broadcast from 8 B to 64 MiB per rank, every result checked — target: under 60 s of wall
time including the processes' start; then an induced hang (rank 2 stalls) — target: FAIL
within the deadline (plus the start-up).

GPU (``--gpu``, a machine with several GPUs): one NCCL sweep to 1 GiB with copies — targets:
peak bus bandwidth >= 90 % of the published nccl-tests figure for the topology; every P2P
pair within 90 % of the best pair joined the same way; pinned H2D/D2H >= 90 % of the PCIe
generation's practical peak.

Usage: python benchmarks/interconnect_sweep.py [--gpu] [--nproc 4] [--max-bytes 64M] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from envcheck.runner import run  # noqa: E402

TARGET_CPU_S = 60.0
TARGET_FRACTION = 0.9


def envcheck(args: List[str], timeout: float = 3600) -> Tuple[float, int, Dict[str, Any], str]:
    t0 = time.perf_counter()
    r = run([sys.executable, "-m", "envcheck", "interconnect", *args, "--json"], timeout=timeout)
    wall = time.perf_counter() - t0
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = {}
    return wall, r.returncode if r.returncode is not None else -1, doc, r.stderr


def load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average unknown"


def cpu(nproc: int, max_bytes: str, out: Path) -> None:
    print(f"CPU (gloo), {nproc} processes, 8 B -> {max_bytes}, {os.cpu_count()} CPUs, {load()}")
    wall, code, doc, err = envcheck(["--device", "cpu", "--nproc", str(nproc), "--max-bytes", max_bytes])
    (out / "cpu_sweep.json").write_text(json.dumps(doc, indent=2))
    rows = doc.get("collectives", [])
    checked = all(r["wrong"] == 0 for r in rows) and doc.get("run", {}).get("complete", False)
    print(f"  sweep: {wall:.1f} s wall (target < {TARGET_CPU_S:.0f} s: {'met' if wall < TARGET_CPU_S else 'MISSED'}), "
          f"exit {code}, {len(rows)} rows, every result checked and right: {checked}")
    for c, v in doc.get("peak_busbw_gb_s", {}).items():
        print(f"    peak busbw {c:<15} {v:8.3f} GB/s")
    if code != 0:
        print("  " + err.strip().splitlines()[-1] if err.strip() else "  (no error text)")
    deadline = 10.0
    wall, code, doc, _ = envcheck(["--device", "cpu", "--nproc", str(nproc), "--max-bytes", "4K",
                                   "--collectives", "all_reduce", "--inject", "stall:2", "--deadline", str(deadline)])
    (out / "cpu_hang.json").write_text(json.dumps(doc, indent=2))
    hang = doc.get("hang") or {}
    print(f"  induced hang (rank 2 stalls, deadline {deadline:g} s): verdict {doc.get('verdict')}, exit {code}, "
          f"{wall:.1f} s wall including start-up; held up by rank(s) {hang.get('missing_ranks')}, "
          f"findings {[f['id'] for f in doc.get('findings', [])]}")
    print(f"  {load()}")


def gpu(max_bytes: str, out: Path) -> None:
    print(f"GPU (NCCL), every GPU, 8 B -> {max_bytes}, {load()}")
    wall, code, doc, err = envcheck(["--device", "all", "--max-bytes", max_bytes, "--plot", str(out)])
    (out / "gpu_sweep.json").write_text(json.dumps(doc, indent=2))
    print(f"  {wall:.1f} s wall, exit {code}, verdict {doc.get('verdict')}, route: {doc.get('route') or 'unknown'}")
    if not doc:
        print("  " + (err.strip().splitlines()[-1] if err.strip() else "no output"))
        return
    for c, v in doc.get("peak_busbw_gb_s", {}).items():
        e = doc.get("expected_busbw", {}).get(c)
        frac = v / e["busbw_gb_s"] if e else None
        verdict = "no figure" if frac is None else ("met" if frac >= TARGET_FRACTION else "MISSED")
        ref = f" of {e['busbw_gb_s']} GB/s ({e['basis']}, {e['source']})" if e else ""
        print(f"    {c:<15} {v:8.1f} GB/s" + (f" = {100 * frac:.0f} %{ref}" if frac else "") + f" [{verdict}]")
    for m in doc.get("matrices", []):
        cells = [c for c in m.get("cells", []) if c["via"] == "p2p"]
        best = max((c["bandwidth_gb_s"] for c in cells), default=0)
        low = [f"{c['src']}->{c['dst']}" for c in cells if c["bandwidth_gb_s"] < TARGET_FRACTION * best]
        print(f"    P2P matrix node {m['node']}: best {best:.1f} GB/s, pairs below 90 %: {low or 'none'}"
              + (f" ({m['error']})" if m.get("error") else ""))
    for c in doc.get("copies", []):
        if c["memory"] == "pinned":
            peak = c.get("practical_peak_gb_s")
            frac = c["gb_s"] / peak if peak else None
            print(f"    rank {c['rank']} {c['direction']} pinned {c['gb_s']:.1f} GB/s"
                  + (f" = {100 * frac:.0f} % of {peak} [{'met' if frac >= TARGET_FRACTION else 'MISSED'}]"
                     if frac else " (no PCIe figure)"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpu", action="store_true", help="measure the GPUs (NCCL) instead of CPU processes")
    ap.add_argument("--nproc", type=int, default=4)
    ap.add_argument("--max-bytes", default=None)
    ap.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", "interconnect-results")))
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    if a.gpu:
        gpu(a.max_bytes or "1G", a.out)
    else:
        cpu(a.nproc, a.max_bytes or "64M", a.out)


if __name__ == "__main__":
    main()
