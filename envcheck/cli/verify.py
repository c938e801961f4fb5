"""``envcheck verify``: wiring only (the work is in ``envcheck/verify/``)."""

from __future__ import annotations

import importlib.util
import json
import sys

import click

from envcheck import devices, exitcodes
from envcheck.cli.common import progress
from envcheck.envelope import wrap
from envcheck.errors import EnvcheckError, SetupError

DTYPE_CHOICES = ("fp32", "tf32", "bf16", "fp16", "all")


def _need_extra() -> None:
    """numpy (the float64 reference) and torch come with the bench extra, as for bench and burn."""
    missing = [m for m in ("torch", "numpy") if importlib.util.find_spec(m) is None]
    if missing:
        raise SetupError(f"envcheck verify needs {' and '.join(missing)}: pip install 'envcheck[bench]' "
                         "(`envcheck advise` says which torch build fits this machine)")


def _run(device: str, dtype: str, quick: bool, seed: int):
    _need_extra()
    from envcheck.probes.host import cpu_flags
    from envcheck.verify import run
    from envcheck.verify.tolerances import CLI_DTYPES

    dtypes = CLI_DTYPES if dtype == "all" else (dtype,)
    progress(f"envcheck verify: {'quick subset' if quick else 'full sweep'} on {device}, {', '.join(dtypes)}…")
    result = run(device, dtypes, seed=seed, quick=quick, cpu_flags=cpu_flags().get(()))
    if not result.checked and not result.failures:
        why = "; ".join(f"{s.dtype} on {s.device}: {s.reason}" for s in result.skipped) or \
            "torch has no kernel for any requested check"
        raise SetupError(f"nothing to check ({why})")
    return result


@click.command(epilog=exitcodes.epilog())
@click.option("--device", default="cpu,all", show_default=True,
              help=devices.HELP + ". The default checks the CPU and every GPU.")
@click.option("--dtype", type=click.Choice(DTYPE_CHOICES), default="fp32", show_default=True,
              help="Precision to check; all = fp32, tf32, bf16 and fp16 (tf32 only on Ampere or newer GPUs).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout: the verdict and every check.")
@click.option("--quick", is_flag=True, help="Only the fast subset (six cases, one of each code path).")
@click.option("--seed", type=click.IntRange(0), default=0, show_default=True,
              help="Seed of the random inputs (each case draws fresh ones from it).")
def verify(device: str, dtype: str, as_json: bool, quick: bool, seed: int) -> None:
    """Check convolution and pooling arithmetic on this device against a float64 reference.

    Runs torch's convolution (forward, input/weight/bias gradients), transposed
    convolution, max and average pooling over the seed examples and an all-pairs
    sweep of kernel size, stride, padding, dilation, groups, channels and batch, and
    compares each with an independent NumPy implementation of the definitions.

    """
    try:
        result = _run(device, dtype, quick, seed)
    except EnvcheckError as exc:
        if as_json:  # a script reading stdout gets a document, not silence
            click.echo(json.dumps(wrap("envcheck.verify", {"passed": None, "exit_code": exc.exit_code,
                                                            "error": str(exc)}), indent=2))
        raise
    from envcheck.verify.text import render_text, to_document

    if as_json:
        click.echo(json.dumps(to_document(result), indent=2))
    else:
        click.echo(render_text(result), nl=False)
    sys.exit(exitcodes.OK if result.passed else exitcodes.PROBLEMS)
