"""The ``meta`` rule kind: findings about chatlint's own markup, produced by the runner.

A meta rule never matches reply text; it exists so that its id can be selected, ignored
and given a severity like any other rule (``chatlint/unused-ignore``).
"""

from __future__ import annotations

from chatlint.kinds.base import Doc, Match, RuleKind, register


@register
class MetaRule(RuleKind):
    """Reported by the file runner (see chatlint/project.py), never by ``Linter.check``."""

    name = "meta"
    keys: dict = {}
    scope = "file"  # judges a file's markup: not in corpus evaluation or reply examples
    per_reply = False

    def find(self, doc: Doc) -> list[Match]:
        return []
