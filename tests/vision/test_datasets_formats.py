"""Vision datasets on tiny files written here in the official formats (IDX, CIFAR bin / pickles)."""
from __future__ import annotations

import gzip
import os
import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import npgrad
from npgrad.utils.data import DataLoader
from npgrad.vision import datasets
from npgrad.vision import transforms as T
from npgrad.vision.datasets._pickle import RestrictedUnpickler, load_pickle
from npgrad.vision.datasets.mnist import parse_idx, read_idx

IDX_CODES = {np.dtype(np.uint8): 0x08, np.dtype(np.int8): 0x09, np.dtype(">i2"): 0x0B, np.dtype(">i4"): 0x0C,
             np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}


def idx_bytes(arr: np.ndarray) -> bytes:
    big = arr.astype(arr.dtype.newbyteorder(">")) if arr.dtype.itemsize > 1 else arr
    header = bytes([0, 0, IDX_CODES[big.dtype], arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + big.tobytes()


def write_idx(path: Path, arr: np.ndarray, gz: bool = True) -> None:
    data = idx_bytes(arr)
    path.write_bytes(gzip.compress(data) if gz else data)


def make_mnist(root: Path, name: str = "MNIST", n_train: int = 12, n_test: int = 5, gz: bool = True, seed: int = 0):
    rng = np.random.default_rng(seed)
    raw = root / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    out = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        suffix = ".gz" if gz else ""
        write_idx(raw / f"{prefix}-images-idx3-ubyte{suffix}", images, gz)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte{suffix}", labels, gz)
        out[prefix] = (images, labels)
    return out


def cifar_images(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def cifar_rows(images: np.ndarray) -> np.ndarray:
    """N×32×32×3 → N×3072 rows (R plane, G plane, B plane), the official layout."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1)


def write_cifar10_bin(root: Path, per_file: int = 4, seed: int = 1):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-bin"
    folder.mkdir(parents=True, exist_ok=True)
    train_imgs, train_lbls = [], []
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        imgs = cifar_images(per_file, rng)
        lbls = rng.integers(0, 10, per_file, dtype=np.uint8)
        records = np.concatenate([lbls[:, None], cifar_rows(imgs)], axis=1)
        (folder / name).write_bytes(records.tobytes())
        if name.startswith("data"):
            train_imgs.append(imgs)
            train_lbls.append(lbls)
        else:
            test = (imgs, lbls)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    (folder / "batches.meta.txt").write_text("\n".join(names) + "\n\n")
    return (np.concatenate(train_imgs), np.concatenate(train_lbls)), test, names


def _pickle_dump(path: Path, obj: dict, bytes_keys: bool) -> None:
    if bytes_keys:  # what a Python 2 pickle looks like after a 'bytes' load: b'data', b'labels', ...
        obj = {k.encode("latin1"): v for k, v in obj.items()}
    path.write_bytes(pickle.dumps(obj, protocol=2))


def write_cifar10_python(root: Path, per_file: int = 3, seed: int = 2, bytes_keys: bool = True):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    train_imgs, train_lbls = [], []
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        imgs = cifar_images(per_file, rng)
        lbls = [int(v) for v in rng.integers(0, 10, per_file)]
        _pickle_dump(folder / name, {"batch_label": name, "labels": lbls, "data": cifar_rows(imgs),
                                     "filenames": [f"img{i}.png" for i in range(per_file)]}, bytes_keys)
        if name.startswith("data"):
            train_imgs.append(imgs)
            train_lbls += lbls
        else:
            test = (imgs, lbls)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    _pickle_dump(folder / "batches.meta", {"label_names": names, "num_cases_per_batch": per_file, "num_vis": 3072},
                 bytes_keys)
    return (np.concatenate(train_imgs), train_lbls), test, names


def write_cifar100_python(root: Path, n: int = 6, seed: int = 3):
    rng = np.random.default_rng(seed)
    folder = root / "cifar-100-python"
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in ("train", "test"):
        imgs = cifar_images(n, rng)
        fine = [int(v) for v in rng.integers(0, 100, n)]
        coarse = [f // 5 for f in fine]
        _pickle_dump(folder / name, {"filenames": ["x"] * n, "fine_labels": fine, "coarse_labels": coarse,
                                     "data": cifar_rows(imgs)}, bytes_keys=True)
        out[name] = (imgs, fine)
    names = [f"class_{i:03d}" for i in range(100)]
    _pickle_dump(folder / "meta", {"fine_label_names": names, "coarse_label_names": [f"c{i}" for i in range(20)]},
                 bytes_keys=True)
    return out, names


# ----------------------------------------------------------------------------- IDX / MNIST
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.dtype(">i2"), np.dtype(">i4"), np.dtype(">f4"), np.dtype(">f8")])
def test_parse_idx_all_types(dtype):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(np.dtype(dtype).newbyteorder("="))
    if np.dtype(dtype) == np.uint8:
        arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    out = parse_idx(idx_bytes(arr))
    assert out.shape == (2, 3, 4) and np.array_equal(out, arr) and out.dtype.isnative


def test_parse_idx_rejects_bad_files():
    with pytest.raises(RuntimeError, match="bad magic"):
        parse_idx(b"\x01\x00\x08\x01\x00\x00\x00\x01\x00")
    good = idx_bytes(np.zeros((3, 2), np.uint8))
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        parse_idx(good[:-1])


@pytest.mark.parametrize("gz", [True, False])
def test_mnist_from_idx_files(tmp_path, gz):
    src = make_mnist(tmp_path, gz=gz)
    train = datasets.MNIST(tmp_path, train=True)
    test = datasets.MNIST(str(tmp_path), train=False)
    images, labels = src["train"]
    assert isinstance(train.data, npgrad.Tensor) and train.data.dtype == npgrad.uint8
    assert tuple(train.data.shape) == (12, 28, 28) and np.array_equal(train.data.data, images)
    assert train.targets.dtype == npgrad.int64 and train.targets.data.tolist() == labels.tolist()
    assert len(train) == 12 and len(test) == 5
    img, target = train[3]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    assert np.array_equal(np.asarray(img), images[3]) and target == int(labels[3]) and type(target) is int
    assert train.classes[0] == "0 - zero" and train.class_to_idx["9 - nine"] == 9
    assert "Split: Train" in repr(train) and "Split: Test" in repr(test)
    assert train.raw_folder == os.path.join(str(tmp_path), "MNIST", "raw")


def test_mnist_prefers_uncompressed_and_reads_gz_by_content(tmp_path):
    make_mnist(tmp_path, gz=True, seed=0)
    other = make_mnist(tmp_path, gz=False, seed=9)  # uncompressed files beside the .gz ones
    assert np.array_equal(datasets.MNIST(tmp_path).data.data, other["train"][0])
    arr = np.arange(10, dtype=np.uint8)
    p = tmp_path / "plain-labels"
    write_idx(p, arr, gz=True)  # gzip content without the .gz name
    assert np.array_equal(read_idx(p), arr)


def test_fashion_mnist_folder_and_classes(tmp_path):
    make_mnist(tmp_path, name="FashionMNIST")
    ds = datasets.FashionMNIST(tmp_path, train=False)
    assert len(ds) == 5 and ds.classes[9] == "Ankle boot"
    with pytest.raises(RuntimeError):
        datasets.MNIST(tmp_path)  # FashionMNIST files are not MNIST's


def test_mnist_not_found_message(tmp_path):
    with pytest.raises(RuntimeError) as err:
        datasets.MNIST(tmp_path)
    msg = str(err.value)
    assert msg.startswith("Dataset not found. You can use download=True to download it")
    assert os.path.join(str(tmp_path), "MNIST", "raw") in msg
    assert "train-images-idx3-ubyte.gz" in msg and "f68b3c2dcbeaaa9fbdd348bbdeb94873" in msg
    assert isinstance(err.value, datasets.DatasetNotFoundError)


def test_mnist_corrupt_file(tmp_path):
    make_mnist(tmp_path, gz=False)
    p = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    p.write_bytes(p.read_bytes()[:-10])
    with pytest.raises(RuntimeError, match="truncated or corrupt"):
        datasets.MNIST(tmp_path)


def test_root_defaults_to_env(tmp_path, monkeypatch):
    make_mnist(tmp_path)
    monkeypatch.setenv("NPGRAD_DATA", str(tmp_path))
    assert datasets.default_root() == str(tmp_path)
    assert len(datasets.MNIST()) == 12
    monkeypatch.delenv("NPGRAD_DATA")
    assert datasets.default_root() == os.path.join(os.path.expanduser("~"), ".cache", "npgrad")


def test_mnist_transforms_and_batched_fast_path(tmp_path):
    src = make_mnist(tmp_path)
    tf = T.Compose([T.ToTensor(), T.Normalize((0.1307,), (0.3081,))])
    ds = datasets.MNIST(tmp_path, transform=tf, target_transform=lambda t: t + 100)
    assert ds.collated_getitems
    x, y = ds.__getitems__([4, 1, 7])
    assert tuple(x.shape) == (3, 1, 28, 28) and x.dtype == npgrad.float32
    assert y.data.tolist() == [int(src["train"][1][i]) + 100 for i in (4, 1, 7)]
    for k, i in enumerate((4, 1, 7)):
        img, target = ds[i]
        assert np.array_equal(img.data, x.data[k])  # batched path == per-sample path, bit for bit
        assert target == y.data[k]
    batches = list(DataLoader(ds, batch_size=5))
    assert [tuple(b[0].shape) for b in batches] == [(5, 1, 28, 28), (5, 1, 28, 28), (2, 1, 28, 28)]


def test_mnist_without_batchable_transform_falls_back(tmp_path):
    make_mnist(tmp_path)
    ds = datasets.MNIST(tmp_path, transform=T.Compose([T.Lambda(lambda im: im), T.ToTensor()]))
    assert not ds.collated_getitems
    samples = ds.__getitems__([0, 1])
    assert isinstance(samples, list) and len(samples) == 2 and samples[0][1] == ds[0][1]
    x, y = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(x.shape) == (4, 1, 28, 28)


def test_batch_transform_only(tmp_path):
    make_mnist(tmp_path)
    ds = datasets.MNIST(tmp_path, batch_transform=T.batch.Compose([T.batch.ToTensor()]))
    img, _ = ds[2]
    assert tuple(img.shape) == (1, 28, 28) and np.allclose(img.data[0] * 255, ds.data.data[2])
    assert tuple(ds[-1][0].shape) == (1, 28, 28)
    as_transform = datasets.MNIST(tmp_path, transform=T.batch.ToTensor())  # a batched transform given as transform
    assert as_transform.collated_getitems and np.array_equal(as_transform[2][0].data, img.data)
    assert tuple(as_transform.__getitems__([0, 1])[0].shape) == (2, 1, 28, 28)


# ----------------------------------------------------------------------------- CIFAR
def test_cifar10_binary_layout(tmp_path):
    (imgs, lbls), (test_imgs, test_lbls), names = write_cifar10_bin(tmp_path)
    ds = datasets.CIFAR10(tmp_path, train=True)
    assert isinstance(ds.data, np.ndarray) and ds.data.shape == (20, 32, 32, 3) and ds.data.dtype == np.uint8
    assert np.array_equal(ds.data, imgs) and ds.targets == lbls.tolist()
    assert all(type(t) is int for t in ds.targets)
    assert ds.classes == names and ds.class_to_idx["truck"] == 9
    img, target = ds[7]
    assert img.mode == "RGB" and np.array_equal(np.asarray(img), imgs[7]) and target == int(lbls[7])
    test = datasets.CIFAR10(tmp_path, train=False)
    assert np.array_equal(test.data, test_imgs) and test.targets == test_lbls.tolist()


def test_cifar10_channel_planes_decoded_correctly(tmp_path):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    rec = np.zeros(3073, np.uint8)
    rec[0] = 3
    rec[1 : 1 + 1024] = 10  # R plane
    rec[1 + 1024 : 1 + 2048] = 20  # G plane
    rec[1 + 2048 :] = 30  # B plane
    rec[1 + 5 * 32 + 7] = 99  # R at row 5, column 7
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        (folder / name).write_bytes(rec.tobytes())
    (folder / "batches.meta.txt").write_text("\n".join(str(i) for i in range(10)))
    ds = datasets.CIFAR10(tmp_path, train=False)
    assert ds.data[0, 0, 0].tolist() == [10, 20, 30] and ds.data[0, 5, 7].tolist() == [99, 20, 30]
    assert ds.targets == [3]


def test_cifar10_bad_binary_size(tmp_path):
    write_cifar10_bin(tmp_path)
    p = tmp_path / "cifar-10-batches-bin" / "test_batch.bin"
    p.write_bytes(p.read_bytes()[:-1])
    with pytest.raises(RuntimeError, match="not a multiple"):
        datasets.CIFAR10(tmp_path, train=False)


@pytest.mark.parametrize("bytes_keys", [True, False])
def test_cifar10_python_pickles(tmp_path, bytes_keys):
    (imgs, lbls), (test_imgs, test_lbls), names = write_cifar10_python(tmp_path, bytes_keys=bytes_keys)
    ds = datasets.CIFAR10(tmp_path)
    assert ds.data.shape == (15, 32, 32, 3) and np.array_equal(ds.data, imgs) and ds.targets == lbls
    assert ds.classes == names
    test = datasets.CIFAR10(tmp_path, train=False)
    assert np.array_equal(test.data, test_imgs) and test.targets == test_lbls


def test_cifar10_prefers_python_when_both_present(tmp_path):
    write_cifar10_bin(tmp_path)
    (imgs, _), _, _ = write_cifar10_python(tmp_path)
    assert np.array_equal(datasets.CIFAR10(tmp_path).data, imgs)


def test_cifar100_python_and_binary(tmp_path):
    out, names = write_cifar100_python(tmp_path / "py")
    ds = datasets.CIFAR100(tmp_path / "py")
    assert np.array_equal(ds.data, out["train"][0]) and ds.targets == out["train"][1]
    assert ds.classes == names and len(ds.classes) == 100 and ds.class_to_idx["class_042"] == 42
    binf = tmp_path / "bin" / "cifar-100-binary"
    binf.mkdir(parents=True)
    rng = np.random.default_rng(0)
    imgs = cifar_images(4, rng)
    fine = np.array([5, 99, 0, 42], np.uint8)
    rec = np.concatenate([(fine // 5)[:, None], fine[:, None], cifar_rows(imgs)], axis=1)
    (binf / "train.bin").write_bytes(rec.tobytes())
    (binf / "test.bin").write_bytes(rec[:1].tobytes())
    (binf / "fine_label_names.txt").write_text("\n".join(names))
    ds = datasets.CIFAR100(tmp_path / "bin")
    assert np.array_equal(ds.data, imgs) and ds.targets == fine.tolist() and ds.classes == names


def test_cifar_not_found_message(tmp_path):
    with pytest.raises(RuntimeError) as err:
        datasets.CIFAR10(tmp_path)
    msg = str(err.value)
    assert msg.startswith("Dataset not found. You can use download=True to download it")
    assert "cifar-10-python.tar.gz" in msg and "c58f30108f718f92721af3b95e74349a" in msg
    assert "cifar-10-batches-bin" in msg and "data_batch_1.bin" in msg


def test_cifar_batched_augmentation_path(tmp_path):
    (imgs, lbls), _, _ = write_cifar10_bin(tmp_path)
    tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), T.ToTensor(),
                    T.Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])
    ds = datasets.CIFAR10(tmp_path, transform=tf)
    assert ds.collated_getitems
    x, y = next(iter(DataLoader(ds, batch_size=8, shuffle=True)))
    assert tuple(x.shape) == (8, 3, 32, 32) and x.dtype == npgrad.float32 and y.dtype == npgrad.int64
    assert float(x.data.min()) >= -2.0 and float(x.data.max()) <= 2.0
    det = T.Compose([T.CenterCrop(28), T.ToTensor(), T.Normalize((0.5, 0.4, 0.3), (0.2, 0.25, 0.3))])
    ds2 = datasets.CIFAR10(tmp_path, transform=det)
    xb, yb = ds2.__getitems__([3, 0])
    assert np.array_equal(xb.data[0], ds2[3][0].data) and np.array_equal(xb.data[1], ds2[0][0].data)
    assert yb.data.tolist() == [int(lbls[3]), int(lbls[0])]


# ----------------------------------------------------------------------------- restricted pickle
class _Evil:
    def __reduce__(self):
        return (os.system, ("touch SHOULD_NOT_EXIST",))


def test_restricted_unpickler_refuses_code(tmp_path):
    marker = tmp_path / "SHOULD_NOT_EXIST"
    payload = pickle.dumps({"data": _Evil()}, protocol=2)
    path = tmp_path / "data_batch_1"
    path.write_bytes(payload)
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        with pytest.raises(pickle.UnpicklingError, match="refusing"):
            load_pickle(str(path))
    finally:
        os.chdir(cwd)
    assert not marker.exists()


def test_restricted_unpickler_refuses_object_arrays_and_allows_numeric(tmp_path):
    import io

    obj_arr = np.array([1, "x"], dtype=object)
    with pytest.raises(pickle.UnpicklingError):
        RestrictedUnpickler(io.BytesIO(pickle.dumps(obj_arr, protocol=2))).load()
    for proto in (2, 4, 5):
        arr = np.arange(12, dtype=np.uint8).reshape(3, 4)
        out = RestrictedUnpickler(io.BytesIO(pickle.dumps({"data": arr}, protocol=proto))).load()
        assert np.array_equal(out["data"], arr)


# ----------------------------------------------------------------------------- ImageFolder
def _write_image(path: Path, color, mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, (5, 4), color).save(path)


def test_image_folder(tmp_path):
    _write_image(tmp_path / "cat" / "b.png", (255, 0, 0))
    _write_image(tmp_path / "cat" / "a.JPG", (0, 255, 0))
    _write_image(tmp_path / "dog" / "nested" / "c.png", 128, mode="L")
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    ds = datasets.ImageFolder(tmp_path)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples] == [
        os.path.join("cat", "a.JPG"), os.path.join("cat", "b.png"), os.path.join("dog", "nested", "c.png")]
    assert ds.targets == [0, 0, 1] and ds.imgs == ds.samples and len(ds) == 3
    img, target = ds[1]
    assert img.mode == "RGB" and img.getpixel((0, 0)) == (255, 0, 0) and target == 0
    gray, _ = ds[2]
    assert gray.mode == "RGB" and gray.getpixel((0, 0)) == (128, 128, 128)
    ds2 = datasets.ImageFolder(tmp_path, transform=T.ToTensor(), is_valid_file=lambda p: p.endswith(".png"))
    assert len(ds2) == 2 and tuple(ds2[0][0].shape) == (3, 4, 5)
    x, y = next(iter(DataLoader(ds2, batch_size=2)))
    assert tuple(x.shape) == (2, 3, 4, 5) and y.data.tolist() == [0, 1]


def test_image_folder_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path)
    (tmp_path / "empty").mkdir()
    _write_image(tmp_path / "full" / "x.png", (1, 2, 3))
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 1
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(tmp_path, loader=lambda p: p)
