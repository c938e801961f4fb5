"""Round 15 g6: "不一致的错误" ("the mismatch error") is a mismatch retold, not the denial "一致的"
("they are consistent") that explain/parsers/mismatch_prose.py skips. Texts written for the test."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import findings

FID = "nvml_driver_library_mismatch"


@pytest.mark.parametrize("text", [
    "运行时报驱动和库版本不一致的错误，nvidia-smi无法使用",
    "更新以后出现驱动版本不一致的问题，nvidia-smi 用不了",
])
def test_the_mismatch_error_retold_in_chinese(text):
    assert FID in findings(text)


@pytest.mark.parametrize("text", [
    "驱动和库版本是一致的，nvidia-smi正常",
    "驱动和库版本一致的话就不会报错吗？",
])
def test_consistent_versions_or_a_question_are_not_it(text):
    assert FID not in findings(text)
