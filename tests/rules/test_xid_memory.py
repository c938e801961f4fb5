"""ecc_errors from the kernel log's memory Xids (48, 94, 95, 140 uncorrectable; 92 corrected),
silent when ECC counters were pasted (health.ecc_errors reads them) and for other Xids."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings as _ids


@pytest.mark.parametrize("line", [
    "[ 8120.5] NVRM: Xid (PCI:0000:3b:00): 48, pid=2214, name=python, An uncorrectable double bit error (DBE) "
    "has been detected on GPU in the framebuffer at partition 6, subpartition 0.",
    "Mar 02 10:01:11 node3 kernel: NVRM: Xid (PCI:0000:9b:00): 94, pid=1234, name=python3, Contained ECC error",
    "kernel: NVRM: Xid (PCI:0000:18:00): 95, pid='<unknown>', name=<unknown>, Uncontained: FBHUB. RST: Yes, D-RST: No",
])
def test_uncorrectable_memory_xids_are_ecc_errors(line):
    f = _ids(line + "\n")["ecc_errors"]
    assert f.severity.value == "error"


def test_high_single_bit_rate_is_a_warning():
    f = _ids("kernel: NVRM: Xid (PCI:0000:9b:00): 92, pid=1234, name=python3, High single-bit ECC error rate\n")
    assert f["ecc_errors"].severity.value == "warning"


@pytest.mark.parametrize("line", [
    "kernel: NVRM: Xid (PCI:0000:9b:00): 13, Graphics SM Warp Exception on (GPC 7, TPC 7, SM 0): Illegal Instruction",
    "kernel: NVRM: Xid (PCI:0000:61:00): 45, pid=1496200, name=python, Ch 0000000a",
    "kernel: NVRM: Xid (PCI:0000:3b:00): 31, pid=2214, name=python, Ch 00000010, intr 00000000. MMU Fault",
])
def test_other_xids_are_not_memory_errors(line):
    ids = _ids(line + "\n")
    assert "xid_errors_logged" in ids and "ecc_errors" not in ids


def test_counters_pasted_beside_the_xid_decide():
    paste = ("kernel: NVRM: Xid (PCI:0000:3b:00): 48, pid=2214, name=python, An uncorrectable double bit error\n"
             "$ nvidia-smi --query-gpu=index,pci.bus_id,ecc.errors.uncorrected.volatile.total,"
             "ecc.errors.uncorrected.aggregate.total --format=csv\n"
             "index, pci.bus_id, ecc.errors.uncorrected.volatile.total, ecc.errors.uncorrected.aggregate.total\n"
             "0, 00000000:3B:00.0, 2, 2\n")
    f = _ids(paste)["ecc_errors"]
    assert "uncorrectable: 2" in f.explanation
