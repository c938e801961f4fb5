"""Probes for the platform classes as strangers paste them: no NVIDIA GPU, a GPU without a driver,
a driver whose kernel module is not loaded, device nodes this user may not open. Each text is
what the tools print (lspci, lshw, inxi, glxinfo, wmic, rpm/dpkg/apt queries, modprobe, dkms,
/proc/driver/nvidia/params, modprobe.d options, ls -l, id, strace); near-misses use the same
words on healthy machines, questions, and past states."""

from __future__ import annotations

import pytest

from envcheck.explain import diagnose, source

NO_GPU = [
"""$ lspci | grep -i -E 'vga|3d|display'
00:02.0 VGA compatible controller: Intel Corporation Alder Lake-P GT2 [Iris Xe Graphics] (rev 0c)
$ python -c "import torch; print(torch.cuda.is_available())"
False
""",
"""root@srv:~# lspci | egrep -i 'vga|3d'
03:00.0 VGA compatible controller: ASPEED Technology, Inc. ASPEED Graphics Family (rev 41)
root@srv:~# nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
""",
"""Training on an AWS t3.xlarge instance:
  File "train.py", line 12, in <module>
    model = model.cuda()
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""$ sudo lshw -C display
  *-display
       description: VGA compatible controller
       product: Radeon RX 6800/6800 XT / 6900 XT
       vendor: Advanced Micro Devices, Inc. [AMD/ATI]
$ python -c 'import torch;torch.zeros(1).cuda()'
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""我的电脑没有NVIDIA显卡，只有Intel核显，运行 torch.cuda.is_available() 返回 False，怎么办？
RuntimeError: Found no NVIDIA driver on your system.
""",
"""PS C:\\> Get-CimInstance Win32_VideoController | Select Name
Name
----
Intel(R) UHD Graphics 620
PS C:\\> python -c "import torch; torch.cuda.init()"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""$ lspci -nn | grep -i nvidia
$ lspci | grep -i vga
00:0f.0 VGA compatible controller: VMware SVGA II Adapter
$ python3 -c "import torch; print(torch.cuda.device_count())"
0
UserWarning: CUDA initialization: Found no NVIDIA driver on your system.
""",
"""system_profiler SPDisplaysDataType
Graphics/Displays:
    Apple M2 Pro:
      Chipset Model: Apple M2 Pro
>>> torch.zeros(1).cuda()
AssertionError: Torch not compiled with CUDA enabled
""",
"""GPU 없는 노트북(AMD Ryzen 7 5800U, Radeon Graphics 내장)에서 실행했더니
RuntimeError: Found no NVIDIA driver on your system.
""",
]
NO_GPU_NEAR = [
"""$ lspci | grep -i -E 'vga|3d'
00:02.0 VGA compatible controller: Intel Corporation UHD Graphics 630
01:00.0 VGA compatible controller: NVIDIA Corporation TU104 [GeForce RTX 2080] (rev a1)
$ python -c "import torch;print(torch.cuda.is_available())"
True
""",
"""$ lspci | grep -i vga
00:02.0 VGA compatible controller: Intel Corporation HD Graphics 530
Just asking: is the integrated Intel GPU enough for the CPU build of PyTorch? Everything runs fine on CPU.
""",
]

DRIVER_MISSING = [
"""$ lspci | grep -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)
$ nvidia-smi
Command 'nvidia-smi' not found, but can be installed with:
sudo apt install nvidia-utils-535
""",
"""[root@node1 ~]# lspci | grep -i nvidia
17:00.0 3D controller: NVIDIA Corporation GH100 [H100 PCIe] (rev a1)
[root@node1 ~]# rpm -qa | grep -i nvidia
[root@node1 ~]# nvidia-smi
-bash: nvidia-smi: command not found
""",
"""$ lspci -k -d 10de:
01:00.0 VGA compatible controller: NVIDIA Corporation AD102 [GeForce RTX 4090] (rev a1)
	Subsystem: ASUSTeK Computer Inc. Device 889c
01:00.1 Audio device: NVIDIA Corporation AD102 High Definition Audio Controller (rev a1)
	Subsystem: ASUSTeK Computer Inc. Device 889c
	Kernel driver in use: snd_hda_intel
""",
"""$ lspci | grep -i nvidia
00:1e.0 3D controller: NVIDIA Corporation TU104GL [Tesla T4] (rev a1)
$ dpkg -l | grep -i nvidia
$ python -c "import torch; torch.cuda.init()"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
]
DRIVER_MISSING_NEAR = [
"""$ lspci -k | grep -A3 -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3090] (rev a1)
	Kernel driver in use: nvidia
	Kernel modules: nvidiafb, nouveau, nvidia_drm, nvidia
$ dpkg -l | grep -i nvidia-driver
ii  nvidia-driver-550  550.107.02-0ubuntu0.22.04.1  amd64  NVIDIA driver metapackage
""",
"""[root@node1 ~]# rpm -qa | grep -i nvidia-driver
nvidia-driver-550.90.07-1.el9.x86_64
[root@node1 ~]# lspci | grep -i nvidia
17:00.0 3D controller: NVIDIA Corporation GH100 [H100 PCIe] (rev a1)
[root@node1 ~]# nvidia-smi -L
GPU 0: NVIDIA H100 PCIe (UUID: GPU-0b1c2d3e-1111-2222-3333-444455556666)
""",
]

NOT_LOADED = [
"""$ nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.

$ lsmod | grep nvidia
$ dpkg -l | grep nvidia-driver
ii  nvidia-driver-535  535.183.01-0ubuntu0.22.04.1  amd64  NVIDIA driver metapackage
""",
"""[root@gpu ~]# modprobe nvidia
modprobe: FATAL: Module nvidia not found in directory /lib/modules/5.14.0-427.13.1.el9_4.x86_64
[root@gpu ~]# rpm -qa | grep nvidia-driver
nvidia-driver-550.54.15-1.el9.x86_64
""",
"""$ cat /proc/driver/nvidia/version
cat: /proc/driver/nvidia/version: No such file or directory
$ dkms status
nvidia/550.107.02: added
$ uname -r
6.8.0-45-generic
""",
"""[root@gpu01 ~]# lsmod | grep nvidia
[root@gpu01 ~]# rpm -qa | grep -i nvidia-driver
nvidia-driver-550.90.07-1.el9.x86_64
[root@gpu01 ~]# nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
""",
"""$ sudo modprobe nvidia
modprobe: ERROR: could not insert 'nvidia': Exec format error
$ dmesg | tail -2
[   12.345678] nvidia: disagrees about version of symbol module_layout
""",
]
NOT_LOADED_NEAR = [
"""$ lsmod | grep nvidia
nvidia_uvm           1794048  0
nvidia_drm             90112  3
nvidia              56713216  102 nvidia_uvm,nvidia_modeset
$ nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 4090 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
"""Our JupyterHub (Colab-like) on k8s works fine, GPUs are visible:
$ nvidia-smi -L
GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
]

NODES = [
"""$ cat /etc/modprobe.d/nvidia.conf
options nvidia NVreg_DeviceFileUID=0 NVreg_DeviceFileGID=27 NVreg_DeviceFileMode=0660
$ id
uid=1001(dev) gid=1001(dev) groups=1001(dev),4(adm)
$ python -c "import torch;print(torch.cuda.is_available())"
False
""",
"""$ grep DeviceFile /proc/driver/nvidia/params
DeviceFileUID: 0
DeviceFileGID: 44
DeviceFileMode: 432
$ whoami
svc
$ getent group video
video:x:44:alice
""",
"""$ ls -l /dev/nvidia0 /dev/nvidiactl /dev/nvidia-uvm
crw-rw---- 1 root render 195,   0 Mar  3 09:00 /dev/nvidia0
crw-rw---- 1 root render 195, 255 Mar  3 09:00 /dev/nvidiactl
crw-rw---- 1 root render 508,   0 Mar  3 09:00 /dev/nvidia-uvm
$ id
uid=1000(kim) gid=1000(kim) groups=1000(kim),27(sudo)
""",
"""rootless docker:
$ docker run --rm --gpus all nvidia/cuda:12.4.1-base-ubuntu22.04 ls -l /dev/nvidiactl
crw-rw---- 1 nobody nogroup 195, 255 Jan  9 08:00 /dev/nvidiactl
Failed to initialize NVML: Insufficient Permissions
""",
"""$ stat -c '%A %U %G %n' /dev/nvidia0
$ ls -l /dev/nvidia0
crw------- 1 root root 195, 0 Feb  1 12:00 /dev/nvidia0
$ groups
me adm cdrom sudo
""",
]
NODES_NEAR = [
"""$ cat /etc/modprobe.d/nvidia.conf
options nvidia NVreg_DeviceFileGID=44 NVreg_DeviceFileMode=0660
$ id
uid=1000(me) gid=1000(me) groups=1000(me),44(video)
""",
"""$ grep DeviceFile /proc/driver/nvidia/params
DeviceFileUID: 0
DeviceFileGID: 0
DeviceFileMode: 438
$ whoami
bob
""",
"""podman rootless with keep-groups works:
$ podman run --rm --group-add keep-groups --device nvidia.com/gpu=all ubuntu ls -l /dev/nvidia0
crw-rw----. 1 nobody nobody 195, 0 Jun 30 12:00 /dev/nvidia0
""",
"""$ ls -l /dev/nvidia0 /dev/nvidiactl
crw-rw-rw- 1 root root 195,   0 Jun 21 09:58 /dev/nvidia0
crw-rw-rw- 1 root root 195, 255 Jun 21 09:58 /dev/nvidiactl
$ id
uid=1000(me) gid=1000(me) groups=1000(me)
""",
"""$ ls -l /dev/nvidia0
crw-rw---- 1 root video 195, 0 Jun 21 09:58 /dev/nvidia0
$ id
uid=1000(me) gid=1000(me) groups=1000(me),44(video)
""",
]
NO_GPU += [
"""jobs:
  test:
    runs-on: ubuntu-latest
...
E   RuntimeError: No CUDA GPUs are available
""",
"""C:\\Users\\me> wmic path win32_VideoController get name
Name
AMD Radeon(TM) Graphics
C:\\Users\\me> python -c "import torch; print(torch.cuda.is_available())"
False
""",
"""$ glxinfo | grep "OpenGL renderer"
OpenGL renderer string: Mesa Intel(R) UHD Graphics 620 (KBL GT2)
$ python -c "import torch; print(torch.cuda.is_available())"
False
""",
"""$ inxi -G
Graphics:
  Device-1: Intel UHD Graphics 620 driver: i915 v: kernel
$ python3 -c "import torch; torch.zeros(1, device='cuda')"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""$ lspci | grep -i 10de
$ python -c "import torch; torch.cuda.current_device()"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""[ec2-user@ip-10-0-0-5 ~]$ lspci | grep -i nvidia
[ec2-user@ip-10-0-0-5 ~]$ python3 -c "import torch; print(torch.cuda.is_available())"
False
""",
]
NO_GPU_NEAR += [
"""$ lspci | grep -i nvidia
01:00.0 3D controller: NVIDIA Corporation GA107M [GeForce RTX 3050 Mobile] (rev a1)
$ python -c "import torch;print(torch.cuda.is_available())"
True
""",
"""Under WSL2 (Ubuntu 22.04):
$ lspci | grep -i nvidia
$ nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 3070 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
"""$ lspci | egrep -i 'vga|3d'
03:00.0 VGA compatible controller: ASPEED Technology, Inc. ASPEED Graphics Family (rev 41)
17:00.0 3D controller: NVIDIA Corporation GA100 [A100 PCIe 40GB] (rev a1)
$ nvidia-smi -L
GPU 0: NVIDIA A100-PCIE-40GB (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
"""$ lspci | grep -i vga
03:00.0 VGA compatible controller: ASPEED Technology, Inc. ASPEED Graphics Family (rev 41)
$ nvidia-smi -L
GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
]
DRIVER_MISSING += [
"""$ sudo lshw -C display
  *-display UNCLAIMED
       description: 3D controller
       product: TU104GL [Tesla T4]
       vendor: NVIDIA Corporation
       bus info: pci@0000:00:1e.0
       configuration: latency=0
""",
"""$ inxi -G
Graphics:
  Device-1: Intel Alder Lake-P GT2 [Iris Xe Graphics] driver: i915 v: kernel
  Device-2: NVIDIA GA107M [GeForce RTX 3050 Mobile] driver: N/A
""",
"""$ lspci | grep -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation GA106 [GeForce RTX 3060] (rev a1)
$ apt list --installed | grep nvidia
$ python -c "import torch; torch.cuda.init()"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""$ lspci -nnk | grep -A3 -i nvidia
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU106 [GeForce RTX 2060] [10de:1f08] (rev a1)
	Subsystem: Gigabyte Technology Co., Ltd TU106 [GeForce RTX 2060] [1458:37ce]
	Kernel modules: nvidiafb, nouveau
$ dpkg -l | grep -i nvidia
$
""",
"""lspci 里能看到显卡：
01:00.0 VGA compatible controller: NVIDIA Corporation AD104 [GeForce RTX 4070] (rev a1)
但是 nvidia-smi 提示：
nvidia-smi: command not found
""",
]
NOT_LOADED += [
"""$ sudo modprobe nvidia
modprobe: FATAL: Module nvidia not found in directory /lib/modules/6.5.0-35-generic
$ dkms status
nvidia/535.171.04, 6.2.0-39-generic, x86_64: installed
""",
"""[root@h ~]# ls /proc/driver/nvidia
ls: cannot access '/proc/driver/nvidia': No such file or directory
[root@h ~]# rpm -qa | grep nvidia-driver
nvidia-driver-550.90.07-1.el9.x86_64
""",
"""$ lspci -nnk -d 10de:
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [GeForce RTX 3070] [10de:2484] (rev a1)
	Subsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3903]
	Kernel modules: nvidiafb, nouveau, nvidia_drm, nvidia
$ dpkg -l | grep nvidia-driver
ii  nvidia-driver-550  550.120-0ubuntu0.24.04.1  amd64  NVIDIA driver metapackage
$ nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
""",
"""After the kernel update to 6.8.0-48 nvidia-smi says:
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
$ lsmod | grep nvidia
$ uname -r
6.8.0-48-generic
""",
]
NODES += [
"""$ ls -l /dev/nvidia*
crw------- 1 root root 195,   0 Jan  1 10:00 /dev/nvidia0
crw------- 1 root root 195, 255 Jan  1 10:00 /dev/nvidiactl
crw-rw-rw- 1 root root 508,   0 Jan  1 10:00 /dev/nvidia-uvm
me@box:~$ nvidia-smi
Failed to initialize NVML: Insufficient Permissions
""",
"""$ strace -f -e trace=openat python -c "import torch; torch.cuda.init()" 2>&1 | grep nvidia
openat(AT_FDCWD, "/dev/nvidiactl", O_RDWR) = -1 EACCES (Permission denied)
""",
"""普通用户无法访问 /dev/nvidia0，用 root 跑就没问题，已经确认用户不在 video 组里。
""",
"""$ ls -l /dev/nvidia*
crw-rw---- 1 root video 195,   0 Jan  1 10:00 /dev/nvidia0
crw-rw---- 1 root video 195, 255 Jan  1 10:00 /dev/nvidiactl
crw-rw---- 1 root video 508,   0 Jan  1 10:00 /dev/nvidia-uvm
$ groups
me adm cdrom sudo dip plugdev
""",
"""The fix was adding the user to the video group: `sudo usermod -aG video $USER`, log out and in, and now CUDA works.
""",
]
NODES_NEAR += [
"""$ ls -l /dev/nvidia*
crw-rw---- 1 root video 195,   0 Jan  1 10:00 /dev/nvidia0
crw-rw---- 1 root video 195, 255 Jan  1 10:00 /dev/nvidiactl
$ groups
me adm video sudo
""",
"""Should I add the user to the video group, or is the default 0666 mode fine? nvidia-smi works for everyone here.
""",
"""$ cat /etc/modprobe.d/nvidia.conf
options nvidia NVreg_PreserveVideoMemoryAllocations=1 NVreg_TemporaryFilePath=/var/tmp
$ whoami
me
""",
]
DRIVER_MISSING_NEAR += [
"""$ lspci -k -d 10de:
01:00.0 VGA compatible controller: NVIDIA Corporation AD102 [GeForce RTX 4090] (rev a1)
	Subsystem: ASUSTeK Computer Inc. Device 889c
	Kernel driver in use: nvidia
	Kernel modules: nvidiafb, nouveau, nvidia_drm, nvidia
""",
"""$ lspci | grep -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation GA106 [GeForce RTX 3060] (rev a1)
$ apt list --installed | grep nvidia-driver
nvidia-driver-550/jammy-updates,now 550.120-0ubuntu0.22.04.1 amd64 [installed]
$ nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 3060 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
]
NOT_LOADED_NEAR += [
"""$ lsmod | grep nvidia
nvidia_drm            122880  4
nvidia              54292480  120 nvidia_uvm,nvidia_modeset
$ cat /proc/driver/nvidia/version
NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.90.07  Fri May 31 09:35:42 UTC 2024
""",
"""Last week after a kernel update the nvidia module was not loaded; dkms autoinstall fixed it and now:
$ nvidia-smi -L
GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
]

DRIVER_MISSING += [
"""Device Manager > Display adapters:
  Intel(R) UHD Graphics
  Microsoft Basic Display Adapter
Laptop is a Lenovo Legion with an RTX 3060 Laptop GPU. torch.cuda.is_available() returns False.
""",
"""$ lspci -nnk | grep -A3 -i nvidia
01:00.0 VGA compatible controller [0300]: NVIDIA Corporation GA104 [GeForce RTX 3070] [10de:2484] (rev a1)
	Subsystem: Gigabyte Technology Co., Ltd Device [1458:404c]
	Kernel modules: nouveau
$ nvidia-smi
bash: nvidia-smi: command not found
""",
"""[me@fedora ~]$ lspci | grep -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation TU116 [GeForce GTX 1660 SUPER] (rev a1)
[me@fedora ~]$ dnf list installed | grep -i nvidia
[me@fedora ~]$ nvidia-smi
bash: nvidia-smi: command not found...
""",
"""$ lspci | grep -i nvidia
01:00.0 VGA compatible controller: NVIDIA Corporation GA102 [GeForce RTX 3080] (rev a1)
$ pacman -Q | grep nvidia
$ python -c "import torch; torch.cuda.init()"
RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx
""",
"""$ lspci -k -d 10de:
0000:3b:00.0 3D controller: NVIDIA Corporation GA100 [A100 PCIe 40GB] (rev a1)
	Subsystem: NVIDIA Corporation Device 145f
$ python -c "import torch; print(torch.cuda.is_available())"
False
""",
"""$ sudo lshw -C display
  *-display UNCLAIMED
       description: VGA compatible controller
       product: AD107 [GeForce RTX 4060]
       vendor: NVIDIA Corporation
       bus info: pci@0000:01:00.0
       configuration: latency=0
  *-display
       description: VGA compatible controller
       product: Raptor Lake-S GT1 [UHD Graphics 770]
       vendor: Intel Corporation
       configuration: driver=i915 latency=0
""",
]
NOT_LOADED += [
"""$ nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
$ ls /usr/src | grep nvidia
nvidia-550.90.07
$ lsmod | grep nvidia
$
""",
"""$ cat /proc/driver/nvidia/version
cat: /proc/driver/nvidia/version: No such file or directory
$ dpkg -l | grep nvidia-driver
ii  nvidia-driver-535  535.183.01-0ubuntu0.22.04.1  amd64  NVIDIA driver metapackage
""",
"""[me@fedora ~]$ sudo modprobe nvidia
modprobe: FATAL: Module nvidia not found in directory /lib/modules/6.9.4-200.fc40.x86_64
[me@fedora ~]$ rpm -qa | grep akmod-nvidia
akmod-nvidia-550.78-1.fc40.x86_64
""",
"""[user@node ~]$ lsmod | grep nvidia
[user@node ~]$ rpm -qa | grep nvidia-driver
nvidia-driver-cuda-550.90.07-1.el9.x86_64
nvidia-driver-550.90.07-1.el9.x86_64
[user@node ~]$ python -c "import torch; print(torch.cuda.is_available())"
False
""",
"""root@deb:~# nvidia-smi
NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.
root@deb:~# dkms status
nvidia-current/535.183.01: added
root@deb:~# uname -r
6.1.0-25-amd64
""",
"""$ sudo modprobe nvidia
modprobe: ERROR: could not insert 'nvidia': Exec format error
$ modinfo nvidia | grep vermagic
vermagic:       6.5.0-41-generic SMP preempt mod_unload modversions
$ uname -r
6.5.0-44-generic
""",
]
NODES += [
"""$ docker run --rm --gpus all -u 1000:1000 myimage bash -c 'ls -l /dev/nvidia0 /dev/nvidiactl; id'
crw-rw---- 1 root 44 195,   0 May  2 08:00 /dev/nvidia0
crw-rw---- 1 root 44 195, 255 May  2 08:00 /dev/nvidiactl
uid=1000(app) gid=1000(app) groups=1000(app)
""",
"""$ grep DeviceFile /proc/driver/nvidia/params
DeviceFileUID: 0
DeviceFileGID: 0
DeviceFileMode: 384
alice@ws:~$ nvidia-smi
Failed to initialize NVML: Insufficient Permissions
""",
"""$ cat /etc/modprobe.d/nvidia-perms.conf
options nvidia NVreg_DeviceFileGID=985 NVreg_DeviceFileMode=0660
$ getent group render
render:x:985:
$ whoami
jenkins
""",
"""ollama.service runs as User=ollama:
$ ls -l /dev/nvidia*
crw-rw---- 1 root video 195,   0 Jun 21 09:58 /dev/nvidia0
crw-rw---- 1 root video 195, 255 Jun 21 09:58 /dev/nvidiactl
crw-rw-rw- 1 root root  508,   0 Jun 21 09:58 /dev/nvidia-uvm
$ id ollama
uid=997(ollama) gid=997(ollama) groups=997(ollama)
""",
"""Pod spec has securityContext runAsUser: 1000. Inside the pod:
$ ls -l /dev/nvidia*
crw-rw---- 1 root video 195,   0 Apr  4 07:00 /dev/nvidia0
crw-rw---- 1 root video 195, 255 Apr  4 07:00 /dev/nvidiactl
crw-rw---- 1 root video 511,   0 Apr  4 07:00 /dev/nvidia-uvm
$ id
uid=1000(jovyan) gid=100(users) groups=100(users)
""",
]
NODES_NEAR += [
"""$ docker run --rm --gpus all -u 1000:1000 --group-add 44 myimage bash -c 'ls -l /dev/nvidia0; id'
crw-rw---- 1 root 44 195, 0 May  2 08:00 /dev/nvidia0
uid=1000(app) gid=1000(app) groups=1000(app),44
""",
"""$ grep DeviceFile /proc/driver/nvidia/params
DeviceFileUID: 0
DeviceFileGID: 0
DeviceFileMode: 384
root@ws:~# nvidia-smi -L
GPU 0: NVIDIA RTX A6000 (UUID: GPU-11111111-2222-3333-4444-555555555555)
""",
"""$ cat /etc/modprobe.d/nvidia-perms.conf
options nvidia NVreg_DeviceFileGID=985 NVreg_DeviceFileMode=0660
$ getent group render
render:x:985:jenkins
$ whoami
jenkins
""",
]


def _findings(text: str):
    _, report = diagnose(source.normalise(text), collected_at="")
    return {f.id: f.severity.value for f in report.findings}


BROKEN = ([("no_nvidia_gpu_found", t) for t in NO_GPU] + [("gpu_present_driver_missing", t) for t in DRIVER_MISSING]
          + [("driver_kernel_module_not_loaded", t) for t in NOT_LOADED]
          + [("device_node_permissions", t) for t in NODES])
NEAR = ([("no_nvidia_gpu_found", t) for t in NO_GPU_NEAR] + [("gpu_present_driver_missing", t) for t in DRIVER_MISSING_NEAR]
        + [("driver_kernel_module_not_loaded", t) for t in NOT_LOADED_NEAR]
        + [("device_node_permissions", t) for t in NODES_NEAR])


@pytest.mark.parametrize("finding, text", BROKEN)
def test_the_class_is_found(finding, text):
    assert finding in _findings(text)


@pytest.mark.parametrize("finding, text", NEAR)
def test_a_near_miss_gets_no_error(finding, text):
    got = _findings(text)
    # A person on a machine with only an Intel GPU asking about the CPU build may get the
    # no-GPU note (a warning); no near-miss gets an error.
    assert not [k for k, v in got.items() if v == "error"], got


def test_a_listing_of_named_nodes_says_nothing_of_the_others():
    text = NODES[2].replace("/dev/nvidia-uvm", "/dev/nvidia1")
    assert "nvidia_uvm_missing" not in _findings(text)


def test_the_driver_setting_is_likely_not_confirmed():
    _, report = diagnose(source.normalise(NODES[0]), collected_at="")
    f = next(f for f in report.findings if f.id == "device_node_permissions")
    assert f.confidence.value == "likely"
