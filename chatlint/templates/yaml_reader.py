"""YAML template libraries: names to texts, lists of texts, lists of objects with a text field."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import yaml

from chatlint.reply import Reply
from chatlint.rule_yaml import yaml_problem
from chatlint.sources import InputError
from chatlint.templates.common import file_suppressions, read_file, replies_of
from chatlint.templates.mapping import FileText, approximate_map
from chatlint.templates.tree import Arr, Obj, Str, TemplateOptions, walk
from chatlint.templates.yaml_scalar import decode_scalar

_STR_TAG = "tag:yaml.org,2002:str"
# libyaml is about 10x faster; its marks count characters like the pure-Python loader's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def yaml_replies(path: Path, encoding: str | None = None, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a YAML library, each mapped to its exact place in the file."""
    yield from read_yaml(read_file(path, encoding), options)


def read_yaml(file: FileText, options: TemplateOptions | None = None) -> Iterator[Reply]:
    """The replies of a decoded YAML library."""
    options = options or TemplateOptions()
    try:
        documents = list(yaml.compose_all(file.text, Loader=LOADER))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, file.text)
        raise InputError(file.path, line, f"bad YAML: {problem}") from None
    comments = file_suppressions(file, "#")
    if comments is not None and (comments.by_line or comments.file_wide):
        comments.drop_inside([span for document in documents for span in _scalar_spans(document)])
    seen: set[int] = set()

    def found():
        for document in documents:
            if document is not None:
                yield from walk(_tree(file, document, seen), options)

    yield from replies_of(file, found(), comments, "yaml")


def _tree(file: FileText, node: yaml.Node, seen: set[int]) -> object:
    if id(node) in seen:
        return None  # an alias of a node already read: its replies are reported once
    seen.add(id(node))
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.tag != _STR_TAG:
            return None
        start, end = node.start_mark.index, node.end_mark.index
        end_line = file.line_col(max(start, end - 1))[0]  # a block scalar ends after its last break
        return Str(node.value, start, end, line, end_line, lambda: _source(file, node))
    if isinstance(node, yaml.MappingNode):
        pairs = [
            (str(key.value), key.start_mark.line + 1, _tree(file, value, seen))
            for key, value in node.value
            if isinstance(key, yaml.ScalarNode)
        ]
        return Obj(pairs, line)
    if isinstance(node, yaml.SequenceNode):
        return Arr([_tree(file, item, seen) for item in node.value], line)
    return None


def _scalar_spans(node: yaml.Node | None) -> list[tuple[int, int]]:
    """The spans of every string value, where a "#" is text, not a comment."""
    spans: list[tuple[int, int]] = []
    stack = [node]
    seen: set[int] = set()  # an alias is a node met again: visited once (a recursive alias, billion laughs)
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, yaml.ScalarNode):
            spans.append((item.start_mark.index, item.end_mark.index))
        elif isinstance(item, yaml.MappingNode):
            stack.extend(v for pair in item.value for v in pair)
        elif isinstance(item, yaml.SequenceNode):
            stack.extend(item.value)
    return spans


def _source(file: FileText, node: yaml.ScalarNode):
    start, end = node.start_mark.index, node.end_mark.index
    mapped = decode_scalar(file, start, end, node.style, node.value)
    if mapped is None:
        return approximate_map(file, start, len(node.value))
    return mapped
