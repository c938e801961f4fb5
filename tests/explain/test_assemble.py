"""Merging the parsers' claims into Facts: ranks, conflicts, GPU matching, derived facts, gaps."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.explain import PARSERS, explain_text
from envcheck.explain.assemble import GROUPS, assemble
from envcheck.explain.partial import STATED, TOOL, Found
from envcheck.facts import Facts
from envcheck.reading import Status
from envcheck.serial import from_dict, to_data

from .helpers import FIXTURES


def facts(text: str) -> Facts:
    return explain_text(text, collected_at="2026-01-01T00:00:00+00:00").facts


def test_a_tool_beats_a_persons_words_and_the_disagreement_is_noted():
    f = facts("my driver is 535.54\n| NVIDIA-SMI 550.90.07   Driver Version: 550.90.07   CUDA Version: 12.4 |\n")
    assert f.nvml.driver_version.value == "550.90.07"
    assert any("disagrees about nvml.driver_version" in n and "535.54" in n for n in f.notes)


def test_equal_ranks_later_line_wins():
    f = facts("CUDA_VISIBLE_DEVICES=0 python a.py\nCUDA_VISIBLE_DEVICES=2 python a.py\n")
    assert f.env.variables.value == {"CUDA_VISIBLE_DEVICES": "2"}
    assert any("CUDA_VISIBLE_DEVICES more than once" in n for n in f.notes)


def test_compatible_spellings_are_not_conflicts():
    f = facts("PyTorch version: 2.1.0\n[pip3] torch==2.1.0\nPython version: 3.10\nPython 3.10.12 (main, Jun 11 2023)\n")
    assert f.python.version.value == "3.10.12"
    assert not any("disagrees" in n for n in f.notes)


def test_source_and_schema():
    f = facts("Nvidia driver version: 550.90.07\n")
    assert f.source == "explain" and f.collected_at == "2026-01-01T00:00:00+00:00" and f.envcheck_version
    # the result round-trips through the snapshot serialiser like any Facts
    assert from_dict(Facts, to_data(f)) == f


def test_unknown_stays_unknown():
    f = facts("Nvidia driver version: 550.90.07\n")
    assert f.nvml.init.status is Status.UNKNOWN and f.nvml.init_error is None
    assert f.torch.version.status is Status.UNKNOWN and f.host.container.status is Status.UNKNOWN
    assert f.has_nvidia_gpu is None


def test_gpu_named_in_prose_and_in_a_warning_merge_with_the_listed_gpu():
    f = facts("GPU models and configuration: GPU 0: NVIDIA GeForce RTX 5090 D\n"
              "I have an RTX 5090 D\n"
              "NVIDIA GeForce RTX 5090 D with CUDA capability sm_120 is not compatible with the current PyTorch "
              "installation.\n")
    [g] = f.gpus
    assert g.name.value == "NVIDIA GeForce RTX 5090 D" and g.compute_capability.value == "12.0"
    assert f.has_nvidia_gpu is True


def test_a_different_gpu_in_prose_is_noted_when_tools_list_the_gpus():
    f = facts("GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee)\nmy other box has a 3060ti\n")
    assert [g.name.value for g in f.gpus] == ["NVIDIA GeForce RTX 4090"]
    assert any("NVIDIA GeForce RTX 3060 Ti" in n and "not among the GPUs" in n for n in f.notes)


def test_gpus_from_prose_alone_become_the_gpu_list():
    f = facts("Video card: 3060ti\n")
    assert [(g.index, g.name.value, g.name.detail) for g in f.gpus] == [
        (0, "NVIDIA GeForce RTX 3060 Ti", "stated in the text")]


def test_q_block_joins_the_table_gpu_by_bus_id():
    table = (FIXTURES / "nvidia_smi_r550_two_gpus.txt").read_text()
    q = "GPU 00000000:02:00.0\n    Product Name : NVIDIA GeForce RTX 4090\n    Remapped Rows\n        Pending : Yes\n"
    f = facts(table + "\n" + q)
    assert len(f.gpus) == 2
    assert f.gpus[1].remapped_rows_pending.value is True and f.gpus[0].remapped_rows_pending.status is Status.UNKNOWN


def test_truncated_name_yields_to_the_full_name():
    table = (FIXTURES / "nvidia_smi_2017.txt").read_text()
    f = facts(table + "\nGPU 0: GeForce GTX 1080 Ti (UUID: GPU-11111111-2222-3333-4444-555555555555)\n")
    assert f.gpus[0].name.value == "GeForce GTX 1080 Ti"


def test_lost_gpu_joins_by_bus_id():
    f = facts("|   0  Tesla V100-SXM2-16GB  On  | 00000000:3B:00.0 Off |  0 |\n"
              "Unable to determine the device handle for GPU0000:3b:00.0: GPU is lost.  Reboot the system\n")
    [g] = f.gpus
    assert g.status.status is Status.GPU_LOST and g.name.value == "Tesla V100-SXM2-16GB"


@pytest.mark.parametrize("version, cuda, status", [
    ("2.6.0+cu126", "12.6", Status.OK), ("2.1.0+cpu", None, Status.NOT_FOUND), ("1.8.1+cu111", "11.1", Status.OK),
    ("2.4.1+rocm6.1", None, Status.NOT_FOUND), ("2.6.0", None, Status.UNKNOWN),
])
def test_cuda_build_from_the_version_suffix(version, cuda, status):
    f = facts(f"PyTorch version: {version}\n")
    assert f.torch.cuda_build.status is status and f.torch.cuda_build.value == cuda
    assert f.torch.installed.value is True


def test_explicit_cuda_build_beats_the_suffix_rule():
    f = facts("PyTorch version: 2.6.0+cu126\nCUDA used to build PyTorch: 12.6\n")
    assert f.torch.cuda_build.detail.startswith("collect_env")


def test_nvml_failure_sets_init_error():
    f = facts("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n")
    assert f.nvml.init.status is Status.ERROR and f.nvml.init_error == "driver_not_loaded"
    assert "Secure Boot state not in the text (`mokutil --sb-state` shows it)" in f.notes


def test_a_later_working_nvidia_smi_wins_over_an_earlier_failure():
    table = (FIXTURES / "nvidia_smi_r610.txt").read_text()
    f = facts("Failed to initialize NVML: Driver/library version mismatch\n(after reboot)\n" + table)
    assert f.nvml.init.value is True and f.nvml.init_error is None
    assert any("disagrees about nvml.init" in n for n in f.notes)


def test_the_could_not_tell_list():
    f = facts("Video card: 3060ti\n")
    assert "driver version not found in the text (`nvidia-smi` shows it)" in f.notes
    assert any(n.startswith("PyTorch version not found") for n in f.notes)
    assert "Python version not found in the text" in f.notes
    assert "operating system not found in the text" in f.notes
    assert not any(n.startswith("GPU model not found") for n in f.notes)


def test_wsl_claim_gets_a_note_and_proof_does_not():
    assert any("does not prove which version" in n for n in facts("I use WSL2\n").notes)
    f = facts("I use WSL2\nLinux pc 5.15.153.1-microsoft-standard-WSL2 #1 SMP Fri x86_64 x86_64 x86_64 GNU/Linux\n")
    assert f.host.wsl.value == "wsl2" and not any("does not prove" in n for n in f.notes)


def test_nothing_recognised_gives_empty_facts_not_an_error():
    f = facts("hello, my training is slow, please help\n")
    assert f.source == "explain" and f.gpus == () and not f.torch.version.known


def test_every_parser_claims_only_real_fact_paths():
    """Run every parser over every fixture: every claimed path must exist in Facts."""
    from envcheck.explain.source import normalise

    fields = {g: {f.name for f in dataclasses.fields(cls)} for g, cls in GROUPS.items()}
    for path in sorted(FIXTURES.glob("*.txt")):
        doc = normalise(path.read_text(encoding="utf-8"))
        for parse in PARSERS:
            found = parse(doc)
            for c in found.claims:
                group, _, name = c.path.partition(".")
                assert name in fields[group] or c.path == "nvml.init_error", (path.name, c.path)
            for it in found.items:
                group, _, name = it.path.partition(".")
                assert name in fields[group], (path.name, it.path)


def test_assemble_rejects_an_unknown_path():
    f = Found("test", TOOL)
    f.set("torch.no_such_field", 1, 0)
    with pytest.raises(ValueError, match="unknown fact"):
        assemble([f])


def test_assemble_rejects_an_unknown_gpu_field():
    f = Found("test", STATED)
    f.gpu(0, 0, colour="green")
    with pytest.raises(ValueError, match="unknown GPU field"):
        assemble([f])
