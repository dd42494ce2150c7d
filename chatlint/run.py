"""What ``chatlint check`` does with files: read, fix, check and report (the CLI stays thin)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from chatlint.config import ConfigFileError, is_excluded
from chatlint.project import CliOptions, Finding, Project
from chatlint.sources import BinaryInput, InputError, LineWriter, Reply, decode

# chatlint.fixer and chatlint.templates are imported where files are read: ``check --text``
# needs neither (they cost 60 ms at start).

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


@dataclass
class CheckRequest:
    """Everything ``chatlint check`` was asked to do."""

    paths: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    fmt: str = "text"
    encoding: str | None = None
    cli: CliOptions = field(default_factory=CliOptions)
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    stdin_filename: str | None = None


def uses_transcripts(paths, statistics: bool, opts, fixing: dict) -> bool:
    """Whether ``check`` should go to the transcript runner (chatlint/runner.py): when asked for
    transcript features, or when an input is a transcript by content. Fixes, ``--diff`` and
    ``--stdin-filename`` are for template files and stay here."""
    if any(fixing.values()):
        return False
    if statistics or opts.jobs > 1 or opts.input_format not in ("auto", "replies"):
        return True
    if opts.input_format == "replies":
        return False
    from chatlint import formats
    from chatlint.transcripts import SUFFIXES

    project = Project(CliOptions(isolated=True))
    found = False
    for raw in paths:
        if raw == "-":
            found = True
            continue
        for path in project.files(Path(raw), also=SUFFIXES):
            found = True
            fmt = formats.detect(path, opts.read)
            if fmt is None or formats.FORMATS[fmt].kind == formats.TRANSCRIPT:
                return True  # a transcript, or a file not recognised: the transcript run reports it
    return not found and bool(paths)  # an empty selection: the transcript run reports it


def configured_linter(cli: CliOptions):
    """The Linter of the configuration that applies here (cwd), and its arguments for workers."""
    project = Project(cli)
    config = project.config_for(Path.cwd())
    return project.linter_for(config), project.linter_kwargs(config)


class _Out:
    """A streaming writer (chatlint/writers.py) over findings given in batches."""

    def __init__(self, fmt: str, out: IO[str], rules: list) -> None:
        from chatlint.writers import WRITERS

        self.writer = WRITERS[fmt](out, rules)

    def __call__(self, findings: list[Finding]) -> None:
        self.writer.start()
        for reply, d in findings:
            self.writer.write(reply, d)
        self.writer.end()


def run_check(req: CheckRequest, stdin: IO[bytes], out: IO[str], err: IO[str]) -> int:
    """Run a check and return the exit code (0 clean, 1 error findings or diffs, 2 input errors)."""
    err = LineWriter(err)  # every message on one line, whatever a file name or a header holds
    project = Project(req.cli, req.encoding)
    findings: list[Finding] = []
    input_failed = False
    fixing = req.fix or req.unsafe_fixes or req.diff
    fixed_count = fixed_files = 0
    would_change = False

    def input_error(message: str) -> None:
        nonlocal input_failed
        err.write(f"chatlint: input error: {message}\n")
        input_failed = True

    here = project.config_for(Path.cwd())
    for i, text in enumerate(req.texts):
        name = "<text>" if len(req.texts) == 1 else f"<text{i + 1}>"
        findings.extend(project.check_replies(iter([Reply(text, name)]), here, None))
    for raw in req.paths:
        if raw == "-":
            data = stdin.read()
            try:
                name = req.stdin_filename or "<stdin>"
                text = decode(data, name, req.encoding)
            except BinaryInput as exc:
                err.write(f"chatlint: skipped: {exc}\n")  # a notice; the exit code is unchanged
                continue
            except InputError as exc:
                input_error(str(exc))
                continue
            if req.stdin_filename is None:
                findings.extend(project.check_replies(iter([Reply(text, "<stdin>")]), here, None))
                continue
            from chatlint.fixer import fix_text
            from chatlint.templates.mapping import FileText

            path = Path(req.stdin_filename)
            config = project.config_for(path)
            if is_excluded(path, config):
                continue
            file = FileText(name, text.removeprefix("\ufeff"), data)
            try:
                if fixing:
                    fixed, applied = fix_text(project, file, path.suffix, config, req.unsafe_fixes)
                    if req.diff:
                        from chatlint.fixer import FixResult

                        result = FixResult(path, file.text, fixed, applied, file)
                        if result.changed:
                            out.write(result.diff())
                            would_change = True
                        continue
                    out.write(fixed)  # with --fix, stdin comes back fixed on stdout, as ruff does
                    file = FileText(name, fixed, data)
                    fixed_count += applied
                    replies = project.replies_of_text(file, path.suffix, config)
                    remaining = project.check_replies(replies, config, path)
                    _Out(req.fmt, err, project.linter_for(config).rules)(remaining)
                    findings.extend(remaining)
                    continue
                replies = project.replies_of_text(file, path.suffix, config)
                findings.extend(project.check_replies(replies, config, path))
            except InputError as exc:
                input_error(str(exc))
            continue
        for path in project.files(Path(raw)):
            try:
                config = project.config_for(path)
                if fixing:
                    from chatlint.fixer import ChangedDuringRun, SymlinkNotFixed, fix_file, write

                    result = fix_file(project, path, req.unsafe_fixes)
                    if req.diff:
                        if result.changed:
                            out.write(result.diff())
                            would_change = True
                        continue
                    if result.changed:
                        try:
                            write(result, Path(raw))
                            fixed_count += result.applied
                            fixed_files += 1
                        except ChangedDuringRun:
                            err.write(f"chatlint: warning: {path} changed during the run; fixes not written\n")
                        except SymlinkNotFixed as exc:
                            err.write(f"chatlint: warning: {exc}\n")  # still checked below
                findings.extend(project.check_replies(project.replies(path, config), config, path))
            except BinaryInput as exc:
                err.write(f"chatlint: skipped: {exc}\n")
            except InputError as exc:
                input_error(str(exc))
            except OSError as exc:
                input_error(f"{path}: {exc.strerror or exc}")
            except ConfigFileError:
                raise
    if req.diff:
        return EXIT_USAGE if input_failed else (EXIT_FINDINGS if would_change else EXIT_OK)
    if req.fix or req.unsafe_fixes:
        if req.paths != ["-"] or req.stdin_filename is None:
            err.write(f"chatlint: fixed {fixed_count} finding(s) in {fixed_files} file(s)\n")
    if not (fixing and req.paths == ["-"] and req.stdin_filename):
        _Out(req.fmt, out, project.linter_for(here).rules)(findings)
    if input_failed:
        return EXIT_USAGE
    return EXIT_FINDINGS if any(d.severity == "error" for _, d in findings) else EXIT_OK


def main_stdin() -> IO[bytes]:  # pragma: no cover - trivial
    return sys.stdin.buffer
