"""Rule kinds. Importing this package registers every built-in kind."""

from chatlint.kinds import caps, emoji, exclamation, one_word, patterns, regex_rule  # noqa: F401
from chatlint.kinds.base import KINDS, Doc, Match, RuleKind, register

__all__ = ["KINDS", "Doc", "Match", "RuleKind", "register"]
