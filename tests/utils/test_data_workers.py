"""DataLoader with num_workers > 0: order, prefetch, errors, shutdown, seeding, persistence."""
from __future__ import annotations

import gc
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import npgrad
from npgrad.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info
from npgrad.utils.data._tensors import current_rng

NPGRAD_PARENT = Path(npgrad.__file__).parent.parent  # the npgrad under test, for subprocesses


def _worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("npgrad-DataLoader-worker")]


def _wait_no_workers(timeout=5.0):
    deadline = time.monotonic() + timeout
    while _worker_threads() and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.02)
    return _worker_threads()


@pytest.fixture(autouse=True)
def _no_leaked_workers():
    yield
    assert _wait_no_workers() == []


class Jittery(Dataset):
    """Sample i is i; fetching sleeps a random (per index) time so workers finish out of order."""

    def __init__(self, n, fail_at=None):
        self.n, self.fail_at = n, fail_at
        self.fetched = []
        self.lock = threading.Lock()

    def __getitem__(self, i):
        time.sleep(((i * 7919) % 5) * 0.002)
        with self.lock:
            self.fetched.append(i)
        if i == self.fail_at:
            raise ValueError(f"bad sample {i}")
        return i

    def __len__(self):
        return self.n


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_order_preserved_and_equal_to_single_thread(workers):
    ds = Jittery(37)
    ours = [b.data.tolist() for b in DataLoader(ds, batch_size=4, num_workers=workers)]
    assert ours == [b.data.tolist() for b in DataLoader(ds, batch_size=4)]
    assert [i for b in ours for i in b] == list(range(37))


def test_shuffled_order_with_workers_matches_main_thread_for_same_seed():
    ds = Jittery(30)
    npgrad.manual_seed(7)
    a = [b.data.tolist() for b in DataLoader(ds, batch_size=5, shuffle=True)]
    npgrad.manual_seed(7)
    b = [x.data.tolist() for x in DataLoader(ds, batch_size=5, shuffle=True, num_workers=2)]
    assert sorted(i for x in a for i in x) == list(range(30))
    assert sorted(i for x in b for i in x) == list(range(30))


def test_worker_exception_reraised_with_traceback():
    loader = DataLoader(Jittery(12, fail_at=5), batch_size=2, num_workers=2)
    it = iter(loader)
    assert next(it).data.tolist() == [0, 1]
    assert next(it).data.tolist() == [2, 3]
    with pytest.raises(ValueError) as err:
        next(it)
    msg = str(err.value)
    assert "Caught ValueError in DataLoader worker thread 0" in msg
    assert "Original Traceback (most recent call last)" in msg
    assert "bad sample 5" in msg and "__getitem__" in msg
    assert next(it).data.tolist() == [6, 7]  # the iterator keeps going, like torch
    del it


def test_worker_keyerror_message_is_readable():
    class Missing(Dataset):
        def __getitem__(self, i):
            return {}["nope"]

        def __len__(self):
            return 2

    with pytest.raises(KeyError) as err:
        list(DataLoader(Missing(), batch_size=1, num_workers=1))
    assert "Original Traceback" in str(err.value) and "\\n" not in str(err.value)


def test_prefetch_is_bounded():
    class Slow(Jittery):
        def __getitem__(self, i):
            with self.lock:
                self.fetched.append(i)
            return i

    ds = Slow(100)
    it = iter(DataLoader(ds, batch_size=1, num_workers=2, prefetch_factor=3))
    next(it)
    time.sleep(0.3)
    assert len(ds.fetched) <= 1 + 2 * 3 + 1
    assert len(ds.fetched) >= 2
    del it


def test_early_break_then_gc_stops_workers():
    ds = Jittery(200)
    for _ in DataLoader(ds, batch_size=2, num_workers=3):
        assert len(_worker_threads()) == 3
        break
    gc.collect()
    assert _wait_no_workers(3.0) == []


def test_workers_stop_after_full_epoch():
    list(DataLoader(Jittery(10), batch_size=3, num_workers=2))
    assert _wait_no_workers(3.0) == []


@pytest.mark.parametrize("mode", ["break", "abandon-slow"])
def test_interpreter_exits_promptly(mode):
    script = textwrap.dedent(
        f"""
        import sys, time
        sys.path.insert(0, {str(NPGRAD_PARENT)!r})
        import npgrad
        from npgrad.utils.data import DataLoader, Dataset

        class D(Dataset):
            def __getitem__(self, i):
                time.sleep(0.3 if {mode!r} == "abandon-slow" else 0.001)
                return i
            def __len__(self):
                return 10000

        loader = DataLoader(D(), batch_size=2, num_workers=2, prefetch_factor=4)
        it = iter(loader)
        next(it)
        if {mode!r} == "break":
            for batch in loader:
                break
        print("done", flush=True)
        """
    )
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "done" in proc.stdout
    assert time.monotonic() - start < 15


def test_worker_info_and_init_fn():
    seen = {}
    lock = threading.Lock()

    class Who(Dataset):
        def __getitem__(self, i):
            info = get_worker_info()
            return info.id, info.num_workers, info.seed

        def __len__(self):
            return 8

    def init(worker_id):
        with lock:
            seen[worker_id] = threading.current_thread().name

    assert get_worker_info() is None
    batches = list(DataLoader(Who(), batch_size=2, num_workers=2, worker_init_fn=init))
    assert sorted(seen) == [0, 1]
    ids = [b[0].data.tolist() for b in batches]
    assert ids == [[0, 0], [1, 1], [0, 0], [1, 1]]  # round-robin assignment, like torch
    seeds = {b[0].data[0].item(): b[2].data[0].item() for b in batches}
    assert seeds[1] == seeds[0] + 1  # base_seed + worker_id


def test_worker_init_fn_error_is_reported():
    def init(worker_id):
        raise RuntimeError(f"init failed in {worker_id}")

    with pytest.raises(RuntimeError, match="init failed in"):
        list(DataLoader(Jittery(4), batch_size=1, num_workers=2, worker_init_fn=init))


class Augmenting(Dataset):
    """Adds per-sample noise drawn from the current (worker) generator."""

    def __getitem__(self, i):
        time.sleep(((i * 31) % 3) * 0.002)
        return np.float64(i) + current_rng().random()

    def __len__(self):
        return 24


def test_augmentation_reproducible_with_workers():
    def run():
        npgrad.manual_seed(42)
        return [b.data.tolist() for b in DataLoader(Augmenting(), batch_size=3, shuffle=True, num_workers=3)]

    a, b = run(), run()
    assert a == b
    npgrad.manual_seed(43)
    c = [x.data.tolist() for x in DataLoader(Augmenting(), batch_size=3, shuffle=True, num_workers=3)]
    assert c != a


class ShardedStream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_dataset_sharded_across_workers():
    out = [i for b in DataLoader(ShardedStream(23), batch_size=4, num_workers=3) for i in b.data.tolist()]
    assert sorted(out) == list(range(23))
    single = [i for b in DataLoader(ShardedStream(23), batch_size=4) for i in b.data.tolist()]
    assert single == list(range(23))


def test_persistent_workers_reuse_threads_across_epochs():
    ds = Jittery(20)
    loader = DataLoader(ds, batch_size=3, num_workers=2, persistent_workers=True)
    first = [b.data.tolist() for b in loader]
    threads = {t.ident for t in _worker_threads()}
    assert len(threads) == 2
    for batch in loader:  # abandon an epoch half way
        if batch.data.tolist()[0] >= 6:
            break
    second = [b.data.tolist() for b in loader]
    assert first == second == [[i for i in range(s, min(s + 3, 20))] for s in range(0, 20, 3)]
    assert {t.ident for t in _worker_threads()} == threads
    loader._iterator.shutdown()


def test_persistent_loader_garbage_collected_stops_workers():
    loader = DataLoader(Jittery(9), batch_size=3, num_workers=2, persistent_workers=True)
    assert len(list(loader)) == 3
    assert len(_worker_threads()) == 2
    del loader
    gc.collect()
    assert _wait_no_workers(3.0) == []


def test_persistent_workers_with_iterable_dataset():
    loader = DataLoader(ShardedStream(10), batch_size=3, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert sorted(i for b in loader for i in b.data.tolist()) == list(range(10))
    loader._iterator.shutdown()


def test_timeout_raises():
    class Stuck(Dataset):
        def __getitem__(self, i):
            time.sleep(1.0)
            return i

        def __len__(self):
            return 2

    it = iter(DataLoader(Stuck(), batch_size=1, num_workers=1, timeout=0.2))
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.2 seconds"):
        next(it)
    it.shutdown()


def test_out_of_order_delivery_returns_everything():
    out = [b.data.tolist() for b in DataLoader(Jittery(30), batch_size=2, num_workers=3, in_order=False)]
    assert sorted(i for b in out for i in b) == list(range(30))


def test_fast_path_with_workers_and_len():
    x = npgrad.from_numpy(np.arange(50, dtype=np.float32).reshape(25, 2))
    y = npgrad.from_numpy(np.arange(25))
    loader = DataLoader(TensorDataset(x, y), batch_size=4, num_workers=2, drop_last=True)
    it = iter(loader)
    assert len(it) == len(loader) == 6
    out = [b[1].data.tolist() for b in it]
    assert out == [list(range(s, s + 4)) for s in range(0, 24, 4)]
