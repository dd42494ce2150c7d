"""Configuration files: discovery, every key, errors naming file and key, `chatlint config`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.config import ConfigFileError, find_config, glob_matches, load_config
from chatlint.project import CliOptions, Project

BAD_REPLY = "delivery: Я не знаю, когда приедет курьер!!! ВАШ ЗАКАЗ в пути.\n"


def run(*args: str, cwd: Path | None = None, input: str | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args), input=input)
    import os

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input)
    finally:
        os.chdir(old)


def rules_fired(result) -> list[str]:
    return [item["rule"] for item in json.loads(result.stdout)]


def lib(tmp_path: Path, config_name: str, config_text: str, reply: str = BAD_REPLY) -> Path:
    (tmp_path / config_name).write_text(config_text, encoding="utf-8")
    (tmp_path / "replies").mkdir(exist_ok=True)
    path = tmp_path / "replies" / "lib.yaml"
    path.write_text(reply, encoding="utf-8")
    return path


def test_discovery_walks_up_and_prefers_chatlint_toml(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) is None  # a pyproject.toml without [tool.chatlint] does not count
    (tmp_path / "pyproject.toml").write_text("[tool.chatlint]\nignore = ['style']\n", encoding="utf-8")
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / ".chatlint.yaml").write_text("ignore: [taboo]\n", encoding="utf-8")
    assert find_config(deep) == tmp_path / "a" / ".chatlint.yaml"
    (tmp_path / "a" / "chatlint.toml").write_text("ignore = ['taboo']\n", encoding="utf-8")
    assert find_config(deep / "file.yaml") == tmp_path / "a" / "chatlint.toml"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pyproject.toml", '[tool.chatlint]\nselect = ["taboo"]\n'),
        ("chatlint.toml", 'select = ["taboo"]\n'),
        (".chatlint.yaml", "select: [taboo]\n"),
    ],
)
def test_select_from_each_file_kind(tmp_path: Path, name: str, text: str) -> None:
    path = lib(tmp_path, name, text)
    result = run("check", "--format", "json", str(path))
    assert set(rules_fired(result)) == {"taboo/dont-know"}
    assert result.exit_code == 1


def test_ignore_extend_select_severity_options(tmp_path: Path) -> None:
    path = lib(
        tmp_path,
        "chatlint.toml",
        'ignore = ["style/caps"]\nextend-select = []\n[severity]\n"taboo/dont-know" = "warning"\n'
        '[options."style/exclamation"]\nmax_run = 3\n',
    )
    result = run("check", "--format", "json", str(path))
    assert "style/caps" not in rules_fired(result)
    assert "style/exclamation" not in rules_fired(result)  # "!!!" is within max_run = 3
    assert [i["severity"] for i in json.loads(result.stdout) if i["rule"] == "taboo/dont-know"] == ["warning"]
    assert result.exit_code == 0  # no error-severity finding left


def test_per_file_ignores_and_exclude(tmp_path: Path) -> None:
    path = lib(
        tmp_path,
        "chatlint.toml",
        'exclude = ["drafts/"]\n[per-file-ignores]\n"replies/*.yaml" = ["taboo"]\n',
    )
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "x.yaml").write_text(BAD_REPLY, encoding="utf-8")
    result = run("check", "--format", "json", str(tmp_path))
    items = json.loads(result.stdout)
    assert {i["rule"] for i in items} == {"style/caps", "style/exclamation"}
    assert {Path(i["path"]).name for i in items} == {"lib.yaml"}
    # an excluded file given explicitly (as pre-commit does) is skipped too
    result = run("check", "--format", "json", str(tmp_path / "drafts" / "x.yaml"))
    assert json.loads(result.stdout) == []
    del path


def test_exclude_and_per_file_ignores_stay_in_their_folder(tmp_path: Path) -> None:
    lib(
        tmp_path,
        "chatlint.toml",
        'exclude = ["replies/*.yaml", "!replies/keep.yaml"]\n[per-file-ignores]\n"other/*.yaml" = ["style"]\n',
    )
    for name in ("replies/a.yaml", "replies/keep.yaml", "replies/legacy/b.yaml", "other/c.yaml", "other/old/d.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BAD_REPLY, encoding="utf-8")
    items = json.loads(run("check", "--format", "json", str(tmp_path)).stdout)
    found = {(Path(i["path"]).relative_to(tmp_path).as_posix(), i["rule"].split("/")[0]) for i in items}
    paths = {path for path, _ in found}
    assert paths == {"replies/keep.yaml", "replies/legacy/b.yaml", "other/c.yaml", "other/old/d.yaml"}
    assert ("other/c.yaml", "style") not in found and ("other/c.yaml", "taboo") in found
    assert ("other/old/d.yaml", "style") in found


def test_a_pattern_with_a_bad_range_is_a_config_error(tmp_path: Path) -> None:
    lib(tmp_path, "chatlint.toml", 'exclude = ["[z-a].yaml"]\n')
    result = run("check", str(tmp_path))
    assert result.exit_code == 2 and "exclude" in result.stderr


def test_extra_rule_folders_relative_to_config(tmp_path: Path) -> None:
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "brand.yaml").write_text(
        "- id: house/old-name\n  kind: regex\n  severity: error\n  regex: 'СтарыйБренд'\n"
        "  message: 'Старое название'\n  source: 'гайд компании'\n",
        encoding="utf-8",
    )
    path = lib(tmp_path, ".chatlint.yaml", "rules: [house]\nselect: [house]\n", "a: Это СтарыйБренд.\n")
    result = run("check", "--format", "json", str(path))
    assert rules_fired(result) == ["house/old-name"]


def test_vocabulary_reaches_the_linter(tmp_path: Path) -> None:
    path = lib(tmp_path, "chatlint.toml", '[vocabulary]\naccept = ["Озон", "СберБанк"]\nreject = ["инфа"]\n')
    project = Project()
    linter = project.linter_for(project.config_for(path))
    assert linter.ctx.vocabulary.accept == frozenset({"озон", "сбербанк"})
    assert linter.ctx.vocabulary.reject == frozenset({"инфа"})


def test_templates_table(tmp_path: Path) -> None:
    (tmp_path / "chatlint.toml").write_text(
        '[templates]\nfields = ["body"]\ncsv-column = "Ответ"\ntxt-paragraphs = true\n', encoding="utf-8"
    )
    (tmp_path / "a.yaml").write_text("- body: Я не знаю.\n  title: Заголовок\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("Код,Ответ\n1,Я не знаю.\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Хорошо.\n\nЯ не знаю.\n", encoding="utf-8")
    result = run("check", "--format", "json", "--select", "taboo", str(tmp_path))
    items = json.loads(result.stdout)
    assert [(Path(i["path"]).name, i["line"], i["column"]) for i in items] == [
        ("a.yaml", 1, 9),
        ("b.csv", 2, 3),
        ("c.txt", 3, 1),
    ]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("selct = ['taboo']\n", "selct: unknown key (did you mean 'select'?)"),
        ("select = ['taboo/no-such-rule']\n", "select: unknown rule or category 'taboo/no-such-rule'"),
        ("[severity]\n'style/capz' = 'error'\n", "severity.style/capz: unknown rule id 'style/capz'"),
        ("[options.'style/caps']\nmax_wordz = 3\n", "has no option 'max_wordz'"),
        ("[per-file-ignores]\n'*.yaml' = ['nope']\n", "per-file-ignores.*.yaml: unknown rule or category 'nope'"),
        ("[vocabulary]\naccep = ['x']\n", "vocabulary.accep: unknown key"),
        ("[templates]\nfield = ['x']\n", "templates.field: unknown key"),
        ("select = 'taboo'\n", "select: must be a list"),
        ("rules = ['missing-folder']\n", "rules: no such rule file or folder"),
        ("select = [\n", "bad TOML"),
    ],
)
def test_config_errors_name_file_and_key(tmp_path: Path, text: str, needle: str) -> None:
    path = lib(tmp_path, "chatlint.toml", text)
    result = run("check", str(path))
    assert result.exit_code == 2
    assert "chatlint.toml" in result.stderr and needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_key_in_pyproject_gives_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.chatlint]\nignor = []\n")
    with pytest.raises(ConfigFileError) as info:
        load_config(tmp_path / "pyproject.toml")
    assert str(info.value).startswith(f"{tmp_path / 'pyproject.toml'}:5: [tool.chatlint] ignor: unknown key")


def test_command_line_overrides_config(tmp_path: Path) -> None:
    path = lib(tmp_path, "chatlint.toml", 'select = ["style"]\n')
    result = run("check", "--format", "json", "--select", "taboo", str(path))
    assert set(rules_fired(result)) == {"taboo/dont-know"}
    result = run("check", "--format", "json", "--isolated", str(path))
    assert "taboo/dont-know" in rules_fired(result) and "style/caps" in rules_fired(result)
    other = tmp_path / "other.toml"
    other.write_text('select = ["style/caps"]\n', encoding="utf-8")
    result = run("check", "--format", "json", "--config", str(other), str(path))
    assert rules_fired(result) == ["style/caps"]


def test_chatlint_config_prints_values_and_origins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.chatlint]\nignore = ["style/caps"]\n[tool.chatlint.severity]\n"style/emoji" = "error"\n',
        encoding="utf-8",
    )
    result = run("config", str(tmp_path), "--extend-select", "taboo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"# configuration file: {tmp_path.resolve() / 'pyproject.toml'}"
    where = f"{tmp_path.resolve() / 'pyproject.toml'} [tool.chatlint]"
    assert any(line.startswith("ignore ") and '["style/caps"]' in line and line.endswith(where) for line in lines)
    assert any(line.startswith("severity ") and '"style/emoji" = "error"' in line for line in lines)
    assert any(line.startswith("extend-select ") and line.endswith("# command line") for line in lines)
    assert any(line.startswith("exclude ") and line.endswith("# default") for line in lines)
    for key in ("select", "per-file-ignores", "rules", "builtin", "vocabulary", "options", "templates"):
        assert any(line.startswith(key + " ") for line in lines), key
    assert "style/caps" not in lines[-1] and "style/emoji" in lines[-1]


def test_config_command_reports_errors(tmp_path: Path) -> None:
    (tmp_path / ".chatlint.yaml").write_text("ignore: [style]\nbogus: 1\n", encoding="utf-8")
    result = run("config", str(tmp_path))
    assert result.exit_code == 2
    assert ".chatlint.yaml:2: bogus: unknown key" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("drafts/", "drafts/a.yaml", True),
        ("drafts", "x/drafts/a.yaml", True),
        ("*.md", "docs/readme.md", True),
        ("replies/*.yaml", "replies/a.yaml", True),
        ("replies/*.yaml", "other/replies/a.yaml", False),
        ("replies/**/*.yaml", "replies/a/b/c.yaml", True),
        ("replies/**/*.yaml", "replies/c.yaml", True),
        ("*.json", "a.yaml", False),
        # git's semantics: «*» stays within one folder; a leading «/» or a «/» inside anchors the pattern
        ("replies/*.yaml", "replies/legacy/a.yaml", False),
        ("/a.yaml", "a.yaml", True),
        ("/a.yaml", "sub/a.yaml", False),
        ("replies/a?.yaml", "replies/ab.yaml", True),
        ("replies/a?.yaml", "replies/a/.yaml", False),
        ("replies", "replies/legacy/a.yaml", True),
        ("./replies/*.yaml", "replies/a.yaml", True),
        ("[ab].yaml", "x/b.yaml", True),
    ],
)
def test_globs(pattern: str, path: str, expected: bool) -> None:
    assert glob_matches(pattern, path) is expected


def test_project_without_config_uses_defaults(tmp_path: Path) -> None:
    project = Project(CliOptions(isolated=True))
    config = project.config_for(tmp_path)
    assert config.path is None and config.select is None and config.builtin


def test_transcripts_go_to_the_transcript_runner_with_the_configuration(tmp_path: Path) -> None:
    lines = [
        {"conversation_id": "c1", "message_id": 1, "timestamp": "2024-05-01T10:00:00+03:00", "role": "client",
         "author": "Клиент", "text": "Где мой заказ?"},
        {"conversation_id": "c1", "message_id": 2, "timestamp": "2024-05-01T10:00:20+03:00", "role": "operator",
         "author": "Анна", "text": "Я не знаю!!!"},
    ]  # fmt: skip
    path = tmp_path / "chats.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", encoding="utf-8")
    (tmp_path / "chatlint.toml").write_text('ignore = ["style"]\n', encoding="utf-8")
    result = run("check", "--format", "json", str(path), cwd=tmp_path)
    items = json.loads(result.stdout)
    assert "taboo/dont-know" in [i["rule"] for i in items]
    assert not [i for i in items if i["rule"].startswith("style/")]  # the configuration applies
    assert all(i.get("conversation_id") == "c1" for i in items)  # read as a transcript, not a reply
