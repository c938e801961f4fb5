"""Two "nodes" on localhost, launched by torchrun (static rendezvous) with gloo: rank 0 reports.

envcheck launches nothing here: each torchrun starts two ranks running `python -m envcheck
interconnect`, which reads torchrun's variables and joins the run through torchrun's store.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest

pytestmark = pytest.mark.torch
REPO = Path(__file__).resolve().parents[2]
ARGS = ["--device", "cpu", "--max-bytes", "4K", "--factor", "8", "--budget", "0.05", "--json"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def two_nodes(*extra: str) -> List[Tuple[int, str, str]]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "GLOO_SOCKET_IFNAME": "lo"}
    procs = []
    for node in (1, 0):
        cmd = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--nproc-per-node", "2",
               "--node-rank", str(node), "--master-addr", "127.0.0.1", "--master-port", str(port),
               "-m", "envcheck", "interconnect", *ARGS, *extra]
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                      cwd=REPO))
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        out.append((p.returncode, stdout, stderr))
    return list(reversed(out))  # node 0 first


def test_two_nodes_through_torchrun_report_from_rank_0():
    (code0, out0, err0), (code1, out1, _) = two_nodes("--collectives", "all_reduce,all_gather")
    assert code0 == 0 and code1 == 0, err0[-2000:]
    assert out1.strip() == ""  # only rank 0 reports
    doc = json.loads(out0)
    assert doc["run"]["launcher"] == "torchrun" and doc["run"]["nnodes"] == 2 and doc["run"]["world_size"] == 4
    assert doc["verdict"] == "PASS" and all(r["wrong"] == 0 for r in doc["collectives"])
    assert sorted(r["node"] for r in doc["ranks"]) == [0, 0, 1, 1]


def test_a_rank_stalling_on_the_other_node_is_reported_by_rank_0():
    (code0, out0, err0), _ = two_nodes("--collectives", "all_reduce", "--inject", "stall:3", "--deadline", "4")
    assert code0 != 0
    doc = json.loads(out0)
    assert doc["verdict"] == "FAIL" and doc["hang"]["missing_ranks"] == [3] and doc["hang"]["seen_by"] == "rank 0"
    assert [f["id"] for f in doc["findings"]] == ["collective_timeout"]
