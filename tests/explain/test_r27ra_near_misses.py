"""Review of round 27 (ra): texts a working machine's owner would paste, near-misses, and broken
texts in other words, for the classes round 27 v, b and the merger widened. Each near-miss below got
an error finding (or a wrong warning) before this review's fixes. Texts written for the test, except
the nvidia-smi power-limit session (a public gist, owocki/0c0019d72f6088f282d0ca0d48653a42: a
working GPU whose power limit needs root)."""

from __future__ import annotations

import pytest

from tests.rules.test_unseen_classes import errors, findings

ARCH = {"gpu_arch_too_old_for_torch_build", "gpu_arch_unsupported_by_torch_build"}
NOT_LOADED = "driver_kernel_module_not_loaded"
NODES = "device_node_permissions"
BOTH = "cpu_and_gpu_framework_packages_both_installed"
FLAG = "container_missing_gpus_flag"
NO_GPU = "no_nvidia_gpu_found"


# --------------------------------------------------------------- torch_arch_prose: round 27's lack words
@pytest.mark.parametrize("text", [
    # a measurement on a working GPU: "dropped on my …", not "dropped my GPU"
    "Training speed dropped on my RTX 4090 after upgrading to the latest PyTorch release.",
    "GPU utilization dropped on the A100 with the nightly PyTorch build.",
    "Memory usage dropped on my GTX 1080 Ti with the nightly torch build, nice.",
    "Speed dropped on my GTX 1070 with the current PyTorch release.",
    "Mixed precision dropped on my Tesla V100 after the nightly torch build.",
    # what the GPU lacks, not what the build lacks
    "The GTX 1080 lacks tensor cores, so bf16 in the current torch release is slow on it.",
    "My RTX 3060 lacks the VRAM to run this model with the stable torch build, it goes OOM.",
    "My GTX 1080 does not have tensor cores, so the current torch build runs fp16 slowly.",
    # the GPU as a modifier of what was dropped
    "The latest torch release dropped my RTX 3090 from 10 it/s to 7 it/s.",
    "The nightly torch build dropped the RTX 4090's throughput by 30%.",
    "The current torch release no longer has the RTX 4090 memory leak.",
])
def test_arch_lack_words_on_a_working_gpu(text):
    assert not ARCH & set(findings(text))


@pytest.mark.parametrize("text, fid", [
    ("The current torch wheels dropped Pascal, so my GTX 1070 fails.", "gpu_arch_too_old_for_torch_build"),
    ("The stable torch build lacks kernels for my GTX 1070.", "gpu_arch_too_old_for_torch_build"),
    ("Pascal support was dropped in the current torch release, my GTX 1080 fails.",
     "gpu_arch_too_old_for_torch_build"),
    ("The current PyTorch build does not contain kernels for my GTX 1080.", "gpu_arch_too_old_for_torch_build"),
    ("The current torch version does not work with my RTX 5090.", "gpu_arch_unsupported_by_torch_build"),
    ("The stable torch wheel lacks sm_120, so my RTX 5090 fails.", "gpu_arch_unsupported_by_torch_build"),
])
def test_arch_lack_said_in_other_words(text, fid):
    assert fid in findings(text)


# --------------------------------------------------------------- module_load_langs
@pytest.mark.parametrize("text", [
    # the driver fine, a model that does not load (Ollama's, ComfyUI's weights)
    "Der NVIDIA-Treiber 550 ist installiert und nvidia-smi funktioniert, aber das Modell wird nicht geladen.",
    "Драйвер nvidia 550 стоит, nvidia-smi работает, но модель не загружается в ComfyUI.",
    "El driver de NVIDIA funciona bien, pero el modelo no se carga en la GPU.",
    "O driver da NVIDIA está ok, mas o modelo não carrega no LM Studio.",
    "NVIDIAのドライバは正常ですが、モデルが読み込まれない。",
    "NVIDIA 드라이버는 정상인데 모델이 로드되지 않습니다.",
    "NVIDIA 드라이버는 정상인데, 모델이 로드되지 않습니다.",
    "Il driver NVIDIA è installato, ma il modello non viene caricato in VRAM.",
    # a condition or advice (a guide's words)
    "Si el módulo nvidia no se carga, ejecute sudo modprobe nvidia y revise Secure Boot.",
    "Se o driver da NVIDIA não carregar, desative o Secure Boot.",
    "Если драйвер nvidia не загружается, отключите Secure Boot в BIOS.",
    "Si le module nvidia ne se charge pas, désactivez Secure Boot.",
    # the failure said to be over in the next sentence
    "Das Modul nvidia wird nicht geladen. Nach einer Neuinstallation des Treibers funktioniert es wieder.",
])
def test_module_not_loading_near_misses(text):
    assert NOT_LOADED not in findings(text)


@pytest.mark.parametrize("text", [
    "Драйвер nvidia, установленный из репозитория, не загружается.",
    "El módulo de NVIDIA, después de actualizar el kernel, no se carga.",
    "NVIDIAのドライバが、カーネル更新後に読み込まれなくなった。",
    "Der NVIDIA-Treiber, Version 550, wird nicht geladen.",
    "Nach dem Kernel-Update wird der NVIDIA-Treiber nicht geladen, nvidia-smi findet nichts.",
    "Der NVIDIA-Treiber wird nach dem Kernel-Update nicht geladen, nvidia-smi findet nichts.",
])
def test_module_not_loading_said_in_other_words(text):
    assert NOT_LOADED in findings(text)


# --------------------------------------------------------------- device_manager_codes
@pytest.mark.parametrize("text", [
    # NVIDIA's non-GPU devices, other devices, beside a working GPU
    "GPU: NVIDIA GeForce RTX 3060 Laptop, driver 551.86, CUDA works.\n"
    "In Device Manager, NVIDIA Platform Controllers and Framework shows Code 31.",
    'My RTX 4070 works fine in games and CUDA. Device Manager: "NVIDIA Platform Controllers and Framework - This '
    'device is not working properly because Windows cannot load the drivers required for this device. (Code 31)"',
    "NVIDIA GeForce RTX 3080\ntorch.cuda.is_available() True\nThe Xbox controller in Device Manager shows Code 52.",
    'GPU: NVIDIA RTX A4000\nLenovo Vantage shows "Code 39" for the fingerprint reader',
    # a program's exit status
    "nvidia-smi exited with code 31 in the container; the RTX 4090 is fine on the host.",
    "NVIDIA GeForce RTX 3090\nProcess finished with exit code 52",
    # a question without its mark
    "What does Code 52 on my RTX 3060 mean",
])
def test_device_manager_code_near_misses(text):
    assert NOT_LOADED not in findings(text)


@pytest.mark.parametrize("text", [
    "Im Geräte-Manager zeigt die NVIDIA GeForce GTX 1650 den Fehler Code 31, CUDA geht nicht.",
    "My RTX 3060 shows error code 52 in Device Manager after the Windows update.",
    "NVIDIA GeForce RTX 2070\nWindows cannot verify the digital signature for the drivers required for this device. "
    "(Code 52)",
])
def test_device_manager_code_said(text):
    assert NOT_LOADED in findings(text)


# --------------------------------------------------------------- device nodes: root-only settings
@pytest.mark.parametrize("text", [
    "Als normaler Benutzer funktioniert nvidia-smi -pl 250 nicht (Insufficient Permissions), mit sudo geht es. "
    "Training auf der GPU läuft normal.",
    "От обычного пользователя nvidia-smi -pm 1 выдаёт ошибку, через sudo работает. CUDA работает нормально.",
    "Com o usuário normal o nvidia-smi --gpu-reset dá erro, com sudo funciona.",
    "En tant qu'utilisateur normal, nvidia-smi -lgc 1500 renvoie une erreur, avec sudo ça marche. CUDA fonctionne.",
    "Ohne sudo funktioniert das Setzen der Taktraten mit nvidia-smi nicht, mit sudo geht es.",
    "Als normaler Benutzer kann ich nvidia-settings Coolbits für die GPU nicht ändern, mit sudo geht es.",
    "As a normal user nvidia-smi -pl 250 fails with Insufficient Permissions, with sudo it works. Training on the GPU "
    "runs fine.",
    "Without sudo, nvidia-smi -pm 1 gives an error; with sudo it works.",
    "As a normal user ncu fails with ERR_NVGPUCTRPERM on the GPU, with sudo it works.",
    # the docker CLI as the user: the docker group, not the GPU's nodes
    "Als normaler Benutzer funktioniert docker run --gpus all nicht, mit sudo geht es.",
    "Sin sudo, docker run --gpus all falla; con sudo funciona.",
    "Без sudo docker run --gpus all выдаёт ошибку, через sudo работает.",
    "As a normal user docker run --gpus all fails, with sudo it works.",
    "nvidia-smi -i 0 -pl 170\nFailed to set power management limit for GPU 0000:01:00.0: Insufficient Permissions\n"
    "Terminating early due to previous errors.\nsudo nvidia-smi -i 0 -pl 170\n"
    "Power limit for GPU 0000:01:00.0 was set to 170.00 W from 170.00 W.\nAll done.",
])
def test_root_only_settings_are_not_closed_nodes(text):
    assert NODES not in errors(text)


@pytest.mark.parametrize("text", [
    "Als normaler Benutzer ist torch.cuda.is_available() False, mit sudo funktioniert es.",
    "As a normal user torch.cuda.is_available() returns False, with sudo it returns True.",
    "От обычного пользователя torch.cuda.is_available() возвращает False, а через sudo работает.",
])
def test_cuda_failing_only_as_the_user(text):
    assert NODES in findings(text)


# --------------------------------------------------------------- framework_reinstall_said
@pytest.mark.parametrize("text", [
    "onnxruntime-gpu 1.17.1\nAfter reinstalling the NVIDIA driver, onnxruntime-gpu uses the GPU now.",
    "onnxruntime-gpu 1.17.1\nI reinstalled the Visual C++ redistributable and onnxruntime-gpu works on the GPU.",
    "I reinstalled Python in a fresh venv and now onnxruntime-gpu runs on the GPU.",
    "Reinstalling onnxruntime-gpu fixed the libcublasLt.so.11 cannot open shared object file error.",
])
def test_reinstall_of_something_else(text):
    assert BOTH not in findings(text)


@pytest.mark.parametrize("text", [
    "I uninstalled onnxruntime and reinstalled onnxruntime-gpu, now it runs on the GPU.",
    "onnxruntime-gpu を再インストールしたらGPUが使えました。",
    "pip install --force-reinstall onnxruntime-gpu fixed it",
])
def test_reinstall_of_the_gpu_package(text):
    assert BOTH in findings(text)


# --------------------------------------------------------------- wsl_linux_driver
def test_linux_driver_denied_inside_wsl():
    text = ("I'm on WSL2 (Ubuntu 22.04). I installed cuda-toolkit-12-4 inside WSL, not the Linux NVIDIA driver, only "
            "the Windows driver 551.86.\nRuntimeError: CUDA error: out of memory")
    assert "driver_installed_inside_container" not in findings(text)


def test_linux_driver_said_inside_wsl():
    text = "WSL2 Ubuntu 22.04. I installed nvidia-driver-535 inside WSL and now torch.cuda.is_available() is False."
    assert "driver_installed_inside_container" in findings(text)


# --------------------------------------------------------------- container_prose: --gpus
@pytest.mark.parametrize("text", [
    # the behaviour said to be expected, the flag used and working
    "Sem --gpus o container não vê a GPU, isso é esperado. Com --gpus all funciona.",
    "Без --gpus контейнер не видит GPU, это нормально; с --gpus all всё работает.",
    "Sin --gpus el contenedor no ve la GPU, es lo esperado. Con --gpus all funciona.",
    "Ohne --gpus sieht der Container die GPU nicht, das ist normal. Mit --gpus all funktioniert es.",
    # the flag added and still failing: not the flag
    "I had to add --gpus all and it still does not see the GPU.",
    # the flag's omission denied
    "Я не забыл добавить --gpus all, проблема в другом: NCCL timeout.",
    "Não esqueci de adicionar --gpus all; a dúvida é sobre NCCL.",
    "No olvidé poner --gpus all; la pregunta es sobre NCCL.",
    "Ich habe --gpus all nicht vergessen; es geht um NCCL.",
])
def test_gpus_flag_near_misses(text):
    assert FLAG not in findings(text)


@pytest.mark.parametrize("text", [
    "Eu rodei o container sem --gpus, por isso o torch não via a GPU.",
    "Я запускал контейнер без --gpus all, поэтому torch.cuda.is_available() возвращал False.",
])
def test_gpus_flag_left_out(text):
    assert FLAG in findings(text)


# --------------------------------------------------------------- gpu_absent_prose's languages
@pytest.mark.parametrize("text", [
    # a program or the driver missing, not the GPU
    "В контейнере нет nvidia-smi, torch.cuda.is_available() возвращает False.",
    "У меня нет nvidia драйвера, только что поставил Ubuntu, torch.cuda.is_available() False.",
    "Trong container không có nvidia-smi, torch.cuda.is_available() trả về False.",
    # a container, whose GPU is the host's
    "Внутри docker-контейнера нет видеокарты nvidia, хотя на хосте всё работает.",
    # a condition, a question (Turkish -sa, mu; Vietnamese thì)
    "NVIDIA ekran kartı yoksa CPU kullanılır.",
    "NVIDIA ekran kartı yok mu diye kontrol ediyor.",
    "Máy không có card NVIDIA thì dùng CPU.",
    # Japanese: a question without its mark (か)
    "NVIDIAのGPUは搭載していませんか",
])
def test_absence_near_misses(text):
    assert NO_GPU not in findings(text)


@pytest.mark.parametrize("text", [
    "У меня нет видеокарты nvidia, только встроенная Intel.",
    "Máy tôi không có card NVIDIA, chỉ có Intel UHD.",
    "NVIDIA ekran kartım yok, sadece Intel var.",
    "Lỗi CUDA vì máy tôi không có card NVIDIA.",
    "NVIDIAのGPUは搭載していません。",
    "NVIDIAのGPUがないので、CPUで動かしています。",
])
def test_absence_said(text):
    assert NO_GPU in findings(text)


# --------------------------------------------------------------- messages r27v: kmod_module_built_for_other_kernel
@pytest.mark.parametrize("text", [
    # GPUDirect RDMA's and GPUDirect Storage's modules: the InfiniBand stack's symbols, the driver works
    "$ sudo modprobe nvidia-peermem\nmodprobe: ERROR: could not insert 'nvidia_peermem': Unknown symbol in module, or "
    "unknown parameter (see dmesg)\nCUDA itself works, only GPUDirect RDMA is missing.",
    "$ sudo modprobe nvidia-fs\nmodprobe: ERROR: could not insert 'nvidia_fs': Unknown symbol in module, or unknown "
    "parameter (see dmesg)",
])
def test_kmod_refusing_another_nvidia_module(text):
    assert NOT_LOADED not in findings(text)


def test_kmod_refusing_the_driver():
    assert NOT_LOADED in findings("modprobe: ERROR: could not insert 'nvidia': Exec format error")


# --------------------------------------------------------------- interactive: is_available() said in other languages
def _available(text):
    from envcheck.explain.parsers import interactive
    from envcheck.explain.source import normalise
    return [c.reading.value for c in interactive.parse(normalise(text + "\n")).claims if c.path == "torch.cuda_available"]


@pytest.mark.parametrize("text", [
    "torch.cuda.is_available() が False か True かを確認してください。",
    "torch.cuda.is_available() gibt True oder False zurück, je nach Treiber.",
])
def test_two_values_offered_are_no_result(text):
    assert _available(text) == []


# Real reports (the search tool's issues corpus), the GPU working, Code 31 on NVIDIA's Platform
# Controllers and Framework device (nvpcf, Dynamic Boost): not the GPU's driver. The title above the
# reporter's text, as a user pasting the whole issue gives it.
@pytest.mark.parametrize("text", [
    # https://github.com/dartraiden/NVIDIA-patcher/issues/149
    "Nvidia Platform Controllers and Framework Code 31 (CMP 70HX)\n\n"
    "the gpu itself has no error but for some reason when i installed the drivers the Nvidia controller things has a "
    "CODE 31 error \"Este dispositivo no funciona correctamente porque Windows no puede cargar los controladores "
    "requeridos para dicho dispositivo. (Código 31)\"\n"
    "it says something like: this device wont work properly cuz windows cant load the requiered drivers for this device",
    # https://github.com/arutar/FrankenDriver/issues/8
    "error 31 in nvidia platforms controller and framework\n\n"
    "Восклицательный знак в диспетчере устройств. но вроде бы игрушки идут, адоб премьер кажется работает\n\n"
    "Это устройство работает неправильно, т.к. Windows не удается загрузить для него нужные драйверы. (Код 31)\n\n"
    "Служба: nvpcf",
])
def test_real_platform_controllers_code_31(text):
    assert NOT_LOADED not in findings(text)


# module_load_langs: another device's driver that does not load, beside an NVIDIA GPU said to work
@pytest.mark.parametrize("text", [
    "GPU: NVIDIA RTX 4090, CUDA läuft.\nDer WLAN-Treiber wird nach dem Update nicht geladen.",
    "Видеокарта NVIDIA RTX 3060 работает, CUDA тоже.\nДрайвер Wi-Fi после обновления ядра не загружается.",
    "Tengo una NVIDIA RTX 3070 y CUDA funciona.\nEl driver de audio Realtek no se carga desde la actualización.",
    "NVIDIA RTX 3070 ok. Le pilote du touchpad ne se charge plus.",
    "NVIDIA RTX 3070 ok。無線LANのドライバが読み込まれない。",
])
def test_another_devices_driver_not_loading(text):
    assert NOT_LOADED not in findings(text)


@pytest.mark.parametrize("text", [
    "Laptop con Intel i7 y RTX 3060: el driver de NVIDIA no se carga.",
    "Sur mon portable, son pilote nvidia ne se charge plus depuis la mise à jour.",
])
def test_nvidia_driver_not_loading_beside_other_words(text):
    assert NOT_LOADED in findings(text)


# module_load_langs: the conditional forms after the verb (Japanese 場合, Korean -으면, Turkish -sa)
@pytest.mark.parametrize("text", [
    "nvidia のドライバが読み込まれない場合は、Secure Boot を無効にしてください。",
    "nvidia 드라이버가 로드되지 않으면 Secure Boot를 끄세요.",
    "nvidia sürücüsü yüklenmiyorsa Secure Boot'u kapatın.",
])
def test_module_not_loading_as_a_condition(text):
    assert NOT_LOADED not in findings(text)


# torch_arch_prose: the passive of "removed / dropped" is the build's only with the build or support named
def test_a_card_removed_from_the_server():
    text = "The RTX 3090 was removed from the server and the current torch build runs on the A100."
    assert not ARCH & set(findings(text))


def test_a_gpu_dropped_from_the_wheels():
    assert "gpu_arch_too_old_for_torch_build" in findings("The GTX 1080 was dropped from the current torch wheels.")


def test_uninstalling_the_driver_is_no_reinstall_of_the_package():
    text = "I uninstalled the NVIDIA driver and installed onnxruntime-gpu again, now it uses the GPU."
    assert BOTH not in findings(text)


def test_uninstalling_the_cpu_package_then_the_gpu_package_again():
    text = "I uninstalled onnxruntime and installed onnxruntime-gpu again, now it uses the GPU."
    assert BOTH in findings(text)
