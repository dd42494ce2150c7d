"""Output formats of ``chatlint check``: text and JSON.

Every field that comes from the input (file names, operator names, ids, reply text in
messages and suggestions) may hold anything; ``safe`` writes control characters, line and
paragraph separators and bidirectional overrides as visible escapes, so no input can forge
an output line or send a terminal sequence (``tests/test_reliability_output.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import IO

from chatlint.diagnostic import Diagnostic
from chatlint.reply import Finding, Reply

# C0 and C1 controls, DEL, NEL, line/paragraph separators, bidirectional embeddings and isolates
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# JSON escapes C0 itself; these it writes raw, and line-based readers split lines at some of them
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    ch = m.group()
    return _NAMED.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")


def safe(value: object) -> str:
    """``value`` as one line of plain text: unsafe characters written as ``\\n``, ``\\x1b``, ``\\u2028``."""
    text = str(value)
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


def safe_json(text: str) -> str:
    """JSON text with the characters ``json.dumps`` leaves raw but line readers split at escaped."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) if _JSON_UNSAFE.search(text) else text


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
            bits = [f"conversation {safe(meta['conversation_id'])}"]
            if meta.get("message_id") is not None:
                bits.append(f"message {safe(meta['message_id'])}")
            if meta.get("author"):
                bits.append(f"operator {safe(meta['author'])}")
            where = f" [{', '.join(bits)}]"
        out.write(f"{safe(reply.path)}:{line}:{column}: {d.severity} {safe(d.rule)} {safe(d.message)}{where}\n")
        if show_suggestions and d.suggestions:
            out.write(f"    → {' | '.join(safe(s) for s in d.suggestions)}\n")
        count += 1
    return count
