"""Docker's ``--gpus`` request: when its "could not select device driver" is no missing toolkit.

dockerd answers a device request (``--gpus``, a compose device reservation) with 'could not
select device driver %q with capabilities: %v' when no registered device driver holds every
capability asked for. The NVIDIA driver is registered only when the toolkit's hook is on
dockerd's PATH, so the message usually means the toolkit is missing (messages.toml
``docker_no_gpu_driver``). Two things in a text say otherwise:

* a capability outside the set the NVIDIA driver registers. moby daemon/nvidia_linux.go
  (``allNvidiaCaps``, "stolen from github.com/containerd/containerd/contrib/nvidia.allCaps":
  compute, compat32, graphics, utility, video, display; the driver's capset adds "gpu" and
  "nvidia"): ``--gpus all,capabilities=all`` asks for "all", which no driver has, on any host
  ("all" is a value of the NVIDIA_DRIVER_CAPABILITIES variable, not of ``--gpus``);
* ``--gpus`` said to work on the same host (``explain/parsers/container_runtime_prose.py``
  records it as a note starting with :data:`GPUS_WORKED`): the NVIDIA driver is registered.
"""

from __future__ import annotations

import re
from typing import Optional, Tuple

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

GPUS_WORKED = "the text shows docker's --gpus working on this host: "

# moby daemon/nvidia_linux.go: allNvidiaCaps plus the capset's own "gpu" and "nvidia".
MOBY_NVIDIA_CAPABILITIES = frozenset({"gpu", "nvidia", "compute", "compat32", "graphics", "utility", "video", "display"})
# dockerd's %v of the request's [][]string: "[[gpu]]", "[[all gpu]]", "[[gpu] [compute utility]]".
_CAPABILITY_SETS = re.compile(r"with capabilities:\s*\[(\[[^\]\n]{0,80}\](?:\s*\[[^\]\n]{0,80}\]){0,4})\]")


def unknown_capabilities(message: str) -> Tuple[str, ...]:
    """The capabilities in dockerd's message that the NVIDIA device driver never registers,
    where every set asked for holds one (no set could be met); () otherwise."""
    m = _CAPABILITY_SETS.search(message)
    if m is None:
        return ()
    sets = [s.split() for s in re.findall(r"\[([^\]]*)\]", m.group(1))]
    unknown = [[c for c in s if c.lower() not in MOBY_NVIDIA_CAPABILITIES] for s in sets]
    if not sets or not all(unknown):
        return ()
    return tuple(dict.fromkeys(c for u in unknown for c in u))


def gpus_flag_worked(facts: Facts) -> Optional[str]:
    """The person's words showing ``--gpus`` working on this host (quoted, with their line), or None."""
    return note_after(facts, GPUS_WORKED)
