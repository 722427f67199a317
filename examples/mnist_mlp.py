"""MNIST with a multi-layer perceptron: 784-256-128-10, ReLU, Adam (96% test accuracy after 1 epoch).

    python examples/mnist_mlp.py                     # data from $NPGRAD_DATA or ../shared/data
    python examples/mnist_mlp.py --data-dir ~/data   # expects <dir>/MNIST/raw/*-ubyte[.gz]
    python examples/mnist_mlp.py --tiny              # a few steps; synthetic data if none is found
"""
import argparse

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.utils.data import DataLoader

from _data import default_data_dir, mnist_datasets

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", default=default_data_dir())
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--lr", type=float, default=1e-3)
parser.add_argument("--tiny", action="store_true", help="1 epoch on 512 images (CI)")
args = parser.parse_args()

npgrad.manual_seed(0)
train_set, test_set = mnist_datasets(args.data_dir, args.tiny)
train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
test_loader = DataLoader(test_set, batch_size=1000)

model = nn.Sequential(
    nn.Flatten(),  # N×1×28×28 -> N×784
    nn.Linear(784, 256), nn.ReLU(),
    nn.Linear(256, 128), nn.ReLU(),
    nn.Linear(128, 10),  # logits; cross_entropy applies log_softmax itself
)
optimizer = npgrad.optim.Adam(model.parameters(), lr=args.lr)


def evaluate() -> float:
    model.eval()
    correct = 0
    with npgrad.no_grad():  # no graph is recorded: faster, less memory
        for x, y in test_loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
    return correct / len(test_set)


for epoch in range(1 if args.tiny else args.epochs):
    model.train()
    for step, (x, y) in enumerate(train_loader):
        optimizer.zero_grad()  # gradients accumulate in .grad: clear them
        loss = F.cross_entropy(model(x), y)
        loss.backward()  # fills p.grad for every parameter p
        optimizer.step()  # p <- Adam update(p, p.grad)
        if step % 100 == 0:
            print(f"epoch {epoch} step {step:4d}  loss {loss.item():.4f}")
    print(f"epoch {epoch}: test accuracy {evaluate():.4f}")
