"""Template libraries: readers for canned replies kept in YAML, JSON, CSV, Markdown and text.

Importing this package registers the readers with ``chatlint.sources.register_reader``.
Every reply carries a source map, so findings point at the exact ``line:col`` of the file
and fixes can be written back in place (see docs/templates.md).
"""

from __future__ import annotations

from chatlint import formats as _formats
from chatlint.sources import register_reader
from chatlint.templates.csv_reader import csv_replies, read_csv
from chatlint.templates.json_reader import json_replies, looks_like_library, read_json
from chatlint.templates.mapping import FileText, SourceMap, TemplateReply
from chatlint.templates.markdown_reader import markdown_replies, read_markdown, read_text, text_replies
from chatlint.templates.tree import DEFAULT_FIELDS, TemplateOptions
from chatlint.templates.yaml_reader import read_yaml, yaml_replies

# The template readers by suffix, from the one table of input formats (chatlint/formats.py);
# each takes (path, encoding=None, options=None).
READERS = {s: _formats.FORMATS[n].load() for n in _formats.LIBRARY_FORMATS for s in _formats.FORMATS[n].suffixes}

# The same readers over an already decoded file (used by --fix to re-check fixed text).
TEXT_READERS = {
    s: _formats.FORMATS[n].load(text=True) for n in _formats.LIBRARY_FORMATS for s in _formats.FORMATS[n].suffixes
}

for _suffix, _reader in READERS.items():
    register_reader(_suffix, _reader)

__all__ = [
    "DEFAULT_FIELDS",
    "FileText",
    "READERS",
    "TEXT_READERS",
    "SourceMap",
    "TemplateOptions",
    "TemplateReply",
    "csv_replies",
    "json_replies",
    "looks_like_library",
    "markdown_replies",
    "read_csv",
    "read_json",
    "read_markdown",
    "read_text",
    "read_yaml",
    "text_replies",
    "yaml_replies",
]
