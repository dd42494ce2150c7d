"""``--fix`` and ``report -o`` write only what they mean to (issue 14, items 2, 3, 10, 15):
owner, group, mode and hard links are kept; read-only files and links are refused; an edit
saved while the fix is written wins; a fix that cannot be written still prints the findings;
a temporary file a killed run left is removed later."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint import atomic
from chatlint.cli import main
from chatlint.fixer import ChangedDuringRun, fix_file, write
from chatlint.project import Project

LIB = "a: Спасибо!!!\n"
FIXED = "a: Спасибо!\n"
OTHER = 54321  # a user and group id nobody on this machine has
NOBODY = 65534
posix = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners and modes")
root_only = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to own files as others"
)


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _lib(folder: Path, name: str = "lib.yaml") -> Path:
    path = folder / name
    path.write_text(LIB, encoding="utf-8")
    return path


def as_user(uid: int, fn, timeout: float = 120.0):
    """``fn()`` run in a forked child with ``uid`` (and the same gid); its JSON-able result."""
    read, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.environ["CHATLINT_NO_CACHE"] = "1"  # root's cache is not this user's
            out = json.dumps(fn())
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            out, code = json.dumps({"error": repr(exc)}), 1
        os.write(write_end, out.encode())
        os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail("child timed out")
        time.sleep(0.05)
    with os.fdopen(read, "rb") as f:
        result = json.loads(f.read() or b"null")
    assert os.WEXITSTATUS(status) == 0, result
    return result


@pytest.fixture()
def open_folder():
    """A folder in /tmp that another user can enter (pytest's own is 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="chatlint-fix-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@root_only
def test_fix_as_root_keeps_another_users_owner_group_and_mode(tmp_path: Path) -> None:
    path = _lib(tmp_path)
    os.chown(path, OTHER, OTHER)
    path.chmod(0o640)
    inode = path.stat().st_ino
    result = invoke("check", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == FIXED, result.output
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (OTHER, OTHER, 0o640)
    assert st.st_ino != inode  # still replaced by a rename: atomic


@posix
def test_fix_keeps_hard_links(tmp_path: Path) -> None:
    path = _lib(tmp_path)
    twin = tmp_path / "twin.yaml"
    os.link(path, twin)
    invoke("check", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == FIXED
    assert twin.read_text(encoding="utf-8") == FIXED
    assert path.stat().st_ino == twin.stat().st_ino and path.stat().st_nlink == 2


@posix
def test_a_read_only_file_is_not_fixed_and_its_findings_are_printed(tmp_path: Path) -> None:
    path = _lib(tmp_path)
    path.chmod(0o444)
    result = invoke("check", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == LIB
    assert f"chatlint: warning: {path} is read-only; not fixed" in result.stderr
    assert f"{path}:1:" in result.stdout  # the finding the fix would have removed


def test_an_edit_saved_while_the_fix_is_synced_is_kept(tmp_path: Path, monkeypatch) -> None:
    path = _lib(tmp_path)
    result = fix_file(Project(), path)
    real_fsync = os.fsync
    saved = "a: Спасибо!!! правка\n"

    def editor_saves(fd: int) -> None:
        monkeypatch.setattr(os, "fsync", real_fsync)
        path.write_text(saved, encoding="utf-8")  # in place, as many editors do
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", editor_saves)
    with pytest.raises(ChangedDuringRun):
        write(result)
    assert path.read_text(encoding="utf-8") == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lib.yaml"]


def test_an_edit_saved_by_rename_while_the_fix_is_synced_is_kept(tmp_path: Path, monkeypatch) -> None:
    path = _lib(tmp_path)
    result = fix_file(Project(), path)
    real_fsync = os.fsync

    def editor_renames(fd: int) -> None:
        monkeypatch.setattr(os, "fsync", real_fsync)
        (tmp_path / "swap").write_text(LIB, encoding="utf-8")  # same bytes, a new file
        os.replace(tmp_path / "swap", path)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", editor_renames)
    with pytest.raises(ChangedDuringRun):
        write(result)


@root_only
def test_fix_by_another_user_keeps_the_owner_of_a_file_it_may_write(open_folder: Path) -> None:
    open_folder.chmod(0o777)
    path = _lib(open_folder)
    path.chmod(0o666)
    result = fix_file(Project(), path)
    as_user(NOBODY, lambda: write(result))
    assert path.read_text(encoding="utf-8") == FIXED
    assert path.stat().st_uid == 0  # not given to the user who ran the fix


@root_only
def test_fix_in_a_read_only_folder_prints_the_findings(open_folder: Path) -> None:
    path = _lib(open_folder)
    os.chown(open_folder, NOBODY, NOBODY)
    os.chown(path, NOBODY, NOBODY)
    open_folder.chmod(0o555)

    def run():
        result = CliRunner().invoke(main, ["check", "--fix", str(path)])
        return {"code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr}

    out = as_user(NOBODY, run)
    assert path.read_text(encoding="utf-8") == LIB
    assert f"{path}:1:" in out["stdout"], out
    assert "not fixed" in out["stderr"]


def test_fix_on_a_full_disk_prints_the_findings(tmp_path: Path, monkeypatch) -> None:
    path = _lib(tmp_path)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    plain = invoke("check", str(path))
    monkeypatch.setattr(tempfile, "mkstemp", full)
    result = invoke("check", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == LIB
    assert f"{path}:1:" in result.stdout
    assert "No space left on device; not fixed" in result.stderr
    assert (result.exit_code, result.stdout) == (plain.exit_code, plain.stdout)  # as without --fix


@posix
def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next_fix(tmp_path: Path) -> None:
    path = _lib(tmp_path)
    old = tmp_path / f".lib.yaml.abcd1234{atomic.TEMP_SUFFIX}"
    fresh = tmp_path / f".lib.yaml.efgh5678{atomic.TEMP_SUFFIX}"  # maybe a run going on now
    other = tmp_path / f".lib.yaml.x.abcd1234{atomic.TEMP_SUFFIX}"  # the temporary of ``lib.yaml.x``
    for leftover in (old, fresh, other):
        leftover.write_text("half", encoding="utf-8")
    hour_ago = time.time() - atomic.STALE_TEMP_SECONDS - 60
    os.utime(old, (hour_ago, hour_ago))
    os.utime(other, (hour_ago, hour_ago))
    invoke("check", "--fix", str(path))
    assert path.read_text(encoding="utf-8") == FIXED
    assert not old.exists() and fresh.exists() and other.exists()


def test_fix_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(atomic.NotWritten):
        atomic.replace_file(fifo, b"x", b"")


# --- chatlint report -o ----------------------------------------------------------------------
CONVERSATION = '{"conversation_id": "c1", "role": "operator", "author": "Оля", "text": "Я не знаю!!!"}\n'


def _report(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("chatlint")), "report", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@posix
def test_report_refuses_to_write_through_a_symbolic_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("do not touch\n", encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "chats.jsonl").write_text(CONVERSATION, encoding="utf-8")
    (repo / "report.html").symlink_to(victim)  # committed in the checked repository
    result = _report(["chats.jsonl", "-o", "report.html"], repo)
    assert victim.read_text(encoding="utf-8") == "do not touch\n"
    assert result.returncode == 2, result.stderr
    assert "report.html is a symbolic link; not written" in result.stderr
    assert (repo / "report.html").is_symlink()


@posix
def test_report_writes_atomically_and_keeps_the_mode(tmp_path: Path) -> None:
    (tmp_path / "chats.jsonl").write_text(CONVERSATION, encoding="utf-8")
    out = tmp_path / "report.html"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    result = _report(["chats.jsonl", "-o", "report.html"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>") or "<html" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chats.jsonl", "report.html"]
