"""Round 18 h: NVIDIA Fabric Manager said not running, in wordings prose_state does not take
(explain/parsers/fabric_prose.py, derived/fabric_said.py, rules/hosting.py):

* its version against the driver's told by the person ("a mismatched Fabric Manager version to the
  NVIDIA Driver version", shape of nanoporetech/dorado#1214 on an AWS p4d.24xlarge): Fabric Manager is
  only set up on NVSwitch systems, so this alone gives fabric_manager_not_running, likely;
* past tense ("Fabric Manager wasn't running"): the same reading as "is not running", which still
  needs an NVSwitch/SXM GPU or CUDA's "system not yet initialized" beside it.

Texts written for the test after those shapes; near-misses: advice, a condition, a question, the
versions said to match, and a stopped Fabric Manager on a PCIe machine."""

from __future__ import annotations

import pytest

from envcheck.explain import source
from envcheck.explain.parsers import fabric_prose
from tests.rules.test_unseen_classes import findings

FM = "fabric_manager_not_running"


@pytest.mark.parametrize("paste", [
    "- Hardware (CPUs, Memory, GPUs): AWS p4d.24xlarge (96 CPU, 8 A100's, 1 TB RAM)\n\n"
    "Yep, it wasn't initialized, and as #1184 mentioned Fabric Manager wasn't running.\n\n"
    "I had installed the default Ubuntu 22.04 and then Ubuntu 24.04 but both ended up with a mismatched Fabric "
    "Manager version to the NVIDIA Driver version I installed.\n",
    "After the driver upgrade the fabric manager version doesn't match the driver any more and CUDA fails.\n",
    "There is a version mismatch between nvidia-fabricmanager and the driver (550.90.07 vs 550.54.15).\n",
    "".join(f"GPU {i}: NVIDIA H100 80GB HBM3 (UUID: GPU-{i}a3c9b7e-0000-0000-0000-00000000000{i})\n" for i in range(8))
    + "It turned out the nvidia-fabricmanager service was not running after the reboot.\n",
    "".join(f"GPU {i}: NVIDIA A100-SXM4-80GB (UUID: GPU-{i}b3c9b7e-0000-0000-0000-00000000000{i})\n" for i in range(8))
    + "Found it: Fabric Manager wasn't running on that node.\n",
])
def test_fabric_manager_said_stopped_or_mismatched(paste):
    f = findings(paste)
    assert FM in f
    assert f[FM].confidence.value == "likely"


@pytest.mark.parametrize("paste", [
    "Check that the fabric manager version matches the driver version.\n",
    "If Fabric Manager wasn't running, CUDA would fail with error 802.\n",
    "Could a mismatched fabric manager version cause this?\n",
    "The fabric manager and driver versions match (550.90.07 both).\n",
    # a stopped Fabric Manager on a PCIe machine: nothing to configure there
    "Single RTX 4090 workstation. Fabric Manager wasn't running, which is expected here.\n",
])
def test_advice_questions_matches_and_pcie_machines_say_nothing(paste):
    assert FM not in findings(paste)


def test_a_catalogue_log_line_is_left_to_its_message():
    line = ("Nov 05 13:55:26 node1 nv-fabricmanager[104230]: fabric manager NVIDIA GPU driver interface version "
            "550.127.05 don't match with driver version 550.120. Please update with matching NVIDIA driver package.\n")
    assert not fabric_prose.parse(source.normalise(line)).notes
