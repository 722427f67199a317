"""A small, readable training loop: fit / evaluate, metrics, checkpoints, resume, early stopping.

    trainer = Trainer(model, optimizer, nn.CrossEntropyLoss(), scheduler=sched, out_dir="runs/mlp")
    history = trainer.fit(train_loader, test_loader, epochs=10)

Each epoch: ``model.train()``, one optimizer step per batch (loss → backward → step), then
``model.eval()`` + ``no_grad`` evaluation, scheduler step, a history row, and a checkpoint holding
model + optimizer + scheduler + epoch + RNG state. ``resume(path)`` restores all of it, so
2 epochs + resume + 1 epoch is bit-identical to 3 epochs in one go.
"""
from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..serialization import load, save
from ..tensor import Tensor

CHECKPOINT_NAME = "checkpoint.safetensors"


@dataclass
class EpochResult:
    epoch: int
    train_loss: float
    train_acc: float
    val_loss: float | None
    val_acc: float | None
    lr: float
    seconds: float

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class History:
    rows: list = field(default_factory=list)

    def append(self, row: EpochResult) -> None:
        self.rows.append(row)

    def column(self, name: str) -> list:
        return [getattr(r, name) for r in self.rows]

    def as_dicts(self) -> list:
        return [r.as_dict() for r in self.rows]


def _accuracy_count(logits: Tensor, target: Tensor) -> int:
    if logits.ndim != 2 or target.ndim != 1:
        return 0
    return int((logits.data.argmax(1) == target.data).sum())


class Trainer:
    """Fit a classifier-style model. ``loss_fn(output, target)`` returns a scalar tensor."""

    def __init__(
        self,
        model: Any,
        optimizer: Any,
        loss_fn: Callable[[Tensor, Tensor], Tensor],
        scheduler: Any = None,
        *,
        scheduler_step: str = "epoch",
        out_dir: str | Path | None = None,
        progress: bool = True,
        early_stopping_patience: int | None = None,
        config: dict | None = None,
        log: Callable[[str], None] = print,
    ) -> None:
        if scheduler_step not in ("epoch", "batch"):
            raise ValueError(f"scheduler_step must be 'epoch' or 'batch', got {scheduler_step!r}")
        self.model, self.optimizer, self.loss_fn = model, optimizer, loss_fn
        self.scheduler, self.scheduler_step = scheduler, scheduler_step
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.progress = progress
        self.patience = early_stopping_patience
        self.config = dict(config or {})
        self.log = log
        self.history = History()
        self.epoch = 0
        self.best_val_loss = math.inf
        self.bad_epochs = 0

    # ------------------------------------------------------------------ one pass
    def _batches(self, loader: Iterable, desc: str) -> Any:
        if not self.progress:
            return loader
        from tqdm.auto import tqdm

        return tqdm(loader, desc=desc, leave=False, dynamic_ncols=True)

    def train_epoch(self, loader: Iterable) -> tuple[float, float]:
        """One optimisation pass; returns (mean loss, accuracy)."""
        self.model.train()
        total_loss, correct, seen = 0.0, 0, 0
        bar = self._batches(loader, f"epoch {self.epoch + 1} train")
        for inputs, target in bar:
            self.optimizer.zero_grad()
            output = self.model(inputs)
            loss = self.loss_fn(output, target)
            loss.backward()
            self.optimizer.step()
            if self.scheduler is not None and self.scheduler_step == "batch":
                self.scheduler.step()
            n = len(target)
            total_loss += loss.item() * n
            correct += _accuracy_count(output, target)
            seen += n
            if self.progress and hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total_loss / seen:.4f}", acc=f"{correct / seen:.4f}")
        return total_loss / max(seen, 1), correct / max(seen, 1)

    @no_grad()
    def evaluate(self, loader: Iterable) -> tuple[float, float]:
        """Mean loss and accuracy over ``loader`` in eval mode without recording a graph."""
        was_training = self.model.training
        self.model.eval()
        total_loss, correct, seen = 0.0, 0, 0
        for inputs, target in self._batches(loader, "eval"):
            output = self.model(inputs)
            n = len(target)
            total_loss += self.loss_fn(output, target).item() * n
            correct += _accuracy_count(output, target)
            seen += n
        self.model.train(was_training)
        return total_loss / max(seen, 1), correct / max(seen, 1)

    # ------------------------------------------------------------------ the loop
    def fit(self, train_loader: Iterable, val_loader: Iterable | None = None, epochs: int = 1) -> History:
        """Train until ``epochs`` epochs are done in total (counting epochs restored by ``resume``)."""
        while self.epoch < epochs:
            start = time.perf_counter()
            lr = self.optimizer.param_groups[0]["lr"]
            train_loss, train_acc = self.train_epoch(train_loader)
            val_loss = val_acc = None
            if val_loader is not None:
                val_loss, val_acc = self.evaluate(val_loader)
            if self.scheduler is not None and self.scheduler_step == "epoch":
                if type(self.scheduler).__name__ == "ReduceLROnPlateau":
                    self.scheduler.step(val_loss if val_loss is not None else train_loss)
                else:
                    self.scheduler.step()
            self.epoch += 1
            row = EpochResult(self.epoch, train_loss, train_acc, val_loss, val_acc, lr, time.perf_counter() - start)
            self.history.append(row)
            self.log(self._format(row))
            if self.out_dir is not None:
                self.save_checkpoint(self.out_dir / CHECKPOINT_NAME)
                self.write_metrics()
            if self._should_stop(val_loss if val_loss is not None else train_loss):
                self.log(f"early stopping: no improvement for {self.patience} epochs")
                break
        return self.history

    def _should_stop(self, monitored: float) -> bool:
        if monitored < self.best_val_loss:
            self.best_val_loss, self.bad_epochs = monitored, 0
            return False
        self.bad_epochs += 1
        return self.patience is not None and self.bad_epochs >= self.patience

    @staticmethod
    def _format(r: EpochResult) -> str:
        val = f" | test loss {r.val_loss:.4f} acc {r.val_acc * 100:.2f}%" if r.val_loss is not None else ""
        return (f"epoch {r.epoch:3d} | train loss {r.train_loss:.4f} acc {r.train_acc * 100:.2f}%{val}"
                f" | lr {r.lr:.3g} | {r.seconds:.1f}s")

    # ------------------------------------------------------------------ checkpoints
    def state(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "epoch": self.epoch,
            "rng": _random.get_rng_state(),
            "numpy_rng": _numpy_state(),
            "history": self.history.as_dicts(),
            "early_stopping": [self.best_val_loss if math.isfinite(self.best_val_loss) else None, self.bad_epochs],
            "config": self.config,
        }

    def save_checkpoint(self, path: str | Path) -> None:
        save(self.state(), path)

    def resume(self, path: str | Path) -> None:
        """Restore model, optimizer, scheduler, epoch counter, history and RNG state from a checkpoint."""
        ckpt = load(path)
        self.model.load_state_dict(ckpt["model"])
        self.optimizer.load_state_dict(ckpt["optimizer"])
        if self.scheduler is not None and ckpt.get("scheduler") is not None:
            self.scheduler.load_state_dict(ckpt["scheduler"])
        self.epoch = int(ckpt["epoch"])
        _random.set_rng_state(ckpt["rng"])
        _set_numpy_state(ckpt.get("numpy_rng"))
        self.history = History([EpochResult(**row) for row in ckpt.get("history", [])])
        best, bad = ckpt.get("early_stopping", [None, 0])
        self.best_val_loss = math.inf if best is None else best
        self.bad_epochs = bad

    def write_metrics(self) -> None:
        """metrics.json and metrics.csv in ``out_dir`` (one row per epoch)."""
        assert self.out_dir is not None
        rows = self.history.as_dicts()
        (self.out_dir / "metrics.json").write_text(json.dumps(rows, indent=2))
        with open(self.out_dir / "metrics.csv", "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["epoch"])
            writer.writeheader()
            writer.writerows(rows)


def _numpy_state() -> dict:
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {"name": name, "keys": keys.tolist(), "pos": int(pos), "has_gauss": int(has_gauss), "cached": float(cached)}


def _set_numpy_state(state: dict | None) -> None:
    if state:
        np.random.set_state((state["name"], np.asarray(state["keys"], dtype=np.uint32), state["pos"],
                             state["has_gauss"], state["cached"]))


def plot_history(history: History | list, path: str | Path) -> bool:
    """Loss and accuracy curves to a PNG. Returns False (and draws nothing) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    rows = history.as_dicts() if isinstance(history, History) else history
    epochs = [r["epoch"] for r in rows]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, [r["train_loss"] for r in rows], "o-", label="train")
    ax2.plot(epochs, [100 * r["train_acc"] for r in rows], "o-", label="train")
    if rows and rows[0]["val_loss"] is not None:
        ax1.plot(epochs, [r["val_loss"] for r in rows], "o-", label="test")
        ax2.plot(epochs, [100 * r["val_acc"] for r in rows], "o-", label="test")
    ax1.set(xlabel="epoch", ylabel="loss", title="loss")
    ax2.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True
