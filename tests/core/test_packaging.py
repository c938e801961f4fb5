"""The wheel carries every module, knowledge table and recipe of the source tree.

Built offline with the installed setuptools (no build isolation, so no network).
"""

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _setuptools_ok() -> bool:
    if importlib.util.find_spec("setuptools") is None:
        return False
    import setuptools
    from packaging.version import Version

    return Version(setuptools.__version__) >= Version("64")


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory):
    if not _setuptools_ok():
        pytest.skip("needs setuptools >= 64 installed to build offline")
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(out), str(REPO)], capture_output=True, text=True, timeout=300,
                       env={"PATH": "/usr/bin:/bin", "HOME": str(build), "PIP_NO_INDEX": "1"})
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = out.glob("envcheck-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_every_source_file_is_in_the_wheel(wheel_names):
    for top in ("envcheck", "sample_models"):
        for path in (REPO / top).rglob("*"):
            if path.suffix in (".py", ".toml", ".json") and "__pycache__" not in path.parts:
                assert path.relative_to(REPO).as_posix() in wheel_names


def test_recipes_ship_as_data_files(wheel_names):
    recipes = sorted(p.name for p in (REPO / "recipes").glob("*.toml"))
    assert recipes
    for name in recipes:
        assert any(n.endswith(f".data/data/share/envcheck/recipes/{name}") for n in wheel_names), name


def test_the_loader_looks_where_a_wheel_puts_recipes():
    import sysconfig

    from envcheck.recipes.loader import recipe_dirs

    dirs = recipe_dirs()
    assert Path(sysconfig.get_path("data")) / "share" / "envcheck" / "recipes" in dirs
    assert REPO / "recipes" in dirs


def test_the_document_schemas_ship_in_the_wheel(wheel_names):
    """envcheck.schemas reads its JSON Schemas as package data: one per document kind, plus the shared two."""
    from envcheck.envelope import SCHEMA_VERSIONS

    shipped = {n.rpartition("/")[2] for n in wheel_names if n.startswith("envcheck/schemas/") and n.endswith(".json")}
    assert shipped == {f"{kind}.schema.json" for kind in SCHEMA_VERSIONS} | {"envelope.schema.json", "defs.schema.json"}
    assert "envcheck/schemas/__init__.py" in wheel_names
