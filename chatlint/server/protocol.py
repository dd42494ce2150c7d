"""The HTTP protocol of ``chatlint serve``: uvicorn's httptools protocol, a response sent in one write.

uvicorn writes a response's head when the app sends ``http.response.start`` and its body with
``http.response.body``: two ``send`` system calls and two TCP segments for every answer, which
on the loopback address cost more than the JSON. Here the connection's transport holds what is
written until the response is complete (or, for a streamed response, until the event loop's
next step), then sends it at once. Everything else is uvicorn's (docs/server.md).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescingTransport:
    """A transport that sends what is written to it in one step of the event loop as one write;
    ``flush`` sends it now. Every other attribute is the wrapped transport's."""

    __slots__ = ("_transport", "_loop", "_pending")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport, self._loop = transport, loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self.flush)  # a streamed response's chunk waits one loop step at most
        else:
            self._pending.append(data)

    def writelines(self, chunks) -> None:
        for chunk in chunks:
            self.write(chunk)

    def flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + sum(map(len, self._pending or ()))

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class ChatlintHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol over a ``CoalescingTransport``: a response's head and body in one write."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]

    def on_response_complete(self) -> None:
        self.transport.flush()  # type: ignore[attr-defined]
        super().on_response_complete()
