"""``--fix``, ``--unsafe-fixes`` and ``--diff``: a pass over the canned-reply files before they
are checked, and the ``--stdin-filename`` route (a file's text on stdin, fixed text on stdout)."""

from __future__ import annotations

from pathlib import Path
from typing import IO

from chatlint.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from chatlint.output import safe
from chatlint.sources import BinaryInput, InputError, decode


def fix_files(req, run, out: IO[str], err: IO[str]) -> bool:
    """Fix (or, with ``--diff``, show the fixes of) every canned-reply file of the run; True when
    a file changed or would change. Read errors are left to the check that follows; with
    ``--diff`` nothing follows, so they are reported here."""
    from chatlint.fixer import ChangedDuringRun, NotFixed, fix_file, write

    changed = False
    fixed_count = fixed_files = 0
    for path in run.inputs.files:
        if path == "-" or not run.inputs.is_library(path):
            continue  # stdin without --stdin-filename, transcripts and files not recognised have nothing to fix
        try:
            result = fix_file(run.project, path, req.unsafe_fixes)
        except BinaryInput as exc:
            if req.diff:
                err.write(f"chatlint: skipped: {safe(exc)}\n")
            continue
        except (InputError, OSError) as exc:
            if req.diff:
                run.inputs.report_failure(str(exc) if isinstance(exc, InputError) else f"{path}: {exc.strerror or exc}")
            continue
        if not result.changed:
            continue
        changed = True
        if req.diff:
            out.write(result.diff())
            continue
        try:
            write(result, _root_of(path, req.paths))
            fixed_count += result.applied
            fixed_files += 1
        except ChangedDuringRun:
            err.write(f"chatlint: warning: {safe(path)} changed during the run; fixes not written\n")
        except NotFixed as exc:  # a link, read-only: still checked
            err.write(f"chatlint: warning: {safe(exc)}\n")
        except OSError as exc:  # a full disk, a read-only folder: still checked
            err.write(f"chatlint: warning: {safe(path)}: {exc.strerror or exc}; not fixed\n")
    if not req.diff:
        err.write(f"chatlint: fixed {fixed_count} finding(s) in {fixed_files} file(s)\n")
    return changed


def _root_of(path: Path, raws: list[str]) -> Path | None:
    """The path named on the command line that ``path`` was found under (links below it are refused)."""
    for raw in raws:
        root = Path(raw)
        if raw != "-" and (root == path or root in path.parents):
            return root
    return None


def check_stdin_file(req, project, stdin: IO[bytes], out: IO[str], err: IO[str]) -> int:
    """stdin as the file ``--stdin-filename`` names: its format and configuration; with a fix
    the fixed text goes to stdout and the remaining findings to stderr, as ruff does."""
    from chatlint.config import is_excluded
    from chatlint.fixer import FixResult, fix_text
    from chatlint.pipeline import Library, check_unit
    from chatlint.templates.mapping import FileText
    from chatlint.writers import WRITERS

    path = Path(req.stdin_filename)
    settings = project.settings_for(path)
    if is_excluded(path, settings.config):
        return EXIT_OK
    data = stdin.read()
    try:
        text = decode(data, req.stdin_filename, req.encoding)
    except BinaryInput as exc:
        err.write(f"chatlint: skipped: {safe(exc)}\n")
        return EXIT_OK
    except InputError as exc:
        err.write(f"chatlint: input error: {exc}\n")
        return EXIT_USAGE
    file = FileText(req.stdin_filename, text.removeprefix("\ufeff"), data)
    report_to = out
    if req.fixing:
        fixed, applied = fix_text(project, file, path.suffix, settings.config, req.unsafe_fixes)
        if req.diff:
            result = FixResult(path, file.text, fixed, applied, file)
            out.write(result.diff() if result.changed else "")
            return EXIT_FINDINGS if result.changed else EXIT_OK
        out.write(fixed)
        file = FileText(req.stdin_filename, fixed, data)
        report_to = err
    try:
        replies = list(project.replies_of_text(file, path.suffix, settings.config))
    except InputError as exc:
        err.write(f"chatlint: input error: {exc}\n")
        return EXIT_USAGE
    findings = check_unit(Library(req.stdin_filename, replies), settings.linter, settings.skip)
    writer = WRITERS[req.fmt](report_to, project.settings_for(None).linter.rules)
    writer.start()
    for reply, d in findings:
        writer.write(reply, d)
    writer.end()
    return EXIT_FINDINGS if any(req.fails(d.severity) for _, d in findings) else EXIT_OK
