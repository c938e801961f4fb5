"""``envcheck fleet`` over a thousand long-level 8-GPU validate reports: time and memory.

    python benchmarks/fleet_scale.py                      # 1,000 machines × 8 GPUs, 900 s burns
    python benchmarks/fleet_scale.py --machines 200 --keep /tmp/fleet

The reports are made by the real writers (tests/fleet/synth.py says how), then
``python -m envcheck fleet DIR --json --html … --prometheus …`` runs as a subprocess
while its process tree's resident memory (the parser workers included) is sampled every
20 ms. Prints the per-report size, the wall time, the peak memory, and whether the
planted anomalies (a slow GPU, a drifted driver, ECC errors, a stale report, a missing
host) were found. Targets (docs/validate.md): under 5 s and under 500 MB on the 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from tests.fleet import synth  # noqa: E402


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def measure(cmd, env, out_file: Path) -> tuple:
    t0 = time.perf_counter()
    # stdout to a file, not a pipe: the JSON is megabytes, and a pipe nobody reads until
    # the end would block the writer (and the measurement with it).
    with open(out_file, "wb") as out:
        p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env)
        proc = psutil.Process(p.pid)
        peak = 0
        while p.poll() is None:
            try:
                peak = max(peak, tree_rss(proc))
            except psutil.Error:
                pass
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        err = p.stderr.read()
        p.stderr.close()
    return wall, peak, p.returncode, out_file.read_bytes(), err


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machines", type=int, default=1000)
    ap.add_argument("--gpus", type=int, default=8)
    ap.add_argument("--burn-s", type=float, default=900.0, help="the long level's burn")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, default=None, help="write the reports here and keep them")
    ap.add_argument("--reuse", action="store_true", help="with --keep: use the reports already there")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="envcheck-fleet-"))
    reports = work / "reports"
    if args.reuse and reports.is_dir():
        paths = sorted(reports.glob("*.json"))
        print(f"reusing {len(paths)} reports in {reports}")
    else:
        t0 = time.perf_counter()
        paths = synth.make_fleet(reports, args.machines, gpus=args.gpus, burn_s=args.burn_s)
        gen_s = time.perf_counter() - t0
        print(f"generated {len(paths)} reports ({args.gpus} GPUs, {args.burn_s:g} s burn) in {gen_s:.1f} s")
    sizes = [p.stat().st_size for p in paths]
    print(f"report size: mean {statistics.mean(sizes) / 1e3:.0f} kB, max {max(sizes) / 1e3:.0f} kB, "
          f"total {sum(sizes) / 1e6:.0f} MB")
    expected = work / "expected-hosts.txt"
    expected.write_text("\n".join(synth.host_name(i) for i in range(args.machines + 1)) + "\n")  # one never reported

    env = dict(os.environ, SOURCE_DATE_EPOCH="1796536800")  # 2026-12-06T06:00Z + 1 h: synth's reports are fresh
    cmd = [sys.executable, "-m", "envcheck", "fleet", str(reports), "--json", "--expect", str(expected),
           "--html", str(work / "fleet.html"), "--prometheus", str(work / "fleet.prom"), "--csv", str(work / "fleet.csv")]
    times, peaks = [], []
    for _ in range(args.runs):
        wall, peak, rc, out, err = measure(cmd, env, work / "fleet.json")
        if rc not in (0, 1):
            sys.exit(f"fleet failed (exit {rc}): {err.decode()[-2000:]}")
        times.append(wall)
        peaks.append(peak)
    doc = json.loads(out)
    c = doc["counts"]
    print(f"fleet over {c['reports']} reports: wall {min(times):.2f} s best / {statistics.median(times):.2f} s median "
          f"of {args.runs}; peak memory (process tree) {max(peaks) / 2**20:.0f} MB")
    print(f"uptime: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} (load average)")
    print(f"found: {c['outliers']} outlier(s), {c['drift']} drift, {c['health']} health flag(s), "
          f"{c['stale']} stale, {c['missing']} missing; verdict {doc['verdict']}")
    for o in doc["outliers"][:3]:
        print("  outlier:", o["text"])
    for d in doc["drift"][:3]:
        print("  drift:", d["key"], d["majority"], "odd:", ", ".join(f"{o['host']}={o['value']}" for o in d["odd"]))
    for h in doc["health"][:3]:
        print("  health:", h["text"])
    print(f"outputs: {work}/fleet.html ({(work / 'fleet.html').stat().st_size / 1e3:.0f} kB), fleet.prom, fleet.csv")


if __name__ == "__main__":
    main()
