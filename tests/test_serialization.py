"""npgrad.save / npgrad.load: round trips, torch interop through safetensors, atomicity, corruption."""
from __future__ import annotations

import os

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

import npgrad
from npgrad import nn
from npgrad.serialization import CheckpointError


def _net_pair():
    np_net = nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    t_net = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    return np_net, t_net


def test_nested_round_trip(tmp_path):
    obj = {
        "model": {"w": npgrad.randn(3, 4), "b": npgrad.zeros(3, dtype=npgrad.float64)},
        "step": 7,
        "lr": 0.125,
        "name": "run-1",
        "flags": [True, None, (1, 2.5)],
        "state": {0: {"exp_avg": npgrad.ones(2)}, 1: {"momentum": np.arange(3)}},
        "mask": npgrad.tensor([True, False]),
        "ids": npgrad.tensor([1, 2, 3]),
        "scalar": npgrad.tensor(3.5),
    }
    path = tmp_path / "ckpt.safetensors"
    npgrad.save(obj, path)
    back = npgrad.load(path)
    assert back["step"] == 7 and back["lr"] == 0.125 and back["name"] == "run-1"
    assert back["flags"] == [True, None, (1, 2.5)]
    assert isinstance(back["flags"][2], tuple)
    assert set(back["state"]) == {0, 1}
    np.testing.assert_array_equal(back["model"]["w"].numpy(), obj["model"]["w"].numpy())
    assert back["model"]["b"].dtype == npgrad.float64
    assert back["scalar"].shape == () and back["scalar"].item() == 3.5
    assert back["mask"].dtype == npgrad.bool and back["ids"].dtype == npgrad.int64
    assert isinstance(back["state"][1]["momentum"], np.ndarray)
    np.testing.assert_array_equal(back["state"][1]["momentum"], np.arange(3))


def test_state_dict_loads_in_torch(tmp_path):
    np_net, t_net = _net_pair()
    path = tmp_path / "model.safetensors"
    npgrad.save(np_net.state_dict(), path)
    t_net.load_state_dict(load_file(str(path)))
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    np_net.eval()
    t_net.eval()
    with npgrad.no_grad():
        ours = np_net(npgrad.from_numpy(x)).numpy()
    theirs = t_net(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_torch_safetensors_loads_here(tmp_path):
    np_net, t_net = _net_pair()
    t_net.train()
    t_net(torch.randn(16, 4))  # move running stats away from their init
    path = tmp_path / "torch.safetensors"
    save_file({k: v.contiguous() for k, v in t_net.state_dict().items()}, str(path))
    np_net.load_state_dict(npgrad.load(path))
    np_net.eval()
    t_net.eval()
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    with npgrad.no_grad():
        ours = np_net(npgrad.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours, t_net(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"x": npgrad.ones(3)}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("simulated crash during rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        npgrad.save({"x": npgrad.zeros(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.safetensors"]  # no temp file left behind


@pytest.mark.parametrize("cut", [0, 5, 40, -3])
def test_truncated_file_gives_clear_error(tmp_path, cut):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"w": npgrad.randn(64)}, path)
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut >= 0 else data[:cut])
    with pytest.raises(CheckpointError, match="truncated or corrupted"):
        npgrad.load(path)


def test_flipped_byte_in_tensor_data_is_detected(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"w": npgrad.randn(64)}, path)
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="checksum mismatch"):
        npgrad.load(path)


def test_flipped_byte_in_header_is_detected(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"w": npgrad.randn(4)}, path)
    data = bytearray(path.read_bytes())
    data[12] = ord("#")
    path.write_bytes(bytes(data))
    with pytest.raises(CheckpointError):
        npgrad.load(path)


def test_missing_file_and_unsupported_object(tmp_path):
    with pytest.raises(FileNotFoundError):
        npgrad.load(tmp_path / "nope.safetensors")
    with pytest.raises(TypeError, match="object"):
        npgrad.save({"f": object()}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()


def test_load_never_unpickles(tmp_path):
    import pickle

    path = tmp_path / "evil.safetensors"
    path.write_bytes(pickle.dumps({"a": 1}))
    with pytest.raises(CheckpointError):
        npgrad.load(path)
