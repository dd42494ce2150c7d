"""Code points ↔ UTF-16 code units (chatlint/server/offsets.py), and findings in UTF-16 units."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import chatlint
from chatlint.server.engine import findings_json
from chatlint.server.offsets import Utf16Map, utf16_len

# text rich in characters outside the BMP (emoji, a skin-tone modifier), Cyrillic and line breaks
TEXT = st.text(st.sampled_from(list("аб Я\n!😀👍🏽𝔸x")), max_size=40)


@given(TEXT)
def test_offsets_round_trip_against_the_utf16_encoding(text):
    umap = Utf16Map(text)
    units = text.encode("utf-16-le")
    assert utf16_len(text) * 2 == len(units)
    for i in range(len(text) + 1):
        j = umap.to_utf16(i)
        assert units[: 2 * j].decode("utf-16-le") == text[:i]
        assert umap.to_codepoint(j) == i


def test_inside_a_surrogate_pair_is_the_pair():
    umap = Utf16Map("a😀b")
    assert [umap.to_codepoint(u) for u in range(5)] == [0, 1, 1, 2, 3]


def test_findings_in_utf16_slice_the_same_text():
    text = "😀\n👍🏽 Здравствуйте! Я не знаю!!!"
    found = chatlint.Linter().check(text)
    points, units = findings_json(text, found), findings_json(text, found, "utf16")
    encoded = text.encode("utf-16-le")
    assert points and len(points) == len(units)
    for p, u in zip(points, units):
        assert encoded[2 * u["start"] : 2 * u["end"]].decode("utf-16-le") == text[p["start"] : p["end"]] == p["text"]
        assert (u["line"], u["end_line"]) == (p["line"], p["end_line"]) == (2, 2)
        assert u["column"] == p["column"] + 2  # 👍🏽 on its line: two characters outside the BMP
        if p["fix"]:
            assert encoded[2 * u["fix"]["start"] : 2 * u["fix"]["end"]].decode("utf-16-le") == p["text"]


def test_findings_json_places_findings_as_format_json_does():
    """The one-line shortcut gives the line and columns ``--format json`` gives (a LineIndex)."""
    from chatlint.output import finding_dict
    from chatlint.reply import Reply

    linter = chatlint.Linter()
    for text in ("Я не знаю!!!", "Добрый день.\nЯ не знаю!!!", "Спасибо.\r\nЯ не знаю!!!"):
        found = linter.check(text)
        assert found and findings_json(text, found) == [finding_dict(Reply(text, "<text>"), d) for d in found]
