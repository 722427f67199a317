"""CIFAR-10 with ResNet-20 (He et al. 2016), the standard recipe: 4-pixel padded random crop +
horizontal flip, SGD momentum 0.9, weight decay 5e-4, cosine schedule. The paper reports 8.75% test
error for ResNet-20 after ~160 epochs; one epoch takes minutes on a CPU, so start with a few.

    python examples/cifar10_resnet.py --epochs 2     # data from $NPGRAD_DATA or ../shared/data
    python examples/cifar10_resnet.py --tiny         # 2 steps on 64 images (CI); synthetic if no data

The augmentation runs on whole batches (``npgrad.vision.transforms.batch``): the DataLoader
collects a batch of uint8 images and crops/flips/normalises them with a few NumPy calls.
"""
import argparse

import npgrad
import npgrad.nn.functional as F
from npgrad.utils.data import DataLoader, Subset
from npgrad.vision.datasets import CIFAR10
from npgrad.vision.models import resnet20
from npgrad.vision.transforms import batch as T

from _data import default_data_dir, open_dataset, synthetic_cifar10

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir", default=default_data_dir())
parser.add_argument("--epochs", type=int, default=30)
parser.add_argument("--batch-size", type=int, default=128)
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--tiny", action="store_true", help="2 steps of 32 images (CI)")
args = parser.parse_args()

MEAN, STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)
normalize = [T.ToTensor(), T.Normalize(MEAN, STD)]  # uint8 N×H×W×C -> float N×C×H×W, standardised
augment = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize])

npgrad.manual_seed(0)
train_set, test_set, source = open_dataset(CIFAR10, args.data_dir, args.tiny, synthetic_cifar10,
                                           batch_transform=augment)
test_set.batch_transform = T.Compose(normalize)  # no augmentation at test time
print(f"CIFAR-10: {source}")
batch_size, epochs = (32, 1) if args.tiny else (args.batch_size, args.epochs)
if args.tiny:
    train_set, test_set = Subset(train_set, range(64)), Subset(test_set, range(64))
train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
test_loader = DataLoader(test_set, batch_size=256)

model = resnet20(num_classes=10)
print(f"ResNet-20: {sum(p.numel() for p in model.parameters())} parameters")
optimizer = npgrad.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
scheduler = npgrad.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

for epoch in range(epochs):
    model.train()  # BatchNorm uses batch statistics and updates its running averages
    for step, (x, y) in enumerate(train_loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        if step % 50 == 0 or args.tiny:
            print(f"epoch {epoch} step {step:3d}  loss {loss.item():.4f}")
    scheduler.step()  # per-epoch cosine decay
    model.eval()  # BatchNorm switches to its running averages
    with npgrad.no_grad():
        correct = sum((model(x).argmax(1) == y).sum().item() for x, y in test_loader)
    print(f"epoch {epoch}: test accuracy {correct / len(test_set):.4f}")
