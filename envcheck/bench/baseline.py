"""The naive baseline: the training loop most tutorials teach (d2l's ``train_ch6``).

A ``DataLoader`` over host float tensors (already normalised, as ``ToTensor`` +
``Normalize`` would leave them), each batch copied to the device with ``.to(device)``,
the loss and accuracy read back with ``.item()`` after every batch, fp32, default
optimiser implementation, eval in a second ``DataLoader`` loop. Same model builder, same
seed, same hyper-parameters and schedule values as the fast path — only the mechanics
differ. Deliberately generous to the baseline: no worker processes (which on a small
machine cost more than they save with in-memory tensors) and no PIL transforms.
"""

from __future__ import annotations

from typing import Callable, List, Optional

import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset

from sample_models import ModelSpec

from .hyperparams import loss_fn, lr_schedule, make_optimizer, normalise_host


class BaselineTrainer:
    def __init__(self, spec: ModelSpec, model: torch.nn.Module, train_images, train_labels,
                 device: torch.device, *, seed: int, epochs: int, batch_size: Optional[int] = None,
                 sampler: Optional[Sampler] = None) -> None:
        self.spec = spec
        self.device = device
        self.batch_size = batch_size or spec.batch_size
        self.model = model.to(device)
        x = normalise_host(train_images)
        y = torch.as_tensor(train_labels).to(torch.int64)
        generator = torch.Generator().manual_seed(seed)
        self.loader = DataLoader(TensorDataset(x, y), batch_size=self.batch_size,
                                 shuffle=sampler is None, sampler=sampler, generator=generator)
        self.steps_per_epoch = len(self.loader)
        self.lrs = lr_schedule(spec, epochs * self.steps_per_epoch)
        self.optimizer = make_optimizer(spec, self.model.parameters())
        self.criterion = loss_fn(spec)
        self.global_step = 0
        self.last_loss = float("nan")
        self.last_accuracy = float("nan")

    def train_epoch(self, epoch: int, losses: Optional[List[float]] = None,
                    on_batch: Optional[Callable[[], None]] = None) -> None:
        self.model.train()
        total_loss, total_correct, seen = 0.0, 0.0, 0
        for X, y in self.loader:
            if self.spec.augment == "hflip":
                flip = torch.rand(X.shape[0]) < 0.5
                X = torch.where(flip[:, None, None, None], X.flip(3), X)
            X, y = X.to(self.device), y.to(self.device)
            for group in self.optimizer.param_groups:
                group["lr"] = self.lrs[min(self.global_step, len(self.lrs) - 1)]
            self.optimizer.zero_grad()
            y_hat = self.model(X)
            loss = self.criterion(y_hat, y)
            loss.backward()
            self.optimizer.step()
            self.global_step += 1
            value = loss.item()  # the per-batch host sync the tutorials do
            total_loss += value * y.numel()
            total_correct += float((y_hat.argmax(1) == y).sum().item())
            seen += y.numel()
            if losses is not None:
                losses.append(value)
            if on_batch is not None:
                on_batch()
        self.last_loss, self.last_accuracy = total_loss / seen, total_correct / seen

    def epoch_stats(self) -> tuple:
        return self.last_loss, self.last_accuracy

    @property
    def images_per_epoch(self) -> int:
        return len(self.loader.dataset)  # type: ignore[arg-type]


def evaluate_baseline(model: torch.nn.Module, images, labels, device: torch.device,
                      batch_size: int = 256) -> tuple:
    """d2l's ``evaluate_accuracy_gpu``: a DataLoader, ``.to(device)`` and ``.item()`` per batch."""
    model.eval()
    loader = DataLoader(TensorDataset(normalise_host(images), torch.as_tensor(labels).to(torch.int64)),
                        batch_size=batch_size)
    loss_sum, correct, seen = 0.0, 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            y_hat = model(X)
            loss_sum += torch.nn.functional.cross_entropy(y_hat, y, reduction="sum").item()
            correct += float((y_hat.argmax(1) == y).sum().item())
            seen += y.numel()
    model.train()
    return loss_sum / seen, correct / seen
