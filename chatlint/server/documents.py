"""Checking an editor's document (a canned-reply library) as ``chatlint check`` checks the file.

The text comes from the editor (unsaved changes included); the reader is the one the file's
suffix names, the configuration the one of the file's folder; the file is one unit of the
check pipeline (chatlint/pipeline.py), so per-file ignores and inline suppressions apply.
Positions are in the file: 0-based lines and code-point columns, with the spans and encoded
replacements of the quick fixes. Nothing here knows LSP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chatlint.config import ConfigFileError, is_excluded
from chatlint.diagnostic import Diagnostic
from chatlint.linter import ConfigError, Linter
from chatlint.pipeline import Library, check_library
from chatlint.project import Project
from chatlint.rules import Rule, RuleLoadError
from chatlint.sources import InputError, LineIndex, Reply

NO_QUICK_FIX = ("dialogue",)  # categories whose suggestions are advice, not replacement text


@dataclass(frozen=True)
class Edit:
    """Replace ``file[start:end]`` (code-point offsets of the file text) with ``text``."""

    title: str
    start: int
    end: int
    text: str
    preferred: bool = False


@dataclass
class DocFinding:
    """A finding placed in the document: ``(line, column)`` pairs are 0-based, columns in code points."""

    rule: str
    severity: str
    message: str
    start: tuple[int, int]
    end: tuple[int, int]
    edits: list[Edit] = field(default_factory=list)


@dataclass
class DocResult:
    findings: list[DocFinding] = field(default_factory=list)
    problems: list[DocFinding] = field(default_factory=list)  # what kept the file from being checked
    lines: list[str] = field(default_factory=list)  # the text's lines, as LSP counts them
    index: LineIndex | None = None
    docs: dict[str, str] = field(default_factory=dict)  # Markdown documentation of each rule found

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, code-point column) of a file offset."""
        line, column = self.index.line_col(offset)
        return line - 1, column - 1


def suffix_supported(path: Path) -> bool:
    from chatlint.templates import TEXT_READERS

    return path.suffix.lower() in TEXT_READERS


def check_document(project: Project, path: Path, text: str) -> DocResult:
    """The findings of a library whose current text is ``text``; problems (a broken file or
    configuration) are findings of the rule ``chatlint/input`` or ``chatlint/config``."""
    from chatlint.templates import FileText

    index = LineIndex(text)
    result = DocResult(lines=_lines(text, index), index=index)
    try:
        config = project.config_for(path)
        if is_excluded(path, config):
            return result
        settings = project.settings_for(path)
        file = FileText(str(path), text)
        library = Library(str(path), list(project.replies_of_text(file, path.suffix, config)))
        found = check_library(library, settings.linter, settings.skip)
    except InputError as exc:
        line = max(exc.line - 1, 0)
        result.problems.append(DocFinding("chatlint/input", "error", exc.message, (line, 0), (line, 10**6)))
        return result
    except (ConfigFileError, ConfigError, RuleLoadError) as exc:
        result.problems.append(DocFinding("chatlint/config", "error", str(exc), (0, 0), (0, 0)))
        return result
    linter = settings.linter
    for reply, d in found:
        result.findings.append(_placed(reply, d, index))
        if d.rule not in result.docs:
            result.docs[d.rule] = rule_doc(linter.rule(d.rule), linter)
    return result


def rule_doc(rule: Rule, linter: Linter) -> str:
    """A rule's documentation as Markdown: id, severity, message, why, source, examples."""
    severity = linter.severity_of(rule.id)
    lines = [f"**{rule.id}** ({severity})", "", rule.message.replace("{match}", "…")]
    if rule.why:
        lines += ["", rule.why]
    if rule.source:
        lines += ["", f"Источник: {rule.source}"]
    for title, examples in (("Плохо", rule.examples_bad), ("Хорошо", rule.examples_good)):
        if examples:
            lines += ["", f"{title}:"] + [f"- {' '.join(e.split())}" for e in examples[:3]]
    return "\n".join(lines)


def _lines(text: str, index: LineIndex) -> list[str]:
    starts = index.starts + [len(text)]
    return [text[a:b] for a, b in zip(starts, starts[1:])]


def _placed(reply: Reply, d: Diagnostic, index: LineIndex) -> DocFinding:
    line, column = reply.line_col(d.start)
    end_line, end_column = reply.line_col(d.end)
    if d.end <= d.start:
        end_line, end_column = line, column
    finding = DocFinding(d.rule, d.severity, d.message, (line - 1, column - 1), (end_line - 1, end_column - 1))
    if d.rule.split("/", 1)[0] not in NO_QUICK_FIX:
        finding.edits = quick_fixes(reply, d)
    return finding


def quick_fixes(reply: Reply, d: Diagnostic) -> list[Edit]:
    """The fix and the suggestions as edits of the file, each encoded the way its place in the
    file needs (escaped in a JSON string, doubled quotes in CSV …); those that cannot be written
    there (a span across a folded line break, a line break in a plain scalar) are left out."""
    source = getattr(reply, "source", None)
    if source is None:
        return []
    wanted: list[tuple[int, int, str, bool]] = []
    if d.fix is not None:
        wanted.append((d.fix.start, d.fix.end, d.fix.replacement, True))
    wanted += [(d.start, d.end, s, False) for s in d.suggestions]
    edits: list[Edit] = []
    seen: set[tuple[int, int, str]] = set()
    for start, end, replacement, preferred in wanted:
        span = source.file_span(start, end)
        if span is None:
            continue
        encoded = source.encode(replacement, source.file.text[span[0] : span[1]], start, end)
        if encoded is None or (span[0], span[1], encoded) in seen:
            continue
        seen.add((span[0], span[1], encoded))
        edits.append(Edit(f"Заменить на «{replacement}»", span[0], span[1], encoded, preferred))
    return edits
