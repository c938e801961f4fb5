"""A ModelSpec's recipe as torch objects: optimiser, learning-rate schedule, loss, normalisation.

Both training loops (fast path and naive baseline) take their hyper-parameters from
here, so "same model, same hyper-parameters" holds by construction: the same schedule
values step by step, the same loss, the same input normalisation.
"""

from __future__ import annotations

import math
from typing import Iterable, List, Union

import torch

from sample_models import ModelSpec

# Fashion-MNIST training-set pixel statistics (as fractions of 255), the values the
# literature quotes for the 60,000 training images; the shipped subset gives 0.286/0.353.
PIXEL_MEAN = 0.2860
PIXEL_STD = 0.3530


def lr_schedule(spec: ModelSpec, total_steps: int) -> List[float]:
    """The learning rate of every step: constant, or one-cycle (linear warm-up from lr/25
    over ``warmup_fraction`` of the steps, then cosine decay to lr/1e4)."""
    if spec.schedule == "constant" or total_steps <= 1:
        return [spec.lr] * max(total_steps, 1)
    warm = max(1, int(round(spec.warmup_fraction * total_steps)))
    start, peak, end = spec.lr / 25.0, spec.lr, spec.lr / 1e4
    out: List[float] = []
    for k in range(total_steps):
        if k < warm:
            out.append(start + (peak - start) * k / warm)
        else:
            t = (k - warm) / max(1, total_steps - 1 - warm)
            out.append(end + (peak - end) * 0.5 * (1.0 + math.cos(math.pi * t)))
    return out


def make_optimizer(spec: ModelSpec, params: Iterable[torch.nn.Parameter],
                   lr: Union[float, torch.Tensor, None] = None, fused: bool = False,
                   capturable: bool = False) -> torch.optim.Optimizer:
    """The spec's optimiser. ``lr`` may be a 0-d tensor on the device (read by the fused
    kernels on the device, so a CUDA graph sees schedule changes); ``fused`` selects the
    single-kernel implementations (CUDA, and CPU for SGD/Adam/AdamW in recent torch), which
    also take fp16's GradScaler without a host sync. ``capturable`` (CUDA only) is what
    Adam/AdamW's ``step()`` insists on inside a CUDA-graph capture; SGD has no such flag."""
    lr = spec.lr if lr is None else lr
    kw = {"fused": True} if fused else {}
    if spec.optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=spec.momentum, nesterov=spec.nesterov,
                               weight_decay=spec.weight_decay, **kw)
    if capturable:
        kw["capturable"] = True
    if spec.optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=spec.weight_decay, **kw)
    return torch.optim.AdamW(params, lr=lr, weight_decay=spec.weight_decay, **kw)


def loss_fn(spec: ModelSpec):
    return torch.nn.CrossEntropyLoss(label_smoothing=spec.label_smoothing)


def normalise_host(images_u8) -> torch.Tensor:
    """(N, 28, 28) uint8 (numpy or tensor) -> (N, 1, 28, 28) float32, standardised, on the host."""
    x = torch.as_tensor(images_u8).to(torch.float32).div_(255.0)
    return x.sub_(PIXEL_MEAN).div_(PIXEL_STD).unsqueeze(1)
