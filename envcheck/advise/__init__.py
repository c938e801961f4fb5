"""``envcheck advise``: which PyTorch build (and driver) works on a machine.

``choose`` holds the decision, ``target`` reads a machine described on the command
line, ``text`` renders the answer; the CLI only wires them. The driver install command
is not decided here: it is the install step of the driver recipe (``recipes.install_driver``).
"""

from .choose import Advice, Target, advise, conda_command, install_command, target_from_facts
from .target import describe_target, facts_of
from .text import render_text, to_json

__all__ = ["Advice", "Target", "advise", "conda_command", "describe_target", "facts_of", "install_command",
           "render_text", "target_from_facts", "to_json"]
