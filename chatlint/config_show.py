"""``chatlint config``: the effective configuration of a path and where each value comes from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from chatlint.config import describe
from chatlint.project import CliOptions, Project


def show(path: Path, cli: CliOptions, out: IO[str]) -> int:
    """Print ``key = value  # origin`` lines (TOML values) for the configuration of ``path``."""
    project = Project(cli)
    config = project.config_for(path)
    linter = project.linter_for(config)  # validates rule ids and options
    where = f"{config.path}" if config.path else "none found (defaults)"
    out.write(f"# configuration file: {where}\n")
    width = max(len(key) for key, _, _ in describe(config))
    for key, value, origin in describe(config):
        out.write(f"{key:<{width}} = {_toml(value)}  # {origin}\n")
    enabled = [r.id for r in linter.rules]
    out.write(f"# enabled rules ({len(enabled)}): {', '.join(enabled)}\n")
    return 0


def _toml(value: object) -> str:
    if value is None:
        return '"default selection"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)
