"""chatlint for tools that are not Python: an HTTP server (chatlint's API and LanguageTool's) and
a language server for canned-reply libraries (docs/server.md). Needs the ``server`` and ``lsp`` extras."""
