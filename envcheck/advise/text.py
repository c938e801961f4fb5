"""``envcheck advise``'s output: text for a person, or the JSON document."""

from __future__ import annotations

import dataclasses
import json

from ..envelope import wrap


def render_text(advice, target) -> str:
    gpus = ", ".join(f"{n} ({c})" if c and not n.endswith(c) else n
                     for n, c in zip(target.gpu_names, target.compute_capabilities)) or "no GPU"
    lines = [f"Machine: {gpus}; driver {target.driver_version or 'unknown'}; Python {target.python_version or 'unknown'}"]
    if advice.driver_command:
        lines.append(f"First install driver R{advice.driver_branch}:")
        lines.append(f"  {advice.driver_command}")
    if advice.torch_version:
        status = ("works now" if advice.ok else "after the driver" if advice.driver_command
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


def to_json(advice, target) -> str:
    return json.dumps(wrap("envcheck.advice", {"target": dataclasses.asdict(target),
                                               "advice": dataclasses.asdict(advice)}), indent=2) + "\n"
