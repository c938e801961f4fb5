"""A Kubernetes node shown advertising no NVIDIA GPU (``derived/node_gpus``): 0 ``nvidia.com/gpu``.

Three ways a report shows it:

* ``kubectl describe node``: its "Capacity:" and "Allocatable:" blocks, one resource a line
  (k8s.io/kubectl pkg/describe/describe.go, describeNode → printResourceList: "Capacity:" then
  "  <resource>:\t<quantity>"), ``nvidia.com/gpu:     0`` inside one of them;
* the node's status as JSON (``kubectl get node -o json``, ``.status.allocatable`` / ``.capacity``,
  core/v1 NodeStatus): ``"nvidia.com/gpu": "0"`` under one of those keys;
* a person saying it: "allocatable nvidia.com/gpu is 0", "Allocatable shows nvidia.com/gpu: 0",
  "nvidia.com/gpu: 0 in the node's capacity".

Not a pod's request (``limits: nvidia.com/gpu: 1``) nor a count above 0; not a question ("is
allocatable nvidia.com/gpu 0?") nor a state said to be over ("it showed nvidia.com/gpu: 0 until I
restarted the device plugin, now 1").
"""

from __future__ import annotations

import re

from envcheck.derived.node_gpus import NODE_NO_GPU
from envcheck.explain.partial import Found
from envcheck.explain.sentences import asked
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

_I = re.IGNORECASE
# describeNode's block headers and one resource line of them (printResourceList).
_BLOCK = lazy(r"^\s*(?:Capacity|Allocatable):\s*$")
_DESCRIBED_ZERO = lazy(r"^\s+nvidia\.com/gpu:\s+0\s*$")
# NodeStatus as JSON: "nvidia.com/gpu": "0" (a quantity is a string there).
_JSON_ZERO = lazy(r"\"nvidia\.com/gpu\"\s*:\s*\"?0\"?\s*,?\s*$")
# under the key, or printed alone by a query for it ("kubectl get node n -o json | jq .status.allocatable")
_JSON_KEY = lazy(r"\"(?:allocatable|capacity)\"\s*:\s*\{|\bstatus\.(?:allocatable|capacity)\b")
# A person's words: the node's allocatable or capacity and a 0 count, in one sentence.
_SAID = lazy(r"\b(?:allocatable|capacity)\b[^.;!?\n]{0,60}?nvidia\.com/gpu[`'\"]?\s*(?::|=|is|was|shows?|of)?\s*[`'\"]?0\b(?![.,]?\d)"
             r"|nvidia\.com/gpu[`'\"]?\s*(?::|=|is|was)\s*[`'\"]?0\b(?![.,]?\d)[^.;!?\n]{0,40}?\b(?:allocatable|capacity)\b", _I)
# Said to be over: "until I restarted the plugin", "now it shows 1", "was 0 before".
_OVER = lazy(r"\b(?:until|before|used\s+to|no\s+longer|now\s+(?:it\s+)?(?:shows?|is|reports?)\s+[1-9]|fixed|solved|resolved)\b", _I)


def read(f: Found, doc: Pasted) -> None:
    lines = doc.lines
    for i in doc.lines_containing("nvidia.com/gpu"):
        line = lines[i]
        if len(line) > 400:
            continue
        where = None
        if _DESCRIBED_ZERO.match(line):
            # inside a Capacity/Allocatable block: every line up to its header is indented
            for j in range(i - 1, max(-1, i - 30), -1):
                if _BLOCK.match(lines[j]):
                    where = f"kubectl describe node, {lines[j].strip()} nvidia.com/gpu: 0 (line {i + 1})"
                    break
                if not lines[j].startswith((" ", "\t")):
                    break
        elif _JSON_ZERO.search(line):
            for j in range(i - 1, max(-1, i - 20), -1):
                if _JSON_KEY.search(lines[j]):
                    where = f"node status JSON, \"nvidia.com/gpu\": \"0\" (line {i + 1})"
                    break
                if "}" in lines[j]:
                    break
        else:
            m = _SAID.search(line)
            if m and not asked(line, m.end()) and not _OVER.search(line):
                where = f"“{m.group(0).strip()[:80]}” (line {i + 1})"
        if where:
            f.note(NODE_NO_GPU + where)
            return
