"""A GPU below the compute capability a library requires by design, while torch runs on it.

Some libraries and features refuse a GPU that torch itself uses fine, because the hardware
lacks what they are built on (messages.toml, block r13old, and the entries it gives this
finding): torch.compile's Inductor generates Triton kernels, which need compute capability
7.0; bfloat16 (vLLM's dtype check, torch.autocast, transformers' TrainingArguments), TF32
and flash-attn 2 need Ampere (8.0); vLLM's quantized kernels name their own minimum (FP8
8.9/9.0, Marlin 8.0); vLLM's early setup.py refused anything below 7.0. The fix is the
library's, not the stack's: turn the feature off (eager mode, float16, SDPA or flash-attn
1.x, another quantization) or use a newer GPU.

* **The library's own refusal** naming the requirement (decisive in the catalogue; flash-attn 2's
  probable): confirmed with the GPU's capability from the message, else from the GPU the text
  shows; likely when neither gives one; a refusal that names no capability beside a GPU new
  enough is the library's build predating the GPU (flash-attn 2 on Blackwell), not this finding.
* **transformers' bf16/tf32 check** (probable): the same check fails with a CPU-only torch or
  no visible GPU, so the GPU the text shows decides. Below 8.0: the finding (likely when the
  GPU is only named in prose); 8.0 or newer, or a CPU-only torch: not this finding; no GPU in
  the text: likely. (``upstream`` leaves this finding to this module: its ``_WEIGHED``.)
* **torch's SDPA**: "Flash attention only supports gpu architectures in the range [sm80, …]" with
  "No available kernel. Aborting execution." is this finding as likely; the warning alone is a
  slower fallback.
* **xFormers' operator reasons** (supporting): "bf16 is only supported on A100+ GPUs" (every
  operator refuses bfloat16 before Ampere) is this finding as likely, unless xFormers also says
  it was built without CUDA (another finding, r12ext's); "(too old)" alone is one operator's
  refusal while another may refuse for the shape: a ranked cause only.

Kept apart from gpu_arch_too_old_for_torch_build (torch's own wheel dropped the
architecture: torch cannot run at all), extension_built_without_gpu_arch (an extension
compiled without the architecture: a rebuild fixes it) and cuda_toolkit_too_old_for_gpu_arch
(an nvcc too old for a new GPU). TensorFlow's and Ollama's minimum capability is their
build's architecture list, so it stays with the build findings.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional, Tuple

from envcheck.derived.library_refusal import feature_of
from envcheck.derived.messages import Stated
from envcheck.knowledge.archs import cc_text, cc_tuple
from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

# message id -> (the library or feature, the capability it needs; None: read from the message)
_REFUSALS = {
    "inductor_gpu_too_old_for_triton": ("torch.compile (Inductor's Triton backend)", "7.0"),
    "inductor_gpu_too_old_for_triton_cut": ("torch.compile (Inductor's Triton backend)", "7.0"),
    "vllm_gpu_below_cc70": ("vLLM's source build (setup.py)", "7.0"),
    "vllm_bfloat16_needs_cc80": ("vLLM's bfloat16 dtype", "8.0"),
    "vllm_quantization_capability": ("vLLM's quantized kernels", None),
    "flash_attn_needs_ampere": ("flash-attn 2", "8.0"),
    "torch_autocast_bf16_unsupported": ("torch.autocast with bfloat16", "8.0"),
}
# Refusals that other causes print too: the GPU the text shows decides.
_WEIGHED = {
    "transformers_bf16_needs_ampere": ("transformers' bf16 training (TrainingArguments)", "8.0"),
    "transformers_tf32_needs_ampere": ("transformers' TF32 mode (TrainingArguments)", "8.0"),
}
_XFORMERS = ("xformers_op_gpu_too_old", "xformers_bf16_needs_a100")
_XFORMERS_NOT_BUILT = "xformers_op_not_built_with_cuda"

# What to turn off, in words, by the feature the message names (derived.library_refusal): the
# commands are the recipe's, in the steps gated on the same feature.
_ADVICE = {
    "torch_compile": "run without torch.compile (turn off the program's compile option, or TorchDynamo itself)",
    "bfloat16": "use float16 instead of bfloat16 (the program's dtype or precision setting)",
    "tf32": "turn TF32 off (the program's tf32 setting)",
    "flash_attn": "use PyTorch's SDPA or eager attention instead of flash-attn 2, or flash-attn 1.x",
    "sdpa_flash": "let scaled_dot_product_attention choose its kernel instead of forcing the flash one",
    "quantization": "use another quantization (or the unquantized model) on this GPU",
    "build_for_old_gpu": "build with only the newer GPUs visible, or on a Volta or newer GPU",
}
_MINIMUM = re.compile(r"Minimum capability: (\d{2,3})")
_XF_CAPS = re.compile(r"capability >?=? ?\((\d{1,2}), (\d)\) but your GPU has capability \((\d{1,2}), (\d)\)")


def _fix(message_id: str) -> str:
    return _ADVICE.get(feature_of(message_id) or "", "turn the feature off")


def _cc(text: object) -> Optional[str]:
    try:
        return cc_text(cc_tuple(str(text)))
    except (ValueError, IndexError, TypeError):
        return None


def _gpu(ctx: RuleContext) -> Tuple[Optional[str], Optional[str], bool]:
    """(name, capability, only a person's words) of the oldest GPU the text shows with one known capability."""
    known = [g for g in ctx.gpus if g.cc and not g.other_ccs]
    if not known:
        return None, None, False
    g = min(known, key=lambda g: cc_tuple(g.cc))
    return g.name, g.cc, g.stated


def _below(cc: str, need: str) -> bool:
    return cc_tuple(cc) < cc_tuple(need)


def _say(library: str, need: Optional[str], name: Optional[str], cc: Optional[str], message_id: str) -> str:
    gpu = f"the {name}" if name else "this GPU"
    have = f" (compute capability {cc})" if cc else ""
    wants = f"a GPU of compute capability {need} or newer" if need else "a newer GPU"
    return (f"{library} needs {wants}, and {gpu}{have} is older. torch itself runs "
            f"on it: only this library refuses it, by design. On this GPU, {_fix(message_id)}; otherwise use a newer GPU.")


def refused_by_library(ctx: RuleContext) -> Iterator[Finding]:
    for s in ctx.stated:
        if s.id not in _REFUSALS:
            continue
        library, need = _REFUSALS[s.id]
        if need is None:
            m = _MINIMUM.search(s.text)
            need = _cc(m.group(1)) if m else None
        said = _cc(s.fact("gpu.compute_capability"))
        name, cc, _ = _gpu(ctx)
        if said is None and cc is not None and need is not None and not _below(cc, need):
            # a GPU new enough refused all the same: the library's build predates it (flash-attn 2's
            # "Ampere or newer" on a Blackwell card is is_sm8x || is_sm90 failing), another problem
            continue
        cc = said or cc
        name = str(s.fact("gpu.name") or "") or name
        # without the GPU's capability the refusal is not checked: flash-attn 2's "Ampere or newer"
        # is printed for a Blackwell GPU too by the releases that predate it
        yield make("gpu_too_old_for_library", _say(library, need, name, cc, s.id),
                   [quote(s)] + ([("gpu.compute_capability", cc)] if cc else []),
                   confidence=Confidence.CONFIRMED if cc else Confidence.LIKELY)
        return


def _weighed(ctx: RuleContext, s: Stated) -> Optional[Finding]:
    library, need = _WEIGHED[s.id]
    tv = ctx.torch_view
    if tv is not None and tv.is_cpu:
        return None  # a CPU-only torch fails the same check: torch_cpu_only_build
    name, cc, stated = _gpu(ctx)
    if cc is None:
        # no GPU in the text: the usual cause by far, but not checked
        return make("gpu_too_old_for_library",
                    f"Likely: {library} refused the GPU ({quote(s)[1]}); it needs compute capability {need} or newer, "
                    f"and a pre-Ampere GPU (V100, T4, RTX 20xx) is the usual reason (a CPU-only torch fails the same "
                    f"check). The text does not show the GPU. To run on it, {_fix(s.id)}.",
                    [quote(s)], confidence=Confidence.LIKELY)
    if not _below(cc, need):
        return None  # a GPU new enough: another cause
    return make("gpu_too_old_for_library", _say(library, need, name, cc, s.id),
                [quote(s), ("gpu.compute_capability", cc)],
                confidence=Confidence.LIKELY if stated else Confidence.CONFIRMED)


def weighed_against_the_gpu(ctx: RuleContext) -> Iterator[Finding]:
    said = [s for s in ctx.stated if s.id in _WEIGHED]
    for s in said:
        f = _weighed(ctx, s)
        if f is not None:
            yield f
            return


_SDPA_RANGE = re.compile(r"range \[sm(\d{2,3}), sm\d{2,3}\]")


def sdpa_flash_refused(ctx: RuleContext) -> Iterator[Finding]:
    """torch's SDPA: the flash kernel's architecture range beside "No available kernel" (the flash
    backend was asked for, or nothing else could run); the warning alone is a slower fallback."""
    arch = [s for s in ctx.stated if s.id == "torch_sdpa_flash_arch_range"]
    if not arch or not any(s.id == "torch_sdpa_no_available_kernel" for s in ctx.stated):
        return
    s = arch[0]
    m = _SDPA_RANGE.search(s.text)
    need = _cc(m.group(1)) if m else "8.0"
    cc = _cc(s.fact("gpu.compute_capability"))
    if cc is None or need is None or not _below(cc, need):
        return
    name, _, _ = _gpu(ctx)
    yield make("gpu_too_old_for_library", _say("torch's flash attention kernel (scaled_dot_product_attention)", need,
                                               name, cc, s.id),
               [quote(s), ("gpu.compute_capability", cc)], confidence=Confidence.LIKELY)


def xformers_operators_refused(ctx: RuleContext) -> Iterator[Finding]:
    """Only with "bf16 is only supported on A100+ GPUs": every operator refuses bfloat16 before
    Ampere, so no operator can run. "(too old)" alone is the flash operator's refusal; another
    (cutlass) may refuse for the shape (a head dimension over its limit), a cause this is not."""
    said = [s for s in ctx.stated if s.id in _XFORMERS]
    if (not any(s.id == "xformers_bf16_needs_a100" for s in said)
            or any(s.id == _XFORMERS_NOT_BUILT for s in ctx.stated)):
        return
    s = next((s for s in said if s.id == "xformers_op_gpu_too_old"), said[0])
    m = _XF_CAPS.search(s.text)
    need = f"{m.group(1)}.{m.group(2)}" if m else "8.0"
    name, cc, _ = _gpu(ctx)
    cc = f"{m.group(3)}.{m.group(4)}" if m else cc
    if cc is not None and not _below(cc, "8.0"):
        return  # a newer operator (fa3 on an Ampere GPU) refused; the others may run
    yield make("gpu_too_old_for_library", _say("xFormers (its attention operators)", need, name, cc,
                                               "xformers_bf16_needs_a100"),
               [quote(x) for x in said[:2]], confidence=Confidence.LIKELY)


RULES = (refused_by_library, weighed_against_the_gpu, xformers_operators_refused, sdpa_flash_refused)
