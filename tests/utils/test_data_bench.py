"""benchmarks/bench_data.py: the torch-side augmentation is a real per-sample crop + flip."""
from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
bench = pytest.importorskip("benchmarks.bench_data")


def test_torch_batch_crop_flip_is_per_sample_window_or_mirror():
    torch.manual_seed(0)
    x = torch.randint(0, 256, (16, 3, 6, 6), dtype=torch.uint8)
    out = bench._torch_batch_crop_flip(torch, x, pad=2).numpy()
    assert out.shape == (16, 3, 6, 6)
    padded = np.pad(x.numpy(), ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets, flips = set(), 0
    for k in range(16):
        found = None
        for i in range(5):
            for j in range(5):
                win = padded[k, :, i : i + 6, j : j + 6]
                if np.array_equal(win, out[k]):
                    found = (i, j, False)
                elif np.array_equal(win[..., ::-1], out[k]):
                    found = (i, j, True)
        assert found is not None
        offsets.add(found[:2])
        flips += found[2]
    assert len(offsets) > 4 and 0 < flips < 16


def test_table_formats_rows():
    result = {"data": "x", "batch_size": 128, "mnist_train_load_s": 0.2,
              "machine": {"load_average_at_end": [0.0, 0.0, 0.0]},
              "rows": [{"workload": "w", "npgrad_s_per_epoch": 0.5, "torch_s_per_epoch": 1.0, "ratio": 0.5}]}
    text = bench.table(result)
    assert "npgrad s/epoch" in text and "0.500" in text and "1.000" in text and "0.50" in text
