"""A real single-node SLURM (Debian's slurm-wlm and munge) in a temporary directory.

Everything lives in ``root``: the munge key and socket, slurm.conf, cgroup.conf,
gres.conf, state, spool, logs and pid files; ports are picked free. Nothing in /etc is
touched and nothing is left running: :meth:`Cluster.stop` ends the three daemons by
their pid files. The choices that make 22.05 run inside these containers are in
../shared/notes/slurm-on-these-machines.md; beyond them:

* munged runs as root with ``--force`` on a private key and socket (no /etc/munge);
  slurm finds that socket through ``AuthInfo=socket=…``.
* The node declares one ``gpu`` GRES backed by /dev/null, so the shipped script's
  ``--gpus-per-node`` is exercised for real (SLURM then sets CUDA_VISIBLE_DEVICES).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, List, Optional

BINARIES = ("munged", "munge", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo", "srun")


def missing() -> Optional[str]:
    """Why a cluster cannot start here (None when it can)."""
    absent = [b for b in BINARIES if shutil.which(b) is None]
    if absent:
        return f"SLURM/munge not installed ({', '.join(absent)} missing; Debian: apt-get install slurm-wlm munge)"
    if os.geteuid() != 0:
        return "starting slurmctld/slurmd needs root"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def node_line() -> str:
    """``NodeName=… CPUs=… …`` as ``slurmd -C`` prints it (a mismatch makes jobs unschedulable)."""
    out = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, timeout=30).stdout
    line = next(x for x in out.splitlines() if x.startswith("NodeName="))
    mem = int(re.search(r"RealMemory=(\d+)", line).group(1))
    return re.sub(r"RealMemory=\d+", f"RealMemory={int(mem * 0.8)}", line)


class Cluster:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.host = socket.gethostname()
        self.env: Dict[str, str] = dict(os.environ, SLURM_CONF=str(root / "slurm.conf"))
        self.pidfiles: List[Path] = []

    def _write_config(self) -> None:
        r = self.root
        for d in ("munge", "state", "spool", "log"):
            (r / d).mkdir(parents=True, exist_ok=True)
        os.chmod(r, 0o755)
        os.chmod(r / "munge", 0o700)
        key = r / "munge" / "munge.key"
        key.write_bytes(secrets.token_bytes(1024))
        os.chmod(key, 0o400)
        ctld, slurmd = free_port(), free_port()
        (r / "slurm.conf").write_text(f"""\
ClusterName=envchecktest
SlurmctldHost={self.host}
SlurmctldPort={ctld}
SlurmdPort={slurmd}
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={r}/munge/munge.sock
StateSaveLocation={r}/state
SlurmdSpoolDir={r}/spool
SlurmctldPidFile={r}/slurmctld.pid
SlurmdPidFile={r}/slurmd.pid
SlurmctldLogFile={r}/log/slurmctld.log
SlurmdLogFile={r}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
GresTypes=gpu
{node_line()} Gres=gpu:1 State=UNKNOWN
PartitionName=debug Nodes={self.host} Default=YES MaxTime=INFINITE State=UP
""")
        (r / "cgroup.conf").write_text("CgroupPlugin=cgroup/v1\nIgnoreSystemd=yes\nCgroupAutomount=no\n")
        (r / "gres.conf").write_text(f"NodeName={self.host} Name=gpu File=/dev/null Count=1\n")

    def _run(self, argv: List[str], timeout: float = 30) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout)

    def start(self, timeout_s: float = 60.0) -> "Cluster":
        self._write_config()
        r = self.root / "munge"
        self.pidfiles = [r / "munged.pid", self.root / "slurmctld.pid", self.root / "slurmd.pid"]
        self._check(self._run(["munged", "--force", f"--key-file={r}/munge.key", f"--socket={r}/munge.sock",
                               f"--pid-file={r}/munged.pid", f"--log-file={r}/munged.log",
                               f"--seed-file={r}/munged.seed"]), "munged")
        self._check(self._run(["slurmctld", "-f", self.env["SLURM_CONF"]]), "slurmctld")
        self._check(self._run(["slurmd", "-f", self.env["SLURM_CONF"]]), "slurmd")
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            state = self._run(["sinfo", "-h", "-N", "-o", "%T"]).stdout.strip()
            if state.startswith("idle"):
                return self
            time.sleep(0.5)
        raise RuntimeError(f"the node did not become idle (sinfo: {state!r}); logs in {self.root / 'log'}")

    @staticmethod
    def _check(proc: subprocess.CompletedProcess, what: str) -> None:
        if proc.returncode != 0:
            raise RuntimeError(f"{what} did not start: {proc.stderr.strip() or proc.stdout.strip()}")

    def submit(self, script: Path, *args: str, sbatch_options: List[str] = (), env: Dict[str, str] = None) -> str:
        proc = subprocess.run(["sbatch", "--parsable", *sbatch_options, str(script), *args],
                              env=dict(self.env, **(env or {})), capture_output=True, text=True, timeout=30)
        self._check(proc, "sbatch")
        return proc.stdout.strip().split(";")[0]

    def wait(self, job: str, timeout_s: float) -> str:
        """The job's final state (COMPLETED, FAILED, …) once it left the queue."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            out = self._run(["scontrol", "show", "job", job]).stdout
            m = re.search(r"JobState=(\w+)", out)
            state = m.group(1) if m else "UNKNOWN"
            if state not in ("PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "UNKNOWN"):
                return state
            time.sleep(1)
        self._run(["scancel", job])
        raise TimeoutError(f"job {job} still {state} after {timeout_s:.0f} s")

    def stop(self) -> None:
        for pidfile in reversed(self.pidfiles):  # slurmd, slurmctld, then munged
            try:
                pid = int(pidfile.read_text().strip())
            except (OSError, ValueError):
                continue
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
            for _ in range(50):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.1)
            else:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
