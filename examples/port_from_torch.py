"""A PyTorch training script that runs on npgrad by changing its imports. The same file runs with
either framework, selected by a flag:

    python examples/port_from_torch.py --framework npgrad
    python examples/port_from_torch.py --framework torch

Both reach the same accuracy; the numbers differ slightly because the random streams differ.
"""
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--framework", choices=["npgrad", "torch"], default="npgrad")
parser.add_argument("--steps", type=int, default=200)
parser.add_argument("--tiny", action="store_true", help="20 steps (CI)")
args = parser.parse_args()
if args.tiny:
    args.steps = 20

if args.framework == "torch":
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
else:  # the only change a port needs
    import npgrad as torch
    import npgrad.nn as nn
    import npgrad.nn.functional as F

# ---------------------------------------------------------------- plain PyTorch from here on
torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.bn = nn.BatchNorm1d(64)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.bn(self.fc1(x))))


# a synthetic task: the class is which of three fixed directions x points to most
x = torch.randn(512, 20)
directions = torch.randn(20, 3)
y = (x @ directions).argmax(dim=1)
dataset = torch.utils.data.TensorDataset(x, y)
loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)

model = Net()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.9)

step = 0
while step < args.steps:
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        step += 1
        if step >= args.steps:
            break
    scheduler.step()

model.eval()
with torch.no_grad():
    accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
print(f"{args.framework}: final loss {loss.item():.4f}, train accuracy {accuracy:.3f}")
