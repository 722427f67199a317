"""Worker-thread side of the DataLoader: worker info, per-worker seeding, error wrapping, the loop."""
from __future__ import annotations

import queue
import sys
import threading
import traceback
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ._tensors import set_thread_rng

#: seconds a worker waits on its index queue before re-checking the shutdown flag
POLL_INTERVAL = 0.1

_local = threading.local()


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: its ``id``, ``num_workers``, ``seed``, ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


def get_worker_info() -> WorkerInfo | None:
    """Information about the current DataLoader worker, or ``None`` in the main thread.

    Typical use: shard an ``IterableDataset`` in its ``__iter__`` by ``info.id`` / ``info.num_workers``.
    """
    return getattr(_local, "info", None)


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints its traceback text readably."""

    def __repr__(self) -> str:
        return self


class ExceptionWrapper:
    """An exception caught in a worker, carried to the main thread with its traceback text."""

    def __init__(self, exc_info: tuple | None = None, where: str = "in background") -> None:
        exc_info = exc_info or sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self) -> None:
        """Raise an exception of the original type whose message holds the worker's traceback."""
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exc = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exc


class IterableEnd:
    """Sent by a worker whose copy of an IterableDataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class ResumeIteration:
    """Tells a persistent worker that a new epoch starts (re-create its dataset iterator)."""


def worker_loop(make_fetcher: Callable[[], Any], dataset: Any, index_queue: "queue.Queue[Any]",
                result_queue: "queue.Queue[Any]", done_event: threading.Event, seed: int,
                init_fn: Callable[[int], None] | None, worker_id: int, num_workers: int) -> None:
    """Body of one worker thread: fetch the batches whose indices arrive on ``index_queue``.

    Tasks are ``(epoch, task_idx, indices)``; results ``(epoch, task_idx, data)`` where ``data``
    is a batch, an ``ExceptionWrapper`` or an ``IterableEnd``. ``None`` on the queue (or the done
    event) stops the thread. The thread holds no reference to the iterator that owns it, so an
    abandoned iterator is garbage-collected and shuts its workers down.
    """
    where = f"in DataLoader worker thread {worker_id}"
    _local.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
    set_thread_rng(np.random.default_rng(seed))
    init_error: ExceptionWrapper | None = None
    fetcher = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = make_fetcher()
    except Exception:
        init_error = ExceptionWrapper(where=where)
    exhausted = False
    while not done_event.is_set():
        try:
            task = index_queue.get(timeout=POLL_INTERVAL)
        except queue.Empty:
            continue
        if task is None:
            break
        if isinstance(task, ResumeIteration):
            exhausted = False
            if init_error is None:
                try:
                    fetcher = make_fetcher()
                except Exception:
                    init_error = ExceptionWrapper(where=where)
            continue
        epoch, task_idx, indices = task
        data: Any
        if init_error is not None:
            data, init_error = init_error, None
        elif exhausted:
            data = IterableEnd(worker_id)
        else:
            try:
                data = fetcher.fetch(indices)  # type: ignore[union-attr]
            except StopIteration:
                exhausted = True
                data = IterableEnd(worker_id)
            except Exception:
                data = ExceptionWrapper(where=where)
        result_queue.put((epoch, task_idx, data))
        del data, indices, task
    set_thread_rng(None)
