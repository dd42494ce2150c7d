"""The YAML side of rule loading: a safe loader that keeps line numbers (imported only when
rule files are parsed, not when they come from the cache: PyYAML costs 20 ms at start)."""

from __future__ import annotations

import regex
import yaml

from chatlint.limits import MAX_DEPTH, MAX_FILE_BYTES  # noqa: F401 - the limits of what it loads


class LineDict(dict):
    """A dict that knows the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A list that knows the line of each item."""

    lines: list


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers the line of every mapping and its keys.

    It refuses aliases (no billion laughs, no recursive structures), nesting deeper than
    ``MAX_DEPTH`` (no recursion error on ``[[[[…]]]]``) and duplicate keys.
    """

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in rules", event.start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", event.start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in data:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {data.key_lines[key]})", key_node.start_mark
            )
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = key_node.start_mark.line + 1
    return data


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)

if getattr(yaml, "__with_libyaml__", False):

    class _FastLineLoader(yaml.CSafeLoader):
        """The same loader over libyaml: several times faster, for files without anchors."""

    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _FastLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
else:  # pragma: no cover - PyYAML built without libyaml
    _FastLineLoader = None


def yaml_problem(exc: Exception, text: str) -> tuple[int, str]:
    """The 1-based line (0 when unknown) of a YAML error in ``text``, and what is wrong, on one line."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        return (mark.line + 1 if mark else 0), " ".join(str(exc.problem or exc).split())
    if isinstance(exc, yaml.reader.ReaderError):  # a control character; its own message spans two lines
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return text.count("\n", 0, exc.position) + 1, f"character U+{code:04X} is not allowed"
    return 0, " ".join(str(exc).split())


def load_yaml(text: str):
    """Parse a rule file with line numbers; libyaml when it gives the same result, else pure Python.

    Without an «&» there can be no anchor, so no alias for _LineLoader to refuse; any error
    is reported by _LineLoader, so that messages do not depend on libyaml being there.
    """
    if _FastLineLoader is not None and "&" not in text and _shallow(text):
        try:
            return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506 - a CSafeLoader subclass
        except yaml.YAMLError:
            pass
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


_MAX_FAST_DEPTH = 20


def _shallow(text: str) -> bool:
    """No deep nesting, which libyaml's composer would follow down the C stack (a crash, not an error)."""
    indents = regex.findall(r"(?m)^ +(?=\S)", text)
    if indents and max(map(len, indents)) > 2 * _MAX_FAST_DEPTH:
        return False
    depth = top = 0
    for ch in regex.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if ch in "[{" else max(depth - 1, 0)
        top = max(top, depth)
    return top <= _MAX_FAST_DEPTH
