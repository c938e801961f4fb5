"""On a machine with CUDA: the NCCL path, host<->device copies and (with two GPUs) the matrix."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envcheck.cli import cli

pytestmark = [pytest.mark.gpu, pytest.mark.torch]


def test_nccl_sweep_on_every_gpu_is_checked():
    r = CliRunner().invoke(cli, ["interconnect", "--device", "all", "--max-bytes", "16M", "--factor", "16", "--json"])
    doc = json.loads(r.stdout)
    assert doc["run"]["backend"] == "nccl" and doc["run"]["complete"], r.output[-2000:]
    assert all(row["wrong"] == 0 for row in doc["collectives"])
    assert {c["direction"] for c in doc["copies"]} == {"h2d", "d2h"}
    assert all(c["gb_s"] > 0 for c in doc["copies"])


def test_matrix_covers_every_ordered_pair():
    import torch

    from envcheck.interconnect.copies import matrix

    n = torch.cuda.device_count()
    m = matrix(torch, 0, "here", size_bytes=16 << 20)
    if n < 2:
        assert m.error and not m.cells
    else:
        assert len(m.cells) == 2 * n * (n - 1) and all(c.bandwidth_gb_s > 0 for c in m.cells)
