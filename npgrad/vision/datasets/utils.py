"""Dataset files: default root, md5, resumable atomic downloads from mirror lists, safe extraction.

Downloads go to ``<final>.part`` and are resumed with an HTTP ``Range`` request when a partial
file is there; the file is fsync'ed, its md5 checked, and only then ``os.replace``'d to its final
name, so a corrupt or truncated file never sits at the final path.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterable, Sequence

#: seconds before an HTTP connection / read is given up
TIMEOUT = 30.0
#: bytes per read while downloading
CHUNK_SIZE = 1 << 16
USER_AGENT = "npgrad-datasets"


class DatasetNotFoundError(RuntimeError):
    """The dataset files are not under ``root`` (and ``download=False``)."""


class DownloadError(RuntimeError):
    """No mirror could deliver a file; the message says where to place it for offline use."""


class ChecksumError(DownloadError):
    """A downloaded file's md5 does not match the official one."""


class UnsafeArchiveError(RuntimeError):
    """An archive member would be written outside the target folder (or is a link / device)."""


def default_root() -> str:
    """``$NPGRAD_DATA`` if set, else ``~/.cache/npgrad``."""
    env = os.environ.get("NPGRAD_DATA")
    return env if env else os.path.join(os.path.expanduser("~"), ".cache", "npgrad")


def resolve_root(root: str | os.PathLike | None) -> Any:
    """The dataset root: ``default_root()`` when None, user-expanded otherwise (type kept)."""
    if root is None:
        return default_root()
    if isinstance(root, Path):
        return root.expanduser()
    return os.path.expanduser(os.fspath(root))


def calculate_md5(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    """Hex md5 of a file."""
    md5 = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(path: str | os.PathLike, md5: str) -> bool:
    """Whether the file at ``path`` has the md5 hex digest ``md5``."""
    return calculate_md5(path) == md5


def check_integrity(path: str | os.PathLike, md5: str | None = None) -> bool:
    """The file exists and (when ``md5`` is given) has that md5."""
    if not os.path.isfile(path):
        return False
    return md5 is None or check_md5(path, md5)


def _fsync_dir(folder: str) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fetch(url: str, part: str, progress: bool, desc: str) -> None:
    """Download ``url`` into ``part``, appending to what is already there (HTTP Range)."""
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    headers = {"User-Agent": USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # nothing left to fetch: the partial file is complete
            return
        raise
    with response:
        status = getattr(response, "status", 200)
        if offset and status != 206:  # the server ignored the Range header: start over
            offset = 0
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length is not None else None
        from tqdm.auto import tqdm

        with open(part, "ab" if offset else "wb") as f, tqdm(
            total=total, initial=offset, unit="B", unit_scale=True, unit_divisor=1024, desc=desc,
            disable=not progress, leave=False,
        ) as bar:
            while True:
                chunk = response.read(CHUNK_SIZE)
                if not chunk:
                    break
                f.write(chunk)
                bar.update(len(chunk))
            f.flush()
            os.fsync(f.fileno())
        if total is not None and os.path.getsize(part) < total:
            raise DownloadError(f"connection closed after {os.path.getsize(part)} of {total} bytes of {url}")


def download_file(mirrors: Sequence[str], filename: str, folder: str | os.PathLike, md5: str | None,
                  offline_hint: str = "", progress: bool = True) -> str:
    """Fetch ``filename`` into ``folder`` from the first mirror that delivers it with the right md5.

    ``mirrors`` are base URLs (``filename`` is appended) tried in order. Returns the final path.
    A file already there with the right md5 is kept. A partial ``.part`` file (or a truncated
    file at the final path) is resumed; if the resumed file fails the checksum it is fetched
    once more from scratch. Raises ``ChecksumError`` / ``DownloadError`` (``RuntimeError``
    subclasses) naming the file, the folder and ``offline_hint``.
    """
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    final = os.path.join(folder, filename)
    part = final + ".part"
    if os.path.isfile(final):
        if md5 is None or check_md5(final, md5):
            return final
        if not os.path.exists(part):  # a truncated copy: resume from it instead of starting over
            os.replace(final, part)
    errors: list[str] = []
    checksum_failures: list[str] = []
    for base in mirrors:
        url = base if base.endswith(filename) else base.rstrip("/") + "/" + filename
        for attempt in range(2):  # second attempt: from scratch, after a failed resume
            resumed = os.path.exists(part) and os.path.getsize(part) > 0
            try:
                _fetch(url, part, progress, filename)
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError, DownloadError) as exc:
                errors.append(f"{url}: {exc}")
                break
            got = calculate_md5(part) if md5 is not None else None
            if md5 is None or got == md5:
                os.replace(part, final)
                _fsync_dir(folder)
                return final
            os.remove(part)
            if not resumed:
                checksum_failures.append(f"{url}: md5 {got}, expected {md5}")
                break
    hint = f" {offline_hint}" if offline_hint else ""
    where = f"For offline use, download {filename} yourself and place it at {final}."
    if checksum_failures:
        raise ChecksumError(
            f"Checksum mismatch for {filename}: " + "; ".join(checksum_failures)
            + f". The corrupt download was deleted. {where}{hint}"
        )
    raise DownloadError(
        f"Could not download {filename} from any mirror (" + "; ".join(errors or ["no mirrors configured"])
        + f"). {where}{hint}"
    )


def _safe_members(tar: tarfile.TarFile, dest: str) -> Iterable[tarfile.TarInfo]:
    dest_abs = os.path.realpath(dest)
    for member in tar.getmembers():
        name = member.name
        if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in Path(name).parts:
            raise UnsafeArchiveError(f"refusing to extract {name!r}: path outside the target folder")
        target = os.path.realpath(os.path.join(dest_abs, name))
        if os.path.commonpath([dest_abs, target]) != dest_abs:
            raise UnsafeArchiveError(f"refusing to extract {name!r}: path outside the target folder")
        if not (member.isfile() or member.isdir()):
            raise UnsafeArchiveError(f"refusing to extract {name!r}: only regular files and folders are allowed")
        yield member


def extract_archive(from_path: str | os.PathLike, to_path: str | os.PathLike) -> list[str]:
    """Safely extract a tar(.gz) archive into ``to_path``; returns the extracted top-level names.

    Every member is checked first (no absolute paths, no ``..``, no links or devices). The
    archive is unpacked into a temporary folder inside ``to_path`` and each file then moved to
    its place, so an interrupted extraction leaves no half-written files behind.
    """
    to_path = os.fspath(to_path)
    os.makedirs(to_path, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=to_path)
    try:
        with tarfile.open(from_path, "r:*") as tar:
            members = list(_safe_members(tar, tmp))
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - Python without extraction filters
                tar.extractall(tmp, members=members)
        tops = sorted({Path(m.name).parts[0] for m in members if Path(m.name).parts})
        for dirpath, _, files in os.walk(tmp):
            rel = os.path.relpath(dirpath, tmp)
            dest_dir = os.path.normpath(os.path.join(to_path, rel))
            os.makedirs(dest_dir, exist_ok=True)
            for name in files:
                os.replace(os.path.join(dirpath, name), os.path.join(dest_dir, name))
        return tops
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
