"""What the explain readers' details say of a reading, where the rules need it: a
``driver.device_nodes`` reading that says nothing of the nodes it does not name, an empty
package query, a hosted runtime the text implies on a machine that shows its own driver."""

from envcheck.derived.messages import is_stated
from envcheck.facts import Facts

# A node absent from these readings is not known missing.
NAMED_DETAIL = "a listing of the named nodes only (not of /dev)"
PARAMS_DETAIL = "the driver's device-file setting (NVreg_DeviceFileMode/GID), not a listing of /dev"
# An empty answer to a package query for the driver (explain's driver_text reader).
NO_PACKAGE_DETAIL = "the package manager lists no NVIDIA driver package"


def hosted_with_driver(f: Facts) -> bool:
    """A "hosted runtime without a GPU" the text implies, on a machine whose own NVIDIA driver it
    shows being loaded (modprobe failing on nvidia, module sources built): hosted CPU runtimes
    have no driver to load, so the machine is one of the person's own (a "Colab-like" hub)."""
    d = f.driver
    if not (is_stated(f.pci.devices) and ": ran on " in str(f.pci.devices.detail)):
        return False
    return ("nvidia" in (d.modules_not_loaded.get(()) or ()) or bool(d.installed_module_versions.get(()))
            or any("nvidia" in str(e) for e in (d.module_load_errors.get(()) or ())))
