"""The condition vocabulary: three-valued answers, operators, the GPU architecture sources."""

from __future__ import annotations

import dataclasses

import pytest

from envcheck.derived.driver import driver_installed as nvidia_driver_installed
from envcheck.errors import EnvcheckError
from envcheck.facts import DriverFacts, Facts, HostFacts, PciDevice, PciFacts, TorchDevice
from envcheck.knowledge.pci_ids import range_of_device
from envcheck.recipes.conditions import ASSUMED_UBUNTU, FACTS, Condition, all_of, holds, parse_conditions
from envcheck.recipes.hardware import (
    arch_of_capability,
    datacenter_gpu,
    gpu_architectures,
    supports_open_modules,
)
from tests.builders import fail, gpu, healthy_driver, healthy_host, healthy_machine, machine, ok, pci_gpu, torch_build


def cond(**kw) -> Condition:
    return parse_conditions([kw], "test")[0]


def test_operators_answer_true_false_and_unknown():
    f = healthy_machine(host=healthy_host(secure_boot=True, os_version="22.04"))
    assert cond(fact="secure_boot", **{"is": True}).evaluate(f) is True
    assert cond(fact="secure_boot", is_not=True).evaluate(f) is False
    assert cond(fact="os_version", **{"in": ["22.04", "24.04"]}).evaluate(f) is True
    assert cond(fact="loaded_modules", has="nvidia_uvm").evaluate(f) is True
    assert cond(fact="loaded_modules", lacks="nouveau").evaluate(f) is True
    assert cond(fact="driver_version", at_least="580").evaluate(f) is True
    assert cond(fact="driver_version", below="570.124").evaluate(f) is False
    # Nobody looked: every operator says "unknown", never a guess.
    empty = Facts()
    assert {cond(fact="secure_boot", **{"is": True}).evaluate(empty),
            cond(fact="loaded_modules", lacks="nouveau").evaluate(empty),
            cond(fact="driver_version", below="580").evaluate(empty)} == {None}


def test_a_list_of_conditions_fails_on_any_no_and_is_unknown_otherwise():
    assert all_of([True, True]) is True
    assert all_of([True, None]) is None
    assert all_of([None, False]) is False
    assert all_of([]) is True
    f = machine(host=HostFacts(secure_boot=ok(True)))
    assert holds(parse_conditions([{"fact": "secure_boot", "is": True}, {"fact": "wsl", "is": "wsl2"}], "t"), f) is None


def test_every_fact_in_the_vocabulary_reads_partial_facts_without_error():
    for name, (doc, read) in FACTS.items():
        if name == "distro_family":  # Ubuntu is assumed when the distribution was not read, and it says so
            assert read(Facts()).detail == ASSUMED_UBUNTU and read(healthy_machine()).value == "ubuntu"
            continue
        assert doc and read(Facts()).status.value == "unknown", name
        read(healthy_machine())


def test_condition_descriptions():
    assert cond(fact="secure_boot", **{"is": True}).describe() == "secure_boot is true"
    assert cond(fact="wsl", **{"in": ["wsl1", "wsl2"]}).describe() == "wsl in wsl1, wsl2"
    assert cond(fact="wsl", **{"is": "wsl2"}, note="under WSL 2").describe() == "under WSL 2"


@pytest.mark.parametrize("item, message", [
    ({"fact": "nope", "is": 1}, "unknown fact 'nope'"),
    ({"fact": "wsl"}, "exactly one operator"),
    ({"fact": "wsl", "in": "wsl2"}, "'in' takes a list"),
    ({"fact": "wsl", "is": "x", "note": 3}, "note: expected a string"),
    ("wsl", "expected { fact"),
])
def test_malformed_conditions(item, message):
    with pytest.raises(EnvcheckError, match=message):
        parse_conditions([item], "here")


def test_nvidia_driver_installed_is_false_only_when_every_trace_was_looked_for():
    absent = DriverFacts(kernel_module_version=fail("not_found"), userspace_library_version=fail("not_found"),
                         nvidia_smi_path=fail("not_found"), installed_module_versions=ok(()))
    assert nvidia_driver_installed(Facts(driver=absent)).value is False
    assert nvidia_driver_installed(Facts(driver=dataclasses.replace(absent, installed_module_versions=ok(("550.90.07",))))).value is True
    assert nvidia_driver_installed(Facts(driver=healthy_driver())).value is True
    # The library was unreadable, not absent: cannot tell.
    unsure = dataclasses.replace(absent, userspace_library_version=fail("no_permission"))
    assert nvidia_driver_installed(Facts(driver=unsure)).status.value == "unknown"


@pytest.mark.parametrize("cc, arch", [("3.7", "kepler"), ("5.2", "maxwell"), ("6.1", "pascal"), ("7.0", "volta"),
                                      ("7.5", "turing"), ("8.0", "ampere"), ("8.6", "ampere"), ("8.9", "ada"),
                                      ("9.0", "hopper"), ("10.0", "blackwell"), ("12.0", "blackwell"),
                                      ("12.1", "blackwell"), ("8.7", "jetson"), ("11.0", "jetson"), ("2.0", None),
                                      ("x", None)])
def test_architecture_of_compute_capability(cc, arch):
    assert arch_of_capability(cc) == arch


@pytest.mark.parametrize("device_id, arch", [
    (0x13C2, "maxwell"), (0x17C8, "maxwell"), (0x15F8, "pascal"), (0x1B80, "pascal"), (0x1DB1, "volta"),
    (0x1E04, "turing"), (0x1EB8, "turing"), (0x2184, "turing"), (0x20B2, "ampere"), (0x2204, "ampere"),
    (0x2482, "ampere"), (0x2330, "hopper"), (0x2684, "ada"), (0x27B8, "ada"), (0x2901, "blackwell"),
    (0x2B85, "blackwell"), (0x2C02, "blackwell"), (0x0001, None), (0x3FFF, None),
])
def test_architecture_of_pci_device_id(device_id, arch):
    r = range_of_device(device_id)
    assert (r.arch if r else None) == arch


def test_gpu_architectures_prefer_nvml_then_torch_then_pci():
    pci = PciFacts(ok((pci_gpu(device_id=0x2684),)))
    assert gpu_architectures(machine(pci=pci)).value == ("ada",)
    assert gpu_architectures(machine(pci=pci, gpus=[gpu("NVIDIA H100 80GB HBM3", "9.0")])).value == ("hopper",)
    t = torch_build(devices=[TorchDevice(0, "NVIDIA GeForce RTX 5090", "12.0")])
    assert gpu_architectures(machine(pci=pci, torch=t)).value == ("blackwell",)
    mixed = machine(gpus=[gpu("Tesla V100", "7.0"), gpu("NVIDIA A100", "8.0", index=1)])
    assert gpu_architectures(mixed).value == ("volta", "ampere")
    assert supports_open_modules(("turing", "ada")) and not supports_open_modules(("volta", "ampere"))
    unknown = PciFacts(ok((pci_gpu(device_id=0x3FFF),)))
    assert gpu_architectures(machine(pci=unknown)).status.value == "unknown"
    assert gpu_architectures(Facts()).status.value == "unknown"


def test_datacenter_gpu_from_names_chips_and_display_class():
    assert datacenter_gpu(machine(gpus=[gpu("NVIDIA H100 80GB HBM3")])).value is True
    assert datacenter_gpu(machine(gpus=[gpu("NVIDIA GeForce RTX 4090", "8.9")])).value is False
    assert datacenter_gpu(machine(gpus=[gpu("NVIDIA RTX A1000", "8.6")])).value is False
    assert datacenter_gpu(machine(pci=PciFacts(ok((pci_gpu(device_id=0x2330),))))).value is True
    vga = dataclasses.replace(pci_gpu(device_id=0x2684), class_code=0x030000)
    assert datacenter_gpu(machine(pci=PciFacts(ok((vga,))))).value is False
    nvswitch = PciDevice("0000:05:00.0", 0x10DE, 0x22A3, 0x068000)
    assert datacenter_gpu(machine(pci=PciFacts(ok((pci_gpu(device_id=0x2684), nvswitch))))).value is True
    # A 3D-controller Ada card could be an L40S or a laptop GPU: cannot tell.
    assert datacenter_gpu(machine(pci=PciFacts(ok((pci_gpu(device_id=0x2684),))))).status.value == "unknown"


def test_desktop_driver_recipes_do_not_apply_to_a_jetson(recipes):
    # JetPack brings the Jetson's driver; ubuntu-drivers or NVIDIA's desktop repository would break it.
    from envcheck.recipes.fill import applies

    orin = machine(host=healthy_host(), gpus=[gpu("Orin (nvgpu)", "8.7")])
    for rid in ("driver_ubuntu_drivers", "driver_nvidia_apt"):
        assert applies(recipes.get(rid), orin) is False, rid
