"""The text saying no NVIDIA driver goes into the image: a Dockerfile comment ("# we do NOT install
nvidia-driver here"), a person's denial ("I did not install the nvidia driver in the image") or the
advice they follow ("Do not install the driver inside the container").

NVML's "Driver/library version mismatch" inside a container is read as a driver in the image when
nothing else shows one (``rules/versions.driver_installed_inside_container``, likely): the toolkit
injects the host's libraries, which match its module. Said otherwise, that inference has nothing left:
the other cause (a container still holding the libraries of a host driver replaced since, or the host's
own module and libraries apart until a reboot) is what remains, and ``nvml_driver_library_mismatch``
says it. A Dockerfile line that installs a driver is evidence of its own and is not undone by a comment.
``explain/parsers/container_driver_denied.py`` records it as a note starting with :data:`IMAGE_DRIVER_DENIED`.
"""

from __future__ import annotations

from typing import Optional

from envcheck.derived.notes import note_after
from envcheck.facts import Facts

IMAGE_DRIVER_DENIED = "the text says no NVIDIA driver is installed in the image: "


def image_driver_denied(facts: Facts) -> Optional[str]:
    """The denial as the text says it, or None."""
    return note_after(facts, IMAGE_DRIVER_DENIED)
