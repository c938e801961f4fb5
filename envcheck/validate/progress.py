"""The live progress lines of a validation (stderr): one line per stage with an ETA.

Formatting only; :class:`ProgressPrinter` decides how a line reaches the stream. On a
terminal the current stage's line is rewritten in place and finished with its verdict;
elsewhere (a SLURM log, a pipe) each stage prints when it starts and when it ends, plus
a line at most every ``every_s`` seconds, so a log stays short and still shows a hang.
"""

from __future__ import annotations

import time
from typing import Any, Optional, TextIO


def clock(seconds: float) -> str:
    s = max(0, int(round(seconds)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def stage_line(index: int, total: int, name: str, detail: str, elapsed_s: float, eta_total_s: float,
               fraction: Optional[float] = None) -> str:
    pct = f" {100 * fraction:3.0f}%" if fraction is not None else ""
    return (f"[{index + 1}/{total}] {name:<12}{pct} {detail} — {clock(elapsed_s)} elapsed, "
            f"ETA {clock(eta_total_s)}")


def end_line(index: int, total: int, result: Any) -> str:
    text = result.summary or result.reason
    took = f" ({clock(result.seconds)})" if result.seconds else ""
    return f"[{index + 1}/{total}] {result.name:<12} {result.verdict.value:<5} {text}{took}"


class ProgressPrinter:
    """The pipeline's events as stderr lines (see the module docstring)."""

    def __init__(self, stream: TextIO, live: bool, every_s: float = 30.0) -> None:
        self.stream, self.live, self.every_s = stream, live, every_s
        self.current = (0, 1, "")
        self.last_print = 0.0
        self.width = 0

    def _write(self, text: str, final: bool) -> None:
        if self.live:
            pad = max(0, self.width - len(text))
            self.stream.write("\r" + text + " " * pad + ("\n" if final else ""))
            self.width = 0 if final else len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, index: int, total: int, name: str, eta_total_s: float) -> None:
        self.current = (index, total, name)
        self.last_print = time.monotonic()
        self._write(stage_line(index, total, name, "starting", 0.0, eta_total_s), final=False)

    def tick(self, name: str, fraction: Optional[float], detail: str, elapsed_s: float, eta_total_s: float) -> None:
        # A terminal gets at most two redraws a second (the burn ticks ten times a second).
        if time.monotonic() - self.last_print < (0.5 if self.live else self.every_s):
            return
        self.last_print = time.monotonic()
        index, total, _ = self.current
        self._write(stage_line(index, total, name, detail, elapsed_s, eta_total_s, fraction), final=False)

    def end(self, index: int, total: int, result: Any) -> None:
        self._write(end_line(index, total, result), final=True)
