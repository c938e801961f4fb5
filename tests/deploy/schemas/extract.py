"""Rebuild k8s-v1.37.0-strict.json (run by hand; tests never fetch anything).

    pip download --no-deps kubernetes-validate==1.37.0 -d /tmp/kv
    python -m zipfile -e /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl /tmp/kv/ex
    python tests/deploy/schemas/extract.py /tmp/kv/ex/kubernetes_validate/kubernetes-json-schema/v1.37.0-local-strict

Keeps the Job (batch/v1), DaemonSet (apps/v1) and PersistentVolumeClaim (v1) schemas and the transitive closure of
the definitions they reference, with descriptions dropped (92 KB instead of 1.8 MB).
"""

import json
import re
import sys
from pathlib import Path

PAT = re.compile(r"(?:/api/_definitions.json)?#/\$defs/(.+)")
ROOTS = {"job": "job-batch-v1.json", "daemonset": "daemonset-apps-v1.json",
         "persistentvolumeclaim": "persistentvolumeclaim-v1.json"}


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                yield PAT.fullmatch(v).group(1)
            else:
                yield from refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from refs(v)


def rewrite(node):
    if isinstance(node, dict):
        return {k: ("#/$defs/" + PAT.fullmatch(v).group(1) if k == "$ref" else rewrite(v))
                for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [rewrite(v) for v in node]
    return node


def main(src: Path) -> None:
    defs = json.loads((src / "_definitions.json").read_text())["$defs"]
    roots = {k: json.loads((src / f).read_text()) for k, f in ROOTS.items()}
    need, todo = set(), [r for root in roots.values() for r in refs(root)]
    while todo:
        name = todo.pop()
        if name not in need:
            need.add(name)
            todo += list(refs(defs[name]))
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$comment": "Kubernetes v1.37.0 API schemas (strict: unknown fields refused) for Job (batch/v1), "
                       "DaemonSet (apps/v1) and PersistentVolumeClaim (v1) with every definition they reference, descriptions dropped; extracted "
                       "from the kubernetes-validate 1.37.0 wheel (PyPI), directory "
                       "kubernetes-json-schema/v1.37.0-local-strict. See README.md beside this file.",
           "$defs": {n: rewrite(defs[n]) for n in sorted(need)}}
    for k, root in roots.items():
        root = rewrite(root)
        root.pop("$id", None)
        root.pop("$schema", None)
        out["$defs"]["envcheck.root." + k] = root
    Path(__file__).with_name("k8s-v1.37.0-strict.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
