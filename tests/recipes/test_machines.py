"""The recorded machines: the snapshot files are exactly what the builders save, and complete."""

from __future__ import annotations

import dataclasses
import json

import pytest

from envcheck import snapshot
from envcheck.facts import PASTE_ONLY
from envcheck.probes import topology
from envcheck.reading import Reading, Status
from tests.probes.fakefs import FakeRoot
from tests.recipes.machines import MACHINES, path_of


def _unknown_paths(obj, path="$"):
    if isinstance(obj, Reading):
        if obj.status is Status.UNKNOWN:
            yield path
        for i, item in enumerate(obj.value if isinstance(obj.value, tuple) else ()):
            yield from _unknown_paths(item, f"{path}[{i}]")
    elif dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            yield from _unknown_paths(getattr(obj, f.name), f"{path}.{f.name}")


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_snapshot_file_matches_its_builder(name, tmp_path):
    snapshot.save(MACHINES[name](), tmp_path / "built.json")
    built = json.loads((tmp_path / "built.json").read_text())
    stored = json.loads(path_of(name).read_text())
    assert stored == built, "regenerate with: python -m tests.recipes.machines"
    assert snapshot.load(path_of(name)) == MACHINES[name]()


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_every_value_was_read_as_a_live_probe_would(name):
    facts = snapshot.load(path_of(name))
    unknown = list(_unknown_paths(facts))
    if facts.torch.installed.value is False:
        # The probe stops at "torch is not installed" and records nothing else about torch.
        unknown = [p for p in unknown if not p.startswith("$.torch.")]
    unknown = [p for p in unknown if p[2:] not in PASTE_ONLY]  # what a person says, never probed
    assert unknown == []


def test_the_machines_are_what_they_claim():
    fresh = MACHINES["fresh_2404_rtx4090_nouveau"]()
    assert fresh.pci.gpus[0].device_id == 0x2684 and fresh.pci.gpus[0].driver.value == "nouveau"
    assert fresh.host.os_version.value == "24.04" and fresh.nvml.init_error == "library_not_found"
    mismatch = MACHINES["ubuntu2204_driver_mismatch"]()
    assert (mismatch.driver.kernel_module_version.value, mismatch.driver.userspace_library_version.value) == (
        "550.90.07", "550.107.02")
    assert mismatch.nvml.init_error == "lib_rm_version_mismatch" and mismatch.host.os_version.value == "22.04"
    docker = MACHINES["docker_no_gpus"]()
    assert docker.host.container.value == "docker" and docker.driver.device_nodes.value == ()
    assert docker.host.shm_total_bytes.value == 64 * 2**20 and docker.has_nvidia_gpu is True


# Each machine's sysfs and procfs as the topology probe meets them (an ordinary user: the
# bridges' configuration space stops after its first 64 bytes, where ACS is not).
SYSFS = {
    "fresh_2404_rtx4090_nouveau": dict(gpu="0000:01:00.0", bridges=("0000:00:01.1",), numa=-1, cpus=32, groups=27,
                                       group_type="DMA-FQ", modules=("nouveau", "snd_hda_intel")),
    "ubuntu2204_driver_mismatch": dict(gpu="0000:01:00.0", bridges=("0000:00:01.0",), numa=-1, cpus=20, groups=0,
                                       group_type=None, modules=("nvidia_drm", "nvidia_modeset", "nvidia_uvm", "nvidia")),
    "docker_no_gpus": dict(gpu="0000:17:00.0", bridges=("0000:14:01.1", "0000:15:00.0", "0000:16:00.0"), numa=0,
                           cpus=128, groups=85, group_type="identity", modules=("nvidia_uvm", "nvidia")),
}


def _tree(fake: FakeRoot, gpu: str, bridges, numa: int, cpus: int, groups: int, group_type, modules) -> None:
    chain = f"/sys/devices/pci{bridges[0][:7]}"
    for b in bridges:
        chain += f"/{b}"
        fake.write(f"{chain}/config", bytes(64))  # what an ordinary user reads of a bridge's config space
        fake.symlink(f"/sys/bus/pci/devices/{b}", str(fake / chain))
    chain += f"/{gpu}"
    for name, text in (("vendor", "0x10de"), ("device", "0x2684"), ("class", "0x030000"), ("numa_node", str(numa)),
                       ("local_cpulist", f"0-{cpus - 1}")):
        fake.write(f"{chain}/{name}", text + "\n")
    fake.symlink(f"/sys/bus/pci/devices/{gpu}", str(fake / chain))
    fake.mkdir("/sys/kernel/iommu_groups")
    for g in range(groups):
        fake.mkdir(f"/sys/kernel/iommu_groups/{g}/devices")
    if group_type:
        fake.write("/sys/kernel/iommu_groups/7/type", group_type + "\n")
        fake.symlink(f"{chain}/iommu_group", str(fake / "/sys/kernel/iommu_groups/7"))
    fake.write("/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz root=UUID=REDACTED ro quiet splash\n")
    fake.write("/proc/modules", "".join(f"{m} 16384 0 - Live 0x0000000000000000\n" for m in modules))


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_the_interconnect_facts_are_what_the_probe_reads_there(name, tmp_path):
    facts = MACHINES[name]()
    spec = SYSFS[name]
    fake = FakeRoot(tmp_path)
    _tree(fake, **spec)
    nvml_down = facts.interconnect.pairs  # nvmlInit's failure, as the worker's topology job met it
    assert nvml_down.status is facts.nvml.init.status and facts.nvml.init_error in nvml_down.detail
    read = topology.failed(nvml_down, fake.path, process_cpus=range(spec["cpus"]))
    assert read == facts.interconnect
