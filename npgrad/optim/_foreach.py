"""The engine behind every element-wise optimizer: in-place NumPy kernels, cache blocking, threads.

An element-wise optimizer (SGD, Adam, ...) describes its update as a *kernel*
``kernel(arrays, scratch, consts)``: ``arrays`` = (param, grad, state buffers...) as NumPy arrays
of one shape, ``scratch`` = temporaries of that same shape, ``consts`` = the per-parameter
scalars (bias corrections etc.). A kernel only calls ufuncs with ``out=``, so it allocates nothing.

``run_kernel`` applies a kernel to every parameter of a group in one of two ways; both give
bit-identical results, because every operation is element-wise and the order of operations per
element is the same:

* ``foreach=False``: the per-parameter loop. Each parameter is updated as a whole; scratch is a
  reusable buffer sized to the largest parameter.
* ``foreach=None`` (default) / ``True``: the fused multi-tensor path. All parameters of the group are
  cut into blocks of ``CHUNK`` elements and the whole update rule runs on one block at a time, so
  the block's param/grad/state stay in cache across the ~10 ufunc passes of the rule (one trip to
  memory per array instead of one per pass). When the group is large enough, worker threads pull
  blocks from a shared queue (NumPy releases the GIL inside ufunc loops).
"""
from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..autograd.grad_mode import no_grad
from ..tensor import Tensor
from .optimizer import Optimizer, hyper, scalar_dtype

CHUNK = 1 << 17  # elements per block: fewer ufunc calls vs cache reuse; measured best at 2^17..2^18
THREAD_MIN = 1 << 18  # total elements below which one thread is faster than handing work out

Kernel = Callable[[tuple, tuple, tuple], None]
Job = tuple  # (arrays: tuple[np.ndarray | None, ...], consts: tuple)


def _default_threads() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        n = os.cpu_count() or 1
    return max(1, min(n, 8))


_num_threads = _default_threads()
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_scratch = threading.local()


def set_num_threads(n: int) -> None:
    """Number of threads the fused optimizer path may use (default: the CPUs this process may run on)."""
    global _num_threads, _pool
    if n < 1:
        raise ValueError(f"number of threads must be positive, got {n}")
    with _pool_lock:
        if _pool is not None and n != _num_threads:
            _pool.shutdown(wait=True)
            _pool = None
        _num_threads = int(n)


def get_num_threads() -> int:
    """Threads the fused optimizer path uses."""
    return _num_threads


def _get_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=_num_threads - 1, thread_name_prefix="npgrad-optim")
        return _pool


def _reset_after_fork() -> None:
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def _scratch_for(dtype: np.dtype, shape: tuple, n: int) -> tuple:
    """``n`` temporaries of ``shape``/``dtype`` carved from this thread's reusable buffers."""
    size = 1
    for s in shape:
        size *= s
    pool = getattr(_scratch, "bufs", None)
    if pool is None:
        pool = _scratch.bufs = {}
    bufs = pool.get(dtype)
    if bufs is None or len(bufs) < n or bufs[0].size < size:
        cap = max(size, bufs[0].size if bufs else 0)
        bufs = pool[dtype] = [np.empty(cap, dtype) for _ in range(max(n, len(bufs) if bufs else 0))]
    return tuple(b[:size].reshape(shape) for b in bufs[:n])


def release_scratch() -> None:
    """Free the calling thread's scratch buffers (they are re-created on the next step)."""
    _scratch.bufs = {}


def _run_items(kernel: Kernel, n_scratch: int, items: Iterable[tuple]) -> None:
    for arrays, consts, lo, hi in items:
        if lo is None:
            p = arrays[0]
            kernel(arrays, _scratch_for(p.dtype, p.shape, n_scratch), consts)
        else:
            sub = tuple(None if a is None else a[lo:hi] for a in arrays)
            kernel(sub, _scratch_for(arrays[0].dtype, (hi - lo,), n_scratch), consts)


def _blocks(jobs: Sequence[Job]) -> tuple[list[tuple], int]:
    """Cut every job into (arrays, consts, lo, hi) blocks of at most CHUNK elements."""
    items: list[tuple] = []
    total = 0
    for arrays, consts in jobs:
        p = arrays[0]
        n = p.size
        total += n
        contiguous = all(a is None or (a.flags.c_contiguous and a.shape == p.shape) for a in arrays)
        if n <= CHUNK or not contiguous:
            items.append((arrays, consts, None, None))
            continue
        flat = tuple(None if a is None else a.reshape(-1) for a in arrays)
        for lo in range(0, n, CHUNK):
            items.append((flat, consts, lo, min(lo + CHUNK, n)))
    return items, total


def run_kernel(kernel: Kernel, n_scratch: int, jobs: Sequence[Job], foreach: bool | None = None) -> None:
    """Apply ``kernel`` to every job: the per-parameter loop (``foreach=False``) or the blocked, threaded path."""
    if not jobs:
        return
    if foreach is False:
        for arrays, consts in jobs:
            p = arrays[0]
            kernel(arrays, _scratch_for(p.dtype, p.shape, n_scratch), consts)
        return
    items, total = _blocks(jobs)
    threads = min(_num_threads, len(items))
    if threads <= 1 or total < THREAD_MIN:
        _run_items(kernel, n_scratch, items)
        return
    # the threads pull blocks from one shared iterator (next() on a list iterator is atomic under the
    # GIL), so a thread slowed down by a busy core simply takes fewer blocks
    shared = iter(items)
    pool = _get_pool()
    futures = [pool.submit(_run_items, kernel, n_scratch, shared) for _ in range(threads - 1)]
    try:
        _run_items(kernel, n_scratch, shared)
    finally:
        for f in futures:
            f.result()


# --------------------------------------------------------------------------- kernel building blocks
def effective_grad(g: np.ndarray, p: np.ndarray, tmp: np.ndarray, weight_decay: float, maximize: bool) -> np.ndarray:
    """``±g + weight_decay * p`` (torch: ``grad = -grad`` if maximize, then ``grad.add(param, alpha=wd)``).

    Returns ``g`` itself when there is nothing to add, else ``tmp`` holding the result.
    """
    if weight_decay != 0:
        np.multiply(p, weight_decay, out=tmp)
        if maximize:
            np.subtract(tmp, g, out=tmp)
        else:
            np.add(tmp, g, out=tmp)
        return tmp
    if maximize:
        np.negative(g, out=tmp)
        return tmp
    return g


def lerp_(start: np.ndarray, end: np.ndarray, weight: float, tmp: np.ndarray) -> None:
    """``start.lerp_(end, weight)`` with torch's formula (``start + w (end - start)`` for ``|w| < 0.5``)."""
    np.subtract(end, start, out=tmp)
    if abs(weight) < 0.5:
        np.multiply(tmp, weight, out=tmp)
        np.add(start, tmp, out=start)
    else:
        np.multiply(tmp, 1 - weight, out=tmp)
        np.subtract(end, tmp, out=start)


def decay_add_square_(avg: np.ndarray, g: np.ndarray, decay: float, value: float, tmp: np.ndarray) -> None:
    """``avg.mul_(decay).addcmul_(g, g, value=value)``: ``avg = decay * avg + (value * g) * g``."""
    np.multiply(avg, decay, out=avg)
    np.multiply(g, value, out=tmp)
    np.multiply(tmp, g, out=tmp)
    np.add(avg, tmp, out=avg)


def addcdiv_(x: np.ndarray, num: np.ndarray, den: np.ndarray, value: float, tmp: np.ndarray) -> None:
    """``x.addcdiv_(num, den, value=value)``: ``x += (value * num) / den``. ``tmp`` must not be ``den``."""
    if value == 1:
        np.divide(num, den, out=tmp)
    else:
        np.multiply(num, value, out=tmp)
        np.divide(tmp, den, out=tmp)
    np.add(x, tmp, out=x)


def add_scaled_(x: np.ndarray, y: np.ndarray, alpha: float, tmp: np.ndarray) -> None:
    """``x.add_(y, alpha=alpha)``: ``x += alpha * y`` (no multiply when ``alpha == 1``)."""
    if alpha == 1:
        np.add(x, y, out=x)
    elif alpha == -1:
        np.subtract(x, y, out=x)
    else:
        np.multiply(y, alpha, out=tmp)
        np.add(x, tmp, out=x)


def new_state(p: Any, fill: float = 0.0) -> Any:
    """A state tensor shaped and typed like parameter ``p`` filled with ``fill``."""
    return Tensor._make(np.full_like(p.data, fill) if fill != 0 else np.zeros_like(p.data))


def tick(state: dict) -> float:
    """Increment ``state['step']`` (a 0-d tensor, in place like torch's ``step_t += 1``); return it as a float."""
    st = state["step"].data
    np.add(st, 1, out=st)
    return float(st)


def step_tensor(value: float = 0.0) -> Any:
    """A fresh ``state['step']``: a 0-d tensor of torch's scalar dtype."""
    return Tensor._make(np.array(value, dtype=scalar_dtype()))


def hyper_lr(group: dict) -> float:
    """The group's learning rate as a Python number (a 1-element Tensor lr is read out)."""
    return hyper(group["lr"])


def check_lr(lr: Any) -> None:
    """torch's learning-rate check (a Tensor lr must have one element)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_betas(betas: Sequence[Any]) -> None:
    """Both betas in [0, 1), with torch's message."""
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")


def check_nonneg(name: str, value: Any) -> None:
    """torch's check ``if not 0.0 <= value: raise ValueError(f"Invalid {name}: {value}")``."""
    if not 0.0 <= value:
        raise ValueError(f"Invalid {name}: {value}")


class ElementwiseOptimizer(Optimizer):
    """An optimizer whose update is one element-wise kernel per parameter (everything but LBFGS).

    Subclasses define ``_init_state(p, state, group)`` (create the state tensors),
    ``_job(p, g, state, group) -> (arrays, consts)`` (advance the step counter and compute the
    per-parameter scalars; ``p``/``g`` are the NumPy arrays) and the static ``_kernel``.
    """

    n_scratch = 2

    def _init_state(self, p: Any, state: dict, group: dict) -> None:
        raise NotImplementedError

    def _job(self, p: np.ndarray, g: np.ndarray, state: dict, group: dict) -> Job:
        raise NotImplementedError

    @staticmethod
    def _kernel(arrays: tuple, scratch: tuple, consts: tuple) -> None:
        raise NotImplementedError

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step (parameters whose ``grad`` is None are skipped)."""
        loss = self._eval_closure(closure)
        with no_grad():
            for group in self.param_groups:
                jobs = []
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    state = self.state[p]
                    if len(state) == 0:
                        self._init_state(p, state, group)
                    jobs.append(self._job(p.data, g.data, state, group))
                    p._bump_version()
                run_kernel(self._kernel, self.n_scratch, jobs, group.get("foreach"))
        return loss
