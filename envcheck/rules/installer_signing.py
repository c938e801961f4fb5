"""nvidia-installer's refusals of an unsigned or untrusted module (its ``ignore_load_error``):
its Secure Boot sentence, "The signed kernel module failed to load because the kernel does not
trust any key …" and "The kernel module failed to load because it was not signed by a key that
is trusted by the kernel".

The messages name no module, so ``platform``'s rule, which weighs refusals against the facts,
does not count them alone; the installer tested the load itself, so each is the finding on its own.
"""

from __future__ import annotations

from typing import Iterator

from envcheck.rules.compat import quote
from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Finding

_REFUSALS = ("nvidia_installer_secure_boot_refused", "nvidia_installer_signed_module_untrusted",
             "nvidia_installer_module_not_signed")


def installer_module_signature_refused(ctx: RuleContext) -> Iterator[Finding]:
    said = next((s for s in ctx.stated if s.id in _REFUSALS), None)
    if said is None or ctx.facts.nvml.init.ok:  # the driver answers: the refusal was fixed since
        return
    yield make("driver_not_loaded_secure_boot",
               "The NVIDIA installer's test load of its kernel module failed because the kernel trusts no key that "
               "verifies the module's signature (the kernel enforces signed modules: Secure Boot). Run the installer "
               "again and let it sign the module, then enroll the signing key (`sudo mokutil --import <key>.der`, "
               "and accept it at the MOK prompt on reboot); or use the distribution's signed driver packages, or "
               "turn Secure Boot off.", [quote(said)])


RULES = (installer_module_signature_refused,)
