"""``chatlint lsp``: a language server over stdio (pygls) for canned-reply libraries.

Diagnostics on open, on change (debounced) and on save, at the exact place of each finding in
the file; quick fixes from the fixes and suggestions; the rule's documentation on hover. The
configuration is the one of the file's folder; saving a configuration file reloads it.
Positions are sent in the encoding the client and server agreed on (UTF-16 unless the client
offers another).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

import chatlint
from chatlint.config import CONFIG_NAMES
from chatlint.project import Project
from chatlint.server.documents import DocFinding, DocResult, check_document, suffix_supported

DEBOUNCE_SECONDS = 0.3
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


class ChatlintServer(LanguageServer):
    """The language server: one Project (configurations, linters) and the last result per document."""

    def __init__(self) -> None:
        super().__init__("chatlint", chatlint.__version__)
        self.project = Project()
        self.results: dict[str, DocResult] = {}
        self.pending: dict[str, asyncio.Task] = {}
        self.lock = asyncio.Lock()  # one check at a time: a Project is not shared between threads

    def to_client(self, result: DocResult, line: int, column: int) -> types.Position:
        """A 0-based (line, code-point column) as an LSP position in the agreed units."""
        text = result.lines[line] if line < len(result.lines) else ""
        units = self.workspace.position_codec.client_num_units(text[:column])
        return types.Position(line=line, character=units)

    def diagnostics(self, result: DocResult) -> list[types.Diagnostic]:
        out = []
        for i, f in enumerate(result.problems + result.findings):
            rng = types.Range(self.to_client(result, *f.start), self.to_client(result, *f.end))
            out.append(
                types.Diagnostic(
                    range=rng,
                    message=f.message,
                    severity=_SEVERITY.get(f.severity),
                    code=f.rule,
                    source="chatlint",
                    data={"index": i},
                )  # fmt: skip
            )
        return out

    async def check(self, uri: str, delay: float = 0.0) -> None:
        """Check the document now (or after ``delay`` seconds without a newer change) and publish."""
        if delay:
            await asyncio.sleep(delay)
        document = self.workspace.get_text_document(uri)
        path = Path(to_fs_path(uri) or "untitled.txt")
        if not suffix_supported(path):
            return
        text, version = document.source, document.version
        async with self.lock:
            result = await asyncio.get_running_loop().run_in_executor(None, check_document, self.project, path, text)
        if self.workspace.get_text_document(uri).version != version:
            return  # changed meanwhile: the newer check publishes
        self.results[uri] = result
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=self.diagnostics(result), version=version)
        )

    def schedule(self, uri: str, delay: float) -> None:
        previous = self.pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self.pending[uri] = asyncio.ensure_future(self.check(uri, delay))

    def findings_at(self, uri: str, position: types.Position) -> list[tuple[int, DocFinding]]:
        result = self.results.get(uri)
        if result is None:
            return []
        hits = []
        for i, f in enumerate(result.problems + result.findings):
            start, end = self.to_client(result, *f.start), self.to_client(result, *f.end)
            if (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character):
                hits.append((i, f))
        return hits


server = ChatlintServer()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
async def did_open(ls: ChatlintServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0.0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
async def did_change(ls: ChatlintServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
async def did_save(ls: ChatlintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if Path(to_fs_path(uri) or "").name in CONFIG_NAMES:
        reload(ls)
    else:
        ls.schedule(uri, 0.0)


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
async def watched_changed(ls: ChatlintServer, params: types.DidChangeWatchedFilesParams) -> None:
    if any(Path(to_fs_path(c.uri) or "").name in CONFIG_NAMES for c in params.changes):
        reload(ls)


def reload(ls: ChatlintServer) -> None:
    """Forget the configurations and linters, and check every open library again."""
    ls.project = Project()
    for uri in list(ls.results):
        ls.schedule(uri, 0.0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
async def did_close(ls: ChatlintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.results.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
)
def code_actions(ls: ChatlintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    """Quick fixes for the findings in the range: the fix (preferred) and each suggestion."""
    uri = params.text_document.uri
    result = ls.results.get(uri)
    if result is None:
        return []
    lo, hi = params.range.start, params.range.end
    actions = []
    diagnostics = ls.diagnostics(result)
    for i, f in enumerate(result.problems + result.findings):
        start, end = ls.to_client(result, *f.start), ls.to_client(result, *f.end)
        if (end.line, end.character) < (lo.line, lo.character) or (start.line, start.character) > (
            hi.line,
            hi.character,
        ):
            continue
        diagnostic = diagnostics[i]
        for edit in f.edits:
            rng = types.Range(
                ls.to_client(result, *result.position(edit.start)), ls.to_client(result, *result.position(edit.end))
            )
            actions.append(
                types.CodeAction(
                    title=edit.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    is_preferred=edit.preferred,
                    edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=rng, new_text=edit.text)]}),
                )
            )
    return actions


def _before(a: types.Position, b: types.Position) -> bool:
    return (a.line, a.character) < (b.line, b.character)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: ChatlintServer, params: types.HoverParams) -> types.Hover | None:
    """The documentation of the rules of the findings under the cursor."""
    hits = ls.findings_at(params.text_document.uri, params.position)
    if not hits:
        return None
    result = ls.results[params.text_document.uri]
    parts = [result.docs.get(f.rule, f"**{f.rule}**\n\n{f.message}") for _, f in hits]
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def run_lsp() -> None:
    """Serve the Language Server Protocol on stdin/stdout until the client exits."""
    server.start_io()


if __name__ == "__main__":  # pragma: no cover
    run_lsp()
