"""Issue 13's figures on the RUSSE detox data: ``python -m bench.detox [FILE.tsv ...]``.

For each file (default: ``../shared/data/russe_detox_dev.tsv`` beside the checkout):

* toxic comments that contain mat (a crude root test of its own, independent of the
  rule): the share where ``tone/obscene`` fires;
* toxic comments without mat: the share where ``tone/rude`` or ``tone/obscene`` fires
  (and ``tone/rude`` alone);
* the neutral rewrites (every ``neutral_comment*`` cell): the share where either fires,
  per rule; with ``--show N`` the first N misses and false alarms are printed.

The data are not part of the project (shared/data/README.md): read, never copied.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

from chatlint.linter import Linter

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "russe_detox_dev.tsv"
RULES = ("tone/obscene", "tone/rude")
# The core mat roots, plainly spelt: enough to split the toxic comments into two groups.
MAT_RE = re.compile(
    r"ху[йяеиюё]|п[иеё]зд|(?<![а-яё])бля|бляд|(?<![а-я])(?:[а-я]{0,5}[ъь]?)?[её]б(?:а[лнтшкр]|у[чнтк]|л[аои]|ну|ись|ыр)|муд(?:ак|ил|оз)|пид[оае]?р|залуп",
    re.I,
)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def fired(linter: Linter, text: str) -> set[str]:
    return {d.rule for d in linter.check(text)}


def share(hit: int, total: int) -> str:
    return f"{hit}/{total} = {hit / total:.3f}" if total else "0/0"


def measure(linter: Linter, path: Path, show: int) -> dict[str, tuple[int, int]]:
    table = rows(path)
    mat = [r["toxic_comment"] for r in table if MAT_RE.search(r["toxic_comment"])]
    plain = [r["toxic_comment"] for r in table if r["toxic_comment"].strip() and not MAT_RE.search(r["toxic_comment"])]
    neutral = [v for r in table for k, v in r.items() if k.startswith("neutral") and v and v.strip()]
    out: dict[str, tuple[int, int]] = {}
    mat_hits = [fired(linter, t) for t in mat]
    out["obscene on mat"] = (sum("tone/obscene" in h for h in mat_hits), len(mat))
    plain_hits = [fired(linter, t) for t in plain]
    out["rude+obscene on no-mat"] = (sum(bool(h) for h in plain_hits), len(plain))
    out["rude on no-mat"] = (sum("tone/rude" in h for h in plain_hits), len(plain))
    neutral_hits = [fired(linter, t) for t in neutral]
    out["neutral firing either"] = (sum(bool(h) for h in neutral_hits), len(neutral))
    for rule in RULES:
        out[f"neutral firing {rule}"] = (sum(rule in h for h in neutral_hits), len(neutral))
    if show:
        print(f"-- missed, no mat ({path.name})")
        for text in [t for t, h in zip(plain, plain_hits) if not h][:show]:
            print("  ", text.replace("\n", " ")[:160])
        print(f"-- missed, mat ({path.name})")
        for text in [t for t, h in zip(mat, mat_hits) if "tone/obscene" not in h][:show]:
            print("  ", text.replace("\n", " ")[:160])
        print(f"-- neutral firing ({path.name})")
        for text, hit in [(t, h) for t, h in zip(neutral, neutral_hits) if h][:show]:
            print("  ", ",".join(sorted(hit)), text.replace("\n", " ")[:160])
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.detox", description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=[DEFAULT])
    parser.add_argument("--show", type=int, default=0, help="print up to N misses and false alarms")
    args = parser.parse_args(argv)
    linter = Linter(select=list(RULES))
    for path in args.files:
        print(f"{path.name}")
        for name, (hit, total) in measure(linter, path, args.show).items():
            print(f"  {name:32} {share(hit, total)}")


if __name__ == "__main__":
    main()
