"""Fixtures for the recipe tests: the recipe set, the recorded machines, a fake advisor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

import pytest

from envcheck import snapshot
from envcheck.facts import Facts
from envcheck.recipes import Recipes, load_all
from tests.recipes.machines import MACHINES, path_of


@dataclass(frozen=True)
class FakeAdvice:
    """Stands in for envcheck.advise.Advice: the same attribute names, fixed answers."""

    ok: bool = True
    torch_version: Optional[str] = "2.13.0"
    variant: Optional[str] = "cu130"
    cuda: Optional[str] = "13.0"
    index_url: Optional[str] = "https://download.pytorch.org/whl/cu130"
    pip_command: Optional[str] = "pip install torch==2.13.0 torchvision --index-url https://download.pytorch.org/whl/cu130"
    uv_command: Optional[str] = "uv pip install torch==2.13.0 torchvision --torch-backend=cu130"
    conda_command: Optional[str] = None
    driver_branch: Optional[str] = "580"
    reasons: Tuple[str, ...] = field(default=())


@pytest.fixture(scope="session")
def recipes() -> Recipes:
    return load_all()


@pytest.fixture
def advice() -> FakeAdvice:
    return FakeAdvice()


def machine(name: str) -> Facts:
    """A recorded machine, read back from its snapshot file as `--facts` would."""
    assert name in MACHINES
    return snapshot.load(path_of(name))
