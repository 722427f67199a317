"""micrograd-style demo: classify a 3-arm spiral with a small MLP and plot the decision boundary.

    python examples/spiral.py            # writes spiral.png
    python examples/spiral.py --tiny     # a few steps (used by CI)
"""
import argparse

import numpy as np

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.recipes import make_spiral

parser = argparse.ArgumentParser()
parser.add_argument("--tiny", action="store_true")
parser.add_argument("--out", default="spiral.png")
args = parser.parse_args()

npgrad.manual_seed(0)
x_np, y_np = make_spiral(n_per_class=100)
x, y = npgrad.from_numpy(x_np), npgrad.from_numpy(y_np)

model = nn.Sequential(nn.Linear(2, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
opt = npgrad.optim.Adam(model.parameters(), lr=0.01)

for step in range(5 if args.tiny else 500):
    opt.zero_grad()
    loss = F.cross_entropy(model(x), y)  # full-batch gradient descent
    loss.backward()
    opt.step()
    if step % 100 == 0 or args.tiny:
        acc = (model(x).argmax(1) == y).float().mean().item()
        print(f"step {step:3d}  loss {loss.item():.4f}  accuracy {acc:.3f}")

try:  # the picture is optional: matplotlib may not be installed
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("matplotlib not installed: no plot")
else:
    xx, yy = np.meshgrid(np.linspace(-1.1, 1.1, 200), np.linspace(-1.1, 1.1, 200))
    grid = npgrad.from_numpy(np.c_[xx.ravel(), yy.ravel()].astype(np.float32))
    with npgrad.no_grad():
        zz = model(grid).argmax(1).numpy().reshape(xx.shape)
    plt.contourf(xx, yy, zz, alpha=0.3, cmap="brg")
    plt.scatter(x_np[:, 0], x_np[:, 1], c=y_np, s=8, cmap="brg")
    plt.title("npgrad MLP on a spiral")
    plt.savefig(args.out, dpi=80)
    print(f"wrote {args.out}")
