"""NVML through ``pynvml`` (nvidia-ml-py) — the one module in envcheck that imports it.

Every NVML call goes through one primitive, :meth:`_Session.call`, which classifies an
NVML error once, at one of three levels (a failure belongs to the smallest thing it stops):

* **field** — one value is missing for a reason (NotSupported, NoPermission, a function
  the driver or pynvml lacks, NotFound, InvalidArgument…): that Reading carries it.
* **device** — the GPU stopped answering (GpuIsLost → ``gpu_lost``; Unknown, Uninitialized
  after a good init, ResetRequired… → ``error``): ``GpuFacts.status`` fails, values read
  before stay, no further call goes to that GPU (a call to a lost GPU can block for
  seconds), the other GPUs go on.
* **session** — ``nvmlInit`` failed: ``NvmlFacts.init`` fails and ``init_error`` names the
  class (library_not_found, driver_not_loaded, lib_rm_version_mismatch, no_permission,
  unknown; module_missing when pynvml itself is absent).

CorruptedInforom is *field* level with status ``error``: the InfoROM only backs
persistent records (aggregate ECC counts, retired pages, the serial), the GPU itself
still computes, so one value fails rather than the whole GPU.

Reference: NVML API, https://docs.nvidia.com/deploy/nvml-api/group__nvmlDeviceQueries.html
"""

from __future__ import annotations

import ctypes
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Optional, Tuple

import psutil

from envcheck.facts import GpuFacts, GpuProcess, NvmlFacts
from envcheck.knowledge.archs import cuda_int_text
from envcheck.reading import Reading, Status

# nvml.h enum values. They are NVML's ABI and never change, so they are spelt out here
# rather than looked up in whichever nvidia-ml-py is installed (old ones lack new names).
TEMPERATURE_GPU = 0
THRESHOLD_SHUTDOWN, THRESHOLD_SLOWDOWN, THRESHOLD_GPU_MAX = 0, 1, 3
CLOCK_SM, CLOCK_MEM = 1, 2
ERROR_CORRECTED, ERROR_UNCORRECTED = 0, 1
VOLATILE_ECC, AGGREGATE_ECC = 0, 1
RETIRED_SBE, RETIRED_DBE = 0, 1  # NVML_PAGE_RETIREMENT_CAUSE_{MULTIPLE_SINGLE_BIT,DOUBLE_BIT}_ECC_ERROR(S)
FI_DEV_MEMORY_TEMP = 82  # field id: HBM/GDDR temperature (nvidia-smi temperature.memory)
EVENT_XID = 0x8  # nvmlEventTypeXidCriticalError
MEMORY_V2 = 0x02000028  # nvmlMemory_v2: struct version 2 | sizeof(nvmlMemory_v2_t)
PSTATE_UNKNOWN = 32
_VALUE_ATTR = {0: "dVal", 1: "uiVal", 2: "ulVal", 3: "ullVal", 4: "sllVal", 5: "siVal", 6: "usVal"}

# Clock-event ("throttle") reason bits, nvmlClocksEventReason* (CUDA 12.x headers) or the
# older nvmlClocksThrottleReason* spelling of the same bits; names as nvidia-smi's keys.
_REASONS = (("GpuIdle", "gpu_idle", 0x1), ("ApplicationsClocksSetting", "applications_clocks_setting", 0x2),
            ("SwPowerCap", "sw_power_cap", 0x4), ("HwSlowdown", "hw_slowdown", 0x8),
            ("SyncBoost", "sync_boost", 0x10), ("SwThermalSlowdown", "sw_thermal_slowdown", 0x20),
            ("HwThermalSlowdown", "hw_thermal_slowdown", 0x40),
            ("HwPowerBrakeSlowdown", "hw_power_brake_slowdown", 0x80),
            ("DisplayClockSetting", "display_clock_setting", 0x100))

_FIELD, _DEVICE = "field", "device"
# nvml.h return codes (NVML_ERROR_<name>) by level and status; any other code: field, error.
_CODES = {(_FIELD, Status.NOT_SUPPORTED): ("NOT_SUPPORTED", "FUNCTION_NOT_FOUND", "DEPRECATED",  # FUNCTION_NOT_FOUND:
                                           "ARGUMENT_VERSION_MISMATCH", "VGPU_ECC_NOT_SUPPORTED"),  # older driver
          (_FIELD, Status.NO_PERMISSION): ("NO_PERMISSION",),
          (_FIELD, Status.NOT_FOUND): ("NOT_FOUND", "NO_DATA"),
          (_DEVICE, Status.GPU_LOST): ("GPU_IS_LOST",),
          (_DEVICE, Status.ERROR): ("UNKNOWN", "UNINITIALIZED", "RESET_REQUIRED", "INSUFFICIENT_POWER", "IRQ_ISSUE",
                                    "GPU_NOT_FOUND")}
_SESSION = {
    "NVML_ERROR_LIBRARY_NOT_FOUND": ("library_not_found", Status.NOT_FOUND),
    "NVML_ERROR_DRIVER_NOT_LOADED": ("driver_not_loaded", Status.ERROR),
    "NVML_ERROR_LIB_RM_VERSION_MISMATCH": ("lib_rm_version_mismatch", Status.ERROR),
    "NVML_ERROR_NO_PERMISSION": ("no_permission", Status.NO_PERMISSION),
}
Outcome = Tuple[str, Status, str]  # (level, status, detail)


def _text(v: Any) -> str:
    return (v.decode(errors="replace") if isinstance(v, bytes) else str(v)).strip()


def _flag(v: Any) -> bool:
    return int(v) == 1  # NVML_FEATURE_ENABLED / NVML_DEVICE_MIG_ENABLE


def _watts(mw: Any) -> float:
    return int(mw) / 1000.0


def _pstate(v: Any) -> int:
    if int(v) == PSTATE_UNKNOWN:
        raise LookupError("NVML reports the P-state as unknown")
    return int(v)


def handle_key(handle: Any) -> Any:
    """Real handles are ctypes pointers (compared by address); fakes are plain objects."""
    try:
        return ctypes.cast(handle, ctypes.c_void_p).value
    except (TypeError, ctypes.ArgumentError):
        return id(handle)


def _version_tuple(text: Optional[str]) -> Tuple[int, ...]:
    try:
        return tuple(int(p) for p in (text or "").split("."))
    except ValueError:
        return ()


class _Session:
    """An initialised NVML plus the one call-and-classify primitive."""

    def __init__(self, nv: Any) -> None:
        self.nv = nv
        self.levels = {getattr(nv, "NVML_ERROR_" + name, None): level for level, names in _CODES.items()
                       for name in names}
        self.missing_code = getattr(nv, "NVML_ERROR_FUNCTION_NOT_FOUND", 13)
        self.driver_version: Optional[str] = None
        self.reasons = tuple((getattr(nv, "nvmlClocksEventReason" + s, getattr(nv, "nvmlClocksThrottleReason" + s, bit)),
                              name) for s, name, bit in _REASONS)

    def classify(self, name: str, exc: BaseException) -> Tuple[Outcome, bool]:
        """(level, status, detail) for an exception, and whether it means "function missing"."""
        error_cls = getattr(self.nv, "NVMLError", None)
        if isinstance(error_cls, type) and isinstance(exc, error_cls):
            code = getattr(exc, "value", None)
            level, status = self.levels.get(code, (_FIELD, Status.ERROR))
            return (level, status, f"{name}: {exc}"), code == self.missing_code
        if type(exc).__name__ == "NVMLLibraryMismatchError":  # pynvml's unversioned wrapper, symbol absent
            return (_FIELD, Status.NOT_SUPPORTED, f"{name}: not in this driver's NVML"), True
        if isinstance(exc, LookupError):
            return (_FIELD, Status.NOT_SUPPORTED, f"{name}: {exc}"), False
        return (_FIELD, Status.ERROR, f"{name}: {type(exc).__name__}: {exc}"), False

    def call(self, names: Any, *args: Any, convert: Optional[Callable] = None) -> Tuple[Any, Optional[Outcome]]:
        """Call the first of ``names`` that exists; a missing function falls through to the next."""
        outcome: Optional[Outcome] = None
        for name in (names,) if isinstance(names, str) else names:
            fn = getattr(self.nv, name, None)
            if fn is None:
                outcome = (_FIELD, Status.NOT_SUPPORTED, f"{name}: not in the installed pynvml")
                continue
            try:
                value = fn(*args)
                return (convert(value) if convert else value), None
            except Exception as exc:  # classified below; nothing NVML does may escape as a traceback
                outcome, missing = self.classify(name, exc)
                if not missing:
                    break
        return None, outcome

    def reading(self, names: Any, *args: Any, convert: Optional[Callable] = None) -> Reading:
        value, outcome = self.call(names, *args, convert=convert)
        return Reading.of(value) if outcome is None else Reading.fail(outcome[1], outcome[2])

    def process_calls(self, kind: str) -> Tuple[str, ...]:
        # R510-R530 drivers export the _v3 symbol but fill the v2 struct, and 535.98 removed
        # _v3 again; pynvml's unversioned name calls _v3. Ask _v2 first on drivers before the
        # 535.43 fix, else _v3 falling back to _v2. https://github.com/XuehaiPan/nvitop/pull/89
        v3, v2 = f"nvmlDevice{kind}RunningProcesses", f"nvmlDevice{kind}RunningProcesses_v2"
        ver = _version_tuple(self.driver_version)
        return (v2,) if ver and ver < (535, 43) else (v3, v2)

    def shutdown(self) -> None:
        try:
            self.nv.nvmlShutdown()
        except Exception:  # nothing to report: the session is over either way
            pass


class Device:
    """One GPU: its handle and device-level state. After a device-level error no more calls."""

    def __init__(self, session: _Session, index: int) -> None:
        self.s, self.index = session, index
        self.failure: Optional[Reading] = None
        self.skip: Dict[Any, Reading] = {}  # not_supported stays so: telemetry does not ask again
        self.handle, outcome = session.call("nvmlDeviceGetHandleByIndex", index)
        if outcome is not None:
            self.failure = Reading.fail(outcome[1], outcome[2])

    def read(self, names: Any, args: tuple = (), convert: Optional[Callable] = None) -> Reading:
        if self.failure is not None:
            return Reading()  # nobody looked: the GPU had already failed
        key: Any = (names, args)
        try:
            hash(key)
        except TypeError:  # an event-set handle among the arguments: nothing to remember
            key = None
        if key in self.skip:
            return self.skip[key]
        value, outcome = self.s.call(names, self.handle, *args, convert=convert)
        if outcome is None:
            return Reading.of(value)
        level, status, detail = outcome
        result = Reading.fail(status, detail)
        if level == _DEVICE:
            self.failure = result
        elif status is Status.NOT_SUPPORTED and key is not None:
            self.skip[key] = result
        return result

    def reasons(self, mask: Any) -> Tuple[str, ...]:
        return tuple(name for bit, name in self.s.reasons if int(mask) & bit)

    def field_value(self, values: Any) -> Any:
        fv = values[0]
        if fv.nvmlReturn != 0:  # the call succeeded but this field did not: same classification
            raise self.s.nv.NVMLError(fv.nvmlReturn)
        return getattr(fv.value, _VALUE_ATTR.get(int(fv.valueType), "uiVal"))


def pick(r: Reading, fn: Callable) -> Reading:
    """A value derived from a reading (one field of a struct NVML returned)."""
    if not r.ok:
        return r
    try:
        return Reading.of(fn(r.value))
    except Exception as exc:  # an NVML struct of an unexpected shape
        return Reading.fail(Status.ERROR, f"unexpected NVML value: {type(exc).__name__}: {exc}")


# Single-value fields shared by GpuFacts and TelemetrySample: field → (NVML call(s), args, convert).
_EVENT_REASON_CALLS = ("nvmlDeviceGetCurrentClocksEventReasons", "nvmlDeviceGetCurrentClocksThrottleReasons")
_FIELDS: Dict[str, Tuple[Any, tuple, Optional[Callable]]] = {
    "name": ("nvmlDeviceGetName", (), _text),  # name
    "uuid": ("nvmlDeviceGetUUID", (), _text),  # uuid
    "serial": ("nvmlDeviceGetSerial", (), _text),  # serial
    "pci_bus_id": ("nvmlDeviceGetPciInfo", (), lambda p: _text(p.busId)),  # pci.bus_id
    "compute_capability": ("nvmlDeviceGetCudaComputeCapability", (), lambda c: f"{c[0]}.{c[1]}"),  # compute_cap
    "vbios_version": ("nvmlDeviceGetVbiosVersion", (), _text),  # vbios_version
    "temp_c": ("nvmlDeviceGetTemperature", (TEMPERATURE_GPU,), int),  # temperature.gpu
    "temp_slowdown_c": ("nvmlDeviceGetTemperatureThreshold", (THRESHOLD_SLOWDOWN,), int),
    "temp_shutdown_c": ("nvmlDeviceGetTemperatureThreshold", (THRESHOLD_SHUTDOWN,), int),
    "temp_max_operating_c": ("nvmlDeviceGetTemperatureThreshold", (THRESHOLD_GPU_MAX,), int),
    "power_draw_w": ("nvmlDeviceGetPowerUsage", (), _watts),  # power.draw (mW → W)
    "power_limit_w": ("nvmlDeviceGetEnforcedPowerLimit", (), _watts),  # power.limit (mW → W)
    "clock_sm_mhz": ("nvmlDeviceGetClockInfo", (CLOCK_SM,), int),  # clocks.sm
    "clock_mem_mhz": ("nvmlDeviceGetClockInfo", (CLOCK_MEM,), int),  # clocks.mem
    "clock_sm_max_mhz": ("nvmlDeviceGetMaxClockInfo", (CLOCK_SM,), int),  # clocks.max.sm
    "clock_mem_max_mhz": ("nvmlDeviceGetMaxClockInfo", (CLOCK_MEM,), int),  # clocks.max.mem
    "pstate": ("nvmlDeviceGetPerformanceState", (), _pstate),  # pstate
    # Current values drop at idle (PCIe power saving), so judge them under load only.
    "pcie_gen_current": ("nvmlDeviceGetCurrPcieLinkGeneration", (), int),  # pcie.link.gen.current
    # The maximum "possible with this device and system" — the GPU's and the slot's common
    # maximum (pcie.link.gen.max), not nvmlDeviceGetGpuMaxPcieLinkGeneration (the GPU alone).
    "pcie_gen_max": ("nvmlDeviceGetMaxPcieLinkGeneration", (), int),
    "pcie_width_current": ("nvmlDeviceGetCurrPcieLinkWidth", (), int),  # pcie.link.width.current
    "pcie_width_max": ("nvmlDeviceGetMaxPcieLinkWidth", (), int),  # pcie.link.width.max (device and system)
    "pcie_replay_count": ("nvmlDeviceGetPcieReplayCounter", (), int),
    "ecc_volatile_corrected": ("nvmlDeviceGetTotalEccErrors", (ERROR_CORRECTED, VOLATILE_ECC), int),
    "ecc_volatile_uncorrected": ("nvmlDeviceGetTotalEccErrors", (ERROR_UNCORRECTED, VOLATILE_ECC), int),
    "ecc_aggregate_corrected": ("nvmlDeviceGetTotalEccErrors", (ERROR_CORRECTED, AGGREGATE_ECC), int),
    "ecc_aggregate_uncorrected": ("nvmlDeviceGetTotalEccErrors", (ERROR_UNCORRECTED, AGGREGATE_ECC), int),
    "retired_pages_sbe": ("nvmlDeviceGetRetiredPages", (RETIRED_SBE,), len),  # retired_pages.sbe
    "retired_pages_dbe": ("nvmlDeviceGetRetiredPages", (RETIRED_DBE,), len),  # retired_pages.dbe
    "retired_pages_pending": ("nvmlDeviceGetRetiredPagesPendingStatus", (), _flag),  # retired_pages.pending
    "persistence_mode": ("nvmlDeviceGetPersistenceMode", (), _flag),  # persistence_mode
    "display_active": ("nvmlDeviceGetDisplayActive", (), _flag),  # display_active
}


def read_fields(d: Device, *names: str) -> Dict[str, Reading]:
    return {n: d.read(*_FIELDS[n]) for n in names}


def clock_reasons(d: Device) -> Reading:
    return pick(d.read(_EVENT_REASON_CALLS), d.reasons)  # clocks_event_reasons.active, as names


def memory_temp(d: Device) -> Reading:
    # Field values API: the only NVML route to memory (HBM) temperature (temperature.memory).
    return d.read("nvmlDeviceGetFieldValues", ((FI_DEV_MEMORY_TEMP,),), d.field_value)


def _memory(d: Device) -> Reading:
    # nvmlMemory_v2 reports the driver's reservation apart, so `used` is what allocations
    # hold (nvidia-smi's "Used"); v1's `used` includes it (516 MiB on an idle H100) and
    # would read as memory in use. Drivers or pynvml without v2 fall back to v1.
    mem = d.read("nvmlDeviceGetMemoryInfo", (MEMORY_V2,))
    return mem if mem.ok or d.failure is not None else d.read("nvmlDeviceGetMemoryInfo")


def remap_fields(d: Device) -> Dict[str, Reading]:
    r = d.read("nvmlDeviceGetRemappedRows")  # (correctable, uncorrectable, pending, failure); Ampere and later
    return {"remapped_rows_correctable": pick(r, lambda v: int(v[0])),
            "remapped_rows_uncorrectable": pick(r, lambda v: int(v[1])),
            "remapped_rows_pending": pick(r, lambda v: bool(v[2])),
            "remapped_rows_failed": pick(r, lambda v: bool(v[3]))}


def _process_name(pid: int) -> Reading:
    try:
        return Reading.of(psutil.Process(pid).name())
    except psutil.NoSuchProcess:
        return Reading.fail(Status.NOT_FOUND, f"no process {pid} here (another PID namespace, e.g. a container?)")
    except psutil.AccessDenied:
        return Reading.fail(Status.NO_PERMISSION, f"may not read process {pid}")
    except Exception as exc:
        return Reading.fail(Status.ERROR, f"process {pid}: {exc}")


def _processes(d: Device) -> Reading:
    """Compute and graphics processes (nvmlDevice{Compute,Graphics}RunningProcesses)."""
    found: Dict[int, GpuProcess] = {}
    readings = []
    for kind, label in (("GetCompute", "compute"), ("GetGraphics", "graphics")):
        r = d.read(d.s.process_calls(kind))
        readings.append(r)
        for p in r.get([]):
            pid = int(p.pid)
            mem = p.usedGpuMemory  # None where NVML cannot attribute memory (WDDM, some containers)
            used = Reading.of(int(mem)) if mem is not None else Reading.fail(Status.NOT_SUPPORTED, "not reported")
            found.setdefault(pid, GpuProcess(pid, _process_name(pid), used, label))
    if not any(r.ok for r in readings):
        return readings[0]
    failed = [r.detail for r in readings if not r.ok]
    return Reading.of(tuple(found.values()), "; ".join(d for d in failed if d) or None)


def _gpu(s: _Session, index: int) -> GpuFacts:
    d = Device(s, index)
    if d.failure is not None:
        return GpuFacts(index=index, status=d.failure)
    f = read_fields(d, "name", "uuid", "serial", "pci_bus_id", "compute_capability", "vbios_version")
    mem = _memory(d)  # memory.total / memory.used, bytes
    f["memory_total_bytes"] = pick(mem, lambda m: int(m.total))
    f["memory_used_bytes"] = pick(mem, lambda m: int(m.used))
    f["utilization_gpu_pct"] = pick(d.read("nvmlDeviceGetUtilizationRates"), lambda u: int(u.gpu))
    f.update(read_fields(d, "temp_c", "temp_slowdown_c", "temp_shutdown_c", "temp_max_operating_c"))
    f["memory_temp_c"] = memory_temp(d)
    f.update(read_fields(d, "power_draw_w", "power_limit_w", "clock_sm_mhz", "clock_mem_mhz", "clock_sm_max_mhz",
                   "clock_mem_max_mhz", "pstate"))
    f["clock_event_reasons"] = clock_reasons(d)
    f.update(read_fields(d, "pcie_gen_current", "pcie_gen_max", "pcie_width_current", "pcie_width_max",
                   "pcie_replay_count"))
    f["ecc_mode_current"] = pick(d.read("nvmlDeviceGetEccMode"), lambda m: _flag(m[0]))  # ecc.mode.current
    f.update(read_fields(d, "ecc_volatile_corrected", "ecc_volatile_uncorrected", "ecc_aggregate_corrected",
                   "ecc_aggregate_uncorrected", "retired_pages_sbe", "retired_pages_dbe", "retired_pages_pending"))
    f.update(remap_fields(d))
    f.update(read_fields(d, "persistence_mode"))
    f["mig_mode_current"] = pick(d.read("nvmlDeviceGetMigMode"), lambda m: _flag(m[0]))  # mig.mode.current
    f.update(read_fields(d, "display_active"))
    f["processes"] = _processes(d)
    return GpuFacts(index=index, status=d.failure or Reading.of(True), **f)


def import_pynvml() -> Any:
    """The installed pynvml, or None (the worker calls it; nothing else imports pynvml)."""
    try:
        import pynvml  # noqa: TID251 - this is the module allowed to import it
    except ImportError:
        return None
    return pynvml


@contextmanager
def opened(nvml_module: Any) -> Iterator[Tuple[Optional[_Session], Reading, Optional[str]]]:
    """nvmlInit … nvmlShutdown; yields (session or None, init reading, init_error)."""
    nv = nvml_module if nvml_module is not None else import_pynvml()
    if nv is None:
        yield None, Reading.fail(Status.NOT_FOUND, "pynvml (nvidia-ml-py) is not installed"), "module_missing"
        return
    try:
        nv.nvmlInit()
    except Exception as exc:
        codes = {getattr(nv, k, None): v for k, v in _SESSION.items()}
        error, status = codes.get(getattr(exc, "value", None), ("unknown", Status.ERROR))
        yield None, Reading.fail(status, f"nvmlInit: {exc}"), error
        return
    session = _Session(nv)
    try:
        yield session, Reading.of(True), None
    finally:
        session.shutdown()


def probe(nvml_module: Any = None) -> NvmlFacts:
    """Driver, NVML and CUDA driver versions, and every GPU NVML lists."""
    with opened(nvml_module) as (s, init, error):
        if s is None:
            return NvmlFacts(init=init, init_error=error)
        driver = s.reading("nvmlSystemGetDriverVersion", convert=_text)  # driver_version
        s.driver_version = driver.get(None)
        nvml_version = s.reading("nvmlSystemGetNVMLVersion", convert=_text)
        cuda = s.reading(("nvmlSystemGetCudaDriverVersion_v2", "nvmlSystemGetCudaDriverVersion"), convert=cuda_int_text)
        count = s.reading("nvmlDeviceGetCount", convert=int)
        gpus = pick(count, lambda n: tuple(_gpu(s, i) for i in range(n)))
        return NvmlFacts(init=init, driver_version=driver, nvml_version=nvml_version, cuda_driver_version=cuda,
                         gpus=gpus)


def failed(reason: Reading) -> NvmlFacts:
    """The facts when the NVML worker delivered none: ``unresponsive`` past its deadline (a
    wedged driver, a GPU off the bus), ``unknown`` when the worker itself failed."""
    error = "unresponsive" if reason.status is Status.TIMEOUT else "unknown"
    return NvmlFacts(init=reason, init_error=error, gpus=reason)
