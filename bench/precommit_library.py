"""Time one pre-commit run of the chatlint hook over a generated library of canned replies.

    python3 bench/precommit_library.py [--replies 2000] [--files 20]

Builds a git repository with the library (YAML, JSON, CSV and Markdown files), installs the
hook from a snapshot of this working tree (offline: the hook's virtualenv sees this
interpreter's site-packages), warms the hook environment once, then times
``pre-commit run --all-files`` (best and median of 3).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from test_precommit import _env, _git, _hook_repo  # noqa: E402

OPENINGS = ["Здравствуйте, {{name}}!", "Добрый день!", "Спасибо за обращение.", "Здравствуйте!"]
BODIES = [
    "Ваш заказ {{order_id}} передан в службу доставки, курьер свяжется с вами накануне.",
    "Возврат оформлен: деньги поступят на карту в течение 3–5 рабочих дней.",
    "Я уточню информацию у коллег и вернусь к вам с ответом в течение часа.",
    "Проверьте, пожалуйста, папку «Спам»: письмо с кодом могло попасть туда.",
    "Тариф можно сменить в личном кабинете в разделе «Услуги».",
    "Мы не знаем, когда товар снова появится в продаже.",
    "Заказ готов к выдаче в ПВЗ на Ленина, 5, срок хранения — 7 дней.",
    "ОЧЕНЬ ВАЖНО указать номер заказа в комментарии к платежу!!!",
]
CLOSINGS = ["Хорошего дня!", "Если остались вопросы — пишите.", "Спасибо, что выбрали нас.", ""]


def reply(rng: random.Random) -> str:
    return " ".join(x for x in (rng.choice(OPENINGS), rng.choice(BODIES), rng.choice(CLOSINGS)) if x)


def write_library(root: Path, replies: int, files: int, rng: random.Random) -> None:
    (root / "replies").mkdir()
    per_file = replies // files
    for i in range(files):
        texts = [reply(rng) for _ in range(per_file)]
        kind = ("yaml", "json", "csv", "md")[i % 4]
        path = root / "replies" / f"lib{i:03}.{kind}"
        if kind == "yaml":
            lines = [f"r{j}: {json.dumps(t, ensure_ascii=False)}\n" for j, t in enumerate(texts)]
            path.write_text("".join(lines), "utf-8")
        elif kind == "json":
            data = [{"short_code": f"r{j}", "content": t} for j, t in enumerate(texts)]
            path.write_text(json.dumps(data, ensure_ascii=False, indent=1), "utf-8")
        elif kind == "csv":
            path.write_text("name;text\n" + "".join(f'r{j};"{t}"\n' for j, t in enumerate(texts)), "utf-8")
        else:
            path.write_text("".join(f"- {t}\n" for t in texts), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--files", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = _env(tmp)
        hook_repo, rev = _hook_repo(tmp, env)
        lib = tmp / "library"
        _git(tmp, "init", "-q", str(lib), env=env)
        write_library(lib, args.replies, args.files, random.Random(7))
        (lib / ".pre-commit-config.yaml").write_text(
            f"repos:\n  - repo: {hook_repo.as_uri()}\n    rev: {rev}\n    hooks:\n      - id: chatlint\n", "utf-8"
        )
        _git(lib, "add", "-A", env=env)
        command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
        start = time.perf_counter()
        first = subprocess.run(command, cwd=lib, env=env, capture_output=True, text=True)
        install = time.perf_counter() - start
        times = []
        for _ in range(3):
            start = time.perf_counter()
            done = subprocess.run(command, cwd=lib, env=env, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
        findings = sum(1 for line in done.stdout.splitlines() if line.startswith("replies/"))
        print(f"replies: {args.replies} in {args.files} files; CPUs: {os.cpu_count()}")
        print(f"first run (installs the hook env): {install:.2f} s, exit {first.returncode}")
        print(f"pre-commit run --all-files: best {min(times):.2f} s, median {statistics.median(times):.2f} s")
        print(f"findings reported: {findings}; hook exit code {done.returncode}")
        if not findings:
            print(done.stdout[-2000:], done.stderr[-2000:])  # the hook failed rather than reported


if __name__ == "__main__":
    main()
