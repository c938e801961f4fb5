"""The ``envcheck`` command line: wiring only.

Sub-commands load lazily, so ``envcheck doctor`` never imports torch (or rich, or
matplotlib) and works where only the base package is installed. Every error becomes
one line on stderr and an exit code from ``envcheck/exitcodes.py``: 2 for bad usage or
input, 3 when envcheck itself failed, 4 when the machine cannot do what was asked,
130/143 when interrupted.
Set ``ENVCHECK_DEBUG=1`` to see the traceback of an internal error.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import select
import signal
import sys
from typing import Dict, Iterator, List, Optional

import click

from .. import __version__, exitcodes
from ..errors import EnvcheckError, Terminated

# name -> "module:attribute" of a click command; imported on first use.
COMMANDS: Dict[str, str] = {
    "doctor": "envcheck.cli.doctor:doctor",
    "snapshot": "envcheck.cli.doctor:snapshot",
    "advise": "envcheck.cli.advise:advise",
    "explain": "envcheck.cli.explain:explain",
    "recipe": "envcheck.cli.recipe:recipe",
    "plan": "envcheck.cli.recipe:plan",
    "data": "envcheck.cli.data:data",
    "bench": "envcheck.cli.bench:bench",
    "burn": "envcheck.cli.burn:burn",
    "verify": "envcheck.cli.verify:verify",
    "interconnect": "envcheck.cli.interconnect:interconnect",
    "validate": "envcheck.cli.validate:validate",
    "fleet": "envcheck.cli.fleet:fleet",
}

HELP = {
    "doctor": "Diagnose the GPU / driver / CUDA / PyTorch stack and say how to fix it.",
    "snapshot": "Save this machine's facts as JSON (diagnose it elsewhere with doctor --facts).",
    "advise": "Which PyTorch build and driver work on this (or a described) machine.",
    "explain": "Diagnose pasted output (collect_env, nvidia-smi, pip list, error messages).",
    "recipe": "List and show install/repair recipes, tailored to this machine.",
    "plan": "Turn the doctor's findings into one ordered list of steps.",
    "data": "Fetch, verify and locate the Fashion-MNIST data set.",
    "bench": "Train reference CNNs on Fashion-MNIST: speed and correctness.",
    "burn": "Burn-in every GPU under a real workload with telemetry and a verdict.",
    "verify": "Check convolution arithmetic on this device against a float64 reference.",
    "interconnect": "Measure GPU<->GPU and host links and NCCL collectives (one node or many), with a verdict.",
    "validate": "Validate this machine: doctor, verify, bench, burn; one verdict and one report.",
    "fleet": "Compare many machines' validate reports: drift, outliers, health, missing reports.",
}


class EnvcheckGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> List[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help text without importing every sub-command.
        with formatter.section("Commands"):
            formatter.write_dl([(name, HELP.get(name, "")) for name in COMMANDS])

    # A reader gone from the pipe (`envcheck explain FILE | head -1`) is the quiet exit 0: click's
    # own main turns EPIPE into exit 1 before main below sees it, so it is caught inside, where
    # click's main calls: parsing (--help) and the command.
    def make_context(self, *args, **kwargs):  # type: ignore[override]
        with _quiet_closed_pipe():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        with _quiet_closed_pipe():
            return super().invoke(ctx)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        try:
            rv = super().main(args=args, prog_name=prog_name or "envcheck", complete_var=complete_var,
                              standalone_mode=False, **extra)
        except click.exceptions.Abort:
            click.echo("envcheck: interrupted", err=True)
            sys.exit(exitcodes.INTERRUPTED)
        except click.exceptions.NoArgsIsHelpError as exc:
            try:
                click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
            except BrokenPipeError:  # the help's reader is gone: the quiet exit, as for any output
                _stdout_to_devnull()
                sys.exit(exitcodes.OK)
            sys.exit(exitcodes.USAGE)
        except click.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx else "envcheck"
            click.echo(f"{cmd}: error: {exc.format_message()} (see '{cmd} --help')", err=True)
            sys.exit(exitcodes.USAGE)
        except click.ClickException as exc:  # a file option click could not open: bad input
            click.echo(f"envcheck: error: {exc.format_message()}", err=True)
            sys.exit(exitcodes.USAGE)
        except EnvcheckError as exc:
            click.echo(f"envcheck: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("envcheck: interrupted", err=True)
            sys.exit(exitcodes.INTERRUPTED)
        except Terminated:
            click.echo("envcheck: terminated", err=True)
            sys.exit(exitcodes.TERMINATED)
        except BrokenPipeError:
            sys.exit(exitcodes.OK)
        except Exception as exc:  # envcheck's own failure: one line, exitcodes.FAILED
            if os.environ.get("ENVCHECK_DEBUG"):
                raise
            click.echo(f"envcheck: internal error: {type(exc).__name__}: {exc} "
                       f"(set ENVCHECK_DEBUG=1 for the traceback)", err=True)
            sys.exit(exitcodes.FAILED)
        sys.exit(rv if isinstance(rv, int) else exitcodes.OK)


@contextlib.contextmanager
def _quiet_closed_pipe() -> Iterator[None]:
    """EPIPE on our stdout becomes click's Exit(OK), the rest of the output going nowhere; an
    EPIPE from anything else (a child's pipe) goes on as the error it is."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.EPIPE or not _stdout_closed():
            raise
        _stdout_to_devnull()
        raise click.exceptions.Exit(exitcodes.OK) from None


def _stdout_closed() -> bool:
    """Whether stdout is a pipe whose reader has gone (poll reports POLLERR on its write end)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll(), or stdout not a file: not ours to judge
        return False


def _stdout_to_devnull() -> None:
    """What is still buffered for stdout (and any later write) goes to /dev/null, so that no
    flush at exit fails again (Python's documented way for SIGPIPE-less programs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


@click.group(name="envcheck", cls=EnvcheckGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog=exitcodes.epilog())
@click.version_option(__version__, prog_name="envcheck")
def cli() -> None:
    """Take an NVIDIA GPU machine from "just installed" to "verified".

    Start with `envcheck doctor`.
    """


def _terminated(signum: int, frame: object) -> None:
    raise Terminated()


def main() -> None:
    # SIGTERM unwinds like Ctrl-C (programs envcheck started are killed on the way out, a
    # report being written is finished or left whole); commands with their own handling
    # (burn, bench) replace it while they run.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)
    from .common import quick_exit, quick_exit_asked

    quick_exit(False)  # asked only by the command this process runs
    try:
        cli.main()
    except SystemExit as exc:
        _keep_compiled()
        if quick_exit_asked():
            _quick_exit(exc.code)
        _flush_or_quiet(exc)
        raise
    except BaseException:
        _keep_compiled()
        raise
    _keep_compiled()


def _keep_compiled() -> None:
    # Under a Python other than the one that wrote the checked-in regex code, what this run
    # compiled is kept for the next (lazyre.keep_compiled: a cache, silent on any failure).
    lazyre = sys.modules.get("envcheck.lazyre")
    if lazyre is not None:
        lazyre.keep_compiled()


def _flush_or_quiet(exc: SystemExit) -> None:
    """Output still buffered is flushed here, where a reader gone from the pipe can still make
    the exit the quiet 0 (at the interpreter's own final flush it would be exit 120 and a
    message on stderr)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
        exc.code = exitcodes.OK
    except (OSError, ValueError):  # a closed or failing stdout: the interpreter reports it as ever
        pass


def _quick_exit(code: object) -> None:
    """End the process with ``code`` (SystemExit's) as the interpreter would, less its
    teardown (common.quick_exit): the output flushed first; a reader gone from the pipe is
    the quiet exit BrokenPipeError gets above."""
    if code is not None and not isinstance(code, int):
        return  # sys.exit("message"): the interpreter prints it
    status = code or 0
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
        status = exitcodes.OK
    except (OSError, ValueError):  # a closed or failing stdout: what the normal exit would report
        return
    try:
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    os._exit(status)
