"""Real downloads from an HTTP server on 127.0.0.1 (Range support for resume), checksums, extraction."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import pickle
import socket
import struct
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from npgrad.vision import datasets
from npgrad.vision.datasets import cifar as cifar_mod
from npgrad.vision.datasets import mnist as mnist_mod
from npgrad.vision.datasets import utils as dl_utils


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.files`` (name -> bytes); honours ``Range: bytes=N-``; records requests."""

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):  # noqa: N802 - http.server's naming
        srv = self.server
        name = self.path.rsplit("/", 1)[-1]
        srv.requests.append((name, self.headers.get("Range")))
        body = srv.files.get(name)
        if body is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng and srv.honour_range:
            start = int(rng.split("=")[1].split("-")[0])
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        payload = body[start:]
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if name in srv.cut_after:  # drop the connection part way through
            self.wfile.write(payload[: srv.cut_after.pop(name)])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(payload)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.requests, httpd.cut_after, httpd.honour_range = {}, [], {}, True
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/mirror/"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fast_network(monkeypatch):
    monkeypatch.setattr(dl_utils, "TIMEOUT", 5.0)


def _dead_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now: connection refused
    return f"http://127.0.0.1:{port}/"


def _md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def _idx(arr: np.ndarray) -> bytes:
    return bytes([0, 0, 0x08, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.tobytes()


@pytest.fixture
def mnist_files(server, monkeypatch):
    rng = np.random.default_rng(0)
    files = {}
    for prefix, n in (("train", 30), ("t10k", 10)):
        files[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(_idx(rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(_idx(rng.integers(0, 10, n, dtype=np.uint8)))
    server.files.update(files)
    monkeypatch.setattr(datasets.MNIST, "resources", [(name, _md5(body)) for name, body in files.items()])
    monkeypatch.setattr(mnist_mod, "MNIST_MIRRORS", [_dead_url(), server.url])
    return files


def test_mnist_download_tries_mirrors_in_order(tmp_path, server, mnist_files):
    ds = datasets.MNIST(tmp_path, download=True)
    assert len(ds) == 30 and len(datasets.MNIST(tmp_path, train=False)) == 10
    raw = tmp_path / "MNIST" / "raw"
    for name, body in mnist_files.items():
        assert (raw / name).read_bytes() == body
    assert not list(raw.glob("*.part"))
    assert sorted(n for n, _ in server.requests) == sorted(mnist_files)
    server.requests.clear()
    datasets.MNIST(tmp_path, download=True)  # already there: nothing fetched
    assert server.requests == []


def test_resume_partial_download_with_range(tmp_path, server, mnist_files):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    name = "train-images-idx3-ubyte.gz"
    body = mnist_files[name]
    (raw / (name + ".part")).write_bytes(body[: len(body) // 2])
    datasets.MNIST(tmp_path, download=True)
    assert (raw / name).read_bytes() == body
    assert (name, f"bytes={len(body) // 2}-") in server.requests
    assert not (raw / (name + ".part")).exists()


def test_resume_truncated_file_at_final_path(tmp_path, server, mnist_files):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    name = "t10k-images-idx3-ubyte.gz"
    body = mnist_files[name]
    (raw / name).write_bytes(body[:100])
    path = dl_utils.download_file([server.url], name, raw, _md5(body), progress=False)
    assert Path(path).read_bytes() == body and (name, "bytes=100-") in server.requests


def test_dropped_connection_then_next_mirror_resumes(tmp_path, server, mnist_files, monkeypatch):
    name = "train-labels-idx1-ubyte.gz"
    body = mnist_files[name]
    server.cut_after[name] = 20
    path = dl_utils.download_file([server.url, server.url], name, tmp_path, _md5(body), progress=False)
    assert Path(path).read_bytes() == body
    assert server.requests == [(name, None), (name, "bytes=20-")]


def test_server_ignoring_range_restarts_cleanly(tmp_path, server, mnist_files):
    server.honour_range = False
    name = "t10k-labels-idx1-ubyte.gz"
    body = mnist_files[name]
    (tmp_path / (name + ".part")).write_bytes(b"garbage-prefix")
    path = dl_utils.download_file([server.url], name, tmp_path, _md5(body), progress=False)
    assert Path(path).read_bytes() == body


def test_corrupt_resume_is_retried_from_scratch(tmp_path, server, mnist_files):
    name = "t10k-labels-idx1-ubyte.gz"
    body = mnist_files[name]
    (tmp_path / (name + ".part")).write_bytes(b"\x00" * 10)  # wrong prefix: resumed file fails md5
    path = dl_utils.download_file([server.url], name, tmp_path, _md5(body), progress=False)
    assert Path(path).read_bytes() == body
    assert server.requests == [(name, "bytes=10-"), (name, None)]


def test_checksum_mismatch_error_leaves_nothing(tmp_path, server, mnist_files, monkeypatch):
    server.files["train-images-idx3-ubyte.gz"] = b"corrupted on the server"
    with pytest.raises(datasets.ChecksumError) as err:
        datasets.MNIST(tmp_path, download=True)
    assert isinstance(err.value, RuntimeError)
    msg = str(err.value)
    raw = tmp_path / "MNIST" / "raw"
    assert "train-images-idx3-ubyte.gz" in msg and str(raw) in msg and "offline" in msg
    assert not (raw / "train-images-idx3-ubyte.gz").exists()
    assert not list(raw.glob("*.part"))


def test_unreachable_mirrors_error(tmp_path, monkeypatch):
    monkeypatch.setattr(mnist_mod, "MNIST_MIRRORS", [_dead_url(), _dead_url()])
    with pytest.raises(datasets.DownloadError) as err:
        datasets.MNIST(tmp_path, download=True)
    msg = str(err.value)
    assert isinstance(err.value, RuntimeError) and "Could not download train-images-idx3-ubyte.gz" in msg
    assert str(tmp_path / "MNIST" / "raw") in msg and "f68b3c2dcbeaaa9fbdd348bbdeb94873" in msg
    assert msg.count("127.0.0.1") >= 2


def test_missing_file_on_server_404(tmp_path, server):
    with pytest.raises(datasets.DownloadError, match="404"):
        dl_utils.download_file([server.url], "nope.bin", tmp_path, None, progress=False)


def _cifar_tarball() -> tuple[bytes, np.ndarray]:
    rng = np.random.default_rng(5)
    buf = io.BytesIO()
    images = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        def add(name: str, obj: dict) -> None:
            data = pickle.dumps({k.encode(): v for k, v in obj.items()}, protocol=2)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            add(name, {"data": images, "labels": [1, 2], "batch_label": name})
        add("batches.meta", {"label_names": [f"c{i}" for i in range(10)]})
    return buf.getvalue(), images


def test_cifar10_download_and_extract(tmp_path, server, monkeypatch):
    tarball, images = _cifar_tarball()
    server.files["cifar-10-python.tar.gz"] = tarball
    monkeypatch.setattr(datasets.CIFAR10, "tgz_md5", _md5(tarball))
    monkeypatch.setattr(cifar_mod, "CIFAR10_MIRRORS", [server.url])
    ds = datasets.CIFAR10(tmp_path, download=True)
    assert len(ds) == 10 and ds.targets[:2] == [1, 2] and ds.classes[3] == "c3"
    assert ds.data[0, 0, 0].tolist() == [images[0, 0], images[0, 1024], images[0, 2048]]
    assert (tmp_path / "cifar-10-python.tar.gz").read_bytes() == tarball
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".extract-")]
    server.requests.clear()
    datasets.CIFAR10(tmp_path, train=False, download=True)  # present: nothing fetched
    assert server.requests == []


def test_cifar10_official_md5_rejects_other_tarball(tmp_path, server, monkeypatch):
    server.files["cifar-10-python.tar.gz"] = _cifar_tarball()[0]
    monkeypatch.setattr(cifar_mod, "CIFAR10_MIRRORS", [server.url])
    with pytest.raises(datasets.ChecksumError, match="c58f30108f718f92721af3b95e74349a"):
        datasets.CIFAR10(tmp_path, download=True)
    assert not (tmp_path / "cifar-10-python.tar.gz").exists()


def _tar_with(member: tarfile.TarInfo, data: bytes = b"x") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        member.size = len(data) if member.isfile() else 0
        tar.addfile(member, io.BytesIO(data) if member.isfile() else None)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink"])
def test_extraction_refuses_unsafe_members(tmp_path, kind):
    target = tmp_path / "root"
    target.mkdir()
    if kind == "dotdot":
        member = tarfile.TarInfo("cifar-10-batches-py/../../evil.txt")
    elif kind == "absolute":
        member = tarfile.TarInfo(str(tmp_path / "evil.txt"))
    else:
        member = tarfile.TarInfo("cifar-10-batches-py/link")
        member.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
        member.linkname = "/etc/passwd"
    archive = tmp_path / "bad.tar"
    archive.write_bytes(_tar_with(member))
    with pytest.raises(datasets.UnsafeArchiveError):
        dl_utils.extract_archive(archive, target)
    assert not (tmp_path / "evil.txt").exists()
    assert [p.name for p in target.iterdir()] == []


def test_check_integrity_and_md5(tmp_path):
    p = tmp_path / "f.bin"
    p.write_bytes(b"hello")
    assert dl_utils.calculate_md5(p) == "5d41402abc4b2a76b9719d911017c592"
    assert dl_utils.check_integrity(p, "5d41402abc4b2a76b9719d911017c592")
    assert not dl_utils.check_integrity(p, "0" * 32) and not dl_utils.check_integrity(tmp_path / "none")
    assert dl_utils.check_integrity(p)
