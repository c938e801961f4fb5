"""``envcheck recipe list|show`` and ``envcheck plan``: recipes tailored to a machine.

These commands print steps; they never run one.
"""

from __future__ import annotations

import sys
from typing import Tuple

import click

from envcheck import exitcodes
from envcheck.cli.common import plain_format_options
from envcheck.cli.machine import facts_option, probe_options, read_machine
from envcheck.facts import Facts


def _source(facts: Facts) -> str:
    if facts.source == "snapshot":
        return f"snapshot taken {facts.collected_at}" if facts.collected_at else "snapshot"
    return "this machine" if facts.source == "live" else facts.source


def _emit(text: str) -> None:
    click.echo(text, nl=False)


def _finish(failures: Tuple[str, ...]) -> None:
    """Report envcheck's own failures (a probe or rule that raised) and exit 3 for them."""
    for f in failures:
        click.echo(f"envcheck bug (please report): {f}", err=True)
    sys.exit(exitcodes.FAILED if failures else exitcodes.OK)


@click.group(epilog=exitcodes.epilog())
def recipe() -> None:
    """List and show install/repair recipes, tailored to this machine.

    Recipes are read from recipes/*.toml. `envcheck recipe show ID` fills in this
    machine's distribution, driver branch, CUDA variant and Python.
    """


@recipe.command("list", epilog=exitcodes.epilog())
@plain_format_options
@facts_option("Judge the recipes for")
def list_recipes(fmt, facts_file) -> None:
    """Every recipe, and whether it applies to this machine (yes / no / unknown)."""
    from envcheck.recipes import applies, load_all, output

    recipes = load_all()
    machine = read_machine(facts_file)
    rows = [(r, applies(r, machine.facts)) for r in recipes]
    _emit({"json": output.list_json, "markdown": output.list_markdown}.get(fmt or "", output.list_text)(rows))
    _finish(machine.failures)


@recipe.command("show", epilog=exitcodes.epilog())
@click.argument("recipe_id")
@plain_format_options
@facts_option("Fill the recipe in for")
def show(recipe_id, fmt, facts_file) -> None:
    """One recipe, filled in for this machine: values filled in, steps, verify, undo, sources."""
    from envcheck.recipes import fill_recipe, load_all, output, values_for

    recipes = load_all()
    target = recipes.get(recipe_id)  # an unknown id fails here, before any probing
    machine = read_machine(facts_file)
    filled = fill_recipe(recipes, target, machine.facts, values_for(machine.facts))
    _emit({"json": output.show_json, "markdown": output.show_markdown}.get(fmt or "", output.show_text)(filled))
    _finish(machine.failures)


@click.command(epilog=exitcodes.epilog())
@plain_format_options
@facts_option("Plan for")
@probe_options
def plan(fmt, facts_file, python, no_torch, torch_timeout) -> None:
    """The doctor's findings as one ordered list of steps (it never runs them).

    Steps come from the recipes the findings name, in dependency order (nouveau off,
    driver, one reboot, container toolkit, PyTorch), without duplicates, each marked
    when it needs root, followed by what to re-run to verify.
    """
    from envcheck.recipes import build_plan, load_all, output, values_for
    from envcheck.rules import evaluate

    recipes = load_all()
    machine = read_machine(facts_file, torch=True, python=python, no_torch=no_torch, torch_timeout=torch_timeout)
    facts = machine.facts
    ev = evaluate(facts)
    the_plan = build_plan(recipes, facts, ev.findings, values_for(facts))
    failures = machine.failures + ev.failures
    source = _source(facts)
    _emit({"json": output.plan_json, "markdown": output.plan_markdown}.get(fmt or "", output.plan_text)(
        the_plan, source))
    _finish(failures)
