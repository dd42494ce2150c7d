"""``--format sarif`` for GitHub code scanning: relative URIs on folder runs, fingerprints, fixes,
rule descriptions without placeholders; valid against the vendored SARIF 2.1.0 schema."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from chatlint.cli import main

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPLY = "Здравствуйте!!! Заказ привезут завтра.\n"


def _sarif(cwd: Path, *args: str) -> dict:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["check", "--format", "sarif", "--tz", "UTC", *args])
    finally:
        os.chdir(old)
    log = json.loads(result.stdout)
    jsonschema.validate(log, SCHEMA)
    return log


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "replies").mkdir()
    (tmp_path / "replies" / "a.txt").write_text(REPLY, encoding="utf-8")
    rows = [
        {"conversation_id": "c1", "role": "client", "text": "Где заказ?", "timestamp": 1710486000},
        {"conversation_id": "c1", "role": "operator", "author": "Анна", "text": "Я не знаю!!!", "timestamp": 1710486020},
    ]  # fmt: skip
    (tmp_path / "replies" / "chat.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return tmp_path


def test_folder_runs_give_relative_uris_with_a_base(tmp_path: Path) -> None:
    log = _sarif(_folder(tmp_path), "replies")
    run = log["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert {loc["uri"] for loc in locations} == {"replies/a.txt", "replies/chat.jsonl"}
    assert all(loc["uriBaseId"] == "%SRCROOT%" for loc in locations)


def test_an_absolute_path_under_the_folder_is_made_relative(tmp_path: Path) -> None:
    log = _sarif(_folder(tmp_path), str(tmp_path / "replies" / "a.txt"))
    assert (
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "replies/a.txt"
    )


def test_fingerprints_are_unique_and_survive_moved_lines(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    before = _sarif(folder, "replies")["runs"][0]["results"]
    prints = [r["partialFingerprints"]["chatlintFinding/v1"] for r in before]
    assert len(set(prints)) == len(prints)
    (folder / "replies" / "a.txt").write_text("\n\n" + REPLY, encoding="utf-8")  # the reply two lines down
    after = _sarif(folder, "replies")["runs"][0]["results"]
    moved = {r["partialFingerprints"]["chatlintFinding/v1"]: r for r in after}
    assert set(moved) == set(prints)
    a_txt = [r for r in after if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("a.txt")]
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 3 for r in a_txt)


def test_fixes_replace_the_flagged_characters(tmp_path: Path) -> None:
    results = _sarif(_folder(tmp_path), "replies")["runs"][0]["results"]
    found = next(r for r in results if r["ruleId"] == "style/exclamation" and "a.txt" in json.dumps(r["locations"]))
    change = found["fixes"][0]["artifactChanges"][0]
    replacement = change["replacements"][0]
    region = replacement["deletedRegion"]
    line = REPLY.splitlines()[region["startLine"] - 1]
    fixed = line[: region["startColumn"] - 1] + replacement["insertedContent"]["text"] + line[region["endColumn"] - 1 :]
    assert fixed == "Здравствуйте! Заказ привезут завтра."
    assert change["artifactLocation"]["uri"] == "replies/a.txt"


def test_rules_have_descriptions_without_placeholders_and_github_fields(tmp_path: Path) -> None:
    log = _sarif(_folder(tmp_path), "replies")
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all("{" not in r["shortDescription"]["text"] for r in rules)
    spelling = next(r for r in rules if r["id"] == "spelling/typo")
    assert spelling["shortDescription"]["text"].startswith("«…»")
    # what GitHub's upload needs of every result: rule id, message text, a location with a start line
    for result in log["runs"][0]["results"]:
        assert result["ruleId"] and result["message"]["text"]
        assert result["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
        assert result["partialFingerprints"]


def test_help_uri_is_a_web_address_in_the_rules_source() -> None:
    from types import SimpleNamespace

    from chatlint.writers import rule_help_uri

    rule = SimpleNamespace(source="Гайд поддержки, https://example.org/guide#p4 (п. 4)")
    assert rule_help_uri(rule) == "https://example.org/guide#p4"
