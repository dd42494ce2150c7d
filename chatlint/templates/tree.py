"""The shapes a template library takes in YAML and JSON, and how to find the replies in them.

A library is a mapping of names to texts, a list of texts, or a list (or mapping) of
objects whose text is in one of ``options.fields``; groups may nest. Both the YAML and the
JSON reader turn their file into this neutral tree and let ``walk`` find the replies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from chatlint.templates.mapping import SourceMap

DEFAULT_FIELDS = ("text", "content", "message", "answer", "reply")
NAME_FIELDS = ("name", "title", "short_code", "shortcut", "key", "id")


@dataclass(frozen=True)
class TemplateOptions:
    """How to find replies in a library (``[tool.chatlint.templates]`` in the config)."""

    fields: tuple[str, ...] = DEFAULT_FIELDS
    csv_column: str | None = None  # default: the first column named like one of ``fields``
    txt_paragraphs: bool = False  # a .txt file holds one reply per paragraph


@dataclass
class Str:
    """A string in the file: its value, its span, and a way to build its source map."""

    value: str
    start: int
    end: int
    line: int  # 1-based line of its start
    end_line: int
    source: Callable[[], SourceMap]


@dataclass
class Obj:
    pairs: list[tuple[str, int, object]]  # key, line of the key, value node
    line: int


@dataclass
class Arr:
    items: list[object]
    line: int


@dataclass
class Found:
    """A reply found in the tree, with the line its entry starts on and its ignore field."""

    node: Str
    name: str
    first_line: int
    ignore: Str | None = None
    extra: dict = field(default_factory=dict)


def walk(node: object, options: TemplateOptions, name: str = "", line: int = 0) -> Iterator[Found]:
    """Every reply in the tree, in file order."""
    if isinstance(node, Str):
        yield Found(node, name, line or node.line)
    elif isinstance(node, Obj):
        keys = {k: v for k, _, v in node.pairs}
        text_field = next((f for f in options.fields if isinstance(keys.get(f), Str)), None)
        if text_field is not None:
            label = next((keys[f].value for f in NAME_FIELDS if isinstance(keys.get(f), Str)), name)
            ignore = keys.get("chatlint_ignore")
            yield Found(keys[text_field], label, line or node.line, ignore if isinstance(ignore, Str) else None)
            return
        for key, key_line, value in node.pairs:
            if key == "chatlint_ignore":
                continue
            yield from walk(value, options, f"{name}.{key}" if name else key, key_line)
    elif isinstance(node, Arr):
        for i, item in enumerate(node.items):
            item_line = item.line if isinstance(item, (Str, Obj, Arr)) else 0
            yield from walk(item, options, f"{name}[{i}]", item_line)
