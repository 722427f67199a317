"""The multi-worker DataLoader iterator: background threads, prefetching, in-order delivery."""
from __future__ import annotations

import itertools
import queue
import threading
import time
import weakref
from typing import Any

from ._tensors import draw_seed
from ._worker import POLL_INTERVAL, ExceptionWrapper, IterableEnd, ResumeIteration, worker_loop

#: total seconds to wait for the worker threads to finish when the iterator shuts down; a worker
#: still inside a slow ``__getitem__`` after that exits on its own once the call returns (the
#: threads are daemons, so they never hold up interpreter exit)
JOIN_TIMEOUT = 0.5


def _shutdown_workers(done_event: threading.Event, index_queues: list, workers: list) -> None:
    """Signal the worker threads to stop and briefly wait for them (idempotent; also runs at
    interpreter exit via ``weakref.finalize``)."""
    if done_event.is_set() and not any(w.is_alive() for w in workers):
        return
    done_event.set()
    for q in index_queues:
        q.put(None)
    deadline = time.monotonic() + JOIN_TIMEOUT
    for w in workers:
        if w is not threading.current_thread():
            w.join(timeout=max(0.0, deadline - time.monotonic()))


class MultiWorkerIter:
    """Feeds batches of indices round-robin to ``num_workers`` threads and yields their results.

    At most ``prefetch_factor * num_workers`` batches are in flight. Task ``k`` always goes to the
    same worker for a given epoch, and each worker draws randomness from its own generator seeded
    ``base_seed + worker_id`` (``base_seed`` from the loader's generator or the global one), so a
    seeded run gives the same batches whatever the thread timing.
    """

    def __init__(self, loader: Any) -> None:
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._persistent = loader.persistent_workers
        self._iterable = loader._iterable
        self._epoch = 0
        self._base_seed = draw_seed(loader.generator)
        self._done_event = threading.Event()
        self._result_queue: queue.Queue = queue.Queue()
        self._index_queues: list[queue.Queue] = []
        self._workers: list[threading.Thread] = []
        for wid in range(self._num_workers):
            q: queue.Queue = queue.Queue()
            t = threading.Thread(
                target=worker_loop,
                args=(loader._fetcher_factory(), loader.dataset, q, self._result_queue, self._done_event,
                      self._base_seed + wid, loader.worker_init_fn, wid, self._num_workers),
                name=f"npgrad-DataLoader-worker-{wid}",
                daemon=True,
            )
            t.start()
            self._index_queues.append(q)
            self._workers.append(t)
        self._finalizer = weakref.finalize(self, _shutdown_workers, self._done_event, self._index_queues, self._workers)
        self._start_epoch(loader)

    # ------------------------------------------------------------------ epoch bookkeeping
    def _start_epoch(self, loader: Any) -> None:
        self._sampler_iter = iter(loader._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._tasks: dict[int, list] = {}  # task idx -> [worker_id] or [worker_id, data]
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        self._len = len(loader) if (not self._iterable or hasattr(loader.dataset, "__len__")) else None
        for _ in range(max(1, self._prefetch * self._num_workers)):
            self._try_put_index()

    def reset(self, loader: Any) -> None:
        """Start a new epoch on the same (persistent) workers; stale results are discarded."""
        self._epoch += 1
        if self._iterable:
            for q in self._index_queues:
                q.put(ResumeIteration())
        self._start_epoch(loader)

    def _try_put_index(self) -> None:
        try:
            index = next(self._sampler_iter)
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker = next(self._cycle)
            if self._active[worker]:
                break
        else:
            return  # every worker's iterable is exhausted
        self._index_queues[worker].put((self._epoch, self._send_idx, index))
        self._tasks[self._send_idx] = [worker]
        self._send_idx += 1

    # ------------------------------------------------------------------ receiving
    def _get_result(self) -> tuple[int, Any]:
        start = time.monotonic()
        while True:
            wait = POLL_INTERVAL if not self._timeout else min(POLL_INTERVAL, self._timeout)
            try:
                epoch, idx, data = self._result_queue.get(timeout=wait)
            except queue.Empty:
                if self._timeout and time.monotonic() - start >= self._timeout:
                    raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None
                dead = [i for i, w in enumerate(self._workers) if not w.is_alive()]
                if dead:
                    self.shutdown()
                    raise RuntimeError(f"DataLoader worker (thread(s) {dead}) exited unexpectedly") from None
                continue
            if epoch == self._epoch:
                return idx, data

    def _skip_finished(self) -> bool:
        """Advance past tasks that will never produce data; False when nothing is outstanding."""
        while self._rcvd_idx < self._send_idx:
            info = self._tasks.get(self._rcvd_idx)
            if info is not None and (len(info) == 2 or self._active[info[0]]):
                return True
            self._tasks.pop(self._rcvd_idx, None)
            self._rcvd_idx += 1
        return False

    def __iter__(self) -> "MultiWorkerIter":
        return self

    def __next__(self) -> Any:
        while True:
            if not self._skip_finished():
                if not self._persistent:
                    self.shutdown()
                raise StopIteration
            info = self._tasks[self._rcvd_idx]
            if len(info) == 2:  # arrived earlier, out of order
                del self._tasks[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(info[1])
            idx, data = self._get_result()
            if isinstance(data, IterableEnd):
                self._active[data.worker_id] = False
                self._tasks.pop(idx, None)
                self._try_put_index()
                continue
            if idx == self._rcvd_idx or not self._in_order:
                self._tasks.pop(idx, None)
                if idx == self._rcvd_idx:
                    self._rcvd_idx += 1
                return self._process(data)
            self._tasks[idx].append(data)

    def _process(self, data: Any) -> Any:
        self._try_put_index()
        if isinstance(data, ExceptionWrapper):
            data.reraise()
        return data

    def __len__(self) -> int:
        if self._len is None:
            raise TypeError("this DataLoader's IterableDataset has no len()")
        return self._len

    def shutdown(self) -> None:
        """Stop the worker threads now (also done at exhaustion, on garbage collection and at exit)."""
        self._finalizer()

    def __del__(self) -> None:
        finalizer = getattr(self, "_finalizer", None)
        if finalizer is not None:
            finalizer()
