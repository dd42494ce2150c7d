"""Rule kinds. Importing this package registers every built-in kind."""

from chatlint.kinds import (  # noqa: F401
    abbreviation,
    caps,
    dialogue,
    emoji,
    exclamation,
    meta,
    obscene,
    one_word,
    patterns,
    regex_rule,
    spelling,
    typography,
    vy_case,
)
from chatlint.kinds.base import KINDS, Context, Doc, Match, RuleKind, Vocabulary, register

__all__ = ["KINDS", "Context", "Doc", "Match", "RuleKind", "Vocabulary", "register"]
