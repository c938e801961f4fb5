"""The readers of nvidia-smi's other formats and of deviceQuery: --version, topo -m, nvlink -s,
-L with MIG, -q -x XML, wide --query-gpu CSV; and the whole explain path on the states that
must give a finding (several GPUs in -q, lost GPUs, ERR!, impossible power)."""

from __future__ import annotations

from envcheck.explain import diagnose, explain_text
from envcheck.explain.parsers import device_query, nvidia_smi_csv, nvidia_smi_topo, nvidia_smi_version, nvidia_smi_xml
from envcheck.explain.source import normalise
from envcheck.reading import Status

from .helpers import gpu_fields, text, values

MIB = 1 << 20


def ids(report):
    return sorted(((f.id, f.gpu) for f in report.findings), key=lambda x: (x[0], -1 if x[1] is None else x[1]))


def run(s: str):
    return diagnose(normalise(s), collected_at="")


# ------------------------------------------------------------------ --version
def test_version_before_and_after_r610():
    old = values(nvidia_smi_version.parse(text("NVIDIA-SMI version  : 580.173.02\nNVML version        : 580.173\n"
                                                "DRIVER version      : 580.173.02\nCUDA Version        : 13.0\n")))
    assert (old["nvml.driver_version"], old["nvml.cuda_driver_version"], old["nvml.nvml_version"]) == \
        ("580.173.02", "13.0", "580.173")
    new = values(nvidia_smi_version.parse(text(
        'NVIDIA-SMI version  : 610.62\nNVML version        : 610.62\n'
        'DRIVER version      : Deprecated, see "KMD version" instead\n'
        'CUDA version        : Deprecated, see "CUDA UMD version" instead\n'
        "KMD version         : 610.62\nCUDA UMD version    : 13.3\n")))
    assert (new["nvml.driver_version"], new["nvml.cuda_driver_version"]) == ("610.62", "13.3")


# ------------------------------------------------------------------ topo -m
TOPO = ("\tGPU0\tGPU1\tGPU2\tNIC0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
        "GPU0\t X \tNV6\tSYS\tPIX\t0-47\t0\t\tN/A\n"
        "GPU1\tNV6\t X \tSYS\tSYS\t0-47\t0\t\tN/A\n"
        "GPU2\tSYS\tSYS\t X \tSYS\t48-95\t1\t\tN/A\n"
        "NIC0\tPIX\tSYS\tSYS\t X \t\t\t\t\n\nLegend:\n\n  X    = Self\n")


def _topo(s):
    f = nvidia_smi_topo.parse(text(s))
    v = values(f)
    pairs = {(p.a, p.b): (p.path.value, p.nvlinks.value) for p in v["interconnect.pairs"]}
    aff = {a.gpu: (a.cpu_list.value, a.numa_node.value) for a in v["interconnect.affinity"]}
    return pairs, aff, sorted({g["index"] for g in gpu_fields(f)})


def test_topo_tabs_nvlinks_nics_and_affinity():
    pairs, aff, gpus = _topo(TOPO)
    assert pairs == {(0, 1): ("NV6", 6), (0, 2): ("SYS", 0), (1, 2): ("SYS", 0)}
    assert aff == {0: ("0-47", 0), 1: ("0-47", 0), 2: ("48-95", 1)}
    assert gpus == [0, 1, 2]


def test_topo_with_spaces_and_colour_codes():
    coloured = ("        GPU0    GPU1    CPU Affinity    NUMA Affinity\n"
                "GPU0     X      \x1b[32mNV12\x1b[0m    0-11            N/A\n"
                "GPU1    [32mNV12[0m     X      0-11            N/A\n")
    pairs, aff, gpus = _topo(coloured)
    assert pairs == {(0, 1): ("NV12", 12)} and aff[0] == ("0-11", None) and gpus == [0, 1]


def test_a_topo_gpu_lost_elsewhere_stays_lost():
    e, r = run("Unable to determine the device handle for GPU1: 0000:34:00.0: Unknown Error\n" + TOPO)
    assert e.facts.gpus[1].status.status is Status.GPU_LOST and ("gpu_lost", 1) in ids(r)


# ------------------------------------------------------------------ nvlink -s and -L
def test_nvlink_status_links_and_inactive_links():
    e = explain_text("GPU 3: Tesla V100-SXM2-32GB (UUID: ...)\n\t Link 0: 25.781 GB/s\n\t Link 3: <inactive>\n")
    links = e.facts.interconnect.nvlinks.value
    assert [(x.gpu, x.link, x.active.value, x.speed_gbps.value) for x in links] == \
        [(3, 0, True, 25.781), (3, 3, False, None)]
    assert [(g.index, g.name.value, g.uuid.status.value) for g in e.facts.gpus] == \
        [(3, "Tesla V100-SXM2-32GB", "unknown")]


def test_nvlink_without_links_and_in_mig_mode():
    e = explain_text("GPU 0: NVIDIA L40S (UUID: GPU-00000000-0000-0000-0000-000000000000)\n"
                     "Device does not have or support Nvlink\n")
    assert e.facts.interconnect.nvlinks.value == ()
    e = explain_text("GPU 0: NVIDIA H200 (UUID: GPU-00000000-0000-0000-0000-000000000000)\n"
                     "nvlink not supported for Devices in MIG mode\n")
    assert e.facts.interconnect.nvlinks.status is Status.NOT_SUPPORTED


def test_list_with_mig_devices_and_an_empty_uuid():
    e, r = run("GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-63d1e50a-b952-d15c-0740-12bc14859142)\n"
               "  MIG 1g.10gb     Device  0: (UUID: MIG-4d0efb7d-0970-51d9-b761-0686be6b8af3)\n"
               "  MIG 1g.10gb     Device  1: (UUID: MIG-7d8b2e8d-57ea-5fe3-83bc-2026e5cb10fb)\n"
               "GPU 1: Tesla K80 (UUID: GPU-)\n")
    g0, g1 = e.facts.gpus
    assert len(e.facts.gpus) == 2 and g0.mig_mode_current.value is True
    assert g1.uuid.status is Status.ERROR and ("gpu_uuid_missing", 1) in ids(r)


# ------------------------------------------------------------------ deviceQuery
DQ = ("Detected 2 CUDA Capable device(s)\n\n"
      'Device 0: "GeForce GTX 1060 6GB"\n'
      "  CUDA Driver Version / Runtime Version          9.1 / 7.5\n"
      "  CUDA Capability Major/Minor version number:    6.1\n"
      "  Total amount of global memory:                 6078 MBytes (6373572608 bytes)\n"
      "  Device PCI Domain ID / Bus ID / location ID:   0 / 3 / 0\n\n"
      'Device 1: "NVS 310"\n'
      "  CUDA Capability Major/Minor version number:    2.1\n"
      "  Total amount of global memory:                 962 MBytes (1008205824 bytes)\n"
      "  Device PCI Domain ID / Bus ID / location ID:   0 / 130 / 0\n")


def test_device_query_devices_cuda_version_and_bus_ids():
    f = device_query.parse(text(DQ))
    assert values(f)["nvml.cuda_driver_version"] == "9.1"
    assert [(g["name"], g["pci_bus_id"], g["compute_capability"], g["memory_total_bytes"]) for g in gpu_fields(f)] == [
        ("GeForce GTX 1060 6GB", "00000000:03:00.0", "6.1", 6373572608),
        ("NVS 310", "00000000:82:00.0", "2.1", 1008205824)]


def test_device_query_joins_nvidia_smi_by_bus_id_not_by_cuda_order():
    table = ("| NVIDIA-SMI 390.48                 Driver Version: 390.48                    |\n"
             "|   0  NVS 310             Off  | 00000000:82:00.0 N/A |                  N/A |\n"
             "|   1  GeForce GTX 106...  Off  | 00000000:03:00.0  On |                  N/A |\n")
    e = explain_text(table + DQ)
    assert [(g.index, g.name.value, g.compute_capability.value) for g in e.facts.gpus] == [
        (0, "NVS 310", "2.1"), (1, "GeForce GTX 1060 6GB", "6.1")]


def test_device_query_counts_devices_whose_block_is_cut():
    e = explain_text("Detected 2 CUDA Capable device(s)\n\nDevice 0: \"NVIDIA GeForce RTX 5090\"\n"
                     "  CUDA Driver Version / Runtime Version          12.8 / 12.8\n")
    assert [g.name.value for g in e.facts.gpus] == ["NVIDIA GeForce RTX 5090", None]


def test_device_query_failures_give_findings():
    _, r = run("cudaGetDeviceCount returned 35\n-> CUDA driver version is insufficient for CUDA runtime version\n"
               "Result = FAIL\n")
    assert ("cuda_toolkit_newer_than_driver", None) in ids(r)
    _, r = run("./deviceQuery Starting...\ncudaGetDeviceCount returned 999\n-> unknown error\nResult = FAIL\n")
    # deviceQuery's "returned 999 -> unknown error" is CUDA's catch-all at start: the
    # catalogue's cuda_unknown_error, whose commonest cause (no nvidia-uvm) comes with it.
    assert ids(r) == [("cuda_init_failed", None), ("nvidia_uvm_missing", None)]


# ------------------------------------------------------------------ -q -x
XML = """<?xml version="1.0" ?>
<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">
<nvidia_smi_log>
\t<driver_version>610.43.02</driver_version>
\t<cuda_version>13.3</cuda_version>
\t<kmd_version>610.43.02</kmd_version>
\t<cuda_umd_version>13.3</cuda_umd_version>
\t<attached_gpus>2</attached_gpus>
\t<gpu id="00000000:07:00.0">
\t\t<product_name>NVIDIA A100-SXM4-80GB</product_name>
\t\t<pci><pci_bus_id>00000000:07:00.0</pci_bus_id></pci>
\t\t<fb_memory_usage><total>81920 MiB</total><used>4 MiB</used></fb_memory_usage>
\t\t<ecc_errors><volatile><sram_correctable>0</sram_correctable><dram_correctable>353</dram_correctable>
\t\t<dram_uncorrectable>0</dram_uncorrectable></volatile></ecc_errors>
\t\t<remapped_rows><remapped_row_corr>1</remapped_row_corr><remapped_row_unc>0</remapped_row_unc>
\t\t<remapped_row_pending>Yes</remapped_row_pending><remapped_row_failure>No</remapped_row_failure></remapped_rows>
\t\t<clocks_event_reasons><clocks_event_reason_hw_thermal_slowdown>Active</clocks_event_reason_hw_thermal_slowdown>
\t\t</clocks_event_reasons>
\t\t<gpu_power_readings><instant_power_draw>62.15 W</instant_power_draw>
\t\t<current_power_limit>400.00 W</current_power_limit></gpu_power_readings>
\t\t<processes><process_info><pid>2180</pid><type>C</type><process_name>python</process_name>
\t\t<used_memory>22072 MiB</used_memory></process_info></processes>
\t</gpu>
\t<gpu id="00000000:0F:00.0">
\t\t<product_name>NVIDIA A100-SXM4-80GB</product_name>
\t\t<fb_memory_usage><total>GPU is lost</total></fb_memory_usage>
\t</gpu>
</nvidia_smi_log>
"""


def test_xml_two_gpus_every_field_the_text_gives():
    e, r = run("$ nvidia-smi -q -x\n" + XML)
    f = e.facts
    assert (f.nvml.driver_version.value, f.nvml.cuda_driver_version.value) == ("610.43.02", "13.3")
    g0, g1 = f.gpus
    assert (g0.name.value, g0.pci_bus_id.value, g0.memory_total_bytes.value) == \
        ("NVIDIA A100-SXM4-80GB", "00000000:07:00.0", 81920 * MIB)
    assert g0.ecc_volatile_corrected.value == 353 and g0.remapped_rows_pending.value is True
    assert g0.clock_event_reasons.value == ("hw_thermal_slowdown",) and g0.power_draw_w.value == 62.15
    assert [(p.pid, p.used_memory_bytes.value) for p in g0.processes.value] == [(2180, 22072 * MIB)]
    assert g1.pci_bus_id.value == "00000000:0F:00.0" and g1.status.status is Status.GPU_LOST
    assert {"row_remap_pending", "ecc_errors", "gpu_throttling", "gpu_lost"} <= {i for i, _ in ids(r)}


def test_xml_with_entities_or_an_internal_dtd_is_not_read():
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE nvidia_smi_log [\n<!ENTITY a "aaaaaaaaaa">\n'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
            "<nvidia_smi_log><driver_version>&b;</driver_version></nvidia_smi_log>\n")
    f = nvidia_smi_xml.parse(text(bomb))
    assert not f and "declares entities" in f.notes[0]
    external = XML.replace('<!DOCTYPE nvidia_smi_log SYSTEM "nvsmi_device_v13.dtd">',
                           '<!DOCTYPE nvidia_smi_log SYSTEM "file:///etc/passwd">')
    assert not nvidia_smi_xml.parse(text(external))


def test_xml_cut_short_is_read_up_to_the_cut():
    cut = XML[:XML.index("<ecc_errors>")]
    g = gpu_fields(nvidia_smi_xml.parse(text(cut)))[0]
    assert g["name"] == "NVIDIA A100-SXM4-80GB" and g["memory_total_bytes"] == 81920 * MIB


# ------------------------------------------------------------------ --query-gpu CSV
def test_csv_unknown_columns_units_not_supported_and_crlf():
    csv = ("timestamp, driver_version, kmd_version, vgpu_driver_capability.heterogenous_multivGPU, name, "
           "pci.bus_id, pci.device_id, memory.total [MiB], power.draw [W], power.limit [W], "
           "clocks_event_reasons.sw_thermal_slowdown, temperature.memory\r\n"
           "2026/09/01 20:47:29.320, 610.43.02, 610.43.02, [N/A], NVIDIA H200, 00000000:83:00.0, 0x233510DE, "
           "143771 MiB, 130.44 W, 700.00 W, Active, [Not Supported]\r\n")
    f = nvidia_smi_csv.parse(normalise(csv))
    assert values(f)["nvml.driver_version"] == "610.43.02"
    [g] = gpu_fields(f)
    assert (g["index"], g["name"], g["pci_bus_id"], g["memory_total_bytes"], g["power_draw_w"]) == \
        (0, "NVIDIA H200", "00000000:83:00.0", 143771 * MIB, 130.44)
    assert g["clock_event_reasons"] == ("sw_thermal_slowdown",) and g["memory_temp_c"] == "not_supported"


def test_csv_nounits_and_noheader_with_the_command():
    f = nvidia_smi_csv.parse(text('$ nvidia-smi --query-gpu="index,name,memory.total" --format=csv,noheader,nounits\n'
                                  "# Output\n0, Tesla T4, 15360\n1, Tesla T4, 15360\n"))
    assert [(g["index"], g["memory_total_bytes"]) for g in gpu_fields(f)] == [(0, 15360 * MIB), (1, 15360 * MIB)]


def test_compute_apps_and_retired_pages_rows_are_not_gpus():
    e = explain_text("gpu_bus_id, pid, process_name, used_gpu_memory [MiB]\n"
                     "00000000:83:00.0, 1234, python, 20000 MiB\n00000000:83:00.0, 1240, python, 10 MiB\n"
                     "timestamp, gpu_name, gpu_bus_id, retired_pages.address, retired_pages.cause\n"
                     "2026/09/01, NVIDIA H200, 00000000:83:00.0, [N/A], Single Bit ECC\n"
                     "2026/09/01, NVIDIA H200, 00000000:83:00.0, [N/A], Double Bit ECC\n")
    [g] = e.facts.gpus
    assert g.name.value == "NVIDIA H200" and [p.pid for p in g.processes.value] == [1234, 1240]


# ------------------------------------------------------------------ -q: several GPUs, sections, margins
def _q_block(bus, name="NVIDIA A100-SXM4-80GB", pending="No", correctable=0):
    return (f"GPU {bus}\n    Product Name                          : {name}\n"
            f"    PCI\n        Bus Id                            : {bus}\n"
            "    FB Memory Usage\n        Total                             : 81920 MiB\n"
            "    ECC Errors\n        Volatile\n"
            f"            DRAM Correctable              : {correctable}\n"
            "            DRAM Uncorrectable            : 0\n"
            "    Remapped Rows\n        Correctable Error                 : 0\n"
            "        Uncorrectable Error               : 0\n"
            f"        Pending                           : {pending}\n"
            "        Remapping Failure Occurred        : No\n"
            "    Processes                             : None\n\n")


Q4 = ("==============NVSMI LOG==============\n\nDriver Version                            : 535.183.01\n"
      "CUDA Version                              : 12.2\n\nAttached GPUs                             : 4\n"
      + _q_block("00000000:07:00.0") + _q_block("00000000:0F:00.0", pending="Yes", correctable=353)
      + _q_block("00000000:47:00.0") + _q_block("00000000:4E:00.0"))


def test_q_four_gpus_keyed_by_bus_id_and_the_remap_on_gpu_1():
    e, r = run(Q4)
    assert [(g.index, g.pci_bus_id.value) for g in e.facts.gpus] == [
        (0, "00000000:07:00.0"), (1, "00000000:0F:00.0"), (2, "00000000:47:00.0"), (3, "00000000:4E:00.0")]
    assert not [n for n in e.facts.notes if "disagrees" in n]
    assert ("row_remap_pending", 1) in ids(r) and ("ecc_errors", 1) in ids(r)


def test_q_product_name_gives_no_phantom_gpu():
    e = explain_text(Q4.replace("NVIDIA A100-SXM4-80GB", "NVIDIA H100 80GB HBM3"))
    assert len(e.facts.gpus) == 4 and {g.name.value for g in e.facts.gpus} == {"NVIDIA H100 80GB HBM3"}


def test_q_process_list_and_mig_devices():
    e = explain_text("GPU 00000000:01:00.0\n    Product Name                          : NVIDIA H200\n"
                     "    MIG Device\n        Index                             : 0\n"
                     "        Shared FB Memory Usage\n            Total                         : 71424 MiB\n"
                     "    FB Memory Usage\n        Total                             : 143771 MiB\n"
                     "    Processes\n        GPU instance ID                   : N/A\n"
                     "        Compute instance ID               : N/A\n"
                     "        Process ID                        : 2180559\n"
                     "            Type                          : C\n"
                     "            Name                          : /opt/conda/bin/python\n"
                     "            Used GPU Memory               : 22072 MiB\n")
    [g] = e.facts.gpus
    assert g.memory_total_bytes.value == 143771 * MIB and g.mig_mode_current.value is True
    assert [(p.pid, p.name.value, p.used_memory_bytes.value, p.kind) for p in g.processes.value] == [
        (2180559, "/opt/conda/bin/python", 22072 * MIB, "compute")]


def test_q_sections_alone_and_with_a_percent_margin():
    sections = "\n".join("% " + line for line in Q4.replace(
        "    Product Name                          : NVIDIA A100-SXM4-80GB\n", "").split("\n"))
    e, r = run("!nvidia-smi -q -d ECC,PAGE_RETIREMENT,ROW_REMAPPER\n" + sections)
    assert len(e.facts.gpus) == 4 and e.facts.nvml.driver_version.value == "535.183.01"
    assert ("row_remap_pending", 1) in ids(r)


def test_q_fragment_without_its_gpu_header_belongs_to_the_one_gpu():
    e, r = run("|   0  NVIDIA A10                     On  |   00000000:07:00.0 Off |                    0 |\n"
               "    Remapped Rows\n        Pending                           : Yes\n")
    assert len(e.facts.gpus) == 1 and ("row_remap_pending", 0) in ids(r)


# ------------------------------------------------------------------ the table: old, broken, odd
def test_r325_table_in_mb_and_na_display():
    f = explain_text("| NVIDIA-SMI 5.325.15   Driver Version: 325.15         |\n"
                     "|   0  GeForce GTX TITAN   Off  | 0000:03:00.0     N/A |                  N/A |\n"
                     "| 31%   44C  N/A     N/A /  N/A |       14MB /  6143MB |     N/A      Default |\n").facts
    assert f.nvml.driver_version.value == "325.15"
    assert [(g.name.value, g.memory_total_bytes.value) for g in f.gpus] == [("GeForce GTX TITAN", 6143 * MIB)]


def test_err_power_cuda_err_and_implausible_power_are_findings_not_numbers():
    e, r = run("| NVIDIA-SMI 545.46                 Driver Version: 546.80       CUDA Version: ERR!     |\n"
               "|   0  NVIDIA GeForce RTX 3060 ...    On  | 00000000:01:00.0  On |                  N/A |\n"
               "| N/A   54C    P8            588W /  35W |    816MiB /  6144MiB |      3%      Default |\n"
               "|   1  Tesla V100-PCIE...  On   | 00008ED0:00:00.0 Off |                    0 |\n"
               "| N/A   29C    P0   ERR! / 250W |    593MiB / 16160MiB |      0%      Default |\n")
    g0, g1 = e.facts.gpus
    assert g0.power_draw_w.status is Status.ERROR and "588 W" in g0.power_draw_w.detail
    assert e.facts.nvml.cuda_driver_version.status is Status.ERROR
    assert {("gpu_reading_implausible", 0), ("nvml_query_errors", 1), ("nvml_query_errors", None)} <= set(ids(r))
    assert any("cut short" in n and "RTX 3060 ..." in n for n in e.facts.notes)


def test_indented_table_and_lost_gpu_with_its_index():
    e, r = run("  | NVIDIA-SMI 517.48       Driver Version: 517.48       CUDA Version: 11.7     |\n"
               "  |   0  NVIDIA GeForce ... WDDM  | 00000000:01:00.0  On |                  N/A |\n"
               "  | N/A   45C    P8     5W /  N/A |      0MiB /  4096MiB |      0%      Default |\n"
               "Unable to determine the device handle for GPU1: 0000:34:00.0: Unknown Error\n")
    assert [(g.index, g.status.status.value) for g in e.facts.gpus] == [(0, "ok"), (1, "gpu_lost")]
    assert ("gpu_lost", 1) in ids(r)


def test_no_devices_beside_a_pci_listing_is_a_lost_gpu_alone_a_driver_finding():
    lspci = "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GB202 [GeForce RTX 5090] [10de:2b85] (rev a1)\n"
    e, r = run(lspci + "$ nvidia-smi\nNo devices were found\n")
    assert [(g.name.value, g.status.status.value) for g in e.facts.gpus] == [("NVIDIA GeForce RTX 5090", "gpu_lost")]
    assert ("gpu_lost", 0) in ids(r)
    _, r = run("# nvidia-smi\nNo devices were found\n")
    assert ids(r) == [("driver_found_no_gpu", None)]
