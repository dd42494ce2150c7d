"""Measure the rules on a labelled corpus: TP, FP, FN, precision and recall per rule.

Corpus files are YAML lists of ``{text: "...", rules: [rule ids]}`` (see docs/corpus.md).
A file under a folder named ``clean`` is a clean set: its entries label nothing, and a
warning or error there is a false alarm. ``sample_hits`` runs the pack over unlabelled
replies in a JSONL file, for reading every hit by eye.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml

from chatlint.diagnostic import Diagnostic
from chatlint.linter import Linter
from chatlint.rule_yaml import LineDict, LineList, _LineLoader, yaml_problem
from chatlint.rules import RULE_ID_RE
from chatlint.transcripts.base import iter_jsonl

ENTRY_KEYS = {"text", "rules", "note"}
CLEAN_DIR = "clean"
INVENTORY_DIR = "inventory"


class CorpusError(Exception):
    """A corpus or sample file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    """One corpus reply and the rules that must fire on it."""

    text: str
    rules: frozenset[str]
    path: str
    line: int
    clean: bool = False

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class RuleScore:
    """The counts of one rule. ``precision``/``recall`` are None when undefined."""

    rule: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def labelled(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float | None:
        fired = self.tp + self.fp
        return self.tp / fired if fired else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.labelled if self.labelled else None

    @property
    def status(self) -> str:
        if not self.labelled and not self.fp:
            return "no labelled entries, never fired"
        if not self.labelled:
            return "no labelled entries"
        if not self.tp + self.fp:
            return "never fired"
        return ""


@dataclass(frozen=True)
class Outcome:
    """A miss (``kind='miss'``) or a false alarm (``kind='false-alarm'``) on one entry."""

    kind: str
    rule: str
    entry: Entry
    spans: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "rule": self.rule,
            "path": self.entry.path,
            "line": self.entry.line,
            "text": self.entry.text,
            "spans": list(self.spans),
        }


@dataclass
class Report:
    """The result of one evaluation."""

    scores: dict[str, RuleScore]
    outcomes: list[Outcome]
    entries: int
    files: int
    unknown_labels: dict[str, int] = field(default_factory=dict)  # rule id -> entries naming it

    def failures(self, min_precision: float | None, min_recall: float | None) -> list[str]:
        """One line per rule under a threshold; a rule with no labelled entries fails ``min_recall``."""
        failed = []
        for score in self.scores.values():
            if min_precision is not None and score.precision is not None and score.precision < min_precision:
                failed.append(f"{score.rule}: precision {score.precision:.3f} < {min_precision}")
            if min_recall is not None:
                if score.recall is None:
                    failed.append(f"{score.rule}: no labelled entries, recall unknown")
                elif score.recall < min_recall:
                    failed.append(f"{score.rule}: recall {score.recall:.3f} < {min_recall}")
        return failed

    def to_dict(self) -> dict:
        return {
            "files": self.files,
            "entries": self.entries,
            "rules": [
                {
                    "rule": s.rule,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                    "labelled": s.labelled,
                    "precision": s.precision,
                    "recall": s.recall,
                    "status": s.status,
                }
                for s in self.scores.values()
            ],
            "misses": [o.to_dict() for o in self.outcomes if o.kind == "miss"],
            "false_alarms": [o.to_dict() for o in self.outcomes if o.kind == "false-alarm"],
            "unknown_labels": self.unknown_labels,
        }


def corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    """The YAML files of these files and folders, each folder's sorted; a folder named
    ``inventory`` holds the phrase inventory, not replies (see ``inventory_folders``)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            files.extend(sorted(p for p in found if INVENTORY_DIR not in p.relative_to(path.parent).parts[:-1]))
        elif path.is_file():
            files.append(path)
        else:
            raise CorpusError(f"{path}: no such corpus file or folder")
    return files


def inventory_folders(paths: Iterable[str | Path]) -> list[Path]:
    """The folders named ``inventory`` among and under these folders: eval reports their coverage."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [path] if path.name == INVENTORY_DIR else sorted(path.rglob(INVENTORY_DIR))
    return [p for p in found if p.is_dir()]


def is_clean_file(path: Path) -> bool:
    """Files under a folder named ``clean`` are clean sets."""
    return CLEAN_DIR in path.parts[:-1]


def load_corpus(path: Path) -> list[Entry]:
    """The entries of one corpus file; CorpusError names the file and line of the first problem."""
    name = str(path)
    clean = is_clean_file(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise CorpusError(f"{name}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CorpusError(f"{name}: not valid UTF-8") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc, text)
        raise CorpusError(f"{name}{f':{line}' if line else ''}: invalid YAML: {problem}") from None
    if data is None:
        return []
    if not isinstance(data, LineList):
        raise CorpusError(f"{name}:{getattr(data, 'line', 1)}: a corpus file is a list of {{text, rules}} entries")
    return [_entry(raw, name, line, clean) for raw, line in zip(data, data.lines)]


def _entry(raw: object, path: str, line: int, clean: bool) -> Entry:
    def fail(message: str, key: str | None = None) -> CorpusError:
        at = raw.key_lines.get(key, line) if key and isinstance(raw, LineDict) else line
        return CorpusError(f"{path}:{at}: {message}")

    if not isinstance(raw, LineDict):
        raise fail('an entry is a mapping like {text: "...", rules: [taboo/dont-know]}')
    for key in raw:
        if key not in ENTRY_KEYS:
            raise fail(f"unknown key {key!r} (an entry has: text, rules, note)", key)
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        raise fail("'text' must be a non-empty string", "text")
    if "rules" not in raw and not clean:
        raise fail("missing 'rules': list every rule that must fire, or [] for none")
    rules = raw.get("rules") or []
    if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
        raise fail("'rules' must be a list of rule ids", "rules")
    for rule_id in rules:
        if not RULE_ID_RE.fullmatch(rule_id):
            raise fail(f"{rule_id!r} is not a rule id like 'taboo/dont-know'", "rules")
    if clean and rules:
        raise fail("entries of a clean set label no rules (move this one to corpus/labelled/)", "rules")
    return Entry(text, frozenset(rules), path, line, clean)


def load_entries(paths: Iterable[str | Path]) -> tuple[list[Entry], int]:
    """Every entry of every corpus file under ``paths``, and the number of files."""
    files = corpus_files(paths)
    entries: list[Entry] = []
    for file in files:
        entries.extend(load_corpus(file))
    return entries, len(files)


def evaluate(linter: Linter, entries: list[Entry], files: int = 0) -> Report:
    """Run ``linter`` over ``entries`` and count, per enabled rule, TP, FP and FN."""
    active = [r.id for r in linter.rules if r.impl.scope == "reply"]  # dialogue rules need whole chats
    known = {r.id for r in linter.all_rules}
    scores = {rule_id: RuleScore(rule_id) for rule_id in sorted(active)}
    outcomes: list[Outcome] = []
    unknown: dict[str, int] = {}
    for entry in entries:
        for rule_id in entry.rules - known:
            unknown[rule_id] = unknown.get(rule_id, 0) + 1
        fired: dict[str, list[Diagnostic]] = {}
        for d in linter.check(entry.text):
            if entry.clean and d.severity == "info":
                continue  # a clean reply may still get a hint
            fired.setdefault(d.rule, []).append(d)
        expected = entry.rules & scores.keys()
        for rule_id in sorted(expected | fired.keys()):
            score = scores[rule_id]
            if rule_id in expected and rule_id in fired:
                score.tp += 1
            elif rule_id in expected:
                score.fn += 1
                outcomes.append(Outcome("miss", rule_id, entry))
            else:
                score.fp += 1
                outcomes.append(Outcome("false-alarm", rule_id, entry, tuple(d.text for d in fired[rule_id])))
    outcomes.sort(key=lambda o: (o.kind, o.rule, o.entry.path, o.entry.line))
    return Report(scores, outcomes, len(entries), files, dict(sorted(unknown.items())))


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_report(report: Report, failures: list[str]) -> str:
    """The plain-text table, the misses and false alarms, and the threshold failures."""
    lines = [f"{report.entries} entries in {report.files} files", ""]
    width = max([len(s) for s in report.scores] + [4])
    lines.append(f"{'rule':{width}}  {'TP':>4} {'FP':>4} {'FN':>4}  {'precision':>9} {'recall':>7}")
    for s in report.scores.values():
        row = f"{s.rule:{width}}  {s.tp:>4} {s.fp:>4} {s.fn:>4}  {_ratio(s.precision):>9} {_ratio(s.recall):>7}"
        lines.append(f"{row}  ({s.status})" if s.status else row)
    for kind, title in (("miss", "Misses (labelled, did not fire)"), ("false-alarm", "False alarms")):
        items = [o for o in report.outcomes if o.kind == kind]
        if items:
            lines += ["", f"{title}: {len(items)}"]
            for o in items:
                spans = f" on {', '.join('«' + s + '»' for s in o.spans)}" if o.spans else ""
                lines.append(f"{o.entry.where}: {o.rule}{spans}: {o.entry.text!r}")
    if report.unknown_labels:
        names = ", ".join(f"{r} ({n})" for r, n in report.unknown_labels.items())
        lines += ["", f"Labels for rules that are not loaded (ignored): {names}"]
    if failures:
        lines += ["", "Under the thresholds:"] + [f"  {f}" for f in failures]
    return "\n".join(lines) + "\n"


def _refuse(path: Path, line: int, message: str) -> None:
    raise CorpusError(f"{path}:{line}: {message}")


def sample_replies(path: Path, field_name: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of ``field_name`` in each row of a JSONL (or ``.tsv``) file; empty values are skipped."""
    if path.suffix == ".tsv":
        yield from tsv_replies(path, field_name)
        return
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        for number, _, row in iter_jsonl(handle, partial(_refuse, path)):
            if not isinstance(row, dict) or field_name not in row:
                raise CorpusError(f"{path}:{number}: no field {field_name!r} in this row")
            value = row[field_name]
            if isinstance(value, str) and value.strip():
                yield number, value


def tsv_replies(path: Path, column: str) -> Iterator[tuple[int, str]]:
    """(line number, text) of the column named ``column`` in the header of a tab-separated file
    (quoted cells may span lines, as in CSV); a row without that cell counts as empty."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CorpusError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.reader(handle, delimiter="\t")
        try:
            header = next(reader, [])
            if column not in header:
                raise CorpusError(f"{path}:1: no column {column!r} in the header (has: {', '.join(header)})")
            index = header.index(column)
            line = reader.line_num + 1
            for cells in reader:
                value = cells[index] if index < len(cells) else ""
                if value.strip():
                    yield line, value
                line = reader.line_num + 1
        except csv.Error as exc:
            raise CorpusError(f"{path}:{reader.line_num}: invalid TSV: {exc}") from None


@dataclass
class SampleHit:
    """One diagnostic on one unlabelled reply."""

    path: str
    line: int
    reply: str
    diagnostic: Diagnostic


def sample_hits(linter: Linter, path: Path, field_name: str) -> tuple[int, list[SampleHit]]:
    """The number of replies in a JSONL file and every diagnostic the linter gives on them."""
    count = 0
    hits: list[SampleHit] = []
    for number, text in sample_replies(path, field_name):
        count += 1
        hits.extend(SampleHit(str(path), number, text, d) for d in linter.check(text))
    return count, hits


def format_sample(replies: int, hits: list[SampleHit], rule_ids: list[str]) -> str:
    """Hits per rule (and replies with a hit), then every hit with its reply."""
    per_rule: dict[str, int] = dict.fromkeys(rule_ids, 0)
    per_reply: dict[str, set] = {}
    for hit in hits:
        per_rule[hit.diagnostic.rule] = per_rule.get(hit.diagnostic.rule, 0) + 1
        per_reply.setdefault(hit.diagnostic.rule, set()).add((hit.path, hit.line))
    with_hit = len({(h.path, h.line) for h in hits})
    share = f" ({with_hit / replies:.1%})" if replies else ""
    lines = [f"{replies} replies, {len(hits)} hits, {with_hit} replies with a hit{share}", ""]
    width = max([len(r) for r in per_rule] + [4])
    lines.append(f"{'rule':{width}}  {'hits':>5} {'replies':>7}")
    for rule_id, n in per_rule.items():
        lines.append(f"{rule_id:{width}}  {n:>5} {len(per_reply.get(rule_id, ())):>7}")
    for hit in sorted(hits, key=lambda h: (h.diagnostic.rule, h.path, h.line, h.diagnostic.start)):
        d = hit.diagnostic
        lines += ["", f"{hit.path}:{hit.line}: {d.severity} {d.rule} «{d.text}»", f"    {hit.reply!r}"]
    return "\n".join(lines) + "\n"


# --- The development set: per-family recall and near-miss silence (docs/corpus.md) ---

DEV_KINDS = {"bad": "violation", "near": "near-miss"}
LOUD = ("warning", "error")


def dev_kind(path: str) -> str | None:
    """``violation`` for files under a ``bad`` folder, ``near-miss`` under ``near``, else None."""
    for part in reversed(Path(path).parts[:-1]):
        if part in DEV_KINDS:
            return DEV_KINDS[part]
    return None


@dataclass
class FamilyScore:
    """One family of the development set: violations caught and near misses left alone."""

    family: str
    violations: int = 0
    caught: int = 0
    near_misses: int = 0
    silent: int = 0

    @property
    def recall(self) -> float | None:
        return self.caught / self.violations if self.violations else None

    @property
    def silence(self) -> float | None:
        return self.silent / self.near_misses if self.near_misses else None

    def to_dict(self) -> dict:
        return dict(vars(self), recall=self.recall, silence=self.silence)


@dataclass
class DevReport:
    """Per family (file name) and per label; a label of a rule that is not loaded is a miss."""

    families: dict[str, FamilyScore]
    labels: dict[str, list[int]]  # label -> [violations naming it, of them it fired on]
    not_loaded: set[str]
    unscored: int  # violations whose every label names a rule that is off

    def totals(self) -> FamilyScore:
        total = FamilyScore("all")
        for f in self.families.values():
            total.violations += f.violations
            total.caught += f.caught
            total.near_misses += f.near_misses
            total.silent += f.silent
        return total

    def to_dict(self) -> dict:
        return {
            "families": [f.to_dict() for f in [*self.families.values(), self.totals()]],
            "labels": [
                {"rule": r, "labelled": n, "fired": k, "recall": k / n, "loaded": r not in self.not_loaded}
                for r, (n, k) in self.labels.items()
            ],
            "unscored": self.unscored,
        }


def evaluate_dev(linter: Linter, entries: list[Entry]) -> DevReport | None:
    """Score the entries under ``bad``/``near`` folders, or None when there are none.

    A violation is caught when every label fired (a label naming a rule that is not loaded
    never fires; one naming a rule that is off is not scored). A near miss is silent when no
    warning or error fires that its labels do not name.
    """
    dev = [(e, dev_kind(e.path)) for e in entries if dev_kind(e.path)]
    if not dev:
        return None
    active = {r.id for r in linter.rules}
    known = {r.id for r in linter.all_rules}
    report = DevReport({}, {}, set(), 0)
    for entry, kind in dev:
        fired = {d.rule: d.severity for d in linter.check(entry.text)}
        family = report.families.setdefault(Path(entry.path).stem, FamilyScore(Path(entry.path).stem))
        scored = sorted(r for r in entry.rules if r in active or r not in known)
        report.not_loaded |= {r for r in scored if r not in known}
        if kind == "near-miss":
            family.near_misses += 1
            family.silent += not any(r not in entry.rules and s in LOUD for r, s in fired.items())
            continue
        if not scored:
            report.unscored += 1
            continue
        family.violations += 1
        family.caught += all(r in fired for r in scored)
        for rule_id in scored:
            counts = report.labels.setdefault(rule_id, [0, 0])
            counts[0] += 1
            counts[1] += rule_id in fired
    report.families = dict(sorted(report.families.items()))
    report.labels = dict(sorted(report.labels.items()))
    return report


def format_dev(report: DevReport) -> str:
    """The family table (recall, near-miss silence) and the recall of every label."""
    width = max([len(f) for f in report.families] + [6])
    lines = ["", "Development set (violations caught / near misses with no warning or error)"]
    lines.append(f"{'family':{width}}  {'caught':>9} {'recall':>7}  {'silent':>9} {'silence':>7}")
    for f in [*report.families.values(), report.totals()]:
        caught, silent = f"{f.caught}/{f.violations}", f"{f.silent}/{f.near_misses}"
        lines.append(f"{f.family:{width}}  {caught:>9} {_ratio(f.recall):>7}  {silent:>9} {_ratio(f.silence):>7}")
    lines += ["", "Recall per label on the violations (* = no such rule yet, counted as missed)"]
    width = max([len(r) for r in report.labels] + [5])
    for rule_id, (n, k) in report.labels.items():
        mark = " *" if rule_id in report.not_loaded else ""
        lines.append(f"{rule_id:{width}}  {k:>3}/{n:<3} {_ratio(k / n):>7}{mark}")
    if report.unscored:
        lines.append(f"({report.unscored} violations label only rules that are off; select them to score)")
    return "\n".join(lines) + "\n"


def report_extras(linter: Linter, entries: list[Entry], inventory: Iterable[str | Path] = ()) -> tuple[dict, str]:
    """The sections ``chatlint eval`` adds after the rule table: the development set's scores
    and, with ``inventory`` folders, the inventory's coverage (InventoryError on a bad file)."""
    extra: dict = {}
    text = ""
    dev = evaluate_dev(linter, entries)
    if dev is not None:
        extra["dev"], text = dev.to_dict(), format_dev(dev)
    inventory = list(inventory)
    if inventory:
        from chatlint import inventory as inv

        phrases, sources = inv.load_inventory(inventory)
        result = inv.coverage(linter, phrases, sources)
        extra["inventory"] = result.to_dict()
        text += inv.format_coverage(result)
    return extra, text
