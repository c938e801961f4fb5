"""Is an NVIDIA driver installed, and which version: one answer for rules, recipes and the advisor.

"Installed" and "running" differ after an update without a reboot (the library on disk is
newer than the module in memory): :func:`installed_driver_version` is what is on disk,
``machine.driver_version`` what the running module and NVML report.
"""

from __future__ import annotations

import re
from typing import Optional

from envcheck.facts import Facts
from envcheck.reading import Reading, Status

_BRANCH = re.compile(r"(\d{3,})\.\d+(?:\.\d+)?")


def driver_installed(facts: Facts) -> Reading:
    """Any trace of an installed NVIDIA driver: a loaded module, the user-space library, an
    installed module tree, nvidia-smi. ``False`` only when every one was looked for and is
    absent; unknown when some could not be read (a paste, a permission problem)."""
    d = facts.driver
    traces = (d.kernel_module_version, d.userspace_library_version, d.nvidia_smi_path)
    if any(r.ok for r in traces) or d.installed_module_versions.get(()):
        return Reading.of(True)
    looked = all(r.status is Status.NOT_FOUND for r in traces) and d.installed_module_versions.ok
    return Reading.of(False) if looked else Reading.unknown()


def installed_driver_version(facts: Facts) -> Reading:
    """The driver version on disk (user-space library), else what NVML or the loaded module
    report, else the newest installed module source tree."""
    d = facts.driver
    for r in (d.userspace_library_version, facts.nvml.driver_version, d.kernel_module_version):
        if r.ok and r.value:
            return r
    trees = d.installed_module_versions.get(())
    if trees:
        return Reading.of(sorted(trees)[-1], "the newest installed module source tree")
    return Reading.unknown()


def driver_branch(version: Optional[str]) -> Optional[str]:
    """``"580.95.05"`` -> ``"580"`` (the branch Ubuntu and NVIDIA name packages after)."""
    m = _BRANCH.search(version or "")
    return m.group(1) if m else None
