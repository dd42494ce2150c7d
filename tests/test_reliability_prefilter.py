"""The registry of watched words (chatlint/kinds/prefilter.py) is bounded: building Linters
with new words again and again used to grow it without end (+37 MB after 400 Linters), and
its bits with it (issue 14, item 15). Past the bound it starts afresh, and every mask taken
before is taken again, so no reply is wrongly rejected."""

from __future__ import annotations

from chatlint.kinds import prefilter
from chatlint.linter import Linter

RULE = """\
- id: house/w{n}
  kind: regex
  message: "слово"
  source: tests
  regex: '\\bслово{n}\\b'
  prefilter: ["слово{n}"]
  examples:
    bad: ["тут слово{n}"]
    good: ["тут другое"]
"""


def test_the_registry_is_bounded_and_old_masks_stay_right(monkeypatch) -> None:
    monkeypatch.setattr(prefilter, "MAX_WATCHED_WORDS", 40)
    first = prefilter.Prefilter(["альфа", "бета"])
    assert first.admits("тут Альфа!") and not first.admits("тут гамма")
    for i in range(30):
        later = prefilter.Prefilter([f"слово{c}" for c in "абвгд"[: 1 + i % 5]] + [f"новое{i}"])
        assert later.admits(f"а новое{i}")
        assert len(prefilter._WORDS) <= 40
        assert first.admits("тут Альфа!") and first.admits("бета") and not first.admits("тут гамма")


def _word(n: int) -> str:
    letters = "абвгдежзиклмнопрстуфхцчшщ"
    out = ""
    while True:
        n, r = divmod(n, len(letters))
        out += letters[r]
        if not n:
            return "слово" + out


def test_many_linters_with_new_words_keep_the_registry_bounded(tmp_path, monkeypatch) -> None:
    texts = ["Т.е. вы правы, см. выше", "Спасибо, т.к. заказ в пути, д.б. завтра"]
    base = Linter()
    expected = [base.check(t) for t in texts]
    monkeypatch.setattr(prefilter, "MAX_WATCHED_WORDS", 100)
    for n in range(40):
        words = [_word(5 * n + k) for k in range(5)]
        path = tmp_path / f"r{n}.yaml"
        path.write_text(
            "".join(RULE.replace("слово{n}", w).replace("w{n}", f"w{n}-{k}") for k, w in enumerate(words)), "utf-8"
        )
        linter = Linter(rules=[path], builtin=False, cache=False)
        assert [d.rule for d in linter.check(f"Здесь {words[3]}.")] == [f"house/w{n}-3"]
        assert len(prefilter._WORDS) <= 100
    assert [base.check(t) for t in texts] == expected  # masks taken before the resets still work
