"""The real pre-commit runs the chatlint hook of .pre-commit-hooks.yaml in a temporary repository.

pre-commit installs the hook the way a user's repository would: it clones this project at
a commit, builds a virtualenv and pip-installs chatlint into it. To keep it fast, the
virtualenv sees the base interpreter's site-packages, so dependencies already installed
there (pymorphy3 and its dictionaries are the big ones) are not downloaded again; what is
missing (in a CI virtualenv: everything) pip fetches from the package index as usual.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pre_commit = pytest.importorskip("pre_commit", reason="pre-commit is not installed (pip install pre-commit)")
if shutil.which("git") is None:  # pragma: no cover
    pytest.skip("git is not available", allow_module_level=True)


def _git(cwd: Path, *args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=check)


def _env(home: Path) -> dict:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(home / "pre-commit-cache"),
        VIRTUALENV_SYSTEM_SITE_PACKAGES="true",  # reuse dependencies installed in the base interpreter
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    )
    env.pop("PYTHONPATH", None)
    return env


def _hook_repo(tmp: Path, env: dict) -> tuple[Path, str]:
    """A git repository holding the current working tree of chatlint, and its commit."""
    repo = tmp / "chatlint-src"
    files = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            dst = repo / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    _git(repo.parent, "init", "-q", str(repo), env=env)
    _git(repo, "add", "-A", env=env)
    _git(repo, "commit", "-q", "-m", "snapshot", env=env)
    return repo, _git(repo, "rev-parse", "HEAD", env=env).stdout.strip()


BAD = """\
greeting: "Здравствуйте, {{name}}! Спасибо за обращение."
delivery: |
  Добрый день!
  Я не знаю, когда приедет курьер.
"""
GOOD = BAD.replace("Я не знаю, когда приедет курьер.", "Сейчас уточню, когда приедет курьер, и напишу вам.")


def test_pre_commit_blocks_a_bad_reply_and_passes_a_fixed_one(tmp_path: Path) -> None:
    env = _env(tmp_path)
    hook_repo, rev = _hook_repo(tmp_path, env)
    lib = tmp_path / "support-replies"
    _git(tmp_path, "init", "-q", str(lib), env=env)
    (lib / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: chatlint\n"
        "        files: ^replies/\n",
        encoding="utf-8",
    )
    (lib / "replies").mkdir()
    (lib / "replies" / "delivery.yaml").write_text(BAD, encoding="utf-8")
    (lib / "notes.md").write_text("Я не знаю.\n", encoding="utf-8")  # outside `files`: not checked
    run = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run([*run, "install"], cwd=lib, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    _git(lib, "add", "-A", env=env)

    refused = _git(lib, "commit", "-m", "bad reply", env=env, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "replies/delivery.yaml:4:3: error taboo/dont-know" in output, output
    assert "notes.md" not in output

    (lib / "replies" / "delivery.yaml").write_text(GOOD, encoding="utf-8")
    _git(lib, "add", "-A", env=env)
    accepted = _git(lib, "commit", "-m", "fixed reply", env=env, check=False)
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "chatlint" in accepted.stdout + accepted.stderr and "Passed" in accepted.stdout + accepted.stderr
