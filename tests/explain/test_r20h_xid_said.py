"""Round 20 h: Xid codes a person says their kernel log showed (explain/parsers/xid_said.py).

"dmesg shows Xid 79", "I got Xid 13 errors in the kernel log", and a list of codes under
"`dmesg` shows repeated NVIDIA Xid events …:" (wtdcode/vllm-backport#62's shape: "- `Xid 48 / 171`:
uncorrectable double-bit ECC …") become Xid events at the person's word: xid_errors_logged and,
for the memory codes (48, 94, 95, 140), ecc_errors, both "likely". The kernel's own ``NVRM: Xid``
line stays confirmed. Questions, conditions, advice, denials and a code's general meaning give
no Xid events.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

XID = "xid_errors_logged"
ECC = "ecc_errors"

LISTED = ("Root cause: failing HBM on GPU2.\n"
          "- `dmesg` shows repeated NVIDIA Xid events, **all on the same GPU** (PCI `0000:9c:00`, our GPU2):\n"
          "  - `Xid 48 / 171`: uncorrectable double-bit ECC (DBE) in HBM framebuffer\n"
          "  - `Xid 63`: Row Remapper marks a new row for remapping\n")


def test_listed_codes_under_a_dmesg_header():
    fs = findings(LISTED)
    assert XID in fs and ECC in fs
    assert fs[XID].confidence.value == "likely" and fs[ECC].confidence.value == "likely"


@pytest.mark.parametrize("text, ecc", [
    ("Training died. dmesg shows Xid 79 on the second card.\n", False),
    ("I got Xid 13 errors in the kernel log while training.\n", False),
    ("journalctl -k shows Xid 94 twice since yesterday.\n", True),
])
def test_codes_said_seen(text, ecc):
    fs = findings(text)
    assert XID in fs and fs[XID].confidence.value == "likely"
    assert (ECC in fs) is ecc


@pytest.mark.parametrize("text", [
    "What does Xid 79 mean?\n",
    "dmesg shows no Xid errors.\n",
    "Check dmesg for Xid 48 or Xid 94.\n",
    "Xid 48 means the memory had an error.\n",
    "If you see Xid 48, the GPU needs service.\n",
    "Things to look for:\n- Xid 48\n- Xid 94\n",
    "dmesg shows nothing about Xids:\n- Xid 48 would be ECC\n",
])
def test_questions_advice_denials_and_meanings_give_no_xid(text):
    fs = findings(text)
    assert XID not in fs and ECC not in fs


def test_kernel_line_stays_confirmed():
    fs = findings("NVRM: Xid (PCI:0000:01:00): 48, pid=123, An uncorrectable double bit error (DBE) has been detected\n")
    assert fs[XID].confidence.value == "confirmed"


def test_a_codes_meaning_gives_no_xid_event():
    # (another reader takes "a double-bit ECC error" as one: left as it was, see the round-20 report)
    assert XID not in findings("Xid 48 means a double-bit ECC error.\n")
