"""collect_env in its historical formats."""

from __future__ import annotations

from envcheck.explain.parsers import collect_env
from envcheck.facts import LibraryFile

from .helpers import details, gpu_fields, items, load, text, values


def test_modern_multi_gpu():
    f = collect_env.parse(load("collect_env_2x_multi_gpu.txt"))
    v = values(f)
    assert v["torch.version"] == "2.5.1+cu124"
    assert v["torch.cuda_build"] == "12.4"
    assert v["torch.cuda_available"] is True
    assert v["host.os_id"] == "ubuntu" and v["host.os_version"] == "22.04"
    assert v["host.os_pretty"] == "Ubuntu 22.04.4 LTS" and v["host.arch"] == "x86_64"
    assert v["host.kernel"] == "5.15.0-119-generic" and v["host.wsl"] == "none"
    assert v["python.version"] == "3.11.9"
    assert v["toolkit.nvcc_version"] == "12.1"  # "CUDA runtime version" is the system nvcc
    assert v["nvml.driver_version"] == "550.90.07"
    assert "nvml.init" not in v  # collect_env does not prove NVML ran
    assert [(g["index"], g["name"]) for g in gpu_fields(f)] == [(0, "NVIDIA A100-SXM4-80GB"), (1, "NVIDIA A100-SXM4-80GB")]
    libs = items(f, "toolkit.libraries")
    assert libs[0] == LibraryFile("libcudnn.so.8.9.7", "/usr/lib/x86_64-linux-gnu/libcudnn.so.8.9.7", "8.9.7", "ldconfig")
    assert [lib.name for lib in libs] == ["libcudnn.so.8.9.7", "libcudnn_adv_infer.so.8.9.7", "libcudnn_ops_infer.so.8.9.7"]
    assert details(f)["torch.version"] == "collect_env, line 2 of the text"


def test_old_format_yes_no_and_single_cudnn_file():
    v = values(collect_env.parse(load("collect_env_1x_old.txt")))
    assert v["torch.version"] == "1.4.0" and v["torch.cuda_build"] == "10.1"
    assert v["torch.cuda_available"] is True
    assert v["python.version"] == "3.6"
    assert v["host.os_pretty"] == "Ubuntu 16.04.6 LTS" and v["host.os_version"] == "16.04"
    assert v["nvml.driver_version"] == "418.87.00"
    f = collect_env.parse(load("collect_env_1x_old.txt"))
    assert gpu_fields(f) == [{"index": 0, "name": "GeForce GTX 1080 Ti"}]
    assert items(f, "toolkit.libraries")[0].version == "7.6.4"


def test_cpu_only_build_and_no_cuda_fields():
    f = collect_env.parse(load("collect_env_cpu_only.txt"))
    v = values(f)
    assert v["torch.cuda_build"] == "not_found"
    assert "CPU-only" in details(f)["torch.cuda_build"]
    assert v["torch.cuda_available"] is False
    # "No CUDA" is collect_env saying it found nothing; none of these become facts
    for path in ("nvml.driver_version", "toolkit.nvcc_version"):
        assert path not in v
    assert gpu_fields(f) == [] and items(f, "toolkit.libraries") == []
    assert v["host.os_id"] == "debian" and v["host.os_version"] == "12"
    assert v["host.kernel"] == "6.1.0-21-amd64"


def test_torch_not_importable_and_not_among_its_rows_is_not_installed():
    # "PyTorch version: N/A" alone is only a note (torch may be installed and fail to import); with
    # the script's own package rows, which always keep torch's, and none of them torch, it is absent.
    f = collect_env.parse(load("collect_env_no_torch.txt"))
    v = values(f)
    assert "torch.version" not in v and "torch.cuda_available" not in v
    assert v["torch.installed"] is False and "hold no torch" in details(f)["torch.installed"]
    assert any("could not import torch" in n for n in f.notes)
    listed = load("collect_env_no_torch.txt").text.replace("[pip3] numpy==2.0.0", "[pip3] numpy==2.0.0\n[pip3] torch==2.3.0")
    g = collect_env.parse(text(listed))
    assert "torch.installed" not in values(g) and any("could not import torch" in n for n in g.notes)
    assert v["host.os_id"] == "fedora" and v["host.os_version"] == "40"
    assert v["host.kernel"] == "6.9.7-200.fc40.x86_64"
    assert gpu_fields(f) == [{"index": 0, "name": "NVIDIA GeForce RTX 4070"}]


def test_wsl2_kernel_in_python_platform_proves_wsl2():
    v = values(collect_env.parse(load("collect_env_wsl2.txt")))
    assert v["host.kernel"] == "5.15.153.1-microsoft-standard-WSL2"
    assert v["host.wsl"] == "wsl2"


def test_windows_collect_env():
    f = collect_env.parse(text(
        "PyTorch version: 1.2.0\nIs debug build: No\nCUDA used to build PyTorch: 10.0\n\n"
        "OS: Microsoft Windows 7 Professional\nPython version: 3.7\n\nIs CUDA available: No\n"
        "CUDA runtime version: 10.0.130\nGPU models and configuration: GPU 0: GeForce 210\n"
        "Nvidia driver version: 342.01\n"
        "cuDNN version: C:\\Program Files\\NVIDIA GPU Computing Toolkit\\CUDA\\v10.0\\bin\\cudnn64_7.dll\n"))
    v = values(f)
    assert v["host.os_id"] == "windows" and v["host.os_version"] == "7"
    assert v["torch.cuda_available"] is False
    lib = items(f, "toolkit.libraries")[0]
    assert lib.name == "cudnn64_7.dll" and lib.version == "7" and lib.origin == "cuda_home"


def test_rocm_build():
    v = values(collect_env.parse(text("PyTorch version: 2.4.1+rocm6.1\nCUDA used to build PyTorch: N/A\n"
                                      "ROCM used to build PyTorch: 6.1.40091-a8dbc0c19\n")))
    assert v["torch.hip_build"] == "6.1.40091-a8dbc0c19"
    assert "torch.cuda_build" not in v


def test_issue_template_answers():
    f = collect_env.parse(text("- PyTorch Version (e.g., 1.0): 1.7.1\n- OS (e.g., Linux): Ubuntu 20.04\n"
                               "- Python version: 3.8\n- GPU models and configuration: 2x RTX 3090\n"))
    v = values(f)
    assert v["torch.version"] == "1.7.1" and v["python.version"] == "3.8" and v["host.os_version"] == "20.04"
    assert gpu_fields(f) == [{"index": None, "name": "NVIDIA GeForce RTX 3090"}]


def test_unrelated_key_value_lines_are_ignored():
    assert not collect_env.parse(text("Architecture: x86_64\nModel name: Intel(R) Xeon(R)\nNote: hello\n"))
