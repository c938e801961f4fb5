"""Wall time of `envcheck doctor --no-torch` when every tool it runs hangs (probes run side by side, each under its deadline).

Fake `nvcc`, `ldconfig`, `modinfo`, `journalctl`, `dmesg`, `mokutil` and `nvidia-smi` that
never answer go first on PATH; with `--hung-nvml`, a fake `pynvml` whose nvmlInit never
returns goes first on PYTHONPATH (before the NVML worker, that hung for ever). Run one
after another the tools' deadlines add up (38 s measured); run side by side the doctor
takes about the slowest deadline (nvcc's 20 s).

    python benchmarks/hung_tools.py [--hung-nvml] [--runs 3] [--repo DIR]

`--repo` times another checkout (an older commit in a `git worktree`) with this script.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = ("nvcc", "ldconfig", "modinfo", "journalctl", "dmesg", "mokutil", "nvidia-smi")
HUNG_PYNVML = '''
import signal, time
class NVMLError(Exception):
    pass
def nvmlInit():
    signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})
    while True:
        time.sleep(3600)
'''


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hung-nvml", action="store_true", help="NVML hangs too")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    ap.add_argument("--limit", type=float, default=300.0, help="give up on one run after this many seconds")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bin_dir = Path(tmp) / "bin"
        bin_dir.mkdir()
        for tool in TOOLS:
            exe = bin_dir / tool
            exe.write_text("#!/bin/sh\nexec sleep 600\n")
            exe.chmod(0o755)
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        paths = [str(args.repo)]
        if args.hung_nvml:
            (Path(tmp) / "pynvml.py").write_text(HUNG_PYNVML)
            paths.insert(0, tmp)
        env["PYTHONPATH"] = os.pathsep.join(paths)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            try:
                r = subprocess.run([sys.executable, "-m", "envcheck", "doctor", "--no-torch"], cwd=args.repo, env=env,
                                   capture_output=True, text=True, timeout=args.limit, start_new_session=True)
                code = r.returncode
            except subprocess.TimeoutExpired:
                code = "killed at the limit"
            times.append(time.perf_counter() - t0)
            print(f"  run: {times[-1]:.1f} s (exit {code})", flush=True)
    load = os.getloadavg()[0]
    print(f"doctor --no-torch with {len(TOOLS)} hung tools{' and a hung NVML' if args.hung_nvml else ''}: "
          f"median {statistics.median(times):.1f} s over {args.runs} run{'s' if args.runs != 1 else ''} "
          f"(load {load:.1f}, {args.repo})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
