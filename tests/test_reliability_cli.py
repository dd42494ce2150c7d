"""Files on the command line: encodings, undecodable bytes, binary files, hostile bytes; never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chatlint.cli import main

ROOT = Path(__file__).resolve().parent.parent
# Each CLI run loads the rules (~0.5 s): a quarter of the profile's examples.
_CLI_EXAMPLES = settings(max_examples=max(8, settings.default.max_examples // 4))
REPLY = "Здравствуйте! Я не знаю, когда будет заказ №5 — «скоро»."


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "chatlint.cli", *args], input=stdin, capture_output=True, env=env, cwd=ROOT, timeout=120
    )


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    ("name", "data", "encoding"),
    [
        ("utf8", REPLY.encode("utf-8"), None),
        ("utf8-bom", b"\xef\xbb\xbf" + REPLY.encode("utf-8"), None),
        ("utf8-bom-given", b"\xef\xbb\xbf" + REPLY.encode("utf-8"), "utf-8"),
        ("utf16-le-bom", REPLY.encode("utf-16"), None),
        ("utf16-be-bom", b"\xfe\xff" + REPLY.encode("utf-16-be"), None),
        ("cp1251-detected", REPLY.encode("cp1251"), None),
        ("cp1251-given", REPLY.encode("cp1251"), "cp1251"),
        (
            "koi8r-given",
            REPLY.replace("№", "N").replace("—", "-").replace("«", '"').replace("»", '"').encode("koi8-r"),
            "koi8-r",
        ),
    ],
)
def test_encodings_give_the_same_findings(tmp_path, name: str, data: bytes, encoding: str | None) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(data)
    args = ["check", "--format", "json", str(path)] + (["--encoding", encoding] if encoding else [])
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    found = json.loads(result.stdout)
    assert [(f["rule"], f["line"], f["column"], f["text"]) for f in found] == [("taboo/dont-know", 1, 15, "Я не знаю")]


def test_koi8r_is_not_mistaken_for_cp1251(tmp_path) -> None:
    path = tmp_path / "koi.txt"
    path.write_bytes("Здравствуйте, заказ готов.\nСпасибо за ожидание".encode("koi8-r"))
    result = run("check", str(path))
    assert result.returncode == 2
    assert b"not UTF-8: byte 0xfa at line 1, column 1 (byte offset 0)" in result.stderr
    assert b"Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("data", "encoding", "where"),
    [
        (REPLY.encode() + b"\n\xff\xfe\xfd\nok", None, f"line 2, column 1 (byte offset {len(REPLY.encode()) + 1})"),
        (REPLY.encode("cp1251") + b"\nab\x98", "cp1251", "byte 0x98 at line 2, column 3"),
        (REPLY.encode("utf-16")[:-1], None, "cannot decode as utf-16"),
        (REPLY.encode(), "ascii", "line 1, column 1 (byte offset 0)"),
        (REPLY.encode(), "no-such-codec", "unknown encoding"),
    ],
    ids=["utf8-garbage", "cp1251-undefined-byte", "utf16-truncated", "ascii", "unknown-codec"],
)
def test_undecodable_bytes_are_reported_with_their_position(tmp_path, data, encoding, where) -> None:
    bad = tmp_path / "a-bad.txt"
    bad.write_bytes(data)
    good = tmp_path / "b-good.txt"
    good.write_text("Я не знаю", encoding="utf-8")
    args = ["check", str(bad), str(good)] + (["--encoding", encoding] if encoding else [])
    result = run(*args)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert f"{bad}" in err and where in err and "Traceback" not in err
    if encoding is None:
        assert "b-good.txt:1:1: error taboo/dont-know" in result.stdout.decode()  # the rest is still checked


def test_binary_files_are_an_input_error_unless_configured(tmp_path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "reply.txt").write_text("Я не знаю.", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 2  # one NUL must not let a library with findings pass a hook
    assert result.stderr.decode().strip() == (
        f"chatlint: input error: {tmp_path / 'image.txt'}: binary file (it contains NUL bytes): "
        "not checked (skip-binary = true in the configuration skips such files)"
    )
    assert b"reply.txt:1:1: error taboo/dont-know" in result.stdout  # the rest is checked
    (tmp_path / "chatlint.toml").write_text("skip-binary = true\n", encoding="utf-8")
    result = run("check", str(tmp_path))
    assert result.returncode == 1
    assert (
        result.stderr.decode().strip()
        == f"chatlint: skipped: {tmp_path / 'image.txt'}: binary file (it contains NUL bytes)"
    )


def test_binary_stdin_is_skipped(tmp_path) -> None:
    result = run("check", "-", stdin=b"\x00\x01\x02")
    assert result.returncode == 2 and b"input error: <stdin>: binary file" in result.stderr


def test_undecodable_file_name_and_argument_do_not_crash(tmp_path) -> None:
    name = os.fsdecode(b"bad\xffname.txt")
    (tmp_path / name).write_text("Я не знаю!!!", encoding="utf-8")
    for fmt in ("text", "json"):
        result = run("check", "--format", fmt, str(tmp_path))
        assert result.returncode == 1 and b"Traceback" not in result.stderr
        assert b"bad\\udcffname.txt" in result.stdout  # escaped, not dropped
    result = subprocess.run(
        [sys.executable, "-m", "chatlint.cli", "check", "--format", "json", "--text", b"\xd0\xaf \xff \xd0\xbd\xd0\xb5"],
        capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1) and b"Traceback" not in result.stderr
    json.loads(result.stdout)  # still valid JSON: a lone surrogate is written as \udcff


def test_missing_file_and_directory_without_known_files(tmp_path) -> None:
    result = run("check", str(tmp_path / "nope.txt"))
    assert result.returncode == 2 and b"No such file" in result.stderr and b"Traceback" not in result.stderr
    result = run("check", str(tmp_path))  # an empty selection is an error, as in ruff (issue 15)
    assert result.returncode == 2 and b"known suffixes" in result.stderr and b"Traceback" not in result.stderr


def test_unreadable_file(tmp_path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = tmp_path / "secret.txt"
    path.write_text("Я не знаю")
    path.chmod(0)
    result = run("check", str(path))
    assert result.returncode == 2 and b"Permission denied" in result.stderr


@_CLI_EXAMPLES
@given(st.binary(max_size=400))
def test_any_bytes_as_a_file_never_crash(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "reply.txt"
    path.write_bytes(data)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code in (0, 1):
        json.loads(result.stdout)


@_CLI_EXAMPLES
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_text_as_a_utf8_file_gives_the_library_findings(tmp_path_factory, text: str) -> None:
    from chatlint import check

    path = tmp_path_factory.mktemp("text") / "reply.txt"
    path.write_bytes(text.encode("utf-8"))
    result = CliRunner().invoke(main, ["check", "--format", "json", str(path)])
    if "\x00" in text:
        assert result.exit_code == 2  # binary: an input error, not checked
        return
    found = json.loads(result.stdout)
    expected = check(text)
    assert [(f["rule"], f["start"], f["end"]) for f in found] == [(d.rule, d.start, d.end) for d in expected]
