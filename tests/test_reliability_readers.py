"""Fuzzing every transcript and template-library reader with mutated real-looking files.

A broken record gives ``chatlint: input error: FILE[:LINE]: why``, the rest of the input is
still checked, the exit code is the documented one (2 when an input could not be read),
and there is never a traceback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLES = sorted(
    str(p.relative_to(FIXTURES)) for d in ("transcripts", "templates") for p in (FIXTURES / d).rglob("*") if p.is_file()
)
_EXAMPLES = settings(max_examples=max(6, settings.default.max_examples // 5))


def check(path: Path):
    result = CliRunner().invoke(main, ["check", "--format", "json", "--jobs", "1", "--no-progress", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.stderr
    for line in result.stderr.splitlines():
        assert line.startswith("chatlint: "), line
        if "input error" in line:
            assert str(path) in line, line
    return result


@st.composite
def mutations(draw, data: bytes) -> bytes:
    """Delete, insert, flip or truncate somewhere in the file, one to three times."""
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        how = draw(st.sampled_from(["delete", "insert", "flip", "truncate", "duplicate"]))
        if how == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif how == "insert":
            noise = draw(st.one_of(st.binary(max_size=20), st.sampled_from([b"{", b"}", b'"', b",", b"\n", b"\x00",
                                                                              b"\xff", b"\\", b"[", b"]"])))  # fmt: skip
            data = data[:at] + noise + data[at:]
        elif how == "flip" and data:
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1 :]
        elif how == "truncate":
            data = data[:at]
        else:
            data = data[:at] + data[at : at + 200] + data[at:]
    return data


@pytest.mark.parametrize("name", SAMPLES)
def test_sample_reads_without_traceback(name: str) -> None:
    check(FIXTURES / name)  # some samples hold deliberately broken records


@pytest.mark.parametrize("name", SAMPLES)
@_EXAMPLES
@given(data=st.data())
def test_mutated_sample_never_crashes(tmp_path_factory, name: str, data) -> None:
    original = (FIXTURES / name).read_bytes()
    mutated = data.draw(mutations(original))
    path = tmp_path_factory.mktemp("mut") / Path(name).name
    path.write_bytes(mutated)
    result = check(path)
    if result.exit_code in (0, 1):
        json.loads(result.stdout)


@pytest.mark.parametrize("garbage", ['{"conversation_id": "c1", "text": "Я не знаю"', "\x00\x01", "[1, 2", '"text"'])
def test_broken_jsonl_line_names_the_line_and_the_rest_is_checked(tmp_path, garbage: str) -> None:
    from transcript_gen import write_jsonl

    clean = write_jsonl(tmp_path / "clean.jsonl", 60, per_conversation=6)
    lines = clean.read_text(encoding="utf-8").splitlines()
    broken_line = 20
    lines[broken_line - 1] = garbage
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = check(path)
    assert result.exit_code == 2
    assert f"chatlint: input error: {path}:{broken_line}:" in result.stderr
    # Per-message findings are unchanged except on the broken line; conversation-level
    # (dialogue/) findings may change, since the conversation lost a message.
    expected = [f for f in json.loads(check(clean).stdout) if f["line"] != broken_line]
    expected = [f for f in expected if not f["rule"].startswith("dialogue/")]
    got = [f for f in json.loads(result.stdout) if not f["rule"].startswith("dialogue/")]
    key = lambda f: (f["rule"], f["line"], f["column"], f["text"])  # noqa: E731
    assert sorted(map(key, got)) == sorted(map(key, expected))
    assert len(got) > 10


@pytest.mark.parametrize("noise", ["\x01\x0b", "\x0c", "\u2028", "\x85"])
def test_an_input_error_quoting_control_characters_stays_on_one_line(tmp_path, noise: str) -> None:
    # found by the fuzzer: a vertical tab in a CSV header split the "no column" message in two
    path = tmp_path / "replies.csv"
    path.write_text(f"Номер{noise} диалога;Сообщение\n1;Здравствуйте\n", encoding="utf-8")
    result = check(path)
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"chatlint: input error: {path}:1: no column named")
    assert repr(noise)[1:-1] in line
