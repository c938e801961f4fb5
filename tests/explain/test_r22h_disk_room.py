"""Round 22 h: a disk-space message asked about and answered with room to spare is no full disk.

"Disk quota exceeded? I think it's about the HF cache, but actually I have 100GB quota and it's
fine" (from the round's brief) gave a confirmed low_disk_space. The OS's message right before a
"?" (explain/disk_room.py), answered by room said ("I have 100GB quota", "the disk has 400 GB
free", "plenty of space", "the quota is fine"), is not this machine's failure. Near-misses: the
message got and a question asked later, room undone ("but it's full") or doubted ("I thought I
had"), and the message with no question.
Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

DISK = "low_disk_space"


@pytest.mark.parametrize("paste", [
    "Disk quota exceeded? I think it's about the HF cache, but actually I have 100GB quota and it's fine.\n",
    "No space left on device? The disk has 400 GB free, so that is not it.\n",
    "'OSError: [Errno 28] No space left on device'? We still have 2 TB free on /data.\n",
    "Disk quota exceeded?\nI have plenty of space in my home directory.\n",
    "There is not enough space on the disk? The drive is fine, 300GB left.\n",
])
def test_disk_message_asked_and_answered_with_room(paste):
    assert DISK not in findings(paste)


@pytest.mark.parametrize("paste", [
    # the message got, the question about something else
    "OSError: [Errno 122] Disk quota exceeded\nAny idea? I have 100GB quota.\n",
    "Disk quota exceeded when downloading the model, why? I have 100GB quota.\n",
    # room undone or doubted
    "Disk quota exceeded? I have 100GB quota but it is full of checkpoints.\n",
    "No space left on device? I thought I had 400 GB free, but df says 0.\n",
    # asked with no room said
    "OSError: [Errno 28] No space left on device? How do I free it?\n",
    # plainly got
    "OSError: [Errno 122] Disk quota exceeded\n",
])
def test_disk_message_still_reported(paste):
    assert DISK in findings(paste)
