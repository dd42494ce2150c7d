"""What every template reader shares: reading a file, and making replies from found strings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from chatlint.sources import MAX_LIBRARY_BYTES, check_length, decode, read_bytes
from chatlint.templates.mapping import FileText, SourceMap, TemplateReply
from chatlint.templates.suppress import CommentSuppressions, Suppression, parse_rules
from chatlint.templates.tree import Found

_BOMS = {b"\xef\xbb\xbf": "utf-8", b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def read_file(path: Path, encoding: str | None = None) -> FileText:
    """The file decoded (see ``sources.decode``), remembering its bytes, encoding and BOM."""
    data = read_bytes(path, MAX_LIBRARY_BYTES)
    text = decode(data, str(path), encoding)
    bom = next((b for b in _BOMS if data.startswith(b)), None)
    if encoding:
        enc = encoding
    elif bom is not None:
        enc = _BOMS[bom]
    else:
        enc = "utf-8"
    if bom is not None and text.startswith("\ufeff"):
        text = text[1:]
    return FileText(str(path), text, data, enc, bom is not None)


def file_suppressions(file: FileText, style: str | None) -> CommentSuppressions | None:
    """The comment suppressions of a file (``style`` "#" for YAML, "<!--" for Markdown)."""
    return CommentSuppressions(file, style) if style else None


def make_reply(
    file: FileText,
    found: Found,
    comments: CommentSuppressions | None,
    kind: str,
    file_ignores: list[Suppression] | None = None,
) -> TemplateReply:
    """A ``TemplateReply`` for a string found in a library, with the suppressions that cover it."""
    source: SourceMap = found.node.source()
    ignores: list[Suppression] = []
    if comments is not None:
        ignores.extend(comments.file_wide)
        ignores.extend(comments.for_lines(found.first_line, found.node.end_line))
    if found.ignore is not None:
        node = found.ignore
        field_ignore = Suppression(parse_rules(node.value), "", node.start, max(node.end - node.start, 1))
        ignores.append(field_ignore)
        if file_ignores is not None:
            file_ignores.append(field_ignore)
    meta = {"template": found.name} if found.name else {}
    meta["format"] = kind
    return TemplateReply(
        found.node.value,
        file.path,
        None,
        meta,
        source=source,
        ignores=ignores,
        file_ignores=file_ignores if file_ignores is not None else [],
    )


def replies_of(file: FileText, items: Iterator[Found], comments: CommentSuppressions | None, kind: str):
    """Replies for every found string; all of them share the list of the file's suppressions."""
    file_ignores: list[Suppression] = comments.all() if comments is not None else []
    for found in items:
        check_length(found.node.value, file.path, found.first_line)
        yield make_reply(file, found, comments, kind, file_ignores)
