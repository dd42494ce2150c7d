"""``--fix``: apply the fixes of findings to the source file, in place and atomically.

A fix replaces only the file span the flagged reply text was decoded from, written the
way that span needs it (YAML quotes and escapes, JSON escapes, CSV quoting). Fixes that
overlap are left for the next pass, which re-reads the fixed text; passes repeat until
nothing changes, so a second ``--fix`` run changes nothing. The file is written by
``chatlint.atomic.replace_file`` (a temporary file and a rename, or in place under a lock
for a hard-linked file), keeping owner, group, mode and links, and only when its bytes are
still those that were read, checked again just before the rename; a read-only file is left
alone. It is never written through a symbolic link: a file that is a link, or is reached
through a linked folder below the path named on the command line, is checked but not fixed
(name the link's target to fix that).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from chatlint.atomic import (
    TEMP_SUFFIX,  # noqa: F401 - re-exported
    Changed,
    LinkRefused,
    NotWritten,
    replace_file,
)
from chatlint.config import Config
from chatlint.pipeline import Finding, Library, check_library
from chatlint.project import Project
from chatlint.templates.common import read_file
from chatlint.templates.mapping import FileText

MAX_PASSES = 10


@dataclass
class FixResult:
    """What fixing one file did: its text before and after, and how many fixes it applied."""

    path: Path
    before: str
    after: str
    applied: int
    file: FileText

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def diff(self) -> str:
        name = str(self.path)
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=name,
            tofile=name,
        )
        return "".join(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n" for line in lines
        )


Edit = tuple[int, int, str, str]  # start, end, replacement, rule id


def choose(edits: list[Edit], written: list[tuple[int, int, str]] = ()) -> list[Edit]:
    """The edits of one pass: sorted, duplicates dropped, none overlapping an earlier one,
    and none by a rule inside text that the same rule wrote in an earlier pass (a fix
    that re-triggers its own rule would otherwise grow without end)."""
    chosen: list[Edit] = []
    last_end = -1
    for edit in sorted(set(edits)):
        start, end, _, rule = edit
        if start < last_end:
            continue  # overlaps an edit of this pass: the next pass sees it again
        if any(rule == r and start < w_end and w_start < end for w_start, w_end, r in written):
            continue
        chosen.append(edit)
        last_end = end
    return chosen


def apply(text: str, edits: list[Edit], written: list[tuple[int, int, str]] | None = None) -> str:
    """``text`` with non-overlapping edits applied; ``written`` (regions earlier passes wrote)
    is moved along and extended with the regions this pass writes."""
    pieces: list[str] = []
    pos = 0
    shift = 0
    moved: list[tuple[int, int, str]] = []
    regions = sorted(written or [])
    for start, end, replacement, rule in sorted(edits):
        pieces.append(text[pos:start])
        pieces.append(replacement)
        moved.append((start + shift, start + shift + len(replacement), rule))
        delta = len(replacement) - (end - start)
        regions = [(a + delta, b + delta, r) if a >= end else (a, b, r) for a, b, r in regions]
        shift += delta
        pos = end
    pieces.append(text[pos:])
    if written is not None:
        written[:] = regions + moved
    return "".join(pieces)


def fix_text(project: Project, file: FileText, suffix: str, config: Config, unsafe: bool) -> tuple[str, int]:
    """The fixed text of a decoded file and the number of fixes applied, pass by pass."""
    text = file.text
    applied = 0
    written: list[tuple[int, int, str]] = []
    for _ in range(MAX_PASSES):
        current = FileText(file.path, text, file.data, file.encoding, file.bom)
        replies = project.replies_of_text(current, suffix, config)
        settings = project.settings_for(Path(file.path))
        library = Library(file.path, list(replies))
        edits = choose(fixable(check_library(library, settings.linter, settings.skip), unsafe), written)
        if not edits:
            break
        new = apply(text, edits, written)
        if new == text:
            break
        text = new
        applied += len(edits)
    return text, applied


def fixable(findings: list[Finding], unsafe: bool) -> list[Edit]:
    """File edits ``(start, end, replacement, rule)`` for the fixes of these findings."""
    edits = []
    for reply, d in findings:
        fix = d.fix
        source = getattr(reply, "source", None)
        if fix is None or not (fix.safe or unsafe) or source is None:
            continue
        span = source.file_span(fix.start, fix.end)
        if span is None:
            continue
        encoded = source.encode(fix.replacement, source.file.text[span[0] : span[1]], fix.start, fix.end)
        if encoded is not None:
            edits.append((span[0], span[1], encoded, d.rule))
    return edits


def fix_file(project: Project, path: Path, unsafe: bool = False) -> FixResult:
    """Fix one file in memory (nothing is written; see ``write``)."""
    config = project.config_for(path)
    file = read_file(path, project.encoding)
    after, applied = fix_text(project, file, path.suffix, config, unsafe)
    return FixResult(path, file.text, after, applied, file)


class NotFixed(Exception):
    """The fixed file was not written; the message says why (the file is still checked)."""


class ChangedDuringRun(NotFixed):
    """The file on disk is no longer what was read: it is not overwritten."""


def encode(file: FileText, text: str) -> bytes:
    """Text back to bytes in the file's encoding, with its byte-order mark if it had one."""
    return (("\ufeff" if file.bom else "") + text).encode(file.encoding)


class SymlinkNotFixed(NotFixed):
    """The file is a symbolic link or lies in a linked folder: it is not written."""


def through_symlink(path: Path, root: Path | None = None) -> str | None:
    """Why ``path`` may not be written because of a symbolic link, or None: it is a link
    itself, or (given ``root``, the file or folder named on the command line) a folder
    between ``root`` and it is one. Folders above ``root`` may be links: the user named them."""
    if os.path.islink(path):
        return "is a symbolic link"
    if root is None or path == root:
        return None
    real_root = os.path.realpath(root)
    for base in (root, Path(real_root)):  # a folder walk yields paths under either
        try:
            rel = path.relative_to(base)
        except ValueError:
            continue
        if os.path.realpath(path) == os.path.join(real_root, rel):
            return None
        return "is inside a symbolically linked folder"
    return "is outside the folder given on the command line"


def write(result: FixResult, root: Path | None = None) -> None:
    """Write a fixed file (``atomic.replace_file``: atomically, keeping owner, group, mode and
    links); refuse when the file changed since it was read, is read-only, or would be written
    through a symbolic link (see ``through_symlink``)."""
    path = Path(result.path)
    reason = through_symlink(path, root)
    if reason:
        raise SymlinkNotFixed(f"{result.path} {reason}; not fixed")
    try:
        replace_file(path, encode(result.file, result.after), result.file.data)
    except Changed:
        raise ChangedDuringRun(str(result.path)) from None
    except LinkRefused:
        raise SymlinkNotFixed(f"{result.path} is a symbolic link; not fixed") from None
    except NotWritten as exc:
        raise NotFixed(f"{exc}; not fixed") from None
