"""The ``npgrad`` command: ``train``, ``eval`` and ``predict`` (also ``python -m npgrad``).

    npgrad train mnist-mlp --data-dir ../shared/data --epochs 10
    npgrad eval runs/mnist-mlp/checkpoint.safetensors
    npgrad predict runs/mnist-mlp/checkpoint.safetensors digit.png
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Sequence

import numpy as np

from . import recipes as R

OFFLINE_HELP = """\
Could not load the dataset for recipe '{name}':
  {error}

npgrad looks for datasets in torchvision's folder layout under --data-dir (or $NPGRAD_DATA,
default ~/.cache/npgrad), e.g. for MNIST:
  <data-dir>/MNIST/raw/train-images-idx3-ubyte.gz   train-labels-idx1-ubyte.gz
  <data-dir>/MNIST/raw/t10k-images-idx3-ubyte.gz    t10k-labels-idx1-ubyte.gz
and for CIFAR-10: <data-dir>/cifar-10-batches-py/ (python version) or <data-dir>/cifar-10-batches-bin/.
Without network access, copy the files there by hand. `npgrad train spiral` works offline.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="npgrad", description="Train and use models with npgrad.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a recipe", description="Train one of the built-in recipes.")
    t.add_argument("recipe", choices=sorted(R.RECIPES), help="what to train")
    t.add_argument("--epochs", type=int)
    t.add_argument("--batch-size", type=int)
    t.add_argument("--lr", type=float)
    t.add_argument("--optimizer", choices=["adam", "adamw", "sgd"])
    t.add_argument("--weight-decay", type=float)
    t.add_argument("--schedule", choices=["cosine", "step", "none"])
    t.add_argument("--label-smoothing", type=float)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--data-dir", help="dataset root (torchvision layout); default $NPGRAD_DATA or ~/.cache/npgrad")
    t.add_argument("--out", help="output folder (default runs/<recipe>)")
    t.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    t.add_argument("--subset", type=int, help="use only the first N training samples (quick runs)")
    t.add_argument("--no-download", action="store_true", help="never try to download datasets")
    t.add_argument("--no-progress", action="store_true", help="no progress bars")
    t.add_argument("--patience", type=int, help="early stopping patience in epochs")
    t.add_argument("--graph", action="store_true", help="also write the backward graph (graph.dot/.html)")

    e = sub.add_parser("eval", help="evaluate a checkpoint on its test set")
    e.add_argument("checkpoint")
    e.add_argument("--data-dir")
    e.add_argument("--batch-size", type=int, default=512)

    pr = sub.add_parser("predict", help="classify image files with a checkpoint")
    pr.add_argument("checkpoint")
    pr.add_argument("images", nargs="+")
    return p


def _options(args: argparse.Namespace) -> dict:
    recipe = R.RECIPES[args.recipe]
    opts = dict(recipe.defaults)
    for key in ("epochs", "batch_size", "lr", "optimizer", "weight_decay", "schedule", "subset", "label_smoothing"):
        value = getattr(args, key)
        if value is not None:
            opts[key] = value
    opts.update(recipe=args.recipe, seed=args.seed, data_dir=args.data_dir, download=not args.no_download)
    return opts


def _load_data(recipe: R.Recipe, opts: dict) -> tuple | None:
    try:
        return recipe.build_data(opts)
    except (RuntimeError, OSError) as exc:
        print(OFFLINE_HELP.format(name=recipe.name, error=exc), file=sys.stderr)
        return None


def cmd_train(args: argparse.Namespace) -> int:
    import npgrad
    from .utils.data import DataLoader
    from .utils.trainer import CHECKPOINT_NAME, Trainer, plot_history

    opts = _options(args)
    recipe = R.RECIPES[args.recipe]
    out = Path(args.out or Path("runs") / recipe.name)
    out.mkdir(parents=True, exist_ok=True)
    npgrad.manual_seed(opts["seed"])
    np.random.seed(opts["seed"])
    data = _load_data(recipe, opts)
    if data is None:
        return 2
    train_set, test_set = data
    model = recipe.build_model(opts)
    optimizer = R.build_optimizer(model, opts)
    scheduler = R.build_scheduler(optimizer, opts)
    train_loader = DataLoader(train_set, batch_size=opts["batch_size"], shuffle=True)
    test_loader = DataLoader(test_set, batch_size=512)
    loss_fn = npgrad.nn.CrossEntropyLoss(label_smoothing=opts.get("label_smoothing") or 0.0)
    trainer = Trainer(model, optimizer, loss_fn, scheduler, out_dir=out,
                      progress=not args.no_progress, early_stopping_patience=args.patience,
                      config={k: v for k, v in opts.items() if k != "download"})
    ckpt = out / CHECKPOINT_NAME
    if args.resume:
        if not ckpt.exists():
            print(f"--resume: no checkpoint at {ckpt}", file=sys.stderr)
            return 2
        trainer.resume(ckpt)
        print(f"resumed from {ckpt} at epoch {trainer.epoch}")
    print(f"npgrad {npgrad.__version__} | {recipe.description} | {len(train_set)} train / {len(test_set)} test "
          f"| {sum(p.numel() for p in model.parameters()):,} parameters")
    if args.graph:
        _write_graph(model, train_set, out)
    start = time.perf_counter()
    history = trainer.fit(train_loader, test_loader, epochs=opts["epochs"])
    elapsed = time.perf_counter() - start
    if history.rows:
        last = history.rows[-1]
        per_epoch = np.mean([r.seconds for r in history.rows])
        print(f"final test accuracy {last.val_acc * 100:.2f}% | {per_epoch:.1f} s/epoch | total {elapsed:.1f} s")
    if plot_history(trainer.history, out / "curves.png"):
        print(f"wrote {out / 'curves.png'}")
    else:
        print("matplotlib is not installed: skipped the loss/accuracy plot (pip install matplotlib)")
    print(f"checkpoint: {ckpt}  metrics: {out / 'metrics.csv'}")
    return 0


def _write_graph(model: object, dataset: object, out: Path) -> None:
    try:
        from . import viz
    except ImportError:
        print("graph drawing is not available in this build")
        return
    x, _ = dataset[0]  # type: ignore[index]
    output = model(x.unsqueeze(0))  # type: ignore[operator]
    paths = viz.draw_graph(output, params=dict(model.named_parameters())).save(out / "graph")  # type: ignore[attr-defined]
    print(f"wrote {', '.join(str(p) for p in paths)}")


def _restore(checkpoint: str) -> tuple:
    from .serialization import load

    ckpt = load(checkpoint)
    opts = ckpt["config"]
    recipe = R.RECIPES[opts["recipe"]]
    model = recipe.build_model(opts)
    model.load_state_dict(ckpt["model"])
    model.eval()
    return recipe, opts, model


def cmd_eval(args: argparse.Namespace) -> int:
    import npgrad
    from .utils.data import DataLoader
    from .utils.trainer import Trainer

    recipe, opts, model = _restore(args.checkpoint)
    if args.data_dir:
        opts["data_dir"] = args.data_dir
    opts["subset"] = None
    data = _load_data(recipe, opts)
    if data is None:
        return 2
    trainer = Trainer(model, None, npgrad.nn.CrossEntropyLoss(), progress=False)
    loss, acc = trainer.evaluate(DataLoader(data[1], batch_size=args.batch_size))
    print(f"{recipe.name}: test loss {loss:.4f} | test accuracy {acc * 100:.2f}% ({len(data[1])} images)")
    return 0


def load_image(path: str, shape: tuple) -> np.ndarray:
    """Read an image file as a normalised (C, H, W) float32 array for an MNIST-style model.

    Digits are expected light-on-dark like MNIST; a mostly light picture is inverted first.
    """
    from PIL import Image

    channels, height, width = shape
    with Image.open(path) as img:
        img = img.convert("L" if channels == 1 else "RGB").resize((width, height), Image.BILINEAR)
        arr = np.asarray(img, dtype=np.float32) / 255.0
    if channels == 1:
        if arr.mean() > 0.5:
            arr = 1.0 - arr
        return ((arr - R.MNIST_MEAN) / R.MNIST_STD)[None]
    return ((arr - np.array(R.CIFAR_MEAN, np.float32)) / np.array(R.CIFAR_STD, np.float32)).transpose(2, 0, 1)


def cmd_predict(args: argparse.Namespace) -> int:
    import npgrad

    recipe, _, model = _restore(args.checkpoint)
    if recipe.image is None:
        print(f"recipe {recipe.name} does not take images", file=sys.stderr)
        return 2
    try:
        batch = np.stack([load_image(p, recipe.image) for p in args.images])
    except (OSError, ValueError) as exc:
        print(f"cannot read image: {exc}", file=sys.stderr)
        return 2
    with npgrad.no_grad():
        probs = npgrad.softmax(model(npgrad.from_numpy(batch)), dim=1).numpy()
    for path, p in zip(args.images, probs):
        k = int(p.argmax())
        print(f"{path}: {k} (p={p[k]:.3f})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"train": cmd_train, "eval": cmd_eval, "predict": cmd_predict}[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
