"""Atomic file writes, checksums and an inter-process file lock (private helpers).

A write goes to a temporary file in the target folder, is flushed and fsynced,
then renamed over the target with :func:`os.replace`, which is atomic on POSIX
and Windows. A crash or an exception mid-write leaves the old file untouched
and no partial file behind.

The temporary file is created with mode ``0o666`` minus the process umask, like
any file ``open(path, "w")`` creates, so a report written through these helpers
is readable where the user's umask allows it (``0644`` with the usual ``022``).
:func:`tempfile.mkstemp` is not used because it always creates ``0600`` files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["FileLock", "atomic_path", "atomic_write_bytes", "atomic_write_text", "sha256_file"]


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to *target*; rename it over *target* on success.

    Use for writers that want a path (``DataFrame.to_parquet``, ``savefig``).
    On an exception the temporary file is removed and *target* is unchanged.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp_path = _new_temp_file(target, suffix or ".tmp")
    try:
        yield tmp_path
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _new_temp_file(target: Path, suffix: str) -> Path:
    """Create an empty, unique, umask-respecting file next to *target* (``.<name>.<random><suffix>``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}{suffix}"
        try:
            fd = os.open(tmp, flags, 0o666)  # the umask applies, as for open(path, "w")
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue
        os.close(fd)
        return tmp


def _atomic_write(
    target: str | os.PathLike[str], mode: str, write: Callable[[IO[Any]], object]
) -> None:
    with atomic_path(target) as tmp, open(tmp, mode) as fh:
        write(fh)
        fh.flush()


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write *data* to *target* atomically."""
    _atomic_write(target, "wb", lambda fh: fh.write(data))


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write *text* to *target* atomically (UTF-8 by default)."""
    _atomic_write(target, "wb", lambda fh: fh.write(text.encode(encoding)))


def sha256_file(path: str | os.PathLike[str], chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


class FileLock:
    """Exclusive advisory lock on *path* (``flock``), held for a ``with`` block.

    Processes that would compute the same cached result take it before
    computing: the first computes and stores, the others wait and then read
    what it stored. A no-op where ``flock`` is unavailable or the lock file
    cannot be created (the result is then computed twice, never wrong).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def __enter__(self) -> FileLock:
        try:
            import fcntl

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except (ImportError, OSError):
            self._close()
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def _close(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)  # closing releases the lock
            finally:
                self.fd = None
