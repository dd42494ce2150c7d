"""Rule kinds. Importing this package registers every built-in kind."""

from chatlint.kinds import caps, emoji, exclamation, obscene, one_word, patterns, regex_rule, spelling  # noqa: F401
from chatlint.kinds.base import KINDS, Context, Doc, Match, RuleKind, Vocabulary, register

__all__ = ["KINDS", "Context", "Doc", "Match", "RuleKind", "Vocabulary", "register"]
