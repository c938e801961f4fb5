"""A Kubernetes node that advertises no NVIDIA GPU: its capacity or allocatable ``nvidia.com/gpu`` is 0.

The NVIDIA device plugin registers the extended resource ``nvidia.com/gpu`` with the kubelet, which
reports it in the node's status (``capacity`` / ``allocatable``; ``kubectl describe node`` prints both
blocks, ``kubectl get node -o json`` the objects). A 0 there means the node offers no GPU to any pod:
the device plugin found none (no driver or toolkit on the node, the plugin not running or failing).
A pod on that node gets no GPU however it was started, so "start the container with GPU access" is
wrong advice there (``rules/hosting.py``). ``explain/parsers/container_node_gpus.py`` records it as
a note starting with :data:`NODE_NO_GPU`.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

NODE_NO_GPU = "the text shows a Kubernetes node advertising no nvidia.com/gpu: "


def node_without_gpus(facts: Facts) -> Optional[str]:
    """Where the text shows it, the node listing that advertises 0 nvidia.com/gpu; None otherwise."""
    return note_after(facts, NODE_NO_GPU)
