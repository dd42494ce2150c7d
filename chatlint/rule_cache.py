"""A cache of loaded rules on disk, so that a start does not parse and validate them again.

Loading the built-in pack parses about 900 patterns, checks every pattern word against the
pymorphy3 dictionary and compiles the regular expressions: 0.3 s of CPU at every start. The
loaded rules are pickled into the user's cache folder and read back (20 ms) when nothing
they depend on has changed. The key covers every input of ``load_rules``: the rule files
(names and bytes), chatlint's version and the bytes of its source files, the versions of
Python, pymorphy3 and its dictionary, regex and PyYAML, the registered rule kinds and the
user's vocabulary. A different key is a different file, so a stale entry is never read.

The folder: ``$CHATLINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/chatlint``, else
``~/.cache/chatlint``. ``CHATLINT_NO_CACHE=1`` (or ``--no-cache``) turns the cache off.
Entries are written atomically (a temporary file, then a rename). An entry that is
truncated, corrupt, not ours or not owned by this user is ignored and the rules are loaded
from the YAML; a folder that cannot be written to only means no entry is written.
Unpickling runs code named in the file, so an entry is read only when nobody else could have
put it there: opened without following links, checked on the open descriptor, in folders
from ``/`` down that only this user or root can write to (see SECURITY.md).
"""

from __future__ import annotations

import gc
import io
import os
import pickle
import stat
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:  # hashlib would load OpenSSL first: 8 ms of a 300 ms start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python without the builtin module
    from hashlib import blake2b

_MAGIC = b"chatlint-rules-1\n"
_DIGEST = 32  # bytes of a digest (blake2b)
MAX_ENTRIES = 32  # entries kept in the folder; the least recently used go first
_SOURCE_DIGEST: bytes | None = None
_SOURCE_LOCK = threading.Lock()


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off."""
    if os.environ.get("CHATLINT_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("CHATLINT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "chatlint"


def cached_rules(files: list[tuple[str, bytes]] | None, ctx: Any, build: Callable[[], list]) -> list:
    """The rules ``build()`` loads from ``files`` (name and bytes of each, in loading order),
    read from the cache when an entry for exactly these inputs exists.

    ``files`` is None when the inputs cannot be fingerprinted (a missing file): then the
    rules are simply built. Anything that goes wrong with the cache falls back to ``build``.
    """
    folder = cache_dir()
    if folder is None or files is None or not _cacheable_context(ctx):
        return build()
    try:
        key = _key(files, ctx)
    except Exception:  # noqa: BLE001 - a fingerprint we cannot take: no cache
        return build()
    path = folder / f"rules-{key.hex()[:40]}.pickle"
    try:
        rules = _read(path, key, ctx)
    except Exception:  # noqa: BLE001 - a cache never stops the rules from loading
        rules = None
    if rules is not None:
        return rules
    rules = build()
    if _cacheable_rules(rules):
        try:
            _write(folder, path, key, rules, ctx)
        except Exception:  # noqa: BLE001 - e.g. a name the file system refuses: nothing written
            pass
    return rules


# --- the key ----------------------------------------------------------------------------
def _hash(data: bytes = b""):
    return blake2b(data, digest_size=_DIGEST)


def _key(files: list[tuple[str, bytes]], ctx: Any) -> bytes:
    h = _hash(_MAGIC)

    def add(*parts: object) -> None:
        for part in parts:
            data = part if isinstance(part, bytes) else repr(part).encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)

    add(_source_digest(), _environment())
    from chatlint.kinds import KINDS

    add(sorted((name, cls.__module__, cls.__qualname__) for name, cls in KINDS.items()))
    vocabulary = ctx.vocabulary
    add(sorted(vocabulary.accept), sorted(vocabulary.reject))
    add(len(files))
    for name, data in files:
        add(name, _hash(data).digest())
    return h.digest()


def _environment() -> tuple:
    """Versions of everything the loaded rules depend on besides chatlint and the rule files."""
    import pymorphy3
    import regex

    try:
        import pymorphy3_dicts_ru

        dicts = getattr(pymorphy3_dicts_ru, "__version__", "?")
    except ImportError:  # pragma: no cover - pymorphy3 finds another dictionary
        dicts = None
    import chatlint

    return (
        chatlint.__version__,
        sys.version,
        sys.implementation.cache_tag,
        pickle.HIGHEST_PROTOCOL,
        getattr(pymorphy3, "__version__", "?"),
        dicts,
        os.environ.get("PYMORPHY2_DICT_PATH"),
        os.environ.get("PYMORPHY3_DICT_PATH"),
        getattr(regex, "__version__", "?"),
        _stamp("yaml"),  # not imported: reading rules from the cache does not need PyYAML
    )


def _stamp(module: str) -> tuple | None:
    """Where an installed package is, and the size and time of its ``__init__`` (a new version is a new file)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(module)
        origin = spec.origin if spec is not None else None
        if origin is None:
            return None
        st = os.stat(origin)
    except (ImportError, OSError, ValueError):
        return None
    return origin, st.st_size, st.st_mtime_ns


def _source_digest() -> bytes:
    """A hash of chatlint's own ``.py`` files (names and bytes), once per process."""
    global _SOURCE_DIGEST
    if _SOURCE_DIGEST is None:
        with _SOURCE_LOCK:
            if _SOURCE_DIGEST is None:
                root = Path(__file__).resolve().parent
                h = _hash()
                for path in sorted(_py_files(str(root))):
                    rel = os.path.relpath(path, root).replace(os.sep, "/")
                    with open(path, "rb") as f:
                        data = f.read()
                    h.update(f"{rel}\0{len(data)}\0".encode())
                    h.update(data)
                _SOURCE_DIGEST = h.digest()
    return _SOURCE_DIGEST


def _py_files(folder: str) -> list[str]:
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__" and not entry.name.startswith("."):
                    out.extend(_py_files(entry.path))
            elif entry.name.endswith(".py"):
                out.append(entry.path)
    return out


# --- what may be cached -------------------------------------------------------------------
def _cacheable_context(ctx: Any) -> bool:
    """Only the plain morphology: a subclass could answer differently about lemmas."""
    from chatlint.morph import Morphology

    return type(ctx.morph) is Morphology


def _cacheable_rules(rules: list) -> bool:
    """Only chatlint's own rule kinds: a plugin's code is not in the key."""
    return all(type(rule.impl).__module__.startswith("chatlint.") for rule in rules)


# --- reading and writing ------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    """Leaves the linter's context out: it is the caller's, and is put back on reading."""

    def __init__(self, file, ctx) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._ids = {id(ctx): "ctx", id(ctx.morph): "morph", id(ctx.vocabulary): "vocabulary"}

    def persistent_id(self, obj):  # noqa: D102
        return self._ids.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, ctx) -> None:
        super().__init__(file)
        self._objects = {"ctx": ctx, "morph": ctx.morph, "vocabulary": ctx.vocabulary}

    def persistent_load(self, pid):  # noqa: D102
        try:
            return self._objects[pid]
        except (KeyError, TypeError):
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}") from None


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _open_folder(folder: Path) -> int | None:
    """A descriptor of ``folder``, or None when someone else could have put what is in it.

    The real path is walked from ``/`` one name at a time without following links, and each
    open folder is checked on its descriptor (``fstat``), so swapping a folder for a link
    between the check and the read gains nothing. Every folder above must be owned by this
    user or root and writable by nobody else (a sticky shared folder such as ``/tmp`` is fine:
    others cannot rename what is not theirs); the cache folder itself must be this user's.
    """
    parts = Path(os.path.realpath(folder)).parts
    fd = os.open(parts[0], _DIR_FLAGS)
    try:
        for name in parts[1:]:
            if not _safe_parent(os.fstat(fd)):
                os.close(fd)
                return None
            parent, fd = fd, -1
            try:
                fd = os.open(name, _DIR_FLAGS, dir_fd=parent)
            finally:
                os.close(parent)
        if not _owned(os.fstat(fd)):
            os.close(fd)
            return None
        return fd
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise


def _safe_parent(st: os.stat_result) -> bool:
    if st.st_uid not in (0, os.getuid()):
        return False
    return not st.st_mode & 0o022 or bool(st.st_mode & stat.S_ISVTX)


def _trusted_folder(folder: Path) -> bool:
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows: the profile folder is private
        return True
    fd = _open_folder(folder)
    if fd is None:
        return False
    os.close(fd)
    return True


def _owned(st: os.stat_result) -> bool:
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _read_entry(path: Path) -> bytes | None:
    """The bytes of an entry that is a regular file of this user in a trusted folder, or None."""
    if not hasattr(os, "getuid"):  # pragma: no cover - Windows
        return path.read_bytes()
    folder = _open_folder(path.parent)
    if folder is None:
        return None
    try:
        fd = os.open(path.name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    finally:
        os.close(folder)
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _owned(st):
            return None
        data = f.read()
        try:
            os.utime(fd)  # recently used: pruned last
        except OSError:
            pass
        return data


def _read(path: Path, key: bytes, ctx: Any) -> list | None:
    """The rules of a valid entry, or None (missing, stale, corrupt, untrusted)."""
    try:
        data = _read_entry(path)
    except OSError:
        return None
    if data is None:
        return None
    head = len(_MAGIC) + 2 * _DIGEST
    if len(data) <= head or not data.startswith(_MAGIC):
        return None
    stored_key = data[len(_MAGIC) : len(_MAGIC) + _DIGEST]
    checksum = data[len(_MAGIC) + _DIGEST : head]
    payload = memoryview(data)[head:]
    if stored_key != key or _hash(payload).digest() != checksum:
        return None
    # the rules are some 150,000 objects, all kept: a cyclic collection in the middle of
    # unpickling them only walks them again (40 % of the read when the collector is on)
    collecting = gc.isenabled()
    gc.disable()
    try:
        rules = _Unpickler(io.BytesIO(payload), ctx).load()
    except Exception:  # noqa: BLE001 - whatever a bad entry raises, it is only a cache miss
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(rules, list):
        return None
    return rules


def _write(folder: Path, path: Path, key: bytes, rules: list, ctx: Any) -> None:
    """Write an entry atomically; any failure (read-only folder, full disk) is ignored."""
    try:
        buf = io.BytesIO()
        _Pickler(buf, ctx).dump(rules)
        payload = buf.getvalue()
    except Exception:  # noqa: BLE001 - something unpicklable: no cache for these rules
        return
    import tempfile

    tmp = None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _trusted_folder(folder):
            return
        fd, tmp = tempfile.mkstemp(prefix=".rules-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + key + _hash(payload).digest())
            f.write(payload)
        os.replace(tmp, path)
        tmp = None
        _prune(folder, keep=path)
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(folder: Path, keep: Path) -> None:
    """Remove the least recently used entries beyond ``MAX_ENTRIES``, and temporary files
    an interrupted write left behind more than an hour ago."""
    entries = []
    for p in folder.iterdir():
        try:
            if p.name.startswith("rules-") and p.name.endswith(".pickle"):
                entries.append((p.stat().st_mtime, p))
            elif p.name.startswith(".rules-") and p.name.endswith(".tmp") and p.stat().st_mtime < time.time() - 3600:
                p.unlink()
        except OSError:
            continue
    entries.sort(reverse=True)
    for _, p in entries[MAX_ENTRIES:]:
        if p != keep:
            try:
                p.unlink()
            except OSError:
                pass
