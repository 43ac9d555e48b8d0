"""Reading and writing files of a tree infralint does not trust.

- Reading never blocks: a FIFO or device named `x.py` is refused (opened non-blocking, then
  checked to be a regular file) instead of waiting forever for a writer.
- Writing never follows a symbolic link the tree planted: files infralint creates for itself
  (cache, temporary files, reports) are created with `O_EXCL | O_NOFOLLOW` relative to a folder
  opened with `O_NOFOLLOW`. The one deliberate exception is a linted file that `--fix` rewrites:
  it is written through to the link's target, as editors and ruff do, keeping owner and mode.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class NotARegularFile(OSError):
    """A FIFO, socket, device or folder where a file was expected."""


class SymlinkRefused(OSError):
    """infralint would have written through a symbolic link it did not create."""


class ChangedOnDisk(OSError):
    """The file being fixed no longer holds the bytes the fix was computed from (an editor saved)."""


def file_kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular_file(path: str | os.PathLike, limit: int | None = None) -> bytes:
    """The bytes of a regular file (at most `limit`); raises OSError, NotARegularFile for anything else.

    `O_NONBLOCK` makes opening a FIFO return at once instead of waiting for a writer; the kind of
    file is then checked on the open descriptor, so a swap between check and read cannot fool it.
    """
    fd = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotARegularFile(errno.EINVAL, f"{file_kind(mode)}, not a regular file", str(path))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read() if limit is None else handle.read(limit)
    finally:
        os.close(fd)


def describe_os_error(exc: OSError) -> str:
    """One short phrase for a read or write failure ("no such file", "a FIFO, not a regular file")."""
    if isinstance(exc, FileNotFoundError):
        return "no such file (it was removed or renamed)"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


# -- files infralint creates for itself -------------------------------------------------------


def open_own_folder(folder: Path, *, create: bool) -> int:
    """A descriptor of `folder`, refusing it when it is a symbolic link (SymlinkRefused)."""
    if create:
        try:
            os.mkdir(folder)  # mkdir never follows a link at its last component
        except FileExistsError:
            pass
    try:
        return os.open(folder, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(folder):
            raise SymlinkRefused(errno.ELOOP, "is a symbolic link; infralint does not write through links", str(folder)) from None
        raise


def read_own_file(folder_fd: int, name: str, *, owned: bool = False) -> bytes | None:
    """A file infralint wrote earlier in a folder it owns, or None (missing, a link, not regular,
    or — with `owned` — not owned by the user running infralint)."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=folder_fd)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if owned and hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(fd)


def create_own_file(folder_fd: int, name: str, data: bytes) -> bool:
    """Create `name` if nothing (not even a dangling link) is there yet; True if it was created."""
    try:
        fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o644, dir_fd=folder_fd)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def replace_own_file(folder_fd: int, name: str, data: bytes) -> None:
    """Write `name` atomically: a fresh temporary file, then a rename over whatever was there
    (a rename replaces a link itself, never its target)."""
    tmp = _create_temporary(folder_fd, name, 0o644)
    try:
        _write_all(tmp[1], data)
        os.replace(tmp[0], name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
    except BaseException:
        _discard(tmp[0], folder_fd)
        raise


def write_report_file(path: Path, data: bytes) -> None:
    """An output file the user named (`--output-file`, `--write-baseline`): written atomically in
    its folder, and refused when the name is a symbolic link (a tree can ship one pointing anywhere)."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", str(path))
    if path.is_symlink():
        raise SymlinkRefused(errno.ELOOP, "is a symbolic link; infralint does not write through links", str(path))
    folder_fd = os.open(path.parent if str(path.parent) else ".", os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        replace_own_file(folder_fd, path.name, data)
    finally:
        os.close(folder_fd)


# -- the file being fixed ----------------------------------------------------------------------


def write_fixed_file(path: Path, data: bytes, *, expected: bytes | None = None) -> None:
    """Replace a linted file's bytes atomically, keeping its permission bits, owner and group.

    A symbolic link is written through: the link stays and its target gets the new content. The
    temporary file is created beside the target (`O_EXCL | O_NOFOLLOW`) and renamed over it, so
    until the rename the original is never opened for writing. With `expected`, the file must
    still hold exactly those bytes just before the rename (ChangedOnDisk otherwise): a save made
    while the fix was being computed is never overwritten.
    """
    target = Path(os.path.realpath(path))
    info = os.stat(target)
    mode = stat.S_IMODE(info.st_mode)
    # no write bit at all means "do not touch", even for root (who may write anything)
    if not mode & 0o222 or not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, "file is read-only", str(path))
    folder_fd = os.open(target.parent, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        tmp_name, fd = _create_temporary(folder_fd, target.name, mode)
        try:
            _write_all(fd, data, mode=mode, owner=(info.st_uid, info.st_gid))
            if expected is not None:
                _check_unchanged(target, info, expected)
            _replace(tmp_name, target, folder_fd)
        except BaseException:
            _discard(tmp_name, folder_fd)
            raise
    finally:
        os.close(folder_fd)


def _check_unchanged(target: Path, before: os.stat_result, expected: bytes) -> None:
    """The last look before the rename: the same file (inode) with the same bytes."""
    try:
        now = os.stat(target)
        current = read_regular_file(target) if (now.st_ino, now.st_dev) == (before.st_ino, before.st_dev) else None
    except OSError:
        current = None
    if current != expected:
        raise ChangedOnDisk(errno.EBUSY, "changed on disk while being fixed; not fixed", str(target))


def _replace(tmp_name: str, target: Path, folder_fd: int) -> None:
    """The rename step, separate so that tests can inject a failure before it."""
    os.replace(tmp_name, target.name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)


def _create_temporary(folder_fd: int, name: str, mode: int) -> tuple[str, int]:
    for attempt in range(100):
        tmp_name = f".{name}.{os.getpid()}.{attempt}.infralint.tmp"
        try:
            fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode & 0o777 or 0o600, dir_fd=folder_fd)
        except FileExistsError:
            continue
        return tmp_name, fd
    raise FileExistsError(errno.EEXIST, "no free temporary file name", name)


def _write_all(fd: int, data: bytes, *, mode: int | None = None, owner: tuple[int, int] | None = None) -> None:
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        if owner is not None:
            _keep_owner(handle.fileno(), owner)
        if mode is not None:
            os.fchmod(handle.fileno(), mode)  # after chown, which may clear set-id bits
        os.fsync(handle.fileno())


def _keep_owner(fd: int, owner: tuple[int, int]) -> None:
    """Give the new file the old one's owner and group; only root (or the owner, for the group)
    may, and a file that keeps its content's owner is all that matters, so refusals are ignored."""
    info = os.fstat(fd)
    if (info.st_uid, info.st_gid) == owner:
        return
    try:
        os.fchown(fd, *owner)
    except PermissionError:
        try:
            os.fchown(fd, -1, owner[1])
        except PermissionError:
            pass


def _discard(tmp_name: str, folder_fd: int) -> None:
    try:
        os.unlink(tmp_name, dir_fd=folder_fd)
    except OSError:
        pass
