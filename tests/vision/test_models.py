"""Every model constructor equals the same architecture in torch (its twin) with copied weights:
output and every parameter gradient, in float64, in train mode (batch-norm batch statistics)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import npgrad
from benchmarks.twin import twin_pair
from npgrad.vision.models import classic, convnets, resnet

CASES = [
    (classic, "mlp", (), (4, 1, 28, 28)),
    (classic, "lenet5", (), (4, 1, 28, 28)),
    (convnets, "alexnet_mnist", (), (4, 1, 28, 28)),
    (resnet, "resnet20", (), (4, 3, 32, 32)),
    (resnet, "resnet32", (), (2, 3, 32, 32)),
    # ImageNet-layout nets downsample by 32: 64x64 input keeps 2x2 maps in layer4, so train-mode
    # batch norm there normalises 8 values per channel (with 1x1 maps and batch 2 it would be 2 values,
    # an ill-conditioned case where float64 rounding differences are amplified to ~1e-7)
    (resnet, "resnet18", (10,), (2, 3, 64, 64)),
    (resnet, "resnet50", (10,), (2, 3, 64, 64)),
    (convnets, "vgg11_bn", (10,), (2, 3, 32, 32)),
]


@pytest.mark.parametrize("module,name,args,shape", CASES, ids=[c[1] for c in CASES])
def test_model_matches_torch_twin(module, name, args, shape):
    n_model, t_model = twin_pair(module, name, *args)
    n_model.double()
    t_model.double()
    for m in (n_model, t_model):  # dropout would draw different masks in the two libraries
        for sub in m.modules():
            if type(sub).__name__ == "Dropout":
                sub.p = 0.0
    x = np.random.default_rng(0).standard_normal(shape)
    out_n = n_model(npgrad.from_numpy(x))
    out_t = t_model(torch.from_numpy(x))
    np.testing.assert_allclose(out_n.detach().numpy(), out_t.detach().numpy(), rtol=1e-8, atol=1e-9)
    w = np.random.default_rng(1).standard_normal(out_t.shape)
    (out_n * npgrad.from_numpy(w)).sum().backward()
    (out_t * torch.from_numpy(w)).sum().backward()
    t_params = dict(t_model.named_parameters())
    names = [k for k, _ in n_model.named_parameters()]
    assert names == list(t_params)
    for k, p in n_model.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), t_params[k].grad.numpy(), rtol=1e-6, atol=1e-8, err_msg=k)
    t_buffers = dict(t_model.named_buffers())
    for k, b in n_model.named_buffers():
        np.testing.assert_allclose(b.numpy(), t_buffers[k].numpy(), rtol=1e-8, atol=1e-10, err_msg=k)


def test_parameter_counts_match_published_sizes():
    count = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
    assert count(resnet.resnet18()) == 11_689_512  # torchvision's resnet18
    assert count(resnet.resnet50()) == 25_557_032  # torchvision's resnet50
    assert count(classic.lenet5()) == 61_706
    assert count(resnet.resnet20()) == 272_474  # option-B (projection) shortcuts


def test_cifar_resnet_depth_validation():
    with pytest.raises(ValueError, match="6n\\+2"):
        resnet.CifarResNet(depth=21)
