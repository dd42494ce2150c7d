"""The server's transport (chatlint/server/protocol.py): a response's writes leave as one."""

from __future__ import annotations

import asyncio
import json
import urllib.parse

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("httptools")

from chatlint.server.protocol import CoalescingTransport  # noqa: E402


class Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def get_write_buffer_size(self) -> int:
        return 0

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name, default=None):
        return {"peername": ("127.0.0.1", 5)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_writes_of_one_step_leave_as_one_and_in_order():
    async def run() -> tuple[list[bytes], list[bytes]]:
        real = Recorder()
        t = CoalescingTransport(real, asyncio.get_running_loop())
        t.write(b"HTTP/1.1 200 OK\r\n\r\n")
        t.write(b"{}")
        held = list(real.writes)
        await asyncio.sleep(0)  # the loop's next step sends what was held
        await asyncio.sleep(0)
        return held, real.writes

    held, sent = asyncio.run(run())
    assert held == []
    assert sent == [b"HTTP/1.1 200 OK\r\n\r\n{}"]


def test_flush_close_and_other_attributes():
    async def run() -> Recorder:
        real = Recorder()
        t = CoalescingTransport(real, asyncio.get_running_loop())
        t.write(b"a")
        t.flush()
        t.writelines([b"b", b"c"])
        assert t.get_write_buffer_size() == 2
        assert t.get_extra_info("peername") == ("127.0.0.1", 5)  # the wrapped transport's
        t.close()  # sends what is held first
        t.write(b"late")
        await asyncio.sleep(0)
        return real

    real = asyncio.run(run())
    assert real.writes == [b"a", b"bc"] and real.closed


# ---- small check requests answered at once (ChatlintHttpProtocol) ---------------------------


@pytest.fixture(scope="module")
def app():
    pytest.importorskip("starlette")
    from chatlint.server.http import create_app

    return create_app()


def _request(body: bytes, path: bytes = b"/v1/check", kind: bytes = b"application/json", extra: bytes = b"") -> bytes:
    head = b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n%s" % (path, kind, extra)
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def _serve(app, reads: list[bytes], *, at_once: bool = True, keep_alive: float = 5.0, idle: float = 0.0):
    """The writes of a ChatlintHttpProtocol fed ``reads`` one by one; ``at_once=False``: as
    uvicorn would answer them (the app without ``answer_now``). (writes, closed)."""
    from uvicorn.config import Config
    from uvicorn.server import ServerState

    from chatlint.server.protocol import ChatlintHttpProtocol

    async def run() -> Recorder:
        config = Config(app=app, http=ChatlintHttpProtocol, log_level="warning", timeout_keep_alive=keep_alive)
        config.load()
        if not at_once:
            config.loaded_app = lambda scope, receive, send: app(scope, receive, send)  # no answer_now
        state = ServerState()
        state.default_headers = [(b"date", b"Wed, 02 Dec 2026 12:00:00 GMT"), (b"server", b"uvicorn")]
        proto = ChatlintHttpProtocol(config=config, server_state=state, app_state={}, _loop=asyncio.get_running_loop())
        real = Recorder()
        proto.connection_made(real)
        for data in reads:
            proto.data_received(data)
            for _ in range(20):  # the ASGI task's steps
                await asyncio.sleep(0)
        await asyncio.sleep(idle)
        return real

    real = asyncio.run(run())
    return real.writes, real.closed


V1_BODY = json.dumps({"text": "Я не знаю!!! 😀"}, ensure_ascii=False).encode()
V2_BODY = urllib.parse.urlencode({"text": "Я не знаю!!!", "language": "ru-RU"}).encode()
FORM = b"application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "request_bytes",
    [
        _request(V1_BODY),
        _request(b'{"drafts": ["\xd0\xaf \xd0\xbd\xd0\xb5 \xd0\xb7\xd0\xbd\xd0\xb0\xd1\x8e", "ok"]}'),
        _request(V2_BODY, b"/v2/check", FORM),
        _request(b'{"text": '),  # not JSON: 400
        _request(b'{"text": "\xff"}'),  # not UTF-8: 400
        _request(b'{"txt": "a"}'),  # an unknown field: 422
        _request(V1_BODY, kind=b"text/plain", path=b"/v2/check"),  # 415
    ],
    ids=["v1", "v1-batch", "v2", "not-json", "not-utf8", "unknown-field", "wrong-type"],
)
def test_answered_at_once_as_uvicorn_answers(app, request_bytes):
    at_once, _ = _serve(app, [request_bytes])
    asgi, _ = _serve(app, [request_bytes], at_once=False)
    assert len(at_once) == 1 and at_once == asgi  # the same bytes, head and body, in one write


def test_a_body_in_a_later_read_and_pipelined_requests(app):
    whole = _request(V1_BODY)
    split, _ = _serve(app, [whole[:-5], whole[-5:]])  # the body's end comes later: the ASGI way
    expected, _ = _serve(app, [whole])
    assert split == expected
    two, _ = _serve(app, [whole + _request(V2_BODY, b"/v2/check", FORM)])  # two requests in one read
    assert two == expected + _serve(app, [_request(V2_BODY, b"/v2/check", FORM)])[0]


def test_requests_that_go_the_asgi_way(app):
    for request_bytes in (
        _request(V1_BODY, extra=b"Connection: close\r\n"),  # the connection closes after the answer
        _request(V1_BODY, path=b"/v1/check?x=1"),
        _request(V1_BODY, extra=b"Expect: 100-continue\r\n"),
    ):
        at_once, closed = _serve(app, [request_bytes])
        asgi, closed_asgi = _serve(app, [request_bytes], at_once=False)
        assert b"".join(at_once) == b"".join(asgi) and closed == closed_asgi
    assert _serve(app, [_request(V1_BODY, extra=b"Connection: close\r\n")])[1]


def test_keep_alive_timer_closes_an_idle_connection_only(app):
    writes, closed = _serve(app, [_request(V1_BODY)], keep_alive=0.05, idle=0.15)
    assert len(writes) == 1 and closed
    writes, closed = _serve(app, [_request(V1_BODY)] * 3, keep_alive=1.0, idle=0.0)
    assert len(writes) == 3 and not closed
