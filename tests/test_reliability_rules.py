"""Rule files from users: every malformed rule fails with file, line and rule id; nothing runs."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from chatlint.linter import Linter
from chatlint.rules import MAX_FILE_BYTES, RuleLoadError

_HEAD = "- id: user/x\n  message: m\n  source: s\n"


def load(tmp_path, text: str | bytes) -> RuleLoadError:
    path = tmp_path / "rules.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleLoadError) as info:
        Linter([path], builtin=False)
    return info.value


# (rule file text, line of the problem, rule id named in it or "", words of the message)
_MALFORMED = {
    "kind-list": (_HEAD + "  kind: [pattern]\n  patterns: [знать]\n", 4, "user/x", "'kind' must be a string"),
    "kind-mapping": (_HEAD + "  kind: {a: 1}\n", 4, "user/x", "'kind' must be a string"),
    "kind-unknown": (_HEAD + "  kind: patern\n", 4, "user/x", "did you mean 'pattern'"),
    "id-number": ("- id: 5\n  message: m\n  source: s\n  patterns: [знать]\n", 1, "", "'id' must be a string"),
    "id-shape": ("- id: Bad Id\n  message: m\n  source: s\n  patterns: [знать]\n", 1, "Bad Id", "category/name"),
    "unknown-key": (_HEAD + "  patterns: [знать]\n  sevrity: error\n", 5, "user/x", "did you mean 'severity'"),
    "severity-list": (_HEAD + "  severity: [error]\n  patterns: [знать]\n", 4, "user/x", "severity must be"),
    "message-list": ("- id: user/x\n  message: [m]\n  source: s\n  patterns: [знать]\n", 2, "user/x", "message"),
    "enabled-string": (_HEAD + "  patterns: [знать]\n  enabled: 'yes'\n", 5, "user/x", "true or false"),
    "examples-list": (_HEAD + "  examples: [1]\n  patterns: [знать]\n", 4, "user/x", "examples must be"),
    "patterns-mapping": (_HEAD + "  patterns: {a: 1}\n", 4, "user/x", "non-empty list"),
    "patterns-nested": (_HEAD + "  patterns: [[знать]]\n", 4, "user/x", "must be a string"),
    "pattern-not-lemma": (_HEAD + "  patterns: [знаю]\n", 4, "user/x", "not a dictionary lemma"),
    "pattern-matches-all": (_HEAD + "  patterns: ['*']\n", 4, "user/x", "matches every word"),
    "pattern-regex-all": (_HEAD + "  patterns: ['/.*/']\n", 4, "user/x", "matches every word"),
    "pattern-optional-only": (_HEAD + "  patterns: ['знать?']\n", 4, "user/x", "only optional"),
    "pattern-huge-gap": (_HEAD + "  patterns: ['знать ...1000000 уметь']\n", 4, "user/x", "from 1 to 20"),
    "pattern-unclosed": (_HEAD + "  patterns: ['«знаю']\n", 4, "user/x", "unclosed"),
    "pattern-grammeme": (_HEAD + "  patterns: ['{VERBB}']\n", 4, "user/x", "unknown grammeme"),
    "unless-bad": (_HEAD + "  patterns: [знать]\n  unless: ['*']\n", 5, "user/x", "in 'unless'"),
    "regex-list": (_HEAD + "  regex: [a]\n", 4, "user/x", "'regex' must be a string"),
    "regex-broken": (_HEAD + "  regex: '(('\n", 4, "user/x", "bad regular expression"),
    "regex-empty-match": (_HEAD + "  regex: 'a*'\n", 4, "user/x", "matches the empty string"),
    "substitute-values": (_HEAD + "  substitute: {a: [1]}\n", 4, "user/x", "right word, a string"),
    "substitute-no-arrow": (_HEAD + "  substitute: [инфа]\n", 4, "user/x", "wrong → right"),
    "param-type": (_HEAD + "  kind: caps\n  min_words: 1.5\n", 5, "user/x", "must be a int"),
    "param-negative": (_HEAD + "  kind: caps\n  min_words: -1\n", 5, "user/x", "must not be negative"),
    "param-nested-list": (_HEAD + "  kind: caps\n  allow: [[1], {a: 1}]\n", 5, "user/x", "list of words"),
    "huge-list": (_HEAD + "  kind: caps\n  allow: [" + ",".join(["A"] * 20_001) + "]\n", 5, "user/x", "more than"),
    "huge-suggest": (_HEAD + "  patterns: [знать]\n  suggest:\n" + "  - а\n" * 2_001, 5, "user/x", "more than"),
    "duplicate-key": (_HEAD + "  patterns: [знать]\n  patterns: [уметь]\n", 5, "", "duplicate key 'patterns'"),
    "duplicate-id": (_HEAD + "  patterns: [знать]\n" + _HEAD + "  patterns: [уметь]\n", 5, "user/x", "duplicate id"),
    "not-a-list": ("rules: 5\n", 1, "", "a rule file is a list"),
    "scalar-items": ("- 1\n- null\n", 1, "", "each rule is a mapping"),
    "tab": ("- id: user/x\n\tmessage: m\n", 2, "", "invalid YAML"),
    "nul": ("- id: user/x\x00\n", 1, "", "U+0000"),
    "billion-laughs": (
        "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("bcdefgh", "cdefghi")),
        2,
        "",
        "aliases",
    ),
    "recursive-alias": ("- &a [*a]\n", 1, "", "aliases"),
    "deep-nesting": ("- " + "[" * 50_000 + "]" * 50_000 + "\n", 1, "", "nested deeper"),
    "python-object": ("- !!python/object/apply:os.system ['echo pwned']\n", 1, "", "could not determine a constructor"),
    "python-name": (_HEAD + "  patterns: !!python/name:os.system\n", 4, "", "could not determine a constructor"),
    "merge-key": (_HEAD + "  <<: {patterns: [знать]}\n", 4, "", "invalid YAML"),
}


@pytest.mark.parametrize("case", list(_MALFORMED), ids=list(_MALFORMED))
def test_malformed_rule_names_file_line_and_rule(tmp_path, case: str) -> None:
    text, line, rule_id, words = _MALFORMED[case]
    started = time.perf_counter()
    error = load(tmp_path, text)
    assert time.perf_counter() - started < 30
    problems = [p for p in error.problems if words in p.message]
    assert problems, [str(p) for p in error.problems]
    problem = problems[0]
    assert problem.path == str(tmp_path / "rules.yaml")
    assert problem.line == line, str(problem)
    assert problem.rule_id == rule_id, str(problem)
    assert str(problem).startswith(f"{tmp_path / 'rules.yaml'}:{line}:")


def test_loading_never_executes_code(tmp_path) -> None:
    marker = tmp_path / "pwned"
    for text in (
        f"- !!python/object/apply:os.system ['touch {marker}']\n",
        f"- !!python/object/new:os.system ['touch {marker}']\n",
        f"{_HEAD}  patterns: !!python/object/apply:os.system ['touch {marker}']\n",
    ):
        load(tmp_path, text)
    assert not marker.exists()


def test_absurdly_large_file_is_refused_quickly(tmp_path) -> None:
    text = _HEAD + "  patterns: [знать]\n  why: '" + "а" * MAX_FILE_BYTES + "'\n"
    started = time.perf_counter()
    error = load(tmp_path, text)
    assert time.perf_counter() - started < 3  # reading and parsing it would take far longer
    assert "refused" in error.problems[0].message


def test_not_utf8_names_the_line(tmp_path) -> None:
    error = load(tmp_path, (_HEAD + "  patterns: [знать]\n  why: ").encode() + "текст".encode("cp1251") + b"\n")
    assert error.problems[0].line == 5 and "UTF-8" in error.problems[0].message


def test_every_problem_is_reported_not_only_the_first(tmp_path) -> None:
    error = load(tmp_path, _HEAD + "  patterns: [знаю]\n- id: user/y\n  message: m\n  source: s\n  kind: capz\n")
    assert [p.rule_id for p in error.problems] == ["user/x", "user/y"]


# Fuzz: random values for every key a rule may have, dumped as YAML. Loading either
# succeeds or raises RuleLoadError whose problems name the file and a line.
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**30),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["знать", "не знать", "*", "/.*/", "(a|", "...3", "{VERB}", "инфа → информация", "error"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    ["id", "kind", "severity", "message", "source", "why", "suggest", "unless", "unless_scope", "examples",
     "enabled", "fix", "quotes", "patterns", "substitute", "regex", "group", "ignorecase", "min_words", "allow",
     "max_run", "max_total", "bogus"]
)  # fmt: skip
_RULE = st.fixed_dictionaries(
    {"id": st.sampled_from(["user/x", "user/y", 5, None]), "message": st.just("m"), "source": st.just("s")},
    optional={"kind": st.sampled_from(["pattern", "regex", "caps", "emoji", "substitute", "one-word", "x"])},
).flatmap(lambda base: st.dictionaries(_KEYS, _VALUES, max_size=5).map(lambda extra: {**base, **extra}))


@given(st.lists(_RULE, min_size=1, max_size=3))
def test_fuzzed_rules_load_or_fail_cleanly(tmp_path_factory, rules) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "rules.yaml"
    path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    try:
        linter = Linter([path], builtin=False)
    except RuleLoadError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.path == str(path) and problem.line >= 1, str(problem)
        return
    for text in ("Я не знаю!!! НЕТ", ""):
        linter.check(text)


@given(st.binary(max_size=300), st.integers(0, 400))
def test_mutated_rule_files_load_or_fail_cleanly(tmp_path_factory, noise: bytes, at: int) -> None:
    from chatlint.rules import builtin_rules_dir

    original = (builtin_rules_dir() / "style.yaml").read_bytes()
    at = at * len(original) // 400
    path = tmp_path_factory.mktemp("mut") / "rules.yaml"
    path.write_bytes(original[:at] + noise + original[at + len(noise) // 2 :])
    try:
        Linter([path], builtin=False)
    except RuleLoadError as exc:
        assert all(p.path == str(path) for p in exc.problems)


def test_a_rule_id_with_a_final_newline_is_refused(tmp_path) -> None:
    """``$`` matches before a final «\\n»: the id check is a full match (issue 14, item 15)."""
    import pytest

    from chatlint.linter import Linter
    from chatlint.rules import RuleLoadError

    (tmp_path / "r.yaml").write_text(
        '- id: "x/a\\n"\n  kind: regex\n  message: m\n  source: s\n  regex: "абв"\n'
        '  examples:\n    bad: ["абв"]\n    good: ["где"]\n',
        encoding="utf-8",
    )
    with pytest.raises(RuleLoadError, match=r"id 'x/a\\n' must look like 'category/name'"):
        Linter(rules=[tmp_path / "r.yaml"], builtin=False, cache=False)
