"""Containers in a person's words and in the image's own files: that the text speaks from a
container, that the container was not given the GPU, that the image carries a driver.

* **From a container**: "in docker", "the docker image", "Docker Desktop", "docker-compose",
  an NGC image's start banner ("== CUDA ==", "Container image Copyright"), LXC/LXD, Proxmox
  CTs, podman, Apptainer/Singularity, 容器 / 镜像 (zh), 컨테이너 / 도커 (ko), コンテナ (ja),
  "contenedor" (es), "im Container" (de). ``freetext`` already reads "inside a container",
  ``docker run`` and image names; this adds the other ways people say it.
* **No GPU given to it** (``host.container_gpus = "none"``, stated): the cause told ("without
  --gpus", "I forgot to add --gpus all", "adding --gpus all fixed it", "the service has no
  NVIDIA device reservation", "missing a flag for docker: --gpus all", "I had to add --gpus=all",
  忘了加 --gpus, --gpus 옵션을 빼먹었, --gpus を付け忘れ, "sin --gpus", "ohne --gpus", "sem --gpus",
  "без --gpus", "забыл добавить --gpus"), or the symptom told of the container ("the container can't see
  the GPU", "GPU not detected inside the container", 容器里识别不到显卡, 컨테이너에서 GPU 인식이
  안 됩니다, コンテナ内で GPU が認識されない). Both are claims: a run command in the text that
  shows the flag outranks them, and a finding built on them is "likely".
* **A driver in the image** (``driver.installed_module_versions`` in a container): a
  Dockerfile or ``docker build`` log that installs driver packages (``cuda-drivers``,
  ``nvidia-driver-535``, ``libnvidia-compute-550``, ``libcuda1``, the ``cuda`` /
  ``cuda-12-4`` meta packages, which pull the driver, a ``NVIDIA-Linux-*.run``), or a person
  saying they installed the driver in the container / image. The toolkit injects the host's
  driver; the image's own copy is what NVIDIA's container docs say never to ship
  (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html;
  the meta packages: CUDA Installation Guide for Linux, "Meta Packages").
* **Two drivers' libraries side by side** in a text that speaks from a container: a listing
  (``ls``, ``find``, ``ldconfig -p``) naming the driver's versioned files
  (``libcuda.so.525.147.05`` and ``libcuda.so.550.78``). A driver's libraries carry its full
  version in their names; the toolkit mounts the host's, so a second version is the image's.

The image's own files (the Dockerfile, the libraries, the package listing) are read by
``container_image``, which ``parse`` calls last.

A question ("do I need --gpus?"), a denial ("the GPU is detected in the container", "I did
not install a driver in the image") or advice ("make sure to add --gpus all") says nothing.
"""

from __future__ import annotations

import functools
import re
from typing import Optional, Tuple

from envcheck.explain.first_of import FirstOf
from envcheck.explain.gated import Gated
from envcheck.explain.parsers import container_driver_denied, container_others
from envcheck.explain.parsers.container_image import image_drivers, library_versions, packages_in_container
from envcheck.explain.partial import PROGRAM, STATED, STATED_DETAIL, Found
from envcheck.explain.source import Pasted
from envcheck.lazyre import lazy

SOURCE = "container statements"
_I = re.IGNORECASE

# --------------------------------------------------------------------------- from a container
# (pattern, kind). The first that matches a line names the kind. Each pattern is searched only in
# lines holding one of its words (Gated; tests/explain/test_gated_deferred.py checks every gate).
_CONTAINER_WORDS: Tuple[Tuple["re.Pattern[str]", str], ...] = (
    (Gated(lazy(r"\b(?:in|inside|within|from|under|using|via|with)\s+(?:a\s+|the\s+|my\s+|our\s+|this\s+)?docker\b"
                r"|\bdocker\s+(?:containers?|images?|environment|env|desktop|instance|setup)\b|\bdocker-compose\b"
                r"|\bcompose\s+up\b|\bdocker\s+exec\b|\bcontainer\s+image\b|\bdevcontainer\b"
                # "after building the base:0.2.0 image": an image tag being built
                r"|\bbuil(?:d|t|ding)\s+(?:the\s+|my\s+|our\s+)?(?:docker\s+)?(?:image\s+)?[a-z][\w./-]*:[\w.-]*\d[\w.-]*\b",
                _I), ("docker", "compose", "container", "buil")), "docker"),
    # The start banner of NVIDIA's (NGC and CUDA) images.
    (Gated(lazy(r"^\s*==\s*(?:CUDA|PyTorch|TensorFlow|Triton Inference Server|NVIDIA \w+)\s*==\s*$"
                r"|^Container image Copyright \(c\)|^NVIDIA Release \d{2}\.\d{2}\b"),
          ("==", "Container image", "NVIDIA Release")), "docker"),
    (Gated(lazy(r"\bpodman\b", _I), ("podman",)), "podman"),
    (Gated(lazy(r"\b(?:lxc|lxd|incus)\s+(?:containers?|guest|instance)\b|\b(?:in|inside)\s+(?:an?\s+|the\s+|my\s+)?"
                r"(?:lxc|lxd|incus)\b|\bproxmox\b[^.\n]{0,40}\b(?:lxc|CT)\b|\bunprivileged\s+(?:lxc|container)\b",
                _I), ("lxc", "lxd", "incus", "proxmox", "unprivileged")), "lxc"),
    # A command run in one: ``lxc exec NAME -- cmd`` (LXD), ``incus exec``, ``lxc-attach -n NAME``.
    (Gated(lazy(r"\b(?:lxc|incus)\s+exec\s+\S+|\blxc-attach\b", _I), ("lxc", "incus")), "lxc"),
    (Gated(lazy(r"\b(?:apptainer|singularity)\b|\.sif\b", _I), ("apptainer", "singularity", ".sif")), "other"),
    # enroot, and Slurm's pyxis that runs images through it (srun --container-image=...).
    (Gated(lazy(r"\benroot\s+(?:start|create|import|exec|batch)\b|--container-image[= ]", _I),
          ("enroot", "--container-image")), "other"),
    # /proc/self/cgroup under cgroup v2: the unit's name carries the runtime and the container id.
    (Gated(lazy(r"^\s*0::/\S*?(?:docker|cri-containerd|crio)-[0-9a-f]{12,64}\.scope\b"), ("0::/",)), "docker"),
    (Gated(lazy(r"^\s*0::/\S*?libpod-[0-9a-f]{12,64}\.scope\b"), ("libpod-",)), "podman"),
    # A prompt whose host name is a container id, after a conda or venv prefix: "(base) root@7f3c2a1b9d0e:/#".
    (Gated(lazy(r"^\s*\([\w.-]+\)\s+[\w.-]+@[0-9a-f]{12}:\S*\s?[#$]"), ("@",)), "docker"),
    # "In the pod:" / "inside my pod": a Kubernetes (or RunPod) pod is a container.
    (Gated(lazy(r"\b(?:kubectl\s+exec|in\s+(?:a|the|my)\s+(?:k8s|kubernetes)\s+pod|pod\s+spec"
                r"|(?:in|inside|within)\s+(?:a|the|my|our|this)\s+pods?)\b", _I),
          ("kubectl", "k8s", "kubernetes", "pod")), "kubernetes"),
    # zh 容器 (container), 镜像 (image); ko 컨테이너, 도커; ja コンテナ; es contenedor; de "im Container"
    (Gated(lazy(r"容器|docker\s*(?:镜像|环境|里|中|内)|(?:在|用)\s*docker|컨테이너|도커|コンテナ|Docker\s*(?:内|上|で)"
                r"|\bcontenedor(?:es)?\b|\b(?:im|in\s+einem|im\s+Docker-?)\s*Container\b", _I),
          ("容器", "docker", "컨테이너", "도커", "コンテナ", "contenedor", "container")), "docker"),
)
_CONTAINER_NEEDLES = ("docker", "compose", "container", "buil", "==", "nvidia release", "podman", "lxc", "lxd", "incus",
                      "proxmox", "apptainer", "singularity", ".sif", "kubectl", "k8s", "kubernetes", "pod", "容器",
                      "컨테이너", "도커", "コンテナ", "contenedor", "enroot", "crio-", "libpod-", "@")
# "not in docker", "no container", "without docker", "outside of docker": the host.
_NOT_HERE = lazy(r"\b(?:not|n't|no|never|without|outside(?:\s+of)?|instead\s+of|rather\s+than)\s+(?:\w+\s+){0,2}$"
                       r"|(?:不是|没有|没用|不用|不在)\s*$", _I)

# --------------------------------------------------------------------------- no GPU given to it
# The flag as written in a sentence: bare, in a code span or in quotes ('adding "--gpus all" fixed it').
_Q = "[`\"'\u201c\u201d\u2018\u2019]?"
_FLAG = (_Q + r"(?:--gpus(?:[= ][^\s\"'`\u201d\u2019]+)?|--runtime[= ]?nvidia|--nv(?:ccli)?\b|--device[= ]nvidia\.com/gpu\S*"
         r"|nvidia-docker|(?:the\s+)?nvidia\s+(?:container\s+)?runtime|(?:the\s+)?gpus?\s+(?:flag|option|parameter|argument))"
         + _Q)
# The cause told: the flag was left out, or adding it fixed it.
_CAUSE = Gated(lazy(
    rf"\b(?:without|forg[oe]t(?:ten)?\s+(?:to\s+)?(?:add|pass|use|specify|include|set|put)?|forgetting(?:\s+to\s+\w+)?"
    rf"|missing|omitt?(?:ed|ing)?|lack(?:s|ed|ing)?|didn't\s+(?:add|pass|use|specify)|did\s+not\s+(?:add|pass|use|specify)"
    rf"|not\s+(?:passing|adding|using|specifying)|no)\s+(?:the\s+|a\s+|an\s+|any\s+)?(?:option\s+|flag\s+)?{_FLAG}"
    # "is missing a flag for docker: --gpus all", "I had to add --gpus all", "needed to pass --gpus=all"
    rf"|\bmissing\s+(?:a|the)\s+(?:flag|option|parameter|argument)\s+(?:for\s+(?:docker|podman)\s*)?:?\s*{_FLAG}"
    rf"|\b(?:I|we)\s+(?:had|needed)\s+to\s+(?:add|pass|use|specify|include|append)\s+(?:the\s+)?{_FLAG}"
    rf"(?![^.!?\n]{{0,80}}?(?:\b(?:but|still|however|not)\b|n't))"
    # pt / ru: sem --gpus, esqueci de adicionar --gpus; без --gpus, забыл(а) добавить --gpus
    rf"|\bsem\s+(?:o\s+|a\s+)?(?:flag\s+|op[cç][aã]o\s+|par[aâ]metro\s+)?{_FLAG}|\besqueci\s+(?:de\s+)?(?:adicionar|colocar|passar)\s+{_FLAG}"
    rf"|(?<![\w-])без\s+(?:флага\s+|опции\s+|параметра\s+)?{_FLAG}|(?<![\w-])забыл\w*\s+(?:добавить|указать|передать)\s+{_FLAG}"
    rf"|\b(?:add(?:ing|ed)?|after\s+adding|by\s+adding|once\s+I\s+added|passing)\s+(?:the\s+)?{_FLAG}"
    # up to the verb, no "but", "still" or negation on the way ("added it but it still doesn't work")
    rf"(?:(?!\b(?:but|still|not|however)\b|n't)[^.!?\n]){{0,80}}?"
    rf"\b(?:fix(?:ed|es)?|solv(?:ed|es)|resolv(?:ed|es)|(?:now\s+)?works?\b|worked|helped|did\s+the\s+trick)"
    rf"|\b(?:fixed|solved|resolved)\b[^.!?\n]{{0,30}}\bby\s+(?:adding|passing|using|specifying)\s+(?:the\s+)?{_FLAG}"
    rf"|{_FLAG}[^.!?\n]{{0,60}}\b(?:not\s+used|doesn't\s+work|does\s+not\s+work|no\s+gpu|cpu\s+only)\s+without\s+it\b"
    rf"|\b(?:not\s+used|doesn't\s+work|does\s+not\s+work)\s+without\s+it\b[^\n]{{0,100}}?{_FLAG}"
    rf"|\brequires?\s+(?:passing|adding|using)\s+(?:an?\s+option\s+like\s+)?{_FLAG}[^.!?\n]{{0,60}}\bwithout\s+it\b"
    # A compose service or pod with no GPU request, said so.
    r"|\b(?:no|missing|without|lacks?|lacking)\s+(?:the\s+|an?\s+|any\s+)?`?(?:nvidia\s+|gpu\s+)?(?:device\s+reservations?"
    r"|gpu\s+reservations?|deploy\.resources(?:\.reservations(?:\.devices)?)?`?(?:\s+(?:block|section|key|entry))?"
    r"|nvidia\.com/gpu`?\s+(?:resource|limit)s?|runtime:\s*nvidia)"
    # zh: 没(有)加 / 忘了加 / 未指定 --gpus; 加上 --gpus 就好了 / 解决
    rf"|(?:没有?|忘了?|忘记|未|没|不)\s*(?:加|添加|带|指定|使用|传|写)(?:上)?\s*{_FLAG}"
    rf"|(?:加上|添加了?|加了|带上)\s*{_FLAG}[^。！\n]{{0,20}}(?:就好了|就可以了|解决|好了|可以了|正常)"
    # ko: --gpus 옵션을 빼먹 / 안 넣 / 추가하니 해결
    rf"|{_FLAG}\s*(?:옵션|플래그|인자)?\s*(?:을|를)?\s*(?:빼먹|안\s*넣|넣지\s*않|추가하지\s*않|빠뜨|누락|없이)"
    rf"|{_FLAG}\s*(?:옵션|플래그)?\s*(?:을|를)?\s*(?:추가하니|추가하면|추가해서|넣으니|넣어서)[^.\n]{{0,20}}(?:해결|됩니다|되네요|작동|인식)"
    # ja: --gpus を付け忘れ / 付けずに / 付けたら動いた
    rf"|{_FLAG}\s*(?:オプション)?\s*(?:を)?\s*(?:付け忘れ|つけ忘れ|指定し忘れ|指定していな|付けていな|つけていな|付けずに|つけずに|なしで)"
    rf"|{_FLAG}\s*(?:オプション)?\s*(?:を)?\s*(?:付けたら|つけたら|追加したら|指定したら)[^。\n]{{0,20}}(?:動いた|動きました|解決|認識)"
    # es / de / fr
    rf"|\bsin\s+(?:el\s+|la\s+)?(?:flag\s+|opci[oó]n\s+|par[aá]metro\s+)?{_FLAG}|\bolvid[eéó]\s+(?:poner|agregar|a[nñ]adir|pasar)\s+{_FLAG}"
    rf"|\bohne\s+(?:die\s+|das\s+|den\s+)?(?:Option\s+|Flag\s+|Parameter\s+)?{_FLAG}|{_FLAG}[^.\n]{{0,30}}\bvergessen\b"
    rf"|\bsans\s+(?:l'option\s+|le\s+flag\s+)?{_FLAG}|\boubli[ée]\s+(?:d'ajouter\s+|de\s+mettre\s+)?{_FLAG}"
    # a pod spec without the GPU resource, said so: "I did not set nvidia.com/gpu in the resources limits"
    r"|\b(?:did\s*n[o']t|did\s+not|forgot\s+to|never)\s+(?:set|add|specify|request|put)\s+(?:the\s+|an?\s+|any\s+)?`?"
    r"nvidia\.com/gpu\b", _I),
                # every match names the flag or the GPU request (checked when made): other lines are not searched
                ("--gpus", "--nv", "nvidia", "flag", "option", "parameter", "argument", "reservation", "deploy.resources"))
_CAUSE_NEEDLES = ("--gpus", "--runtime", "--nv", "nvidia.com/gpu", "nvidia-docker", "runtime", "flag", "option",
                  "reservation", "deploy.resources", "parameter", "argument")

_GPU = r"(?:nvidia\s+)?(?:gpus?|graphics\s+cards?|video\s+cards?|cuda\s+devices?|nvidia\s+drivers?|(?:the\s+)?drivers?)"
_IN_CONTAINER = (r"(?:in|inside|within|to|into|from|by)\s+(?:the\s+|my\s+|a\s+|this\s+|our\s+)?(?:docker\s+|podman\s+|lxc\s+)?"
                 r"(?:containers?|docker|pods?|lxc)")
# The symptom told of the container: it does not get the GPU.
_SYMPTOM = Gated(lazy(
    rf"\b{_GPU}\s+(?:is\s+|are\s+|was\s+|were\s+)?(?:not|never|n't)\s+(?:being\s+)?(?:detected|visible|available|found|"
    rf"recogni[sz]ed|accessible|passed(?:\s+through)?|exposed|mounted|seen)\s+{_IN_CONTAINER}"
    rf"|\b(?:no|not\s+any)\s+{_GPU}\s+{_IN_CONTAINER}"
    rf"|\b(?:containers?|docker|pods?|podman)\s+(?:can't|cannot|can\s+not|couldn't|could\s+not|doesn't|does\s+not|don't|"
    rf"do\s+not|fails?\s+to|failed\s+to|is\s+unable\s+to|won't)\s+(?:see|detect|find|access|use|recogni[sz]e|reach)\s+"
    rf"(?:the\s+|my\s+|any\s+|an?\s+)?{_GPU}"
    rf"|\bnvidia-smi`?:?\s+(?:is\s+)?(?:not\s+found|unavailable|not\s+available|missing|command\s+not\s+found|"
    rf"doesn't\s+exist|does\s+not\s+exist)\s+{_IN_CONTAINER}"
    rf"|\b{_IN_CONTAINER}[^.!?\n]{{0,30}}\bnvidia-smi`?\s*(?::\s*)?(?:is\s+)?(?:not\s+found|unavailable|command\s+not\s+found"
    rf"|not\s+available|missing)"
    rf"|\b{_GPU}\s+(?:is\s+|was\s+)?not\s+passed\s+(?:through\s+)?(?:to|into)\s+(?:the\s+)?(?:docker\s+)?containers?"
    # torch's answer given for the container: "torch.cuda.is_available() returns False in docker"
    rf"|\bcuda\.is_available\(\)`?\s*(?:returns?|is|gives|=|->|says)?\s*`?False`?\s+{_IN_CONTAINER}"
    rf"|\b{_IN_CONTAINER}\b[^.!?\n]{{0,40}}\bcuda\.is_available\(\)`?\s*(?:returns?|is|gives|=|->|says)?\s*`?False\b"
    r"|(?:容器|docker)\s*(?:里|内|中|内部|里面)[^。\n]{0,20}cuda\.is_available\(\)\s*(?:为|是|返回|输出)?\s*false"
    # zh / ko / ja / es / de
    r"|(?:容器|docker)\s*(?:里|内|中|内部|里面)?[^。，,！\n]{0,12}?(?:识别不到|检测不到|找不到|看不到|用不了|调用不了|无法(?:使用|识别|调用|检测|找到)"
    r"|不能(?:使用|识别|调用)|没有|没法用)(?:到)?\s*(?:nvidia\s*)?(?:GPU|显卡|驱动|cuda设备)"
    r"|(?:컨테이너|도커)[^.\n]{0,20}(?:GPU|그래픽\s?카드|드라이버)[^.\n]{0,10}(?:인식|사용|감지)[^.\n]{0,6}(?:안|못|되지\s?않)"
    r"|(?:コンテナ|Docker)[^。\n]{0,20}(?:GPU|ドライバ)[^。\n]{0,10}(?:認識|使え|見え|検出)[^。\n]{0,6}(?:ない|ません|されない)"
    r"|\bcontenedor\s+no\s+(?:detecta|ve|reconoce|encuentra|usa)\s+(?:la\s+|las\s+|ninguna\s+)?gpus?"
    r"|\bgpus?\s+no\s+(?:es\s+|est[aá]\s+)?(?:detectada|visible|disponible|reconocida)\s+(?:en|dentro\s+del?)\s+(?:el\s+)?contenedor"
    r"|\b(?:im|in\s+dem)\s+Container\s+(?:wird\s+)?(?:die\s+)?(?:GPU|Grafikkarte)\s+nicht\s+(?:erkannt|gefunden|sichtbar)"
    r"|\b(?:GPU|Grafikkarte)\s+(?:wird\s+)?im\s+Container\s+nicht\s+(?:erkannt|gefunden|sichtbar)", _I),
                # every match names the container (checked when made): other lines are not searched
                ("container", "docker", "pod", "lxc", "容器", "컨테이너", "도커", "コンテナ", "contenedor"))
_SYMPTOM_NEEDLES = ("is_available", "gpu", "graphics", "video card", "cuda device", "driver", "container", "docker", "pod", "podman",
                    "nvidia-smi", "容器", "컨테이너", "도커", "コンテナ", "contenedor", "grafikkarte")
# _CAUSE and _SYMPTOM searched one alternative at a time (first_of.py: the same match), each
# only in lines holding one of its own words (the whole patterns: ~35 ms on the 4 MiB paste).
_CAUSE_FIRST = FirstOf(_CAUSE.pattern, _CAUSE.flags, (
    ("without", "forg", "missing", "omit", "lack", "didn't", "no"), ("missing",), ("had", "needed"), ("sem",),
    ("esqueci",), ("gpu", "nvidia", "--nv"), ("gpu", "nvidia", "--nv"), ("add", "passing"), ("fixed", "solved", "resolved"),
    ("without",), ("without",), ("require",), ("reservation", "deploy.resources", "nvidia.com/gpu", "runtime:"),
    ("加", "带", "指定", "使用", "传", "写"), ("加", "带上"), ("빼먹", "안", "넣지", "추가하지", "빠뜨", "누락", "없이"),
    ("추가", "넣으니", "넣어서"), ("忘れ", "指定していな", "付け", "つけ", "なしで"), ("たら",), ("sin",), ("olvid",),
    ("ohne",), ("vergessen",), ("sans",), ("oubli",), ("nvidia.com/gpu",)), within=_CAUSE)
_SYMPTOM_FIRST = FirstOf(_SYMPTOM.pattern, _SYMPTOM.flags, (
    ("container", "docker", "pod", "lxc"), ("container", "docker", "pod", "lxc"), ("container", "docker", "pod"),
    ("nvidia-smi",), ("nvidia-smi",), ("passed",), ("is_available",), ("is_available",), ("is_available",),
    ("容器", "docker"), ("컨테이너", "도커"), ("コンテナ", "docker"), ("contenedor",), ("contenedor",), ("nicht",),
          ("nicht",)), within=_SYMPTOM)
# "I did not say the GPU is not detected" is rare; what is common is a question or advice.
_ADVICE = lazy(r"\b(?:make\s+sure|be\s+sure|remember|don't\s+forget|do\s+not\s+forget|you\s+(?:must|should|need)"
                     r"|please|if\s+you|in\s+case|otherwise)\b[^.!?\n]{0,40}$", _I)

# --------------------------------------------------------------------------- a driver in the image
# A person saying the image / container holds a driver they installed.
_SAID_INSTALLED = lazy(
    r"\binstall(?:ed|ing)?\s+(?:the\s+|an?\s+|my\s+)?(?:nvidia\s+)?(?:gpu\s+|graphics\s+)?drivers?\s+"
    r"(?:\d{3}(?:\.\d+)*\s+)?(?:in|inside|into|within)\s+(?:the\s+|my\s+|a\s+|this\s+)?(?:docker\s+)?(?:containers?|images?"
    r"|dockerfile)\b"
    # the driver's package named ("I had installed nvidia-driver-525 in the image"; Ubuntu's and
    # NVIDIA's repository names, as _VERSIONED_PKG below)
    r"|\binstall(?:ed|ing)?\s+(?:the\s+)?`?(?:nvidia-driver-\d{3}|libnvidia-compute-\d{3}|nvidia-utils-\d{3}|cuda-drivers"
    r"|libcuda1|nvidia-headless-\d{3})[\w.=:-]*`?\s+(?:in|inside|into|within)\s+(?:the\s+|my\s+|a\s+|this\s+)?"
    r"(?:docker\s+)?(?:containers?|images?|dockerfile)\b"
    r"|\b(?:the\s+|my\s+|this\s+)?(?:docker\s+)?(?:image|container)\s+(?:has|ships|bundles|includes|contains|comes\s+with)\s+"
    r"(?:its\s+own\s+|an?\s+|the\s+)?(?:nvidia\s+)?drivers?\b"
    r"|\bdrivers?\s+(?:are\s+|is\s+|were\s+|was\s+|got\s+)?(?:baked|bundled|pre-?installed)\s+(?:in|into)\s+(?:the\s+)?(?:docker\s+)?images?\b"
    r"|(?:容器|镜像|docker)\s*(?:里|内|中|里面)?\s*(?:也)?(?:安装|装|自带|包含)了?\s*(?:nvidia\s*)?(?:显卡)?驱动"
    r"|(?:컨테이너|도커\s*이미지)\s*(?:안에|내부에|에)\s*(?:nvidia\s*)?드라이버(?:를)?\s*설치"
    r"|(?:コンテナ|イメージ)\s*(?:内|の中)?に\s*(?:NVIDIA\s*)?ドライバ(?:ー)?を?\s*(?:インストール|入れ)"
    r"|\binstal[eé]\s+(?:el\s+)?(?:driver|controlador)(?:\s+de\s+nvidia)?\s+(?:dentro\s+del|en\s+el)\s+contenedor"
    r"|\bTreiber\s+(?:im|in\s+den|in\s+das)\s+(?:Container|Image)\s+installiert", _I)
_SAID_NEEDLES = ("driver", "驱动", "드라이버", "ドライバ", "controlador", "treiber", "libnvidia-compute", "nvidia-utils",
                 "libcuda1", "nvidia-headless")
# "in the docker container, the PPA brings in libnvidia-compute-550": a sentence about the
# container or image whose verb puts a driver package there (the package may follow on the
# next line, a Markdown code span broken across lines).
_IMAGE_GETS = lazy(r"(?:\b(?:in|inside|into)\s+(?:the\s+|my\s+|a\s+|this\s+)?(?:docker\s+)?(?:containers?|images?)"
                         r"|\bdockerfile|容器|镜像)[^.!?\n]{0,60}?\b(?:install(?:s|ed)?|brings?\s+in|pulls?(?:\s+in)?|pulled"
                         r"|ships|bundles|contains|comes\s+with|has)\b|(?:容器|镜像)[^。\n]{0,20}(?:安装|装|带)了?", _I)
_VERSIONED_PKG = lazy(r"(?<![\w.-])(?:nvidia-driver-\d{3}|libnvidia-compute-\d{3}|nvidia-utils-\d{3}|cuda-drivers"
                            r"|libcuda1|nvidia-headless-\d{3})(?![\w.])")


# The behaviour said to be expected, in the languages the cause is read in ("sin --gpus el contenedor
# no ve la GPU, es lo esperado", "без --gpus … это нормально", "ohne --gpus … das ist normal").
_MEANT_LANGS = lazy(r"\b(?:es\s+lo\s+esperado|esperad[oa]|(?:es|é|isso\s+é)\s+normal|das\s+ist\s+(?:normal|so\s+gewollt|erwartet)"
                    r"|erwartungsgemäß|c['’]est\s+normal|attendu)\b|это\s+нормально|ожидаемо|так\s+и\s+должно|正常现象|预期|想定通り"
                    r"|정상입니다", _I)


# A denial right before the cause ("didn't": no \b before n't), in the languages it is read in: "Я не
# забыл добавить --gpus all", "Não esqueci de adicionar", "No olvidé poner"; German puts it inside
# ("--gpus all nicht vergessen").
_DENIED_BEFORE = lazy(r"(?:\bnot|n't|\bnever|(?<![\w-])не|\bn[aã]o|\bno|\bnunca|\bjamais|\bnie)\s+(?:\w+\s+){0,1}$", _I)
_DENIED_IN = lazy(r"\bnicht\s+vergessen\b|\bpas\s+oubli", _I)


def _blocked(line: str, start: int, end: int) -> bool:
    """A denial, a question or advice around the match at ``start``…``end``."""
    before = line[max(0, start - 40):start]
    rest = line[end:]
    stop = re.search(r"[.!;,，。\n]", rest)
    asked = "?" in (rest[:stop.start()] if stop else rest) or "？" in rest[:30]
    meant = re.search(r"\b(?:expected|intended|on\s+purpose|by\s+design|as\s+designed|is\s+fine|cpu\s+image)\b", line, _I)
    return asked or bool(meant) or bool(_MEANT_LANGS.search(line)) or bool(_ADVICE.search(before)) \
        or bool(_DENIED_BEFORE.search(before)) or bool(_DENIED_IN.search(line, start, end))


@functools.lru_cache(maxsize=4096)  # a log repeats its lines
def _container_kind(line: str) -> Optional[str]:
    for pattern, kind in _CONTAINER_WORDS:
        m = pattern.search(line)
        if m and not _NOT_HERE.search(line[max(0, m.start() - 30):m.start()]):
            return kind
    return None


# NVIDIA_VISIBLE_DEVICES as the container runtime reads it (nvidia-container-runtime's README):
# "void" (or empty) behaves as runc, no GPU at all; "none" gives the driver's files and no GPU.
# Set in an env listing, a compose environment: item, a Dockerfile ENV or a run command's -e.
_NVD_NO_GPU = lazy(r"(?:^|[\s\-\"'])NVIDIA_VISIBLE_DEVICES\s*[=:]\s*[\"']?(?P<v>void|none)?[\"']?\s*$"
                         r"|(?:^|[\s\-\"'])NVIDIA_VISIBLE_DEVICES\s*[=:]\s*[\"']?(?P<w>void|none)[\"']?(?=\s)")


def _visible_devices_none(f: Found, doc: Pasted) -> None:
    """The container told by its own environment to get no GPU. Not where --gpus asks for them
    (Docker passes its device request to the runtime itself)."""
    if doc.lines_containing("--gpus"):
        return
    for i in doc.lines_containing("nvidia_visible_devices"):
        m = _NVD_NO_GPU.search(doc.lines[i])
        if not m:
            continue
        value = m.group("v") or m.group("w") or "empty"
        f.set("host.container_gpus", "none", i, rank=PROGRAM,
              detail=f"NVIDIA_VISIBLE_DEVICES={value if value != 'empty' else ''} on line {i + 1}: the NVIDIA runtime "
                     "passes no GPU into this container")
        f.set("host.container", "docker", i, rank=PROGRAM, detail="NVIDIA_VISIBLE_DEVICES is set: a container's environment")
        return


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    lines = doc.lines
    _visible_devices_none(f, doc)
    for i, kind in doc.where(_container_kind, *_CONTAINER_NEEDLES):
        f.set("host.container", kind, i)
    for i, m in doc.where(_CAUSE_FIRST.search, *_CAUSE_NEEDLES, "--", "忘", "没", "加上", "빼먹", "付け", "つけ", "sin ", "ohne",
                          "sans "):
        if not _blocked(lines[i], m.start(), m.end()):
            f.set("host.container_gpus", "none", i,
                  detail=f"{STATED_DETAIL}: started without GPU access ({m.group(0).strip()[:120]})")
            f.set("host.container", _container_kind(lines[i]) or "docker", i)
    for i, m in doc.where(_SYMPTOM_FIRST.search, *_SYMPTOM_NEEDLES):
        if not _blocked(lines[i], m.start(), m.end()):
            f.set("host.container_gpus", "none", i,
                  detail=f"{STATED_DETAIL}: the container does not get the GPU ({m.group(0).strip()[:120]})")
            f.set("host.container", _container_kind(lines[i]) or "docker", i)
    for i, m in doc.where(_SAID_INSTALLED.search, *_SAID_NEEDLES):
        if not _blocked(lines[i], m.start(), m.end()):
            f.set("driver.installed_module_versions", ("driver installed in the image",), i,
                  detail=f"{STATED_DETAIL}: {m.group(0).strip()[:120]}")
            f.set("host.container", _container_kind(lines[i]) or "docker", i)
    for i, m in doc.where(_IMAGE_GETS.search, "container", "image", "dockerfile", "容器", "镜像"):
        if _blocked(lines[i], m.start(), m.end()):
            continue
        near = lines[i][m.end():] + " " + " ".join(lines[i + 1:i + 3])
        p = _VERSIONED_PKG.search(near)
        if p:
            f.set("driver.installed_module_versions", (p.group(0),), i,
                  detail=f"{STATED_DETAIL}: the image gets {p.group(0)} ({m.group(0).strip()[:80]})")
            f.set("host.container", _container_kind(lines[i]) or "docker", i)
    container_driver_denied.read(f, doc)
    container_others.read(f, doc)
    image_drivers(f, doc)
    library_versions(f, doc)
    packages_in_container(f, doc)
    return f
