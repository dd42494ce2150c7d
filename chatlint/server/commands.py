"""The ``chatlint serve`` and ``chatlint lsp`` commands, added to the command-line group by ``add_commands``."""

from __future__ import annotations

import click

EXIT_USAGE = 2


def _missing(extra: str, exc: ImportError) -> click.ClickException | ImportError:
    """The one-line error for an extra that is not installed (an ImportError inside chatlint is a bug)."""
    if (exc.name or "chatlint").split(".")[0] == "chatlint":
        return exc
    error = click.ClickException(f"{exc.name} is not installed: pip install 'chatlint[{extra}]'")
    error.exit_code = EXIT_USAGE
    return error


def add_commands(group: click.Group) -> None:
    """Add ``serve`` and ``lsp`` to ``group``."""

    @group.command("serve")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
    @click.option("--port", default=8081, show_default=True, type=click.IntRange(0, 65535))
    @click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Processes.")
    @click.option("--config", "config_file", default=None, type=click.Path(dir_okay=False, exists=True))
    @click.option("--cors-origin", "cors", multiple=True, help="A browser origin allowed to call (repeatable, or *).")
    @click.option("--max-body", default=1_000_000, show_default=True, type=click.IntRange(1), help="Bytes.")
    @click.option("--max-drafts", default=100, show_default=True, type=click.IntRange(1), help="Drafts a batch.")
    @click.option("--max-chars", default=20_000, show_default=True, type=click.IntRange(1), help="A draft's length.")
    @click.option("--body-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1), help="Seconds.")
    @click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning"]))
    def serve_command(
        host, port, workers, config_file, cors, max_body, max_drafts, max_chars, body_timeout, log_level
    ) -> None:
        """Serve chatlint's HTTP API and LanguageTool's (docs/server.md)."""
        try:
            import uvicorn  # noqa: F401

            from chatlint.server.http import ServerSettings, serve
            from chatlint.server.v1 import Limits
        except ImportError as exc:
            raise _missing("server", exc) from None
        limits = Limits(max_body=max_body, max_drafts=max_drafts, max_chars=max_chars)
        settings = ServerSettings(
            config=config_file, limits=limits, cors_origins=tuple(cors), body_timeout=body_timeout
        )
        serve(host, port, workers, settings=settings, log_level=log_level)

    @group.command("lsp")
    def lsp_command() -> None:
        """A language server over stdio for canned-reply libraries (docs/server.md)."""
        try:
            from chatlint.server.lsp import run_lsp
        except ImportError as exc:
            raise _missing("lsp", exc) from None
        run_lsp()
