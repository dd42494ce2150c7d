"""Writing files safely: never through a symbolic link, never half-written when a rename can
be used, keeping the owner, group, mode and hard links of a file that is replaced.

``replace_file`` is what ``--fix`` uses on an input file; ``write_output`` is for a report
file named on the command line (``chatlint report -o``). Both raise ``NotWritten`` (with the
reason as its message) instead of writing somewhere the caller did not mean.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from pathlib import Path

TEMP_SUFFIX = ".chatlint-tmp"  # temporary files are named ``.NAME.XXXXXXXX.chatlint-tmp``
STALE_TEMP_SECONDS = 3600  # a temporary file this old was left by a killed run: removed
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block the open


class NotWritten(Exception):
    """The file was not written; the message says why."""


class LinkRefused(NotWritten):
    """The file is a symbolic link."""


class ReadOnly(NotWritten):
    """The file has no write permission: it is left as it is."""


class Changed(NotWritten):
    """The file no longer holds the bytes that were read."""


def _open_nofollow(path: Path, flags: int) -> int:
    try:
        return os.open(path, flags | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise LinkRefused(f"{path} is a symbolic link") from None
        raise


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _can_keep_owner(st: os.stat_result) -> bool:
    """Whether a new file can be given the owner and group of ``st``."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows
        return True
    if os.geteuid() == 0:
        return True
    return st.st_uid == os.geteuid() and (st.st_gid == os.getegid() or st.st_gid in os.getgroups())


def replace_file(path: Path, data: bytes, expected: bytes) -> None:
    """Replace the bytes of the existing file ``path`` (which must still be ``expected``) by ``data``.

    A file with one link whose owner can be kept is written to a temporary file in its
    folder and renamed over it, so a reader or a crash sees the old bytes or the new. A
    hard-linked file, or one whose owner this user cannot give a new file, is rewritten in
    place under an exclusive lock, so its links and owner stay. Just before the rename (or
    the rewrite) the file is read again: if someone saved it meanwhile, nothing is written.
    """
    path = Path(path)
    fd = _open_nofollow(path, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotWritten(f"{path} is not a regular file")
        if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
            raise ReadOnly(f"{path} is read-only")
        if _read_all(fd) != expected:
            raise Changed(f"{path} changed during the run")
    finally:
        os.close(fd)
    if st.st_nlink > 1 or not _can_keep_owner(st):
        _rewrite_in_place(path, data, expected)
    else:
        _rename_over(path, data, expected, st)


def _rewrite_in_place(path: Path, data: bytes, expected: bytes) -> None:
    fd = _open_nofollow(path, os.O_RDWR)
    try:
        try:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        except (ImportError, OSError):  # pragma: no cover - no locks here: the check below still runs
            pass
        if _read_all(fd) != expected:
            raise Changed(f"{path} changed during the run")
        os.lseek(fd, 0, os.SEEK_SET)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def _rename_over(path: Path, data: bytes, expected: bytes, st: os.stat_result) -> None:
    remove_stale_temps(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if hasattr(os, "fchown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                os.fchown(handle.fileno(), st.st_uid, st.st_gid)
            os.chmod(handle.fileno(), stat.S_IMODE(st.st_mode))  # after chown, which may clear set-id bits
            os.fsync(handle.fileno())
        _check_unchanged(path, expected, st)
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    _sync_folder(path.parent)


def _check_unchanged(path: Path, expected: bytes, st: os.stat_result) -> None:
    """The same file (device and inode) with the same bytes as when it was read."""
    fd = _open_nofollow(path, os.O_RDONLY)
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or _read_all(fd) != expected:
            raise Changed(f"{path} changed during the run")
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def remove_stale_temps(path: Path) -> None:
    """Remove ``.NAME.*.chatlint-tmp`` files next to ``path`` that a killed run left over an hour ago."""
    prefix = f".{path.name}."
    cutoff = time.time() - STALE_TEMP_SECONDS
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TEMP_SUFFIX)):
            continue
        middle = entry.name[len(prefix) : -len(TEMP_SUFFIX)]
        if "." in middle or not middle:  # another file's temporary (``.NAME.x.XXXX``)
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < cutoff and st.st_uid == _euid(st):
                os.unlink(entry.path)
        except OSError:
            continue


def _euid(st: os.stat_result) -> int:
    return os.geteuid() if hasattr(os, "geteuid") else st.st_uid


def write_output(path: Path, data: bytes) -> None:
    """Write an output file atomically; refuse a symbolic link or anything but a regular file.

    An existing file keeps its mode; a new one gets 0666 less the umask, like ``open``.
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise LinkRefused(f"{path} is a symbolic link; not written")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise NotWritten(f"{path} is not a regular file; not written")
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.chmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
