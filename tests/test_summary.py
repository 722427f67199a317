"""npgrad.utils.summary: parameter and MAC counts checked against hand counts from the architectures."""
from __future__ import annotations

import numpy as np
import pytest

import npgrad
import npgrad.vision.models as models
from npgrad import nn
from npgrad.utils.summary import ModelStatistics, summary


def _conv(c_in, c_out, k, out_hw, bias=False):
    """(params, MACs per image) of a conv layer: MACs = output elements x (C_in x kh x kw)."""
    return c_out * c_in * k * k + (c_out if bias else 0), c_out * out_hw * out_hw * c_in * k * k


def _linear(n_in, n_out):
    return n_out * n_in + n_out, n_out * n_in


def _row(stats, name):
    return next(r for r in stats.summary_list if r.name == name)


def test_lenet5_numbers():
    model = models.lenet5()
    stats = summary(model, (2, 1, 28, 28), verbose=0)
    assert isinstance(stats, ModelStatistics)
    # conv1 6x1x5x5+6, conv2 16x6x5x5+16, fc 400->120->84->10
    assert stats.total_params == 156 + 2416 + 48120 + 10164 + 850 == 61706
    assert stats.trainable_params == 61706 and stats.non_trainable_params == 0
    per_image = 6 * 28 * 28 * 25 + 16 * 10 * 10 * 150 + (400 * 120 + 120 * 84 + 84 * 10)
    assert per_image == 117600 + 240000 + 58920 == 416520
    assert stats.total_mult_adds == 2 * per_image
    assert _row(stats, "features.0").macs == 2 * 117600
    assert _row(stats, "features.3").macs == 2 * 240000
    assert [_row(stats, f"classifier.{i}").macs for i in (1, 3, 5)] == [2 * 48000, 2 * 10080, 2 * 840]
    assert _row(stats, "features.1").macs == _row(stats, "features.2").macs == 0  # ReLU, pool
    assert [_row(stats, n).output_shape for n in ("features.0", "features.2", "classifier.0", "")] == [
        [2, 6, 28, 28], [2, 6, 14, 14], [2, 400], [2, 10]]
    assert _row(stats, "features.3").num_params == 2416
    assert _row(stats, "features").num_params == 2572 and _row(stats, "features").subtree_macs == 2 * 357600
    # sizes: input 2x784 float32; 2 x the outputs of the leaf layers with parameters; 4 bytes a parameter
    assert stats.total_input == 2 * 784 * 4
    assert stats.total_output_bytes == 2 * 4 * 2 * (6 * 28 * 28 + 16 * 10 * 10 + 120 + 84 + 10)
    assert stats.total_param_bytes == 61706 * 4


def test_resnet20_numbers():
    model = models.resnet20()
    stats = summary(model, (2, 3, 32, 32), verbose=0)
    params = macs = 0

    def add(pm):
        nonlocal params, macs
        params, macs = params + pm[0], macs + pm[1]

    def bn(c):
        add((2 * c, 0))

    add(_conv(3, 16, 3, 32))  # stem: 3x3 conv 16 (no bias) + BN
    bn(16)
    c_in, hw = 16, 32
    for stage, width in enumerate((16, 32, 64)):
        for block in range(3):
            stride = 2 if stage > 0 and block == 0 else 1
            hw_out = hw // stride
            add(_conv(c_in, width, 3, hw_out))
            bn(width)
            add(_conv(width, width, 3, hw_out))
            bn(width)
            if stride != 1 or c_in != width:  # 1x1 conv + BN projection shortcut (stages 2 and 3)
                add(_conv(c_in, width, 1, hw_out))
                bn(width)
            c_in, hw = width, hw_out
    add(_linear(64, 10))
    assert params == 272474
    assert stats.total_params == params
    assert stats.total_mult_adds == 2 * macs
    assert macs == 40813184
    assert _row(stats, "layer2.0.downsample.0").macs == 2 * 32 * 16 * 16 * 16
    assert _row(stats, "layer3").num_params == 57728 + 2 * 73984


def test_table_text_and_depth_folding(capsys):
    model = models.lenet5()
    stats = summary(model, (1, 1, 28, 28))
    printed = capsys.readouterr().out
    assert printed.strip() == str(stats).strip()
    text = str(stats)
    for line in ("Total params: 61,706", "Trainable params: 61,706", "Non-trainable params: 0",
                 "Total mult-adds (K): 416.52", "Input size (MB): 0.00", "Forward/backward pass size (MB): 0.05",
                 "Params size (MB): 0.25", "Estimated Total Size (MB): 0.30"):
        assert line in text.splitlines()
    assert text.splitlines()[1].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#", "Trainable",
                                            "Mult-Adds", "Activations"]
    conv1 = next(line for line in text.splitlines() if "features.0 (Conv2d)" in line)
    assert conv1.split()[-9:] == ["[1,", "6,", "28,", "28]", "156", "True", "117,600", "18.82", "KB"]
    assert "└─features.5 (MaxPool2d)" in text and "├─features.0 (Conv2d)" in text
    folded = str(summary(model, (1, 1, 28, 28), depth=1, verbose=0))
    assert "features.0" not in folded
    feat = next(line for line in folded.splitlines() if "features (Sequential)" in line)
    assert feat.split()[-6:] == ["5]", "2,572", "True", "357,600", "1.60", "KB"]
    summary(model, (1, 1, 28, 28), verbose=0)
    assert capsys.readouterr().out == ""
    full = str(summary(model, (1, 1, 28, 28), verbose=2))
    assert "Input Shape" in full.splitlines()[1]


def test_frozen_parameters():
    model = models.lenet5()
    model.features.requires_grad_(False)
    stats = summary(model, (1, 1, 28, 28), verbose=0)
    assert (stats.total_params, stats.trainable_params, stats.non_trainable_params) == (61706, 61706 - 2572, 2572)
    assert _row(stats, "features.0").trainable == "False" and _row(stats, "features").trainable == "False"
    assert _row(stats, "").trainable == "Partial" and _row(stats, "features.1").trainable == "--"
    text = str(stats)
    assert "Non-trainable params: 2,572" in text
    assert "(156)" in next(line for line in text.splitlines() if "features.0 (Conv2d)" in line)


def test_mode_and_state_restored():
    model = models.resnet20()
    model.layer1.eval()
    before = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    summary(model, (4, 3, 32, 32), verbose=0)
    assert model.training and not model.layer1.training and model.layer2.training
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k].numpy()) for k in before)
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())


def test_other_layers_macs():
    rows = summary(nn.Conv2d(4, 8, 3, groups=2), (1, 4, 10, 10), verbose=0).summary_list
    assert rows[0].macs == 8 * 8 * 8 * (2 * 9)  # output elements x C_in/groups x k x k
    rows = summary(nn.ConvTranspose2d(4, 6, 3, stride=2), (1, 4, 5, 5), verbose=0).summary_list
    assert rows[0].macs == 4 * 5 * 5 * 6 * 9  # input elements x C_out/groups x k x k
    rows = summary(nn.LSTM(10, 20), (7, 3, 10), verbose=0).summary_list
    assert rows[0].macs == 7 * 3 * (4 * 20 * 10 + 4 * 20 * 20)
    assert rows[0].output_shape == [[7, 3, 20], [1, 3, 20], [1, 3, 20]]
    rows = summary(nn.Linear(5, 3), (2, 4, 5), verbose=0).summary_list
    assert rows[0].macs == 2 * 4 * 3 * 5


class _TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b, self.emb = nn.Linear(3, 4), nn.Linear(5, 4), nn.Embedding(10, 4)

    def forward(self, x, y, idx=None):
        out = self.a(x) + self.b(y)
        return out if idx is None else out + self.emb(idx)


def test_inputs_sizes_data_and_dtypes():
    model = _TwoInputs()
    s1 = summary(model, [(2, 3), (2, 5)], verbose=0)
    assert s1.total_mult_adds == 2 * 4 * 3 + 2 * 4 * 5
    assert s1.total_input == 2 * 8 * 4
    s2 = summary(model, input_data=[npgrad.zeros(2, 3), npgrad.zeros(2, 5)], verbose=0)
    assert s2.total_mult_adds == s1.total_mult_adds
    s3 = summary(model, input_data={"x": npgrad.zeros(2, 3), "y": npgrad.zeros(2, 5),
                                    "idx": npgrad.zeros(2, dtype=npgrad.int64)}, verbose=0)
    assert _row(s3, "emb").output_shape == [2, 4]
    s4 = summary(nn.Linear(3, 2).double(), (1, 3), dtypes=[npgrad.float64], verbose=0)
    assert s4.total_input == 3 * 8 and s4.total_param_bytes == 8 * 8
    with pytest.raises(ValueError, match="input_size"):
        summary(model, verbose=0)


def test_shared_module_counted_once():
    relu = nn.ReLU()
    lin = nn.Linear(4, 4)
    model = nn.Sequential(lin, relu, lin, relu)
    stats = summary(model, (2, 4), verbose=0)
    assert stats.total_params == 20
    assert stats.total_mult_adds == 2 * (2 * 4 * 4)  # the shared layer runs twice
    assert [r.is_recursive for r in stats.summary_list] == [False, False, False, True, True]
    assert "(recursive)" in str(stats)
