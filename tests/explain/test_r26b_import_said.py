"""Round 26 b: ``import torch`` said to fail in a person's words, without the exception
(explain/parsers/torch_import_said.py, new): "I can't import torch", "import torch throws an
error", "import torch 报错", "导入torch失败". Near-misses: the import working, a failure denied,
a condition, a question, another module, another machine, the trouble over, torch not installed
at all (Python's "No module named 'torch'"), a failure of something after the import. Texts
written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

ID = "torch_import_failed"


@pytest.mark.parametrize("paste", [
    "I can't import torch anymore, import torch just fails after I updated.",
    "import torch throws an error on my machine since yesterday.",
    "Unable to import torch after installing the cu121 wheel on Windows 11.",
    "import torch 报错，显卡是3060",
    "导入torch失败，python是3.12",
    "import torchでエラーになります。",
    "import torch 에서 에러가 납니다.",
])
def test_import_said_to_fail(paste):
    f = findings(paste)
    assert ID in f, sorted(f)


@pytest.mark.parametrize("paste", [
    "import torch works, but torch.cuda.is_available() is False on my RTX 3060.",
    "import torch doesn't fail anymore after the reinstall.",
    "import torch no longer crashes since I installed the VC++ runtime.",
    "If import torch fails, reinstall the wheel.",
    "Why would import torch fail on Windows?",
    "import torchvision fails with an undefined symbol.",
    "import torch_geometric fails on my machine.",
    "On my old laptop import torch crashes, but this machine is fine.",
    "import torch used to fail, now it works.",
    "Traceback (most recent call last):\n  File \"app.py\", line 1, in <module>\n    import torch\n"
    "ModuleNotFoundError: No module named 'torch'\nSo import torch fails.",
    "import torch, then model.cuda() fails with out of memory.",
])
def test_import_said_near_misses(paste):
    assert ID not in findings(paste)
