"""The device nodes CUDA opens: /dev/nvidia-uvm with its module (``nvidia_uvm_missing``), and
/dev/nvidia* the user may not open (``device_node_permissions``). Kept apart from ``platform``
(which lists them in its RULES, in the same place as before): the driver's own state is there,
what CUDA needs beyond it is here.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.messages import is_stated
from envcheck.derived.platform_text import NAMED_DETAIL, PARAMS_DETAIL
from envcheck.facts import DeviceNode, Facts
from envcheck.reading import Status
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity


def loaded_modules(f: Facts) -> Optional[Tuple[str, ...]]:
    return f.driver.loaded_modules.value if f.driver.loaded_modules.ok else None


def on_wsl(f: Facts) -> bool:
    return f.host.wsl.ok and f.host.wsl.value not in (None, "none")


# nvidia-smi itself not found (bash's "command not found", a script's "nvidia-smi not found",
# cmd's "is not recognized"): a missing program, no CUDA failure.
_SMI_ABSENT = re.compile(r"nvidia-smi\W{0,3}\s*(?::\s*)?(?:command\s+)?not\s+found|nvidia-smi\W{0,3}\s+is\s+not\s+recognized",
                         re.IGNORECASE)


def _cuda_failed(f: Facts) -> bool:
    t = f.torch
    # nvidia-smi missing from PATH is recorded as an error line too, but it is no CUDA failure.
    smi_missing = str(f.driver.nvidia_smi_path.detail).strip() if f.driver.nvidia_smi_path.status is Status.NOT_FOUND else None
    errors = [e for e in t.errors.get(()) if e.strip() != smi_missing and not _SMI_ABSENT.search(e)]
    return (t.cuda_build.ok and t.cuda_available.ok and t.cuda_available.value is False) or bool(errors)


def _listing(nodes, reading=None) -> bool:
    """Nodes read from a listing of /dev (a mode, or a plain name, or a node said missing), not only
    nodes a program was refused (no mode, closed), nor nodes listed by name or the driver's
    device-file setting: those say nothing of the nodes not named."""
    if reading is not None and str(reading.detail) in (NAMED_DETAIL, PARAMS_DETAIL):
        return False
    return any(n.mode is not None or n.accessible is None or not n.exists for n in nodes)


def nvidia_uvm_missing(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    if on_wsl(f) or f.has_nvidia_gpu is False:
        return
    mods = loaded_modules(f)
    nodes = {n.path: n for n in f.driver.device_nodes.get(())}
    said_off = f.driver.modules_not_loaded.get(()) or ()
    # A person saying nvidia_uvm is not loaded (nvidia itself not said to be missing).
    said = "nvidia_uvm" in said_off and "nvidia" not in said_off
    # A person's "the nvidia module is loaded" lists no other module: nvidia_uvm is not known absent.
    no_module = (mods is not None and "nvidia" in mods and "nvidia_uvm" not in mods
                 and not is_stated(f.driver.loaded_modules))
    ctl = nodes.get("/dev/nvidiactl")
    uvm = nodes.get("/dev/nvidia-uvm")
    # A node a person's words imply is no listing: the others are not known missing.
    no_node = (ctl is not None and ctl.exists and (uvm is None or not uvm.exists) and f.driver.device_nodes.ok
               and not is_stated(f.driver.device_nodes) and _listing(nodes.values(), f.driver.device_nodes))
    if not (no_module or no_node or said):
        return
    ev: List[Tuple[str, object]] = []
    if no_module:
        ev.append(("driver.loaded_modules", "nvidia loaded, nvidia_uvm not"))
    elif said:
        ev.append(("driver.modules_not_loaded", f.driver.modules_not_loaded))
    if no_node:
        ev.append(("driver.device_nodes", "/dev/nvidia-uvm missing"))
    failed = _cuda_failed(f) or said  # a person says so because CUDA failed
    yield make("nvidia_uvm_missing",
               "The nvidia-uvm module or its /dev/nvidia-uvm node is missing. CUDA needs both; nvidia-smi does "
               "not, so it can look healthy while CUDA fails to initialise."
               + (" CUDA did fail here." if failed else " CUDA normally loads it on first use through the setuid "
                  "nvidia-modprobe helper, so this may just mean no CUDA program ran since boot."),
               ev, severity=None if failed else Severity.INFO)


_RELEVANT_NODE = re.compile(r"/dev/nvidia(ctl|\d+|-uvm)$")


def device_node_permissions(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    bad: List[DeviceNode] = [n for n in f.driver.device_nodes.get(())
                             if n.exists and n.accessible is False and _RELEVANT_NODE.search(n.path)]
    if not bad:
        return
    if is_stated(f.driver.device_nodes):  # a person said CUDA works as root and not as the user
        yield make("device_node_permissions",
                   "The text says CUDA works as root (or with sudo) and not as the user: the user may not open "
                   "/dev/nvidia*. `ls -l /dev/nvidia*` and `id` show which group they belong to.",
                   [("driver.device_nodes", f.driver.device_nodes)], confidence=Confidence.LIKELY)
        return
    groups = sorted({n.group for n in bad if n.group and n.group != "root"})
    paths = " ".join(n.path for n in bad)
    setting = str(f.driver.device_nodes.detail) == PARAMS_DETAIL
    unmapped = any(n.group in ("nobody", "nogroup", "65534") for n in bad)
    yield make("device_node_permissions",
               ("The driver's NVreg_DeviceFileMode/NVreg_DeviceFileGID setting makes /dev/nvidia* closed to "
                "users outside its group" if setting else f"This user may not open {paths}")
               + (f" (they belong to group {', '.join(groups)}, which this user is not in)" if groups and not unmapped
                  else " (owned by nobody: a rootless container cannot map the host's owner or group; "
                  "run it with --group-add keep-groups and a host user in the nodes' group)" if unmapped else "")
               + ", so CUDA finds no device even though the driver works.",
               [(f"driver.device_nodes[{n.path}]", f"mode {oct(n.mode) if n.mode is not None else '?'} "
                 f"group {n.group or '?'}, not accessible") for n in bad],
               # A setting is what the driver was told at load; the nodes themselves were not shown.
               confidence=Confidence.LIKELY if setting else None)
