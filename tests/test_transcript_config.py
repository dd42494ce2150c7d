"""Transcript runs honour the configuration's ``exclude`` and ``per-file-ignores`` as template
runs do (each file's own configuration), with -j 1 and -j 2 alike; ``--statistics`` counts
what is left."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main

FIX = Path(__file__).parent / "fixtures" / "transcripts"


def run(cwd: Path, *args: str):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["check", "--tz", "Europe/Moscow", "--no-progress", *args])
    finally:
        os.chdir(old)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """chats/ and drafts/ hold the same clean JSONL transcript; legacy/ a copy to relax."""
    lines = (FIX / "chats.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    clean = "".join(line for i, line in enumerate(lines, 1) if i not in (4, 6))
    for folder in ("chats", "drafts", "legacy"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "day.jsonl").write_text(clean, encoding="utf-8")
    return tmp_path


def findings(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_without_configuration_every_file_is_checked(project: Path) -> None:
    result = run(project, ".", "--format", "jsonl")
    assert result.exit_code == 1, result.output
    folders = {Path(i["path"]).parent.name for i in findings(result)}
    assert folders == {"chats", "drafts", "legacy"}
    assert {"taboo/dont-know", "style/exclamation"} <= {i["rule"] for i in findings(result)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_exclude_and_per_file_ignores(project: Path, jobs: str) -> None:
    (project / "chatlint.toml").write_text(
        'exclude = ["drafts/"]\n[per-file-ignores]\n"legacy/*.jsonl" = ["taboo", "style/exclamation"]\n',
        encoding="utf-8",
    )
    result = run(project, ".", "--format", "jsonl", "-j", jobs)
    items = findings(result)
    by_folder: dict[str, set[str]] = {}
    for item in items:
        by_folder.setdefault(Path(item["path"]).parent.name, set()).add(item["rule"])
    assert "drafts" not in by_folder  # excluded when found in a folder
    assert {"taboo/dont-know", "style/exclamation"} <= by_folder["chats"]
    assert not any(r.startswith("taboo/") or r == "style/exclamation" for r in by_folder.get("legacy", ()))
    assert result.exit_code == 1  # taboo/dont-know in chats/ is an error
    # an excluded file named on the command line is skipped too (as pre-commit passes files)
    named = run(project, str(Path("drafts") / "day.jsonl"), "--format", "jsonl", "-j", jobs)
    assert named.exit_code == 0 and named.stdout == ""


def test_per_file_ignores_change_exit_code_and_statistics(project: Path) -> None:
    shutil.rmtree(project / "drafts")
    shutil.rmtree(project / "chats")
    (project / "chatlint.toml").write_text('[per-file-ignores]\n"*.jsonl" = ["taboo"]\n', encoding="utf-8")
    result = run(project, "legacy", "--statistics", "--format", "json")
    assert result.exit_code == 0, result.output  # the only error-severity rule is ignored here
    data = json.loads(result.stdout)
    assert "taboo/dont-know" not in data["by_rule"] and data["findings"] == sum(data["by_rule"].values())
    assert data["conversations"] == 2


def test_a_folder_configuration_applies_to_its_files(project: Path) -> None:
    (project / "legacy" / "chatlint.toml").write_text('[per-file-ignores]\n"*.jsonl" = ["taboo"]\n', encoding="utf-8")
    result = run(project, ".", "--format", "jsonl")
    rules = {(Path(i["path"]).parent.name, i["rule"]) for i in findings(result)}
    assert ("chats", "taboo/dont-know") in rules and ("legacy", "taboo/dont-know") not in rules
