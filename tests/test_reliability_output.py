"""No input can forge an output line or reach the terminal raw (issue 14, items 11 and 15):
newlines, ESC, NEL, U+2028 and bidirectional overrides in operator names, ids, file names and
reply text are escaped in every format; SARIF takes an undecodable file name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.diagnostic import Diagnostic
from chatlint.sources import Reply
from chatlint.writers import WRITERS

CHATLINT = str(Path(sys.executable).with_name("chatlint"))
FORGED = "x.txt:1:1: error taboo/forged вы уволены"
NASTY = [
    "\n" + FORGED,
    "\r\n::error file=x.txt,line=1::forged",
    "\x1b[2J\x1b[31mкрасный",
    "\x85" + FORGED,
    "\u2028" + FORGED,
    "\u2029\u202eевокс",
    "\x9b31m",
    "%0A::error::forged",
]
RAW = ["\x1b", "\x85", "\u2028", "\u2029", "\u202e", "\x9b", "\r"]


def _transcript(folder: Path) -> Path:
    lines = [
        {"conversation_id": nasty, "message_id": nasty, "role": "operator", "author": nasty, "text": "Я не знаю!!!"}
        for nasty in NASTY
    ]
    path = folder / "chats.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    return path


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHATLINT, "check", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        encoding="utf-8",
        errors="surrogateescape",
    )


def _assert_lines(out: str, fmt: str, names: tuple[str, ...]) -> None:
    for ch in RAW:
        assert ch not in out, (fmt, ch)
    for line in out.split("\n")[:-1]:
        if fmt == "text":
            assert line.startswith(names) or line.startswith("    → "), line
        elif fmt == "github":
            assert line.startswith(("::error file=", "::warning file=", "::notice file=")), line
            assert line.split(" file=", 1)[1].startswith(names), line
        elif fmt == "jsonl":
            json.loads(line)


@pytest.mark.parametrize("fmt", ["text", "github", "jsonl", "json", "sarif"])
def test_operator_names_and_ids_cannot_forge_lines(tmp_path: Path, fmt: str) -> None:
    _transcript(tmp_path)
    result = _run(tmp_path, "--format", fmt, "chats.jsonl")
    assert result.returncode == 1, result.stderr
    _assert_lines(result.stdout, fmt, ("chats.jsonl",))
    if fmt in ("json", "sarif"):
        json.loads(result.stdout)
    if fmt == "jsonl":
        rows = [json.loads(line) for line in result.stdout.splitlines()]  # str.splitlines splits at U+2028
        assert {row["author"] for row in rows} == set(NASTY)  # escaped, not changed


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a file name")
@pytest.mark.parametrize("fmt", ["text", "github", "jsonl", "sarif"])
def test_a_file_name_cannot_forge_lines(tmp_path: Path, fmt: str) -> None:
    name = "a\n" + FORGED.replace("x.txt", "b.txt").replace("/", "-") + "\x1b[0m.txt"
    (tmp_path / name).write_text("Я не знаю!!!\n", encoding="utf-8")
    result = _run(tmp_path, "--format", fmt, name)
    assert result.returncode == 1, result.stderr
    _assert_lines(result.stdout, fmt, ("a%0A",) if fmt == "github" else ("a\\n",))
    if fmt == "sarif":
        json.loads(result.stdout)


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="a file name that is not UTF-8")
def test_sarif_takes_an_undecodable_file_name(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/bad\xffname.txt"
    with open(name, "wb") as f:
        f.write("Я не знаю!!!\n".encode())
    result = _run(tmp_path, "--format", "sarif", "bad\udcffname.txt")
    assert "Traceback" not in result.stderr, result.stderr
    log = json.loads(result.stdout)
    (res, *_) = log["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%FFname.txt"


# --- the same as a property over every writer -------------------------------------------------
CONTROL = st.characters(codec="utf-8", categories=("Cc", "Zl", "Zp", "Cf", "L", "P"))
FIELDS = st.text(CONTROL, max_size=12)


@settings(deadline=None)
@given(path=FIELDS, author=FIELDS, cid=FIELDS, mid=st.one_of(FIELDS, st.integers()), text=FIELDS, rule=FIELDS)
def test_no_field_reaches_any_format_raw(path, author, cid, mid, text, rule) -> None:
    import io

    reply = Reply(text or "x", path or "p", meta={"conversation_id": cid, "message_id": mid, "author": author})
    d = Diagnostic("house/" + rule, "error", 0, 1, f"Не пишите «{text}».", text=text, suggestions=(text,))
    for fmt, cls in WRITERS.items():
        out = io.StringIO()
        writer = cls(out, [])
        writer.start()
        writer.write(reply, d)
        writer.end()
        value = out.getvalue()
        for ch in RAW:
            assert ch not in value, (fmt, ch)
        lines = value.split("\n")[:-1]
        if fmt in ("text", "github"):
            assert len([x for x in lines if not x.startswith("    → ")]) == 1, (fmt, value)
        if fmt == "jsonl":
            assert json.loads(value)["author"] == author
        if fmt in ("json", "sarif"):
            json.loads(value)


@pytest.mark.skipif(sys.platform == "win32", reason="a newline in a file name")
def test_a_file_name_cannot_forge_stderr_lines(tmp_path: Path) -> None:
    name = "a\nchatlint: input error: forged.txt"
    (tmp_path / name).write_bytes(b"\x00binary")
    result = _run(tmp_path, name)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith("chatlint: input error: a\\nchatlint: input error: forged.txt: binary file"), line
