"""CUDA_VISIBLE_DEVICES set where the environment reader's ``NAME=value`` lines do not reach:
run configurations and Python calls that set it without an assignment.

* a JSON (or Python dict) entry: VS Code's launch.json ``"env": {"CUDA_VISIBLE_DEVICES": "1"}``
  (debugger "env" object), devcontainer.json ``containerEnv``/``remoteEnv``,
  ``os.environ.update({'CUDA_VISIBLE_DEVICES': '1'})``;
* PyCharm's run configuration XML: ``<env name="CUDA_VISIBLE_DEVICES" value="1" />``
  (.idea/workspace.xml, .run/*.run.xml);
* ``os.environ.setdefault("CUDA_VISIBLE_DEVICES", "3")`` and ``os.putenv(...)``.

Each is a value the run was started with (claimed below a program's own output: an env dump
printed by the run outranks it). What the value does is the rule's business
(rules/cuda_env.cuda_visible_devices_hides_gpus weighs it against the GPUs the text lists
and against CUDA finding no device). A dict printed by a program (``environ({...})``) is such a
dump too and reads the same way.
"""

from __future__ import annotations

from envcheck.explain.partial import PROGRAM, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "CUDA_VISIBLE_DEVICES in a run configuration"

_Q = r"[\"']"
_FORMS = (
    lazy(rf"{_Q}CUDA_VISIBLE_DEVICES{_Q}\s*:\s*(?P<q>[\"'])(?P<value>[^\"'\n]*)(?P=q)"),
    lazy(r"<env\s+name=\"CUDA_VISIBLE_DEVICES\"\s+value=\"(?P<value>[^\"\n]*)\""),
    lazy(rf"\bos\.(?:environ\.setdefault|putenv)\(\s*{_Q}CUDA_VISIBLE_DEVICES{_Q}\s*,\s*(?P<q>[\"'])"
               r"(?P<value>[^\"'\n]*)(?P=q)\s*\)"),
)


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, PROGRAM - 5)
    for i in doc.lines_containing("cuda_visible_devices"):
        line = doc.lines[i]
        for form in _FORMS:
            m = form.search(line)
            if m:
                f.item("env.variables", "CUDA_VISIBLE_DEVICES", m.group("value"), i, rank=PROGRAM - 5)
                break
    return f
