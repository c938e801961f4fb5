"""A CUDA toolkit or a TensorRT too old for the GPU, where no nvcc refusal says so
(``rules/toolkit_arch.py`` reads nvcc's own words):

* **The person's words** (``derived.toolkit_arch_said``): "CUDA 10.2 is too old for sm_86", "cuda
  11.0 does not support 8.6", "my current GPU does not support CUDA 8", "TensorRT 8.4.1.5 doesn't
  support RTX 4080's SM". The GPU is the one the sentence names as what is not supported (sm_XX,
  compute_XX, a capability, an architecture, a model: "for sm_86", "to support RTX4090"; not "FP8 on
  my 4090", "Python 3.13"), else, where the words stand for a GPU without naming one ("my current
  GPU", nothing), the text's GPUs. A CUDA claim stands only where its release (the
  sentence's, else nvcc's in the text) is older than that GPU's first CUDA in the
  compute_capability table: "my GTX 680 doesn't support CUDA 12" is a GPU too old for the toolkit,
  and "CUDA 11.7 doesn't support the 3090" is wrong, so neither is this finding. Without a release,
  only "too old / too low" said outright stands. A TensorRT claim (its support table is not in the
  knowledge base) stands for a GPU from Ampere on (first CUDA 11.0 or later: older TensorRT releases
  lack those) or with "too old / too low" said. "likely": a person's account.
* **TensorRT's own refusal** ("Assertion failed: Unsupported SM: 0x809", "Error Code 1: Internal
  Error (Unsupported SM: 0x809)", "SM version not supported in this NVRTC version", "Assertion
  major >= 0 && major < 10 failed"; messages.toml, "# --- r26k ---"): the TensorRT build has no
  kernels for the GPU's SM. The SM in hex (0x809 = 8.9), else the text's GPU, decides which way: a
  GPU from Ampere on is newer than that TensorRT (confirmed where TensorRT printed the SM); an older
  one may be one TensorRT has dropped, and stays unexplained.
"""

from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from envcheck.derived.toolkit_arch_said import ArchClaim, arch_claims
from envcheck.knowledge.archs import cc_text, cc_tuple, major_minor, version_at_least
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# Ampere's first CUDA: the TensorRT releases of the CUDA 10 era (7.x) know no GPU from here on.
_NEW_ARCH_CUDA = "11.0"
_TRT_REFUSALS = ("tensorrt_unsupported_sm", "tensorrt_sm_not_in_nvrtc", "tensorrt_sm_major_out_of_range")
# The architecture a claim's words name: "sm_86", "compute_89", "sm 120", "compute capability 8.9", "8.6".
_SM = re.compile(r"\b(?:sm|compute)[_ ]?(\d{2,3})[af]?\b", re.I)
_CC = re.compile(r"(?:capability|\bcc|算力)\s*[:=(]?\s*(\d{1,2}\.\d)\b|^\W*(?:the\s+)?(\d{1,2}\.\d)\b(?!\.\d)", re.I)
_ARCH = re.compile(r"\b(kepler|maxwell|pascal|volta|turing|ampere|ada(?:\s+lovelace)?|lovelace|hopper|blackwell)\b", re.I)
_MODEL = re.compile(r"\b(?:geforce\s+)?(?:rtx|gtx|titan|quadro|tesla)\s*-?\s*[a-z]?\s*\d{2,4}\s*(?:ti|super)?\b"
                    r"|\b(?:rtx\s*)?[ahl]\d{2,3}\b|\b\d{4}\s*(?:ti|super)?\b", re.I)


def _first(ctx: RuleContext, cc: str) -> Optional[str]:
    row = ctx.kb.compute_capability(cc)
    return row.first_cuda if row is not None and row.first_cuda else None


# What may stand before the GPU in the words after the lack, for the GPU to be what is not supported:
# "for sm_86", "to support RTX4090", "the RTX 3090", "my new card, an RTX 4090"; not "FP8 on my 4090"
# (a feature), "Python 3.13"; zh "，不支持3080" (the lack said again before the GPU; round 26 review).
_BEFORE_GPU = re.compile(r"^\W*(?:(?:for|to|support|run|on|with|by|the|my|our|this|a|an|new|current|newer|geforce|nvidia|compute|cuda"
                         r"|gpu|card|graphics|its|it|yet)\b\W*|(?:不|无法|不能)?支持\W*|对\W*)*$", re.I)
# Words after the lack that name no GPU but stand for it: "my current GPU", "the card", "it" (the
# text's GPUs are then the ones meant).
_GENERIC = re.compile(r"^\W*(?:(?:my|the|this|our|new|current|graphics|video|gpus?|cards?|hardware|it|them|yet)\b\W*)*"
                      r"(?:[,;(]|\b(?:so|and|but|because|which|when|while)\b|$)", re.I)


def _named(ctx: RuleContext, words: str) -> List[Tuple[str, str]]:
    """(capability, what named it) of the GPU or architecture ``words`` name as what is not
    supported; [] when none."""
    words = re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])(?=[A-Za-z0-9])", " ", words)  # "不支持3080": CJK runs into the model
    found = _found(ctx, words)
    return found[1] if found and _BEFORE_GPU.match(words[:found[0]]) else []


def _found(ctx: RuleContext, words: str) -> Optional[Tuple[int, List[Tuple[str, str]]]]:
    """(where, [(capability, what named it)]) of the first GPU or architecture ``words`` name."""
    out = []
    m = _SM.search(words)
    if m:
        try:
            out.append((m.start(), [(cc_text(cc_tuple(m.group(1))), m.group(0))]))
        except (ValueError, IndexError):
            pass
    m = _CC.search(words)
    if m and ctx.kb.compute_capability(m.group(1) or m.group(2)) is not None:
        out.append((m.start(), [(m.group(1) or m.group(2), m.group(0).strip())]))
    m = _ARCH.search(words)
    rows = [r for r in ctx.kb.ccs if r.first_cuda and m.group(1).lower().split()[-1] in r.arch.lower()] if m else []
    if rows:  # the architecture's earliest capability: "CUDA 11.0 doesn't support Ampere" is wrong for 8.0
        low = min(rows, key=lambda r: tuple(int(x) for x in r.first_cuda.split(".")))
        out.append((m.start(), [(low.cc, m.group(0))]))
    m = _MODEL.search(words)
    model = ctx.kb.gpu_model(re.sub(r"(?<=[a-z])(?=\d)", " ", m.group(0), flags=re.I)) if m else None  # "RTX4090"
    if model is not None and not model.other_ccs:
        out.append((m.start(), [(model.cc, m.group(0).strip())]))
    return min(out, key=lambda o: o[0]) if out else None


def _gpus(ctx: RuleContext) -> List[Tuple[str, str]]:
    return [(g.cc, g.name or g.cc_source) for g in ctx.gpus if g.cc and not g.other_ccs]


def _release(ctx: RuleContext, claim: ArchClaim) -> Tuple[Optional[str], str]:
    if claim.release:
        return claim.release, "the text's words"
    r = ctx.facts.toolkit.nvcc_version
    if r.ok and r.value:
        return major_minor(str(r.value)) or str(r.value), "toolkit.nvcc_version"
    return None, ""


def _cuda_claim(ctx: RuleContext, claim: ArchClaim, gpus: List[Tuple[str, str]]) -> Optional[Finding]:
    release, where = _release(ctx, claim)
    for cc, what in gpus:
        first = _first(ctx, cc)
        if first is None:
            continue
        if release is not None:
            if version_at_least(release, first) is not False:
                continue  # the table says this release knows the GPU: the claim is not this finding
            why = f"CUDA {release} ({where}) predates compute capability {cc} ({what}): CUDA {first} is the first that builds for it"
        elif claim.old_said:
            why = f"compute capability {cc} ({what}) needs CUDA {first} or newer"
        else:
            continue
        return make("cuda_toolkit_too_old_for_gpu_arch",
                    f"The text says the CUDA toolkit is too old for the GPU, and the table agrees: {why}. Install CUDA "
                    f"{first} or later and build with it (CUDA_HOME, PATH), or build for an older architecture this "
                    "toolkit knows.",
                    [("text", claim.quote), ("compute_capability table: first CUDA", f"{cc}: {first}")]
                    + ([(where, release)] if release and where != "the text's words" else []),
                    values={"cuda_version": first, "cuda_pkg_version": first.replace(".", "-")},
                    confidence=Confidence.LIKELY)
    return None


def _tensorrt_claim(ctx: RuleContext, claim: ArchClaim, gpus: List[Tuple[str, str]]) -> Optional[Finding]:
    for cc, what in gpus:
        first = _first(ctx, cc)
        if first is None or not (claim.old_said or version_at_least(first, _NEW_ARCH_CUDA)):
            continue
        rel = f"TensorRT {claim.release}" if claim.release else "this TensorRT"
        return make("cuda_toolkit_too_old_for_gpu_arch",
                    f"The text says {rel} does not support the GPU ({what}, compute capability {cc}, first built by CUDA "
                    f"{first}): a TensorRT release older than the GPU has no kernels for its SM. Install a TensorRT "
                    f"release that lists compute capability {cc} (with the CUDA and cuDNN it is built for).",
                    [("text", claim.quote), ("compute_capability table: first CUDA", f"{cc}: {first}")],
                    recipe=None, confidence=Confidence.LIKELY)
    return None


def toolkit_too_old_said(ctx: RuleContext) -> Iterator[Finding]:
    """A person's claim that their toolkit or TensorRT is too old for their GPU, the table agreeing."""
    for claim in arch_claims(ctx.facts):
        named = _named(ctx, claim.target)
        if not named and not (_GENERIC.match(claim.target) and (claim.release or claim.product == "tensorrt")):
            continue  # something else not supported ("FP8 on my 4090", "Python 3.13"), or too little said
        found = (_tensorrt_claim if claim.product == "tensorrt" else _cuda_claim)(ctx, claim, named or _gpus(ctx))
        if found is not None:
            yield found
            return


def _sm_hex(text: str) -> Optional[str]:
    """TensorRT's SM in hex, "0x809" → "8.9", "0xc00" → "12.0"."""
    m = re.fullmatch(r"0x([0-9a-f]{1,2})([0-9a-f]{2})", text.strip().lower())
    return f"{int(m.group(1), 16)}.{int(m.group(2), 16)}" if m else None


def tensorrt_unsupported_sm(ctx: RuleContext) -> Iterator[Finding]:
    """TensorRT's builder refusing the GPU's SM, the GPU newer than that TensorRT."""
    s = next((s for s in ctx.stated if s.id in _TRT_REFUSALS), None)
    if s is None:
        return
    printed = _sm_hex(str(s.fact("detail") or ""))
    if s.id == "tensorrt_sm_major_out_of_range":
        gpus = [(cc, what) for cc, what in _gpus(ctx) if cc_tuple(cc) >= (10, 0)] or [("10.0", "a GPU of SM 10 or later")]
    else:
        gpus = [(printed, f"SM {s.fact('detail')}")] if printed else _gpus(ctx)
    for cc, what in sorted(gpus, key=lambda g: cc_tuple(g[0]), reverse=True):
        first = _first(ctx, cc)
        if first is None or not version_at_least(first, _NEW_ARCH_CUDA):
            continue  # an older GPU: TensorRT may have dropped it rather than predate it
        yield make("cuda_toolkit_too_old_for_gpu_arch",
                   f"TensorRT has no kernels for the GPU's SM ({what}, compute capability {cc}, first built by CUDA "
                   f"{first}): this TensorRT release predates the GPU. Install a TensorRT release that lists compute "
                   f"capability {cc}, with the CUDA and cuDNN it is built for.",
                   [quote(s), ("compute_capability table: first CUDA", f"{cc}: {first}")],
                   recipe=None,
                   confidence=Confidence.CONFIRMED if printed or s.id == "tensorrt_sm_major_out_of_range"
                   else Confidence.LIKELY)
        return


RULES = (toolkit_too_old_said, tensorrt_unsupported_sm)
