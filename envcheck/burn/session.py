"""One ``envcheck burn`` from request to report: pick the devices, read their static facts,
start telemetry, run the orchestrator, judge, write the report.

Choice for ``--device all`` on a machine without a GPU: *skipped* (exit 4) with a hint
to use ``--device cpu``, never a CPU burn in its place — a script that runs
``envcheck burn`` to prove its GPUs must not get a green exit from the CPU.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple

from .. import devices, exitcodes
from ..atomicio import replaceable
from ..errors import EnvcheckError, SetupError
from ..reading import Reading, Status
from ..telemetry import Sampler, match_nvml
from . import report
from .deps import Deps, gpu_info
from .options import BurnOptions, DeviceRequest
from .orchestrate import DeviceState, Orchestrator, Run
from .records import DeviceInfo


class Skipped(EnvcheckError):
    """Nothing to burn (no GPU for ``--device all``): exit 4 with the reason."""

    exit_code = exitcodes.CANNOT_RUN


NO_GPU_HINT = "no GPU visible to torch; to burn the CPU instead, use --device cpu"


def resolve_devices(request: DeviceRequest, deps: Deps) -> List[DeviceInfo]:
    """The devices to burn and what is known about each (SetupError / Skipped when none)."""
    missing = deps.torch_missing()
    if missing:
        raise SetupError(missing)
    if request.cpu:  # alone (parse_devices): no need to initialise CUDA
        return [deps.cpu_info()]
    cudas = deps.cuda_devices()
    if request.all and not cudas:
        raise Skipped(NO_GPU_HINT)  # the default on a machine without a GPU: skipped, not an error
    labels = devices.resolve(request, len(cudas))
    if labels == ("cpu",):  # auto on a machine without a GPU
        return [deps.cpu_info()]
    chosen = [cudas[int(label.partition(":")[2])] for label in labels]
    _, gpus = deps.nvml_gpus()  # NVML absent, broken or hung: no GPUs listed, the report says so
    return [gpu_info(c, match_nvml(c, gpus)[0], deps.spec_peaks(c.name)) for c in chosen]


class _NoTelemetry:
    def sample(self) -> list:
        return []

    def close(self) -> None:
        return None


def telemetry_for(infos: List[DeviceInfo], deps: Deps) -> Tuple[Any, str, Reading]:
    """(source, its name, its status) — a source that cannot start yields no samples and says why."""
    cuda = [i for i in infos if i.kind == "cuda"]
    if cuda:
        if not any(i.nvml_index is not None for i in cuda):
            return _NoTelemetry(), "nvml", Reading.fail(Status.NOT_FOUND, "NVML lists none of these GPUs")
        # NVML problems come back as the source's status (it never raises for them); anything
        # raised here is an envcheck bug and must be seen, not turned into "no telemetry".
        source = deps.gpu_telemetry(cuda)
        return source, "nvml", getattr(source, "status", Reading.of(True))
    source = deps.cpu_telemetry(infos)
    return source, "psutil", getattr(source, "status", Reading.of(True))


@dataclass
class Outcome:
    run: Run
    document: Dict[str, Any]

    @property
    def exit_code(self) -> int:
        return int(self.document["exit_code"])


def burn(options: BurnOptions, infos: List[DeviceInfo], deps: Optional[Deps] = None,
         on_tick: Callable[[Run], None] = lambda r: None) -> Outcome:
    """Run the burn (and/or microbenchmarks) on ``infos``; the report file is kept current."""
    deps = deps or Deps()
    source, name, status = telemetry_for(infos, deps)
    run = Run(options, {i.device: DeviceState(i) for i in infos},
              Sampler(source, options.telemetry_interval_s, deps.clock), name, status)

    def write_running() -> None:
        # A FIFO or a device (`--report /dev/stdout`) gets the final document only: each
        # rewrite there would append another whole document, not replace the last one.
        if options.report_path and replaceable(options.report_path):
            report.write(options.report_path, report.document(run, deps.xid_text, final=False))

    Orchestrator(run, deps, on_tick).execute(write_running)
    doc = report.document(run, deps.xid_text, final=True)
    if options.report_path:
        report.write(options.report_path, doc)
    return Outcome(run, doc)
