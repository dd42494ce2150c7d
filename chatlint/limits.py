"""The size limits of what chatlint loads (rule files and configuration files, docs/reliability.md)
and how its bounded caches make room."""

from itertools import islice

MAX_FILE_BYTES = 512 * 1024  # 35x the largest built-in file; pure-Python YAML reads ~15-70 KB/s
MAX_DEPTH = 20  # nesting of YAML collections; rules need 4


def evict_older_half(cache: dict) -> None:
    """Make room in a full bounded cache: drop its older half and keep the recent one.

    Dicts keep insertion order, so the first keys are the oldest. Taking the keys is one C
    call (no other thread runs in between); ``pop`` with a default tolerates a key another
    thread dropped meanwhile.
    """
    for key in list(islice(cache, len(cache) // 2)):
        cache.pop(key, None)
