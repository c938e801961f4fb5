"""The GPU working as root and failing as the user, told in German, Russian, Portuguese, Spanish or
French (device_nodes reads English, Chinese, Japanese, Korean): "Als normaler Benutzer ist
torch.cuda.is_available() False, mit sudo funktioniert es", "от обычного пользователя False, а через
sudo работает", "com usuário normal dá False, mas com sudo funciona", "con mi usuario devuelve
False, pero con sudo funciona", "en tant qu'utilisateur normal False, avec sudo ça marche". What
differs is only the user: the /dev/nvidia* nodes are closed to them (device_node_permissions). The
same claim as device_nodes' (``driver.device_nodes`` with /dev/nvidiactl not accessible, rank
``STATED``).

Read only where the line names the GPU (CUDA, is_available, nvidia-smi, the GPU), and not where
sudo changes another program's rights (pip, docker's socket, a cache owned by root), nor in a question.
"""

from __future__ import annotations

import re

from envcheck.explain.parsers.device_nodes import OTHER_RIGHTS
from envcheck.explain.partial import STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.facts import DeviceNode
from envcheck.lazyre import lazy

SOURCE = "device nodes"
_I = re.IGNORECASE

_USER = (r"(?:\b(?:als\s+)?(?:normaler?|gewöhnlicher?|eigener?|einfacher?)\s+(?:Benutzer|User|Nutzer)\b|\bohne\s+sudo\b"
         r"|(?<![\w-])(?:от|под)\s+(?:обычн\w+\s+|своего\s+)?(?:пользовател\w+|юзер\w*)|(?<![\w-])без\s+sudo\b"
         r"|\b(?:com|como)\s+(?:o\s+|meu\s+)?usu[aá]rio(?:\s+(?:normal|comum))?\b|\bsem\s+sudo\b"
         r"|\b(?:con|como)\s+(?:mi\s+|el\s+)?usuario(?:\s+normal)?\b|\bsin\s+sudo\b"
         r"|\b(?:en\s+tant\s+qu['’]|avec\s+(?:mon\s+|un\s+)?)?utilisateur(?:\s+(?:normal|standard))?\b|\bsans\s+sudo\b)")
_ROOT = (r"(?:\bmit\s+sudo\b|\bals\s+root\b|(?<![\w-])(?:через|с|под|от)\s+(?:sudo|root)\b|\bcom\s+sudo\b|\bcomo\s+root\b"
         r"|\bcon\s+sudo\b|\bavec\s+sudo\b|\ben\s+(?:tant\s+que\s+)?root\b)")
_GOOD = r"(?:\bfunktioniert|\bgeht\b|\bläuft\b|работает|\bfunciona\b|\bfonctionne\b|\bmarche\b|\bTrue\b)"
_BAD = (r"(?:\bFalse\b|\bnicht\b|\bFehler|не\s+работает|ошибк\w*|n[aã]o\s+funciona|\berro\b|no\s+funciona|\bfalla\w*"
        r"|ne\s+(?:fonctionne|marche)\s+pas|\berreur)")
_CONTRAST = lazy(rf"{_USER}[^!?\n]{{0,80}}?{_BAD}[^!?\n]{{0,80}}?{_ROOT}[^!?\n]{{0,60}}?{_GOOD}"
                 rf"|{_ROOT}[^!?\n]{{0,80}}?{_GOOD}[^!?\n]{{0,80}}?{_USER}[^!?\n]{{0,60}}?{_BAD}", _I)
_GPU_TOLD = lazy(r"cuda|\bgpus?\b|nvidia|is_available|device_count|grafikkarte|видеокарт", _I)


def _contrast(line: str):
    if len(line) > 2000 or not _GPU_TOLD.search(line) or OTHER_RIGHTS.search(line):
        return None
    m = _CONTRAST.search(line)
    if m is None or "?" in line[m.end():m.end() + 20]:
        return None
    return m


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    got = doc.first(_contrast, "sudo", "root")
    if got is not None:
        i, m = got
        f.set("driver.device_nodes", (DeviceNode("/dev/nvidiactl", True, accessible=False),), i, rank=STATED,
              detail=f"{STATED_DETAIL}: works as root, not as the user ({m.group(0).strip()[:80]})")
    return f
