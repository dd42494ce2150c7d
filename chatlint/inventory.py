"""The phrase inventory (``corpus/inventory/``): load it and measure how much of it the pack catches.

An inventory folder holds ``sources.yaml`` (where the phrases come from) and phrase files:
YAML lists of ``{phrase, family, sources, rule | not_covered, example}`` (docs/corpus.md).
Coverage runs each phrase's example (or the phrase itself) through the Linter and counts,
per family, the phrases whose rule fires; the rest are listed unless they say why no text
rule can check them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from chatlint.linter import Linter
from chatlint.rule_yaml import LineDict, LineList, _LineLoader
from chatlint.rules import RULE_ID_RE

SOURCES_FILE = "sources.yaml"
SOURCE_KEYS = {"id", "title", "url", "also", "publisher", "kind", "read"}
PHRASE_KEYS = {"phrase", "family", "sources", "rule", "not_covered", "example"}
NOT_PUBLIC = {"internal"}  # source kinds that do not count towards «named by two sources»


class InventoryError(Exception):
    """An inventory file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    kind: str


@dataclass(frozen=True)
class Phrase:
    """One inventory entry: a phrase, its family and sources, and the rule that must catch it."""

    phrase: str
    family: str
    sources: tuple[str, ...]
    rule: str | None
    not_covered: str | None
    example: str | None
    path: str
    line: int

    @property
    def text(self) -> str:
        """The reply coverage checks: the example, or the phrase itself."""
        return self.example or self.phrase

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _load_list(path: Path) -> LineList:
    try:
        data = yaml.load(path.read_bytes().decode("utf-8-sig"), Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InventoryError(f"{path}: not valid UTF-8") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise InventoryError(f"{path}:{mark.line + 1 if mark else 0}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InventoryError(f"{path}: invalid YAML: {exc}") from None
    if data is None:
        return LineList()
    if not isinstance(data, LineList):
        raise InventoryError(f"{path}:1: an inventory file is a YAML list of entries")
    return data


def _entries(path: Path, keys: set[str], required: tuple[str, ...]) -> Iterable[tuple[LineDict, int]]:
    """The mappings of one file, each checked for unknown and missing keys."""
    data = _load_list(path)
    for raw, line in zip(data, data.lines):
        if not isinstance(raw, LineDict):
            raise InventoryError(f"{path}:{line}: an entry is a mapping")
        unknown = sorted(set(raw) - keys)
        if unknown:
            raise InventoryError(f"{path}:{raw.key_lines.get(unknown[0], line)}: unknown key {unknown[0]!r}")
        for key in required:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise InventoryError(f"{path}:{line}: {key!r} must be a non-empty string")
        yield raw, line


def _phrase(raw: LineDict, path: Path, line: int) -> Phrase:
    sources = raw.get("sources")
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise InventoryError(f"{path}:{line}: 'sources' must be a non-empty list of source ids")
    rule, reason = raw.get("rule"), raw.get("not_covered")
    if (rule is None) == (reason is None):
        raise InventoryError(f"{path}:{line}: give exactly one of 'rule' and 'not_covered'")
    if rule is not None and not (isinstance(rule, str) and RULE_ID_RE.match(rule)):
        raise InventoryError(f"{path}:{line}: {rule!r} is not a rule id like 'taboo/dont-know'")
    if reason is not None and not (isinstance(reason, str) and reason.strip()):
        raise InventoryError(f"{path}:{line}: 'not_covered' must say why")
    example = raw.get("example")
    if example is not None and not (isinstance(example, str) and example.strip()):
        raise InventoryError(f"{path}:{line}: 'example' must be a non-empty string")
    return Phrase(raw["phrase"], raw["family"], tuple(sources), rule, reason, example, str(path), line)


def inventory_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files of these files and folders, each folder's sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise InventoryError(f"{path}: no such inventory file or folder")
    return files


def load_inventory(paths: Iterable[str | Path]) -> tuple[list[Phrase], dict[str, Source]]:
    """Every phrase and source under ``paths``; a phrase citing an unknown source is an error."""
    phrases: list[Phrase] = []
    sources: dict[str, Source] = {}
    for path in inventory_files(paths):
        if path.name == SOURCES_FILE:
            for raw, line in _entries(path, SOURCE_KEYS, ("id", "title", "kind")):
                if raw["id"] in sources:
                    raise InventoryError(f"{path}:{line}: source {raw['id']!r} is listed twice")
                sources[raw["id"]] = Source(raw["id"], raw["title"], raw["kind"])
        else:
            phrases.extend(_phrase(raw, path, line) for raw, line in _entries(path, PHRASE_KEYS, ("phrase", "family")))
    for phrase in phrases:
        for source_id in phrase.sources:
            if source_id not in sources:
                raise InventoryError(f"{phrase.where}: unknown source {source_id!r} (add it to {SOURCES_FILE})")
    return phrases, sources


@dataclass
class FamilyCoverage:
    """One family: its phrases, how many the pack catches, and how many say why it cannot."""

    family: str
    phrases: int = 0
    caught: int = 0
    not_covered: int = 0
    off: int = 0  # the rule exists but is off in this configuration

    @property
    def checkable(self) -> int:
        return self.phrases - self.not_covered - self.off


@dataclass
class Coverage:
    families: dict[str, FamilyCoverage]
    missed: list[Phrase] = field(default_factory=list)  # a rule is named and does not fire
    no_rule: set[str] = field(default_factory=set)  # named rules that do not exist yet
    public: dict[str, int] = field(default_factory=dict)  # phrase text -> public sources naming it

    def must_cover(self) -> list[Phrase]:
        """Missed phrases that two or more public sources name (issue 12: cover or say why)."""
        return [p for p in self.missed if self.public.get(p.phrase, 0) >= 2]

    def to_dict(self) -> dict:
        def row(f: FamilyCoverage) -> dict:
            return dict(vars(f), checkable=f.checkable)

        return {
            "families": [row(f) for f in self.families.values()],
            "missed": [
                {"phrase": p.phrase, "family": p.family, "rule": p.rule, "path": p.path, "line": p.line}
                for p in self.missed
            ],
            "must_cover": [p.phrase for p in self.must_cover()],
            "rules_not_written": sorted(self.no_rule),
        }


def coverage(linter: Linter, phrases: list[Phrase], sources: dict[str, Source]) -> Coverage:
    """Run every phrase with a rule through ``linter`` and count per family what it catches."""
    active = {r.id for r in linter.rules}
    known = {r.id for r in linter.all_rules}
    result = Coverage({})
    for phrase in phrases:
        family = result.families.setdefault(phrase.family, FamilyCoverage(phrase.family))
        family.phrases += 1
        result.public[phrase.phrase] = sum(sources[s].kind not in NOT_PUBLIC for s in phrase.sources)
        if phrase.rule is None:
            family.not_covered += 1
        elif phrase.rule in known and phrase.rule not in active:
            family.off += 1
        elif phrase.rule in {d.rule for d in linter.check(phrase.text)}:
            family.caught += 1
        else:
            result.missed.append(phrase)
            if phrase.rule not in known:
                result.no_rule.add(phrase.rule)
    result.families = dict(sorted(result.families.items()))
    return result


def format_coverage(result: Coverage) -> str:
    """The table per family, then every missed phrase (those two sources name first)."""
    width = max([len(f) for f in result.families] + [6])
    lines = ["", "Inventory coverage (phrases whose rule fires on their example)"]
    lines.append(f"{'family':{width}}  {'phrases':>7} {'caught':>6} {'missed':>6} {'reason':>6} {'off':>3}")
    total = FamilyCoverage("all")
    for f in [*result.families.values(), total]:
        if f is total:
            for name in ("phrases", "caught", "not_covered", "off"):
                setattr(total, name, sum(getattr(x, name) for x in result.families.values()))
        row = f"{f.phrases:>7} {f.caught:>6} {f.checkable - f.caught:>6} {f.not_covered:>6} {f.off:>3}"
        lines.append(f"{f.family:{width}}  {row}")
    must = result.must_cover()
    if must:
        lines += ["", f"Named by two or more sources, not caught and no reason given: {len(must)}"]
        lines += [f"{p.where}: {p.rule}: «{p.phrase}» — {p.text!r}" for p in must]
    rest = [p for p in result.missed if p not in must]
    if rest:
        lines += ["", f"Other phrases not caught: {len(rest)}"]
        lines += [f"{p.where}: {p.rule}: «{p.phrase}» — {p.text!r}" for p in rest]
    if result.no_rule:
        lines += ["", "Rules named by the inventory that do not exist yet: " + ", ".join(sorted(result.no_rule))]
    return "\n".join(lines) + "\n"
