"""Which rules a selection turns on: rule-id selectors, shared by the engine, configuration and readers."""

from __future__ import annotations


class ConfigError(ValueError):
    """A selection or override names something that does not exist."""


def selector_matches(selector: str, rule_id: str) -> bool:
    """``taboo``, ``taboo/`` and ``taboo/dont-know`` all select ``taboo/dont-know``; ``ALL`` selects all."""
    selector = selector.strip()
    if selector == "ALL":
        return True
    return rule_id == selector or rule_id.startswith(selector.rstrip("/") + "/")


def is_on(rule_id: str, enabled: bool, select: list[str] | None, ignore: list[str], extend: list[str]) -> bool:
    """Whether a rule (``enabled`` by default or not) is on under ``select``/``ignore``/``extend-select``.

    ``ignore`` wins; a rule that is off by default is turned on only by its full id.
    """
    if any(selector_matches(s, rule_id) for s in ignore):
        return False
    if rule_id in extend or (select is not None and rule_id in select):
        return True
    if not enabled:
        return False
    if select is None:
        return True
    return any(selector_matches(s, rule_id) for s in select + extend)
