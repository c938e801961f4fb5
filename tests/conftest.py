"""Shared test plumbing: ../shared lookup, and skipping gpu/torch tests where they cannot run."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

# CLI runs in subprocesses under a Python other than the one compiled_re.json was made by would
# keep their regex code in the developer's own cache (envcheck/lazyre.py): tests write nothing there.
os.environ.setdefault("ENVCHECK_REGEX_CACHE", "off")

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared_path() -> Path:
    return Path(os.environ.get("ENVCHECK_SHARED", REPO.parent / "shared"))


@pytest.fixture
def shared() -> Path:
    """``../shared`` beside the checkout; tests using it skip cleanly where it is absent."""
    p = shared_path()
    if not p.is_dir():
        pytest.skip(f"{p} not present (a fresh clone has no ../shared)")
    return p


def _has_cuda() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def pytest_collection_modifyitems(config, items):
    # Markers, not keywords: a parametrize id such as "gpu" must not skip a CPU test.
    have_torch = importlib.util.find_spec("torch") is not None
    have_gpu = None
    for item in items:
        if item.get_closest_marker("torch") and not have_torch:
            item.add_marker(pytest.mark.skip(reason="torch not installed"))
        if item.get_closest_marker("gpu"):
            if have_gpu is None:
                have_gpu = _has_cuda()
            if not have_gpu:
                item.add_marker(pytest.mark.skip(reason="needs an NVIDIA GPU"))
        if item.get_closest_marker("shared") and not shared_path().is_dir():
            item.add_marker(pytest.mark.skip(reason="../shared not present"))
