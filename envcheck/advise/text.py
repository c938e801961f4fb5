"""``envcheck advise``'s output: text for a person, or the JSON document."""

from __future__ import annotations

import dataclasses
import json

from ..envelope import wrap


def _driver_lines(advice, driver) -> list:
    """The driver to install first, with the install step of the driver recipe."""
    if not advice.driver_branch:
        return []
    where = " on the host (a container uses the host's driver)" if driver and driver.applies is False else ""
    lines = [f"First install driver R{advice.driver_branch}{where}:"]
    if driver and driver.commands:
        lines += [f"  {c}" for c in driver.commands]
    if driver:
        lines.append(f"  (every step: envcheck recipe show {driver.recipe})")
    return lines


def render_text(advice, target, driver=None) -> str:
    """``driver``: the driver recipe's install step (``recipes.install_driver``), when a driver comes first."""
    gpus = ", ".join(f"{n} ({c})" if c and not n.endswith(c) else n
                     for n, c in zip(target.gpu_names, target.compute_capabilities)) or "no GPU"
    lines = [f"Machine: {gpus}; driver {target.driver_version or 'unknown'}; Python {target.python_version or 'unknown'}"]
    lines += _driver_lines(advice, driver)
    if advice.torch_version:
        status = ("works now" if advice.ok else "after the driver" if advice.driver_branch
                  else "no GPU build fits" if advice.variant == "cpu" else "with a caveat, see the last reason")
        lines.append(f"PyTorch: torch {advice.torch_version} + {advice.variant}"
                     + (f" (CUDA {advice.cuda})" if advice.cuda else "") + f" - {status}")
        lines.append(f"  pip:   {advice.pip_command}")
        lines.append(f"  uv:    {advice.uv_command}")
        if advice.conda_command:
            lines.append(f"  conda: {advice.conda_command}")
    else:
        lines.append("PyTorch: no build found")
    lines.append("Why:")
    lines += [f"  - {r}" for r in advice.reasons]
    return "\n".join(lines) + "\n"


def to_json(advice, target, driver=None) -> str:
    doc = {"target": dataclasses.asdict(target), "advice": dataclasses.asdict(advice),
           "driver_install": dataclasses.asdict(driver) if driver else None}
    return json.dumps(wrap("envcheck.advice", doc), indent=2) + "\n"
