"""Round 18 k: a Kubernetes node whose container runtime gives pods no GPU, seen from kubectl.

* ``kubectl get pods`` listing NVIDIA's device-plugin pod not ready and crash-looping
  (messages.toml k8s_device_plugin_pod_crashloop): the plugin exits when NVML cannot be loaded in
  its pod, most often because the node's Docker/containerd does not run the nvidia runtime by
  default: nvidia_container_toolkit_missing, likely.
* ``kubectl describe node`` advertising ``nvidia.com/gpu: 0`` (k8s_node_gpu_capacity_zero) only
  supports that cause: no finding on it alone.

Texts written for the test after the shapes of real reports (NVIDIA/k8s-device-plugin#13's pod list,
#100's describe output); near-misses: the plugin pod running or still being created, another pod
crash-looping, the GPU operator's validator pod, the status said in prose, a node advertising GPUs."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

MISSING = "nvidia_container_toolkit_missing"
HEADER = "NAME                                   READY     STATUS             RESTARTS   AGE\n"


@pytest.mark.parametrize("row", [
    "nvidia-device-plugin-daemonset-csjxw   0/1       CrashLoopBackOff   12         39m",
    "nvidia-device-plugin-daemonset-7xkqp   0/1     CrashLoopBackOff   5 (2m ago)   8m",
    "nvidia-device-plugin-1690000000-abcde   0/1     Error     3          2m",
])
def test_crash_looping_plugin_pod_is_a_runtime_without_nvidia(row):
    got = findings("$ kubectl get pods -n kube-system\n" + HEADER + row + "\n")
    assert MISSING in got
    assert got[MISSING].confidence.value == "likely"


@pytest.mark.parametrize("row", [
    "nvidia-device-plugin-daemonset-csjxw   1/1       Running            0          39m",
    "nvidia-device-plugin-daemonset-csjxw   0/1       ContainerCreating  0          10s",
    "gpu-feature-discovery-x8k2p            0/1       CrashLoopBackOff   12         39m",
    "nvidia-device-plugin-validator-9fz2w   0/1       Error              0          5m",
    "my-training-job-5d8f7                  0/1       CrashLoopBackOff   4          3m",
])
def test_other_pod_states_and_pods_say_nothing(row):
    assert MISSING not in findings("$ kubectl get pods -A\n" + HEADER + row + "\n")


@pytest.mark.parametrize("text", [
    "The nvidia-device-plugin pod was in CrashLoopBackOff yesterday; today it is fine.",
    "Is it normal that nvidia-device-plugin shows Error status at first?",
])
def test_prose_about_the_status_is_not_a_pod_row(text):
    assert MISSING not in findings(text)


def test_zero_gpus_on_a_node_alone_is_not_a_finding():
    text = ("# kubectl describe node | grep -i gpu\n nvidia.com/gpu:     0\n nvidia.com/gpu:     0\n"
            "  nvidia.com/gpu  0            0\n")
    assert MISSING not in findings(text)
    assert not errors(text)


def test_a_node_advertising_gpus_is_healthy():
    text = ("Capacity:\n  cpu:                            6\n  nvidia.com/gpu:                 1\n"
            "Allocatable:\n  nvidia.com/gpu:                 1\n"
            "Allocated resources:\n  nvidia.com/gpu  0            0\n")
    assert not errors(text)
