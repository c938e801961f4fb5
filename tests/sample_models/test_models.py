"""The sample models: registry, FLOP counts checked by hand, and each one learns."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import sample_models  # noqa: E402
from envcheck.bench.hyperparams import loss_fn, make_optimizer, normalise_host  # noqa: E402
from envcheck.dataset.synthetic import generate  # noqa: E402
from sample_models import DEFAULT, REGISTRY, count_flops, get  # noqa: E402

pytestmark = pytest.mark.torch


def test_registry_and_default():
    assert set(REGISTRY) == {"softmax", "mlp", "lenet", "leaky-cnn", "refcnn"}
    assert DEFAULT is REGISTRY["refcnn"] and get() is DEFAULT and get("LeNet") is REGISTRY["lenet"]
    for spec in REGISTRY.values():
        assert set(spec.target_accuracy) == {"full", "subset", "synthetic"}
        assert all(0.1 < v < 1.0 for v in spec.target_accuracy.values())


def test_unknown_model_lists_the_choices():
    with pytest.raises(sample_models.UnknownModelError) as exc:
        get("resnet")
    assert str(exc.value) == "unknown model 'resnet'; choose one of: softmax, mlp, lenet, leaky-cnn, refcnn"


def test_lenet_recipe_is_d2ls():
    s = get("lenet")
    assert (s.batch_size, s.optimizer, s.lr, s.epochs) == (256, "sgd", 0.9, 10)
    kinds = [type(m).__name__ for m in s.build()]
    assert "Sigmoid" in kinds and "AvgPool2d" in kinds and "ReLU" not in kinds


def test_lenet_flops_by_hand():
    f = get("lenet").flops_by_layer
    assert f["0"] == 2 * 6 * 28 * 28 * (1 * 5 * 5)  # conv1: 235,200
    assert f["2"] == 6 * 14 * 14 * 4  # avgpool 2x2: 4,704
    assert f["3"] == 2 * 16 * 10 * 10 * (6 * 5 * 5)  # conv2: 480,000
    assert f["5"] == 16 * 5 * 5 * 4  # 1,600
    assert f["7"] == 2 * 400 * 120 and f["9"] == 2 * 120 * 84 and f["11"] == 2 * 84 * 10
    assert get("lenet").flops_per_image == 235_200 + 4_704 + 480_000 + 1_600 + 96_000 + 20_160 + 1_680 == 839_344
    assert get("lenet").train_flops_per_image == 3 * 839_344


def test_linear_models_flops_by_hand():
    assert get("softmax").flops_per_image == 2 * 784 * 10
    assert get("mlp").flops_per_image == 2 * (784 * 256 + 256 * 256 + 256 * 10)


def test_refcnn_flops_by_hand():
    conv = 2 * 32 * 28 * 28 * 9 + 2 * 64 * 14 * 14 * 32 * 9 + 2 * 128 * 7 * 7 * 64 * 9
    bn = 2 * (32 * 28 * 28 + 64 * 14 * 14 + 128 * 7 * 7)
    pool = 4 * (32 * 14 * 14 + 64 * 7 * 7 + 128 * 3 * 3)
    head = 2 * 128 * 3 * 3 * 10
    assert DEFAULT.flops_per_image == conv + bn + pool + head == 15_055_360


def test_counter_handles_adaptive_pool_and_batches():
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1, groups=1), torch.nn.AdaptiveAvgPool2d(1),
                              torch.nn.Flatten(), torch.nn.Linear(4, 2))
    f = count_flops(net, (3, 1, 28, 28))  # per example, whatever the batch
    assert f["0"] == 2 * 4 * 28 * 28 * 9 and f["1"] == 4 * 28 * 28 and f["3"] == 2 * 4 * 2


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_model_learns_in_a_few_steps(name):
    spec = get(name)
    torch.manual_seed(0)
    xtr, ytr, _, _ = generate(n_train=256, n_test=10, seed=0)
    x, y = normalise_host(xtr), torch.as_tensor(ytr).long()
    model = spec.build()
    opt = make_optimizer(spec, model.parameters())
    crit = loss_fn(spec)
    losses = []
    for step in range(40):
        idx = torch.arange(step * 64, step * 64 + 64) % 256
        opt.zero_grad()
        loss = crit(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    first, last = sum(losses[:5]) / 5, sum(losses[-5:]) / 5
    assert last < first * 0.9, (name, first, last)
