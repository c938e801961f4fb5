"""OS, PCI, kernel-driver, container, WSL and NVSwitch rules.

Each rule reads facts only and stays silent when the facts it needs are ``unknown``; the
exceptions are spelled out where they are made (a pasted "NVIDIA-SMI has failed" says
nothing about Secure Boot, yet Secure Boot is the first thing to check, so that finding
fires as a warning that says how to check). Host resources (/dev/shm, disk) live with the
GPU health rules in ``health``; the environment variables that change what CUDA sees live
with the torch rules in ``torch_health``.
"""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

from envcheck.derived.cpu_run_asked import cpu_run_asked
from envcheck.derived.driver import driver_installed, installed_driver_version
from envcheck.derived.machine import in_container
from envcheck.derived.messages import NO_NVIDIA_DETAIL, decisive_for, is_stated
from envcheck.derived.platform_text import NO_PACKAGE_DETAIL, hosted_with_driver
from envcheck.facts import REBOOT_LOADED_MODULE, Facts
from envcheck.reading import Status
from envcheck.rules.compat import quote
from envcheck.rules.device_nodes import device_node_permissions, nvidia_uvm_missing
from envcheck.rules.device_nodes import loaded_modules as _modules
from envcheck.rules.device_nodes import on_wsl as _on_wsl
from envcheck.rules.engine import RuleContext, evidence, make
from envcheck.rules.finding import Confidence, Finding, Severity
from envcheck.rules.kernel_signals import probed_no_gpu
from envcheck.rules.no_gpu_mac import checked_cuda, desktop_vm_no_gpu, mac_no_gpu, on_mac

GiB = 2**30


def _kernel(f: Facts) -> str:
    return f.host.kernel.value if f.host.kernel.ok else "the running kernel"


def _installed(f: Facts) -> Optional[bool]:
    r = driver_installed(f)
    return r.value if r.ok else None


# --------------------------------------------------------------------------- GPUs on the PCI bus
def no_nvidia_gpu_found(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    guest = list(desktop_vm_no_gpu(ctx))  # the host's GPU (or macOS) named, but the text runs in a VirtualBox guest
    if guest:
        yield from guest
        return
    if f.has_nvidia_gpu is not True and on_mac(f):  # "Chipset Model: Apple M2" is no news on a Mac
        yield from mac_no_gpu(ctx)
        return
    if f.has_nvidia_gpu is not False or hosted_with_driver(f):
        return
    others = f.pci.devices.value or ()
    seen = f"{len(others)} other NVIDIA PCI function(s), none of them a GPU" if others else "no NVIDIA device"
    # CUDA asked for where there is no NVIDIA GPU ("Torch not compiled with CUDA enabled"): the
    # user's failure, not a note that GPU checks were skipped.
    asked = [s for s in ctx.stated if s.supports("no_nvidia_gpu_found") and s.message.kind == "error"]
    # The person looked for the GPU stack and did not find it (torch.cuda.is_available() gave False,
    # their shell said nvidia-smi was not there): a failure they report, not a note that GPU checks
    # were skipped. The doctor not finding nvidia-smi on a machine without a GPU is no failure.
    looked = checked_cuda(f) or (f.source == "explain" and (f.driver.nvidia_smi_path.status is Status.NOT_FOUND
                                                            or f.nvml.init.status is Status.ERROR))
    severity = Severity.ERROR if asked else Severity.WARNING if looked else None
    if is_stated(f.pci.devices):  # a person named another vendor's GPU, or said there is no NVIDIA one
        said = str(f.pci.devices.detail).split("(", 1)[-1].rstrip(")")
        what = ("says the machine has no NVIDIA GPU" if str(f.pci.devices.detail).startswith(NO_NVIDIA_DETAIL)
                else "shows a hosted runtime without a GPU" if ": ran on " in str(f.pci.devices.detail)
                else "names a GPU that is not NVIDIA's")
        if f.torch.cuda_available.ok and f.torch.cuda_available.value is True:
            return  # torch's ROCm build on an AMD GPU answers is_available() True: that machine works
        if severity is None and f.torch.hip_build.ok and f.torch.hip_build.value:
            return  # torch's ROCm build told in use ("2.4.0+rocm6.1") and no failure: AMD's stack on purpose
        if severity is None:
            # A person telling, in a report about their GPU stack, that the machine has no NVIDIA GPU
            # (or checking torch for CUDA and getting no) is saying why CUDA fails: the point of
            # the report, never a note that GPU checks were skipped. Not an error on their word alone.
            severity = Severity.WARNING
        hosted = ": ran on " in str(f.pci.devices.detail)
        if not asked:
            # On a hosted CPU runtime nvidia-smi's "couldn't communicate with the NVIDIA driver"
            # (its binary is in the image, no GPU is attached) is this failure, not a driver fault;
            # on a machine said to have no NVIDIA GPU, so is CUDA's "no CUDA-capable device is
            # detected" (cudaErrorNoDevice: the driver found none) or torch's "No CUDA GPUs are available".
            asked = [s for s in ctx.stated if s.message.kind == "error" and s.supports("gpu_present_driver_missing")]
            severity = Severity.ERROR if asked else severity
        # The run was told to use the CPU, and CUDA was asked for all the same: the machine is as its
        # owner means it; the program ignores its own setting somewhere (explain/parsers/cpu_run_asked.py).
        cpu_run = cpu_run_asked(f) if severity is Severity.ERROR else None
        if cpu_run is not None:
            severity = Severity.WARNING
        yield make("no_nvidia_gpu_found",
                   f"The text {what} ({said}) and no NVIDIA GPU. "
                   + (f"The run was told to use the CPU ({cpu_run}), yet CUDA was asked for: the program, or a "
                      "library it calls, ignores that setting somewhere (a model or a DataLoader's pinned memory "
                      "sent to CUDA), which is its bug to fix, not this machine's. " if cpu_run else "")
                   + ("Colab and Kaggle GPU runtimes come with NVIDIA's driver, so finding none means a CPU runtime: "
                      "pick a GPU one (Colab: Runtime > Change runtime type; Kaggle: Settings > Accelerator; a Space: "
                      "GPU hardware; GitHub Actions: a GPU runner)." if hosted else
                      "CUDA builds of PyTorch need an NVIDIA GPU: on AMD GPUs install the ROCm "
                      "build of PyTorch, on others use the CPU build (or Intel's XPU build on Intel GPUs)."),
                   [("pci.devices", f.pci.devices)] + [quote(s) for s in asked[:1]], severity=severity)
        return
    yield make("no_nvidia_gpu_found",
               f"The PCI bus of this machine shows {seen}, and neither NVML nor PyTorch reported a GPU, "
               "so the GPU checks are skipped. On a cloud VM, pick an instance type that has an NVIDIA GPU; "
               "in a container, the host must pass one in.",
               evidence(("pci.devices", seen), ("nvml.init", f.nvml.init)) + [quote(s) for s in asked[:1]],
               severity=severity)


def _no_driver_at_all(ctx: RuleContext) -> List[Tuple[str, object]]:
    """Evidence that no NVIDIA driver is installed on a machine whose NVIDIA GPU the text names
    (empty: none, or a trace of the driver). nvidia-smi "command not found"; a program saying it
    found no NVIDIA driver at all (the messages that support both "no NVIDIA GPU" and "no driver",
    and not a CPU build: torch's "Found no NVIDIA driver on your system", nvcuda.dll missing)."""
    f = ctx.facts
    d = f.driver
    contained = in_container(f)
    traces = (d.kernel_module_version.ok, d.userspace_library_version.ok, d.nvidia_smi_path.ok, f.nvml.init.ok,
              bool(d.installed_module_versions.get(())), f.nvml.init_error not in (None, "library_not_found"),
              "nvidia" in (_modules(f) or ()), any(g.driver.ok and g.driver.value != "none" for g in f.pci.gpus),
              f.nvml.driver_version.ok, f.torch.cuda_available.ok and f.torch.cuda_available.value is True,
              bool(f.torch.devices.get(())))
    if f.has_nvidia_gpu is not True or _on_wsl(f) or contained or any(traces):
        return []
    ev: List[Tuple[str, object]] = []
    if d.nvidia_smi_path.status is Status.NOT_FOUND:
        ev.append(("driver.nvidia_smi_path", d.nvidia_smi_path))
    if str(d.userspace_library_version.detail).startswith(NO_PACKAGE_DETAIL):
        ev.append(("driver.userspace_library_version", d.userspace_library_version))
    said = [s for s in ctx.stated if s.message.kind in ("error", "warning") and s.supports("gpu_present_driver_missing")
            and s.supports("no_nvidia_gpu_found") and not s.supports("torch_cpu_only_build")]
    return ev + [quote(s) for s in said[:1]]


_NO_ADDRESS = "0000:00:00.0"


def gpu_present_driver_missing(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    unbound = [d for d in f.pci.gpus if d.driver.ok and d.driver.value == "none"]
    installed = _installed(f)
    if not unbound and not _nouveau_holds(f):
        absent = _no_driver_at_all(ctx)
        if absent:
            # nvidia-smi alone may just be off PATH (older Windows drivers put it in NVSMI): a warning;
            # a program saying it found no driver makes it the error.
            told = any(not k.startswith("driver.") or k == "driver.userspace_library_version" for k, _ in absent)
            named = sorted({g.name.value for g in f.gpus if g.name.ok and g.name.value})
            yield make("gpu_present_driver_missing",
                       f"The text names an NVIDIA GPU{' (' + ', '.join(named[:2]) + ')' if named else ''} and shows no "
                       "NVIDIA driver on the machine (no nvidia-smi, no driver library, no kernel module), so nothing "
                       "can use the GPU. Install the NVIDIA driver and reboot (on Windows: from nvidia.com or Windows "
                       "Update; `nvidia-smi` then prints the GPU).",
                       [("gpus", ", ".join(named) or "an NVIDIA GPU")] + absent, confidence=Confidence.LIKELY,
                       severity=None if told else Severity.WARNING)
        return
    if not unbound or installed is True:  # installed but not loaded: driver_kernel_module_not_loaded
        return
    # A tool that printed no bus address (inxi, Windows' basic adapter) leaves the placeholder.
    where = ", ".join(d.address for d in unbound if d.address != _NO_ADDRESS)
    why = ("no NVIDIA driver is installed (no libnvidia-ml, no nvidia-smi, no module sources)" if installed is False
           else "no kernel driver has claimed it")
    yield make("gpu_present_driver_missing",
               f"The NVIDIA GPU{' at ' + where if where else ''} is on the PCI bus but {why}, so nothing can use it. "
               "Install the NVIDIA driver and reboot.",
               # Windows' basic adapter beside a GPU named is the text's implication: kept as read (likely).
               [(f"pci.devices[{d.address}].driver", d.driver if is_stated(d.driver) else "none") for d in unbound]
               + evidence(("driver.userspace_library_version", f.driver.userspace_library_version)))


def _nouveau_holds(f: Facts) -> bool:
    mods = _modules(f) or ()
    return any(m in mods for m in ("nouveau", "nova_core")) or any(
        d.driver.ok and d.driver.value in ("nouveau", "nova_core") for d in f.pci.gpus)


def nouveau_bound(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    bound = [d for d in f.pci.gpus if d.driver.ok and d.driver.value in ("nouveau", "nova_core")]
    mods = _modules(f) or ()
    loaded = [m for m in ("nouveau", "nova_core") if m in mods]
    # Without a PCI reading, the module being loaded is the evidence; with one, the binding is.
    if not bound and (f.pci.devices.ok or not loaded):
        return
    names = sorted({d.driver.value for d in bound} | set(loaded))
    ev = [(f"pci.devices[{d.address}].driver", d.driver.value) for d in bound]
    if loaded:  # a person's "nouveau is loaded" stays their word: the finding is then likely
        ev.append(("driver.loaded_modules", f.driver.loaded_modules if is_stated(f.driver.loaded_modules)
                   else ", ".join(loaded)))
    what = " and ".join(names)
    lines = [f"blacklist {m}" for m in names] + ["options nouveau modeset=0"]
    # Only a person's "after blacklisting nouveau it works" (explain/parsers/nouveau_signals.py,
    # BLOCKED_DETAIL): the cause they found, on a machine since fixed, so a warning, not an error.
    told_fixed = not bound and "until it was blocked" in str(f.driver.loaded_modules.detail)
    yield make("nouveau_bound",
               f"The open-source {what} driver has the GPU"
               + (f" at {', '.join(x.address for x in bound)}" if bound else "")
               + ". CUDA only works with NVIDIA's driver, which cannot claim the GPU while "
               f"{what} holds it: block {what} from loading, rebuild the initramfs and reboot"
               + (" (and install the NVIDIA driver, which this machine lacks)." if _installed(f) is False else "."),
               ev, {"blacklist_lines": "\\n".join(lines)}, severity=Severity.WARNING if told_fixed else None)


# --------------------------------------------------------------------------- the kernel module
def _not_loaded_evidence(f: Facts) -> List[Tuple[str, object]]:
    """Why we believe the NVIDIA kernel module is not loaded (empty: no such evidence)."""
    # NVML answering proves the module; WSL 2 has none at all; without a GPU it has nothing to do.
    if f.nvml.init.ok or _on_wsl(f) or (f.has_nvidia_gpu is False and not hosted_with_driver(f)):
        return []
    ev: List[Tuple[str, object]] = []
    # Inside a container nvidia-smi failing to reach the driver says the container was given no
    # GPU (hosting.py's findings), not that the host's module is missing.
    contained = in_container(f)
    if f.nvml.init_error == "driver_not_loaded" and not contained:
        # A person retelling nvidia-smi's failure stays their word (the reading, stated).
        ev.append(("nvml.init", f.nvml.init) if is_stated(f.nvml.init) else
                  ("nvml.init_error", "driver_not_loaded (NVIDIA-SMI/NVML could not talk to the driver)"))
    mods = _modules(f)
    if mods is not None and "nvidia" not in mods and _installed(f) is True and not is_stated(f.driver.loaded_modules):
        ev.append(("driver.loaded_modules", "no 'nvidia' in /proc/modules"))
    # No driver package at all is gpu_present_driver_missing: there is no module to load.
    no_package = str(f.driver.userspace_library_version.detail).startswith(NO_PACKAGE_DETAIL)
    if "nvidia" in (f.driver.modules_not_loaded.get(()) or ()) and not no_package:
        ev.append(("driver.modules_not_loaded", f.driver.modules_not_loaded))
    if _installed(f) is True:
        ev += [(f"pci.devices[{d.address}].driver", "none") for d in f.pci.gpus
               if d.driver.ok and d.driver.value == "none"]
    return ev


def _reboot_loaded_it(ev: List[Tuple[str, object]], f: Facts) -> bool:
    """The only evidence is a person's word that a reboot loaded the module of a freshly installed
    driver (explain/parsers/driver_reboot_said.py): the failure told is over."""
    return bool(ev) and all(path == "driver.modules_not_loaded" for path, _ in ev) \
        and REBOOT_LOADED_MODULE in str(f.driver.modules_not_loaded.detail or "")


def driver_not_loaded_secure_boot(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    # The kernel's and modprobe's refusals, from the message catalogue. ("module verification
    # failed ... tainting kernel" is not one: the module loaded anyway.)
    refusals = decisive_for(ctx.stated, "driver_not_loaded_secure_boot")
    not_loaded = _not_loaded_evidence(f)
    # Lockdown and signature lines do not name the module; modprobe's name nvidia. Without
    # other evidence that nvidia is missing, an unnamed refusal may be another module's.
    named = [s.text for s in refusals if s.fact("driver.module")]
    rejected = named or ([s.text for s in refusals] if not_loaded else [])
    sb = f.host.secure_boot
    if f.nvml.init.ok or (not rejected and not not_loaded) or (not rejected and sb.ok and sb.value is False):
        return
    if not rejected and _reboot_loaded_it(not_loaded, f):
        return  # the reboot loaded the module: Secure Boot let it in
    if probed_no_gpu(ctx) is not None and not named:  # the module ran and found no GPU: no_nvidia_gpu_found
        return
    ev = list(not_loaded) + evidence(("host.secure_boot", sb))
    if rejected:
        ev.append(("driver.module_load_errors", rejected[:3]))
        yield make("driver_not_loaded_secure_boot",
                   f"The kernel refused to load the NVIDIA module because it is not signed with a key "
                   f"Secure Boot trusts (kernel log: “{rejected[0].strip()}”). Load a signed module or "
                   "enroll the key it was signed with.", ev)
    elif sb.ok:  # Secure Boot is on and the module is not loaded
        clean_log = f.driver.module_load_errors.ok
        yield make("driver_not_loaded_secure_boot",
                   "Secure Boot is on and the NVIDIA kernel module is not loaded. With Secure Boot the kernel "
                   "only loads modules signed with an enrolled key; a module built by DKMS or akmods is refused "
                   "until its key is enrolled."
                   + (" The kernel log shows no refusal, so the module may also simply be missing for this kernel."
                      if clean_log else ""),
                   ev, severity=Severity.WARNING if clean_log else None)
    else:  # Secure Boot state unknown: say how to check instead of staying silent
        yield make("driver_not_loaded_secure_boot",
                   "The NVIDIA kernel module is not loaded and it is not known whether Secure Boot is on. "
                   "Secure Boot silently blocks unsigned NVIDIA modules, one of the most common causes; check it "
                   "first. If `mokutil --sb-state` prints “SecureBoot enabled”, use a signed module or enroll "
                   "the key as below; if it prints “disabled”, this finding does not apply.",
                   ev, severity=Severity.WARNING)


def driver_kernel_module_not_loaded(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    ev = _not_loaded_evidence(f)
    if not ev or probed_no_gpu(ctx) is not None:  # it loaded, found no GPU and left: no_nvidia_gpu_found
        return
    installed = installed_driver_version(f)
    version = installed.value if installed.ok else None
    inst = f.driver.installed_module_versions.get(())
    have = f" Driver {version} is installed" + (f" (module sources for {', '.join(inst)})" if inst else "") \
        + f" but no module for {_kernel(f)} is loaded." if version else ""
    nouveau = [d.address for d in f.pci.gpus if d.driver.ok and d.driver.value in ("nouveau", "nova_core")]
    # Which of the usual causes the text can still not tell apart, likeliest first, each
    # with the command that settles it.
    open_causes = []
    if not f.driver.module_load_errors.known and not f.host.secure_boot.known:
        open_causes.append("Secure Boot refusing an unsigned module (`mokutil --sb-state`; "
                           "`sudo dmesg | grep -i -E 'key was rejected|lockdown'`)")
    if not nouveau and not f.driver.loaded_modules.known and not f.pci.devices.known:
        open_causes.append("nouveau holding the GPU (`lsmod | grep nouveau`; `lspci -nnk -d 10de:`)")
    if version is None:
        open_causes.append("no driver installed at all (`dpkg -l | grep -i nvidia-driver` or `rpm -qa | grep -i nvidia`)")
    if _reboot_loaded_it(ev, f):
        yield make("driver_kernel_module_not_loaded",
                   "The text says the GPU was unreachable after the driver was installed until a reboot: a freshly "
                   "installed driver's kernel module is loaded at the next boot, so nvidia-smi, NVML and CUDA could "
                   "not reach the GPU before it. The reboot loaded it; if nvidia-smi fails again, look for a kernel "
                   "update without a module built for it (`dkms status`, `uname -r`).",
                   ev, severity=Severity.WARNING)
        return
    yield make("driver_kernel_module_not_loaded",
               "The NVIDIA kernel module is not loaded, so nvidia-smi, NVML and CUDA cannot reach the GPU."
               + have + " The usual cause is a kernel update: the module was not built (DKMS/akmods) or not "
               "installed for the new kernel (`dkms status`, `uname -r`)."
               + (" The GPU is held by nouveau, see nouveau_bound." if nouveau else "")
               + (" Then, in this order: " + "; ".join(open_causes) + "." if open_causes else ""),
               ev + evidence(("host.kernel", f.host.kernel),
                             ("driver.installed_module_versions", f.driver.installed_module_versions)))


def nvml_driver_library_mismatch(ctx: RuleContext) -> Iterator[Finding]:
    f = ctx.facts
    km, lib = f.driver.kernel_module_version, f.driver.userspace_library_version
    differ = km.ok and lib.ok and km.value.strip() != lib.value.strip()
    # NVML refuses to start on a real mismatch, so NVML working means the versions read on disk
    # belong to some other copy of the library; that is not this finding.
    if (f.nvml.init_error != "lib_rm_version_mismatch" and not differ) or f.nvml.init.ok:
        return
    ev: List[Tuple[str, object]] = []
    if f.nvml.init_error == "lib_rm_version_mismatch":
        ev.append(("nvml.init_error", "lib_rm_version_mismatch (Failed to initialize NVML: Driver/library version "
                                      "mismatch)"))
    ev += evidence(("driver.kernel_module_version", km), ("driver.userspace_library_version", lib))
    versions = f" The loaded kernel module is {km.value}, the installed libraries are {lib.value}." if differ else ""
    yield make("nvml_driver_library_mismatch",
               "The NVIDIA kernel module in memory and the user-space driver libraries on disk have different "
               f"versions, so NVML and CUDA refuse to start.{versions} This happens when the driver packages are "
               "updated (often by unattended upgrades) and the machine is not rebooted.", ev)


RULES = (
    no_nvidia_gpu_found,
    gpu_present_driver_missing,
    nouveau_bound,
    driver_not_loaded_secure_boot,
    driver_kernel_module_not_loaded,
    nvml_driver_library_mismatch,
    nvidia_uvm_missing,
    device_node_permissions,
)
