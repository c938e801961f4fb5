"""Every rule envcheck runs, in one explicit tuple (like ``explain.parsers.PARSERS``).

A new rule is a function in one of the rule modules and a line in that module's
``RULES``; a new rule module is a line here. Nothing registers itself on import, so
the engine imports no rule module and the rule modules only import the engine.
"""

from __future__ import annotations

from typing import Iterable, Optional, Tuple

from ..facts import Facts
from . import (
    arm_wheel_sigill,
    build_arch_flags,
    clock_settings,
    codec_deps,
    compat,
    container_reload_repro,
    container_request_unmet,
    cuda_env,
    cudnn_engine,
    driver_claims,
    driver_older_program,
    driver_versions,
    extension_arch,
    extension_builds,
    extension_said,
    failures,
    framework_build,
    framework_packages,
    health,
    held_memory,
    hosting,
    installer_signing,
    interconnect,
    jax_paths,
    kernel_signals,
    libraries,
    library_capability,
    library_dialogs,
    linking,
    llm_stack,
    nccl_runtime,
    own_kernel_site,
    platform,
    ptx_jit,
    python_env,
    tool_output,
    toolkit_arch,
    torch_arch_said,
    torch_health,
    unresponsive,
    upstream,
    uv_platform,
    uvm_hmm,
    versions,
    wheel_gap,
    wsl_loader,
    wsl_windows,
    xid_memory,
)
from .engine import Evaluation, RuleFunc, run_rules

# upstream comes last: where a rule that reads the facts says the same, its finding is kept (engine.merge).
RULES: Tuple[RuleFunc, ...] = (platform.RULES + hosting.RULES + container_request_unmet.RULES + container_reload_repro.RULES + health.RULES + torch_health.RULES + cuda_env.RULES + compat.RULES + torch_arch_said.RULES + versions.RULES
                               + python_env.RULES + wheel_gap.RULES + uv_platform.RULES + framework_packages.RULES + driver_claims.RULES + driver_versions.RULES
                               + linking.RULES + jax_paths.RULES + extension_arch.RULES + extension_said.RULES + build_arch_flags.RULES + libraries.RULES + library_dialogs.RULES + wsl_loader.RULES + wsl_windows.RULES
                               + failures.RULES + kernel_signals.RULES + tool_output.RULES
                               + interconnect.RULES + unresponsive.RULES + xid_memory.RULES + held_memory.RULES + clock_settings.RULES + installer_signing.RULES
                               + nccl_runtime.RULES + own_kernel_site.RULES + framework_build.RULES + toolkit_arch.RULES
                               + extension_builds.RULES
                               + llm_stack.RULES
                               + library_capability.RULES
                               + driver_older_program.RULES + ptx_jit.RULES + cudnn_engine.RULES
                               + arm_wheel_sigill.RULES + codec_deps.RULES + uvm_hmm.RULES
                               + upstream.RULES)


def evaluate(facts: Facts, rules: Optional[Iterable[RuleFunc]] = None, kb: object = None) -> Evaluation:
    """Run ``rules`` (every rule by default) over ``facts``; see :func:`engine.run_rules`."""
    return run_rules(facts, RULES if rules is None else rules, kb)
