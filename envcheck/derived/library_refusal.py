"""Which feature a library refused an old GPU for, read from the catalogue message that says so.

One table for the two readers: rules/library_capability.py words its finding by it, and the
gpu_too_old_for_library recipe shows only the steps for the feature refused (its steps' ``when``
reads the ``refused_features`` fact, recipes/conditions.py).
"""

from __future__ import annotations

from typing import Dict, Optional

from envcheck.derived.messages import stated
from envcheck.facts import Facts
from envcheck.reading import Reading

# message id -> the feature refused (the recipe's step names it)
FEATURE: Dict[str, str] = {
    "inductor_gpu_too_old_for_triton": "torch_compile",
    "inductor_gpu_too_old_for_triton_cut": "torch_compile",
    "vllm_gpu_below_cc70": "build_for_old_gpu",
    "vllm_bfloat16_needs_cc80": "bfloat16",
    "torch_autocast_bf16_unsupported": "bfloat16",
    "transformers_bf16_needs_ampere": "bfloat16",
    "xformers_bf16_needs_a100": "bfloat16",
    "transformers_tf32_needs_ampere": "tf32",
    "vllm_quantization_capability": "quantization",
    "flash_attn_needs_ampere": "flash_attn",
    "torch_sdpa_flash_arch_range": "sdpa_flash",
}


def feature_of(message_id: str) -> Optional[str]:
    return FEATURE.get(message_id)


def refused_features(facts: Facts) -> Reading:
    """The features the text's messages say a library refused the GPU for; unknown when none says
    so (a live machine, a recipe shown alone: every step then stands, each with its "only if")."""
    found = {FEATURE[s.id] for s in stated(facts) if s.id in FEATURE}
    return Reading.of(tuple(sorted(found))) if found else Reading.unknown()
