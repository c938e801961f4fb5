"""Round 21 k: a container that asked for the GPU and still holds no nvidia-smi.

A start that asks for the GPU (``--gpus all``, a CDI device, a pod spec's ``nvidia.com/gpu``
resource) followed by its own output saying nvidia-smi is not in the container (runc's / crun's
"executable file not found", the NGC entrypoint's "driver was not detected"): the request was
made, the engine's NVIDIA runtime did not answer it (rules/container_request_unmet.py):
``nvidia_container_toolkit_missing``, and not "started without GPU access".

Texts written for the test after the shapes of real reports (NVIDIA/nvkind#31,
NVIDIA/nvidia-container-runtime#190, NVIDIA/nvidia-container-runtime#147), with near-misses: the
same error after a start without a request, a request only named in a question, a request shown
working, ``--runtime=nvidia`` on a plain image, ``--gpus`` narrowed by capabilities, a pod asking
for zero GPUs, a compose reservation (old docker-compose ignores it).
"""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

TOOLKIT = "nvidia_container_toolkit_missing"
FLAG = "container_missing_gpus_flag"
RUNC = ('docker: Error response from daemon: failed to create shim task: OCI runtime create failed: runc create '
        'failed: unable to start container process: exec: "nvidia-smi": executable file not found in $PATH: unknown.')
CRUN = ("Error: crun: executable file `nvidia-smi` not found in $PATH: No such file or directory: OCI runtime "
        "attempted to invoke a command that was not found")
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: gpu-test\nspec:\n  restartPolicy: OnFailure\n  containers:\n"
       "  - name: ctr\n    image: ubuntu:22.04\n    command: [\"nvidia-smi\", \"-L\"]\n    resources:\n      limits:\n"
       "        nvidia.com/gpu: {n}\n")
POD_ERR = ('failed to create shim task: OCI runtime create failed: runc create failed: unable to start container '
           'process: exec: "nvidia-smi": executable file not found in $PATH: unknown.')
NGC = ("==========\n== CUDA ==\n==========\n\nCUDA Version 12.2.0\n\nWARNING: The NVIDIA Driver was not detected.  "
       "GPU functionality will not be available.\n   Use the NVIDIA Container Toolkit to start this container with GPU "
       "support; see\n   https://docs.nvidia.com/datacenter/cloud-native/ .")


@pytest.mark.parametrize("text", [
    "$ docker run --rm --gpus all ubuntu nvidia-smi\n" + RUNC,
    "$ sudo podman run --rm --gpus all ubuntu nvidia-smi -L\n" + CRUN,
    "$ podman run --rm --device nvidia.com/gpu=all ubuntu nvidia-smi\n" + CRUN,
    POD.format(n=2) + "\nI get an error in the container:\n```\n" + POD_ERR + "\n```",
    POD.format(n='"1"') + "\n" + POD_ERR,
    "$ docker run --rm --gpus all nvcr.io/nvidia/pytorch:24.01-py3\n\n" + NGC,
])
def test_a_request_the_runtime_did_not_answer(text):
    got = findings(text)
    assert TOOLKIT in got
    assert FLAG not in got


@pytest.mark.parametrize("text", [
    # no request: the missing flag, as before
    "$ docker run --rm ubuntu nvidia-smi\n" + RUNC,
    "$ podman run --rm ubuntu nvidia-smi\n" + CRUN,
    # the request only named in a question before the start that ran without one
    "Should I use docker run --gpus all ubuntu nvidia-smi ? Right now I run:\n$ docker run --rm ubuntu nvidia-smi\n"
    + RUNC,
    # the request shown working beside the start without one
    "$ docker run --rm ubuntu nvidia-smi\n" + RUNC + "\nIt works if I use docker run --rm --gpus all ubuntu nvidia-smi.",
    # --runtime=nvidia injects what the image's NVIDIA_VISIBLE_DEVICES asks: nothing for ubuntu
    "$ docker run --rm --runtime=nvidia ubuntu nvidia-smi\n" + RUNC,
    # a pod asking for no GPU
    POD.format(n=0) + "\n" + POD_ERR,
])
def test_no_request_or_not_the_one_that_ran(text):
    got = findings(text)
    assert TOOLKIT not in got
    assert FLAG in got


@pytest.mark.parametrize("text", [
    # capabilities without utility: nvidia-smi is not mounted, by the request's own terms
    '$ docker run --rm --gpus "all,capabilities=compute" ubuntu nvidia-smi\n' + RUNC,
    # a compose reservation: docker-compose before 1.28 drops deploy.resources without a word
    "services:\n  app:\n    image: myapp\n    deploy:\n      resources:\n        reservations:\n          devices:\n"
    "            - driver: nvidia\n              count: all\n              capabilities: [gpu]\n\napp-1  | " + NGC,
])
def test_requests_that_may_not_ask_for_nvidia_smi(text):
    assert TOOLKIT not in findings(text)


@pytest.mark.parametrize("text", [
    POD.format(n=1) + "\n$ kubectl logs gpu-test\nGPU 0: NVIDIA A10G (UUID: GPU-1234abcd-0000-1111-2222-333344445555)\n",
    "$ docker run --rm --gpus all ubuntu nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 3090 (UUID: "
    "GPU-2f68f999-7b41-e64a-3709-0c8c4fa756c0)\nThe model loads, but the output is garbage after 100 tokens.",
    "I run the pod with nvidia.com/gpu: 1 in its limits and nvidia-smi works inside it; the training loss is NaN.",
])
def test_working_requests_give_no_error(text):
    assert not errors(text)


# --------------------------------------------------------------------------- the daemon-reload steps
RELOAD = "container_gpu_lost_after_daemon_reload"
STEPS = ("### Steps to reproduce\n\n1. Run a dev environment on AWS.\n2. Run `nvidia-smi` in the dev environment "
         "container and confirm that it works.\n3. Run `sudo systemctl daemon-reload` on the host.\n4. Run `nvidia-smi` "
         "in the dev environment container.\n")


@pytest.mark.parametrize("text", [
    STEPS,
    "nvidia-smi works in the running container.\n$ sudo systemctl daemon-reload\nthen nvidia-smi inside the same "
    "container again.",
    "- start a pod, nvidia-smi in the pod works\n- systemctl daemon-reload on the node\n- run nvidia-smi in the pod",
])
def test_steps_across_a_daemon_reload(text):
    assert RELOAD in findings(text)


@pytest.mark.parametrize("text", [
    # an install guide: the engine restarted after the reload
    "nvidia-smi works on the host, but not in the container.\nsudo systemctl daemon-reload\n"
    "sudo systemctl restart docker\nnow nvidia-smi works in the container.",
    "Run nvidia-smi in the container.\nsudo systemctl daemon-reload && sudo systemctl restart docker\n"
    "Run nvidia-smi in the container again.",
    # the step after says it still works
    STEPS.replace("in the dev environment container.\n", "in the dev environment container: it still works.\n"),
    # a question, a condition, a denial
    "nvidia-smi works in the container.\nWould systemctl daemon-reload on the host break it?\nnvidia-smi in the "
    "container again?",
    "nvidia-smi works in the container.\nIf you run systemctl daemon-reload on the host,\nnvidia-smi in the container "
    "may fail.",
    "nvidia-smi works in the container.\nI never ran systemctl daemon-reload on the host.\nnvidia-smi in the "
    "container fails after a few hours.",
    # no container step before the reload
    "sudo systemctl daemon-reload\nRun nvidia-smi in the container.",
])
def test_not_a_reload_reproduction(text):
    assert RELOAD not in findings(text)
