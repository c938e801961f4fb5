"""The /dev/nvidia* nodes a container is given by hand, when /dev/nvidia-uvm is not among them.

Before (and beside) the NVIDIA Container Toolkit, a container gets the GPU from its device
list: ``docker run --device /dev/nvidia0 --device /dev/nvidiactl`` (podman, nerdctl alike),
a compose file's ``devices:`` items, a CDI spec's ``deviceNodes: - path: /dev/nvidiactl``,
an LXC config's ``lxc.mount.entry: /dev/nvidia0 dev/nvidia0 none bind,...`` (Proxmox), an
LXD device ``unix-char path=/dev/nvidia0``. CUDA needs /dev/nvidia-uvm as well
(https://docs.nvidia.com/cuda/cuda-installation-guide-linux/#device-node-verification):
nvidia-smi in such a container works, CUDA fails with "unknown error" or no device.

So a list that names /dev/nvidiactl and not /dev/nvidia-uvm is the container's /dev: its
nodes are recorded, with nvidia-uvm missing, at a listing's rank. So is an LXC config binding
/dev/nvidia-uvm in while its device cgroup rules allow only the NVIDIA major 195 (uvm's major is
dynamic, never 195). Otherwise nothing is claimed where
the paste mentions nvidia-uvm anywhere (listed, or said loaded), or where the toolkit gives
the devices (``--gpus``, the nvidia runtime, ``NVIDIA_VISIBLE_DEVICES``, a compose
reservation with ``driver: nvidia``, Apptainer's ``--nv``, an LXD ``gpu`` device): the
toolkit adds the uvm nodes itself.
"""

from __future__ import annotations

import re
from typing import Dict

from ...facts import DeviceNode
from ...lazyre import lazy
from ..partial import LISTING, Found
from ..source import Pasted

SOURCE = "container device list"

_NODE = r"(/dev/nvidia(?:ctl|\d{1,2}))\b(?!-)"
_GRANT = lazy(
    rf"--device(?:=|\s+)[\"']?{_NODE}"  # docker / podman / nerdctl run
    rf"|^\s*-\s*[\"']?{_NODE}(?::/dev/\S*)?[\"']?\s*$"  # a compose devices: / CDI list item
    rf"|^\s*-?\s*(?:path|source|hostPath):\s*[\"']?{_NODE}"  # CDI deviceNodes, LXD unix-char
    rf"|\blxc\.mount\.entry\s*[:=]\s*{_NODE}\s"  # LXC / Proxmox bind mounts
    rf"|\bunix-char\b[^\n]*?\b(?:path|source)={_NODE}", re.IGNORECASE)
# The toolkit injects the devices (uvm included): the hand-made list is not all there is.
_TOOLKIT = lazy(r"--gpus\b|--runtime[= ]nvidia\b|\bnvidia-docker\s+run\b|\bNVIDIA_VISIBLE_DEVICES\b"
                      r"|^\s*runtime:\s*nvidia\b|^\s*-?\s*driver:\s*nvidia\b|\s--nv(?:ccli)?\b|^\s*type:\s*gpu\b"
                      r"|\bgpu\s+gpu\b|--device[= ]nvidia\.com/gpu", re.IGNORECASE | re.MULTILINE)


# An LXC config's device cgroup rules (Proxmox: ``lxc.cgroup2.devices.allow: c 195:* rwm``).
# /dev/nvidia0..N and nvidiactl have the NVIDIA driver's fixed major 195; nvidia-uvm gets a
# dynamic major (/proc/devices: 234-254, then 384-511: 235, 237, 508, 509, 510, 511 in pastes).
_LXC_ALLOW = lazy(r"\blxc\.cgroup2?\.devices\.allow\s*[:=]\s*(?:[ac]\s+)?(?P<major>\d+|\*)(?::|\s|$)", re.IGNORECASE)
_LXC_ALLOW_ALL = lazy(r"\blxc\.cgroup2?\.devices\.allow\s*[:=]\s*a\s*$", re.IGNORECASE)


def _dynamic(major: str) -> bool:
    return major == "*" or 234 <= int(major) <= 254 or 384 <= int(major) <= 511


def _lxc_blocks_uvm(f: Found, doc: Pasted) -> None:
    """An LXC config that binds /dev/nvidia-uvm in but whose device rules allow the NVIDIA major
    195 and no dynamic major: the container cannot open nvidia-uvm (CUDA fails at start, nvidia-smi
    works). Nothing is claimed where a rule allows every device or any dynamic major."""
    lines = doc.lines
    majors: Dict[str, int] = {}
    for i in doc.lines_containing("devices.allow"):
        if _LXC_ALLOW_ALL.search(lines[i]):
            return
        m = _LXC_ALLOW.search(lines[i])
        if m:
            majors.setdefault(m.group("major"), i)
    if "195" not in majors or any(_dynamic(x) for x in majors):
        return
    bound = [i for i in doc.lines_containing("lxc.mount.entry") if re.search(r"/dev/nvidia-uvm\b(?!-)", lines[i])]
    if not bound:
        return
    nodes = (DeviceNode("/dev/nvidiactl", True), DeviceNode("/dev/nvidia-uvm", False))
    f.set("driver.device_nodes", nodes, bound[0],
          detail=f"LXC config, line {majors['195'] + 1}: its device rules allow major 195 (/dev/nvidia0.., nvidiactl) "
                 f"and no dynamic major, so the /dev/nvidia-uvm bound in on line {bound[0] + 1} cannot be opened")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    lines = doc.lines
    if doc.lines_containing("nvidia-uvm", "nvidia_uvm"):
        if doc.lines_containing("devices.allow"):
            _lxc_blocks_uvm(f, doc)
        return f
    granted: Dict[str, int] = {}
    for i in doc.lines_containing("/dev/nvidia"):
        for m in _GRANT.finditer(lines[i]):
            node = next(g for g in m.groups() if g)
            granted.setdefault(node.lower(), i)
    if "/dev/nvidiactl" not in granted or _TOOLKIT.search(doc.text):
        return f
    first = min(granted.values())
    nodes = tuple(DeviceNode(p, True) for p in sorted(granted)) + (DeviceNode("/dev/nvidia-uvm", False),)
    f.set("driver.device_nodes", nodes, first,
          detail=f"{SOURCE}, line {first + 1}: the container is given {', '.join(sorted(granted))} and no /dev/nvidia-uvm")
    return f
