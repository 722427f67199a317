"""``npgrad.save`` / ``npgrad.load``: safe, atomic checkpoints in the safetensors format.

File layout: a standard safetensors file. Every tensor (and NumPy array) in the saved object is a
safetensors entry; the object's nesting (dicts, lists, tuples, numbers, strings, None) is kept as
JSON in the metadata under ``"npgrad"``, with tensors replaced by references. A flat state_dict
keeps its own key names, so ``safetensors.torch.load_file(path)`` + ``model.load_state_dict``
works in PyTorch, and a file written by ``safetensors.torch.save_file`` loads here.

Safety: loading parses JSON and raw tensor bytes only (no pickle, no code). Each tensor's CRC32 is
stored and verified, so a flipped byte is reported instead of silently loading wrong weights.
Writes go to a temporary file that is fsync'ed and then renamed over the target: an interrupted
save leaves the previous file intact.
"""
from __future__ import annotations

import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from .tensor import Tensor

_META_KEY = "npgrad"
_FORMAT = 1


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, truncated, corrupted or not an npgrad/safetensors file."""


def _flatten(obj: Any, path: str, tensors: dict, flat_names: bool) -> Any:
    """Replace tensors/arrays in ``obj`` by references, collecting them into ``tensors``."""
    if isinstance(obj, (Tensor, np.ndarray)):
        arr = obj.data if isinstance(obj, Tensor) else obj
        key = path if flat_names and path and path not in tensors else f"__t{len(tensors)}"
        tensors[key] = np.ascontiguousarray(arr).reshape(arr.shape)  # ascontiguousarray makes 0-d 1-d
        ref: dict = {"__tensor__": key}
        if isinstance(obj, Tensor):
            if obj.requires_grad:
                ref["requires_grad"] = True
            if type(obj).__name__ == "Parameter":
                ref["parameter"] = True
        else:
            ref["ndarray"] = True
        return ref
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {"__dict__": {k: _flatten(v, f"{path}.{k}" if path else k, tensors, flat_names) for k, v in obj.items()}}
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int, float, bool)) and k is not None:
                raise TypeError(f"npgrad.save: dict keys must be str, int, float or bool, got {type(k).__name__}")
            items.append([k, _flatten(v, f"{path}.{k}" if path else str(k), tensors, False)])
        return {"__items__": items}
    if isinstance(obj, (list, tuple)):
        tag = "__list__" if isinstance(obj, list) else "__tuple__"
        return {tag: [_flatten(v, f"{path}.{i}", tensors, False) for i, v in enumerate(obj)]}
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(
        f"npgrad.save can store tensors, arrays, numbers, strings, None and dicts/lists/tuples of them; "
        f"got {type(obj).__name__} at '{path or '<root>'}'"
    )


def _unflatten(node: Any, tensors: dict) -> Any:
    if isinstance(node, dict):
        if "__tensor__" in node:
            arr = tensors[node["__tensor__"]]
            if node.get("ndarray"):
                return arr
            if node.get("parameter"):
                from .nn.parameter import Parameter

                return Parameter(Tensor._make(arr), requires_grad=bool(node.get("requires_grad", True)))
            t = Tensor._make(arr)
            if node.get("requires_grad"):
                t.requires_grad_(True)
            return t
        if "__dict__" in node:
            return {k: _unflatten(v, tensors) for k, v in node["__dict__"].items()}
        if "__items__" in node:
            return {k: _unflatten(v, tensors) for k, v in node["__items__"]}
        if "__list__" in node:
            return [_unflatten(v, tensors) for v in node["__list__"]]
        if "__tuple__" in node:
            return tuple(_unflatten(v, tensors) for v in node["__tuple__"])
        raise CheckpointError(f"unknown node in checkpoint structure: {sorted(node)}")
    return node


def _crc(arr: np.ndarray) -> int:
    return zlib.crc32(memoryview(np.ascontiguousarray(arr)).cast("B"))


def save(obj: Any, f: str | os.PathLike) -> None:
    """Save ``obj`` (a state_dict or nested dicts/lists of tensors, numbers and strings) to ``f`` atomically."""
    from safetensors.numpy import save as st_save

    tensors: dict = {}
    structure = _flatten(obj, "", tensors, flat_names=True)
    meta = {
        "format": _FORMAT,
        "structure": structure,
        "crc32": {k: _crc(v) for k, v in tensors.items()},
    }
    blob = st_save(tensors, metadata={_META_KEY: json.dumps(meta)})
    path = Path(f)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def load(f: str | os.PathLike, map_location: Any = None, weights_only: bool = True, **_: Any) -> Any:
    """Load what ``save`` wrote (or any safetensors file, as a flat dict of tensors). Never runs code."""
    from safetensors import SafetensorError
    from safetensors.numpy import load as st_load

    path = Path(f)
    if not path.exists():
        raise FileNotFoundError(f"No such checkpoint file: '{path}'")
    blob = path.read_bytes()
    try:
        tensors = st_load(blob)
        meta_raw = _read_metadata(blob)
    except (SafetensorError, ValueError, json.JSONDecodeError, UnicodeDecodeError, OverflowError) as e:
        raise CheckpointError(
            f"'{path}' is not a valid npgrad/safetensors checkpoint (truncated or corrupted?): {e}"
        ) from None
    tensors = {k: np.array(v, copy=True) for k, v in tensors.items()}
    if meta_raw is None or _META_KEY not in meta_raw:
        return {k: Tensor._make(v) for k, v in tensors.items()}
    try:
        meta = json.loads(meta_raw[_META_KEY])
        for key, crc in meta["crc32"].items():
            if key not in tensors or _crc(tensors[key]) != crc:
                raise CheckpointError(f"'{path}' is corrupted: checksum mismatch for tensor '{key}'")
        return _unflatten(meta["structure"], tensors)
    except (KeyError, TypeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"'{path}' has corrupted npgrad metadata: {e}") from None


def _read_metadata(blob: bytes) -> dict | None:
    """The ``__metadata__`` dict of a safetensors byte string (header = 8-byte length + JSON)."""
    if len(blob) < 8:
        raise ValueError("file too short for a safetensors header")
    n = int.from_bytes(blob[:8], "little")
    if n > len(blob) - 8:
        raise ValueError("header length exceeds file size")
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    return header.get("__metadata__")
