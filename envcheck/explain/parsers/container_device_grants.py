"""The /dev/nvidia* nodes a container is given by hand, when /dev/nvidia-uvm is not among them.

Before (and beside) the NVIDIA Container Toolkit, a container gets the GPU from its device
list: ``docker run --device /dev/nvidia0 --device /dev/nvidiactl`` (podman, nerdctl alike),
a compose file's ``devices:`` items, a CDI spec's ``deviceNodes: - path: /dev/nvidiactl``,
an LXC config's ``lxc.mount.entry: /dev/nvidia0 dev/nvidia0 none bind,...`` (Proxmox), an
LXD device ``unix-char path=/dev/nvidia0``. CUDA needs /dev/nvidia-uvm as well
(https://docs.nvidia.com/cuda/cuda-installation-guide-linux/#device-node-verification):
nvidia-smi in such a container works, CUDA fails with "unknown error" or no device.

So a list that names /dev/nvidiactl and not /dev/nvidia-uvm is the container's /dev: its
nodes are recorded, with nvidia-uvm missing, at a listing's rank. Nothing is claimed where
the paste mentions nvidia-uvm anywhere (listed, or said loaded), or where the toolkit gives
the devices (``--gpus``, the nvidia runtime, ``NVIDIA_VISIBLE_DEVICES``, a compose
reservation with ``driver: nvidia``, Apptainer's ``--nv``, an LXD ``gpu`` device): the
toolkit adds the uvm nodes itself.
"""

from __future__ import annotations

import re
from typing import Dict

from ...facts import DeviceNode
from ..partial import LISTING, Found
from ..source import Pasted

SOURCE = "container device list"

_NODE = r"(/dev/nvidia(?:ctl|\d{1,2}))\b(?!-)"
_GRANT = re.compile(
    rf"--device(?:=|\s+)[\"']?{_NODE}"  # docker / podman / nerdctl run
    rf"|^\s*-\s*[\"']?{_NODE}(?::/dev/\S*)?[\"']?\s*$"  # a compose devices: / CDI list item
    rf"|^\s*-?\s*(?:path|source|hostPath):\s*[\"']?{_NODE}"  # CDI deviceNodes, LXD unix-char
    rf"|\blxc\.mount\.entry\s*[:=]\s*{_NODE}\s"  # LXC / Proxmox bind mounts
    rf"|\bunix-char\b[^\n]*?\b(?:path|source)={_NODE}", re.IGNORECASE)
# The toolkit injects the devices (uvm included): the hand-made list is not all there is.
_TOOLKIT = re.compile(r"--gpus\b|--runtime[= ]nvidia\b|\bnvidia-docker\s+run\b|\bNVIDIA_VISIBLE_DEVICES\b"
                      r"|^\s*runtime:\s*nvidia\b|^\s*-?\s*driver:\s*nvidia\b|\s--nv(?:ccli)?\b|^\s*type:\s*gpu\b"
                      r"|\bgpu\s+gpu\b|--device[= ]nvidia\.com/gpu", re.IGNORECASE | re.MULTILINE)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, LISTING)
    lines = doc.lines
    if doc.lines_containing("nvidia-uvm", "nvidia_uvm"):
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
