"""Round 26 v: the program failing as the user and working as root, told user first (the other
order of device_nodes' root contrast): "False as my normal user, True with sudo", "普通用户 … False，用
sudo 运行就是 True", "一般ユーザーでは動かないが sudo では動く". Texts written for the test, with
near-misses: both work, both fail, a question, a denial.
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

PERMS = "device_node_permissions"


@pytest.mark.parametrize("text", [
    "普通用户运行 torch.cuda.is_available() 返回 False，用 sudo 运行就是 True。",
    "普通用户运行报错 No CUDA GPUs are available，sudo 运行正常。",
    "As a normal user torch.cuda.is_available() is False, but with sudo it works.",
    "一般ユーザーでは torch.cuda.is_available() が False ですが、sudo では動きます。",
])
def test_user_first_then_root(text):
    assert PERMS in findings(text)


@pytest.mark.parametrize("text", [
    "As a normal user it fails with an import error, and with sudo it fails too.",
    "Does torch.cuda.is_available() fail as a normal user but work with sudo?",
    "Running as my user and with sudo both work; torch.cuda.is_available() is True.",
    "普通用户和 sudo 运行都报错 No CUDA GPUs are available。",
])
def test_user_first_near_misses(text):
    assert PERMS not in findings(text)
