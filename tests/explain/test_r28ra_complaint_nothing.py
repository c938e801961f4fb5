"""Review of round 28 (ra): complaint.py on a working machine's paste. "nothing is broken" read as a failure
said in words (verdict insufficient, not ok); the contractions typed without the apostrophe (the merger's
round 28 change) in sentences that tell no failure stay ok. A failure told after "nothing but" or as
"nothing happens" is still one. Texts written for the test.
"""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

WORKING = """\
PyTorch version: 2.1.0+cu121
Is CUDA available: True
CUDA runtime version: 12.1.105
GPU models and configuration: GPU 0: NVIDIA GeForce RTX 3090
Nvidia driver version: 535.104.05
"""


def _verdict(text: str) -> str:
    _, report = diagnose(source.normalise(text), collected_at="")
    return str(report.verdict)


@pytest.mark.parametrize("said", [
    "nothing is broken, i just haven't tried fp16 yet",
    "nothing is broken",
    "nothing ever crashed, I only want to know how to use AMP",
    "everything works, i dont have any errors, just want to know how to speed up training",
    "it doesnt crash anymore since I lowered the batch size, thanks",
    "I cant thank you enough, it works now",
    "nothing is broken, i just havent tried fp16 yet",
    "no errors, it didnt fail once in 3 days of training",
])
def test_working_report_stays_ok(said):
    assert _verdict(WORKING + said + "\n") == "ok"


@pytest.mark.parametrize("said", [
    "I get nothing but errors when I run it on the gpu",
    "nothing happens when I run it on the gpu, it just hangs",
    "torch doesnt detect my gpu",
])
def test_failure_said_is_not_ok(said):
    assert _verdict(WORKING + said + "\n") != "ok"
