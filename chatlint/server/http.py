"""``chatlint serve``: the HTTP server (Starlette on uvicorn), chatlint's API and LanguageTool's.

Routes: ``POST /v1/check``, ``GET /v1/rules``, ``POST|GET /v2/check``, ``GET /v2/languages``,
``GET /healthz`` (docs/server.md). Every error is a JSON ``{"error": {"status", "message"}}``.
One Linter is loaded per worker process when its app is made. Small requests are checked on
the event loop (a draft takes about a millisecond; a thread hop would cost more than it saves),
larger ones and those that need a new rule selection's Linter in a worker thread, so that the
loop keeps reading other clients.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import chatlint
from chatlint.server import languagetool, v1
from chatlint.server.engine import Engine, SelectionError, config_linter_kwargs
from chatlint.server.v1 import Limits, RequestError

SETTINGS_ENV = "CHATLINT_SERVER_SETTINGS"  # how ``serve`` hands its settings to worker processes


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


async def read_body(request: Request, settings: ServerSettings) -> bytes:
    """The request body, refused with 413 past the size limit and 408 when it comes too slowly.

    The time limit is a timer that cancels this task (cheaper than a cancel scope per request:
    most bodies arrive with their headers); it is disarmed as soon as the body is read."""
    limit = settings.limits.max_body
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"bad Content-Length {declared!r}")
        if int(declared) > limit:
            raise ApiError(413, f"the body has {declared} bytes, at most {limit}")
    chunks, size = [], 0
    task = asyncio.current_task()
    timer = asyncio.get_running_loop().call_later(settings.body_timeout, task.cancel)
    try:
        while True:
            message = await request.receive()
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
        if timer.when() > asyncio.get_running_loop().time():
            raise  # cancelled by the server (shutting down), not by the timer
        task.uncancel()
        raise ApiError(408, f"the body did not arrive within {settings.body_timeout:g} s") from None
    finally:
        timer.cancel()
    return b"".join(chunks)


def create_app(settings: ServerSettings | None = None, engine: Engine | None = None) -> Starlette:
    """The ASGI app; builds the Engine (loads the Linter) unless one is given."""
    settings = settings or ServerSettings()
    if engine is None:
        from pathlib import Path

        folder = Path(settings.folder) if settings.folder else None
        engine = Engine(config_linter_kwargs(settings.config, folder))

    async def check_v1(request: Request) -> Response:
        body = await read_body(request, settings)
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
            raise ApiError(400, f"the body is not JSON: {exc}") from None
        try:
            parsed = v1.parse_request(data, settings.limits)
            if v1.request_size(parsed) <= settings.inline_chars and engine.ready(parsed.selection):
                result = v1.run_request(engine, parsed)
            else:
                result = await run_in_threadpool(v1.run_request, engine, parsed)
        except RequestError as exc:
            raise ApiError(exc.status, str(exc)) from None
        except SelectionError as exc:
            raise ApiError(422, str(exc)) from None
        return JSONResponse(result)

    async def check_v2(request: Request) -> Response:
        body = await read_body(request, settings) if request.method == "POST" else b""
        kind = request.headers.get("content-type", "application/x-www-form-urlencoded")
        if body and not kind.startswith("application/x-www-form-urlencoded"):
            raise ApiError(415, f"send the form as application/x-www-form-urlencoded, not {kind}")
        try:
            form = languagetool.parse_form(body, request.url.query)
            parsed = languagetool.parse_request(form, engine.linter, settings.max_lt_chars)
            if len(parsed.original) <= settings.inline_chars and engine.ready(parsed.selection):
                result = languagetool.check(engine, parsed)
            else:
                result = await run_in_threadpool(languagetool.check, engine, parsed)
        except languagetool.LanguageToolError as exc:
            raise ApiError(400, str(exc)) from None
        return JSONResponse(result)

    async def languages(request: Request) -> Response:
        return JSONResponse(languagetool.LANGUAGES)

    async def rules(request: Request) -> Response:
        return JSONResponse({"rules": rules_json(engine)})

    async def healthz(request: Request) -> Response:
        linter = engine.linter
        return JSONResponse({"status": "ok", "version": chatlint.__version__, "rules": len(linter.rules)})

    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Content-Type"],
                max_age=600,
            )
        )
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
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    app.state.engine = engine
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
            "category": r.category,
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
    uvicorn.run(
        "chatlint.server.http:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=5,
    )
