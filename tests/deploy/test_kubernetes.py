"""The shipped Kubernetes manifests against the Kubernetes v1.37 API schemas (strict:
unknown fields refused), vendored in schemas/ — no cluster, no network. Then what the
schemas cannot say: one pod per GPU node, the GPUs asked for, the reports' volume and
names, and the node name validate needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
yaml = pytest.importorskip("yaml", reason="the test extra installs pyyaml")

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = json.loads((Path(__file__).parent / "schemas" / "k8s-v1.37.0-strict.json").read_text())
KINDS = {"Job": "job", "DaemonSet": "daemonset", "PersistentVolumeClaim": "persistentvolumeclaim"}
MANIFESTS = sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml"))


def validator(kind: str):
    schema = {"$schema": SCHEMAS["$schema"], "$ref": f"#/$defs/envcheck.root.{KINDS[kind]}", "$defs": SCHEMAS["$defs"]}
    return jsonschema.Draft202012Validator(schema)


def documents(path: Path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_manifests_are_shipped():
    assert [p.name for p in MANIFESTS] == ["envcheck-validate-daemonset.yaml", "envcheck-validate-job.yaml"]


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_valid_against_the_kubernetes_schemas(path):
    for doc in documents(path):
        errors = sorted(validator(doc["kind"]).iter_errors(doc), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


def test_the_schemas_are_strict_enough_to_catch_a_typo():
    job = documents(ROOT / "deploy" / "kubernetes" / "envcheck-validate-job.yaml")[0]
    spec = job["spec"]["template"]["spec"]
    spec["nodeSelecter"] = spec.pop("nodeSelector")
    assert list(validator("Job").iter_errors(job))
    job = documents(ROOT / "deploy" / "kubernetes" / "envcheck-validate-job.yaml")[0]
    job["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] = [8]
    assert list(validator("Job").iter_errors(job))


def _pod(doc):
    return doc["spec"]["template"]["spec"]


def _validate_container(pod):
    for c in pod.get("initContainers", []) + pod["containers"]:
        if "envcheck validate" in " ".join(c.get("command", [])):
            return c
    raise AssertionError("no container runs envcheck validate")


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_gpu_nodes_gpus_reports_and_node_name(path):
    doc = [d for d in documents(path) if d["kind"] in ("Job", "DaemonSet")][0]
    pod = _pod(doc)
    assert pod["nodeSelector"]  # GPU nodes only
    c = _validate_container(pod)
    assert int(c["resources"]["limits"]["nvidia.com/gpu"]) >= 1
    command = " ".join(c["command"])
    assert "--report /reports/{host}.json" in command and "--html /reports/{host}.html" in command
    assert {m["mountPath"] for m in c["volumeMounts"]} >= {"/reports", "/dev/shm"}
    env = {e["name"]: e for e in c["env"]}
    assert env["ENVCHECK_NODE_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"


def test_the_job_runs_one_pod_per_node():
    job = documents(ROOT / "deploy" / "kubernetes" / "envcheck-validate-job.yaml")[0]
    assert job["spec"]["completions"] == job["spec"]["parallelism"]
    rule = job["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert rule["topologyKey"] == "kubernetes.io/hostname"
    assert rule["labelSelector"]["matchLabels"] == job["spec"]["template"]["metadata"]["labels"]
