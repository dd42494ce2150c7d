"""The server's transport (chatlint/server/protocol.py): a response's writes leave as one."""

from __future__ import annotations

import asyncio

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
