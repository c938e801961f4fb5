"""A framework's own packages at different releases, read from the package facts.

JAX is four pip packages that must be one release: ``jax`` (Python), ``jaxlib`` (the compiled
core) and, for NVIDIA GPUs, ``jax-cudaNN-plugin`` and ``jax-cudaNN-pjrt``. jax's import refuses a
jaxlib newer than itself (``jax/_src/lib/__init__.py``, ``check_jaxlib_version``: "jaxlib version
X is newer than and incompatible with jax version Y"), and jaxlib does not load a CUDA plugin of
another release (``jaxlib/plugin_support.py``: "JAX plugin … is not compatible with the installed
jaxlib version …, so it will not be used"; from 0.4.32 a plugin of another PJRT API crashes
instead). pip does not keep them in step when another package pins ``jax`` alone.

Those messages are catalogued and give the finding themselves (``rules/upstream.py``); this rule
gives it from a package listing that shows the releases apart, where the import's own words are
not in the text. The comparison is on the release numbers (``0.4.20+cuda12.cudnn89`` is 0.4.20).
jaxlib newer than jax is jax's own check, so it stands as the listing shows it; a plugin of
another release than jaxlib is `likely` (a development build's plugin may differ in its last digit).
"""

from __future__ import annotations

import re
from typing import Dict, Iterator, Optional, Tuple

from envcheck.rules.engine import RuleContext, make
from envcheck.rules.finding import Confidence, Finding

FINDING = "framework_packages_mismatched"
_PLUGIN = re.compile(r"jax-cuda\d{2}-(?:plugin|pjrt)")
_RELEASE = re.compile(r"\d+(?:\.\d+)*")


def _release(version: str) -> Optional[Tuple[int, ...]]:
    """The dotted release numbers a version starts with, as jax's own check reads them."""
    m = _RELEASE.match(version or "")
    return tuple(int(x) for x in m.group(0).split(".")) if m else None


def jax_packages_apart(ctx: RuleContext) -> Iterator[Finding]:
    installed: Dict[str, str] = {p.name: p.version for p in ctx.facts.python.packages.get(()) or ()}
    jaxlib = _release(installed.get("jaxlib", ""))
    if jaxlib is None:
        return
    jax = _release(installed.get("jax", ""))
    if jax is not None and jaxlib > jax:
        yield make(FINDING,
                   f"jaxlib {installed['jaxlib']} is a newer release than jax {installed['jax']}: jax refuses a newer "
                   "jaxlib when it is imported (\"jaxlib version … is newer than and incompatible with jax version …\"), "
                   "so JAX does not start at all.",
                   [("python.packages", [f"jax=={installed['jax']}", f"jaxlib=={installed['jaxlib']}"])])
        return
    apart = sorted(n for n, v in installed.items() if _PLUGIN.fullmatch(n) and _release(v) not in (None, jaxlib))
    if apart:
        rows = [f"jaxlib=={installed['jaxlib']}"] + [f"{n}=={installed[n]}" for n in apart]
        yield make(FINDING,
                   f"{', '.join(apart)} {'is' if len(apart) == 1 else 'are'} not the release of jaxlib "
                   f"{installed['jaxlib']}: jaxlib does not use a CUDA plugin built for another release, so JAX runs "
                   "on the CPU (plugins from 0.4.32 on crash instead).",
                   [("python.packages", rows)], confidence=Confidence.LIKELY)


RULES = (jax_packages_apart,)
