"""Who started the ranks: torchrun's and srun's variables (envcheck launches nothing then)."""

from __future__ import annotations

import pytest

from envcheck.errors import EnvcheckError
from envcheck.interconnect.launch import detect, first_host, tasks_per_node

TORCHRUN = {"TORCHELASTIC_RUN_ID": "none", "RANK": "5", "WORLD_SIZE": "8", "LOCAL_RANK": "1", "LOCAL_WORLD_SIZE": "4",
            "GROUP_RANK": "1", "GROUP_WORLD_SIZE": "2", "MASTER_ADDR": "node01", "MASTER_PORT": "29500",
            "TORCHELASTIC_USE_AGENT_STORE": "True"}
SRUN = {"SLURM_JOB_ID": "4242", "SLURM_STEP_ID": "0", "SLURM_PROCID": "6", "SLURM_STEP_NUM_TASKS": "8",
        "SLURM_NTASKS": "8", "SLURM_LOCALID": "2", "SLURM_NODEID": "1", "SLURM_STEP_NUM_NODES": "2",
        "SLURM_STEP_TASKS_PER_NODE": "4(x2)", "SLURM_STEP_NODELIST": "gpu[07-08]"}


def test_torchrun():
    la = detect(TORCHRUN)
    assert (la.source, la.rank, la.world_size, la.local_rank, la.local_world_size, la.node_rank, la.nnodes) == (
        "torchrun", 5, 8, 1, 4, 1, 2)
    assert (la.master_addr, la.master_port, la.agent_store) == ("node01", 29500, True)


def test_srun_step():
    la = detect(SRUN)
    assert (la.source, la.rank, la.world_size, la.local_rank, la.local_world_size, la.node_rank, la.nnodes) == (
        "slurm", 6, 8, 2, 4, 1, 2)
    assert (la.master_addr, la.master_port, la.agent_store) == ("gpu07", 29500 + 4242 % 1000, False)
    assert detect({**SRUN, "MASTER_ADDR": "10.0.0.7", "MASTER_PORT": "31000"}).master_addr == "10.0.0.7"


def test_torchrun_inside_srun_is_torchrun():
    assert detect({**SRUN, **TORCHRUN}).source == "torchrun"


def test_a_batch_script_or_nothing_means_local():
    batch = {"SLURM_JOB_ID": "4242", "SLURM_PROCID": "0", "SLURM_NTASKS": "8", "SLURM_NODELIST": "gpu[07-08]"}
    assert detect(batch) is None and detect({}) is None
    assert detect(TORCHRUN, "local") is None


def test_forced_launcher_with_missing_variables_is_one_line():
    with pytest.raises(EnvcheckError, match="WORLD_SIZE is not set"):
        detect({}, "torchrun")
    with pytest.raises(EnvcheckError, match="not a number"):
        detect({**TORCHRUN, "RANK": "five"})


@pytest.mark.parametrize("text, host", [("gpu[07-09,12],login1", "gpu07"), ("node1,node2", "node1"),
                                        ("a100-[001-004]", "a100-001"), ("single", "single")])
def test_first_host_of_a_slurm_host_list(text, host):
    assert first_host(text) == host


def test_intricate_host_lists_ask_for_master_addr():
    with pytest.raises(EnvcheckError, match="MASTER_ADDR"):
        first_host("rack[1-2]-node[01-04]")


def test_tasks_per_node():
    assert tasks_per_node("4(x2),3") == [4, 4, 3] and tasks_per_node("8") == [8]
    with pytest.raises(EnvcheckError):
        tasks_per_node("4x2")
