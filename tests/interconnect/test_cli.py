"""`envcheck interconnect` for real on this machine: gloo processes, a hang, wrong data, usage errors.

These start processes (spawn) and import torch in each: a few seconds per run here.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envcheck.cli import cli

pytestmark = pytest.mark.torch
SMALL = ["--device", "cpu", "--nproc", "2", "--max-bytes", "4K", "--factor", "8", "--budget", "0.05"]


def invoke(*args):
    return CliRunner().invoke(cli, ["interconnect", *args], catch_exceptions=False)


def test_a_small_gloo_sweep_passes_with_every_result_checked():
    r = invoke(*SMALL)
    assert r.exit_code == 0, r.output
    assert "2 CPU processes over gloo" in r.output and "Verdict: PASS" in r.output
    for c in ("all_reduce", "all_gather", "reduce_scatter", "broadcast (root 0)"):
        assert f" {c}\n" in r.output


def test_json_is_the_envelope_with_checked_rows(tmp_path):
    r = invoke(*SMALL, "--collectives", "all_reduce", "--json", "--plot", str(tmp_path / "plots"))
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["kind"] == "envcheck.interconnect" and doc["verdict"] == "PASS" and doc["run"]["complete"]
    assert [row["size_bytes"] for row in doc["collectives"]] == [8, 64, 512, 4096]
    assert all(row["wrong"] == 0 for row in doc["collectives"]) and len(doc["ranks"]) == 2
    assert (tmp_path / "plots" / "interconnect_busbw.png").stat().st_size > 1000


def test_an_induced_hang_ends_as_fail_within_the_deadline():
    r = invoke(*SMALL, "--collectives", "all_reduce", "--inject", "stall:1", "--deadline", "3", "--json")
    assert r.exit_code == 1, r.output
    doc = json.loads(r.stdout)
    assert doc["verdict"] == "FAIL" and doc["hang"]["label"] == "all_reduce 8 B"
    assert doc["hang"]["missing_ranks"] == [1] and doc["hang"]["waiting_ranks"] == [0]
    assert [f["id"] for f in doc["findings"]] == ["collective_timeout"]


def test_corrupted_data_is_caught():
    r = invoke(*SMALL, "--collectives", "reduce_scatter", "--inject", "wrong:0")
    assert r.exit_code == 1 and "collective_result_wrong" in r.output and "Verdict: FAIL" in r.output


@pytest.mark.parametrize("args, code, words", [
    (["--max-bytes", "1T"], 2, "--max-bytes '1T'"),
    (["--device", "cpu", "--collectives", "alltoall"], 2, "choose from"),
    (["--device", "cpu,cuda:0"], 2, "separate runs"),
    (["--device", "cpu", "--inject", "nap:1"], 2, "stall:RANK"),
    (["--device", "cpu", "--launcher", "torchrun"], 2, "WORLD_SIZE is not set"),
])
def test_bad_input_is_one_line(args, code, words):
    r = invoke(*args)
    assert r.exit_code == code and words in r.output and r.output.count("\n") == 1, r.output


def test_gpus_asked_for_on_a_machine_without_any_exit_4():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    r = invoke("--device", "all")
    assert r.exit_code == 4 and "sees no CUDA device" in r.output


def test_help_lists_the_command_and_the_exit_codes():
    r = CliRunner().invoke(cli, ["--help"])
    assert "interconnect" in r.output
    r = invoke("--help")
    assert r.exit_code == 0 and "Exit codes:" in r.output and "--deadline" in r.output
