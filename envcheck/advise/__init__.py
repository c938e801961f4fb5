"""``envcheck advise``: which PyTorch build (and driver) works on a machine.

``choose`` holds the decision, ``target`` reads a machine described on the command
line, ``text`` renders the answer; the CLI only wires them.
"""

from .choose import Advice, Target, advise, conda_command, driver_command, install_command, target_from_facts
from .target import describe_target
from .text import render_text, to_json

__all__ = ["Advice", "Target", "advise", "conda_command", "describe_target", "driver_command", "install_command",
           "render_text", "target_from_facts", "to_json"]
