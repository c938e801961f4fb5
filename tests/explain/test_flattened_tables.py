"""Pastes whose line breaks were lost (a report flattened to one line by a chat box, a form
field or a scraper): nvidia-smi's table is then inside a longer line and no longer starts with
"|", but its cells are still cells, not a person's sentence. Its "Volatile Uncorr. ECC" header
and the numbers of the rows after it must not read as "the GPU had N uncorrectable ECC
errors" (``parsers/ecc_prose.py``); a person's sentence saying so is still read.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

# nvidia-smi's default view (R535 layout), a healthy GPU, zero or N/A in the ECC column.
TABLE = """+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |
|                                         |                      |               MIG M. |
|=========================================+======================+======================|
|   0  NVIDIA GeForce RTX 4090        Off | 00000000:01:00.0  On |                  Off |
|  0%   38C    P8              21W / 450W |    512MiB / 24564MiB |      3%      Default |
|                                         |                      |                  N/A |
+-----------------------------------------+----------------------+----------------------+
"""


@pytest.mark.parametrize("text", [
    TABLE.replace("\n", " "),
    "Everything runs fine, here is my nvidia-smi: " + TABLE.replace("\n", " ") + " and training works.",
    "Tested it locally $ nvidia-smi " + TABLE.replace("\n", " "),
])
def test_a_flattened_table_is_not_a_sentence_about_ecc(text):
    assert "ecc_errors" not in findings(text)
    assert errors(text) == {}


@pytest.mark.parametrize("text", [
    "Volatile Uncorr. ECC on GPU 2 shows 12 since the last reboot.\n",
    "nvidia-smi shows Volatile Uncorr. ECC = 3 for the first card\n",
])
def test_a_sentence_giving_the_counter_is_still_read(text):
    assert "ecc_errors" in findings(text)

