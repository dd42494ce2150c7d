"""The command line: ``check``, ``report``, ``rules``, ``rule ID``, ``config``, ``eval``.

Exit codes (chatlint/cli/common.py): 0 no finding at or above ``--fail-on`` (default: error);
1 at least one; 2 usage, configuration or rule errors, or an input that could not be read.
Each command lives in its own module; the group only gathers them.
"""

from __future__ import annotations

import click

from chatlint.cli.check import check
from chatlint.cli.common import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError
from chatlint.cli.report import report
from chatlint.cli.rules import eval_command, explain_rule, list_rules, show_config
from chatlint.server.commands import add_commands as add_server_commands

__all__ = ["EXIT_FINDINGS", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="chatlint", prog_name="chatlint")
def main() -> None:
    """chatlint: a linter for Russian chat-operator replies."""


for _command in (check, show_config, eval_command, list_rules, explain_rule, report):
    main.add_command(_command)
add_server_commands(main)  # serve, lsp (chatlint/server/commands.py)
