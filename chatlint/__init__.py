"""chatlint: a linter for the replies chat operators send to customers, in Russian.

>>> import chatlint
>>> linter = chatlint.Linter()
>>> [d.rule for d in linter.check("Я не знаю!!!")]
['taboo/dont-know', 'style/exclamation']
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from chatlint.diagnostic import ERROR, INFO, WARNING, Diagnostic, Fix

if TYPE_CHECKING:  # pragma: no cover
    from chatlint.linter import Linter

__version__ = "0.1.0"
__all__ = [
    "Diagnostic",
    "Fix",
    "Linter",
    "check",
    "check_conversations",
    "check_files",
    "ERROR",
    "WARNING",
    "INFO",
    "__version__",
]
_LAZY = {  # public names whose modules load the rules or the readers: imported on first use
    "Linter": "chatlint.linter",
    "check_files": "chatlint.run",
    "check_conversations": "chatlint.pipeline",
}

_DEFAULT: Linter | None = None
_DEFAULT_LOCK = threading.Lock()


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(module), name)
    raise AttributeError(f"module 'chatlint' has no attribute {name!r}")


def check(text: str) -> list[Diagnostic]:
    """Check one reply with a shared Linter using the built-in rules and defaults."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                from chatlint.linter import Linter

                _DEFAULT = Linter()
    return _DEFAULT.check(text)
