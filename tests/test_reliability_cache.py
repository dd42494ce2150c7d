"""The rule cache loads pickles, so an entry must be one nobody else could have planted:
opened without following a link, checked on the open descriptor, and in a folder chain
(from the cache folder up to ``/``) that only this user or root can write to (issue 14, 1)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from chatlint import rule_cache
from chatlint.linter import Linter

pytestmark = pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")

RULE = """\
- id: test/cached
  kind: pattern
  message: Не пишите «{match}».
  source: test
  patterns: ["знать"]
  examples:
    bad: [Я не знаю]
    good: [Минуту]
"""


class _Plant:
    """Unpickling this creates ``marker``: proof that a planted entry ran code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def _plant(entry: Path, marker: Path, target: Path | None = None) -> None:
    """Overwrite ``entry`` (or write ``target``) with a valid header and a code-running payload."""
    data = entry.read_bytes()
    head = len(rule_cache._MAGIC) + rule_cache._DIGEST
    payload = pickle.dumps(_Plant(marker))
    (target or entry).write_bytes(data[:head] + rule_cache._hash(payload).digest() + payload)


@pytest.fixture()
def setup(tmp_path, monkeypatch):
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULE, encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    folder = shared / "cache"
    monkeypatch.setenv("CHATLINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("CHATLINT_NO_CACHE", raising=False)
    Linter(rules=[rules], builtin=False)
    (entry,) = folder.glob("rules-*.pickle")
    return rules, shared, folder, entry, tmp_path / "pwned"


def test_a_planted_entry_is_run_in_a_trusted_chain_so_the_test_is_real(setup) -> None:
    rules, _, _, entry, marker = setup
    _plant(entry, marker)
    Linter(rules=[rules], builtin=False)
    assert marker.exists()  # the cache does unpickle what its own folder holds: the attack is live


def test_an_entry_under_a_folder_others_can_write_is_not_read(setup) -> None:
    rules, shared, _, entry, marker = setup
    shared.chmod(0o777)  # another user could swap ``cache`` for a folder of their own
    _plant(entry, marker)
    linter = Linter(rules=[rules], builtin=False)
    assert not marker.exists()
    assert linter.rule("test/cached")


def test_a_sticky_shared_folder_like_tmp_is_fine(setup) -> None:
    rules, shared, _, entry, marker = setup
    shared.chmod(0o1777)  # others may not rename what they do not own
    _plant(entry, marker)
    Linter(rules=[rules], builtin=False)
    assert marker.exists()


def test_an_entry_under_a_folder_of_another_user_is_not_read(setup) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give a folder to another user")
    rules, shared, _, entry, marker = setup
    os.chown(shared, 54321, 54321)
    _plant(entry, marker)
    Linter(rules=[rules], builtin=False)
    assert not marker.exists()


def test_an_entry_that_is_a_symbolic_link_is_not_followed(setup) -> None:
    rules, _, _, entry, marker = setup
    elsewhere = entry.parent.parent / "planted.pickle"
    _plant(entry, marker, target=elsewhere)
    elsewhere.chmod(0o600)
    entry.unlink()
    entry.symlink_to(elsewhere)
    Linter(rules=[rules], builtin=False)
    assert not marker.exists()


def test_a_cache_folder_linked_into_a_folder_others_can_write_is_not_read(setup, tmp_path) -> None:
    rules, shared, folder, entry, marker = setup
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    folder.rename(open_folder / "cache")
    folder.symlink_to(open_folder / "cache")  # the link itself sits in a private folder
    _plant(open_folder / "cache" / entry.name, marker)
    Linter(rules=[rules], builtin=False)
    assert not marker.exists()


def test_an_entry_that_is_not_a_regular_file_is_not_read(setup) -> None:
    rules, _, _, entry, _ = setup
    entry.unlink()
    os.mkfifo(entry, 0o600)  # open would block forever on a FIFO without O_NONBLOCK
    assert Linter(rules=[rules], builtin=False).rule("test/cached")
