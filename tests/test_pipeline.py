"""One check pipeline for every entry point: the same findings from serial, ``-j``,
``--statistics``, ``report`` and the library, with each file's own configuration."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import chatlint
from chatlint.cli import main

LIBRARY = (
    "# chatlint: ignore[style/caps] nothing in caps here\n"
    "a: Спасибо!!!  # chatlint: ignore[style/exclamation] так в брендбуке\n"
    "b: Я не знаю!!!\n"
)


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def brief(stdout: str) -> list[tuple[str, int, int]]:
    return [(i["rule"], i["line"], i["column"]) for i in json.loads(stdout)]


@pytest.fixture()
def library(tmp_path: Path) -> Path:
    path = tmp_path / "lib.yaml"
    path.write_text(LIBRARY, encoding="utf-8")
    return path


EXPECTED = [
    ("chatlint/unused-ignore", 1, 3),
    ("taboo/dont-know", 3, 4),
    ("style/exclamation", 3, 13),
]


@pytest.mark.parametrize("extra", [[], ["-j", "2"]])
def test_suppressions_and_position_order_under_every_route(library: Path, extra: list[str]) -> None:
    code, out, err = run(["check", "--format", "json", *extra, str(library)], library.parent)
    assert code == 1, err
    assert brief(out) == EXPECTED  # suppressed one gone, unused one reported, in position order


def test_statistics_count_what_a_plain_run_reports(library: Path) -> None:
    code, out, err = run(["check", "--statistics", "--format", "json", str(library)], library.parent)
    assert code == 1, err
    counts = json.loads(out)["by_rule"]
    assert counts == {"chatlint/unused-ignore": 1, "style/exclamation": 1, "taboo/dont-know": 1}


def test_template_options_and_per_folder_config_under_jobs(tmp_path: Path) -> None:
    (tmp_path / "chatlint.toml").write_text('[templates]\nfields = ["body"]\n', encoding="utf-8")
    (tmp_path / "a.yaml").write_text("- body: Я не знаю.\n  title: Я не знаю.\n", encoding="utf-8")
    sub = tmp_path / "legacy"
    sub.mkdir()
    (sub / "chatlint.toml").write_text('ignore = ["taboo/dont-know"]\n[templates]\nfields = ["body"]\n')
    (sub / "b.yaml").write_text("- body: Я не знаю.\n", encoding="utf-8")
    serial = run(["check", "--format", "json", "."], tmp_path)
    jobs = run(["check", "--format", "json", "-j", "2", "."], tmp_path)
    assert serial == jobs
    items = json.loads(serial[1])
    assert [(Path(i["path"]).name, i["rule"], i["line"], i["column"]) for i in items] == [
        ("a.yaml", "taboo/dont-know", 1, 9)  # only the `body` field; b.yaml's folder ignores the rule
    ]


def test_report_takes_the_configuration(tmp_path: Path) -> None:
    rows = [
        {"conversation_id": "c1", "role": "client", "text": "Где заказ?", "timestamp": "2024-03-15T10:00:00+03:00"},
        {"conversation_id": "c1", "role": "operator", "author": "Анна", "text": "Я не знаю.",
         "timestamp": "2024-03-15T10:00:20+03:00"},
    ]  # fmt: skip
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    (tmp_path / "kept.jsonl").write_text(data, encoding="utf-8")
    (tmp_path / "old.jsonl").write_text(data, encoding="utf-8")
    (tmp_path / "chatlint.toml").write_text(
        'exclude = ["old.jsonl"]\n[severity]\n"taboo/dont-know" = "info"\n', encoding="utf-8"
    )
    code, out, err = run(["report", "-o", "r.html", "."], tmp_path)
    assert code == 0, err
    assert "in 1 conversations" in out or "в 1 " in out or "1 conversation" in out, out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "taboo/dont-know" in html
    code, out, err = run(["check", "--format", "json", "."], tmp_path)
    assert [(Path(i["path"]).name, i["severity"]) for i in json.loads(out) if i["rule"] == "taboo/dont-know"] == [
        ("kept.jsonl", "info")
    ]


def test_detection_and_walk_run_once_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chatlint.transcripts as transcripts

    rows = [{"conversation_id": "c1", "role": "operator", "text": "Я не знаю."}]
    (tmp_path / "t.jsonl").write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", encoding="utf-8")
    calls: list[str] = []
    real = transcripts.detect

    def counting(path, *args, **kwargs):
        calls.append(Path(path).name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(transcripts, "detect", counting)
    import importlib

    for name in ("chatlint.runner", "chatlint.inputs"):  # modules that bound the name at import
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "detect"):
            monkeypatch.setattr(module, "detect", counting)
    code, out, err = run(["check", "--format", "json", "."], tmp_path)
    assert code == 1, err
    assert calls == ["t.jsonl"]


def test_fail_on_warning(library: Path, tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text("a: Щас проверю!!!\n", encoding="utf-8")
    assert run(["check", str(path)], tmp_path)[0] == 0  # warnings only: passes by default
    assert run(["check", "--fail-on", "warning", str(path)], tmp_path)[0] == 1
    assert run(["check", "--fail-on", "warning", "-j", "2", str(path)], tmp_path)[0] == 1
    clean = tmp_path / "clean.yaml"
    clean.write_text("a: Спасибо за ожидание.\n", encoding="utf-8")
    assert run(["check", "--fail-on", "info", str(clean)], tmp_path)[0] == 0


def test_shipped_hooks_fail_on_warnings() -> None:
    hooks = (Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    entries = [line.split(":", 1)[1].strip() for line in hooks.splitlines() if line.strip().startswith("entry:")]
    assert entries and all("--fail-on warning" in e for e in entries)


def test_library_stream_api(library: Path, tmp_path: Path) -> None:
    results = list(chatlint.check_files([library]))
    assert [(r.path.name, [(d.rule, reply.line_col(d.start)) for reply, d in r.findings]) for r in results] == [
        ("lib.yaml", [(rule, (line, col)) for rule, line, col in EXPECTED])
    ]
    assert all(not r.errors for r in results)


def test_conversation_stream_api() -> None:
    from chatlint.dialogue import parse_script

    conv = parse_script("0:00 client: Где мой заказ?\n0:20 operator(Анна): Я не знаю.\n")
    [(got, findings)] = list(chatlint.check_conversations([conv]))
    assert got is conv
    assert "taboo/dont-know" in [d.rule for _, d in findings]
