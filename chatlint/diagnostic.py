"""The result type of a check: one finding in one reply."""

from __future__ import annotations

from dataclasses import dataclass, field

ERROR = "error"
WARNING = "warning"
INFO = "info"
SEVERITIES = (ERROR, WARNING, INFO)


@dataclass(frozen=True, slots=True)
class Fix:
    """A replacement of ``text[start:end]`` that a rule offers to apply.

    ``safe`` fixes are applied by ``--fix``; unsafe ones only with ``--unsafe-fixes``.
    """

    start: int
    end: int
    replacement: str
    safe: bool = True


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. ``start``/``end`` are code-point offsets into the checked text."""

    rule: str
    severity: str
    start: int
    end: int
    message: str
    text: str = ""
    suggestions: tuple[str, ...] = ()
    fix: Fix | None = None
    source: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict:
        """A JSON-ready mapping of the finding (offsets relative to the reply)."""
        data = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "suggestions": list(self.suggestions),
            "fix": None
            if self.fix is None
            else {
                "start": self.fix.start,
                "end": self.fix.end,
                "replacement": self.fix.replacement,
                "safe": self.fix.safe,
            },
            "source": self.source,
        }
        data.update(self.extra)
        return data
