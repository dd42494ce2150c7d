"""``chatlint eval``: the arithmetic on a tiny corpus, corpus errors, the CLI and --sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.evaluate import CorpusError, RuleScore, evaluate, load_corpus, load_entries
from chatlint.linter import Linter

RULES = ["taboo/dont-know", "style/one-word", "style/caps"]

LABELLED = """\
- text: "Я не знаю."             # dont-know TP; one-word silent
  rules: [taboo/dont-know]
- text: "Мы не знаем, когда привезут заказ."
  rules: [taboo/dont-know]     # TP
- text: "Сейчас уточню и вернусь."
  rules: [taboo/dont-know]     # FN
- text: "Да."                    # one-word fires, not labelled: FP
  rules: []
- text: "Нет ответа от склада, уточню."
  rules: [tone/not-here]       # a rule that is not loaded
"""
CLEAN = """\
- text: "Спасибо за заказ, хорошего дня."
- text: "Понятно."               # one-word: FP (warning)
  rules: []
"""


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "labelled").mkdir()
    (tmp_path / "clean").mkdir()
    (tmp_path / "labelled" / "a.yaml").write_text(LABELLED, encoding="utf-8")
    (tmp_path / "clean" / "b.yaml").write_text(CLEAN, encoding="utf-8")
    return tmp_path


def _report(tmp_path: Path, **linter_args):
    entries, files = load_entries([_corpus(tmp_path)])
    return evaluate(Linter(select=RULES, **linter_args), entries, files)


def test_counts_per_rule(tmp_path: Path) -> None:
    report = _report(tmp_path)
    assert (report.entries, report.files) == (7, 2)
    dont_know = report.scores["taboo/dont-know"]
    assert (dont_know.tp, dont_know.fp, dont_know.fn) == (2, 0, 1)
    assert dont_know.precision == 1.0
    assert dont_know.recall == pytest.approx(2 / 3)
    one_word = report.scores["style/one-word"]
    assert (one_word.tp, one_word.fp, one_word.fn) == (0, 2, 0)
    assert one_word.precision == 0.0
    assert one_word.recall is None
    assert one_word.status == "no labelled entries"
    caps = report.scores["style/caps"]
    assert (caps.tp, caps.fp, caps.fn, caps.precision, caps.recall) == (0, 0, 0, None, None)
    assert caps.status == "no labelled entries, never fired"
    assert report.unknown_labels == {"tone/not-here": 1}


def test_outcomes_name_file_and_line(tmp_path: Path) -> None:
    report = _report(tmp_path)
    found = {(o.kind, o.rule, Path(o.entry.path).name, o.entry.line) for o in report.outcomes}
    assert found == {
        ("miss", "taboo/dont-know", "a.yaml", 5),
        ("false-alarm", "style/one-word", "a.yaml", 7),
        ("false-alarm", "style/one-word", "b.yaml", 2),
    }
    alarm = next(o for o in report.outcomes if o.entry.line == 7)
    assert alarm.spans == ("Да",)


def test_info_in_clean_set_is_no_false_alarm(tmp_path: Path) -> None:
    report = _report(tmp_path, severity={"style/one-word": "info"})
    one_word = report.scores["style/one-word"]
    assert (one_word.fp, one_word.tp) == (1, 0)  # the labelled «Да.» still counts, the clean «Понятно.» not


def test_thresholds() -> None:
    from chatlint.evaluate import Report

    scores = {
        "a/perfect": RuleScore("a/perfect", tp=10),
        "a/noisy": RuleScore("a/noisy", tp=9, fp=1),
        "a/deaf": RuleScore("a/deaf", tp=0, fn=3),
        "a/empty": RuleScore("a/empty"),
    }
    report = Report(scores, [], 0, 0)
    assert report.failures(None, None) == []
    assert report.failures(0.95, None) == ["a/noisy: precision 0.900 < 0.95"]
    assert report.failures(0.9, None) == []
    recall = report.failures(None, 0.9)
    assert recall == ["a/deaf: recall 0.000 < 0.9", "a/empty: no labelled entries, recall unknown"]
    assert scores["a/deaf"].status == "never fired"


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        ('- text: "Да."\n  rule: [a/b]\n', ":2:", "unknown key 'rule'"),
        ('- text: "Да.\n  rules: []\n', ":3:", "invalid YAML"),
        ('- text: "Да."\n', ":1:", "missing 'rules'"),
        ("- text: 5\n  rules: []\n", ":1:", "'text' must be a non-empty string"),
        ('- text: "Да."\n  rules: [Caps]\n', ":2:", "not a rule id"),
        ('- text: "Да."\n  rules: style/caps\n', ":2:", "must be a list"),
        ("text: Да\n", ":1:", "a corpus file is a list"),
        ("- Да\n", ":1:", "an entry is a mapping"),
    ],
)
def test_bad_corpus_files(tmp_path: Path, content: str, where: str, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    message = str(info.value)
    assert message.startswith(f"{path}{where}"), message
    assert words in message


def test_clean_entries_label_nothing(tmp_path: Path) -> None:
    (tmp_path / "clean").mkdir()
    path = tmp_path / "clean" / "c.yaml"
    path.write_text('- text: "Спасибо."\n- text: "Да."\n  rules: [style/one-word]\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"c\.yaml:3: .*clean set"):
        load_corpus(path)


def test_cli_table_and_exit_codes(tmp_path: Path) -> None:
    corpus = str(_corpus(tmp_path))
    runner = CliRunner()
    selection = ["--select", ",".join(RULES)]
    result = runner.invoke(main, ["eval", corpus, *selection])
    assert result.exit_code == 0, result.output
    assert "taboo/dont-know" in result.output and "0.667" in result.output
    assert "no labelled entries, never fired" in result.output
    assert "a.yaml:5: taboo/dont-know: 'Сейчас уточню и вернусь.'" in result.output
    assert "b.yaml:2: style/one-word on «Понятно»" in result.output
    result = runner.invoke(main, ["eval", corpus, "--select", "taboo/dont-know", "--min-recall", "0.6"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["eval", corpus, "--select", "taboo/dont-know", "--min-recall", "0.7"])
    assert result.exit_code == 1
    assert "taboo/dont-know: recall 0.667 < 0.7" in result.output
    result = runner.invoke(main, ["eval", corpus, "--select", "style/one-word", "--min-precision", "0.5"])
    assert result.exit_code == 1


def test_cli_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(_corpus(tmp_path)), "--select", ",".join(RULES), "--format", "json"])
    data = json.loads(result.output)
    by_rule = {r["rule"]: r for r in data["rules"]}
    assert by_rule["taboo/dont-know"]["tp"] == 2 and by_rule["taboo/dont-know"]["fn"] == 1
    assert by_rule["style/caps"]["precision"] is None
    assert [m["line"] for m in data["misses"]] == [5]
    assert len(data["false_alarms"]) == 2
    assert data["failures"] == []


def test_cli_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["eval"]).exit_code == 2
    assert runner.invoke(main, ["eval", str(tmp_path / "missing")]).exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text('- text: "x"\n  rulez: []\n', encoding="utf-8")
    result = runner.invoke(main, ["eval", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:2: unknown key 'rulez'" in result.output


def test_cli_sample_reads_a_tsv_column_by_its_header(tmp_path: Path) -> None:
    sample = tmp_path / "pairs.tsv"
    sample.write_text('toxic\tneutral\n"Я не знаю,\nкогда."\tУточню и вернусь.\nЗаказ в пути.\t\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "toxic", "--select", "taboo"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 replies, 1 hits, 1 replies with a hit (50.0%)")
    assert f"{sample}:2: error taboo/dont-know" in result.output
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "neutral", "--select", "taboo"])
    assert result.output.startswith("1 replies, 0 hits")
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "nope"])
    assert result.exit_code == 2
    assert f"{sample}:1: no column 'nope'" in result.output


def test_cli_sample(tmp_path: Path) -> None:
    sample = tmp_path / "replies.jsonl"
    rows = [{"answer": "Я не знаю."}, {"answer": "Спасибо за ожидание, заказ в пути."}, {"answer": ""}]
    sample.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "answer", "--select", "taboo"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 replies, 1 hits")
    assert f"{sample}:1: error taboo/dont-know «Я не знаю»" in result.output
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "answer", "--format", "json"])
    hits = json.loads(result.output)
    assert [(h["rule"], h["line"], h["text"], h["reply"]) for h in hits] == [
        ("taboo/dont-know", 1, "Я не знаю", "Я не знаю.")
    ]
    result = runner.invoke(main, ["eval", "--sample", str(sample), "--field", "text"])
    assert result.exit_code == 2
    assert "replies.jsonl:1: no field 'text'" in result.output
