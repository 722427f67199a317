"""Per-layer activation statistics with forward hooks.

A forward hook on every leaf layer of a small CNN records the mean, standard deviation and fraction
of exact zeros of the layer's output over a few random batches; the table shows at a glance dead
ReLUs (zeros near 100%) or activations that grow or vanish with depth.

    python examples/activation_stats.py          # --tiny: two batches instead of eight
"""
import argparse

import numpy as np

import npgrad
from npgrad import nn

parser = argparse.ArgumentParser()
parser.add_argument("--tiny", action="store_true")
batches = 2 if parser.parse_args().tiny else 8
npgrad.manual_seed(0)
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
    nn.Flatten(), nn.Linear(16, 10),
)
totals = {}  # layer label -> [sum, sum of squares, number of zeros, number of elements]


def make_hook(label):
    def hook(module, inputs, output):  # runs right after module.forward
        a = output.detach().numpy().astype(np.float64)  # accumulate in float64
        t = totals.setdefault(label, [0.0, 0.0, 0, 0])
        t[0] += a.sum()
        t[1] += np.square(a).sum()
        t[2] += int(np.count_nonzero(a == 0))
        t[3] += a.size
    return hook


# leaf layers only (containers would repeat their last child's output)
handles = [m.register_forward_hook(make_hook(f"{name} ({type(m).__name__})"))
           for name, m in model.named_modules() if not list(m.children())]
with npgrad.no_grad():  # statistics only: no graph needed
    for _ in range(batches):
        model(npgrad.randn(32, 1, 28, 28))
for h in handles:  # leave the model as we found it
    h.remove()

print(f"{'layer':<24}{'mean':>10}{'std':>10}{'zeros':>9}")
for label, (s, ss, zeros, n) in totals.items():
    mean = s / n
    std = np.sqrt(max(ss / n - mean * mean, 0.0))
    print(f"{label:<24}{mean:>10.4f}{std:>10.4f}{zeros / n:>9.1%}")
