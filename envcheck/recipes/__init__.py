"""Install and repair recipes: data in ``recipes/*.toml``, tailored to a machine.

``load_all()`` reads and cross-checks the recipe files; ``fill_recipe()`` fills one in for a
machine's facts; ``build_plan()`` turns the doctor's findings into one ordered list of
steps; ``remedy()`` is that plan for one finding (what the doctor prints under it).
Machine values come from :func:`values.values_for` (facts plus the advisor).
Nothing here prints or runs a command.
"""

from .conditions import FACTS, OPERATORS, Condition
from .fill import FilledRecipe, applies, fill_recipe
from .loader import Recipes, load_all
from .model import STAGES, Recipe, Step
from .plan import Plan, PlanStep, build_plan
from .remedy import DriverInstall, commands, install_driver, remedies, remedy, resolve
from .values import PLACEHOLDERS, Value, Values, advice_for, machine_values, values_for

__all__ = [
    "FACTS", "OPERATORS", "Condition", "Recipes", "load_all", "STAGES", "Recipe", "Step", "Plan", "PlanStep",
    "build_plan", "FilledRecipe", "applies", "fill_recipe", "PLACEHOLDERS", "Value", "Values", "advice_for",
    "machine_values", "values_for", "commands", "remedies", "remedy", "resolve", "install_driver",
    "DriverInstall",
]
