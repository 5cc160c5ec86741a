"""The report folder a run owns: a lock, a fresh staging folder, one atomic swap at the end.

A report run never writes into the folder a reader sees. :class:`ReportFolder`

1. checks ``--out`` (a writable folder, created when missing);
2. takes an exclusive lock ``<out>/.<year>.ptv-lock`` (``flock``; the
   operating system releases it when the holder dies, so a lock left by a
   killed run is never stale) — a second run into the same folder is refused
   with the first one's pid, host and start time — and checks the target
   ``<out>/<year>``: absent, empty, or an earlier ptv report (it has a
   ``results.json``); anything else is refused, so nothing of the user's is lost;
3. removes what dead runs left behind (their staging and work folders), then
   creates this run's staging folder ``.<year>.ptv-run-<run id>`` (where the
   kernels write) and a private work folder ``.<year>.ptv-work-<run id>``
   (mode 0700; the validated own data — never part of the report);
4. :meth:`ReportFolder.publish` swaps the staging folder into place with one
   ``renameat2(RENAME_EXCHANGE)`` on Linux (two renames elsewhere) and removes
   the previous report;
5. leaving the ``with`` block without publishing (a crash, Ctrl-C) removes the
   staging folder: the previous report stays exactly as it was.

So an index never shows anything this run did not produce, and an interrupted
run leaves no partial file that a later run trusts.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from ptvlib.basics.exceptions import WorkspaceError

__all__ = ["ReportFolder", "check_writable_folder"]


def _reason(err: OSError) -> str:
    return err.strerror or type(err).__name__


def check_writable_folder(path: Path, what: str) -> Path:
    """Create *path* if needed and prove it writable by creating a file in it.

    Parameters
    ----------
    path : pathlib.Path
        Folder.
    what : str
        How the user named it in messages (``"--out"``, ``"PTV_CACHE_DIR"``).

    Returns
    -------
    pathlib.Path
        The absolute folder.

    Raises
    ------
    WorkspaceError
        A file is in the way, or the folder cannot be created or written.
    """
    path = Path(path).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise WorkspaceError(f"{what}={str(path)!r} is a file; allowed: a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".ptv-write-test-{secrets.token_hex(4)}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as err:
        raise WorkspaceError(
            f"{what}={str(path)!r} is not writable ({_reason(err)}); allowed: a folder you can write"
        ) from None
    return path


class ReportFolder:
    """Exclusive, all-or-nothing ownership of ``<out>/<year>`` for one run (see the module docs).

    Parameters
    ----------
    out : path-like
        Output root (``--out``).
    name : str
        Report folder inside it (the year).

    Attributes
    ----------
    target : pathlib.Path
        Where the finished report goes.
    staging : pathlib.Path
        Where this run writes (exists inside the ``with`` block).
    work : pathlib.Path
        Private scratch folder of this run (removed at the end).
    run_id : str
        ``<UTC time>-<pid>-<random>``, stamped on every sidecar of the run.
    """

    def __init__(self, out: str | os.PathLike[str], name: str) -> None:
        root = check_writable_folder(Path(out), "--out")
        target = root / name
        if target.is_symlink():  # a report folder linked elsewhere: replace the real folder
            target = target.resolve()
        self.target = target
        self.base = check_writable_folder(target.parent, "--out")
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.run_id = f"{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
        self.staging = self.base / f".{target.name}.ptv-run-{self.run_id}"
        self.work = self.base / f".{target.name}.ptv-work-{self.run_id}"
        self.lock_path = self.base / f".{target.name}.ptv-lock"
        self.published = False
        self._lock_fd: int | None = None

    # ----------------------------------------------------------- context
    def __enter__(self) -> ReportFolder:
        self._lock()
        try:
            self._check_target()
            self._remove_leftovers()
            os.mkdir(self.staging)  # mode 0777 minus the umask, like any folder
            os.mkdir(self.work, 0o700)
        except BaseException:
            self._cleanup()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._cleanup()

    def _cleanup(self) -> None:
        if not self.published:
            shutil.rmtree(self.staging, ignore_errors=True)
        shutil.rmtree(self.work, ignore_errors=True)
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the lock; the file stays (see _lock)
            self._lock_fd = None

    # ----------------------------------------------------------- checks
    def _check_target(self) -> None:
        t = self.target
        if not t.exists():
            return
        if not t.is_dir():
            raise WorkspaceError(
                f"--out: {str(t)!r} is a file; allowed: a folder for the report (or absent)"
            )
        if any(t.iterdir()) and not (t / "results.json").exists():
            raise WorkspaceError(
                f"--out: {str(t)!r} exists and is not a ptv report (no results.json); it is "
                "left untouched: remove it or choose another --out"
            )

    def _lock(self) -> None:
        """Take the lock without waiting; refuse with the holder's details when it is held.

        The lock file is never removed: removing it would let two runs lock two
        different files of the same name.
        """
        cloexec = getattr(os, "O_CLOEXEC", 0)
        writable = True
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | cloexec, 0o644)
        except PermissionError:  # another user's lock file: a read-only descriptor locks too
            writable = False
            try:
                fd = os.open(self.lock_path, os.O_RDONLY | cloexec)
            except OSError as err:
                raise WorkspaceError(
                    f"--out: cannot open the lock file {self.lock_path} ({_reason(err)})"
                ) from None
        except OSError as err:
            raise WorkspaceError(
                f"--out: cannot create the lock file {self.lock_path} ({_reason(err)})"
            ) from None
        if not _try_lock(fd):
            holder = _read_holder(fd)
            os.close(fd)
            raise WorkspaceError(
                f"another ptv report ({holder}) is writing {self.target}; wait for it to finish "
                "or choose another --out"
            )
        self._lock_fd = fd
        if not writable:
            return
        os.ftruncate(fd, 0)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "run_id": self.run_id,
            "argv": sys.argv[:],
        }
        os.write(fd, json.dumps(info).encode())

    def _remove_leftovers(self) -> None:
        """Staging, work and old folders of runs that died (we hold the lock: none is alive)."""
        for kind in ("run", "work", "old"):
            for path in self.base.glob(f".{self.target.name}.ptv-{kind}-*"):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)

    # ----------------------------------------------------------- publish
    def publish(self) -> Path:
        """Swap the staging folder into place; the previous report is removed. Returns the target."""
        with _signals_held():  # never stop between the renames
            self._swap()
        return self.target

    def _swap(self) -> None:
        if self.target.exists():
            if _exchange(self.staging, self.target):
                old = self.staging  # now holds the previous report
            else:
                old = self.base / f".{self.target.name}.ptv-old-{self.run_id}"
                os.rename(self.target, old)
                try:
                    os.rename(self.staging, self.target)
                except OSError:
                    os.rename(old, self.target)  # put the previous report back
                    raise
            self.published = True
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(self.staging, self.target)
            self.published = True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP during the block (delivered right after it)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    held = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        info: dict[str, Any] = json.loads(os.read(fd, 65536).decode() or "{}")
        if info:
            return f"pid {info.get('pid')} on {info.get('host')}, started {info.get('started')}"
    return "a process that has not written its details yet"


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders (Linux ``renameat2``); False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    rc = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return rc == 0
