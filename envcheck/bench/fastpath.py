"""The fast path: one training step with nothing between the device and its work.

* Data lives on the device as uint8 (47 MB for all of Fashion-MNIST) and is normalised
  there, inside the step; batches are gathered on the device from a permutation drawn
  by ``torch.randperm`` with a generator on the device.
* Static batch shapes: the last partial batch of an epoch is dropped (at most
  ``batch_size - 1`` examples, a different random few each epoch), so every step has
  the same shapes — what cuDNN autotuning, CUDA graphs and ``torch.compile`` need.
* No host synchronisation inside an epoch: loss and accuracy accumulate in device
  tensors and are read once, after the epoch.
* Mixed precision by autocast (bf16, or fp16 with a GradScaler), channels-last
  weights and activations for convolutional models, fused optimisers whose learning
  rate is a device tensor (so a captured graph follows the schedule).
* On CUDA the whole step — normalise, augment, forward, backward, optimiser step and
  the running sums — is captured once as a CUDA graph and replayed
  (https://pytorch.org/docs/stable/notes/cuda.html#whole-network-capture), or the
  model is compiled with ``torch.compile``. Warm-up steps needed for capture or
  compilation are undone afterwards (weights, buffers and optimiser state restored in
  place), and their time is reported as setup, never as part of an epoch.

:func:`make_train_step` is the public "one training step of a model on a device";
:func:`reference_train_step` builds it for the reference CNN (what the burn-in runs);
:class:`FastTrainer` drives whole epochs for the bench.
"""

from __future__ import annotations

import time
from typing import Callable, List, Optional

import torch
import torch.nn.functional as F

from sample_models import ModelSpec

from .device import Precision
from .hyperparams import PIXEL_MEAN, PIXEL_STD, loss_fn, lr_schedule, make_optimizer

_SCALE = 1.0 / (255.0 * PIXEL_STD)
_SHIFT = PIXEL_MEAN / PIXEL_STD


def normalise_on_device(x_u8: torch.Tensor, channels_last: bool) -> torch.Tensor:
    """(B, 28, 28) uint8 on the device -> (B, 1, 28, 28) float32 standardised (one fused op chain)."""
    x = x_u8.unsqueeze(1).to(torch.float32).mul_(_SCALE).sub_(_SHIFT)
    return x.contiguous(memory_format=torch.channels_last) if channels_last else x


def _hflip(x: torch.Tensor) -> torch.Tensor:
    # The device's default generator: graph-safe under CUDA-graph capture (philox offsets).
    mask = torch.rand(x.shape[0], 1, 1, 1, device=x.device) < 0.5
    return torch.where(mask, x.flip(3), x)


class TrainStep:
    """``step(x_uint8, y) -> loss`` on the device, without a host sync.

    The returned loss tensor is overwritten by the next call when the step runs as a CUDA
    graph (it is the graph's static output): clone it to keep it.
    """

    def __init__(self, model: torch.nn.Module, optimizer: torch.optim.Optimizer, device: torch.device,
                 precision: Precision, *, criterion: Optional[Callable] = None, channels_last: bool = False,
                 augment: str = "none", scaler: Optional["torch.amp.GradScaler"] = None) -> None:
        self.model = model
        self.optimizer = optimizer
        self.device = device
        self.precision = precision
        self.criterion = criterion or torch.nn.CrossEntropyLoss()
        self.channels_last = channels_last
        self.augment = augment
        self.scaler = scaler
        self.forward = model  # replaced by the compiled module under --compile
        self.graph: Optional["torch.cuda.CUDAGraph"] = None
        self.setup_seconds = 0.0
        self._static_x: Optional[torch.Tensor] = None
        self._static_y: Optional[torch.Tensor] = None
        self._static_loss: Optional[torch.Tensor] = None
        # Running sums, on the device, read by whoever drives the epoch.
        self.loss_sum = torch.zeros((), device=device)
        self.correct = torch.zeros((), device=device, dtype=torch.int64)

    # -- the work of one step -------------------------------------------------------------
    def body(self, x_u8: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        x = normalise_on_device(x_u8, self.channels_last)
        if self.augment == "hflip":
            x = _hflip(x)
        self.optimizer.zero_grad(set_to_none=True)
        # cache_enabled=False: torch's own graph capture (make_graphed_callables) refuses
        # autocast's cast-weight cache, whose entries would outlive the capture
        # (https://pytorch.org/docs/stable/generated/torch.cuda.make_graphed_callables.html);
        # within one training step each weight is cast once anyway, so nothing is lost.
        with torch.autocast(self.device.type, dtype=self.precision.autocast_dtype or torch.float32,
                            enabled=self.precision.autocast_dtype is not None, cache_enabled=False):
            logits = self.forward(x)
        loss = self.criterion(logits.float(), y)
        if self.scaler is not None:
            self.scaler.scale(loss).backward()
            self.scaler.step(self.optimizer)
            self.scaler.update()
        else:
            loss.backward()
            self.optimizer.step()
        loss = loss.detach()
        self.loss_sum.add_(loss)
        self.correct.add_((logits.detach().argmax(1) == y).sum())
        return loss

    def __call__(self, x_u8: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.graph is None:
            return self.body(x_u8, y)
        self._static_x.copy_(x_u8, non_blocking=True)  # type: ignore[union-attr]
        self._static_y.copy_(y, non_blocking=True)  # type: ignore[union-attr]
        self.graph.replay()
        return self._static_loss  # type: ignore[return-value]

    def reset_sums(self) -> None:
        self.loss_sum.zero_()
        self.correct.zero_()

    # -- capture ----------------------------------------------------------------------------
    def capture(self, x_u8: torch.Tensor, y: torch.Tensor, warmup_steps: int = 3) -> float:
        """Capture ``body`` as a CUDA graph on inputs shaped like ``x_u8``/``y``; seconds taken.

        The model and optimiser are put back exactly as they were before the warm-up."""
        t0 = time.perf_counter()
        self._static_x = x_u8.clone()
        self._static_y = y.clone()
        with restored(self):
            s = torch.cuda.Stream(self.device)
            s.wait_stream(torch.cuda.current_stream(self.device))
            with torch.cuda.stream(s):
                for _ in range(warmup_steps):
                    self.body(self._static_x, self._static_y)
            torch.cuda.current_stream(self.device).wait_stream(s)
            graph = torch.cuda.CUDAGraph()
            self.optimizer.zero_grad(set_to_none=True)
            with torch.cuda.graph(graph):
                self._static_loss = self.body(self._static_x, self._static_y)
        self.graph = graph
        torch.cuda.synchronize(self.device)
        self.setup_seconds += time.perf_counter() - t0
        return time.perf_counter() - t0

    def warm_up(self, x_u8: torch.Tensor, y: torch.Tensor, steps: int = 2) -> float:
        """Run (and undo) a few steps: triggers ``torch.compile`` and lazy initialisation."""
        t0 = time.perf_counter()
        with restored(self):
            for _ in range(steps):
                self.body(x_u8, y)
            if self.device.type == "cuda":
                torch.cuda.synchronize(self.device)
        self.setup_seconds += time.perf_counter() - t0
        return time.perf_counter() - t0


class restored:
    """Context manager: snapshot a step's model, running sums and scaler; put them back in
    place (same tensors, so a captured graph still points at them) and reset optimiser state
    to "never stepped" (zeros equal a fresh state for SGD momentum and Adam moments/steps)."""

    def __init__(self, step: TrainStep) -> None:
        self.step = step

    def __enter__(self) -> None:
        self.saved = {k: v.detach().clone() for k, v in self.step.model.state_dict(keep_vars=True).items()}
        self.had_state = bool(self.step.optimizer.state)
        self.scale = self.step.scaler.state_dict() if self.step.scaler is not None else None

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:
            return
        with torch.no_grad():
            for k, v in self.step.model.state_dict(keep_vars=True).items():
                v.detach().copy_(self.saved[k])
            if not self.had_state:
                for state in self.step.optimizer.state.values():
                    for t in state.values():
                        if isinstance(t, torch.Tensor):
                            t.zero_()
        if self.scale is not None and self.step.scaler is not None:
            self.step.scaler.load_state_dict(self.scale)
        self.step.reset_sums()


def make_train_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, device: torch.device,
                    precision: Precision, *, example_batch: Optional[tuple] = None, graph: bool = False,
                    compile: bool = False, compile_backend: str = "inductor", channels_last: bool = False,
                    criterion: Optional[Callable] = None, augment: str = "none") -> TrainStep:
    """One training step of ``model`` on ``device``: ``step(x_uint8 (B,28,28), y (B,)) -> loss``.

    ``model`` and ``optimizer`` must already live on ``device`` (and be channels-last if
    ``channels_last``). With ``graph=True`` (CUDA, not with fp16's scaler) the step is
    captured as a CUDA graph on ``example_batch``; with ``compile=True`` the model is
    compiled and warmed up on ``example_batch``. Either way the warm-up is undone and its
    time is in ``step.setup_seconds``.
    """
    scaler = torch.amp.GradScaler(device.type) if precision.use_scaler else None
    step = TrainStep(model, optimizer, device, precision, criterion=criterion, channels_last=channels_last,
                     augment=augment, scaler=scaler)
    if compile:
        step.forward = torch.compile(model, backend=compile_backend)
    if (graph or compile) and example_batch is None:
        raise ValueError("graph capture and compilation need an example batch")
    if graph and device.type == "cuda" and scaler is None and not compile:
        step.capture(*example_batch)  # type: ignore[misc]
    elif compile:
        step.warm_up(*example_batch)  # type: ignore[misc]
    return step


def reference_train_step(device: torch.device, precision: Precision, *, spec: Optional[ModelSpec] = None,
                         seed: int = 0, batch_size: Optional[int] = None, graph: bool = True,
                         compile: bool = False) -> TrainStep:
    """The fast path's training step of a sample model (default: the reference CNN), ready to call.

    Builds the model with ``seed``, moves it to ``device`` (channels-last where the model
    gains from it), makes the recipe's fused optimiser at its peak learning rate, and —
    where :func:`graph_supported` allows and ``graph`` is set — captures the step as a
    CUDA graph on a random uint8 batch of ``batch_size`` (default: the recipe's). Feed it
    batches of exactly that shape: ``step(x_uint8 (B, 28, 28), y int64 (B,)) -> loss``.
    """
    import sample_models

    spec = spec or sample_models.DEFAULT
    n = batch_size or spec.batch_size
    torch.manual_seed(seed)
    model = spec.build().to(device)
    if spec.channels_last_ok:
        model = model.to(memory_format=torch.channels_last)
    lr = torch.tensor(spec.lr, device=device)
    optimizer = make_optimizer(spec, model.parameters(), lr=lr, fused=True, capturable=device.type == "cuda")
    gen = torch.Generator(device="cpu").manual_seed(seed)
    x = torch.randint(0, 256, (n, 28, 28), dtype=torch.uint8, generator=gen).to(device)
    y = torch.randint(0, 10, (n,), generator=gen).to(device)
    use_graph = graph and graph_supported(device, precision, compile) is None
    return make_train_step(model, optimizer, device, precision, example_batch=(x, y), graph=use_graph,
                           compile=compile, channels_last=spec.channels_last_ok, criterion=loss_fn(spec),
                           augment=spec.augment)


def graph_supported(device: torch.device, precision: Precision, compile: bool) -> Optional[str]:
    """None when the whole step can be captured; else why not (shown in the result)."""
    if device.type != "cuda":
        return "CUDA graphs need a CUDA device"
    if compile:
        return "torch.compile chosen instead (--compile)"
    if precision.use_scaler:
        return "fp16's GradScaler decides on the host whether to skip a step"
    return None


class DeviceData:
    """A split resident on the device: uint8 images and int64 labels."""

    def __init__(self, images, labels, device: torch.device) -> None:
        self.images = torch.as_tensor(images).to(device)
        self.labels = torch.as_tensor(labels).to(device=device, dtype=torch.int64)

    def __len__(self) -> int:
        return int(self.images.shape[0])


class FastTrainer:
    """Epochs of the fast path for the bench (one ``TrainStep``, data on the device)."""

    def __init__(self, spec: ModelSpec, model: torch.nn.Module, train: DeviceData, device: torch.device,
                 precision: Precision, *, seed: int, epochs: int, graph: bool, compile: bool = False,
                 compile_backend: str = "inductor", channels_last: Optional[bool] = None,
                 batch_size: Optional[int] = None,
                 order: Optional[Callable[[int], torch.Tensor]] = None) -> None:
        self.spec = spec
        self.device = device
        self.train = train
        self.batch_size = batch_size or spec.batch_size
        self.steps_per_epoch = len(train) // self.batch_size
        if self.steps_per_epoch == 0:
            raise ValueError(f"{len(train)} training examples: fewer than one batch of {self.batch_size}")
        self.channels_last = spec.channels_last_ok if channels_last is None else channels_last
        self.model = model.to(device)
        if self.channels_last:
            self.model = self.model.to(memory_format=torch.channels_last)
        self.lrs = torch.tensor(lr_schedule(spec, epochs * self.steps_per_epoch), device=device)
        self.lr = self.lrs[0].clone()
        self.optimizer = make_optimizer(spec, self.model.parameters(), lr=self.lr, fused=True,
                                        capturable=device.type == "cuda")
        self.generator = torch.Generator(device=device).manual_seed(seed)
        self.order = order
        self.global_step = 0
        n = self.batch_size
        example = (train.images[:n], train.labels[:n])
        self.step = make_train_step(self.model, self.optimizer, device, precision, example_batch=example,
                                    graph=graph, compile=compile, compile_backend=compile_backend,
                                    channels_last=self.channels_last, criterion=loss_fn(spec),
                                    augment=spec.augment)
        self.model.train()

    @property
    def setup_seconds(self) -> float:
        return self.step.setup_seconds

    @property
    def graphed(self) -> bool:
        return self.step.graph is not None

    def permutation(self, epoch: int) -> torch.Tensor:
        if self.order is not None:
            return self.order(epoch).to(self.device)
        return torch.randperm(len(self.train), device=self.device, generator=self.generator)

    def train_epoch(self, epoch: int, losses: Optional[List[torch.Tensor]] = None) -> None:
        """One epoch; queues work on the device and returns without waiting for it."""
        self.model.train()
        self.step.reset_sums()
        perm = self.permutation(epoch)
        bs, images, labels = self.batch_size, self.train.images, self.train.labels
        last = len(self.lrs) - 1
        for i in range(self.steps_per_epoch):
            idx = perm[i * bs:(i + 1) * bs]
            self.lr.copy_(self.lrs[min(self.global_step, last)])
            loss = self.step(images.index_select(0, idx), labels.index_select(0, idx))
            self.global_step += 1
            if losses is not None:
                losses.append(loss.clone())

    def epoch_stats(self) -> tuple:
        """(mean training loss, training accuracy) of the last epoch; waits for the device."""
        n = self.steps_per_epoch * self.batch_size
        return float(self.step.loss_sum) / self.steps_per_epoch, int(self.step.correct) / n


def evaluate(model: torch.nn.Module, data: DeviceData, precision: Precision, *, channels_last: bool,
             batch_size: int = 1000) -> tuple:
    """(mean loss, accuracy) on a resident split; sums on the device, one read at the end."""
    model.eval()
    dev = data.images.device
    loss_sum = torch.zeros((), device=dev)
    correct = torch.zeros((), device=dev, dtype=torch.int64)
    with torch.inference_mode(), torch.autocast(dev.type, dtype=precision.autocast_dtype or torch.float32,
                                                enabled=precision.autocast_dtype is not None):
        for start in range(0, len(data), batch_size):
            x = normalise_on_device(data.images[start:start + batch_size], channels_last)
            y = data.labels[start:start + batch_size]
            logits = model(x).float()
            loss_sum += F.cross_entropy(logits, y, reduction="sum")
            correct += (logits.argmax(1) == y).sum()
    model.train()
    return float(loss_sum) / len(data), int(correct) / len(data)
