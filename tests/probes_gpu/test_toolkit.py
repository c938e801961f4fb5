"""toolkit.probe over fake trees and recorded outputs (nvcc, ldconfig -p, cuDNN headers, version.json)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from envcheck import runner
from envcheck.facts import CudaInstall, LibraryFile, ToolkitFacts
from envcheck.probes import toolkit
from envcheck.reading import Reading, Status
from envcheck.runner import RunResult
from tests.probes_gpu.support import Exe, FakeRun, Link, build, fixture

ok = Reading.of
NVCC = Exe("#!/bin/sh\nexit 0\n")  # never run: FakeRun answers for it
LIB = "\x7fELF (test stand-in for a shared library)"
X86 = "/usr/lib/x86_64-linux-gnu"


def ubuntu_tree(root: Path) -> Path:
    """CUDA 10.1, 11.8 and 12.4 side by side, /usr/local/cuda -> alternatives -> 12.4,
    cuDNN 8 from apt (alternatives-managed header), cuDNN 9 copied into the 12.4 tree."""
    return build(root, {
        "/usr/local/cuda": Link("/etc/alternatives/cuda"),
        "/etc/alternatives/cuda": Link("/usr/local/cuda-12.4"),
        "/usr/local/cuda-12.4/version.json": '{"cuda": {"name": "CUDA SDK", "version": "12.4.1"}}',
        "/usr/local/cuda-12.4/bin/nvcc": NVCC,
        "/usr/local/cuda-12.4/lib64/libcudart.so": Link("libcudart.so.12"),
        "/usr/local/cuda-12.4/lib64/libcudart.so.12": Link("libcudart.so.12.4.127"),
        "/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127": LIB,
        "/usr/local/cuda-12.4/lib64/libcudart_static.a": LIB,
        "/usr/local/cuda-12.4/lib64/libcublas.so.12": Link("libcublas.so.12.4.5.8"),
        "/usr/local/cuda-12.4/lib64/libcublas.so.12.4.5.8": LIB,
        "/usr/local/cuda-12.4/lib64/libcudnn.so.9": Link("libcudnn.so.9.5.0"),  # dangling: loads nothing
        "/usr/local/cuda-12.4/lib64/stubs/libcuda.so": LIB,
        "/usr/local/cuda-12.4/include/cudnn_version.h": fixture("cudnn/cudnn_version_v9.h"),
        "/usr/local/cuda-12.4/include/cudnn.h": '#include "cudnn_version.h"\n',
        "/usr/local/cuda-11.8/version.json": fixture("cuda_tree/version_11.8.json"),
        "/usr/local/cuda-11.8/bin/nvcc": NVCC,
        "/usr/local/cuda-10.1/version.txt": fixture("cuda_tree/version_10.1.txt"),
        "/usr/local/cuda-10.1/include/cudnn.h": fixture("cudnn/cudnn_v7.h"),
        "/usr/include/cudnn_version.h": Link("/etc/alternatives/cudnn_version_h"),
        "/etc/alternatives/cudnn_version_h": Link("/usr/include/x86_64-linux-gnu/cudnn_version_v8.h"),
        "/usr/include/x86_64-linux-gnu/cudnn_version_v8.h": fixture("cudnn/cudnn_version_v8.h"),
        f"{X86}/libcudnn.so.8": Link("libcudnn.so.8.9.7"),
        f"{X86}/libcudnn.so.8.9.7": LIB,
        f"{X86}/libcuda.so.1": Link("libcuda.so.535.129.03"),
        f"{X86}/libcuda.so.535.129.03": LIB,
        f"{X86}/libnvidia-ml.so.1": Link("libnvidia-ml.so.535.129.03"),
        f"{X86}/libnvidia-ml.so.535.129.03": LIB,
    })


ENV = {"PATH": "/home/u/.local/bin:/usr/local/cuda-11.8/bin:/usr/bin",
       "LD_LIBRARY_PATH": "/usr/local/cuda-12.4/lib64::/usr/local/cuda/lib64/stubs",
       "CUDA_HOME": "/usr/local/cuda", "HOME": "/home/u"}


def test_ubuntu_machine_with_three_toolkits_exact(tmp_path):
    root = ubuntu_tree(tmp_path)
    run = FakeRun({str(root / "usr/local/cuda-11.8/bin/nvcc"): fixture("nvcc/11.8.txt"),
                   "/sbin/ldconfig": fixture("ldconfig_p.txt")})
    facts = toolkit.probe(root=root, run=run, environ=ENV)
    assert facts == ToolkitFacts(
        nvcc_path=ok("/usr/local/cuda-11.8/bin/nvcc", "found on PATH"),
        nvcc_version=ok("11.8", "V11.8.89"),
        cuda_home=ok("/usr/local/cuda", "CUDA_HOME"),
        cuda_installs=ok((
            CudaInstall("/usr/local/cuda", ok("12.4.1", "version.json"), "/usr/local/cuda-12.4"),
            CudaInstall("/usr/local/cuda-10.1", ok("10.1.243", "version.txt")),
            CudaInstall("/usr/local/cuda-11.8", ok("11.8.20220929", "version.json")),
            CudaInstall("/usr/local/cuda-12.4", ok("12.4.1", "version.json")),
        )),
        path_cuda_entries=ok(("/usr/local/cuda-11.8/bin",)),
        ld_library_path=ok(("/usr/local/cuda-12.4/lib64", "", "/usr/local/cuda/lib64/stubs")),
        cudnn_headers=ok((
            LibraryFile("cudnn_version.h", "/usr/include/cudnn_version.h", "8.9.7", "header"),
            LibraryFile("cudnn_version.h", "/usr/local/cuda-12.4/include/cudnn_version.h", "9.5.0", "header"),
            LibraryFile("cudnn.h", "/usr/local/cuda-10.1/include/cudnn.h", "7.6.5", "header"),
        )),
        libraries=ok((
            LibraryFile("libnvidia-ml.so.1", f"{X86}/libnvidia-ml.so.1", "535.129.03", "ldconfig"),
            LibraryFile("libnvidia-ml.so", f"{X86}/libnvidia-ml.so", None, "ldconfig"),
            LibraryFile("libnccl.so.2", f"{X86}/libnccl.so.2", "2", "ldconfig"),
            LibraryFile("libcudnn_ops_infer.so.8", f"{X86}/libcudnn_ops_infer.so.8", "8", "ldconfig"),
            LibraryFile("libcudnn_adv_train.so.8", f"{X86}/libcudnn_adv_train.so.8", "8", "ldconfig"),
            LibraryFile("libcudnn_adv_infer.so.8", f"{X86}/libcudnn_adv_infer.so.8", "8", "ldconfig"),
            LibraryFile("libcudnn.so.8", f"{X86}/libcudnn.so.8", "8.9.7", "ldconfig"),
            LibraryFile("libcudart.so.12", "/usr/local/cuda-12.2/lib64/libcudart.so.12", "12", "ldconfig"),
            LibraryFile("libcuda.so.1", f"{X86}/libcuda.so.1", "535.129.03", "ldconfig"),
            LibraryFile("libcuda.so", f"{X86}/libcuda.so", None, "ldconfig"),
            LibraryFile("libcublas.so.12", "/usr/local/cuda-12.2/lib64/libcublas.so.12", "12", "ldconfig"),
            LibraryFile("libcublasLt.so.12", "/usr/local/cuda-12.2/lib64/libcublasLt.so.12", "12", "ldconfig"),
            LibraryFile("libcublas.so.12.4.5.8", "/usr/local/cuda-12.4/lib64/libcublas.so.12.4.5.8", "12.4.5.8",
                        "ld_library_path"),
            LibraryFile("libcudart.so.12.4.127", "/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127", "12.4.127",
                        "ld_library_path"),
            # The driver stub on LD_LIBRARY_PATH: what "CUDA driver version is insufficient" looks like.
            LibraryFile("libcuda.so", "/usr/local/cuda-12.4/lib64/stubs/libcuda.so", None, "ld_library_path"),
            LibraryFile("libcublas.so.12.4.5.8", "/usr/local/cuda-12.4/lib64/libcublas.so.12.4.5.8", "12.4.5.8",
                        "cuda_home"),
            LibraryFile("libcudart.so.12.4.127", "/usr/local/cuda-12.4/lib64/libcudart.so.12.4.127", "12.4.127",
                        "cuda_home"),
        )),
    )
    ldconfig = [c for c in run.calls if "ldconfig" in c[0]]  # nvcc runs alongside, in another thread
    assert ldconfig[:2] == [("ldconfig", "-p"), ("/sbin/ldconfig", "-p")]  # /sbin is not on this PATH


@pytest.mark.parametrize("release, build_id", [("10.1", "V10.1.243"), ("11.8", "V11.8.89"), ("12.4", "V12.4.131"),
                                               ("12.8", "V12.8.93"), ("13.0", "V13.0.88")])
def test_recorded_nvcc_banners(tmp_path, release, build_id):
    build(tmp_path, {"/opt/cuda/bin/nvcc": NVCC})
    run = FakeRun({"nvcc": fixture(f"nvcc/{release}.txt")})
    facts = toolkit.probe(root=tmp_path, run=run, environ={"PATH": "/usr/bin:/opt/cuda/bin"})
    assert facts.nvcc_version == ok(release, build_id)
    assert facts.path_cuda_entries == ok(("/opt/cuda/bin",))


@pytest.mark.parametrize("reply, status, detail", [
    (RunResult((), Status.TIMEOUT, detail="nvcc: no answer within 20 s"), "timeout", "nvcc: no answer within 20 s"),
    (RunResult((), Status.OK, 1, "", "nvcc fatal   : Unknown option\n"), "error",
     "nvcc --version: exit 1: nvcc fatal   : Unknown option"),
    (RunResult((), Status.OK, 0, "Segmentation fault\n", ""), "error", "nvcc --version: exit 0: Segmentation fault"),
    (RunResult((), Status.NO_PERMISSION, detail="nvcc: Permission denied"), "no_permission", "nvcc: Permission denied"),
])
def test_nvcc_that_fails(tmp_path, reply, status, detail):
    build(tmp_path, {"/usr/local/cuda/bin/nvcc": NVCC})
    facts = toolkit.probe(root=tmp_path, run=FakeRun({"nvcc": reply}), environ={"PATH": "/usr/bin"})
    assert facts.nvcc_path == ok("/usr/local/cuda/bin/nvcc", "not on PATH; found in /usr/local/cuda")
    assert facts.nvcc_version == Reading.fail(Status(status), detail)


def test_bare_machine(tmp_path):
    facts = toolkit.probe(root=tmp_path, run=FakeRun({}), environ={})
    why = "nvcc is not on PATH, in CUDA_HOME/CUDA_PATH or in /usr/local/cuda/bin"
    assert facts == ToolkitFacts(
        nvcc_path=Reading.fail(Status.NOT_FOUND, why), nvcc_version=Reading.fail(Status.NOT_FOUND, why),
        cuda_home=Reading.fail(Status.NOT_FOUND, "CUDA_HOME and CUDA_PATH are not set"), cuda_installs=ok(()),
        path_cuda_entries=Reading.fail(Status.NOT_FOUND, "PATH is not set"),
        ld_library_path=Reading.fail(Status.NOT_FOUND, "LD_LIBRARY_PATH is not set"), cudnn_headers=ok(()),
        libraries=ok((), "ldconfig -p unavailable (/usr/sbin/ldconfig: command not found); directories only"))


def test_cuda_path_outside_usr_local_and_odd_trees(tmp_path):
    build(tmp_path, {
        "/opt/nvidia/cuda/bin/nvcc": NVCC,
        "/opt/nvidia/cuda/version.json": '{"cuda": {}}',
        "/usr/local/cuda-12.6/bin/.keep": "",  # no version file: the name is all there is
        "/usr/local/cuda-loop": Link("/usr/local/cuda-loop2"),
        "/usr/local/cuda-loop2": Link("/usr/local/cuda-loop"),
        "/usr/local/cuda-docs.txt": "not a tree",
    })
    run = FakeRun({"nvcc": fixture("nvcc/12.8.txt")})
    facts = toolkit.probe(root=tmp_path, run=run, environ={"PATH": "/usr/bin", "CUDA_PATH": "/opt/nvidia/cuda/"})
    assert facts.cuda_home == ok("/opt/nvidia/cuda/", "CUDA_PATH")
    assert facts.nvcc_path == ok("/opt/nvidia/cuda/bin/nvcc", "not on PATH; found in /opt/nvidia/cuda/")
    assert facts.cuda_installs == ok((
        CudaInstall("/usr/local/cuda-12.6", ok("12.6", "from the directory name only")),
        CudaInstall("/opt/nvidia/cuda", Reading.fail(Status.ERROR, "/opt/nvidia/cuda/version.json has no cuda.version")),
    ))
    missing = toolkit.probe(root=tmp_path, run=run, environ={"CUDA_HOME": "/usr/local/cuda-13.0"})
    assert missing.cuda_home == ok("/usr/local/cuda-13.0", "CUDA_HOME; the directory does not exist")


def test_32bit_ldconfig_entries_are_skipped(tmp_path):
    out = ("3 libs found in cache `/etc/ld.so.cache'\n"
           "\tlibcuda.so.1 (libc6) => /usr/lib/i386-linux-gnu/libcuda.so.1\n"
           "\tlibcuda.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcuda.so.1\n"
           "\tlibcuda.so.1 (libc6,AArch64) => /usr/lib/aarch64-linux-gnu/libcuda.so.1\n")
    facts = toolkit.probe(root=tmp_path, run=FakeRun({"ldconfig": out}), environ={})
    assert [lib.path for lib in facts.libraries.value] == [
        "/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib/aarch64-linux-gnu/libcuda.so.1"]


def test_this_machine_never_raises():
    t0 = time.perf_counter()
    facts = toolkit.probe(root=Path("/"), run=runner.run, environ=dict(os.environ))
    print(f"toolkit.probe on this machine: {time.perf_counter() - t0:.3f} s")
    assert facts.libraries.ok and facts.cuda_installs.ok


def test_paths_that_cannot_be_looked_at_are_skipped_not_raised(tmp_path):
    # lstat raising something other than ENOENT (EACCES on another user's home directory when
    # not root, ENAMETOOLONG here) once took the whole toolkit probe down.
    build(tmp_path, {"/usr/local/cuda-12.4/lib64/libcudart.so.12": LIB, "/home/.keep": ""})
    unreadable = "/home/" + "x" * 300 + "/lib"
    env = {"PATH": f"{unreadable}:/usr/bin", "LD_LIBRARY_PATH": f"{unreadable}:/usr/local/cuda-12.4/lib64",
           "CUDA_HOME": unreadable}
    facts = toolkit.probe(root=tmp_path, run=FakeRun({}), environ=env)
    assert facts.ld_library_path == ok((unreadable, "/usr/local/cuda-12.4/lib64"))
    assert [lib.path for lib in facts.libraries.value if lib.origin == "ld_library_path"] == [
        "/usr/local/cuda-12.4/lib64/libcudart.so.12"]
    assert facts.cuda_home == ok(unreadable, "CUDA_HOME; the directory does not exist")
    assert facts.nvcc_path.status is Status.NOT_FOUND
