"""A YAML safe loader held to limits, for files a repository supplies (``.chatlint.yaml``).

It refuses aliases (no billion laughs, no recursive structures), nesting deeper than
``MAX_DEPTH`` (no ``RecursionError`` on ``[[[[…]]]]``) and duplicate keys, as the rule
loader (chatlint/rule_yaml.py) does for rule files; it keeps no line numbers.
"""

from __future__ import annotations

import yaml

MAX_DEPTH = 20  # nesting of collections, as rule_yaml.MAX_DEPTH


class StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` without aliases, deep nesting or duplicate keys."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed", self.peek_event().start_mark
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader, node, deep=False):
    """A mapping, refusing a key that appears twice (a safe loader keeps the last silently)."""
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: SafeConstructor reports it
            continue
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {first})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line + 1
    return yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep)


StrictLoader.construct_mapping = _construct_mapping
_FastLoader = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastLoader(yaml.CSafeLoader):
        """libyaml (about 10x faster) for a text that cannot hold an alias or deep nesting."""

    _FastLoader.construct_mapping = _construct_mapping


def _shallow(text: str) -> bool:
    """No line indented deeper, and no brackets nested deeper, than ``MAX_DEPTH`` levels could be."""
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    depth = top = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            top = max(top, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return indent <= 2 * MAX_DEPTH and top <= MAX_DEPTH


def load(text: str):
    """Parse one YAML document with the limits (``yaml.YAMLError`` on a breach)."""
    if _FastLoader is not None and "&" not in text and _shallow(text):  # no anchor: no alias
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a CSafeLoader subclass
    return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
