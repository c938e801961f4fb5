"""The NCCL a PyTorch run reported beside the system's NCCL package.

PyTorch's pip and conda builds bring their own NCCL (the nvidia-nccl wheel, or one linked in),
so a libnccl2 installed with apt/dnf is not what they run with: ``torch.cuda.nccl.version()``,
NCCL's "NCCL version X+cudaY" banner or a c10d error's ", NCCL version X" names the one they
did use. When that differs from the system package, someone who installed the package to get
its version (a fix, a feature) does not have it in PyTorch. Only a torch-reported version
counts: without it nobody can tell which NCCL ran.

The ranks of one job must all run one NCCL release: NCCL exchanges its version at init and stops
on a difference (src/init.cc: "Mismatched NCCL version detected : rank 1 version 22705 rank 0
version 22703", ncclInvalidUsage); releases before that check, or a difference in a plugin, hang
or fail in the first collective instead. A paste showing two versions of the same nvidia-nccl
wheel (listings of several nodes or environments), or NCCL banners of two hosts naming two
versions, shows that condition before NCCL says it.
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, List

from envcheck.knowledge.archs import ver
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding, Severity


def system_nccl_not_torchs(ctx: RuleContext) -> Iterator[Finding]:
    r = ctx.facts.torch.nccl_version
    if not r.ok or not r.value:
        return
    system = [lib for lib in ctx.facts.toolkit.libraries.get(())
              if lib.name.startswith("libnccl") and lib.path.startswith("package:") and lib.version]
    other = next((lib for lib in system if ver(lib.version) != ver(r.value)), None)
    if other is None or any(ver(lib.version) == ver(r.value) for lib in system):
        return
    yield make("nccl_version_mismatch",
               f"PyTorch runs with NCCL {r.value}, not the system's NCCL package ({other.version}): pip and conda "
               "builds of PyTorch bring their own NCCL, so installing libnccl2 does not change it. To use that NCCL, "
               "install a PyTorch build that uses it (or the nvidia-nccl wheel version torch pins).",
               [("torch.nccl_version", r), ("system package", f"libnccl {other.version}")],
               confidence=Confidence.LIKELY)


# NCCL_VERSION_CODE: major*10000 + minor*100 + patch from 2.9, major*1000 + minor*100 + patch before.
def _decode(code: str) -> str:
    n = int(code)
    if n >= 20900:
        return f"{n // 10000}.{n // 100 % 100}.{n % 100}"
    return f"{n // 1000}.{n // 100 % 10}.{n % 100}"


_RANKS = re.compile(r"rank (?P<a>\d+) version (?P<va>\d+) rank (?P<b>\d+) version (?P<vb>\d+)")


def nccl_versions_differ(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id == "nccl_mismatched_ranks"), None)
    m = _RANKS.search(said.text) if said is not None else None
    if m:
        yield make("nccl_version_mismatch",
                   f"NCCL stopped because the ranks of this job run different NCCL releases: rank {m.group('a')} has "
                   f"{_decode(m.group('va'))}, rank {m.group('b')} {_decode(m.group('vb'))}. Install the same NCCL "
                   "(the same nvidia-nccl wheel, or the same torch build) on every node and in every environment "
                   "the job starts.", [quote(said)], severity=Severity.ERROR)
        return
    # torch's NCCL errors end with the raising rank's NCCL (c10d ncclGetErrorWithVersion). One job's
    # ranks print them together (torchrun's "[rankN]:" prefixes are gone by now: explain.plain strips
    # them), so two releases named there are two ranks' NCCL.
    seen: Dict[str, int] = {}
    for s in ctx.stated:
        if s.id == "torch_nccl_error" and s.fact("torch.nccl_version"):
            seen.setdefault(str(s.fact("torch.nccl_version")), s.match.line)
    if len(seen) > 1:
        shown = [f"{v} (line {n})" for v, n in sorted(seen.items(), key=lambda kv: kv[1])]
        yield make("nccl_version_mismatch",
                   f"torch's NCCL errors in this text name different NCCL releases ({'; '.join(shown[:4])}): the "
                   "ranks of this job do not run the same NCCL. Install the same torch build (and nvidia-nccl "
                   "wheel) on every node.", [("torch NCCL errors", shown[:4])], confidence=Confidence.LIKELY)
        return
    libs = ctx.facts.toolkit.libraries.get(())
    by_wheel: Dict[str, List[str]] = {}
    by_host: Dict[str, str] = {}
    by_file: Dict[str, str] = {}
    for lib in libs:
        if lib.path.startswith("pip:nvidia-nccl-") and lib.version:
            versions = by_wheel.setdefault(lib.path[4:].split("==")[0], [])
            if lib.version not in versions:
                versions.append(lib.version)
        elif lib.path.startswith("banner:") and lib.version:
            by_host.setdefault(lib.path.split(":")[1], lib.version)
        elif lib.path.startswith("file:") and lib.version:
            by_file.setdefault(lib.path[5:].rsplit("/", 1)[0] + "/", lib.version)
    wheel = next(((name, v) for name, v in sorted(by_wheel.items()) if len(v) > 1), None)
    if wheel is not None:
        name, versions = wheel
        yield make("nccl_version_mismatch",
                   f"The text lists {name} at {' and '.join(versions)}: the nodes or environments of this job do not "
                   "have the same NCCL, and ranks with different NCCL releases fail at init or hang in the first "
                   f"collective. Install one {name} version everywhere.",
                   [("python.packages", [f"{name}=={v}" for v in versions])], confidence=Confidence.LIKELY)
        return
    if len(set(by_file.values())) > 1:
        shown = [f"{d}libnccl.so.{v}" for d, v in sorted(by_file.items())]
        yield make("nccl_version_mismatch",
                   f"Two NCCL releases are installed in different places ({'; '.join(shown[:4])}): a program built "
                   "against one loads whichever the loader finds first (LD_LIBRARY_PATH, ldconfig's cache, an "
                   "RPATH), and with the other release it fails on a missing NCCL symbol or mismatched ranks. Keep "
                   "one, or point the program at the one it was built with.",
                   [("toolkit.libraries", shown[:4])], confidence=Confidence.LIKELY)
        return
    if len(set(by_host.values())) > 1:
        shown = [f"{host}: {v}" for host, v in sorted(by_host.items())]
        yield make("nccl_version_mismatch",
                   f"NCCL's banners name different releases on different hosts ({'; '.join(shown[:4])}): the ranks "
                   "of this job do not run the same NCCL, which fails at init or hangs. Install the same NCCL on every "
                   "node.", [("NCCL version banners", shown[:4])], confidence=Confidence.LIKELY)


RULES = (system_nccl_not_torchs, nccl_versions_differ)
