"""The HTTP protocol of ``chatlint serve``: uvicorn's httptools protocol, a response sent in one
write, and small check requests answered without the ASGI request cycle.

uvicorn writes a response's head when the app sends ``http.response.start`` and its body with
``http.response.body``: two ``send`` system calls and two TCP segments for every answer, which
on the loopback address cost more than the JSON. Here the connection's transport holds what is
written until the response is complete (or, for a streamed response, until the event loop's
next step), then sends it at once.

A ``POST /v1/check`` or ``/v2/check`` whose body (at most ``answer_now_max`` bytes, with a
Content-Length) arrives in the same read as its head, on an HTTP/1.1 keep-alive connection with
no other request in progress, is answered by the app's ``answer_now`` inside the parser's
callback: no scope, request cycle, task, ASGI messages or header checks, which together cost
about as much as the rest of the request (docs/bench.md). Anything else, and a request
``answer_now`` declines (a large one, a new rule selection), goes uvicorn's way. A connection
keeps one keep-alive timer rather than a new one per response. The rest is uvicorn's
(docs/server.md).
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

FAST_PATHS = (b"/v1/check", b"/v2/check")
_JSON_HEAD = b"content-type: application/json\r\ncontent-length: "


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
    """uvicorn's httptools protocol over a ``CoalescingTransport`` (a response's head and body in
    one write), with the small check requests answered at once (the module's docstring)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(CoalescingTransport(transport, self.loop))  # type: ignore[arg-type]
        self._raw = transport
        self._answer = getattr(self.app, "answer_now", None)
        self._answer_max = getattr(self.app, "answer_now_max", 0)
        self._origin_ok = getattr(self.app, "answer_now_with_origin", True)
        self._held: bytes | None = None  # the body of a request to answer at once
        self._content_type: bytes | None = None
        self._head_for: object = None  # the default headers ``_head`` was made from
        self._head = b""
        self._idle_until: float | None = None  # when the keep-alive timer may close the connection

    def on_response_complete(self) -> None:
        """uvicorn's, with one keep-alive timer a connection: uvicorn makes a timer after every
        response and cancels it when the next request comes, a timer object and two heap
        operations a request; here the timer stays and looks at the time when it fires."""
        self.transport.flush()  # type: ignore[attr-defined]
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._idle_until = self.loop.time() + self.timeout_keep_alive
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        elif self.timeout_keep_alive_task is None:
            self.timeout_keep_alive_task = self.loop.call_at(self._idle_until, self.timeout_keep_alive_handler)

    def _unset_keepalive_if_required(self) -> None:
        self._idle_until = None  # a request came: not idle (the timer, when it fires, sees it)

    def timeout_keep_alive_handler(self) -> None:
        until = self._idle_until
        if until is None:  # busy: the next response sets the timer again
            self.timeout_keep_alive_task = None
        elif self.loop.time() < until:  # a request came and was answered since the timer was set
            self.timeout_keep_alive_task = self.loop.call_at(until, self.timeout_keep_alive_handler)
        else:
            self.timeout_keep_alive_task = None
            super().timeout_keep_alive_handler()

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        if self.timeout_keep_alive_task is not None:
            self.timeout_keep_alive_task.cancel()
            self.timeout_keep_alive_task = None

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._held is not None:  # the body did not come with the head
            if self.transport.is_closing():
                self._held = None
            else:
                self._go_asgi()

    def on_message_begin(self) -> None:
        """uvicorn's, without the ASGI scope: made only for a request that goes the ASGI way."""
        self.url = b""
        self.expect_100_continue = False
        self.headers = []
        self.scope = None  # type: ignore[assignment]

    def _make_scope(self) -> None:
        url, headers, expect = self.url, self.headers, self.expect_100_continue
        super().on_message_begin()  # uvicorn's scope of the request
        self.url, self.headers, self.expect_100_continue = url, headers, expect
        self.scope["headers"] = headers

    def on_headers_complete(self) -> None:
        if self._answer is not None and self._can_answer_now():
            self._held = b""
            return
        self._make_scope()
        super().on_headers_complete()

    def _can_answer_now(self) -> bool:
        parser = self.parser
        if self.url not in FAST_PATHS or parser.get_method() != b"POST" or self.expect_100_continue:
            return False
        if parser.get_http_version() != "1.1" or not parser.should_keep_alive() or parser.should_upgrade():
            return False
        if self.pipeline or (self.cycle is not None and not self.cycle.response_complete):
            return False
        if self.limit_concurrency is not None or self.access_log:
            return False
        length = self._content_type = None
        for name, value in self.headers:
            if name == b"content-length":
                if length is not None:
                    return False
                length = value
            elif name == b"content-type":
                self._content_type = value
            elif name == b"transfer-encoding" or (name == b"origin" and not self._origin_ok):
                return False
        return length is not None and length.isdigit() and int(length) <= self._answer_max

    def _go_asgi(self, complete: bool = False) -> None:
        """The held request the ASGI way, with the body that came so far."""
        body, self._held = self._held, None
        self._make_scope()
        super().on_headers_complete()
        self.on_body(body)
        if complete:
            super().on_message_complete()

    def on_body(self, body: bytes) -> None:
        if self._held is not None:
            self._held += body
        else:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._held is None:
            super().on_message_complete()
            return
        answer = self._answer(self.url, self._content_type, self._held)
        if answer is None:
            self._go_asgi(complete=True)
            return
        self._held = None
        if self._raw.is_closing():  # the client went away while its request was checked
            return
        status, payload = answer
        defaults = self.server_state.default_headers
        if defaults is not self._head_for:  # uvicorn makes a new list when the date changes
            self._head_for = defaults
            self._head = b"".join(b"%s: %s\r\n" % pair for pair in defaults) + _JSON_HEAD
        self._raw.write(b"".join((STATUS_LINE[status], self._head, b"%d\r\n\r\n" % len(payload), payload)))
        self.on_response_complete()
