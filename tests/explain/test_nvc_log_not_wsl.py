"""libnvidia-container's debug log names WSL on every host (src/nvc.c probes for dxcore): that
probe is no statement that the machine is WSL; a person's own words still are."""

from envcheck.explain import source
from envcheck.explain.parsers import freetext

NVC_LOG = """$ nvidia-container-cli -k -d /dev/tty info
I0828 18:43:18.664828 4993 nvc.c:389] attempting to load dxcore to see if we are running under Windows Subsystem for Linux (WSL)
I0828 18:43:18.664969 4993 nvc.c:391] dxcore initialization failed, continuing assuming a non-WSL environment
I0828 18:43:18.667000 4993 nvc.c:172] loading kernel module nvidia
"""


def _wsl(text):
    found = freetext.parse(source.normalise(text))
    return [c.reading.value for c in found.claims if c.path == "host.wsl"]


def test_the_container_toolkits_dxcore_probe_is_not_wsl():
    assert _wsl(NVC_LOG) == []


def test_a_person_saying_wsl_beside_the_same_log_still_is():
    assert _wsl("I run Ubuntu 22.04 under WSL on Windows 11.\n" + NVC_LOG) == ["wsl"]
