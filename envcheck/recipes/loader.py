"""Find, load and cross-check the recipe files.

Recipes live in ``recipes/*.toml`` at the top of the source tree. An installed
envcheck looks, in order, at ``$ENVCHECK_RECIPES``, the source tree beside the
package, and ``share/envcheck/recipes`` under the install scheme's data path (where a
wheel puts data files: the venv's prefix, or ``~/.local`` for ``pip install --user``).
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from envcheck.datafile import read_toml
from envcheck.errors import EnvcheckError, SetupError
from envcheck.recipes.model import Recipe, Step, parse_recipe
from envcheck.recipes.values import PLACEHOLDERS


def recipe_dirs() -> List[Path]:
    dirs = []
    if os.environ.get("ENVCHECK_RECIPES"):
        dirs.append(Path(os.environ["ENVCHECK_RECIPES"]))
    dirs.append(Path(__file__).resolve().parents[2] / "recipes")  # a source checkout / editable install
    # A wheel installs recipes/*.toml as data files under the install scheme's data path:
    # sys.prefix in a venv, ~/.local for `pip install --user`.
    for scheme in (None, f"{os.name}_user"):
        try:
            data = sysconfig.get_path("data", scheme) if scheme else sysconfig.get_path("data")
        except KeyError:
            continue
        d = Path(data) / "share" / "envcheck" / "recipes"
        if d not in dirs:
            dirs.append(d)
    return dirs


def default_dir() -> Path:
    for d in recipe_dirs():
        if d.is_dir() and any(d.glob("*.toml")):
            return d
    raise SetupError("no recipes found (looked in " + ", ".join(str(d) for d in recipe_dirs())
                     + "); set ENVCHECK_RECIPES to the recipes/ folder of an envcheck checkout")


@dataclass(frozen=True)
class Recipes:
    by_id: Dict[str, Recipe]
    directory: Path

    def __iter__(self):
        return iter(sorted(self.by_id.values(), key=lambda r: (r.stage_rank, r.id)))

    def __contains__(self, rid: object) -> bool:
        return rid in self.by_id

    def __len__(self) -> int:
        return len(self.by_id)

    def get(self, rid: str) -> Recipe:
        if rid in self.by_id:
            return self.by_id[rid]
        close = difflib.get_close_matches(rid, list(self.by_id), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "see `envcheck recipe list`"
        raise EnvcheckError(f"unknown recipe {rid!r}: {hint}")


def _read(path: Path) -> Recipe:
    try:
        data = read_toml(path, error=EnvcheckError)
    except UnicodeDecodeError as exc:
        raise EnvcheckError(f"{path}: cannot read: {exc}") from None
    recipe = parse_recipe(data, path.name)
    if recipe.id != path.stem:
        raise EnvcheckError(f"{path.name}: id {recipe.id!r} differs from the file name")
    return recipe


def _check_references(recipes: Dict[str, Recipe]) -> None:
    from envcheck.rules.catalogue import CATALOGUE

    for r in recipes.values():
        refs = [("after", x) for x in r.after] + [("also", x.recipe) for x in r.also]
        refs += [("instead", x.recipe) for x in r.instead] + [("include", s.include) for s in r.steps if s.include]
        for kind, target in refs:
            if target not in recipes:
                raise EnvcheckError(f"{r.path}: {kind} names unknown recipe {target!r}")
            if target == r.id:
                raise EnvcheckError(f"{r.path}: {kind} names the recipe itself")
        for rid in r.after:
            if recipes[rid].stage_rank > r.stage_rank:
                raise EnvcheckError(f"{r.path}: after {rid!r}, which belongs to the later stage "
                                    f"{recipes[rid].stage!r}")
        for fid in r.verify.clears:
            if fid not in CATALOGUE:
                raise EnvcheckError(f"{r.path}: verify.clears names unknown finding {fid!r}")
        for name in r.placeholders():
            if name not in PLACEHOLDERS and name not in r.defaults:
                raise EnvcheckError(f"{r.path}: unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})")
    _check_acyclic(recipes, lambda r: r.after, "after")
    _check_acyclic(recipes, lambda r: [s.include for s in r.steps if s.include], "include")


def _check_acyclic(recipes: Dict[str, Recipe], edges, kind: str) -> None:
    state: Dict[str, int] = {}  # 1 visiting, 2 done

    def visit(rid: str, trail: Tuple[str, ...]) -> None:
        if state.get(rid) == 2:
            return
        if state.get(rid) == 1:
            raise EnvcheckError(f"recipes: {kind} cycle {' -> '.join(trail + (rid,))}")
        state[rid] = 1
        for nxt in edges(recipes[rid]):
            visit(nxt, trail + (rid,))
        state[rid] = 2

    for rid in sorted(recipes):
        visit(rid, ())


def load_all(directory: Optional[Path] = None) -> Recipes:
    """Every recipe of ``directory`` (the packaged ones by default), read and checked. Kept
    while the files are unchanged: a report renders a recipe per finding, and reading fifty
    TOML files each time cost more than the whole diagnosis."""
    d = Path(directory) if directory is not None else default_dir()
    if not d.is_dir():
        raise SetupError(f"{d}: recipe folder not found")
    paths = sorted(d.glob("*.toml"))
    try:
        signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths)
    except OSError:  # a file vanished while we looked: read what is there now
        return _load(d, tuple(sorted(d.glob("*.toml"))))
    return _cached(d, tuple(paths), signature)


@functools.lru_cache(maxsize=8)
def _cached(d: Path, paths: Tuple[Path, ...], signature: tuple) -> Recipes:
    return _load(d, paths)


def _load(d: Path, paths: Tuple[Path, ...]) -> Recipes:
    recipes: Dict[str, Recipe] = {}
    for path in paths:
        r = _read(path)
        recipes[r.id] = r
    if not recipes:
        raise SetupError(f"{d}: no recipe files (*.toml)")
    _check_references(recipes)
    return Recipes(recipes, d)


def expand(recipes: Recipes, recipe: Recipe) -> Iterator[Tuple[Recipe, Step]]:
    """``(owner, step)`` for every step, with ``include`` entries replaced by the steps
    of the included recipe (the include's own ``when`` applies to all of them)."""
    for step in recipe.steps:
        if not step.include:
            yield recipe, step
            continue
        for owner, s in expand(recipes, recipes.get(step.include)):
            yield owner, dataclasses.replace(s, when=step.when + s.when) if step.when else s


def uses_placeholder(recipes: Recipes, recipe: Recipe, name: str) -> bool:
    """Does ``recipe`` (or a recipe it includes) use ``{name}`` anywhere in its text?"""
    owners = {owner.id: owner for owner, _ in expand(recipes, recipe)}
    return any(name in owner.placeholders() for owner in owners.values())
