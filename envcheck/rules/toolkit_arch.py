"""A CUDA toolkit too old to compile for the GPU's architecture.

nvcc compiles only for the architectures its release knows (``compute_capability.toml``:
``first_cuda``, the first toolkit that builds code for a capability, and ``last_cuda`` for
the ones since dropped). An older nvcc stops the build of an extension or a CMake project:
"nvcc fatal : Unsupported gpu architecture 'compute_86'" (CUDA 11.0 and an RTX 3090),
"Value 'sm_89' is not defined for option 'gpu-architecture'", CMake's "do not all work with
this compiler". A newer toolkit, or an older architecture target, fixes it.

* **nvcc's own refusal** names the target. One that every current toolkit still builds (no
  ``last_cuda``) can only be newer than the nvcc that ran: confirmed, whatever release the
  text shows (a text showing a release new enough means another, older nvcc ran: PATH,
  CUDA_HOME, a conda environment's nvcc). A target since dropped (sm_30 … sm_72) is this
  finding only when nvcc's release is known and older than its first CUDA; newer than its
  last, the toolkit is too new for the target, which is another problem.
* **The facts alone**: nvcc's release (``nvcc --version``, collect_env, cpp_extension's
  "detected CUDA version", CMake's compiler identification, a versioned nvcc path in the
  failing command, CUDA_HOME, the toolkit's release told in words) older than the GPU's first
  CUDA, or than an entry of TORCH_CUDA_ARCH_LIST, or a GPU newer than every target
  ``nvcc --list-gpu-arch`` prints, while a build failed: "likely" (the failing build's own
  target is not shown). A build said to fail in the person's words, the compiler's message not
  shown (``derived.toolkit_arch_said.build_failed_said``), counts as a failed build here (round 28).
* **A release told in words** ("a P6000 with Cuda 10.1", "CUDA Version：11.3"; whose CUDA, the
  sentence does not say) is the release of last resort. Beside nvcc's refusal of a target since
  dropped, a release that knows the target and comes a major or more before the drop says the
  nvcc that ran was another of that era (a distribution's /usr/bin/nvcc first on PATH), not one
  past the drop: likely (round 28).

Kept apart from ``gpu_arch_unsupported_by_torch_build`` (torch's own build lacks the GPU at
run time; cpp_extension's "Unknown CUDA arch (X) or GPU not supported" is torch's own arch
table, so it stays there) and ``extension_built_without_gpu_arch`` (an extension that built
without the GPU's architecture).
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.cuda_program import ptxas_owner
from envcheck.derived.driver_claims import said_cuda
from envcheck.derived.line_report import asked_in_sentence, not_reported
from envcheck.derived.messages import Stated, is_stated
from envcheck.derived.toolkit_arch_said import build_failed_said
from envcheck.knowledge.archs import cc_text, cc_tuple, major_minor, parse_arch_list, sm_name, version_at_least
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding
from envcheck.rules.toolkit_arch_said import RULES as _SAID_RULES

# nvcc (or CMake's test of it) refusing a target (messages.toml, "# --- r9arch ---").
_REFUSALS = ("nvcc_unsupported_gpu_arch", "nvcc_gpu_arch_value_not_defined", "cmake_cuda_architectures_unusable",
             "nvcc_unsupported_gpu_arch_spaced", "nvcc_gpu_arch_value_spaced")
# A build that failed without saying why on its own line.
_FAILED_BUILDS = ("torch_extension_compile_failed", "setuptools_nvcc_command_failed", "msbuild_cuda_compile_failed")
# The compiler's own reason for a failed build, other than the architecture: then the facts alone say nothing.
_OTHER_REASONS = ("nvcc_unsupported_host_compiler",)
# The toolkit release in an nvcc path: /usr/local/cuda-11.0/bin/nvcc, ...\CUDA\v11.7\bin\nvcc.exe.
_VERSIONED_NVCC = re.compile(r"cuda-(\d{1,2}\.\d{1,2})[/\\]bin[/\\]nvcc|CUDA[/\\]v(\d{1,2}\.\d{1,2})[/\\]bin[/\\]nvcc", re.I)
_VERSIONED_HOME = re.compile(r"cuda-(\d{1,2}\.\d{1,2})(?:[/\\]|$)|CUDA[/\\]v(\d{1,2}\.\d{1,2})(?:[/\\]|$)", re.I)
# One target as nvcc or CMake write it: compute_89, sm_120a, 89, 89-real.
_TARGET = re.compile(r"(?:(?:sm|compute)_)?(\d{2,3})([af]?)(?:-real|-virtual)?")


def _release(ctx: RuleContext) -> Tuple[Optional[str], str]:
    """(nvcc's release "11.0", where it was read): a failing command's versioned path first
    (the nvcc that ran), else the toolkit facts (nvcc --version, collect_env, CMake)."""
    for s in ctx.stated:
        if s.id in _FAILED_BUILDS or s.id in _REFUSALS:
            m = _VERSIONED_NVCC.search(s.text)
            if m:
                return m.group(1) or m.group(2), "the nvcc path of the failing command"
    # an nvcc the build ran from a versioned install (a compile command echoed, Visual Studio's
    # "CUDA X.Y.targets"): one release only
    run = {str(s.fact("detail")) for s in ctx.stated
           if s.id in ("nvcc_versioned_path", "msbuild_cuda_compile_failed") and s.fact("detail")}
    if len(run) == 1:
        return run.pop(), "the nvcc path the build ran"
    tk = ctx.facts.toolkit
    r = tk.nvcc_version
    if r.ok and r.value:
        return major_minor(str(r.value)) or str(r.value), "toolkit.nvcc_version" + (", a person's words" if is_stated(r) else "")
    # `which nvcc` or CUDA_HOME (what cpp_extension compiles with) naming a versioned install
    for path, reading in (("toolkit.nvcc_path", tk.nvcc_path), ("toolkit.cuda_home", tk.cuda_home)):
        m = _VERSIONED_HOME.search(str(reading.value)) if reading.ok and reading.value else None
        if m:
            return m.group(1) or m.group(2), path
    # "Ubuntu 16.04 and a P6000 with Cuda 10.1": a CUDA release told in words, whose not said (round 28)
    said = said_cuda(ctx.facts.nvml.cuda_driver_version)
    if said:
        return major_minor(said) or said, _SAID_WHERE
    return None, ""


_SAID_WHERE = "the CUDA release the text's words give"


def _major(release: str) -> int:
    try:
        return int(release.split(".")[0])
    except ValueError:
        return 0


def _targets(s: Stated) -> List[Tuple[str, str]]:
    """(capability "8.9", suffix "a"/"f"/"") of each target the message names."""
    words = str(s.fact("detail") or "")
    out = []
    for w in re.split(r"[;,\s]+", words):
        m = _TARGET.fullmatch(w.strip().lower())
        if m:
            try:
                out.append((cc_text(cc_tuple(m.group(1))), m.group(2)))
            except (ValueError, IndexError):
                continue
    return out


def _needs(ctx: RuleContext, cc: str) -> Tuple[Optional[str], Optional[str]]:
    """(first CUDA, last CUDA) that build for ``cc``; (None, None) when the table has no row."""
    row = ctx.kb.compute_capability(cc)
    if row is None or not row.first_cuda:
        return None, None
    return row.first_cuda, row.last_cuda


def _gpu_for(ctx: RuleContext, cc: str):
    return next((g for g in ctx.gpus if g.cc == cc and not g.other_ccs), None)


def _values(ctx: RuleContext, need: str) -> dict:
    """The toolkit to install: PyTorch's CUDA when it is new enough (extensions must match it), else the first that knows the GPU."""
    tv = ctx.torch_view
    cuda = str(tv.cuda.value) if tv is not None and tv.cuda is not None and tv.cuda.value else None
    want = cuda if cuda and version_at_least(cuda, need) else need
    return {"cuda_version": want, "cuda_pkg_version": want.replace(".", "-")}


def _refused(ctx: RuleContext, s: Stated, release: Optional[str], where: str) -> Optional[Finding]:
    targets = _targets(s)
    listed = s.id == "cmake_cuda_architectures_unusable"
    if listed and release is None and any(_needs(ctx, cc)[1] for cc, _ in targets):
        return None  # a list holding a dropped target: which one failed is not said
    for cc, suffix in sorted(targets, key=lambda t: cc_tuple(t[0]), reverse=True):
        first, last = _needs(ctx, cc)
        if first is None:
            continue  # not an architecture the table knows ('compute_native', a typo)
        older = bool(release) and version_at_least(release, first) is False
        # A dropped target, with a release shown that knows it and is a major or more before the drop: the
        # nvcc that ran is another, and one of that era (a distro's /usr/bin/nvcc, PATH) rather than one
        # past the drop (round 28).
        before_drop = bool(release and last and not older and not listed and _major(release) < _major(last))
        if not older and not before_drop and (last or release and listed):
            continue  # a dropped target (the toolkit may be too new for it), or one of CMake's list this release knows
        target = f"compute_{sm_name(cc)[3:]}{suffix}"
        g = _gpu_for(ctx, cc)
        gpu = f" ({g.name}'s architecture)" if g is not None and g.name else ""
        if older:
            why = (f"nvcc {release} ({where}) predates {target}{gpu}: CUDA {first} is the first toolkit that "
                   "compiles for it")
        elif suffix and release:
            why = (f"nvcc {release} knows compute_{sm_name(cc)[3:]} but not the architecture-specific {target}{gpu}, "
                   "which came with a later CUDA release")
        elif before_drop:
            why = (f"the text shows CUDA {release} ({where}), which knows {target}{gpu} and predates the release that "
                   f"dropped it (after CUDA {last}), yet the nvcc that ran refused it: another, older nvcc ran (a "
                   f"distribution's /usr/bin/nvcc, PATH, CUDA_HOME, a conda environment's nvcc); {target} needs CUDA "
                   f"{first} or newer")
        elif release:
            why = (f"the text shows nvcc {release}, which knows {target}, yet the nvcc that ran refused it: an older "
                   f"toolkit comes first (PATH, CUDA_HOME, a conda environment's nvcc); {target} needs CUDA {first} "
                   "or newer")
        else:
            why = (f"{target}{gpu} needs CUDA {first} or newer, and no toolkit since has dropped it, so the nvcc that ran "
                   f"is older than CUDA {first}")
        ev = [quote(s), ("compute_capability table: first CUDA", f"{cc}: {first}")]
        if release:
            ev.insert(1, (where, release))
        return make("cuda_toolkit_too_old_for_gpu_arch",
                    f"The build asked nvcc for {target} and nvcc refused it: {why}. Install a newer toolkit (CUDA "
                    f"{first} or later) and point the build at it, or build for an older architecture this nvcc "
                    "knows (TORCH_CUDA_ARCH_LIST, CMAKE_CUDA_ARCHITECTURES, -gencode).",
                    ev, values=_values(ctx, first), gpu=g.index if g is not None else None,
                    # nvcc's words prove it only for a target never dropped; a release shown new enough may be
                    # another nvcc's, or the one installed since the failure
                    confidence=Confidence.LIKELY if (release and not older) or (last and "words" in where)
                    else Confidence.CONFIRMED)
    return None


def _arch_list_targets(ctx: RuleContext) -> Tuple[str, Tuple[str, ...]]:
    env = ctx.facts.env.variables.get({}) or {}
    spec = str(env.get("TORCH_CUDA_ARCH_LIST") or "").strip()
    if not spec:
        return "", ()
    try:
        archs = parse_arch_list(spec.replace(",", ";"))
    except (ValueError, IndexError):
        return spec, ()
    return spec, tuple(dict.fromkeys(cc_text(cc_tuple(a)) for a in archs))


def _listed(ctx: RuleContext) -> Tuple[str, ...]:
    """The capabilities ``nvcc --list-gpu-arch`` / ``--list-gpu-code`` printed (what that nvcc knows)."""
    said = next((s for s in ctx.stated if s.id == "nvcc_list_gpu_arch"), None)
    return tuple(dict.fromkeys(cc for cc, _ in _targets(said))) if said is not None else ()


def _from_facts(ctx: RuleContext, release: Optional[str], where: str, failed: Tuple[str, str]) -> Optional[Finding]:
    """nvcc's release older than a GPU's (or a listed target's) first CUDA, or a GPU newer than
    every target nvcc lists, and a build failed."""
    known = _listed(ctx)
    spec, listed = _arch_list_targets(ctx)
    wanted = [(g.cc, g, f"{g.name or 'the GPU'} (compute capability {g.cc})")
              for g in ctx.gpus if g.cc and not g.other_ccs]
    wanted += [(cc, None, f"TORCH_CUDA_ARCH_LIST's {cc} (\"{spec}\")") for cc in listed]
    for cc, g, what in wanted:
        first, _ = _needs(ctx, cc)
        if first is None:
            continue
        if known:
            if cc in known or cc_tuple(cc) < max(cc_tuple(k) for k in known):
                continue
            names = [f"compute_{sm_name(k)[3:]}" for k in known]
            said = f"this nvcc lists no target at or above {sm_name(cc)} (nvcc --list-gpu-arch: … {', '.join(names[-3:])})"
            ev = [("nvcc --list-gpu-arch", " ".join(names))]
        elif release and version_at_least(release, first) is False:
            said = f"{'CUDA' if where == _SAID_WHERE else 'nvcc'} {release} ({where}) is older than that"
            ev = [(where, release)]
        else:
            continue
        return make("cuda_toolkit_too_old_for_gpu_arch",
                    f"{what} needs CUDA {first} or newer to compile for: {said}, and the build failed. Install "
                    f"CUDA {first} or later and point the build at it (CUDA_HOME, PATH), or build for an older "
                    "architecture this nvcc knows.",
                    ev + [(g.cc_source if g is not None else "env.TORCH_CUDA_ARCH_LIST", cc),
                          ("compute_capability table: first CUDA", f"{cc}: {first}"), failed],
                    values=_values(ctx, first), gpu=g.index if g is not None else None,
                    confidence=Confidence.LIKELY)
    return None


def toolkit_too_old_for_gpu_arch(ctx: RuleContext) -> Iterator[Finding]:
    release, where = _release(ctx)
    for s in ctx.stated:
        # asked about, or retold as another machine's, a denial or a thing of the past: not this build's (review of round 28)
        if s.id in _REFUSALS and not asked_in_sentence(s.text, s.match.text) and not not_reported(s.text, s.match.text):
            found = _refused(ctx, s, release, where)
            if found is not None:
                yield found
                return
    failed = next((s for s in ctx.stated if s.id in _FAILED_BUILDS), None)
    # else the person's words that a build of compiled CUDA code fails, its messages not shown (round 28)
    said = build_failed_said(ctx.facts) if failed is None else None
    if (failed is not None or said) and not any(s.id in _OTHER_REASONS for s in ctx.stated):
        found = _from_facts(ctx, release, where, quote(failed) if failed is not None else ("text", said))
        if found is not None:
            yield found


# The PTX assembler of a CUDA toolkit refusing the GPU at run time (XLA runs the toolkit's ptxas):
# ptxas's own refusal on a toolkit's ptxas (cuda_program.ptxas_owner), XLA's "ptxas does not
# support CC 8.9".
_PTXAS_REFUSALS = ("ptxas_unknown_gpu_name", "xla_ptxas_lacks_cc")


def _ptxas_cc(s: Stated) -> Optional[str]:
    v = str(s.fact("gpu.compute_capability") or "")
    if not v:
        return None
    try:
        return cc_text(cc_tuple(v.replace(".", "")))
    except (ValueError, IndexError):
        return None


def toolkit_ptxas_too_old_for_gpu_arch(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stated:
        if s.id not in _PTXAS_REFUSALS:
            continue
        if s.id == "ptxas_unknown_gpu_name" and ptxas_owner(s, ctx.stated) != "toolkit":
            continue
        cc = _ptxas_cc(s)
        first, last = _needs(ctx, cc) if cc else (None, None)
        if cc is None or first is None or last:
            continue  # an architecture the table does not know, or one since dropped (a toolkit too new)
        g = _gpu_for(ctx, cc)
        gpu = f" ({g.name})" if g is not None and g.name else ""
        yield make("cuda_toolkit_too_old_for_gpu_arch",
                   f"The CUDA toolkit's ptxas (the PTX assembler XLA or nvcc runs, found on PATH or under CUDA_HOME) "
                   f"does not know compute capability {cc}{gpu}: CUDA {first} is the first toolkit that compiles for "
                   f"it. Install CUDA {first} or newer and put its bin/ptxas first on PATH (JAX and TensorFlow also "
                   "ship it as the nvidia-cuda-nvcc wheel of their CUDA).",
                   [quote(s), ("compute_capability table: first CUDA", f"{cc}: {first}")],
                   values=_values(ctx, first), gpu=g.index if g is not None else None,
                   confidence=Confidence.CONFIRMED if s.id == "ptxas_unknown_gpu_name" else Confidence.LIKELY)
        return


# clang's own table (messages.toml "# --- r28k ---"): the releases that build for the target, and the one found.
_CLANG_RANGE = re.compile(r"GPU arch (sm_\d{2,3}[af]?) is supported by CUDA versions between (\d{1,2}\.\d{1,2}) and "
                          r"(\d{1,2}\.\d{1,2}) \(inclusive\), but installation at (.{0,200}?) is (\d{1,2}\.\d{1,2})")


def clang_cuda_too_old(ctx: RuleContext) -> Iterator[Finding]:
    """clang compiling CUDA finds an installation older than the first release its table gives
    for the target: the toolkit is too old for it (newer than the last: the target was dropped,
    another problem; no release printed: nothing to weigh)."""
    for s in ctx.stated:
        m = _CLANG_RANGE.search(s.match.text) if s.id == "clang_cuda_version_unsupported" else None
        if m is None or version_at_least(m.group(5), m.group(2)) is not False:
            continue
        sm, first, have = m.group(1), m.group(2), m.group(5)
        yield make("cuda_toolkit_too_old_for_gpu_arch",
                   f"clang compiles CUDA for {sm} only with CUDA {first} to {m.group(3)}, and the installation it found "
                   f"({m.group(4).strip() or 'the default'}) is CUDA {have}: too old for that GPU architecture. Install "
                   f"CUDA {first} or later and pass it with --cuda-path (or CUDA_PATH), or build for an older "
                   "architecture.",
                   [quote(s), ("clang: first CUDA for " + sm, first), ("clang: CUDA found", have)],
                   values=_values(ctx, first), confidence=Confidence.CONFIRMED)
        return


# the person's words and TensorRT's refusal (rules/toolkit_arch_said.py)
RULES = (toolkit_too_old_for_gpu_arch, toolkit_ptxas_too_old_for_gpu_arch, clang_cuda_too_old) + _SAID_RULES
