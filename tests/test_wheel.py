"""The wheel ships the built-in rules: build it, install it into a fresh venv, run it elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the chatlint wheel installed (its dependencies come from this interpreter)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__")
    )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(work / "dist"), str(source)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = (work / "dist").glob("chatlint-*.whl")
    env_dir = work / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    target = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert install.returncode == 0, install.stdout + install.stderr
    # Dependencies (pymorphy3, regex, …) come from this interpreter's site-packages, searched after the
    # venv's own (written after the install, so that pip does not see an outer chatlint as installed).
    outer = [p for p in site.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    Path(target, "outer-deps.pth").write_text("\n".join(dict.fromkeys(outer)) + "\n", encoding="utf-8")
    return env_dir


def test_wheel_contains_the_rule_pack(installed: Path) -> None:
    python = installed / "bin" / "python"
    code = "import chatlint.rules as r, chatlint; print(chatlint.__file__); print(r.builtin_rules_dir())"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True, cwd="/").stdout
    package_file, rules_dir = out.splitlines()
    assert package_file.startswith(str(installed)), package_file
    assert rules_dir.startswith(str(installed)), rules_dir
    assert sorted(p.name for p in Path(rules_dir).glob("*.yaml")) == sorted(
        p.name for p in (ROOT / "rules").glob("*.yaml")
    )


def test_installed_command_runs_from_another_directory(installed: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": f"{installed / 'bin'}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        ["chatlint", "check", "--format", "json", "--text", "Я не знаю!!!"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert [d["rule"] for d in json.loads(proc.stdout)] == ["taboo/dont-know", "style/exclamation"]
