"""``chatlint lsp`` driven over stdio by a real LSP client (pytest-lsp, on pygls's client)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402

LIBRARY = """\
greeting: "😀 Здравствуйте! Я не знаю!!!"
escaped: "Спасибо \\"за\\" ожидание!!!"
late: |
  Спасибо за ожидание.
  Я не знаю, когда будет доставка.
"""


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "chatlint.server.lsp"]))
async def client(lsp_client: LanguageClient, tmp_path_factory):
    root = tmp_path_factory.mktemp("library")
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri())
    )
    lsp_client.root = root
    yield
    await lsp_client.shutdown_session()


async def _open(client: LanguageClient, path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    await _diagnostics(client, uri, lambda found: True)
    return uri


async def _diagnostics(client: LanguageClient, uri: str, wanted) -> list[types.Diagnostic]:
    """The document's diagnostics once a publication satisfies ``wanted`` (60 s at most: the
    first check loads the rules, slow on a loaded machine)."""

    async def wait():
        while uri not in client.diagnostics or not wanted(client.diagnostics[uri]):
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        return client.diagnostics[uri]

    return await asyncio.wait_for(wait(), 60)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.mark.asyncio
async def test_diagnostics_at_file_positions_in_utf16(client: LanguageClient):
    uri = await _open(client, client.root / "replies.yaml", LIBRARY)
    found = {
        (d.code, d.range.start.line, d.range.start.character, d.range.end.character) for d in client.diagnostics[uri]
    }
    line0 = LIBRARY.splitlines()[0]
    start = _utf16(line0[: line0.index("Я не знаю")])  # the emoji before it counts two units
    assert ("taboo/dont-know", 0, start, start + 9) in found
    line1 = LIBRARY.splitlines()[1]
    bang = _utf16(line1[: line1.index("!!!")])
    assert ("style/exclamation", 1, bang, bang + 3) in found  # after the escaped quotes, in the file
    assert ("taboo/dont-know", 4, 2, 11) in found  # inside the block scalar
    assert all(d.source == "chatlint" for d in client.diagnostics[uri])


@pytest.mark.asyncio
async def test_change_is_checked_again(client: LanguageClient):
    uri = await _open(client, client.root / "replies.yaml", LIBRARY)
    fixed = LIBRARY.replace("Я не знаю", "Я уточню")
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)],
        )
    )
    diagnostics = await _diagnostics(client, uri, lambda found: "taboo/dont-know" not in {d.code for d in found})
    assert "taboo/dont-know" not in {d.code for d in diagnostics}
    assert "style/exclamation" in {d.code for d in diagnostics}


@pytest.mark.asyncio
async def test_quick_fix_edits_the_file_text(client: LanguageClient):
    uri = await _open(client, client.root / "replies.yaml", LIBRARY)
    target = next(d for d in client.diagnostics[uri] if d.code == "style/exclamation" and d.range.start.line == 1)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target]),
        )
    )
    preferred = [a for a in actions if a.is_preferred and a.diagnostics[0].code == "style/exclamation"]
    assert preferred, actions
    (edit,) = preferred[0].edit.changes[uri]
    assert edit.new_text == "!"
    assert edit.range == target.range
    taboo = [a for a in actions if a.diagnostics[0].code == "taboo/dont-know"]
    assert taboo == []  # not in the requested range


@pytest.mark.asyncio
async def test_hover_shows_the_rule(client: LanguageClient):
    uri = await _open(client, client.root / "replies.yaml", LIBRARY)
    target = next(d for d in client.diagnostics[uri] if d.code == "taboo/dont-know")
    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=target.range.start)
    )
    assert "**taboo/dont-know**" in hover.contents.value
    assert "Плохо:" in hover.contents.value
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=2, character=0)
        )
    )
    assert nothing is None


@pytest.mark.asyncio
async def test_configuration_of_the_files_folder(client: LanguageClient):
    folder = client.root / "quiet"
    folder.mkdir()
    (folder / "chatlint.toml").write_text('ignore = ["taboo"]\n', encoding="utf-8")
    uri = await _open(client, folder / "replies.yaml", LIBRARY)
    codes = {d.code for d in client.diagnostics[uri]}
    assert "taboo/dont-know" not in codes and "style/exclamation" in codes


@pytest.mark.asyncio
async def test_broken_file_is_one_diagnostic(client: LanguageClient):
    uri = await _open(client, client.root / "broken.yaml", "a: [1, 2\nb: c\n")
    (d,) = client.diagnostics[uri]
    assert d.code == "chatlint/input" and "bad YAML" in d.message


@pytest.mark.asyncio
async def test_changes_in_quick_succession_are_checked_once(client: LanguageClient):
    """Debounced: five edits within the debounce time give one check, of the last text."""
    uri = await _open(client, client.root / "replies.yaml", LIBRARY)
    features = client.protocol.fm.features
    default = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    published: list[types.PublishDiagnosticsParams] = []

    def counting(params):
        published.append(params)
        return default(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = counting
    for version in range(2, 7):
        text = LIBRARY if version < 6 else LIBRARY.replace("Я не знаю", "Я уточню")
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + "#" * version)],
            )
        )
    await _diagnostics(client, uri, lambda found: "taboo/dont-know" not in {d.code for d in found})
    await asyncio.sleep(1.0)  # a later publication would come within the debounce time
    assert [p.version for p in published] == [6]
