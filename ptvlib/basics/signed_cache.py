"""Signed cache files: a changed byte is noticed, a planted file is never trusted or unpickled.

Whoever can write ``PTV_CACHE_DIR`` must not be able to change a number in the
report or run code in it. Every cache file ptvlib reads back therefore carries
an HMAC-SHA256 tag (RFC 2104) computed with a key that lives **outside** the
cache folder:

* ``PTV_CACHE_KEY`` when set (at least 16 characters; for a cache shared by
  several users or machines), else
* a random 256-bit key in ``<user_config_dir>/cache.key``
  (``~/.config/ptv-analyse/cache.key``), created on first use with mode
  ``0600`` in a ``0700`` folder, and refused when others may read it or it
  belongs to another user.

The tag covers the file's name and its bytes, so a file copied over another
cache entry does not verify either. Two layouts:

* :func:`write_signed` / :func:`read_signed`: one file, a header line
  ``ptv-signed-v1 <tag>`` followed by the payload (used for pickles:
  :func:`dump_pickle` / :func:`load_pickle` unpickle only after the tag matched);
* :func:`sign_file` / :func:`read_verified`: a ``<file>.sig`` sidecar next to a
  file that other tools must still read as is (the parquet tables).

When no key can be kept (read-only home, a key file others can read), a random
key for this process only is used, with a :class:`CacheKeyWarning`: caches then
rebuild in every process, which is slower but never wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import secrets
import time
import warnings
from pathlib import Path
from typing import TypeVar

from ptvlib.basics import config
from ptvlib.basics.exceptions import ParameterError
from ptvlib.basics.io import atomic_write_bytes, atomic_write_text

__all__ = [
    "CacheKeyWarning",
    "Rejected",
    "dump_pickle",
    "installation_key",
    "key_file",
    "load_pickle",
    "read_signed",
    "read_verified",
    "sign_file",
    "signature_path",
    "write_signed",
]

T = TypeVar("T")

_MAGIC = b"ptv-signed-v1 "
_TAG_HEX = 64
_MIN_ENV_KEY = 16
#: Keys read in this process, by key-file path (the file is read once).
_KEYS: dict[str, bytes] = {}
_EPHEMERAL: dict[str, bytes] = {}


class CacheKeyWarning(UserWarning):
    """No key could be kept for signing cache files; caches are rebuilt in every process."""


class Rejected(Exception):
    """A cache file is unsigned, its tag does not match, or it is unreadable (says why)."""


def key_file() -> Path:
    """Where the installation's key lives (``<user_config_dir>/cache.key``)."""
    return config.user_config_dir() / "cache.key"


def installation_key() -> bytes:
    """The key that signs cache files (see the module docstring).

    Returns
    -------
    bytes
        32 bytes.

    Raises
    ------
    ParameterError
        ``PTV_CACHE_KEY`` is set but shorter than 16 characters.
    """
    env = os.environ.get("PTV_CACHE_KEY", "").strip()
    if env:
        if len(env) < _MIN_ENV_KEY:
            raise ParameterError(
                f"PTV_CACHE_KEY is {len(env)} characters long; allowed: at least {_MIN_ENV_KEY}"
            )
        return hashlib.sha256(env.encode()).digest()
    path = key_file()
    if str(path) in _KEYS:
        return _KEYS[str(path)]
    try:
        key = _read_or_create(path)
    except (OSError, Rejected) as err:
        reason = f"{err.strerror}: {err.filename}" if isinstance(err, OSError) else str(err)
        warnings.warn(
            f"cannot keep the cache signing key ({reason}); cache files are rebuilt in every "
            "process. Fix the file or set PTV_CACHE_KEY.",
            CacheKeyWarning,
            stacklevel=2,
        )
        key = _EPHEMERAL.setdefault("key", secrets.token_bytes(32))
    _KEYS[str(path)] = key
    return key


def _read_or_create(path: Path) -> bytes:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    # Write the whole key to a private temporary file, then link it into place: a
    # concurrent process either wins the link (and we read its key) or loses it.
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "r", encoding="ascii", errors="replace") as fh:
        st = os.fstat(fh.fileno())
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            raise Rejected(f"key file {path} belongs to uid {st.st_uid}, not to this user")
        if hasattr(os, "getuid") and st.st_mode & 0o077:
            raise Rejected(
                f"key file {path} has mode {st.st_mode & 0o777:04o}; allowed: 0600 "
                f"(chmod 600 {path})"
            )
        text = fh.read().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise Rejected(f"key file {path} does not hold a hex key") from None
    if len(key) < 16:
        raise Rejected(f"key file {path} holds a key of {len(key)} bytes; allowed: 32")
    return key


def _tag(name: str, data: bytes) -> bytes:
    mac = hmac.new(installation_key(), digestmod=hashlib.sha256)
    mac.update(name.encode("utf-8") + b"\0")
    mac.update(data)
    return mac.hexdigest().encode("ascii")


# ------------------------------------------------------------ one signed file
def write_signed(target: str | os.PathLike[str], payload: bytes) -> None:
    """Write *payload* to *target* atomically, behind a header with its tag."""
    target = Path(target)
    atomic_write_bytes(target, _MAGIC + _tag(target.name, payload) + b"\n" + payload)


def read_signed(target: str | os.PathLike[str]) -> bytes:
    """The payload of a file written by :func:`write_signed`.

    Raises
    ------
    FileNotFoundError
        No such file.
    Rejected
        No signature header, or the tag does not match the name and payload.
    """
    target = Path(target)
    data = target.read_bytes()
    head_len = len(_MAGIC) + _TAG_HEX + 1
    if not data.startswith(_MAGIC) or data[head_len - 1 : head_len] != b"\n":
        raise Rejected(f"{target.name} is not a signed cache file")
    tag, payload = data[len(_MAGIC) : head_len - 1], data[head_len:]
    if not hmac.compare_digest(tag, _tag(target.name, payload)):
        raise Rejected(f"{target.name}: the signature does not match its bytes")
    return payload


def dump_pickle(target: str | os.PathLike[str], obj: object) -> None:
    """Pickle *obj* into a signed file (atomic)."""
    write_signed(target, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def load_pickle(target: str | os.PathLike[str], expected: type[T]) -> T | None:
    """Unpickle a file written by :func:`dump_pickle`, or None.

    The bytes are unpickled only when their tag matches: a file that is
    unsigned, altered, of another entry, or not an *expected* instance is
    removed (when the folder allows it) and None is returned, so the caller
    recomputes.
    """
    target = Path(target)
    try:
        payload = read_signed(target)
        found = pickle.loads(payload)  # authentic: written by dump_pickle with our key
        if not isinstance(found, expected):
            raise Rejected(f"{target.name} holds a {type(found).__name__}")
        return found
    except FileNotFoundError:
        return None
    except Exception:  # Rejected, or an authentic file an older ptvlib wrote
        try:
            target.unlink(missing_ok=True)
        except OSError:
            pass
        return None


# ------------------------------------------------------------ sidecar signatures
def signature_path(target: str | os.PathLike[str]) -> Path:
    """The sidecar that signs *target*: ``<target>.sig``."""
    target = Path(target)
    return target.with_name(target.name + ".sig")


def sign_file(target: str | os.PathLike[str]) -> Path:
    """Write the signature sidecar of an existing file; returns the sidecar's path."""
    target = Path(target)
    data = target.read_bytes()
    side = signature_path(target)
    body = {"hmac_sha256": _tag(target.name, data).decode(), "bytes": len(data)}
    atomic_write_text(side, json.dumps(body))
    return side


def read_verified(target: str | os.PathLike[str], *, retries: int = 2) -> bytes:
    """The bytes of *target* after checking them against its ``.sig`` sidecar.

    A writer replaces the file and then its sidecar; a reader that comes in
    between sees a mismatch, so a mismatch is re-read *retries* times (50 ms,
    100 ms ...) before the file is rejected.

    Raises
    ------
    FileNotFoundError
        No such file.
    Rejected
        No sidecar, or the bytes do not match it.
    """
    target = Path(target)
    side = signature_path(target)
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(0.05 * attempt)
        data = target.read_bytes()
        try:
            want = json.loads(side.read_text(encoding="utf-8"))["hmac_sha256"].encode()
        except FileNotFoundError:
            reason = f"{target.name} has no signature ({side.name})"
            continue
        except (ValueError, KeyError, TypeError, AttributeError):
            reason = f"{side.name} is not a signature file"
            continue
        if hmac.compare_digest(want, _tag(target.name, data)):
            return data
        reason = f"{target.name}: its bytes do not match its signature (corrupted or changed)"
    raise Rejected(reason)
