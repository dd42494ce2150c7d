"""The start-up work: the cache of loaded rules changes nothing, is rebuilt when stale, survives
corrupt entries and unwritable folders; ``check --text`` imports only what it needs.

Speed is measured by ``python -m bench`` (row "cold start"), never here.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import chatlint.rules as rules_module
from chatlint import rule_cache
from chatlint.dialogue import ConversationChecker, parse_script
from chatlint.kinds import Vocabulary
from chatlint.kinds.dialogue import DialogueKind
from chatlint.linter import Linter
from chatlint.rules import builtin_rules_dir

ROOT = Path(__file__).resolve().parent.parent
RULE = """\
- id: test/slow
  kind: pattern
  message: Не пишите «{match}».
  source: test
  patterns: ["подождать{impr}", "знать"]
  examples:
    bad: [Подождите минуту]
    good: [Минуту]
"""


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder of this test."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHATLINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("CHATLINT_NO_CACHE", raising=False)
    return folder


@pytest.fixture()
def builds(monkeypatch) -> list[int]:
    """Counts the loads from YAML (cache misses)."""
    calls: list[int] = []
    real = rules_module._load_rules

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(rules_module, "_load_rules", counting)
    return calls


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("rules-*.pickle")) if folder.is_dir() else []


def _every_rule(ids: list[str], **kwargs) -> Linter:
    return Linter(extend_select=ids, **kwargs)


def _texts() -> list[str]:
    texts = []
    for rule in Linter(cache=False).all_rules:
        texts += rule.examples_bad + rule.examples_good
    for path in sorted((ROOT / "corpus").glob("*/*.yaml")):
        texts += [
            e["text"] for e in yaml.safe_load(path.read_text(encoding="utf-8")) if "text" in e
        ]  # inventory: phrases
    return texts


def _rule_data(rule) -> tuple:
    return (
        rule.id, rule.kind, rule.severity, rule.message, rule.source, rule.why, rule.suggest,
        rule.unless_source, rule.unless_scope, rule.examples_bad, rule.examples_good, rule.enabled,
        rule.fix, rule.quotes, rule.params, rule.path, rule.line, type(rule.impl),
    )  # fmt: skip


def test_cached_rules_give_exactly_what_the_yaml_gives(cache, builds) -> None:
    ids = [r.id for r in Linter(cache=False).all_rules]
    plain = _every_rule(ids, cache=False)
    written = _every_rule(ids)  # a miss: built from the YAML, then written
    assert len(_entries(cache)) == 1 and len(builds) == 3
    read = _every_rule(ids)  # a hit
    assert len(builds) == 3, "the second linter was not read from the cache"
    assert [_rule_data(r) for r in read.all_rules] == [_rule_data(r) for r in plain.all_rules]
    for text in _texts():
        expected = plain.check(text)
        assert written.check(text) == expected, text
        assert read.check(text) == expected, text
    # the dialogue rules too (their examples are chats)
    checkers = [ConversationChecker(linter) for linter in (plain, read)]
    for rule in plain.all_rules:
        if isinstance(rule.impl, DialogueKind):
            for script in rule.examples_bad + rule.examples_good:
                plain_hits, read_hits = ([d for _, d in c.check(parse_script(script))] for c in checkers)
                assert read_hits == plain_hits, script


_PLAIN_AND_CACHED: list[Linter] = []


def _plain_and_cached() -> list[Linter]:
    """Every rule on, loaded from the YAML and read from a cache entry (built once per session)."""
    if not _PLAIN_AND_CACHED:
        ids = [r.id for r in Linter(cache=False).all_rules]
        Linter(extend_select=ids)  # makes sure the session's cache folder has the entry
        _PLAIN_AND_CACHED.extend([Linter(extend_select=ids, cache=False), Linter(extend_select=ids)])
    return _PLAIN_AND_CACHED


def test_cached_rules_give_what_the_yaml_gives_on_bench_replies() -> None:
    from bench.corpus import ReplyGenerator

    plain, cached = _plain_and_cached()
    for reply in ReplyGenerator(1).replies(1500):
        assert cached.check(reply) == plain.check(reply), reply


_ALPHABET = st.sampled_from(
    list("абвгеёжзийклмнопрстуфхцчшщъыьэюяАБВЕЁКМНОРСТХ aceopxy0123456789\n.,:;!?…-—'\"«»()@#*")
    + ["не знаю", "ждите", "к сожалению", "Вы", "вы", "спс", "!!!", "😊", "https://x.ru", "{name}", "нах", "б.л.я"]
)


@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_cached_rules_give_what_the_yaml_gives_on_any_text(text: str) -> None:
    plain, cached = _plain_and_cached()
    assert cached.check(text) == plain.check(text)


def test_cached_rules_are_fresh_objects_and_options_do_not_leak(cache) -> None:
    first = Linter(options={"style/emoji": {"max_total": 9}})
    second = Linter()
    assert first.rule("style/emoji").params["max_total"] == 9
    assert second.rule("style/emoji").params["max_total"] != 9
    assert first.rule("taboo/dont-know") is not second.rule("taboo/dont-know")
    assert second.rule("taboo/dont-know").impl.ctx is second.ctx


def test_a_changed_rule_file_is_loaded_again(cache, builds, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    assert Linter(rules=[path], builtin=False).rule("test/slow").message == "Не пишите «{match}»."
    path.write_text(RULE.replace("Не пишите", "Избегайте"), encoding="utf-8")
    linter = Linter(rules=[path], builtin=False)
    assert linter.rule("test/slow").message == "Избегайте «{match}»."
    assert len(builds) == 2 and len(_entries(cache)) == 2
    assert [d.message for d in linter.check("Подождите минуту")] == ["Избегайте «Подождите»."]


_OTHER_WORDS = Vocabulary(accept=frozenset({"подождите"}))


@pytest.mark.parametrize(
    ("change", "vocabulary"),
    [
        pytest.param(lambda mp: mp.setattr(rule_cache, "_SOURCE_DIGEST", b"other sources"), None, id="sources"),
        pytest.param(
            lambda mp: mp.setattr(rule_cache, "_environment", lambda: ("pymorphy3", "9")), None, id="versions"
        ),
        pytest.param(lambda mp: None, _OTHER_WORDS, id="vocabulary"),
    ],
)
def test_a_stale_key_is_rebuilt(cache, builds, tmp_path, monkeypatch, change, vocabulary) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    Linter(rules=[path], builtin=False)
    Linter(rules=[path], builtin=False)
    assert len(builds) == 1
    change(monkeypatch)
    Linter(rules=[path], builtin=False, vocabulary=vocabulary)
    assert len(builds) == 2
    Linter(rules=[path], builtin=False, vocabulary=vocabulary)
    assert len(builds) == 2  # and the new entry is read


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-10] + bytes(b ^ 0xFF for b in data[-10:]), id="flipped"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"garbage" * 100, id="garbage"),
        pytest.param(lambda data: data[:17] + b"\0" * 32 + data[49:], id="other key"),
    ],
)
def test_a_corrupt_entry_is_ignored_and_rewritten(cache, builds, tmp_path, damage) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    expected = Linter(rules=[path], builtin=False, cache=False).check("Подождите, я не знаю")
    Linter(rules=[path], builtin=False)
    (entry,) = _entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))
    assert Linter(rules=[path], builtin=False).check("Подождите, я не знаю") == expected
    assert len(builds) == 3  # the plain load, the first build, the rebuild
    Linter(rules=[path], builtin=False)
    assert len(builds) == 3  # rewritten: read again


def test_a_pickle_that_does_not_hold_rules_is_ignored(cache, builds, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    Linter(rules=[path], builtin=False)
    (entry,) = _entries(cache)
    data = entry.read_bytes()
    head, payload = data[:49], pickle.dumps({"not": "rules"})
    entry.write_bytes(head + rule_cache._hash(payload).digest() + payload)
    assert Linter(rules=[path], builtin=False).rule("test/slow")
    assert len(builds) == 2


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_an_entry_others_may_write_is_not_read(cache, builds, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    Linter(rules=[path], builtin=False)
    (entry,) = _entries(cache)
    entry.chmod(0o666)
    Linter(rules=[path], builtin=False)
    assert len(builds) == 2


def test_a_folder_that_cannot_be_created_works_without_cache(tmp_path, monkeypatch, builds) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("CHATLINT_CACHE_DIR", str(blocker / "cache"))
    expected = Linter(cache=False).check("Я не знаю!!!")
    assert Linter().check("Я не знаю!!!") == expected
    assert Linter().check("Я не знаю!!!") == expected
    assert blocker.is_file()


def test_a_folder_name_the_system_refuses_works_without_cache(monkeypatch) -> None:
    monkeypatch.setattr(rule_cache, "cache_dir", lambda: Path("bad\0name"))
    assert Linter().check("Я не знаю!!!") == Linter(cache=False).check("Я не знаю!!!")


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="root writes anywhere")
def test_a_read_only_folder_works(cache, builds) -> None:
    cache.mkdir(mode=0o700)
    cache.chmod(0o500)
    try:
        expected = Linter(cache=False).check("Я не знаю!!!")
        assert Linter().check("Я не знаю!!!") == expected
        assert _entries(cache) == []
    finally:
        cache.chmod(0o700)


def test_a_read_only_folder_with_an_entry_is_read(cache, builds, tmp_path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(RULE, encoding="utf-8")
    Linter(rules=[path], builtin=False)
    cache.chmod(0o500)
    try:
        Linter(rules=[path], builtin=False)
    finally:
        cache.chmod(0o700)
    assert len(builds) == 1


def test_the_cache_can_be_turned_off(cache, builds, monkeypatch) -> None:
    monkeypatch.setenv("CHATLINT_NO_CACHE", "1")
    Linter()
    Linter()
    assert len(builds) == 2 and not cache.exists()
    monkeypatch.delenv("CHATLINT_NO_CACHE")
    monkeypatch.setenv("CHATLINT_CACHE_DIR", "")
    Linter()
    assert len(builds) == 3


def test_missing_rule_files_and_plugins_are_not_cached(cache, builds, tmp_path) -> None:
    with pytest.raises(rules_module.RuleLoadError):
        Linter(rules=[tmp_path / "missing.yaml"])
    path = tmp_path / "bad.yaml"
    path.write_text("- id: test/bad\n  kind: pattern\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(rules_module.RuleLoadError):
            Linter(rules=[path], builtin=False)
    assert _entries(cache) == []


def test_old_entries_are_pruned(cache, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(rule_cache, "MAX_ENTRIES", 2)
    for i in range(4):
        path = tmp_path / f"rules{i}.yaml"
        path.write_text(RULE, encoding="utf-8")
        Linter(rules=[path], builtin=False)
    assert len(_entries(cache)) == 2


def _run(args: list[str], env: dict, code: str = "") -> subprocess.CompletedProcess:
    script = (
        code or "import runpy, sys; sys.argv[0] = 'chatlint'; runpy.run_module('chatlint.cli', run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_text_output_is_the_same_from_the_cache_and_without_it(tmp_path) -> None:
    env = dict(os.environ, CHATLINT_CACHE_DIR=str(tmp_path / "cache"))
    args = ["check", "--text", "Я не знаю!!! Ждите", "--format", "json"]
    plain = _run([*args, "--no-cache"], env)
    assert not (tmp_path / "cache").exists()
    first, second = _run(args, env), _run(args, env)
    assert len(_entries(tmp_path / "cache")) == 1
    assert plain.returncode == first.returncode == second.returncode == 1
    assert plain.stdout == first.stdout == second.stdout and "taboo/dont-know" in plain.stdout


_PROBE = """\
import runpy, sys
sys.argv[0] = 'chatlint'
try:
    runpy.run_module('chatlint.cli', run_name='__main__')
except SystemExit:
    pass
heavy = ['chatlint.transcripts', 'chatlint.templates', 'chatlint.runner', 'chatlint.fixer', 'chatlint.report',
         'chatlint.rule_yaml', 'yaml', 'multiprocessing', 'concurrent.futures', 'importlib.metadata', 'hashlib']
print(' '.join(m for m in heavy if m in sys.modules), file=sys.stderr)
"""


def test_check_text_imports_only_what_it_needs(tmp_path) -> None:
    env = dict(os.environ, CHATLINT_CACHE_DIR=str(tmp_path / "cache"))
    args = ["check", "--text", "Здравствуйте! Я не знаю, когда придёт ваш заказ."]
    _run(args, env, _PROBE)  # writes the cache entry
    done = _run(args, env, _PROBE)
    assert "taboo/dont-know" in done.stdout
    assert done.stderr.strip().splitlines()[-1:] in ([], [""]), done.stderr


def test_the_dictionary_is_the_one_pymorphy3_finds_itself() -> None:
    import pymorphy3

    from chatlint.morph import analyzer

    found = pymorphy3.MorphAnalyzer()
    assert analyzer().dictionary.path == found.dictionary.path
    assert analyzer().lang == found.lang
    assert analyzer().parse("знаю")[0].normal_form == "знать"


def test_the_builtin_pack_is_what_the_key_reads() -> None:
    files = rules_module._inputs([builtin_rules_dir()])
    assert [name for name, _ in files] == [str(p) for p in rules_module.rule_files(builtin_rules_dir())]
    assert rules_module._inputs([builtin_rules_dir() / "missing.yaml"]) is None
