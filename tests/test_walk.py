"""`chatlint check DIR`: readers by extension, .gitignore and exclude honoured; JSON/CSV maps agree."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.cli import main
from chatlint.project import _walk_without_git
from chatlint.templates import csv_replies
from chatlint.templates.json_reader import parse
from chatlint.templates.mapping import FileText


def make_tree(root: Path) -> None:
    (root / "replies").mkdir(parents=True)
    (root / "replies" / "a.yaml").write_text("a: Я не знаю.\n", encoding="utf-8")
    (root / "replies" / "b.md").write_text("- Я не знаю.\n", encoding="utf-8")
    (root / "replies" / "script.py").write_text("print('Я не знаю.')\n", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "c.yaml").write_text("a: Я не знаю.\n", encoding="utf-8")
    (root / "replies" / "tmp.yaml").write_text("a: Я не знаю.\n", encoding="utf-8")
    (root / ".gitignore").write_text("build/\ntmp.yaml\n", encoding="utf-8")


def checked(root: Path) -> set[str]:
    result = CliRunner().invoke(main, ["check", "--format", "json", "--isolated", str(root)])
    return {Path(i["path"]).relative_to(root).as_posix() for i in json.loads(result.stdout)}


def test_walk_honours_gitignore_without_git(tmp_path: Path) -> None:
    make_tree(tmp_path)
    assert checked(tmp_path) == {"replies/a.yaml", "replies/b.md"}
    assert sorted(p.name for p in _walk_without_git(tmp_path, [])) == ["a.yaml", "b.md", "script.py"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not available")
def test_walk_honours_gitignore_in_a_git_repository(tmp_path: Path) -> None:
    make_tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert checked(tmp_path) == {"replies/a.yaml", "replies/b.md"}
    assert checked(tmp_path / "replies") == {"a.yaml", "b.md"}


def test_walk_reads_gitignore_as_git_does_without_git(tmp_path: Path) -> None:
    for name in ("a.yaml", "keep.yaml", "sub/a.yaml", "sub/b.yaml", "sub/deep/c.yaml", "logs/x.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: Я не знаю.\n", encoding="utf-8")
    # «!» re-includes, «/a.yaml» is anchored to its folder, «logs» is a name anywhere (and hides
    # what is under it); a deeper .gitignore adds to the outer one, relative to its own folder
    (tmp_path / ".gitignore").write_text("*.yaml\n!keep.yaml\n!sub/\n!sub/**\nlogs\n", encoding="utf-8")
    (tmp_path / "sub" / ".gitignore").write_text("/a.yaml\n# comment\n\n", encoding="utf-8")
    names = sorted(p.relative_to(tmp_path).as_posix() for p in _walk_without_git(tmp_path, []))
    assert names == ["keep.yaml", "sub/b.yaml", "sub/deep/c.yaml"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not available")
def test_hidden_files_and_folders_are_left_out_in_a_git_repository_too(tmp_path: Path) -> None:
    make_tree(tmp_path)
    for name in (".github/workflow.yaml", ".pre-commit-config.yaml", "replies/.draft.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("a: Я не знаю.\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert checked(tmp_path) == {"replies/a.yaml", "replies/b.md"}
    hidden = tmp_path / ".hidden-start"
    make_tree(hidden)
    assert checked(hidden) == {"replies/a.yaml", "replies/b.md"}  # only what is below the start counts


def _configured_tree(root: Path, respect: str) -> None:
    make_tree(root)
    (root / "chatlint.toml").write_text(f"respect-gitignore = {respect}\n", encoding="utf-8")


def checked_with_config(root: Path) -> set[str]:
    result = CliRunner().invoke(main, ["check", "--format", "json", str(root)])
    assert result.exit_code in (0, 1), result.output
    return {Path(i["path"]).relative_to(root).as_posix() for i in json.loads(result.stdout)}


def test_respect_gitignore_false_walks_ignored_files_without_git(tmp_path: Path) -> None:
    _configured_tree(tmp_path, "false")
    assert checked_with_config(tmp_path) == {"replies/a.yaml", "replies/b.md", "build/c.yaml", "replies/tmp.yaml"}
    _configured_tree(tmp_path / "again", "true")
    assert checked_with_config(tmp_path / "again") == {"replies/a.yaml", "replies/b.md"}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not available")
def test_respect_gitignore_false_walks_ignored_files_in_a_git_repository(tmp_path: Path) -> None:
    _configured_tree(tmp_path, "false")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert checked_with_config(tmp_path) == {"replies/a.yaml", "replies/b.md", "build/c.yaml", "replies/tmp.yaml"}


def test_respect_gitignore_must_be_true_or_false(tmp_path: Path) -> None:
    _configured_tree(tmp_path, '"no"')
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2 and "respect-gitignore" in result.stderr


def _linked_tree(root: Path, links: int) -> Path:
    folder = root / "lib"
    folder.mkdir()
    (folder / "a.yaml").write_text("a: Я не знаю.\n", encoding="utf-8")
    (root / "outside.yaml").write_text("a: Я не знаю.\n", encoding="utf-8")
    for i in range(links):
        (folder / f"up{i}").symlink_to("..", target_is_directory=True)
    return folder


def test_walk_ends_with_two_links_to_the_parent_folder(tmp_path: Path) -> None:
    folder = _linked_tree(tmp_path, 2)
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from chatlint.cli import main; main()",
            "check",
            "--isolated",
            "--format",
            "json",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert [Path(i["path"]).name for i in json.loads(done.stdout) if i["rule"] == "taboo/dont-know"] == ["a.yaml"]


def test_walk_follows_no_folder_link_twice(tmp_path: Path) -> None:
    folder = _linked_tree(tmp_path, 1)
    (folder / "same").symlink_to(folder / "sub", target_is_directory=True)
    (folder / "sub").mkdir()
    (folder / "sub" / "b.yaml").write_text("b: Я не знаю.\n", encoding="utf-8")
    names = [p.relative_to(folder).as_posix() for p in _walk_without_git(folder.resolve(), [])]
    assert names == ["a.yaml", "same/b.yaml"] or names == ["a.yaml", "sub/b.yaml"]
    assert checked(folder) == {"a.yaml", names[1]}


_text = st.text(alphabet=st.sampled_from(list('абв ЖЗ!,;."\\/\n\r\t😀{}') + ["\u2028", "\x00"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, min_size=1, max_size=4), st.booleans())
def test_json_map_agrees_with_json_module(texts: list[str], ascii_only: bool) -> None:
    source = json.dumps({"replies": [{"text": t} for t in texts]}, ensure_ascii=ascii_only, indent=1)
    file = FileText("x.json", source)
    tree = parse(file)
    values = [item.pairs[0][2] for item in tree.pairs[0][2].items]
    assert [v.value for v in values] == texts
    for value in values:
        source_map = value.source()
        for i, ch in enumerate(value.value):
            raw = source[source_map.starts[i] : source_map.ends[i]]
            assert json.loads(f'"{raw}"') == ch  # one char, or its escape (a surrogate pair for emoji)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list('аб ,;"\n\r')), max_size=20), min_size=1, max_size=4))
def test_csv_map_agrees_with_csv_module(tmp_path_factory, texts: list[str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "text"])
    for i, t in enumerate(texts):
        writer.writerow([f"n{i}", t])
    path = tmp_path_factory.mktemp("csv") / "lib.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    replies = list(csv_replies(path))
    assert [r.text for r in replies] == texts
    source = out.getvalue()
    for reply in replies:
        for i, ch in enumerate(reply.text):
            raw = source[reply.source.starts[i] : reply.source.ends[i]]
            assert raw == ch or (raw == '""' and ch == '"')


def test_looks_like_library_tells_exports_from_libraries() -> None:
    from chatlint.templates import looks_like_library

    assert looks_like_library('[{"short_code": "hi", "content": "Здравствуйте!"}]')
    assert not looks_like_library('{"payload": [{"id": 1, "messages": [{"content": "Привет", "created_at": 1}]}]}')
