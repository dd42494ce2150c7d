"""Output formats of ``chatlint check``: text and JSON."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO

from chatlint.diagnostic import Diagnostic
from chatlint.reply import Finding, Reply


def finding_dict(reply: Reply, d: Diagnostic) -> dict:
    """One finding as a JSON object: the diagnostic, its file position and the reply's metadata."""
    line, column = reply.line_col(d.start)
    end_line, end_column = reply.line_col(d.end)
    data = d.to_dict()
    data.update(path=reply.path, line=line, column=column, end_line=end_line, end_column=end_column)
    for key, value in reply.meta.items():
        data.setdefault(key, value)
    return data


def write_text(findings: Iterable[Finding], out: IO[str], *, show_suggestions: bool = True) -> int:
    """``path:line:col: severity rule message``, with suggestions indented below."""
    count = 0
    for reply, d in findings:
        line, column = reply.line_col(d.start)
        where = ""
        meta = reply.meta
        if meta.get("conversation_id") is not None:
            bits = [f"conversation {meta['conversation_id']}"]
            if meta.get("message_id") is not None:
                bits.append(f"message {meta['message_id']}")
            if meta.get("author"):
                bits.append(f"operator {meta['author']}")
            where = f" [{', '.join(bits)}]"
        out.write(f"{reply.path}:{line}:{column}: {d.severity} {d.rule} {d.message}{where}\n")
        if show_suggestions and d.suggestions:
            out.write(f"    → {' | '.join(d.suggestions)}\n")
        count += 1
    return count
