"""A driver inside a container's image, read from the image's own files (``container_prose``'s
tool-output part, split from it): a Dockerfile or ``docker build`` log that installs driver
packages, two driver versions' libraries side by side, a package listing run inside a
container. The toolkit injects the host's driver; the image's own copy is what NVIDIA's
container docs say never to ship
(https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html;
the meta packages: CUDA Installation Guide for Linux, "Meta Packages").

Not a reader of its own (not in ``PARSERS``): ``container_prose.parse`` calls these after
its sentences, in this order, into its own :class:`Found`.
"""

from __future__ import annotations

import re
from typing import Tuple

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE

# Packages that put driver files (libcuda, libnvidia-ml, nvidia-smi) into the system they are
# installed in; the ``cuda`` / ``cuda-X-Y`` meta packages pull cuda-drivers ("Installs all CUDA
# Toolkit and Driver packages"), ``cuda-toolkit-X-Y`` does not.
_DRIVER_PKG = lazy(
    r"(?<![\w.-])(?:nvidia-driver-(?P<v1>\d{3})(?:-server|-open|-server-open)?|nvidia-headless-(?:no-dkms-)?(?P<v2>\d{3})"
    r"(?:-server|-open)?|libnvidia-compute-(?P<v3>\d{3})(?:-server)?|nvidia-utils-(?P<v4>\d{3})(?:-server)?"
    r"|cuda-drivers(?:-(?P<v5>\d{3}))?|libcuda1(?:-(?P<v6>\d{3}))?|libnvidia-ml1|nvidia-driver-(?:libs|cuda)(?:-libs)?"
    r"|xorg-x11-drv-nvidia(?:-cuda)?(?:-libs)?|NVIDIA-Linux-[\w]+-(?P<v7>\d{3}\.\d+(?:\.\d+)?)\.run"
    # the CUDA runfile installs its driver unless told --toolkit (checked by the caller)
    r"|cuda_\d+\.\d+\.\d+_(?P<v8>\d{3}\.\d+(?:\.\d+)?)_linux(?:_\w+)?\.run"
    r"|cuda(?:-\d{1,2}-\d)?(?=\s*(?:$|&&|\\|;|\s-)))(?![\w.-])")
# A line that installs packages, in a Dockerfile (RUN …, or the continuation of one) or in a
# build's log ("#8 12.3 Setting up libcuda1:amd64 (545.23.08-1)", "46.44 Setting up …").
_INSTALLS = lazy(r"\b(?:apt-get|apt|yum|dnf|zypper|microdnf|apk)\s+(?:-\S+\s+)*install\b|\binstall\s+-y\b"
                       r"|^\s*(?:#\d+\s+)?\d+(?:\.\d+)?\s+(?:Setting up|Unpacking|Selecting previously unselected package)\s"
                       # a driver .run in a RUN step, also as docker build echoes it ("#7 [4/6] RUN …", "Step 5/9 : RUN …")
                       r"|^\s*(?:#\d+\s+\[[^\]\n]{0,40}\]\s+|Step\s+\d+/\d+\s*:\s*)?(?:RUN\s+)?(?:[^#\n]*&&\s*)?(?:sh|bash|\./)\s*\S*"
                       r"(?:NVIDIA-Linux-|cuda_\d)", _I)
_SETTING_UP_VERSION = lazy(r"Setting up (?:libcuda1|libnvidia-compute-\d{3}|nvidia-driver-\d{3}|libnvidia-ml1)"
                                 r"[\w:-]*\s+\((?P<v>\d{3}\.\d+(?:\.\d+)?)")
# The text is (or holds) a Dockerfile or a docker build's output.
_IMAGE_BUILD = lazy(r"^\s*(?:FROM\s+\S+|RUN\s+\S|Step\s+\d+/\d+\s*:|#\d+\s+\[[^\]]*\d+/\d+\]|=>\s+\[)", _I)

def _version(m: "re.Match[str]") -> str:
    for k in ("v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8"):
        if m.group(k):
            return m.group(k)
    return m.group(0)


def _driver_versions(line: str) -> Tuple[str, ...]:
    """The driver versions an install line names (before asking whether it is an install at
    all, the costlier test where it is not): none on a removal, a conda / pip install (conda's
    "cuda" from the nvidia channel and pip's nvidia-* wheels carry no driver), or the toolkit alone.
    The packages first: most lines naming NVIDIA or CUDA name none, and then need no other test."""
    packages = list(_DRIVER_PKG.finditer(line))
    if not packages:
        return ()
    if re.search(r"\b(?:remove|purge|autoremove)\b", line):
        return ()
    if re.search(r"\b(?:conda|mamba|micromamba|pip3?|uv)\s+(?:-\S+\s+)*install\b", line, _I):
        return ()
    v = _SETTING_UP_VERSION.search(line)
    return tuple(v.group("v") if v else _version(m) for m in packages
                 if not (m.group("v8") and re.search(r"--toolkit\b", line)))


def image_drivers(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    if not any(_IMAGE_BUILD.match(line) for line in lines[:4000]):
        return
    found = []
    first = None
    # What a line names is judged once per distinct line (a build log repeats its lines); whether
    # it is an install (or a continuation of one above) depends on its place, and is asked only
    # of lines that name a driver package.
    for i, versions in doc.where(_driver_versions, "nvidia", "cuda", "libcuda"):
        line = lines[i]
        prev = lines[i - 1].rstrip() if i else ""
        # The install command, or a continuation line of a RUN whose install started above.
        continued = prev.endswith("\\") and any(doc.search(_INSTALLS, lines[j]) for j in range(max(0, i - 8), i))
        if not (doc.search(_INSTALLS, line) or continued):
            continue
        for version in versions:
            if version not in found:
                found.append(version)
                first = i if first is None else first
    if found:
        f.set("driver.installed_module_versions", tuple(found), first, rank=PROGRAM,
              detail=f"the image installs NVIDIA driver packages ({', '.join(found)}), line {first + 1} of the text")
        f.set("host.container", "docker", first, rank=PROGRAM, detail="a Dockerfile or docker build output")


# A driver's user-space files carry its version: libcuda.so.550.78, libnvidia-ml.so.535.183.01.
_DRIVER_LIB = lazy(r"\blib(?:cuda|nvidia-[a-z]+(?:-[a-z]+)*|nvcuvid|nvidia-ml)\.so\.(?P<v>\d{3}\.\d{2,3}(?:\.\d{2})?)(?![\w.])")
_RUNS_CONTAINER = lazy(r"\b(?:docker|podman|nerdctl)\s+(?:run|exec)\b|--gpus\b|\bkubectl\b")


def library_versions(f: Found, doc: Pasted) -> None:
    found = []
    first = None
    for i in doc.lines_containing(".so."):
        for m in _DRIVER_LIB.finditer(doc.lines[i]):
            if m.group("v") not in found:
                found.append(m.group("v"))
                first = i if first is None else first
    if len(found) < 2 or first is None:
        return
    # Only where the text speaks from a container: on a host, two versions are an upgrade's leftovers.
    if not any(c.path == "host.container" for c in f.claims) and not any(
            _RUNS_CONTAINER.search(line) for line in doc.lines[:4000]):
        return
    f.set("driver.installed_module_versions", tuple(found), first, rank=PROGRAM,
          detail=f"driver libraries of {len(found)} versions ({', '.join(found)}) side by side, line {first + 1}")


# A package listing run inside a container: at a prompt whose host name is a container id
# (``root@3f2a9c1b7d4e:/#``), or through ``docker exec`` / ``docker run``. The toolkit mounts the
# host driver's files at start but never registers packages, so a driver package in the
# container's own package database was installed into the image.
_LISTS_PACKAGES = lazy(r"^\S*@[0-9a-f]{12}:[^\n]*?[#$]\s*(?:sudo\s+)?(?:dpkg\s+(?:-l|--list)|apt\s+list\s+--installed"
                             r"|rpm\s+-qa)\b|\b(?:docker|podman|nerdctl)\s+(?:exec|run)\b[^\n]*\b(?:dpkg\s+(?:-l|--list)"
                             r"|apt\s+list\s+--installed|rpm\s+-qa)\b")
_DRIVER_NAME = (r"(?:(?:libnvidia-(?:compute|gl|decode|encode|extra|fbc1|cfg1|ifr1)|nvidia-(?:utils|driver|compute-utils"
                r"|kernel-common|headless(?:-no-dkms)?))-\d{3}(?:-server)?(?:-open)?|libcuda1|libnvidia-ml1|cuda-drivers(?:-\d{3})?"
                r"|nvidia-driver(?:-cuda)?(?:-libs)?|xorg-x11-drv-nvidia(?:-cuda)?(?:-libs)?)")
# dpkg -l: "ii  libnvidia-compute-535:amd64  535.183.01-0ubuntu0.22.04.1  amd64  NVIDIA libcompute package";
# apt list: "libnvidia-compute-535/jammy-updates,now 535.183.01-0ubuntu0.22.04.1 amd64 [installed]";
# rpm -qa: "nvidia-driver-cuda-libs-550.54.15-1.el9.x86_64".
_PACKAGE_ROW = lazy(rf"^\s*(?:[ihrpu][iUFHWtcn]R?\s+{_DRIVER_NAME}(?::\w+)?\s+(?:\d+:)?"
                          rf"|{_DRIVER_NAME}/\S+\s+(?:\d+:)?|{_DRIVER_NAME}-(?:\d+:)?)(?P<v>\d{{3}}\.\d+(?:\.\d+)?)")
_PROMPT = lazy(r"^\s*(?:\S+@\S+[:~][^\n]*[#$]|[$#]\s)")


def packages_in_container(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    for i in doc.lines_containing("dpkg", "apt list", "rpm -qa"):
        if not doc.search(_LISTS_PACKAGES, lines[i]):
            continue
        found = []
        for j in range(i + 1, min(len(lines), i + 400)):
            if _PROMPT.match(lines[j]):
                break  # the next command: the listing ended
            m = _PACKAGE_ROW.match(lines[j])
            if m and m.group("v") not in found:
                found.append(m.group("v"))
        if found:
            f.set("driver.installed_module_versions", tuple(found), i, rank=PROGRAM,
                  detail=f"the container's package database lists NVIDIA driver packages ({', '.join(found)}), "
                         f"line {i + 1} of the text")
            f.set("host.container", "docker", i, rank=PROGRAM, detail="a package listing run inside a container")
            return
