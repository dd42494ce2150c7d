"""A QA score per conversation, in the categories conversation-QA products grade.

The categories are those of Klaus / Zendesk QA's AutoQA and of Russian contact-centre
checklists (docs/qa.md): greeting, understanding of the issue, empathy, spelling and tone,
solution offered, closing. Each is fed by named rules (``CATEGORY_OF``: a rule id or category
prefix → category; the most specific selector wins). A category's score is 0–1:

- a *conversation* category (all but spelling and tone) loses 1 for an error, 0.5 for a
  warning, 0.25 for an info finding of its rules, down to 0 (Klaus grades these pass/fail);
- *spelling and tone* is the share of the operator's replies without such a finding (an
  info finding counts half), so one typo in a long chat costs less than in a short one.

The conversation's score is the weighted mean of its categories, 0–100. A category none of
whose rules is enabled is not applicable and its weight is shared out among the others; a
conversation without an operator reply has no score (``None``). Speed (first-response and
response times) is not a category: the summary reports the times themselves.

Weights and the rule table are set in ``[tool.chatlint.qa]`` (docs/config.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

GREETING, UNDERSTANDING, EMPATHY, SPELLING_TONE, SOLUTION, CLOSING = (
    "greeting", "understanding", "empathy", "spelling_tone", "solution", "closing",
)  # fmt: skip
CATEGORIES = (GREETING, UNDERSTANDING, EMPATHY, SPELLING_TONE, SOLUTION, CLOSING)
PER_REPLY = frozenset({SPELLING_TONE})  # scored by the share of clean replies
WEIGHTS: dict[str, float] = {
    GREETING: 15,
    UNDERSTANDING: 15,
    EMPATHY: 20,
    SPELLING_TONE: 20,
    SOLUTION: 20,
    CLOSING: 10,
}
PENALTY = {"error": 1.0, "warning": 0.5, "info": 0.25}

# rule id or category prefix -> category; the longest matching selector wins
CATEGORY_OF: dict[str, str] = {
    "dialogue/greeting": GREETING,
    "dialogue/ask-name": GREETING,
    "dialogue/repeated-reply": UNDERSTANDING,  # the same template again: the follow-up was not read
    "dialogue/transfers": UNDERSTANDING,  # bounced between operators
    "tone/unexplained-request": UNDERSTANDING,  # data asked for without saying why
    "tone/pitch-cliche": UNDERSTANDING,  # the seller's script instead of the client's task
    "dialogue/empathy": EMPATHY,
    "dialogue/please-thanks": EMPATHY,
    "tone/calm-down": EMPATHY,
    "tone/empty-apology": EMPATHY,
    "tone/blame-shift": EMPATHY,
    "taboo/in-your-place": EMPATHY,
    "taboo/dont-know": SOLUTION,
    "taboo/bare-no": SOLUTION,
    "tone/passing-buck": SOLUTION,
    "tone/wait-command": SOLUTION,
    "tone/overpromise": SOLUTION,
    "tone/hedging": SOLUTION,
    "dialogue/closing": CLOSING,
    "dialogue/contacts": CLOSING,
    "spelling": SPELLING_TONE,
    "style": SPELLING_TONE,
    "tone": SPELLING_TONE,
    "taboo": SPELLING_TONE,
    "template": SPELLING_TONE,
    "dialogue/burst": SPELLING_TONE,
}


class QAConfigError(ValueError):
    """A ``[tool.chatlint.qa]`` value that cannot be used; ``key`` names it."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class QAConfig:
    """Category weights and the rule → category table (``qa_config`` reads them from configuration)."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    table: Mapping[str, str] = field(default_factory=lambda: dict(CATEGORY_OF))
    _known: dict = field(default_factory=dict, compare=False, repr=False)  # rule id -> category, as found

    def category_of(self, rule_id: str) -> str | None:
        """The category a rule feeds, by its most specific selector in the table; None: no category."""
        if rule_id in self._known:
            return self._known[rule_id]
        best, length = None, -1
        for selector, category in self.table.items():
            prefix = selector.rstrip("/")
            if (rule_id == prefix or rule_id.startswith(prefix + "/")) and len(prefix) > length:
                best, length = category, len(prefix)
        if len(self._known) < 10_000:
            self._known[rule_id] = best
        return best


def qa_config(data: Mapping | None) -> QAConfig:
    """The QAConfig of a ``qa`` table: ``weights`` (category → number ≥ 0, merged over the
    defaults; a new name adds a category) and ``categories`` (rule id or prefix → category,
    merged over the built-in table; "" takes a rule out of the score). QAConfigError on a bad value."""
    data = dict(data or {})
    unknown = sorted(set(data) - {"weights", "categories"})
    if unknown:
        raise QAConfigError(unknown[0], "unknown key (keys: weights, categories)")
    weights = dict(WEIGHTS)
    for name, value in dict(data.get("weights") or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise QAConfigError(f"weights.{name}", f"must be a number ≥ 0, found {value!r}")
        weights[str(name)] = float(value)
    table = dict(CATEGORY_OF)
    for selector, category in dict(data.get("categories") or {}).items():
        if not isinstance(category, str):
            raise QAConfigError(f"categories.{selector}", f"must be a category name, found {category!r}")
        if category and category not in weights:
            raise QAConfigError(f"categories.{selector}", f"unknown category {category!r} (give it a weight)")
        table[str(selector)] = category
    if not any(weights.values()):
        raise QAConfigError("weights", "at least one weight must be above 0")
    return QAConfig(weights, {k: v for k, v in table.items() if v})


@dataclass
class CategoryScore:
    """One category of a conversation: 0–100 (None: not applicable), its weight and findings."""

    score: float | None
    weight: float
    findings: int = 0
    rules: dict[str, int] = field(default_factory=dict)


@dataclass
class QAScore:
    """A conversation's QA score, 0–100 (None: no operator reply), with the per-category detail."""

    score: float | None
    categories: dict[str, CategoryScore]

    def to_dict(self) -> dict:
        return {
            "score": self.score,
            "categories": {
                name: {"score": c.score, "weight": c.weight, "findings": c.findings, "rules": dict(c.rules)}
                for name, c in self.categories.items()
            },
        }


Mark = tuple[str, str, str]  # (rule id, severity, message id of the reply it is on)


def score(
    marks: Iterable[Mark], replies: int, enabled: Iterable[str] | None = None, config: QAConfig | None = None
) -> QAScore:
    """The QA score of one conversation from its findings as ``(rule, severity, message id)``
    marks, the number of operator replies, and the enabled rule ids (None: every category applies)."""
    config = config or QAConfig()
    fed = None if enabled is None else {config.category_of(r) for r in enabled}
    penalty: dict[str, float] = {}
    per_reply: dict[str, dict[str, float]] = {}
    detail = {name: CategoryScore(None, w) for name, w in config.weights.items()}
    for rule, severity, message_id in marks:
        category = config.category_of(rule)
        if category is None or category not in detail:
            continue
        cell = detail[category]
        cell.findings += 1
        cell.rules[rule] = cell.rules.get(rule, 0) + 1
        cost = PENALTY.get(severity, 0.5)
        if category in PER_REPLY:
            worst = per_reply.setdefault(category, {})
            worst[message_id] = max(worst.get(message_id, 0.0), 1.0 if severity != "info" else 0.5)
        else:
            penalty[category] = penalty.get(category, 0.0) + cost
    if replies <= 0:
        return QAScore(None, detail)
    total = weight_sum = 0.0
    for name, cell in detail.items():
        if fed is not None and name not in fed:
            continue
        if name in PER_REPLY:
            value = 1.0 - min(1.0, sum(per_reply.get(name, {}).values()) / replies)
        else:
            value = max(0.0, 1.0 - penalty.get(name, 0.0))
        cell.score = round(100 * value, 1)
        total += cell.weight * value
        weight_sum += cell.weight
    return QAScore(round(100 * total / weight_sum, 1) if weight_sum else None, detail)


def score_findings(findings: Iterable, replies: int, enabled: Iterable[str] | None = None, config=None) -> QAScore:
    """``score`` from ``(Reply, Diagnostic)`` findings (chatlint.pipeline)."""
    marks = [(d.rule, d.severity, str(reply.meta.get("message_id"))) for reply, d in findings]
    return score(marks, replies, enabled, config)


def score_conversation(conv, findings: list, linter, config: QAConfig | None = None) -> QAScore:
    """The QA score of a checked conversation (its findings from ``check_conversation(conv, linter)``)."""
    return score_findings(findings, len(conv.replies), linter.enabled_ids, config)
