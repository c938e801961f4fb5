"""``ls -l /dev/nvidia*`` read into device nodes: which exist, which this user may open."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source
from envcheck.explain.parsers import device_nodes

LISTING = """\
{prompt} ls -l /dev/nvidia*
crw-rw---- 1 root {group} 195,   0 Jan  1 10:00 /dev/nvidia0
crw-rw-rw- 1 root root  195, 255 Jan  1 10:00 /dev/nvidiactl
ls: cannot access '/dev/nvidia-uvm': No such file or directory
"""


def nodes(text: str):
    found = device_nodes.parse(source.normalise(text))
    claim = next((c for c in found.claims if c.path == "driver.device_nodes"), None)
    return {n.path: n for n in claim.reading.value} if claim else {}


@pytest.mark.parametrize("prompt, group, accessible", [
    ("me@box:~$", "root", False),  # only root's group, and the user is not root
    ("root@box:~#", "root", True),
    ("me@box:~$", "video", None),  # whether the user is in video is not in the listing
    ("$", "root", None),  # nobody says who the user is
])
def test_who_may_open_a_node(prompt, group, accessible):
    got = nodes(LISTING.format(prompt=prompt, group=group))
    assert got["/dev/nvidia0"].accessible is accessible and got["/dev/nvidia0"].mode == 0o660
    assert got["/dev/nvidiactl"].accessible is True
    assert got["/dev/nvidia-uvm"].exists is False


def test_only_a_listing_of_every_node_is_read():
    assert nodes("me@box:~$ ls -l /dev/nvidia0\ncrw------- 1 root root 195, 0 Jan  1 10:00 /dev/nvidia0\n") == {}


def test_a_node_the_user_may_not_open_is_the_finding():
    text = LISTING.format(prompt="me@box:~$", group="root") + "RuntimeError: CUDA error: no CUDA-capable device is detected\n"
    _, report = diagnose(source.normalise(text), collected_at="")
    assert {"device_node_permissions", "nvidia_uvm_missing"} <= {f.id for f in report.findings}


@pytest.mark.parametrize("groups, accessible", [
    ("$ groups\nme adm sudo\n", False),
    ("$ groups\nme adm sudo video\n", True),
    ("$ id\nuid=1000(me) gid=1000(me) groups=1000(me),4(adm),44(video)\n", True),
    ("$ id\nuid=1000(me) gid=1000(me) groups=1000(me),4(adm)\n", False),
])
def test_the_users_groups_decide_a_group_node(groups, accessible):
    got = nodes(groups + LISTING.format(prompt="$", group="video"))
    assert got["/dev/nvidia0"].accessible is accessible
