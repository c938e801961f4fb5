"""``envcheck interconnect``: bandwidth, latency and NCCL collectives between GPUs, with a verdict.

On one node envcheck starts a process per GPU (``--device cpu``: N processes on gloo) and
supervises them. Under ``torchrun`` or in an ``srun`` step each process is one rank, and
rank 0 writes the report; nothing is launched by envcheck then.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import click

from .. import devices, exitcodes
from ..errors import EnvcheckError

CPU_PROCS = 4


def _gpus(device: str, nproc: Optional[int]):
    """(backend, processes, CUDA_VISIBLE_DEVICES to give the ranks or None) for one node."""
    import torch

    request = devices.parse(device)
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if request.cpu and (request.cuda or request.all):
        raise EnvcheckError(f"--device {device}: the CPU and GPUs are measured in separate runs")
    if request.cpu or (request.auto and count == 0):
        return "gloo", nproc or CPU_PROCS, None
    labels = devices.resolve(request, count, devices.no_gpu_reason(torch.__version__, torch.version.cuda))
    if nproc is not None:
        raise EnvcheckError("--nproc is for --device cpu: with GPUs there is one process per GPU")
    chosen = [int(label.split(":")[1]) for label in labels if label.startswith("cuda:")]
    if request.auto:
        chosen = list(range(count))  # auto on a GPU machine: every GPU, as `all`
    from ..interconnect.node import visible_devices

    return "nccl", len(chosen), visible_devices(chosen, count, os.environ)


def _plan(backend: str, collectives: str, min_bytes: str, max_bytes: Optional[str], factor: int, iters: int,
          warmup: int, budget: Optional[float], deadline: float, no_copies: bool, inject: Optional[str]):
    from ..interconnect import plan as p

    top = p.parse_bytes(max_bytes, "--max-bytes") if max_bytes else (
        p.GPU_MAX_BYTES if backend == "nccl" else p.CPU_MAX_BYTES)
    return p.Plan(backend, p.parse_collectives(collectives), p.sizes(p.parse_bytes(min_bytes, "--min-bytes"), top, factor),
                  warmup, iters, budget if budget is not None else (
                      p.STEP_BUDGET_S if backend == "nccl" else p.CPU_STEP_BUDGET_S), deadline,
                  copies=not no_copies, inject=p.parse_inject(inject))


def _emit(verdict, as_json: bool, plot_dir: Optional[Path]) -> int:
    from ..interconnect import text

    if plot_dir is not None:
        from ..interconnect.plots import write_plots

        try:
            for path in write_plots(verdict.outcome, plot_dir):
                click.echo(f"envcheck interconnect: wrote {path}", err=True)
        except OSError as exc:  # a full disk must not throw the measurements away
            click.echo(f"envcheck interconnect: plots not written: {exc.strerror or exc}", err=True)
    if as_json:
        click.echo(json.dumps(text.document(verdict), indent=2))
    else:
        click.echo(text.render(verdict), nl=False)
    return verdict.exit_code


def _progress(step, done: int) -> None:
    if sys.stderr.isatty():
        click.echo(f"envcheck interconnect: {step.label}", err=True)


@click.command(epilog=exitcodes.epilog())
@click.option("--device", default="auto", show_default=True,
              help=devices.HELP + ". auto: every GPU, else the CPU (gloo).")
@click.option("--nproc", type=click.IntRange(2, 256), default=None,
              help=f"Processes for --device cpu (default {CPU_PROCS}).")
@click.option("--collectives", default="all", show_default=True,
              help="all, or some of all_reduce,all_gather,reduce_scatter,broadcast.")
@click.option("--min-bytes", default="8", show_default=True, help="Smallest message (nccl-tests' -b).")
@click.option("--max-bytes", default=None, help="Largest message (nccl-tests' -e; default 1G on GPUs, 64M on CPUs).")
@click.option("--factor", type=click.IntRange(2, 1 << 20), default=2, show_default=True,
              help="Size step factor (nccl-tests' -f).")
@click.option("--iters", type=click.IntRange(2, 10000), default=20, show_default=True,
              help="Most timed iterations per size (nccl-tests' -n).")
@click.option("--warmup", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="Most warm-up iterations per size (nccl-tests' -w).")
@click.option("--budget", type=click.FloatRange(0.01, 3600), default=None,
              help="Seconds of timed iterations per size (default 1 on GPUs, 0.5 on CPUs).")
@click.option("--deadline", type=click.FloatRange(1, 86400), default=60.0, show_default=True,
              help="Seconds one size may take before it counts as hung (FAIL).")
@click.option("--no-copies", is_flag=True, help="Skip host<->device and the GPU<->GPU matrix.")
@click.option("--launcher", type=click.Choice(["auto", "local", "torchrun", "slurm"]), default="auto",
              show_default=True, help="Who started this process (auto: torchrun's or srun's variables, else local).")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON on stdout.")
@click.option("--plot", "plot_dir", type=click.Path(path_type=Path), default=None,
              help="Write heatmaps of the GPU matrix and the bandwidth curves (PNG) into DIR.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--inject", default=None, hidden=True, help="Test hook: stall:RANK or wrong:RANK.")
def interconnect(device: str, nproc: Optional[int], collectives: str, min_bytes: str, max_bytes: Optional[str],
                 factor: int, iters: int, warmup: int, budget: Optional[float], deadline: float, no_copies: bool,
                 launcher: str, as_json: bool, plot_dir: Optional[Path], strict: bool, inject: Optional[str]) -> None:
    """Measure host<->GPU and GPU<->GPU bandwidth and NCCL collectives, with a verdict.

    Every result is checked; every size runs under a deadline, so a hang ends as FAIL with
    the finding that explains it. Many nodes: start it with torchrun or srun, one process
    per GPU (see docs/interconnect.md).
    """
    from ..interconnect.launch import detect
    from ..interconnect.node import measure, need_torch

    need_torch()

    launch = detect(os.environ, launcher)
    if plot_dir is not None and (launch is None or launch.rank == 0):
        from ..interconnect.plots import check_available

        check_available(plot_dir)
    if launch is not None:
        sys.exit(_launched(launch, device, collectives, min_bytes, max_bytes, factor, iters, warmup, budget, deadline,
                           no_copies, as_json, plot_dir, strict, inject))
    backend, world, visible = _gpus(device, nproc)
    plan = _plan(backend, collectives, min_bytes, max_bytes, factor, iters, warmup, budget, deadline, no_copies, inject)
    # The spawned ranks see exactly the GPUs asked for (visible), checked before the plan runs.
    sys.exit(_emit(measure(plan, world, visible, strict, on_step=_progress), as_json, plot_dir))


def _launched(launch, device, collectives, min_bytes, max_bytes, factor, iters, warmup, budget, deadline, no_copies,
              as_json, plot_dir, strict, inject) -> int:
    """Under torchrun/srun: this process is one rank; rank 0 reports."""
    import torch

    from ..interconnect.node import check_backend
    from ..interconnect.rank import run
    from ..interconnect.verdict import judge

    gpu = device != "cpu" and torch.cuda.is_available()
    check_backend(torch, "nccl" if gpu else "gloo")
    plan = _plan("nccl" if gpu else "gloo", collectives, min_bytes, max_bytes, factor, iters, warmup, budget, deadline,
                 no_copies, inject)
    return run(plan, launch, finish=lambda outcome: _emit(judge(outcome, strict), as_json, plot_dir))
