"""Random number generation: one global generator (``manual_seed``) plus explicit ``Generator`` objects.

Every random factory and in-place fill (``rand``, ``randn``, ``uniform_``, dropout masks, ...)
draws from ``default_generator`` unless given ``generator=``, so ``npgrad.manual_seed(s)`` makes a
program reproducible. Generators are NumPy PCG64 bit generators; their state is exported as a
uint8 tensor (``get_rng_state``), like torch's, which round-trips through ``set_rng_state``.
"""
from __future__ import annotations

import contextlib
from typing import Any, Iterator

import numpy as np

_U64 = 2**64


def _state_to_bytes(seed: int, bit_state: dict) -> np.ndarray:
    s = bit_state["state"]
    words = [seed % _U64, s["state"] % _U64, s["state"] >> 64, s["inc"] % _U64, s["inc"] >> 64,
             int(bit_state["has_uint32"]), int(bit_state["uinteger"])]
    return np.array(words, dtype="<u8").view(np.uint8).copy()


def _bytes_to_state(raw: np.ndarray) -> tuple[int, dict]:
    raw = np.ascontiguousarray(raw, dtype=np.uint8)
    if raw.size != 56:
        raise RuntimeError(f"Expected a ByteTensor of 56 elements as the generator state, got {raw.size}")
    w = [int(x) for x in raw.view("<u8")]
    state = {"bit_generator": "PCG64", "state": {"state": w[1] | (w[2] << 64), "inc": w[3] | (w[4] << 64)},
             "has_uint32": w[5], "uinteger": w[6]}
    return w[0], state


class Generator:
    """A seedable source of random numbers, like ``torch.Generator`` (backed by NumPy's PCG64)."""

    def __init__(self, device: Any = "cpu") -> None:
        if str(device).split(":")[0] != "cpu":
            raise RuntimeError("npgrad generators live on the CPU")
        self.device = device
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))

    def manual_seed(self, seed: int) -> "Generator":
        """Reset to the stream of ``seed``: the same seed always gives the same numbers."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) and not hasattr(seed, "__index__"):
            raise TypeError(f"manual_seed expected a long, but got {type(seed).__name__}")
        self._seed = int(seed) % _U64
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Seed from fresh OS entropy; returns the seed used."""
        self.manual_seed(int(np.random.SeedSequence().entropy % (2**63)))
        return self._seed

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with (by ``manual_seed`` or ``seed``)."""
        return self._seed

    def get_state(self) -> Any:
        """The full generator state as a uint8 tensor."""
        from .tensor import Tensor

        return Tensor._make(_state_to_bytes(self._seed, self._rng.bit_generator.state))

    def set_state(self, state: Any) -> "Generator":
        """Restore a state from ``get_state`` (a uint8 tensor / array; older dict states are accepted)."""
        if isinstance(state, dict):
            seed, bit_state = int(state["seed"]), state["bit_generator"]
        else:
            arr = state.data if hasattr(state, "data") and isinstance(state.data, np.ndarray) else np.asarray(state)
            if arr.dtype != np.uint8:
                raise TypeError(f"expected a torch.ByteTensor (uint8) as the RNG state, but got {arr.dtype}")
            seed, bit_state = _bytes_to_state(arr)
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = bit_state
        self._seed, self._rng = seed, rng
        return self

    def __repr__(self) -> str:
        return "<npgrad.Generator object>"


default_generator = Generator()
default_generator.manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Seed the global generator: the same seed gives the same numbers."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the global generator from fresh OS entropy (non-reproducible); returns the seed used."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator was last seeded with (0 at import, until ``manual_seed``/``seed``)."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The global generator's state (a uint8 tensor)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the global generator from a state returned by ``get_rng_state`` (a uint8 tensor)."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, **_: Any) -> Iterator[None]:
    """Run the block with the global generator's state saved and restored afterwards."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator behind ``generator`` (the global one when None)."""
    return (generator if generator is not None else default_generator)._rng


__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "get_rng_state",
           "set_rng_state", "fork_rng", "rng"]
