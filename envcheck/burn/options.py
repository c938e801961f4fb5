"""What the user asked for: durations, device lists and the run's options.

Parsing only (no torch, no NVML): the CLI turns these errors into one line and exit 2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Tuple

from .. import devices
from ..devices import DeviceRequest
from ..errors import EnvcheckError

PRESETS = {"quick": 60.0, "standard": 180.0, "long": 900.0}
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}
MAX_DURATION_S = 7 * 24 * 3600.0  # a week: anything longer is a typo
INJECTIONS = ("mismatch", "nan", "die")  # fault hooks for tests (hidden CLI option)


def parse_duration(text: str) -> float:
    """``quick`` / ``standard`` / ``long``, ``90``, ``10s``, ``3m``, ``1h``, ``1m30s`` → seconds."""
    raw = (text or "").strip().lower()
    if raw in PRESETS:
        return PRESETS[raw]
    if re.fullmatch(r"\d+(\.\d+)?", raw):
        seconds = float(raw)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)([smh])", raw)
        if not parts or "".join(n + u for n, u in parts) != raw:
            raise EnvcheckError(f"--duration {text!r}: expected a preset ({', '.join(PRESETS)}) "
                                f"or a time such as 10s, 3m, 1h, 1m30s")
        units = [u for _, u in parts]
        if len(set(units)) != len(units):
            raise EnvcheckError(f"--duration {text!r}: each unit at most once")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise EnvcheckError(f"--duration {text!r}: must be longer than zero")
    if seconds > MAX_DURATION_S:
        raise EnvcheckError(f"--duration {text!r}: longer than a week")
    return seconds


def format_duration(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s" if s else f"{m}m"
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m"


def parse_devices(text: str) -> DeviceRequest:
    """``--device`` in the ``envcheck.devices`` vocabulary (syntax only); burn runs the CPU
    on its own: a CPU worker would compete with the GPU workers' host threads and skew both."""
    request = devices.parse(text or "all")
    if request.cpu and (request.all or request.auto or request.cuda):
        raise EnvcheckError(f"--device {request.label}: burn the CPU on its own, not together with GPUs")
    return request


@dataclass(frozen=True)
class BurnOptions:
    duration_s: float = 60.0  # 0: no burn (microbenchmarks only)
    devices: Tuple[str, ...] = ()  # resolved labels: ("cuda:0", "cuda:1") or ("cpu",)
    max_temp_c: Optional[float] = None
    strict: bool = False
    micro: bool = False
    report_path: Optional[str] = None
    plot_dir: Optional[str] = None
    seed: int = 0
    inject: Optional[str] = None  # one of INJECTIONS: a wrong result / NaN / a dying worker (tests)
    telemetry_interval_s: float = 1.0
    report_interval_s: float = 2.0  # the report file is rewritten this often while running
    setup_timeout_s: float = 180.0  # torch import + CUDA init + allocations + the conv check
    stop_grace_s: float = 2.0  # workers get this long to stop before they are killed

    def public(self) -> dict:
        """The options as the report records them (test hooks included when used)."""
        out = {"duration_s": self.duration_s, "devices": list(self.devices), "max_temp_c": self.max_temp_c,
               "strict": self.strict, "micro": self.micro, "seed": self.seed,
               "telemetry_interval_s": self.telemetry_interval_s}
        if self.inject:
            out["inject"] = self.inject
        return out
