"""Inputs that used to hang chatlint, exhaust memory or pass silently (issue 14, items 6 and
14): a FIFO, ``/dev/zero`` as an input or a rule file, a huge one-line reply, a NUL byte.
Each is one line on stderr and exit 2, and the other files are still checked; each runs in
a subprocess with a time limit (before the fixes, some never ended)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHATLINT = str(Path(sys.executable).with_name("chatlint"))
posix = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev/zero are POSIX")


def check(folder: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    (folder / "good.txt").write_text("Я не знаю!!!\n", encoding="utf-8")
    return subprocess.run(
        [CHATLINT, "check", *args, "good.txt"], cwd=folder, capture_output=True, timeout=60, input=stdin
    )


def assert_one_problem(result: subprocess.CompletedProcess, says: str) -> None:
    err = result.stderr.decode()
    assert "Traceback" not in err, err[-2000:]
    assert result.returncode == 2, err
    (line,) = err.splitlines()
    assert line.startswith("chatlint: ") and says in line, line
    assert b"good.txt:1:1: error taboo/dont-know" in result.stdout


@posix
@pytest.mark.parametrize("name", ["pipe.txt", "pipe.jsonl", "pipe.yaml"])
def test_a_fifo_is_one_problem_not_a_hang(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)
    assert_one_problem(check(tmp_path, name), f"{name}: not a regular file")


@posix
def test_dev_zero_is_one_problem_not_endless(tmp_path: Path) -> None:
    assert_one_problem(check(tmp_path, "/dev/zero"), "/dev/zero: not a regular file")


@posix
def test_dev_zero_as_a_rule_file_is_a_rule_error(tmp_path: Path) -> None:
    (tmp_path / "chatlint.toml").write_text('rules = ["/dev/zero"]\n', encoding="utf-8")
    result = check(tmp_path)
    assert result.returncode == 2
    assert "/dev/zero:0: cannot read: not a regular file" in result.stderr.decode()


def test_a_huge_one_line_reply_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_text("Здравствуйте, спасибо за ожидание " * 20_000 + "\n", encoding="utf-8")
    assert_one_problem(check(tmp_path, "huge.txt"), "huge.txt:1: a reply of 680,001 characters: longer than 500,000")


def test_a_huge_template_in_a_library_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "lib.yaml").write_text("a: Спасибо\nb: '" + "я" * 600_000 + "'\n", encoding="utf-8")
    assert_one_problem(check(tmp_path, "lib.yaml"), "lib.yaml:2: a reply of 600,000 characters")


def test_a_library_over_the_size_limit_is_not_read_to_its_end(tmp_path: Path) -> None:
    with open(tmp_path / "big.txt", "wb") as f:
        f.truncate(65 * 1024 * 1024)  # sparse: no disk used
    assert_one_problem(check(tmp_path, "big.txt"), "big.txt: larger than 64 MB: not read")


def test_huge_stdin_is_one_problem(tmp_path: Path) -> None:
    assert_one_problem(check(tmp_path, "-", stdin=b"a" * (3 * 1024 * 1024)), "<stdin>: larger than 2 MB")


@pytest.mark.parametrize("name", ["lib.yaml", "reply.txt", "lib.json"])
def test_one_nul_byte_is_an_input_error_not_a_silent_pass(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes("a: Я не знаю!!!\n\x00\n".encode())
    assert_one_problem(check(tmp_path, name), f"{name}: binary file (it contains NUL bytes): not checked")
