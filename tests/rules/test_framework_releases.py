"""framework_packages_mismatched: JAX's packages at different releases, from JAX's and XLA's own
checks (rules/upstream.py)."""

import pytest

from envcheck.explain import diagnose, source


def _found(text):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f for f in report.findings}, report.verdict


@pytest.mark.parametrize("text", [
    "RuntimeError: jaxlib version 0.4.31 is newer than and incompatible with jax version 0.4.20. Please update your "
    "jax and/or jaxlib packages.",
    "RuntimeError: jaxlib is version 0.4.7, but this version of jax requires version >= 0.4.14.",
    "/usr/lib/python3.12/site-packages/jaxlib/plugin_support.py:71: RuntimeWarning: JAX plugin jax_cuda12_plugin "
    "version 0.7.2 is installed, but it is not compatible with the installed jaxlib version 0.7.1, so it will not be used.",
    "RuntimeError: Unable to initialize backend 'cuda': INVALID_ARGUMENT: Mismatched PJRT plugin PJRT API version "
    "(0.54) and framework PJRT API version 0.51). (you may need to uninstall the failing plugin package, or set "
    "JAX_PLATFORMS=cpu to skip this backend.)",
])
def test_jaxs_own_messages_confirm_it(text):
    found, verdict = _found(text)
    f = found["framework_packages_mismatched"]
    assert f.severity.value == "error" and f.confidence.value == "confirmed"
    assert verdict == "error"


_LIST = """$ pip list | grep jax
jax                      {jax}
jaxlib                   {jaxlib}
jax-cuda12-plugin        {plugin}
jax-cuda12-pjrt          {plugin}
numpy                    1.26.4
scipy                    1.13.1
flax                     0.8.5
optax                    0.2.3
"""


@pytest.mark.parametrize("text", [
    _LIST.format(jax="0.4.30", jaxlib="0.4.30", plugin="0.4.30"),
    # a package listing alone is not judged: its rows may be older than an upgrade shown beside them
    # (a pip list, then "Successfully installed jax-0.4.31 jaxlib-0.4.31 …"), and package facts keep no order
    _LIST.format(jax="0.4.20", jaxlib="0.4.31", plugin="0.4.31"),
    _LIST.format(jax="0.4.30", jaxlib="0.4.30", plugin="0.4.31"),
    "Make sure jax and jaxlib are the same version; a newer jaxlib than jax fails at import.",
])
def test_listings_and_advice_say_nothing(text):
    found, _ = _found(text)
    assert "framework_packages_mismatched" not in found
