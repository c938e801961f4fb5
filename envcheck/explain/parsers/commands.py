"""Container start commands: did ``docker run`` (or podman, nerdctl) give the container GPUs?

A container sees the host's GPUs only when its start command asks for them
(https://docs.docker.com/reference/cli/docker/container/run/#gpus,
https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/docker-specialized.html):
``--gpus all|N|device=…``, the NVIDIA runtime (``--runtime=nvidia``, the ``nvidia-docker``
wrapper), a CDI device (``--device nvidia.com/gpu=all``) or the device nodes themselves
(``--device /dev/nvidia0``). ``host.container_gpus`` records the flag, or ``"none"`` when
the command shows none of them — a daemon whose default runtime is ``nvidia`` may still
pass GPUs in, which the detail says. Compose files: ``runtime: nvidia`` and a device
reservation with ``driver: nvidia``.

Apptainer / Singularity: ``exec|run|shell`` with an image (``*.sif``, ``docker://…``) and no
``--nv`` / ``--nvccli``. A devcontainer.json whose ``runArgs`` pass no ``--gpus``. Compose
lines that the text proposes as the fix ("Adding something like: … driver: nvidia") say the
service that ran had none: a claim of ``"none"``, not the flag.

``docker inspect``: "DeviceRequests": null under the runc runtime. A pod spec whose container
asks for the ``nvidia.com/gpu`` resource: ``"nvidia.com/gpu"``.

Only the options before the image count: what follows the image is the container's own
command line (``docker run img python train.py --gpus 2``).
"""

from __future__ import annotations

import functools
import re
import shlex
from typing import List, NamedTuple, Optional, Tuple

from ...derived.container_start import FAILED_IN_IT
from ...lazyre import lazy
from .. import start_outcome
from ..partial import PROGRAM, STATED, STATED_DETAIL, TOOL, Found
from ..source import Pasted

SOURCE = "container command"

_RUN = lazy(r"(?:^|[\s;&|$#>(]|(?P<quote>[\"'\u201c\u2018]))(?P<tool>nvidia-docker|docker|podman|nerdctl)(?:\s+container)?"
                  r"\s+run\s+(?P<args>.*)$")
# A command quoted in a sentence ("I start it with "docker run -it img" and ..."): it ends at the
# closing quote, and what follows is the sentence, not the command's arguments.
_CLOSE = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
# docker run's options that take no value (the rest take one, as the next token or after "=").
# Apptainer / Singularity bind the host's driver and GPUs only with --nv (or --nvccli).
_SINGULARITY = lazy(r"(?:^|[\s;&|$#>(])(?P<tool>singularity|apptainer)\s+(?P<verb>exec|run|shell|instance\s+start)\s+"
                          r"(?P<args>.*)$")
_SIF = lazy(r"\S\.(?:sif|simg|img)\b|\b(?:docker|library|oras|shub|docker-archive)://")
_FLAGS = {"-d", "--detach", "-i", "--interactive", "-t", "--tty", "--rm", "--privileged", "--init", "-P",
          "--publish-all", "--read-only", "--no-healthcheck", "--oom-kill-disable", "-q", "--quiet"}
_SHORT_BOOL = lazy(r"^-[ditP]+$")
_COMPOSE_RUNTIME = lazy(r"^\s*runtime:\s*['\"]?nvidia['\"]?\s*$")
_COMPOSE_DRIVER = lazy(r"^\s*-?\s*driver:\s*['\"]?nvidia['\"]?\s*$")
# Whole specs: a compose file's services, a Kubernetes pod template's containers.
_COMPOSE_SERVICES = lazy(r"^services:\s*$")
_POD_CONTAINERS = lazy(r"^\s*(?:-\s+)?containers:\s*$")
_SPEC_IMAGE = lazy(r"^\s*(?:-\s+)?image:\s*\S")
# What gives a compose service or a pod GPUs: the NVIDIA runtime or device driver, a gpu
# capability or a `gpus:` key (compose), the nvidia.com/gpu resource or runtime class (k8s).
# "nvidia" alone is no request: an image ("image: nvidia/cuda:12.2.0-base") or a command
# ("command: nvidia-smi") names NVIDIA without giving the container a GPU.
# Nor is nvidia.com/gpu as a toleration's key or a node label ("nvidia.com/gpu.present"): only a
# resource with a count (k8s, MIG and time-sliced ones too) or a CDI device ("nvidia.com/gpu=all").
_SPEC_GPU = lazy(r"(?:runtime|driver|runtimeClassName)\s*:\s*[\"']?nvidia"
                 r"|nvidia\.com/(?:gpu(?:\.shared)?|mig-[\w.-]+)['\"]?\s*[:=]\s*['\"]?(?:[1-9]|all\b)"
                 r"|NVIDIA_VISIBLE_DEVICES|/dev/nvidia"
                 r"|capabilities:.*\bgpu\b|^\s*gpus:|^\s*-\s*gpu\s*$", re.IGNORECASE)
NO_SPEC_GPU = ("the {what} requests no GPU (no NVIDIA runtime, device reservation or nvidia.com/gpu resource "
               "in the text)")
_CJK = lazy(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff01-\uff5e\u3001\u3002]")
_RUN_AT = lazy(r"(?:^|[\s;&|$#>(`\"'\u201c\u2018])(?P<tool>nvidia-docker|docker|podman|nerdctl)(?:\s+container)?\s+run\s")
_KUBECTL_RUN = lazy(r"(?:^|[\s;&|$#>(`])kubectl\s+run\s+(?P<args>.*)$")
_GPU_POD = lazy(r"nvidia|cuda|gpu|torch|tensorflow|vllm|ollama", re.IGNORECASE)  # a pod meant to use the GPU
# A pod spec's GPU request: the NVIDIA device plugin's extended resource under resources.limits
# (or requests), a whole count (https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/).
_POD_GPU_RESOURCE = lazy(r"^\s*['\"]?nvidia\.com/gpu['\"]?\s*:\s*['\"]?[1-9]\d{0,2}['\"]?\s*(?:#.*)?$")
# Words that, right after "docker run", make it the command's name in a sentence ("the docker
# run command", "docker run options"), not a run whose image they would be.
_NAMING = frozenset({"command", "commands", "cmd", "line", "option", "options", "flag", "flags", "argument",
                     "arguments", "args", "invocation", "call", "statement", "parameters"})
_MAX_STARTS = 12  # more starts than this is a log or a script, not a comparison: each counts as today


class Start(NamedTuple):
    line: int
    tool: str  # "docker run", "kubectl run", …
    flag: str  # the GPU request, or "none"
    words: str  # the rest of its line, outside the command
    note: str = ""  # why this start is the one judged
    col: int = 0  # where on its line (several starts in one sentence)
    why: str = ""  # why "none" (a spec's own words)


_NO_NV = "without --nv (or --nvccli) the host's driver and GPUs are not bound in"
NO_FLAG = ("the command passes no --gpus, --runtime=nvidia or NVIDIA device (a Docker daemon whose "
           "default runtime is nvidia would still pass the GPUs in)")


def _command(lines: Tuple[str, ...], i: int, first: str) -> str:
    """The command, with its backslash-continued lines."""
    parts = [first]
    j = i
    while parts[-1].rstrip().endswith(("\\", "^", "`")) and j + 1 < len(lines) and j - i < 40:
        parts[-1] = parts[-1].rstrip()[:-1]
        j += 1
        parts.append(lines[j])
    return " ".join(parts)


@functools.lru_cache(maxsize=1024)
def _tokens(args: str) -> Tuple[str, ...]:
    # Cached: shlex is slow, and a long log repeats the same command.
    try:
        return tuple(shlex.split(args, comments=True))
    except ValueError:
        return tuple(args.split())


def gpu_request(tool: str, args: str) -> Optional[str]:
    """The GPU flag among ``args``' options ("--gpus all", "--runtime=nvidia", …); "none" when
    the options hold none; None when no image follows (not a run command after all)."""
    if tool == "nvidia-docker":
        return "nvidia-docker"
    tokens = _tokens(args)
    if tokens and tokens[0].lower().rstrip(".,:;!?)") in _NAMING:
        return None  # "adding --gpus all to the docker run command": the command named, not run
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not tok.startswith("-"):
            # the image, in a sentence that goes on after it ("docker run -it img, then …"): its
            # punctuation is the sentence's (no image name ends in one)
            tok = tok.rstrip(".,;:!?)")
        if not re.match(r"^(?:-|[A-Za-z0-9$][\w.$/{}:@-]*$)", tok) or tok == "-":
            return None  # "`docker run` - my GPU …": the command named in a sentence, not run
        if not tok.startswith("-"):
            return "none"  # the image: the options are over
        name, eq, value = tok.partition("=")
        takes_value = not (tok in _FLAGS or _SHORT_BOOL.match(tok) or eq)
        if takes_value:
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
        if name == "--gpus":
            return f"--gpus {value}".strip()
        if name == "--runtime" and value.startswith("nvidia"):
            return f"--runtime={value}"
        if name == "--device" and (value.startswith("nvidia.com/gpu") or value.startswith("/dev/nvidia")):
            return f"--device {value}"
        i += 2 if takes_value else 1
    return None


def _spec_without_gpus(lines: Tuple[str, ...]) -> List[Start]:
    """A compose file or pod spec pasted whole (its services/containers and an image) with
    nothing anywhere in the text that asks for a GPU: the container gets none."""
    for i, line in enumerate(lines):
        if _COMPOSE_SERVICES.match(line):
            what = "compose file"
        elif _POD_CONTAINERS.match(line):
            what = "pod spec"
        else:
            continue
        block = lines[_yaml_start(lines, i):_yaml_end(lines, i)]
        # Only the spec itself counts: a host's nvidia-smi table or "NVIDIA" in a sentence
        # elsewhere in the paste does not give the service a GPU.
        if any(_SPEC_IMAGE.match(x) for x in lines[i + 1:i + 40]) and not any(_SPEC_GPU.search(x) for x in block):
            # Its output (`docker compose up`'s log, its prefixes gone) follows the spec.
            return [Start(i, what, "none", "", why=NO_SPEC_GPU.format(what=what))]
        return []
    return []


def _spec_gpu_resource(lines: Tuple[str, ...]) -> List[Start]:
    """A pod spec pasted whole whose container asks for the nvidia.com/gpu resource: the pod
    requested the GPU (the device plugin allocates it; the node's runtime must inject it)."""
    for i, line in enumerate(lines):
        if not _POD_CONTAINERS.match(line):
            continue
        end = _yaml_end(lines, i)
        if any(_SPEC_IMAGE.match(x) for x in lines[i + 1:i + 40]):
            at = next((j for j in range(i + 1, end) if _POD_GPU_RESOURCE.match(lines[j])), None)
            if at is not None:
                return [Start(i, "pod spec", "nvidia.com/gpu", "")]
        return []
    return []


def _inspected(f: Found, doc: Pasted) -> None:
    """``docker inspect``: HostConfig's "DeviceRequests" (what --gpus asked for) and "Runtime".
    null requests under the runc runtime: the container was created without GPUs."""
    lines = doc.lines
    at = doc.lines_containing('"devicerequests"')
    if not at:
        return
    i = at[0]
    runtime = next((m.group(1) for j in doc.lines_containing('"runtime"')
                    for m in [re.search(r'"Runtime":\s*"([^"]*)"', lines[j])] if m), None)
    if re.search(r'"DeviceRequests":\s*null', lines[i]) and runtime is not None and not runtime.startswith("nvidia"):
        f.set("host.container_gpus", "none", i, rank=TOOL,
              detail=f"docker inspect, line {i + 1}: DeviceRequests null, Runtime {runtime!r} (created without --gpus)")
    elif re.search(r'"DeviceRequests":\s*\[', lines[i]) and any('"gpu"' in x for x in lines[i:i + 12]):
        f.set("host.container_gpus", "--gpus (docker inspect)", i, rank=TOOL, detail=f"docker inspect, line {i + 1}")
    elif runtime and runtime.startswith("nvidia"):
        f.set("host.container_gpus", f"--runtime={runtime}", i, rank=TOOL, detail=f"docker inspect, line {i + 1}")


# A line of YAML: blank, indented, a list item, a comment, a fence, or a top-level "key:".
_YAML_LINE = lazy(r"^(?:\s*$|\s+\S|-\s|#|```|[\w.-]+:(?:\s|$))")


def _yaml_start(lines: Tuple[str, ...], i: int) -> int:
    j = i
    while j > 0 and i - j < 200 and _YAML_LINE.match(lines[j - 1]):
        j -= 1
    return j


def _yaml_end(lines: Tuple[str, ...], i: int) -> int:
    j = i + 1
    while j < len(lines) and j - i < 400 and _YAML_LINE.match(lines[j]):
        j += 1
    return j


def _run_start(lines: Tuple[str, ...], i: int, m: "re.Match[str]") -> Optional[Start]:
    """The start ``docker run …`` on line ``i``, or None when no image follows its options."""
    line = lines[i]
    args, quote = m.group("args"), m.group("quote")
    if quote:
        args = args.split(_CLOSE[quote], 1)[0]
    elif line.count("`", 0, m.start("tool")) % 2:
        quote = "`"  # inside inline code ("使用：`sudo docker run … img` 启动后 …"): it ends at the closing backtick
        args = args.split("`", 1)[0]
    flag = gpu_request(m.group("tool"), args if quote else _command(lines, i, args))
    if not flag:
        return None
    # The words around the command on its line: what the person says of it ("…能看到结果", "this fails").
    before = line[:m.start("tool")]
    after = m.group("args")[len(args):] if quote else ""
    if not quote:
        # Inline code loses its backticks in normalising; a sentence in CJK after the command
        # ("… img 启动后，执行命令报错") is no argument of it.
        cjk = _CJK.search(m.group("args"))
        after = m.group("args")[cjk.start():] if cjk else ""
    return Start(i, m.group("tool") + " run", flag, before + " " + after)


def _kubectl_start(lines: Tuple[str, ...], i: int) -> Optional[Start]:
    """``kubectl run NAME --image=IMG …``: a pod gets GPUs only through the nvidia.com/gpu resource
    (``--limits`` before kubectl 1.21, or ``--overrides`` with a resources block)."""
    m = _KUBECTL_RUN.search(lines[i])
    if not m:
        return None
    command = _command(lines, i, m.group("args"))
    if not _GPU_POD.search(command):
        return None  # a debug pod (busybox, curl): not the container the report is about
    flag = "nvidia.com/gpu" if "nvidia.com/gpu" in command else "none"
    return Start(i, "kubectl run", flag, lines[i][:m.start()])


def _starts_in_a_sentence(line: str, i: int) -> List[Start]:
    """Several starts on one line ("docker run img says nvidia-smi not found, but docker run --gpus
    all img works"): each runs up to the next, and its words are its part of the line."""
    at = [m.start("tool") for m in _RUN_AT.finditer(line)] + [len(line)]
    out = []
    for k in range(len(at) - 1):
        part = line[at[k]:at[k + 1]]
        m = _RUN.search(part)
        flag = gpu_request(m.group("tool"), m.group("args")) if m else None
        if flag:
            before = line[at[k - 1]:at[k]] if k else line[:at[0]]
            out.append(Start(i, m.group("tool") + " run", flag, (before if k == 0 else "") + " " + part, col=at[k]))
    return out


def _singularity_start(lines: Tuple[str, ...], i: int) -> Optional[Start]:
    m = _SINGULARITY.search(lines[i])
    if not (m and _SIF.search(m.group("args"))):
        return None
    nv = any(t in ("--nv", "--nvccli") for t in _tokens(_command(lines, i, m.group("args"))))
    return Start(i, f"{m.group('tool')} {m.group('verb')}", "--nv" if nv else "none", lines[i][:m.start()])


def _run_on(line: str) -> Tuple[Optional["re.Match[str]"], bool]:
    """The first ``… run`` command on ``line``, and whether several are (read once per distinct line)."""
    m = _RUN.search(line)
    return m, bool(m and len(_RUN_AT.findall(line)) > 1)


def _starts(doc: Pasted) -> List[Start]:
    """Every container start in the text, in order: docker/podman/nerdctl/nvidia-docker run,
    kubectl run, singularity/apptainer exec|run|shell."""
    lines = doc.lines
    out: List[Start] = []
    for i in doc.lines_containing(" run"):
        line = lines[i]
        m, several = doc.read(_run_on, line)
        if several:
            out.extend(_starts_in_a_sentence(line, i))
            continue
        start = _run_start(lines, i, m) if m else (_kubectl_start(lines, i) if "kubectl" in line else None)
        if start:
            out.append(start)
    for i in doc.lines_containing("singularity", "apptainer"):
        start = _singularity_start(lines, i)
        if start and all(s.line != i for s in out):
            out.append(start)
    return sorted(out, key=lambda s: (s.line, s.col))


def _judged(starts: List[Start], lines: Tuple[str, ...]) -> List[Start]:
    """The starts whose flags count, a start the GPU failed in marked so. Several starts pasted
    together are often a failing one and one that works: then only the failing ones count, they
    are the container the report is about (start_outcome)."""
    if not starts or len(starts) > _MAX_STARTS:
        return starts
    shown, outcomes, quiet = [], [], []
    for k, s in enumerate(starts):
        end = starts[k + 1].line if k + 1 < len(starts) else len(lines)
        said_above = lines[s.line - 1] if s.line and lines[s.line - 1].rstrip().endswith((":", "：")) else ""
        shown.append(start_outcome.of_output(lines, s.line + 1, end, asked=start_outcome.asks(lines[s.line])))
        outcomes.append(shown[-1] or start_outcome.said(s.words) or start_outcome.said(said_above))
        quiet.append(start_outcome.quiet(lines, s.line + 1, end))
    failed = [k for k, o in enumerate(outcomes) if o == start_outcome.FAILED]
    worked = [k for k, o in enumerate(outcomes) if o == start_outcome.WORKED]
    if not failed:
        return starts
    where = f"; the start on line {', '.join(str(starts[k].line + 1) for k in worked)} worked" if worked else ""
    # Output shown after the start ties a failure to it. So does a person's "it fails" said of a
    # start without GPUs beside one given them that worked (the comparison), where no other error
    # shows after it; their words alone only pick the start.
    compared = any(starts[k].flag != "none" for k in worked)
    marked = {k: starts[k]._replace(note=(f"; {FAILED_IN_IT} (its output)" if shown[k] else
                                          f"; {FAILED_IN_IT} (by the words on its line)" if compared and quiet[k]
                                          else "") + where)
              for k in failed}
    if not worked:
        return [marked.get(k, s) for k, s in enumerate(starts)]
    return list(marked.values())


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM)
    lines = doc.lines
    starts = _starts(doc)
    if doc.lines_containing("services:", "containers:"):
        starts = sorted(starts + _spec_without_gpus(lines), key=lambda s: (s.line, s.col))
    if doc.lines_containing("nvidia.com/gpu") and doc.lines_containing("containers:"):
        starts = sorted(starts + _spec_gpu_resource(lines), key=lambda s: (s.line, s.col))
    for s in _judged(starts, lines):
        if s.flag == "none":
            why = s.why or (_NO_NV if s.tool.startswith(("singularity", "apptainer")) else NO_FLAG)
            f.set("host.container_gpus", "none", s.line, detail=f"{s.tool} on line {s.line + 1}: {why}{s.note}")
        else:
            f.set("host.container_gpus", s.flag, s.line, detail=f"{s.tool} on line {s.line + 1}{s.note}")
    for i in doc.lines_containing("runtime:", "driver:"):
        line = lines[i]
        if "nvidia" in line and (_COMPOSE_RUNTIME.match(line) or _COMPOSE_DRIVER.match(line)):
            cue = _proposed(lines, i)
            if cue is not None:
                # "Adding something like: deploy: … driver: nvidia": the fix proposed, so the
                # service the person ran had none. Their words: a claim.
                f.set("host.container_gpus", "none", i, rank=STATED,
                      detail=f"{STATED_DETAIL}: the text proposes adding '{line.strip(' -')}' to the compose file "
                             f"({cue}), so the service had no GPU")
                continue
            f.set("host.container_gpus", line.strip(" -"), i, detail=f"compose file, line {i + 1}")
    _inspected(f, doc)
    if doc.lines_containing('"runargs"') and not doc.lines_containing("--gpus", "--runtime=nvidia", "nvidia.com/gpu",
                                                                      '"gpu"'):
        i = doc.lines_containing('"runargs"')[0]
        f.set("host.container_gpus", "none", i,
              detail=f"devcontainer.json on line {i + 1}: its runArgs pass no --gpus (and no hostRequirements gpu)")
    return f


# What starts a proposed fix rather than the configuration that ran: "## Fix", "Adding
# something like", "you need to add", 解决 / 加上 (zh), 추가 (ko), 追加 (ja). "I added … but
# it still fails" or "I already have …" is the configuration that ran.
_PROPOSAL = lazy(r"^\W*(?:fix|solution|workaround|the\s+fix|suggested\s+fix|proposed\s+fix)\b"
                       r"|\b(?:add|adding|try\s+adding|need(?:s)?\s+to\s+add|should\s+add|must\s+add|just\s+add"
                       r"|simply\s+add|by\s+adding|after\s+adding|is\s+missing|are\s+missing|was\s+missing)\b"
                       r"|解决|加上|添加|추가|追加", re.IGNORECASE)
_RAN = lazy(r"\b(?:tried|already|still|but|my\s+(?:docker-)?compose|here\s+is|this\s+is)\b", re.IGNORECASE)


def _proposed(lines: Tuple[str, ...], i: int) -> Optional[str]:
    """The words proposing the compose lines around ``i`` as a fix, if a line above says so."""
    for j in range(i - 1, max(-1, i - 14), -1):
        line = lines[j]
        if _COMPOSE_SERVICES.match(line):
            return None  # the file itself starts here: what follows is what ran
        m = _PROPOSAL.search(line)
        if m and not _RAN.search(line):
            return line.strip()[:80]
    return None
