"""Shared fixtures: one Linter with every built-in rule on (off-by-default ones too)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

# The cache of loaded rules (chatlint/rule_cache.py) goes to a folder of this test session, not
# the user's ~/.cache; set before any Linter is built, inherited by the CLI subprocesses.
if "CHATLINT_CACHE_DIR" not in os.environ:
    _CACHE = tempfile.mkdtemp(prefix="chatlint-test-cache-")
    os.environ["CHATLINT_CACHE_DIR"] = _CACHE
    atexit.register(shutil.rmtree, _CACHE, ignore_errors=True)

from chatlint.linter import Linter  # noqa: E402


@pytest.fixture(scope="session")
def linter() -> Linter:
    """The built-in pack with its default selection."""
    return Linter()


@pytest.fixture(scope="session")
def all_rules_linter() -> Linter:
    """Every built-in rule on, including those that are off by default."""
    base = Linter()
    return Linter(extend_select=[r.id for r in base.all_rules])


# Hypothesis profiles: "ci" (the default) keeps the suite bounded; HYPOTHESIS_PROFILE=long
# runs a longer fuzzing session (see docs/reliability.md).
try:
    import os

    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "ci",
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        print_blob=True,
        derandomize=True,  # the same examples on every CI run: a red run is reproducible, not luck
    )
    settings.register_profile(
        "long", max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True
    )
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
except ImportError:  # pragma: no cover - hypothesis is a test dependency
    pass
