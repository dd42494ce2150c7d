"""--fix never damages a file: no writes through symbolic links, and a run killed at any
moment leaves every file entirely old or entirely new (issue 7, item 5)."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.fixer import TEMP_SUFFIX, SymlinkNotFixed, fix_file, through_symlink, write
from chatlint.project import Project

ROOT = Path(__file__).resolve().parent.parent
BAD = "a: Спасибо!!! щас проверю.\n"
GOOD = "a: Спасибо! сейчас проверю.\n"

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="symlinks")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


@needs_symlinks
def test_a_symlinked_file_in_a_folder_is_checked_but_not_fixed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "secret.yaml"
    target.write_text(BAD, encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link.yaml").symlink_to(target)
    (tree / "own.yaml").write_text(BAD, encoding="utf-8")
    result = invoke("check", "--fix", str(tree))
    assert f"chatlint: warning: {tree / 'link.yaml'} is a symbolic link; not fixed" in result.stderr
    assert target.read_text(encoding="utf-8") == BAD  # the target outside the tree is untouched
    assert (tree / "link.yaml").is_symlink()  # the link was not replaced by a regular file
    assert (tree / "own.yaml").read_text(encoding="utf-8") == GOOD
    assert "fixed 2 finding(s) in 1 file(s)" in result.stderr
    assert "link.yaml" in result.stdout  # still checked and reported
    # naming the link itself does not write through it either; naming the target does
    assert "is a symbolic link; not fixed" in invoke("check", "--fix", str(tree / "link.yaml")).stderr
    assert target.read_text(encoding="utf-8") == BAD
    invoke("check", "--fix", str(target))
    assert target.read_text(encoding="utf-8") == GOOD


@needs_symlinks
def test_a_file_reached_through_a_linked_folder_is_not_fixed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "lib.yaml").write_text(BAD, encoding="utf-8")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "shared").symlink_to(outside, target_is_directory=True)
    result = invoke("check", "--fix", str(tree))
    assert "lib.yaml is inside a symbolically linked folder; not fixed" in result.stderr
    assert (outside / "lib.yaml").read_text(encoding="utf-8") == BAD
    # a linked folder named on the command line is the user's choice: its files are fixed
    invoke("check", "--fix", str(tree / "shared"))
    assert (outside / "lib.yaml").read_text(encoding="utf-8") == GOOD


@needs_symlinks
def test_through_symlink_rule(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "alias").symlink_to(tmp_path / "real", target_is_directory=True)
    assert through_symlink(tmp_path / "real" / "a.yaml", tmp_path) is None
    assert through_symlink(tmp_path / "real" / "a.yaml") is None
    assert through_symlink(tmp_path / "alias" / "a.yaml", tmp_path / "alias") is None
    assert through_symlink(tmp_path / "alias" / "a.yaml", tmp_path) == "is inside a symbolically linked folder"
    assert through_symlink(tmp_path / "real" / "a.yaml", tmp_path / "alias") is None  # a walk yields real paths
    assert through_symlink(tmp_path / "b.yaml", tmp_path / "real") == "is outside the folder given on the command line"
    result = fix_file(Project(), tmp_path / "alias" / "a.yaml")
    with pytest.raises(SymlinkNotFixed):
        write(result, tmp_path)
    assert (tmp_path / "real" / "a.yaml").read_text(encoding="utf-8") == BAD


def test_permissions_and_crlf_survive_fix_of_a_folder(tmp_path: Path) -> None:
    path = tmp_path / "lib.yaml"
    path.write_bytes(BAD.replace("\n", "\r\n").encode("utf-8"))
    os.chmod(path, 0o640)
    invoke("check", "--fix", str(tmp_path))
    assert path.read_bytes() == GOOD.replace("\n", "\r\n").encode("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def _library(folder: Path, n: int) -> dict[str, bytes]:
    folder.mkdir()
    files = {}
    for i in range(n):
        text = f"a: Спасибо!!! щас проверю заказ {i}.\nb: ВАШ ЗАКАЗ ОТПРАВЛЕН!!!\nc: Хорошо.\n"
        name = f"t{i:03}.yaml"
        (folder / name).write_text(text, encoding="utf-8")
        files[name] = text.encode("utf-8")
    return files


def _fix(folder: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "chatlint.cli", "check", "--fix", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_run_killed_mid_fix_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    n = 300
    original = _library(tmp_path / "orig", n)
    reference = tmp_path / "reference"
    shutil.copytree(tmp_path / "orig", reference)
    assert _fix(reference).wait(timeout=60) == 0
    fixed = {name: (reference / name).read_bytes() for name in original}
    assert all(fixed[name] != original[name] for name in original)
    first = sorted(original)[0]
    partial_runs = 0
    for attempt, delay in enumerate([0.0, 0.01, 0.05, 0.15, 0.3]):
        folder = tmp_path / f"run{attempt}"
        shutil.copytree(tmp_path / "orig", folder)
        proc = _fix(folder)
        deadline = time.monotonic() + 30
        while (folder / first).read_bytes() == original[first] and proc.poll() is None:
            assert time.monotonic() < deadline, "the fix never started"
            time.sleep(0.002)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        new = old = 0
        for entry in folder.iterdir():
            if entry.name in original:
                data = entry.read_bytes()
                assert data in (original[entry.name], fixed[entry.name]), entry.name
                new += data == fixed[entry.name]
                old += data == original[entry.name]
            else:  # only a temporary file the kill interrupted, named so it can be cleaned up
                assert entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX), entry.name
        assert new + old == n and new >= 1
        partial_runs += old > 0
    assert partial_runs >= 1  # at least one kill really landed mid-run
