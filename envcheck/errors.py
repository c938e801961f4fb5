"""Exceptions the CLI turns into one clear line and an exit code (``exitcodes``)."""

from __future__ import annotations

from . import exitcodes


class EnvcheckError(Exception):
    """A problem with the user's input: one line, exit 2 (usage)."""

    exit_code = exitcodes.USAGE


class SetupError(EnvcheckError):
    """The machine cannot run what was asked (no torch, no data, no GPU): exit 4."""

    exit_code = exitcodes.CANNOT_RUN


class Terminated(BaseException):
    """SIGTERM, raised in the main thread like KeyboardInterrupt for SIGINT (a BaseException so
    that no ``except Exception`` swallows it): the CLI cleans up and exits 143."""

    exit_code = exitcodes.TERMINATED
