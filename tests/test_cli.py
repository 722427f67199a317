"""The ``npgrad`` command: train (spiral, MNIST on generated and real files), resume, eval, predict."""
from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys

import numpy as np
import pytest

import npgrad
from npgrad.cli import main


def _write_idx(path, array: np.ndarray) -> None:
    """An IDX file (MNIST's format): magic (0, 0, 0x08 = ubyte, ndim), big-endian dims, raw bytes."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with gzip.open(path, "wb") as fh:
        fh.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(tmp_path):
    """A small MNIST in torchvision's layout whose classes are learnable (class k lights row block k)."""
    rs = np.random.default_rng(0)
    raw = tmp_path / "data" / "MNIST" / "raw"
    raw.mkdir(parents=True)

    def make(n):
        labels = rs.integers(0, 10, n).astype(np.uint8)
        images = rs.integers(0, 40, (n, 28, 28)).astype(np.uint8)
        for i, k in enumerate(labels):
            images[i, 2 + 2 * k : 4 + 2 * k, 4:24] = 255
        return images, labels

    for prefix, n in (("train", 600), ("t10k", 200)):
        images, labels = make(n)
        _write_idx(raw / f"{prefix}-images-idx3-ubyte.gz", images)
        _write_idx(raw / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return tmp_path / "data"


def test_train_spiral_writes_outputs(tmp_path, capsys):
    out = tmp_path / "spiral"
    assert main(["train", "spiral", "--epochs", "25", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "final test accuracy" in text
    rows = json.loads((out / "metrics.json").read_text())
    assert len(rows) == 25 and rows[-1]["val_acc"] > 0.9
    assert (out / "checkpoint.safetensors").exists() and (out / "metrics.csv").exists()
    assert (out / "curves.png").exists()


def test_resume_is_bit_identical(tmp_path):
    full, part = tmp_path / "full", tmp_path / "part"
    assert main(["train", "spiral", "--epochs", "3", "--out", str(full), "--no-progress", "--seed", "3"]) == 0
    assert main(["train", "spiral", "--epochs", "2", "--out", str(part), "--no-progress", "--seed", "3"]) == 0
    assert main(["train", "spiral", "--epochs", "3", "--out", str(part), "--no-progress", "--seed", "3", "--resume"]) == 0
    a = npgrad.load(full / "checkpoint.safetensors")
    b = npgrad.load(part / "checkpoint.safetensors")
    assert a["epoch"] == b["epoch"] == 3
    for k in a["model"]:
        np.testing.assert_array_equal(a["model"][k].numpy(), b["model"][k].numpy(), err_msg=k)
    assert [r["train_loss"] for r in a["history"]] == [r["train_loss"] for r in b["history"]]


def test_mnist_on_generated_files_then_eval_and_predict(tiny_mnist, tmp_path, capsys):
    out = tmp_path / "mlp"
    assert main(["train", "mnist-mlp", "--data-dir", str(tiny_mnist), "--epochs", "3", "--out", str(out),
                 "--no-progress", "--no-download"]) == 0
    rows = json.loads((out / "metrics.json").read_text())
    assert rows[-1]["val_acc"] > 0.9  # the generated classes are easy
    capsys.readouterr()
    assert main(["eval", str(out / "checkpoint.safetensors"), "--data-dir", str(tiny_mnist)]) == 0
    assert "test accuracy" in capsys.readouterr().out

    from PIL import Image

    digit = np.zeros((28, 28), np.uint8)
    digit[2 + 2 * 7 : 4 + 2 * 7, 4:24] = 255  # the generated pattern of class 7
    Image.fromarray(digit).save(tmp_path / "seven.png")
    assert main(["predict", str(out / "checkpoint.safetensors"), str(tmp_path / "seven.png")]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith(str(tmp_path / "seven.png") + ": 7 (p=")


def test_missing_dataset_explains_where_to_put_files(tmp_path, capsys):
    rc = main(["train", "mnist-mlp", "--data-dir", str(tmp_path / "empty"), "--no-download", "--epochs", "1",
               "--out", str(tmp_path / "o"), "--no-progress"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "MNIST/raw/train-images-idx3-ubyte.gz" in err and "npgrad train spiral" in err


def test_mnist_mlp_one_epoch_subset_on_real_data(shared_data, tmp_path):
    out = tmp_path / "real"
    assert main(["train", "mnist-mlp", "--data-dir", str(shared_data), "--epochs", "1", "--subset", "6000",
                 "--out", str(out), "--no-progress", "--no-download"]) == 0
    rows = json.loads((out / "metrics.json").read_text())
    assert rows[0]["val_acc"] > 0.85


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "npgrad", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "train" in proc.stdout
