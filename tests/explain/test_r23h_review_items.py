"""Round 23 h, two review items (general classes).

1. A text QUOTING NVIDIA's Xid catalogue (codes with their meanings, a docs table, a monitoring
   tool's alert list) is no kernel log: no gpu_lost, xid_errors_logged or ecc_errors from it
   (explain/reference_table.py). The kernel's own ``NVRM: Xid`` lines, a person's "dmesg shows Xid 79"
   and a list of codes under "dmesg shows …:" still count.
2. A host's ``df -h`` with a /dev/shm of 992M (the kernel's default of half the RAM of a 2 GiB
   machine) is no shm_too_small; Docker's 64 MiB in a container, and a host's /dev/shm mounted at
   64M, still are (explain/df_layout.py, rules/health.py's HOST_SHM_SMALL).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

LOST, XID, ECC, SHM = "gpu_lost", "xid_errors_logged", "ecc_errors", "shm_too_small"

DOCS_LIST = ("For reference, here is NVIDIA's Xid table from the docs:\n\n"
             "Xid 13: Graphics Engine Exception\nXid 31: GPU memory page fault\nXid 48: Double Bit ECC Error\n"
             "Xid 63: ECC page retirement or row remapping recording event\nXid 79: GPU has fallen off the bus\n"
             "Xid 94: Contained ECC error\n\nWhich of these should our monitoring alert on?\n")
MD_TABLE = ("Which of these should page on-call? From the NVIDIA docs:\n\n| Xid | Failure | Causes |\n"
            "|-----|---------|--------|\n| 13 | Graphics Engine Exception | User app fault |\n"
            "| 48 | DBE (Double Bit Error) ECC Error | Hardware |\n| 79 | GPU has fallen off the bus | System or hardware |\n"
            "| 94 | Contained ECC error | Hardware |\n")
TAB_TABLE = ("XID\tDescription\n31\tGPU memory page fault\n48\tDouble Bit ECC Error\n"
             "63\tECC page retirement or row remapping recording event\n79\tGPU has fallen off the bus\n")
BULLETS = ("Our alert rules cover these codes:\n- `Xid 48` — Double Bit ECC Error\n- `Xid 79` — GPU has fallen off the bus\n"
           "- `Xid 92` — High single-bit ECC error rate\n")


@pytest.mark.parametrize("text", [DOCS_LIST, MD_TABLE, TAB_TABLE, BULLETS])
def test_a_quoted_xid_catalogue_is_no_event(text):
    fs = findings(text)
    assert LOST not in fs and XID not in fs and ECC not in fs


KERNEL = ("[ 5120.552731] NVRM: Xid (PCI:0000:3b:00): 48, pid=2214, name=python, An uncorrectable double bit error "
          "(DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0.\n"
          "[ 5120.552740] NVRM: Xid (PCI:0000:3b:00): 63, pid=2214, name=python, Row Remapper: New row marked for "
          "remapping, reset gpu to activate.\n"
          "[ 5120.552750] NVRM: Xid (PCI:0000:3b:00): 79, pid=2214, name=python, GPU has fallen off the bus.\n")
SEEN_LIST = ("Training crashed twice this week. dmesg shows the following Xid events on GPU2:\n"
             "- Xid 48: Double Bit ECC Error\n- Xid 63: ECC page retirement or row remapping recording event\n"
             "- Xid 79: GPU has fallen off the bus\n")


@pytest.mark.parametrize("text", [KERNEL, SEEN_LIST, "Training died. dmesg shows Xid 79 on the second card.\n",
                                  DOCS_LIST + "\n" + KERNEL])
def test_this_machines_xids_still_count(text):
    fs = findings(text)
    assert LOST in fs and XID in fs


def test_two_rows_are_no_catalogue():
    # a person's own two codes with what they mean, under a log header (round 20's shape)
    fs = findings("- `dmesg` shows repeated NVIDIA Xid events on GPU2:\n  - `Xid 48`: uncorrectable double-bit ECC\n"
                  "  - `Xid 63`: Row Remapper marks a new row for remapping\n")
    assert XID in fs and ECC in fs


HOST_DF = ("$ df -h\nFilesystem      Size  Used Avail Use% Mounted on\ntmpfs           198M  1.8M  196M   1% /run\n"
           "/dev/nvme0n1p2  915G  321G  548G  37% /\ntmpfs           {shm}     0  {shm}   0% /dev/shm\n"
           "tmpfs           5.0M  4.0K  5.0M   1% /run/lock\n/dev/nvme0n1p1  511M  6.1M  505M   2% /boot/efi\n")
CONTAINER_DF = ("# df -h\nFilesystem      Size  Used Avail Use% Mounted on\noverlay         296G   77G  204G  28% /\n"
                "tmpfs            64M     0   64M   0% /dev\nshm             {shm}   20M   45M  31% /dev/shm\n"
                "/dev/vdb        296G   77G  204G  28% /workspace/models\n")


def test_a_hosts_default_sized_shm_is_no_finding():
    assert SHM not in findings(HOST_DF.format(shm="992M"))
    assert SHM not in findings("Bare-metal Ubuntu 22.04 server, training works.\n/dev/shm is only 992M\n")


@pytest.mark.parametrize("text", [
    HOST_DF.format(shm="64M"),                      # a host's /dev/shm mounted small
    CONTAINER_DF.format(shm="64M"),                 # Docker's default
    CONTAINER_DF.format(shm="992M"),                # a container's: the 1 GiB line as before
    "Inside the docker container df shows:\ntmpfs  992M  0  992M  0% /dev/shm\n",
    "It's not bare metal, it's a docker container.\n/dev/shm is only 992M\n",
])
def test_small_shm_still_counts(text):
    assert SHM in findings(text)


@pytest.mark.parametrize("text", [
    "Here are the Xid errors we had this month:\nXid 13: Graphics Engine Exception\nXid 48: Double Bit ECC Error\n"
    "Xid 79: GPU has fallen off the bus\n",
    "Xid summary:\nXid 13: Graphics Engine Exception (12 times)\nXid 48: Double Bit ECC Error (2 times)\n"
    "Xid 79: GPU has fallen off the bus (1 time)\n",
])
def test_a_list_of_codes_seen_or_counted_still_counts(text):
    assert LOST in findings(text)


def test_a_catalogue_row_is_not_quoted_as_the_failure():
    from envcheck.explain import explain_text
    notes = explain_text(DOCS_LIST).facts.notes
    assert not any("row remapper recording failure" in n for n in notes)
