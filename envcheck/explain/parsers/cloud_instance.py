"""A cloud machine type that has no NVIDIA GPU, named where CUDA is wanted.

The providers' own names say whether a machine has one (AWS https://aws.amazon.com/ec2/instance-types/,
GCP https://cloud.google.com/compute/docs/machine-resource, Azure
https://learn.microsoft.com/azure/virtual-machines/sizes):

* AWS ``family.size`` (``t2.micro``, ``m5.xlarge``, ``c6i.4xlarge``): only the p and g families
  (p3, p4d, g4dn, g5, g6 ...) carry NVIDIA GPUs; g4ad carries AMD's; Inferentia/Trainium
  (inf2, trn1) and Gaudi (dl1) accelerators are not GPUs;
* GCP ``e2-``, ``n2-``, ``n2d-``, ``c2-``, ``c2d-``, ``c3-``, ``t2d-``, ``m1-`` .. types cannot take a
  GPU at all (n1 can: it says nothing), a2/a3/g2 come with one;
* Azure ``Standard_B2s``, ``Standard_D4s_v3``, ``Standard_E``/``F``/``L``/``M`` sizes: only the N
  series (NC, ND, NV) has GPUs.

Such a type named by the person is the machine they run on: no NVIDIA GPU, at a person's rank
(likely, not confirmed). Nothing is claimed where the text names a GPU type or NVIDIA hardware
anywhere (the training machine beside a small web server), for a question ("is a t3.large
enough?"), or a machine left behind ("moved from a t2.micro to a g4dn.xlarge").
"""

from __future__ import annotations

from ...derived.messages import NO_NVIDIA_DETAIL
from ...lazyre import lazy
from ..partial import STATED, Found
from ..sentences import asked
from ..source import Pasted
from .display_adapters import ASIDE, names_nvidia_hardware

SOURCE = "cloud machine type"

_AWS_SIZE = r"\.(?:nano|micro|small|medium|large|\d{0,2}xlarge|metal(?:-\d{1,2}xl)?)\b"
_AWS_NO_NVIDIA = lazy(
    r"(?<![\w.-])(?:t[1-4][a-z]?|[mcr][1-8][a-z]{0,4}|x[12][a-z]{0,3}|i[2-8][a-z]{0,4}|d[23][a-z]{0,2}|h1|z1d|a1"
    r"|inf[12]|trn[12]n?|dl[12]q?|f[12]|vt1|g4ad|hpc[67][a-z]?)" + _AWS_SIZE)
_AWS_GPU = lazy(r"(?<![\w.-])(?:p[2-6][a-z]{0,3}|g[3-7](?!ad)[a-z]{0,3}|gr6f?)" + _AWS_SIZE)
_GCP_NO_GPU = lazy(r"(?<![\w-])(?:e2|n2d?|n4|c2d?|c3d?|c4[ad]?|t2[ad]|m[1-3])-(?:standard|highmem|highcpu|ultramem"
                         r"|megamem|micro|small|medium)(?:-\d{1,3})?\b")
_GCP_GPU = lazy(r"(?<![\w-])(?:a[234]|g2)-(?:highgpu|megagpu|ultragpu|edgegpu|standard)-\d{1,3}g?\b")
_AZURE_NO_GPU = lazy(r"\bStandard_(?:[BDEFLMH][a-z]?\d{1,3}|A\d{1,2})[A-Za-z0-9_-]*\b")
_AZURE_GPU = lazy(r"\bStandard_N[CDVG][A-Za-z0-9_-]*\b")
# Datacenter GPUs by their bare names ("the A100 box", "a T4 attached"): another machine has one.
_DC_GPU = lazy(r"\b(?:A100|A10G?|A30|A40|A6000|H100|H200|H20|B200|GB200|L4|L40S?|V100|T4|P100|P40|P4|K80|M60)\b")
_NEEDLES = ("large", "micro", "nano", "small", "medium", "metal", "standard", "highmem", "highcpu")


def parse(doc: Pasted) -> Found:
    f = Found(SOURCE, STATED)
    text = doc.text
    if names_nvidia_hardware(doc) or _DC_GPU.search(text) or _AWS_GPU.search(text) or _GCP_GPU.search(text) or _AZURE_GPU.search(text):
        return f
    lines = doc.lines
    for i in doc.lines_containing(*_NEEDLES):
        line = lines[i]
        for pattern, provider in ((_AWS_NO_NVIDIA, "AWS"), (_GCP_NO_GPU, "GCP"), (_AZURE_NO_GPU, "Azure")):
            m = pattern.search(line)
            if not m or asked(line, m.end()) or ASIDE.search(line[max(0, m.start() - 40):m.start()]):
                continue
            kind = "an AMD GPU" if m.group(0).startswith("g4ad") else "no GPU" if provider != "AWS" or not \
                m.group(0).startswith(("inf", "trn", "dl")) else "another vendor's accelerator, no GPU"
            f.set("pci.devices", (), i,
                  detail=f"{NO_NVIDIA_DETAIL} (a {provider} {m.group(0)} machine: that type has {kind})")
            return f
    return f
