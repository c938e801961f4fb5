"""Probes read the machine and return facts; nothing else in envcheck does.

Each probe module has one entry point ``probe(...)`` that takes its dependencies as
parameters (file-system root, command runner, environment, NVML module) and returns
a frozen facts record; it never raises for a machine problem (that is a status).
:func:`collect` runs them all and assembles :class:`~envcheck.facts.Facts`.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, List, Mapping, Optional, Tuple

from .. import __version__
from ..envelope import now
from ..facts import (
    DriverFacts,
    EnvFacts,
    Facts,
    HostFacts,
    InterconnectFacts,
    NvmlFacts,
    PciFacts,
    PythonFacts,
    ToolkitFacts,
    TorchFacts,
)
from ..reading import Reading, Status
from ..runner import Runner, kill_all
from ..runner import run as default_run


@dataclass(frozen=True)
class ProbeOptions:
    python: Optional[str] = None  # interpreter whose packages/torch to probe; default: this one
    torch: bool = True  # run the torch probe (imports torch in a subprocess)
    torch_timeout_s: float = 90.0
    nvml_timeout_s: float = 10.0  # NVML runs in a worker killed at this deadline (a wedged driver)
    root: Path = Path("/")  # file-system root; tests point it at a fake tree
    cache_dir: Optional[Path] = None


@dataclass
class Collection:
    facts: Facts
    failures: List[str] = field(default_factory=list)  # probes that raised: envcheck bugs
    seconds: dict = field(default_factory=dict)  # wall time per probe


def _guard(name: str, default: Any, fn: Callable[[], Any], out: Collection) -> Any:
    t0 = time.perf_counter()
    try:
        return fn()
    except Exception as exc:  # a probe bug must not take the doctor down
        out.failures.append(f"probe {name}: {type(exc).__name__}: {exc}")
        return default
    finally:
        out.seconds[name] = round(time.perf_counter() - t0, 4)


def collect(
    options: ProbeOptions = ProbeOptions(),
    *,
    run: Runner = default_run,
    environ: Optional[Mapping[str, str]] = None,
    nvml_module: Any = None,
) -> Collection:
    """Every probe at once, each in its own thread: a machine where several tools hang costs
    the slowest deadline, not their sum. Ctrl-C (or SIGTERM) kills every program still
    running (:func:`envcheck.runner.kill_all`) and does not wait for them."""
    from . import driver, envvars, host, pci, python_env, toolkit, torch_probe

    env = dict(os.environ if environ is None else environ)
    root = Path(options.root)
    python = options.python or sys.executable
    out = Collection(Facts())

    def nvml_facts() -> Tuple[NvmlFacts, InterconnectFacts]:
        return read_gpus(root, timeout=options.nvml_timeout_s, nvml_module=nvml_module, run=run)

    pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="envcheck-probe")

    def start(name: str, default: Any, fn: Callable[[], Any]) -> Future:
        return pool.submit(_guard, name, default, fn, out)

    try:
        py_fut = start("python", PythonFacts(), lambda: python_env.probe(python, run=run))
        nvml_fut = start("nvml", (NvmlFacts(), InterconnectFacts()), nvml_facts)

        def torch_facts() -> TorchFacts:
            # NVML is read before the torch worker starts: the worker's own CUDA context and
            # test kernels would otherwise show up in the GPUs' process lists, memory and
            # utilisation (gpu_memory_in_use, "under load"). (The torch worker finds out by
            # itself when torch is missing; the packages list then confirms it.)
            nvml_fut.result()
            return _guard("torch", TorchFacts(), lambda: torch_probe.probe(python, run=run,
                                                                           timeout=options.torch_timeout_s), out)

        torch_fut = pool.submit(torch_facts) if options.torch else None
        host_fut = start("host", HostFacts(), lambda: host.probe(root=root, run=run, environ=env,
                                                                  cache_dir=options.cache_dir))
        pci_fut = start("pci", PciFacts(), lambda: pci.probe(root=root))
        driver_fut = start("driver", DriverFacts(), lambda: driver.probe(root=root, run=run, environ=env))
        toolkit_fut = start("toolkit", ToolkitFacts(), lambda: toolkit.probe(root=root, run=run, environ=env))
        env_fut = start("env", EnvFacts(), lambda: envvars.probe(environ=env))
        py_f = py_fut.result()
        if torch_fut is None:
            torch_f = TorchFacts(installed=Reading.fail(Status.UNKNOWN, "torch probe skipped (--no-torch)"))
        elif py_f.packages.ok and py_f.package("torch") is None:
            torch_fut.result()
            torch_f = TorchFacts(installed=Reading.of(False))
        else:
            torch_f = torch_fut.result()
        nvml_f, interconnect_f = nvml_fut.result()
        facts = dict(host=host_fut.result(), pci=pci_fut.result(), driver=driver_fut.result(),
                     nvml=nvml_f, interconnect=interconnect_f, toolkit=toolkit_fut.result(), env=env_fut.result())
    except BaseException:  # Ctrl-C, SIGTERM: no program of ours outlives envcheck, none is waited for
        kill_all()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)

    out.facts = Facts(
        envcheck_version=__version__,
        collected_at=now(),
        source="live",
        python=py_f, torch=torch_f, **facts,
        notes=tuple(f"envcheck bug: {f}" for f in out.failures),
    )
    return out


def read_gpus(root: Path = Path("/"), *, timeout: float = 10.0, nvml_module: Any = None,
              run: Runner = default_run) -> Tuple[NvmlFacts, InterconnectFacts]:
    """NVML's GPUs and how they reach each other (topology, P2P, NVLink, NUMA, IOMMU),
    in one NVML worker under one deadline: two jobs, the GPUs first. A topology read that
    hangs keeps the GPU facts before it, and its own record then says ``timeout`` for the
    NVML part while the sysfs part is read here (``topology.failed``)."""
    from . import nvml, nvml_worker, topology

    cpus = _process_cpus()
    jobs = [nvml_worker.Job(nvml.probe, nvml.failed),
            nvml_worker.Job(topology.probe, functools.partial(topology.failed, root=root, process_cpus=cpus),
                            (str(root), cpus))]
    gpus, links = nvml_worker.run_jobs(jobs, timeout=timeout, nvml_module=nvml_module, run=run)
    return gpus, links


def _process_cpus() -> Optional[List[int]]:
    """The CPUs this process may run on (the topology probe's NUMA check compares them with
    each GPU's), read here: the NVML worker is another process."""
    try:
        return sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux: the probe says not_supported
        return None


__all__ = ["ProbeOptions", "Collection", "collect", "read_gpus"]
