"""Probes for the torch-install classes (branch r2c): short texts a stranger might paste for a
CPU-only torch, two torch installs mixed, torch failing to import, torch missing, each in the
words a tool really prints (pip, conda, uv, Poetry, pixi, collect_env, the REPL, launchers'
logs, Windows' loader) or a person writes (English, Chinese, Korean, Japanese, Spanish,
German), beside near-misses: working machines with the same words, questions, denials and
past states. Written for the test; none is taken from the diagnosis corpus.
"""

from __future__ import annotations

import pytest

from tests.rules.test_evidence_classes import findings

# A GPU the machine has, as nvidia-smi's header and one row print it.
SMI = """\
| NVIDIA-SMI 551.86                 Driver Version: 551.86         CUDA Version: 12.4     |
|   0  NVIDIA GeForce RTX 4070      WDDM  |   00000000:01:00.0  On |                  N/A |
"""
SMI_LINUX = SMI.replace("551.86                ", "550.54.14             ").replace("WDDM", " Off")
REPL_FALSE = ">>> import torch\n>>> torch.cuda.is_available()\nFalse\n"

# ------------------------------------------------------------------ CPU-only build
CPU = [
    SMI + "C:\\> pip list\nPackage    Version\n---------- ----------\ntorch      2.3.1+cpu\n",
    SMI_LINUX + "$ pip freeze | grep torch\ntorch==2.1.0+cpu\ntorchvision==0.16.0+cpu\n",
    SMI_LINUX + "$ pip show torch\nName: torch\nVersion: 2.2.0+cpu\nSummary: Tensors and Dynamic neural networks\n",
    SMI_LINUX + "$ conda list | grep torch\npytorch                   2.0.1           py3.10_cpu_0    pytorch\n",
    SMI_LINUX + "pytorch                   2.1.2           cpu_generic_py311h0e08a3a_0    conda-forge\n",
    SMI_LINUX + "pytorch                   2.4.1           cpu_mkl_py312h0a5c4e9_100    conda-forge\n",
    SMI_LINUX + "pytorch-mutex             1.0                         cpu    pytorch\n",
    SMI_LINUX + "cpuonly                   2.0                           0    pytorch\n" + REPL_FALSE,
    SMI_LINUX + "Collecting torch\n  Downloading https://download.pytorch.org/whl/cpu/torch-2.1.0%2Bcpu-cp310-cp310-"
    "linux_x86_64.whl (184.9 MB)\n",
    SMI_LINUX + "Successfully installed torch-2.2.1+cpu torchvision-0.17.1+cpu\n",
    SMI_LINUX + "Looking in indexes: https://download.pytorch.org/whl/cpu\nCollecting torch\n"
    "Successfully installed torch-2.3.0+cpu\n",
    SMI_LINUX + "Dockerfile:\nFROM python:3.11-slim\nRUN pip install torch torchvision --index-url "
    "https://download.pytorch.org/whl/cpu\n" + REPL_FALSE,
    SMI + "  - Installing torch (2.1.0+cpu)\n",
    SMI_LINUX + ">>> import torch\n>>> torch.__version__\n'2.0.1+cpu'\n>>> torch.cuda.is_available()\nFalse\n",
    SMI_LINUX + ">>> import torch\n>>> torch.version.cuda\n>>> torch.cuda.is_available()\nFalse\n",
    SMI_LINUX + ">>> torch.backends.cuda.is_built()\nFalse\n",
    SMI_LINUX + "PyTorch version: 2.2.1+cpu\nIs debug build: False\nCUDA used to build PyTorch: None\n"
    "Is CUDA available: False\n",
    "  File \"C:\\venv\\lib\\site-packages\\torch\\cuda\\__init__.py\", line 284, in _lazy_init\n"
    "    raise AssertionError(\"Torch not compiled with CUDA enabled\")\n"
    "AssertionError: Torch not compiled with CUDA enabled\n",
    SMI + "I installed the CPU version of pytorch by mistake, that is why it is slow.\n",
    SMI + "I used the recommended command from the docs and it installed the CPU version of torch.\n",
    SMI + "我的torch装的是CPU版本的，所以用不了显卡\n",
    SMI + "torch가 CPU 버전으로 설치되어 있었습니다.\n",
    SMI + "PyTorchがCPU版になっていました。\n",
    SMI + "Resulta que se instaló la versión CPU de PyTorch.\n",
    SMI + "Es wurde die CPU-Version von PyTorch installiert.\n",
    SMI + "12:47:27-752280 INFO     Torch 2.0.1+cpu\n",
    SMI + "pytorch version: 2.3.1+cpu\nDevice: cpu\n",
    SMI_LINUX + "- conda: https://conda.anaconda.org/conda-forge/linux-64/pytorch-2.4.1-cpu_mkl_py312h3f2a9e5_101.conda\n",
    SMI_LINUX + "$ pip install torch==2.1.0+cpu -f https://download.pytorch.org/whl/torch_stable.html\n" + REPL_FALSE,
    SMI + "PS C:\\Users\\me> pip install torch\nCollecting torch\n  Downloading torch-2.3.1-cp311-cp311-win_amd64.whl "
    "(159.8 MB)\nSuccessfully installed torch-2.3.1\n",
    SMI_LINUX + "torch.cuda.is_available() returns False and torch.version.cuda is None\n",
    SMI_LINUX + "print(torch.__version__, torch.version.cuda, torch.cuda.is_available())\n2.3.0+cpu None False\n",
    SMI_LINUX + "torch.__version__ = 2.1.2+cpu\n",
    "GPU: NVIDIA GeForce RTX 3060\nI found out pip had pulled in a CPU-only torch build.\n",
    SMI + "Ultralytics YOLOv8.0.196 Python-3.10.11 torch-2.0.1+cpu CPU (Intel Core(TM) i7-12700H)\n",
    SMI + "- `transformers` version: 4.35.2\n- Platform: Windows-10-10.0.22631-SP0\n- PyTorch version (GPU?): 2.1.0+cpu "
    "(False)\n",
    SMI + "- PyTorch version (GPU?): 2.1.0 (False)\n- Platform: Windows-10-10.0.19045-SP0\n",
    SMI_LINUX + "Installed 3 packages in 1.2s\n + torch==2.5.1+cpu\n + torchvision==0.20.1+cpu\n",
    SMI_LINUX + '[[package]]\nname = "torch"\nversion = "2.1.0+cpu"\nsource = { registry = "https://download.pytorch.org/'
    'whl/cpu" }\n',
    SMI_LINUX + "name: sd\ndependencies:\n  - python=3.10\n  - pytorch=2.0.1=py3.10_cpu_0\n  - pytorch-mutex=1.0=cpu\n",
    SMI + "RuntimeError: Torch is not able to use GPU; add --skip-torch-cuda-test to COMMANDLINE_ARGS variable to disable "
    "this check\nPS C:\\sd> pip list\nPackage  Version\n-------- -------\ntorch    2.1.2\n",
    SMI + "  File \"C:\\Users\\me\\venv\\Lib\\site-packages\\torch\\nn\\modules\\module.py\", line 1501\n"
    ">>> torch.__version__\n'2.2.1'\n>>> torch.cuda.is_available()\nFalse\n",
    SMI_LINUX + "  pytorch            pytorch/linux-64::pytorch-2.0.1-py3.10_cpu_0\n",
    SMI + "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
    "    PyTorch 2.1.0+cu121 with CUDA 1201 (you have 2.1.0+cpu)\n    Python  3.10.11 (you have 3.10.11)\n",
    SMI + '$ pip list --format=json\n[{"name": "numpy", "version": "1.26.4"}, {"name": "torch", "version": "2.1.0+cpu"}]\n',
    SMI + "Collecting torch==2.1.0+cpu (from -r requirements.txt (line 3))\n",
    # conda's plan alone: the command asked for CUDA, the plan holds the CPU build
    "$ conda install pytorch==1.12.1 cudatoolkit=10.2 -c pytorch\nThe following packages will be downloaded:\n"
    "    pytorch-1.12.1             |      py3.8_cpu_0       133.8 MB  pytorch\n",
    "conda install pytorch-nightly cudatoolkit=10.0 -c pytorch\nThe following NEW packages will be INSTALLED:\n"
    "  pytorch-nightly    pytorch/linux-64::pytorch-nightly-1.2.0.dev20190805+cpu-py3.7_cpu_0\n",
]

CPU_NOT = [
    SMI + "C:\\> pip list\nPackage    Version\n---------- ----------\ntorch      2.3.1+cu121\n"
    "The model runs on cpu when I pass --device cpu.\n",
    SMI_LINUX + "pytorch                   2.1.0           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n"
    "pytorch-mutex             1.0                        cuda    pytorch\n",
    SMI_LINUX + "pytorch                   2.4.0           cuda120_py312h26b3cf7_301    conda-forge\n",
    "OS: macOS 14.4 (arm64)\nPyTorch version: 2.2.0\nCUDA used to build PyTorch: None\nIs CUDA available: False\n",
    SMI + "Should I install the CPU version of pytorch instead?\n",
    SMI + "I had the CPU version of torch before; now torch 2.1.0+cu118 is installed.\n"
    ">>> torch.cuda.is_available()\nTrue\n",
    SMI_LINUX + "RUN pip install torch --index-url https://download.pytorch.org/whl/cu121\n",
    SMI_LINUX + ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n>>> torch.cuda.is_available()\nTrue\n",
    SMI_LINUX + "PyTorch version: 2.1.0+cu121\nCUDA used to build PyTorch: 12.1\nIs CUDA available: True\n"
    "CPU:\nArchitecture: x86_64\nModel name: AMD Ryzen 9 7950X\n",
    "RuntimeError: The NVIDIA driver on your system is too old (found version 11040).\n",
    "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed "
    "a driver from http://www.nvidia.com/Download/index.aspx\n",
    SMI + "我的torch不是CPU版本，是 2.1.0+cu121。\n>>> torch.cuda.is_available()\nTrue\n",
    SMI_LINUX + ">>> torch.backends.cuda.is_built()\nTrue\n>>> torch.version.cuda\n'12.1'\n",
    SMI_LINUX + "torch 2.2.0+cu121, and the cpu_generic kernels of onnxruntime are used for the CPU path.\n"
    ">>> torch.cuda.is_available()\nTrue\n",
    SMI + "Successfully installed torch-2.3.1+cu121 torchvision-0.18.1+cu121\n",
    "No NVIDIA GPU on this laptop, so I installed the CPU wheel on purpose: torch 2.3.1+cpu. The bug is in "
    "torch.nn.functional.interpolate.\n",
    SMI + "- Platform: Windows-10-10.0.22631-SP0\n- PyTorch version (GPU?): 2.1.0+cu121 (True)\n",
    SMI + "I tried the CPU version of torch and it works, but the CUDA one crashes with an illegal memory access.\n",
    SMI + "The docs say to install the CPU version of PyTorch for CI runners.\n",
    SMI_LINUX + '[[package]]\nname = "torch"\nversion = "2.5.1+cu124"\n',
    SMI_LINUX + "dependencies:\n  - pytorch=2.1.0=py3.10_cuda11.8_cudnn8.7.0_0\n  - pytorch-mutex=1.0=cuda\n",
    SMI + "PS C:\\work> docker run --gpus all -it myimage pip list\nPackage  Version\n-------- -------\ntorch    2.1.2\n",
    SMI_LINUX + "$ pip list\nPackage  Version\n-------- -------\ntorch    2.1.2\nThe dataset was copied from C:\\data on "
    "my other PC.\n",
    SMI + "Ultralytics YOLOv8.0.196 Python-3.10.11 torch-2.1.0+cu121 CUDA:0 (NVIDIA GeForce RTX 4070, 12282MiB)\n",
    SMI + "WARNING[XFORMERS]: xFormers can't load C++/CUDA extensions. xFormers was built for:\n"
    "    PyTorch 2.1.0+cu118 with CUDA 1108 (you have 2.1.0+cu121)\n",
    SMI + '[{"name": "torch", "version": "2.1.0+cu121"}, {"name": "torchaudio", "version": "2.1.0+cpu"}]\n'
    ">>> torch.cuda.is_available()\nTrue\n",
    "$ conda install pytorch==1.12.1 cudatoolkit=11.3 -c pytorch\nThe following packages will be downloaded:\n"
    "    pytorch-1.12.1             |py3.9_cuda11.3_cudnn8.3.2_0     1.2 GB  pytorch\n",
    # a CPU-only plan with no GPU and no CUDA asked for: a CPU machine's ordinary install
    "$ conda install pytorch cpuonly -c pytorch\nThe following packages will be downloaded:\n"
    "    pytorch-2.0.1              |      py3.10_cpu_0        80.2 MB  pytorch\n",
]

# ------------------------------------------------------------------ two installs mixed
MIXED = [
    "$ pip list | grep torch\ntorch        2.1.0\ntorch        1.13.1\n",
    "# packages in environment at /home/u/miniconda3/envs/x:\n#\n# Name                    Version                   "
    "Build  Channel\npytorch                   2.0.1           py3.10_cuda11.7_cudnn8.5.0_0    pytorch\n"
    "torch                     2.1.0                    pypi_0    pypi\n",
    "pytorch                   0.4.1           py37_cuda0.0_cudnn0.0_1    pytorch\n"
    "pytorch-nightly           1.0.0.dev20180921         py3.7_0    pytorch\n",
    "(myenv) $ python train.py\nTraceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n"
    "    import torch\n  File \"/home/u/.local/lib/python3.10/site-packages/torch/__init__.py\", line 237, in <module>\n"
    "    from torch._C import *\nImportError: /home/u/miniconda3/envs/myenv/lib/python3.10/site-packages/torch/lib/"
    "libtorch_cpu.so: undefined symbol: _ZN3c104cuda9SetDeviceEi\n",
    "$ pip list | grep torch\ntorch              2.1.0+cu121\n$ python -c \"import torch; print(torch.__version__)\"\n"
    "1.13.1+cu117\n",
    "I had two versions of torch installed, one from pip and one from conda, and removing the pip one fixed it.\n",
    "An old torch in ~/.local/lib/python3.8/site-packages was shadowing the one in my conda env.\n",
    "原来是pip和conda各装了一个torch，卸载一个就好了\n",
    "pip로 설치한 torch와 conda로 설치한 pytorch가 같이 있었습니다.\n",
    "$ pip show torch\nName: torch\nVersion: 2.0.1\nLocation: /home/u/.local/lib/python3.10/site-packages\n"
    "$ which python\n/home/u/anaconda3/envs/sd/bin/python\n",
    "Tenía dos instalaciones de torch (pip y conda) en el mismo entorno.\n",
    ">>> import torch\n>>> torch.__file__\n'/home/u/.local/lib/python3.9/site-packages/torch/__init__.py'\n"
    ">>> import sys; sys.prefix\n'/home/u/miniconda3/envs/det'\n",
    "$ conda list | grep torch\npytorch                   1.12.1          py3.9_cuda11.3_cudnn8.3.2_0    pytorch\n"
    "torch                     1.13.0                   pypi_0    pypi\n",
    "  File \"C:\\Users\\me\\AppData\\Roaming\\Python\\Python310\\site-packages\\torch\\__init__.py\", line 128, "
    "in <module>\n(sd) C:\\Users\\me\\miniconda3\\envs\\sd\\python.exe app.py\n",
    "torch was installed twice, by pip and by conda.\n",
    "Both pip and conda had installed torch in this env.\n",
    "pipとcondaの両方でtorchが入っていました。\n",
    "PyTorch war doppelt installiert (pip und conda).\n",
    "原来环境里有两个版本的torch。\n",
    "$ python -c \"import torch; print(torch.__version__)\"\n2.0.1\n$ pip freeze | grep torch\ntorch==2.2.0\n",
    "PyTorch version: 2.0.1\n[pip3] torch==2.0.1\n[conda] pytorch                   1.13.1          "
    "py3.9_cuda11.7_cudnn8.5.0_0    pytorch\n",
    "  Attempting uninstall: torch\n    Found existing installation: torch 1.13.1\n    Not uninstalling torch at "
    "/home/me/.local/lib/python3.10/site-packages, outside environment /home/me/miniconda3/envs/sd\n"
    "    Can't uninstall 'torch'. No files were found to uninstall.\nSuccessfully installed torch-2.1.0\n",
    "    Not uninstalling torch at /usr/lib/python3/dist-packages, outside environment /usr\n",
    "pip装的torch和conda装的pytorch冲突了。\n",
    "[conda] torch                     2.0.1                    pypi_0    pypi\n"
    "[conda] pytorch                   1.13.1          py3.10_cuda11.7_cudnn8.5.0_0    pytorch\n",
    "I had torch installed with both pip and conda in the same env.\n",
    "Tenía torch instalado con pip y con conda.\n",
    "torch war sowohl über pip als auch über conda installiert.\n",
    "Traceback (most recent call last):\n  File \"/usr/local/lib/python3.10/dist-packages/torch/__init__.py\", line 1, "
    "in <module>\n    from torch.functional import *\n  File \"/usr/lib/python3/dist-packages/torch/functional.py\", "
    "line 5, in <module>\nAttributeError: module 'torch' has no attribute 'x'\n",
    "In [1]: import torch\nIn [2]: torch.__version__\nOut[2]: '1.12.0'\n$ pip list | grep torch\ntorch    2.0.0\n",
]

MIXED_NOT = [
    "$ pip list | grep torch\ntorch        2.1.0+cu121\ntorchvision  0.16.0+cu121\n",
    "pytorch                   2.1.0           py3.10_cuda11.8_cudnn8.7.0_0    pytorch\n"
    "pytorch-cuda              11.8                 h7e8668a_5    pytorch\n",
    "Do I need two versions of torch installed, one from pip and one from conda?\n",
    "I made sure there are not two versions of torch installed; pip list shows one.\n",
    "$ python -c \"import torch; print(torch.__version__)\"\n2.1.0+cu121\n$ pip show torch\nName: torch\n"
    "Version: 2.1.0+cu121\nLocation: /home/u/miniconda3/envs/x/lib/python3.10/site-packages\n",
    "Traceback (most recent call last):\n  File \"/home/u/miniconda3/envs/x/lib/python3.10/site-packages/torch/nn/"
    "modules/module.py\", line 1501, in _call_impl\n  File \"/home/u/miniconda3/envs/x/lib/python3.10/site-packages/"
    "torchvision/ops/boxes.py\", line 41, in nms\nRuntimeError: CUDA error: out of memory\n",
    "venv A has torch 2.1.0 and venv B has torch 1.13.1; each works on its own.\n",
    "PyTorch version: 2.1.0+cu121\nIs debug build: False\nCUDA used to build PyTorch: 12.1\n"
    "[pip3] torch==2.1.0+cu121\n[pip3] torchvision==0.16.0+cu121\n",
    "$ pip list | grep torch\ntorch        2.1.0\n>>> torch.__version__\n'2.1.0+cu121'\n",
    "  File \"/home/u/.local/lib/python3.10/site-packages/torch/nn/modules/module.py\", line 1501, in _call_impl\n"
    "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x10 and 20x5)\n",
    "How do I avoid having two versions of torch installed?\n",
    "环境里没有两个版本的torch，只有一个。\n",
    "Es gibt keine zwei Versionen von torch in dieser Umgebung.\n",
    "$ pip list\nPackage      Version\n------------ -------\ntorch        2.1.0\ntorchvision  0.16.0\n"
    ">>> import torch\n>>> torch.__version__\n'2.1.0'\n",
    "I removed the duplicate torch and now only one is left.\n",
    "I tried two versions of torch (2.0.1 and 2.1.0) and both fail the same way.\n",
    "torch 2.0\n>>> import torch\n>>> torch.__version__\n'2.0.1+cu118'\n",
    "There are conflicting versions of torch and torchvision in the requirements.\n",
    "Traceback (most recent call last):\n  File \"/opt/venv/lib/python3.10/site-packages/torch/nn/modules/module.py\", "
    "line 1501, in _call_impl\n  File \"/opt/venv/lib/python3.10/site-packages/torch/nn/functional.py\", line 2, in "
    "relu\nRuntimeError: boom\n",
    "  Attempting uninstall: torch\n    Found existing installation: torch 1.13.1\n    Uninstalling torch-1.13.1:\n"
    "      Successfully uninstalled torch-1.13.1\nSuccessfully installed torch-2.1.0\n",
    "pip and conda both installed numpy, which conflicted; torch is fine.\n",
    "Is there a conflict between pip's torch and conda's pytorch?\n",
    "On the server:\n  File \"/opt/venv/lib/python3.10/site-packages/torch/serialization.py\", line 1\nOSError: x\n\n"
    "On my laptop:\n  File \"/home/u/miniconda3/envs/a/lib/python3.10/site-packages/torch/serialization.py\", line 1\n"
    "OSError: y\n",
]

# ------------------------------------------------------------------ import failures
IMPORT = [
    "OSError: [WinError 126] The specified module could not be found. Error loading "
    "\"C:\\Python311\\Lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n",
    "OSError: [WinError 1114] 动态链接库(DLL)初始化例程失败。 Error loading "
    "\"D:\\envs\\a\\lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n",
    "OSError: [WinError 126] Das angegebene Modul wurde nicht gefunden. Error loading "
    "\"C:\\ai\\venv\\lib\\site-packages\\torch\\lib\\torch_cpu.dll\" or one of its dependencies.\n",
    "  File \"/opt/venv/lib/python3.10/site-packages/torch/__init__.py\", line 235, in <module>\n"
    "    from torch._C import *  # noqa: F403\nImportError: libtorch_cuda.so: cannot open shared object file: "
    "No such file or directory\n",
    ">>> import torch\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
    "  File \"C:\\Users\\me\\venv\\lib\\site-packages\\torch\\__init__.py\", line 139, in <module>\n"
    "    from torch._C import *\nImportError: DLL load failed while importing _C: The specified module could not be "
    "found.\n",
    "OSError: [WinError 127] The specified procedure could not be found. Error loading "
    "\"C:\\app\\venv\\Lib\\site-packages\\torch\\lib\\torch_python.dll\" or one of its dependencies.\n",
    "ImportError: /usr/lib/python3/dist-packages/torch/lib/libtorch_python.so: undefined symbol: "
    "_ZN3c1010Dispatcher17runRecordFunctionERN2at14RecordFunctionENS_11DispatchKeyE\n",
    "import torch\nModuleNotFoundError: No module named 'torch._C'\n",
    "ImportError: dlopen(/Users/me/venv/lib/python3.11/site-packages/torch/_C.cpython-311-darwin.so, 0x0002): "
    "Library not loaded: @rpath/libtorch_cpu.dylib\n",
    "OSError: [WinError 126] 找不到指定的模块。 Error loading \"C:\\Users\\me\\miniconda3\\envs\\sd\\lib\\"
    "site-packages\\torch\\lib\\shm.dll\" or one of its dependencies.\n",
    "OSError: [WinError 1114] A dynamic link library (DLL) initialization routine failed. Error loading "
    "\"C:\\ComfyUI\\python_embeded\\Lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n",
    "OSError: [WinError 126] 指定されたモジュールが見つかりません。 Error loading \"C:\\venv\\lib\\site-packages\\"
    "torch\\lib\\caffe2_nvrtc.dll\" or one of its dependencies.\n",
    "Traceback (most recent call last):\n  File \"C:\\Python37\\lib\\site-packages\\torch\\__init__.py\", line 81, in "
    "<module>\n    from torch._C import *\nImportError: DLL load failed: The specified module could not be found.\n",
    "----> 1 import torch\n\nFile ~\\anaconda3\\Lib\\site-packages\\torch\\__init__.py:148\n"
    "OSError: [WinError 126] The specified module could not be found. Error loading \"C:\\Users\\me\\anaconda3\\"
    "Lib\\site-packages\\torch\\lib\\fbgemm.dll\" or one of its dependencies.\n",
    "ImportError: /lib64/libc.so.6: version `GLIBC_2.28' not found (required by /opt/venv/lib/python3.9/"
    "site-packages/torch/lib/libtorch_cpu.so)\n",
    "OSError: [WinError 1114] 동적 연결 라이브러리(DLL) 초기화 루틴을 실행할 수 없습니다. Error loading "
    "\"C:\\AI\\venv\\lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n",
    "OSError: [WinError 126] No se puede encontrar el módulo especificado. Error loading "
    "\"C:\\AI\\venv\\lib\\site-packages\\torch\\lib\\torch_python.dll\" or one of its dependencies.\n",
    "OSError: [WinError 193] %1 is not a valid Win32 application. Error loading "
    "\"C:\\py\\lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.\n",
    "ImportError: /opt/conda/lib/python3.8/site-packages/torch/lib/libtorch_cuda.so: undefined symbol: "
    "cudaGraphInstantiateWithFlags, version libcudart.so.11.0\n",
    "ImportError: /lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.29' not found (required by "
    "/opt/venv/lib/python3.10/site-packages/torch/lib/libtorch_python.so)\n",
    "OSError: dlopen(/Users/me/.venv/lib/python3.9/site-packages/torch/lib/libtorch_global_deps.dylib, 0x000A): tried: "
    "'/Users/me/.venv/lib/python3.9/site-packages/torch/lib/libtorch_global_deps.dylib' (mach-o file, but is an "
    "incompatible architecture (have 'x86_64', need 'arm64'))\n",
    "  File \"C:\\Users\\me\\venv\\lib\\site-packages\\torch\\__init__.py\", line 139, in <module>\n"
    "    from torch._C import *\nImportError: DLL load failed while importing _C: 找不到指定的模块。\n",
    "OSError: [WinError 127] The specified procedure could not be found. Error loading \"C:\\venv\\lib\\"
    "site-packages\\torch\\lib\\cudnn_adv_infer64_8.dll\" or one of its dependencies.\n",
    "ImportError: /usr/local/lib/python3.8/dist-packages/torch/lib/libtorch_cuda_cpp.so: undefined symbol: "
    "cudaGraphDebugDotPrint, version libcudart.so.11.0\n",
    "OSError: /home/u/venv/lib/python3.10/site-packages/torch/lib/libgomp-a34b3233.so.1: cannot allocate memory in "
    "static TLS block\n",
    "ImportError: dlopen(/opt/homebrew/lib/python3.11/site-packages/torch/_C.cpython-311-darwin.so, 2): Symbol not "
    "found: __ZN2at4_ops5zeros4callEN3c108ArrayRefIxEE\n",
    "  File \"C:\\Users\\me\\venv\\lib\\site-packages\\torch\\__init__.py\", line 128, in <module>\n"
    "    from torch._C import *\nImportError: DLL load failed while importing _C: 지정된 모듈을 찾을 수 없습니다.\n",
    "  File \"/opt/conda/lib/python3.10/site-packages/torch/__init__.py\", line 237, in <module>\n"
    "    from torch._C import *  # noqa: F403\nImportError: /opt/conda/lib/python3.10/site-packages/torch/lib/../../"
    "nvidia/cublas/lib/libcublas.so.12: undefined symbol: cublasLtGetStatusString, version libcublasLt.so.12\n",
    "$ python -c 'import torch'\nTraceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
    "  File \"/home/u/venv/lib/python3.12/site-packages/torch/__init__.py\", line 367, in <module>\n"
    "    from torch._C import *  # noqa: F403\nImportError: libtorch_cuda.so: cannot open shared object file: "
    "No such file or directory\n",
    "OSError: [WinError 126] 지정된 모듈을 찾을 수 없습니다. Error loading "
    "\"C:\\sd\\venv\\lib\\site-packages\\torch\\lib\\fbgemm.dll\" or one of its dependencies.\n",
]

IMPORT_NOT = [
    ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\n",
    "I checked that C:\\venv\\Lib\\site-packages\\torch\\lib\\c10.dll exists and import torch works.\n"
    ">>> import torch\n>>> torch.cuda.is_available()\nTrue\n",
    "  File \"/opt/venv/lib/python3.10/site-packages/torch/nn/modules/conv.py\", line 456, in _conv_forward\n"
    "RuntimeError: Input type (torch.cuda.FloatTensor) and weight type (torch.FloatTensor) should be the same\n",
    "ImportError: cannot import name 'packaging' from 'pkg_resources' (/opt/venv/lib/python3.10/site-packages/"
    "pkg_resources/__init__.py)\n",
    "ModuleNotFoundError: No module named 'torchvision'\n",
    # ctypes' own wording (not torch's "Error loading … or one of its dependencies."): another library's DLL
    "FileNotFoundError: Could not find module 'C:\\venv\\lib\\site-packages\\bitsandbytes\\libbitsandbytes_cuda118"
    ".dll' (or one of its dependencies). Try using the full path with constructor syntax.\n",
    "ImportError: /home/u/venv/lib/python3.10/site-packages/mmcv/_ext.cpython-310-x86_64-linux-gnu.so: undefined "
    "symbol: _ZN2at4_ops5zeros4callEN3c108ArrayRefINS2_6SymIntEEE\n",
    "ModuleNotFoundError: No module named 'torch_scatter'\n",
    "ImportError: libcudart.so.11.0: cannot open shared object file: No such file or directory\n"
    "  File \"/usr/lib/python3/dist-packages/tensorflow/python/platform/self_check.py\", line 27\n",
    "I had an OSError about c10.dll last week; after installing the VC++ redistributable import torch works.\n"
    ">>> import torch\n>>> torch.__version__\n'2.3.1+cu121'\n",
    "  File \"/opt/venv/lib/python3.10/site-packages/torch/utils/data/dataloader.py\", line 1133, in _try_get_data\n"
    "RuntimeError: DataLoader worker (pid(s) 1234) exited unexpectedly\n",
    "ImportError: cannot import name 'LRScheduler' from 'torch.optim.lr_scheduler' "
    "(/opt/venv/lib/python3.10/site-packages/torch/optim/lr_scheduler.py)\n",
    ">>> import torch\n>>> torch.backends.cudnn.version()\n8902\n",
    "  File \"/opt/venv/lib/python3.10/site-packages/torch/lib/../../nvidia/cudnn/lib/x.py\", line 1\n"
    "ValueError: bad value\n",
    "Error loading the model: torch/lib was not touched; the checkpoint file is corrupt.\n",
]

# ------------------------------------------------------------------ torch missing
MISSING = [
    ">>> import torch\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n"
    "ModuleNotFoundError: No module named 'torch'\n",
    "Traceback (most recent call last):\n  File \"setup.py\", line 3, in <module>\n    import torch\n"
    "ImportError: No module named torch\n",
    "$ pip show torch\nWARNING: Package(s) not found: torch\n",
    "In [1]: import torch\n---------------------------------------------------------------------------\n"
    "ModuleNotFoundError                       Traceback (most recent call last)\n----> 1 import torch\n\n"
    "ModuleNotFoundError: No module named 'torch'\n",
    "运行时报错 ModuleNotFoundError: No module named 'torch'\n",
    "C:\\> python -c \"import torch\"\nTraceback (most recent call last):\n  File \"<string>\", line 1, in <module>\n"
    "ModuleNotFoundError: No module named 'torch'\n",
    "#8 0.512 ModuleNotFoundError: No module named 'torch'\n",
    "E   ModuleNotFoundError: No module named 'torch'\n",
    "$ uv run train.py\nTraceback (most recent call last):\n  File \"/work/train.py\", line 1, in <module>\n"
    "    import torch\nModuleNotFoundError: No module named 'torch'\n",
    "torch is not installed in this environment.\n",
    "这个环境里没有安装torch。\n",
    "이 환경에는 torch가 설치되어 있지 않습니다.\n",
    "この環境にはtorchがインストールされていません。\n",
    "pkg_resources.DistributionNotFound: The 'torch>=1.8' distribution was not found and is required by basicsr\n",
    "실행하면 ModuleNotFoundError: No module named 'torch' 가 뜹니다.\n",
    "ModuleNotFoundError: No module named 'torch'と表示されます。\n",
    "ImportError: No module named 'torch'\n",
    "The 'torch' distribution was not found and is required by the application\n",
    "torch no está instalado en este entorno.\n",
    "torch ist nicht installiert.\n",
    "When I run `sudo python3 setup.py develop` it returns no module named torch error.\n",
    "运行 python app.py 报错找不到torch模块。\n",
    "Run python -m pytest tests/\nModuleNotFoundError: No module named 'torch'\nError: Process completed with exit code 1.\n",
    "실행하면 torch 모듈을 찾을 수 없다고 나옵니다.\n",
    "実行するとtorchモジュールが見つかりませんと出ます。\n",
    "$ kubectl logs trainer-0\nTraceback (most recent call last):\n  File \"/app/train.py\", line 3, in <module>\n"
    "    import torch\nModuleNotFoundError: No module named 'torch'\n",
    "C:\\ComfyUI_windows_portable>.\\python_embeded\\python.exe -s ComfyUI\\main.py\n"
    "ModuleNotFoundError: No module named 'torch'\n",
    "$ conda list pytorch\n# packages in environment at C:\\Users\\me\\miniconda3\\envs\\sd:\n#\n"
    "# Name                    Version                   Build  Channel\n",
    "importlib.metadata.PackageNotFoundError: No package metadata was found for torch\n",
    "$ conda list torch\n# packages in environment at /home/u/miniconda3/envs/x:\n#\n"
    "# Name                    Version                   Build  Channel\n$ python train.py\n",
]

MISSING_NOT = [
    "ModuleNotFoundError: No module named 'torch._six'\n",
    "ModuleNotFoundError: No module named 'torchvision'\n",
    "ModuleNotFoundError: No module named 'torch_geometric'\n",
    ">>> import torch\n>>> torch.__version__\n'2.1.0+cu121'\nModuleNotFoundError: No module named 'torchaudio'\n",
    "ModuleNotFoundError: No module named 'torchtext'\n",
    "ModuleNotFoundError: No module named 'torch_npu'\n",
    "Make sure torch is installed before running setup.py.\n",
    "torch is not installed with CUDA support, it is the +cpu wheel.\n",
    "$ pip show torch torchaudio\nWARNING: Package(s) not found: torchaudio\nName: torch\nVersion: 2.1.0\n",
    "Is torch not installed in the base env?\n",
    "ModuleNotFoundError: No module named 'torch.utils._pytree'\n",
    "torch已经安装好了，import torch 没有问题。\n",
    "torch no está instalado con CUDA, es la versión CPU.\n",
    "I used to get no module named torch before I activated the env, now it imports.\n",
    "找不到torchvision模块。\n",
    "pkg_resources.DistributionNotFound: The 'torchvision>=0.8' distribution was not found and is required by x\n",
    "importlib.metadata.PackageNotFoundError: No package metadata was found for torch-geometric\n",
    "$ conda list torch\n# packages in environment at /home/u/miniconda3/envs/x:\n#\n"
    "# Name                    Version                   Build  Channel\ntorch                     2.1.0                    "
    "pypi_0    pypi\n",
]


@pytest.mark.parametrize("text", CPU)
def test_cpu_only_build_read(text):
    assert "torch_cpu_only_build" in findings(text)


@pytest.mark.parametrize("text", CPU_NOT)
def test_cpu_only_build_near_misses(text):
    assert "torch_cpu_only_build" not in findings(text)


@pytest.mark.parametrize("text", MIXED)
def test_mixed_installs_read(text):
    assert "mixed_torch_installations" in findings(text)


@pytest.mark.parametrize("text", MIXED_NOT)
def test_mixed_installs_near_misses(text):
    assert "mixed_torch_installations" not in findings(text)


@pytest.mark.parametrize("text", IMPORT)
def test_import_failure_read(text):
    assert "torch_import_failed" in findings(text)


@pytest.mark.parametrize("text", IMPORT_NOT)
def test_import_failure_near_misses(text):
    assert "torch_import_failed" not in findings(text)


@pytest.mark.parametrize("text", MISSING)
def test_torch_missing_read(text):
    assert "torch_not_installed" in findings(text)


@pytest.mark.parametrize("text", MISSING_NOT)
def test_torch_missing_near_misses(text):
    assert "torch_not_installed" not in findings(text)
