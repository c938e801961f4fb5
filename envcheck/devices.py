"""``--device``: one vocabulary and one parser for bench, verify and burn.

    all      every GPU torch sees
    auto     the first GPU, else the CPU
    cpu      the CPU
    cuda     the first GPU (= cuda:0)
    cuda:N   GPU N; a bare N means the same
    a,b,...  several of the above

:func:`parse` checks the spelling only (a usage error, exit 2); :func:`resolve` turns a
request into device labels once the number of GPUs is known, and says in one line why
a device asked for is not there (a missing prerequisite, exit 4). Each command then
applies its own limits (bench trains on one device; burn runs the CPU on its own).
Nothing here imports torch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from .errors import EnvcheckError, SetupError

HELP = ("all (every GPU), auto (the first GPU, else the CPU), cpu, cuda, cuda:N or N; "
        "several separated by commas")


@dataclass(frozen=True)
class DeviceRequest:
    """What ``--device`` asked for, before looking at the machine."""

    text: str = field(default="", compare=False)  # as the user wrote it, for messages
    all: bool = False
    auto: bool = False
    cpu: bool = False
    cuda: Tuple[int, ...] = ()

    @property
    def label(self) -> str:
        if self.text:
            return self.text
        words = [w for w, on in (("all", self.all), ("auto", self.auto), ("cpu", self.cpu)) if on]
        return ",".join(words + [f"cuda:{i}" for i in self.cuda])


def no_gpu_reason(torch_version: str, cuda: Optional[str]) -> str:
    """Why torch sees no GPU, as far as torch itself can tell (``torch.version.cuda`` None:
    a CPU-only build), for the one-line ``--device`` error."""
    return f"torch {torch_version} ({'CUDA ' + cuda if cuda else 'a CPU-only build'}) sees no CUDA device"


class NoGpu(SetupError):
    """``all`` (or an explicit GPU) asked for on a machine where torch sees none."""


def parse(text: str) -> DeviceRequest:
    """Syntax only: EnvcheckError (usage, exit 2) for a word outside the vocabulary."""
    raw = (text or "").strip().lower()
    if not raw:
        raise EnvcheckError(f"--device: empty; use {HELP}")
    flags = {"all": False, "auto": False, "cpu": False}
    indices: List[int] = []
    for item in (p.strip() for p in raw.split(",")):
        if item in flags:
            flags[item] = True
            continue
        m = re.fullmatch(r"cuda(?::(\d+))?|(\d+)", item)
        if not m:
            raise EnvcheckError(f"--device {text}: {item!r} is not a device (use {HELP})")
        index = int(m.group(1) or m.group(2) or 0)
        if index not in indices:
            indices.append(index)
    return DeviceRequest(text=text.strip(), all=flags["all"], auto=flags["auto"], cpu=flags["cpu"],
                         cuda=tuple(indices))


def resolve(request: DeviceRequest, gpu_count: int, no_gpu_reason: str = "torch sees no CUDA device") -> Tuple[str, ...]:
    """Device labels ("cpu", "cuda:0", …) in a stable order, without repeats.

    ``no_gpu_reason`` says why there is no GPU (a CPU-only torch build, no driver) for
    the one-line error when a GPU was asked for and none is there."""
    out: List[str] = []

    def add(label: str) -> None:
        if label not in out:
            out.append(label)

    if request.cpu:
        add("cpu")
    if request.auto:
        add("cuda:0" if gpu_count else "cpu")
    # ``all`` beside another device means "and every GPU there is"; alone, or an explicit
    # GPU index, it needs one.
    if gpu_count == 0 and (request.cuda or (request.all and not out)):
        raise NoGpu(f"--device {request.label}: {no_gpu_reason} (run `envcheck doctor` to find out why, "
                    f"or use --device cpu)")
    if request.all:
        for i in range(gpu_count):
            add(f"cuda:{i}")
    for index in request.cuda:
        if index >= gpu_count:
            raise NoGpu(f"--device {request.label}: only {gpu_count} CUDA device(s) visible "
                        f"(cuda:0..cuda:{gpu_count - 1})")
        add(f"cuda:{index}")
    return tuple(out)


def one(request: DeviceRequest, gpu_count: int, no_gpu_reason: str = "torch sees no CUDA device") -> str:
    """The single device a command that runs on one device (bench) asked for."""
    labels = resolve(request, gpu_count, no_gpu_reason)
    if len(labels) != 1:
        raise EnvcheckError(f"--device {request.label}: this command runs on one device; "
                            f"choose one of {', '.join(labels)}")
    return labels[0]
