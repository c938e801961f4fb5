"""Xid 63 and 64 in NVIDIA's catalog wording ("ECC page retirement or row remapping recording event")
name both mechanisms: only a GPU with a row remapper, or the remapper's own words, make them a
remap (``rules/xid_memory.py``)."""

from __future__ import annotations

from tests.rules.test_unseen_classes import findings

XID63 = ("[912411.442093] NVRM: Xid (PCI:0000:3b:00): 63, pid=20771, name=python3, ECC page retirement or row "
         "remapping recording event has occurred.\n")


def test_xid63_in_the_catalogs_words_on_a_gpu_without_a_remapper_is_not_a_pending_remap():
    """NVIDIA's Xid catalog words 63 "ECC page retirement or row remapping recording event": on a T4
    (page retirement, no row remapper) it is not row_remap_pending (rules/xid_memory.py)."""
    assert "row_remap_pending" not in findings("dmesg on a T4 inference box:\n\n" + XID63)


def test_the_remappers_own_words_still_count():
    text = ("[ 1234.5] NVRM: Xid (PCI:0000:07:00): 63, pid='<unknown>', name=<unknown>, Row Remapper: New row "
            "marked for remapping, reset gpu to activate.\n")
    assert "row_remap_pending" in findings(text)
