"""NVSwitch systems (HGX/DGX class): NVIDIA Fabric Manager must run, at the driver's version,
before CUDA starts (``fabric_manager_not_running``). ``hosting`` lists the rule in its RULES, where
it was before it moved here.
"""

from __future__ import annotations

import re
from typing import Iterator

from envcheck.derived.driver import installed_driver_version
from envcheck.derived.fabric_said import fabric_mismatch_said
from envcheck.derived.machine import in_container
from envcheck.derived.messages import is_stated
from envcheck.reading import Reading, Status
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity

_HGX_NAME = re.compile(r"SXM|HGX|H100 80GB HBM3|H800|\bH200\b(?! NVL)|\bB200\b|\bB300\b")


# CUDA failing to start at all (torch's wrappers and CUDA's own init errors).
_INIT_FAILED = frozenset({"torch_driver_init_failed", "cuda_initialization_error", "torch_cuda_init_warning",
                          "torch_device_count_failed"})


def fabric_manager_not_running(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    fm = f.driver.fabric_manager_running
    if fm.ok and fm.value:
        return
    c = f.host.container
    contained = in_container(f)
    if contained and fm.ok:
        # Fabric Manager runs on the host, whose processes a container's PID namespace does
        # not show; the NVSwitches are visible in sysfs all the same. Not seeing it is no evidence.
        fm = Reading.fail(Status.NOT_SUPPORTED, "the host's processes are not visible from a container")
    switches = [d for d in f.pci.devices.get(()) if d.is_nvswitch]
    not_ready = [s.match.text for s in ctx.stated if s.id in ("cuda_system_not_ready", "cuda_fabric_not_ready")]
    hgx = [g for g in f.gpus if g.name.ok and _HGX_NAME.search(g.name.value)]
    # "nvidia-fabricmanager is not installed", or systemctl's "could not be found" / "failed"
    # beside CUDA failing to start: someone looked at Fabric Manager because CUDA failed there.
    init_failed = any(s.id in _INIT_FAILED for s in ctx.stated)
    said_stopped = fm.ok and fm.value is False and (is_stated(fm) or init_failed)
    if switches and (fm.ok or not_ready):
        severity = None
    elif not_ready and not f.pci.devices.ok:  # CUDA error 802 is what a missing Fabric Manager looks like
        severity = None
    elif said_stopped and hgx and not f.pci.devices.ok:
        severity = None
    elif said_stopped and fabric_mismatch_said(f) and not f.pci.devices.ok:
        severity = None  # Fabric Manager set up at another version than the driver: only NVSwitch systems run it
    elif hgx and len(f.gpus) >= 8 and fm.ok and not f.pci.devices.ok:
        severity = Severity.WARNING  # 8-GPU HGX boards have NVSwitches; PCI was not read to confirm
    else:
        return
    # NVSwitches seen, or a GPU only sold on NVSwitch boards named by a tool: the system needs
    # Fabric Manager. Otherwise "system not yet initialized" alone points there, but other
    # daemons' systems print it too: likely.
    nvswitch_class = bool(switches) or any(not is_stated(g.name) for g in hgx)
    ev = evidence(("driver.fabric_manager_running", fm))
    if switches:
        ev.append(("pci.devices", f"{len(switches)} NVSwitch(es): {', '.join(d.address for d in switches[:4])}"))
    if not_ready:
        ev.append(("torch.errors", not_ready[0]))
    if hgx and not switches:
        ev.append(("nvml.gpus", f"{len(f.gpus)} × {hgx[0].name.value}"))
    installed = installed_driver_version(f)
    version = installed.value if installed.ok else None
    if contained:
        ev.append(("host.container", c.value))
    yield make("fabric_manager_not_running",
               "This is an NVSwitch system (HGX/DGX class) and NVIDIA Fabric Manager is not running. Until it "
               "configures the NVSwitch fabric, CUDA fails with “system not yet initialized”. Fabric Manager must "
               "be the same version as the driver" + (f" ({version})." if version else ".")
               + (" It runs on the host, not in this container: do the steps there (the host's distribution may "
                  "differ)." if contained else ""),
               ev, severity=severity, confidence=None if nvswitch_class and not said_stopped else Confidence.LIKELY)
