"""Shared fixtures: one Linter with every built-in rule on (off-by-default ones too)."""

from __future__ import annotations

import pytest

from chatlint.linter import Linter


@pytest.fixture(scope="session")
def linter() -> Linter:
    """The built-in pack with its default selection."""
    return Linter()


@pytest.fixture(scope="session")
def all_rules_linter() -> Linter:
    """Every built-in rule on, including those that are off by default."""
    base = Linter()
    return Linter(extend_select=[r.id for r in base.all_rules])
