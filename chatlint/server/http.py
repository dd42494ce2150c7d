"""``chatlint serve``: the HTTP server (Starlette on uvicorn), chatlint's API and LanguageTool's.

Routes: ``POST /v1/check``, ``GET /v1/rules``, ``POST|GET /v2/check``, ``GET /v2/languages``,
``GET /healthz`` (docs/server.md). Every error is a JSON ``{"error": {"status", "message"}}``.
The two ``POST`` check routes are plain ASGI in front of Starlette (``CheckRoutes``), which
routes everything else; a small complete check request is answered without ASGI by
``CheckRoutes.answer_now``, called from the HTTP protocol (chatlint/server/protocol.py).
One Linter is loaded per worker process when its app is made. Small requests are checked on
the event loop (a draft takes about a millisecond; a thread hop would cost more than it saves),
larger ones and those that need a new rule selection's Linter in a worker thread, so that the
loop keeps reading other clients.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import chatlint
from chatlint.server import languagetool, v1
from chatlint.server.engine import Engine, SelectionError, config_linter_kwargs
from chatlint.server.offsets import OFFSET_KINDS
from chatlint.server.v1 import Limits, RequestError

logger = logging.getLogger("chatlint.server")
SETTINGS_ENV = "CHATLINT_SERVER_SETTINGS"  # how ``serve`` hands its settings to worker processes
_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"), check_circular=False)
_encode = _encoder.encode  # made once


def _one_shot_encoder():
    """``_encode`` without the C encoder it makes on every call (``JSONEncoder.iterencode``):
    the C encoder made once; ``_encode`` itself where the C module or its signature differs."""
    make = getattr(json.encoder, "c_make_encoder", None)
    basestring = getattr(json.encoder, "c_encode_basestring", None)
    if make is None or basestring is None:
        return _encode
    e = _encoder
    try:
        made = make(None, e.default, basestring, None, e.key_separator, e.item_separator, False, False, False)
        sample = {"a": [1, 2.5, None, True, '«ё»\n"😀'], "b": {"c": []}}
        if "".join(made(sample, 0)) != _encode(sample):
            return _encode
    except (TypeError, ValueError):
        return _encode

    def encode(obj: object) -> str:
        return "".join(made(obj, 0))

    return encode


_encode_fast = _one_shot_encoder()
# the most common answer, a draft without findings, encoded once for each kind of offsets
_decode = json.JSONDecoder().decode
_NO_FINDINGS = {kind: _encode({"offsets": kind, "findings": []}).encode() for kind in OFFSET_KINDS}
_JSON_TYPE = (b"content-type", b"application/json")
FAST_BODY = 16_384  # bytes of a body that ``CheckRoutes.answer_now`` may answer (a draft is far less)


def encode_json(result: dict) -> bytes:
    """A response body: compact JSON in UTF-8."""
    if len(result) == 2 and result.get("findings") == []:
        return _NO_FINDINGS[result["offsets"]]
    return _encode_fast(result).encode()


@dataclass(frozen=True)
class ServerSettings:
    """What a server process needs to build its app."""

    config: str | None = None  # a configuration file; None: the one found from ``folder``
    folder: str | None = None  # where to look for the configuration (default: the working folder)
    limits: Limits = Limits()
    max_lt_chars: int = 100_000  # characters of one LanguageTool text (editors send whole documents)
    cors_origins: tuple[str, ...] = ()
    inline_chars: int = 8_000  # requests with at most this many characters are checked on the event loop
    body_timeout: float = 10.0  # seconds a client may take to send its body

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, raw: str) -> ServerSettings:
        data = json.loads(raw)
        data["limits"] = Limits(**data["limits"])
        data["cors_origins"] = tuple(data["cors_origins"])
        return cls(**data)


class ApiError(Exception):
    """An error answered as JSON with its HTTP status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status)


async def read_body(receive, declared: str | None, settings: ServerSettings) -> bytes:
    """The request body, refused with 413 past the size limit and 408 when it comes too slowly.

    The time limit is a timer that cancels this task (cheaper than a cancel scope per request:
    most bodies arrive with their headers); it is disarmed as soon as the body is read."""
    limit = settings.limits.max_body
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"bad Content-Length {declared!r}")
        if int(declared) > limit:
            raise ApiError(413, f"the body has {declared} bytes, at most {limit}")
    chunks, size = [], 0
    task = asyncio.current_task()
    expired = []  # set by the timer: asyncio may run it a clock tick before its time

    def expire() -> None:
        expired.append(True)
        task.cancel()

    timer = asyncio.get_running_loop().call_later(settings.body_timeout, expire)
    try:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise ApiError(413, f"the body has more than {limit} bytes")
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
    except asyncio.CancelledError:
        if not expired:
            raise  # cancelled by the server (shutting down), not by the timer
        task.uncancel()
        raise ApiError(408, f"the body did not arrive within {settings.body_timeout:g} s") from None
    finally:
        timer.cancel()
    return b"".join(chunks)


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, with its refusal of a preflight as a JSON error like the others."""

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code >= 400:
            return error_response(response.status_code, bytes(response.body).decode("utf-8", "replace"))
        return response


class Checks:
    """The two check endpoints, answered from a request body: (status, JSON object)."""

    def __init__(self, engine: Engine, settings: ServerSettings) -> None:
        self.engine, self.settings = engine, settings

    def v1_now(self, body: bytes) -> tuple[dict | None, object]:
        """(the answer, None) when the request is small and its Linter is built; otherwise
        (None, the parsed request) to check in a thread. ApiError for a bad request."""
        try:
            if body[:1] == b"{" and body[1:2] != b"\0":  # UTF-8 (what ``json.loads`` detects first)
                data = _decode(body.decode("utf-8", "surrogatepass"))
            else:
                data = json.loads(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ApiError(400, f"the body is not JSON: {exc}") from None
        try:
            parsed = v1.parse_request(data, self.settings.limits)
            if v1.request_size(parsed) <= self.settings.inline_chars and self.engine.ready(parsed.selection):
                return v1.run_request(self.engine, parsed), None
        except RequestError as exc:
            raise ApiError(exc.status, str(exc)) from None
        except SelectionError as exc:
            raise ApiError(422, str(exc)) from None
        return None, parsed

    async def v1(self, body: bytes) -> dict:
        result, parsed = self.v1_now(body)
        if result is not None:
            return result
        try:
            return await run_in_threadpool(v1.run_request, self.engine, parsed)
        except RequestError as exc:
            raise ApiError(exc.status, str(exc)) from None
        except SelectionError as exc:
            raise ApiError(422, str(exc)) from None

    def v2_now(self, body: bytes, content_type: str | None, query: str) -> tuple[dict | None, object]:
        """As ``v1_now``, for a LanguageTool request."""
        engine, settings = self.engine, self.settings
        kind = content_type or "application/x-www-form-urlencoded"
        if body and not kind.startswith("application/x-www-form-urlencoded"):
            raise ApiError(415, f"send the form as application/x-www-form-urlencoded, not {kind}")
        try:
            form = languagetool.parse_form(body, query)
            parsed = languagetool.parse_request(form, engine.linter, settings.max_lt_chars)
            if len(parsed.original) <= settings.inline_chars and engine.ready(parsed.selection):
                return languagetool.check(engine, parsed), None
        except languagetool.LanguageToolError as exc:
            raise ApiError(400, str(exc)) from None
        return None, parsed

    async def v2(self, body: bytes, content_type: str | None, query: str) -> dict:
        result, parsed = self.v2_now(body, content_type, query)
        if result is not None:
            return result
        try:
            return await run_in_threadpool(languagetool.check, self.engine, parsed)
        except languagetool.LanguageToolError as exc:
            raise ApiError(400, str(exc)) from None


class CheckRoutes:
    """``POST /v1/check`` and ``POST /v2/check`` as plain ASGI in front of the Starlette app,
    which answers every other request: the check routes are the traffic, and Starlette's
    request, routing and response objects cost as much as checking a draft (docs/bench.md)."""

    def __init__(self, app, checks: Checks) -> None:
        self.app, self.checks = app, checks

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path")
        if scope["type"] != "http" or scope["method"] != "POST" or path not in ("/v1/check", "/v2/check"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        status = 200
        try:
            declared = headers.get(b"content-length")
            body = await read_body(receive, declared.decode("latin-1") if declared else None, self.checks.settings)
            if path == "/v1/check":
                result = await self.checks.v1(body)
            else:
                kind = headers.get(b"content-type")
                query = scope.get("query_string", b"").decode("latin-1")
                result = await self.checks.v2(body, kind.decode("latin-1") if kind else None, query)
        except ApiError as exc:
            status, result = exc.status, {"error": {"status": exc.status, "message": exc.message}}
        except ClientDisconnect:
            return
        except Exception as exc:  # a bug: still a JSON answer, and the traceback in the log
            logger.exception("error in %s", path)
            status, result = 500, {"error": {"status": 500, "message": f"internal error: {type(exc).__name__}"}}
        payload = encode_json(result)
        headers = [_JSON_TYPE, (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def answer_now(self, path: bytes, content_type: bytes | None, body: bytes) -> tuple[int, bytes] | None:
        """(status, JSON body) of a complete small ``POST`` to a check route without a query,
        answered at once, without the ASGI request cycle (chatlint/server/protocol.py calls it);
        None when the request is to be checked in a thread: it then goes the ASGI way."""
        status = 200
        try:
            if path == b"/v1/check":
                result, _ = self.checks.v1_now(body)
            else:
                kind = content_type.decode("latin-1") if content_type else None
                result, _ = self.checks.v2_now(body, kind, "")
            if result is None:
                return None
        except ApiError as exc:
            status, result = exc.status, {"error": {"status": exc.status, "message": exc.message}}
        except Exception as exc:  # a bug: still a JSON answer, and the traceback in the log
            logger.exception("error in %s", path.decode("latin-1"))
            status, result = 500, {"error": {"status": 500, "message": f"internal error: {type(exc).__name__}"}}
        return status, encode_json(result)

    @property
    def answer_now_max(self) -> int:
        """Bodies of at most this many bytes may be answered by ``answer_now``."""
        return min(FAST_BODY, self.checks.settings.limits.max_body)


def create_app(settings: ServerSettings | None = None, engine: Engine | None = None):
    """The ASGI app; builds the Engine (loads the Linter) unless one is given. ``app.engine`` is it."""
    settings = settings or ServerSettings()
    if engine is None:
        from pathlib import Path

        folder = Path(settings.folder) if settings.folder else None
        engine = Engine(config_linter_kwargs(settings.config, folder))
    checks = Checks(engine, settings)

    async def check_v1(request: Request) -> Response:
        return JSONResponse(
            await checks.v1(await read_body(request.receive, request.headers.get("content-length"), settings))
        )

    async def check_v2(request: Request) -> Response:
        body = (
            await read_body(request.receive, request.headers.get("content-length"), settings)
            if request.method == "POST"
            else b""
        )
        return JSONResponse(await checks.v2(body, request.headers.get("content-type"), request.url.query))

    async def languages(request: Request) -> Response:
        return JSONResponse(languagetool.LANGUAGES)

    async def rules(request: Request) -> Response:
        return JSONResponse({"rules": rules_json(engine)})

    async def healthz(request: Request) -> Response:
        linter = engine.linter
        return JSONResponse({"status": "ok", "version": chatlint.__version__, "rules": len(linter.rules)})

    routes = [
        Route("/v1/check", check_v1, methods=["POST"]),
        Route("/v1/rules", rules, methods=["GET"]),
        Route("/v2/check", check_v2, methods=["GET", "POST"]),
        Route("/v2/languages", languages, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    handlers = {
        ApiError: lambda request, exc: error_response(exc.status, exc.message),
        HTTPException: lambda request, exc: error_response(exc.status_code, exc.detail),
        ClientDisconnect: lambda request, exc: Response(status_code=499),
        Exception: _internal_error,
    }
    app = CheckRoutes(Starlette(routes=routes, exception_handlers=handlers), checks)
    if settings.cors_origins:
        app = JsonCORSMiddleware(
            app, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"], max_age=600,
        )  # fmt: skip
        inner = app.app
        # a request without an Origin header passes the middleware untouched: it may be answered at once
        app.answer_now, app.answer_now_max, app.answer_now_with_origin = inner.answer_now, inner.answer_now_max, False
    app.engine = engine
    return app


def _internal_error(request: Request, exc: Exception) -> JSONResponse:
    """A bug: still JSON, and the exception is logged by the server."""
    return error_response(500, f"internal error: {type(exc).__name__}")


def rules_json(engine: Engine) -> list[dict]:
    """Every loaded rule: id, category, severity, whether it is on, message, why, source, examples."""
    linter = engine.linter
    return [
        {
            "id": r.id,
            "category": languagetool.category_of(r.id),
            "kind": r.kind,
            "severity": linter.severity_of(r.id) if r.id in linter.enabled_ids else r.severity,
            "enabled": r.id in linter.enabled_ids,
            "fix": r.fix,
            "message": r.message,
            "why": r.why,
            "source": r.source,
            "examples": {"bad": list(r.examples_bad), "good": list(r.examples_good)},
        }
        for r in linter.all_rules
    ]


def app_from_environment() -> Starlette:
    """The app of a uvicorn worker process, from the settings ``serve`` put in the environment."""
    raw = os.environ.get(SETTINGS_ENV)
    return create_app(ServerSettings.from_json(raw) if raw else ServerSettings())


def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    workers: int = 1,
    *,
    settings: ServerSettings | None = None,
    log_level: str = "info",
) -> None:
    """Run the server until interrupted; ``workers`` processes, each with its own Linter."""
    import uvicorn

    settings = settings or ServerSettings()
    if workers > 1:  # a broken configuration is said once, here, not by every worker
        from pathlib import Path

        config_linter_kwargs(settings.config, Path(settings.folder) if settings.folder else None)
    os.environ[SETTINGS_ENV] = settings.to_json()
    from chatlint.server.protocol import ChatlintHttpProtocol

    uvicorn.run(
        "chatlint.server.http:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        http=ChatlintHttpProtocol,  # httptools, a response in one write (chatlint/server/protocol.py)
        access_log=False,
        proxy_headers=False,  # chatlint does not use the client's address; a proxy in front may forward it
        timeout_graceful_shutdown=5,
    )
