"""A configuration planted above the repository, or by another user, is not used (issue 14, 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHATLINT = str(Path(sys.executable).with_name("chatlint"))
PLANTED = "exclude: ['*']\n"  # would hide every finding


def check(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHATLINT, "check", *args], cwd=folder, capture_output=True, text=True, timeout=60)


def _project(root: Path) -> Path:
    project = root / "project"
    project.mkdir(parents=True)
    (project / "a.txt").write_text("Я не знаю!!!\n", encoding="utf-8")
    return project


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to plant another user's file")
def test_a_config_of_another_user_in_a_shared_parent_is_ignored_with_a_warning(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    project = _project(shared)
    planted = shared / ".chatlint.yaml"
    planted.write_text(PLANTED, encoding="utf-8")
    os.chown(planted, 54321, 54321)
    result = check(project, "a.txt")
    assert "a.txt:1:1: error taboo/dont-know" in result.stdout
    assert f"chatlint: warning: {planted} is owned by another user (uid 54321): ignored" in result.stderr
    assert result.returncode == 1


def test_the_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / ".chatlint.yaml").write_text(PLANTED, encoding="utf-8")
    (project / ".git").mkdir()
    result = check(project, "a.txt")
    assert "a.txt:1:1: error taboo/dont-know" in result.stdout
    (project / ".chatlint.yaml").write_text("severity: {taboo/dont-know: warning}\n", encoding="utf-8")
    assert "a.txt:1:1: warning taboo/dont-know" in check(project, "a.txt").stdout  # its own is used


def test_the_walk_stops_at_the_home_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    project = _project(home)
    (tmp_path / ".chatlint.yaml").write_text(PLANTED, encoding="utf-8")
    env = dict(os.environ, HOME=str(home))
    result = subprocess.run(
        [CHATLINT, "check", "a.txt"], cwd=project, capture_output=True, text=True, timeout=60, env=env
    )
    assert "a.txt:1:1: error taboo/dont-know" in result.stdout
    (home / ".chatlint.yaml").write_text(PLANTED, encoding="utf-8")  # in the home folder itself: used
    result = subprocess.run(
        [CHATLINT, "check", "a.txt"], cwd=project, capture_output=True, text=True, timeout=60, env=env
    )
    assert result.stdout == ""


def test_a_config_of_ones_own_above_the_folder_is_still_found(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (tmp_path / ".chatlint.yaml").write_text(PLANTED, encoding="utf-8")
    assert check(project, "a.txt").stdout == ""
