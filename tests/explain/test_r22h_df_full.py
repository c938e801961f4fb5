"""Round 22 h: a full file system in a pasted df table (explain/parsers/df_full.py).

Shape of aws-samples/stable-diffusion-on-eks#103: curl's "Failure writing output to destination"
and a df -hl whose /tmp tmpfs row reads 100%. Near-misses: the read-only images and pseudo file
systems always at 100% (snap's squashfs loops, an ISO under /media, /boot/efi, /dev), df -i's
inode table, /dev/shm (shm_too_small's), and a table with room everywhere.
Texts written for the test after df's own output format (coreutils src/df.c)."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

DISK = "low_disk_space"
H = "Filesystem      Size  Used Avail Use% Mounted on\n"


@pytest.mark.parametrize("paste", [
    "curl: (23) Failure writing output to destination\n$ df -hl\n" + H
    + "/dev/nvme0n1p1   80G  2.8G   78G   4% /\ntmpfs           3.9G  3.9G     0 100% /tmp\n",
    "$ df -h\n" + H + "/dev/sda1       100G  100G     0 100% /\n",
    "Filesystem     1K-blocks      Used Available Use% Mounted on\n/dev/sdb1      103081248 103081248         0 100% /data\n",
    "Filesystem     Type     Size  Used Avail Use% Mounted on\noverlay        overlay   59G   59G     0 100% /\n",
])
def test_full_filesystem_in_df(paste):
    f = findings(paste)
    assert DISK in f
    assert "df output" in f[DISK].explanation


@pytest.mark.parametrize("paste", [
    # snap's squashfs loops, an ISO, /boot/efi, a pseudo file system: always full
    H + "/dev/sda2       457G  120G  314G  28% /\n/dev/loop0       56M   56M     0 100% /snap/core18/2128\n"
        "/dev/loop1       66M   66M     0 100% /snap/gtk-common-themes/1515\n",
    H + "/dev/sr0        4.1G  4.1G     0 100% /media/user/Ubuntu 22.04 LTS amd64\n/dev/sda2 457G 120G 314G 28% /\n",
    H + "/dev/sda1       511M  511M     0 100% /boot/efi\n/dev/sda2       457G  120G  314G  28% /\n",
    "Filesystem     Type      Size  Used Avail Use% Mounted on\n/dev/loop3     squashfs  128M  128M     0 100% /opt/image\n",
    # inodes, not bytes
    "Filesystem      Inodes  IUsed IFree IUse% Mounted on\n/dev/sda1      6553600 6553600     0  100% /\n",
    # /dev/shm is shm_too_small's
    H + "shm              64M   64M     0 100% /dev/shm\n/dev/sda1       457G  120G  314G  28% /\n",
    # room everywhere
    H + "/dev/nvme0n1p2  1.8T  1.2T  540G  70% /\ntmpfs            32G     0   32G   0% /dev/shm\n",
])
def test_no_full_disk_read(paste):
    assert DISK not in findings(paste)
    assert not errors(paste)
