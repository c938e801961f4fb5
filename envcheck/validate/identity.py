"""Which machine a report is about, and the scheduler that launched it.

The host name comes from the scheduler when there is one (SLURM's ``SLURMD_NODENAME``,
the Kubernetes node name the shipped manifests pass as ``ENVCHECK_NODE_NAME``), else
from the kernel: inside a pod the kernel's host name is the pod's, which would make
every report of a DaemonSet look like a different machine on every run.

Redaction replaces the host name by a stable pseudonym (``host-`` + 8 hex digits of its
SHA-256), so a redacted fleet still tells its machines apart and a machine keeps its
name from one run to the next.
"""

from __future__ import annotations

import hashlib
import re
import socket
from typing import Any, Dict, Mapping, Optional

# SLURM variables a validate run records (sbatch(1), srun(1) "OUTPUT ENVIRONMENT VARIABLES").
SLURM_VARS = {
    "job_id": "SLURM_JOB_ID", "job_name": "SLURM_JOB_NAME", "cluster": "SLURM_CLUSTER_NAME",
    "partition": "SLURM_JOB_PARTITION", "node": "SLURMD_NODENAME", "nodelist": "SLURM_JOB_NODELIST",
    "nnodes": "SLURM_JOB_NUM_NODES", "procid": "SLURM_PROCID", "gpus_on_node": "SLURM_GPUS_ON_NODE",
    "step_gpus": "SLURM_STEP_GPUS", "cpus_on_node": "SLURM_CPUS_ON_NODE",
}
KUBERNETES_VARS = {"node": "ENVCHECK_NODE_NAME", "pod": "ENVCHECK_POD_NAME", "namespace": "ENVCHECK_POD_NAMESPACE"}


def hostname(environ: Mapping[str, str]) -> str:
    for var in ("ENVCHECK_HOST", "SLURMD_NODENAME", "ENVCHECK_NODE_NAME"):
        value = (environ.get(var) or "").strip()
        if value:
            return value
    return socket.gethostname()


def pseudonym(name: str) -> str:
    return "host-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]


def _collect(environ: Mapping[str, str], table: Mapping[str, str]) -> Optional[Dict[str, str]]:
    out = {key: environ[var] for key, var in table.items() if environ.get(var)}
    return out or None


def identity(environ: Mapping[str, str], redact: bool = False) -> Dict[str, Any]:
    """``{"hostname", "redacted", "slurm", "kubernetes"}`` for the report's ``machine`` block."""
    name = hostname(environ)
    slurm = _collect(environ, SLURM_VARS)
    kube = _collect(environ, KUBERNETES_VARS)
    if redact:
        if slurm:
            slurm = {k: (pseudonym(v) if k in ("node",) else v) for k, v in slurm.items() if k != "nodelist"}
        if kube:
            kube = {k: (pseudonym(v) if k == "node" else v) for k, v in kube.items() if k != "pod"}
        name = pseudonym(name)
    return {"hostname": name, "redacted": redact, "slurm": slurm, "kubernetes": kube}


def expand_path(template: str, machine: Mapping[str, Any]) -> str:
    """``--report`` may name the file by machine: ``{host}`` (the host name, or its
    pseudonym with --redact) and ``{job}`` (SLURM's job id, else "nojob")."""
    job = ((machine.get("slurm") or {}).get("job_id")) or "nojob"
    host = re.sub(r"[^A-Za-z0-9._-]", "_", str(machine.get("hostname") or "unknown"))
    return template.replace("{host}", host).replace("{job}", re.sub(r"[^A-Za-z0-9._-]", "_", job))
