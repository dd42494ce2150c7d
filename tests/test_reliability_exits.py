"""Crashes that used to be tracebacks (issue 14, item 6): a full stdout, a closed pipe, a killed
``-j`` worker, an internal error. Each is one line on stderr and exit 2 (1 is kept for error
findings, docs/output.md); a killed worker loses no file's findings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chatlint.cli import main

CHATLINT = str(Path(sys.executable).with_name("chatlint"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "sarif", "github"])
def test_a_full_stdout_is_one_line_and_exit_2(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "a.txt").write_text("Я не знаю!!!\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [CHATLINT, "check", "--format", fmt, "a.txt"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE,
            text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == "chatlint: error: cannot write the output: No space left on device\n"


def test_a_closed_pipe_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Я не знаю!!! " * 2000 + "\n", encoding="utf-8")
    proc = subprocess.Popen([CHATLINT, "check", "a.txt"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader went away (``| head``)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 2
    assert err == "chatlint: error: cannot write the output: Broken pipe\n"


@pytest.mark.skipif(sys.platform == "win32", reason="fork")
def test_a_killed_worker_loses_no_findings(tmp_path: Path, monkeypatch) -> None:
    from chatlint import execute

    for i in range(12):
        (tmp_path / f"r{i:02}.txt").write_text("Я не знаю!!!\n", encoding="utf-8")
    files = sorted(str(p) for p in tmp_path.iterdir())
    serial = CliRunner().invoke(main, ["check", *files])
    parent = os.getpid()
    real = execute.Worker.check

    def dies_in_a_worker(self, unit, key, skip):
        if os.getpid() != parent and str(getattr(unit, "path", "")).endswith("r05.txt"):
            os._exit(9)  # as if killed (SIGKILL, out of memory)
        return real(self, unit, key, skip)

    monkeypatch.setattr(execute.Worker, "check", dies_in_a_worker)
    result = CliRunner().invoke(main, ["check", "-j", "2", *files])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.stdout == serial.stdout  # every file's findings, in order
    assert result.exit_code == serial.exit_code == 1
    assert "chatlint: warning: a worker process died; the rest is checked in the main process" in result.stderr


def test_an_internal_error_is_one_line_and_exit_2(tmp_path: Path, monkeypatch) -> None:
    import importlib

    check_module = importlib.import_module("chatlint.cli.check")

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(check_module, "run_check", broken)
    (tmp_path / "a.txt").write_text("Я не знаю\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "a.txt")])
    assert result.exit_code == 2
    assert result.stderr == (
        "chatlint: internal error KeyError: 'a bug' (please report it; CHATLINT_DEBUG=1 shows the traceback)\n"
    )
