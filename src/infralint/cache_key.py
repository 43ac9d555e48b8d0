"""The secret that authenticates the result cache, kept outside every linted tree.

A cache folder lives in the tree, and a tree can ship one: a forged entry would say `findings: []`
(the gate passes) or carry fix edits that reports emit as-is. So every cache file carries an HMAC
made with a key only this user can read (`$XDG_CACHE_HOME/infralint/cache-key`, else
`~/.cache/infralint/cache-key`, mode 0600 in a 0700 folder). A cache without a valid MAC was not
written by this user's infralint and is ignored. When no key can be kept (no home folder, a
read-only one, a folder owned by someone else), there is simply no cache: the run never fails.

Runners that share a cache (CI restoring `.infralint_cache/` with `actions/cache`, a shared folder)
share the key through the environment instead: `INFRALINT_CACHE_KEY` holding a secret of at least
32 characters (`openssl rand -hex 32`, kept as a CI secret), from which the key is derived. Only
jobs given the secret then write caches the others trust; a job without it (a pull request from a
fork) signs with its own key, and its cache is ignored, never trusted.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import os
import stat
from pathlib import Path

from .safe_files import open_own_folder

KEY_FILE_NAME = "cache-key"
KEY_VARIABLE = "INFRALINT_CACHE_KEY"
MIN_SECRET_CHARS = 32
_KEY_BYTES = 32
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class NoCacheKey(OSError):
    """No key could be read or created; the result cache is then not used."""


def key_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            raise NoCacheKey(errno.ENOENT, "no home folder to keep the cache key in", home)
        base = os.path.join(home, ".cache")
    return Path(base) / "infralint"


_loaded: dict[str, bytes] = {}


def cache_key() -> bytes:
    """The key shared through `INFRALINT_CACHE_KEY`, else this user's key, created on first use;
    raises NoCacheKey (an OSError) when there is none to use."""
    secret = os.environ.get(KEY_VARIABLE, "")
    if secret:
        return _derived_key(secret)
    folder = key_folder()
    known = _loaded.get(str(folder))
    if known is not None:
        return known
    try:
        os.makedirs(folder.parent, mode=0o700, exist_ok=True)
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise NoCacheKey(exc.errno, exc.strerror, str(folder)) from None
    try:
        folder_fd = open_own_folder(folder, create=False)
    except OSError as exc:
        raise NoCacheKey(exc.errno, exc.strerror or "cannot open", str(folder)) from None
    try:
        _make_private(folder_fd, folder)
        key = _read_key(folder_fd, folder) or _create_key(folder_fd, folder)
    finally:
        os.close(folder_fd)
    _loaded[str(folder)] = key
    return key


def _derived_key(secret: str) -> bytes:
    """The key of a shared secret; a short one (a word, a placeholder) is refused, not used."""
    if len(secret.strip()) < MIN_SECRET_CHARS:
        raise NoCacheKey(errno.EINVAL, f"shorter than {MIN_SECRET_CHARS} characters (make one with `openssl rand -hex 32`)", KEY_VARIABLE)
    return hashlib.sha256(b"infralint cache key\0" + secret.strip().encode("utf-8", "surrogateescape")).digest()


def sign(key: bytes, label: str, body: bytes) -> str:
    """The MAC of `body` stored under the name `label` (an entry copied to another name fails)."""
    return hmac.new(key, label.encode("utf-8") + b"\0" + body, hashlib.sha256).hexdigest()


def verify(key: bytes, label: str, body: bytes, mac: str) -> bool:
    return hmac.compare_digest(sign(key, label, body), mac)


def _check_private(info: os.stat_result, where: Path) -> None:
    """Owned by this user and unreadable to others: otherwise anyone could forge cache entries."""
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise NoCacheKey(errno.EPERM, "owned by another user", str(where))
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise NoCacheKey(errno.EPERM, "readable or writable by other users", str(where))


def _make_private(folder_fd: int, folder: Path) -> None:
    """A folder of this user's that others may enter (created by hand, or by a umask-less tool) is
    closed to them before a key is kept in it; one owned by someone else is refused."""
    info = os.fstat(folder_fd)
    if stat.S_IMODE(info.st_mode) & 0o077 and (not hasattr(os, "geteuid") or info.st_uid == os.geteuid()):
        try:
            os.fchmod(folder_fd, 0o700)
            info = os.fstat(folder_fd)
        except OSError:
            pass
    _check_private(info, folder)


def _read_key(folder_fd: int, folder: Path) -> bytes | None:
    try:
        fd = os.open(KEY_FILE_NAME, os.O_RDONLY | _NOFOLLOW | _CLOEXEC, dir_fd=folder_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise NoCacheKey(exc.errno, exc.strerror, str(folder / KEY_FILE_NAME)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NoCacheKey(errno.EINVAL, "not a regular file", str(folder / KEY_FILE_NAME))
        _check_private(info, folder / KEY_FILE_NAME)
        key = os.read(fd, _KEY_BYTES + 1)
    finally:
        os.close(fd)
    if len(key) != _KEY_BYTES:
        raise NoCacheKey(errno.EINVAL, "damaged (wrong length); delete it to start a new one", str(folder / KEY_FILE_NAME))
    return key


def _create_key(folder_fd: int, folder: Path) -> bytes:
    """Written to a temporary name, then linked into place: a concurrent run sees no key or a
    whole one, and the first run to link wins."""
    key = os.urandom(_KEY_BYTES)
    tmp = f".{KEY_FILE_NAME}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW | _CLOEXEC, 0o600, dir_fd=folder_fd)
        try:
            os.write(fd, key)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, KEY_FILE_NAME, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        except FileExistsError:  # another run created it meanwhile: use that one
            key = _read_key(folder_fd, folder)
    except OSError as exc:
        if isinstance(exc, NoCacheKey):
            raise
        raise NoCacheKey(exc.errno, exc.strerror, str(folder / KEY_FILE_NAME)) from None
    finally:
        try:
            os.unlink(tmp, dir_fd=folder_fd)
        except OSError:
            pass
    if key is None:
        raise NoCacheKey(errno.ENOENT, "vanished while being created", str(folder / KEY_FILE_NAME))
    return key
