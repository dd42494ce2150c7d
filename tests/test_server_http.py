"""``chatlint serve`` as a running server on 127.0.0.1: both APIs, a real LanguageTool client, limits, faults."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

pytest.importorskip("uvicorn")
pytest.importorskip("starlette")
httpx = pytest.importorskip("httpx")

import chatlint  # noqa: E402
from bench.corpus import iter_replies  # noqa: E402
from bench.server_load import request_bodies, run_load, start_server, stop_server  # noqa: E402
from chatlint.server.engine import findings_json  # noqa: E402

PANEL = "http://panel.example"
EMOJI_DRAFT = "😀👍🏽 Здравствуйте! Я не знаю!!!"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")  # no configuration file: the defaults
    extra = ["--cors-origin", PANEL, "--max-body", "200000", "--max-drafts", "10", "--max-chars", "5000"]
    proc, port = start_server(1, extra + ["--body-timeout", "2"], cwd=str(folder))
    yield f"http://127.0.0.1:{port}", port
    stop_server(proc)
    assert proc.returncode is not None


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server[0], timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def linter():
    return chatlint.Linter()


def _error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"]["status"] == status
    return body["error"]["message"]


# ---- /v1/check -------------------------------------------------------------------------


def test_v1_findings_are_those_of_linter_check(http, linter):
    drafts = [*iter_replies(11, 40), "Я не знаю!!!", "Спасибо за ожидание."]
    for text in drafts:
        response = http.post("/v1/check", json={"text": text})
        assert response.status_code == 200
        assert response.json() == {"offsets": "codepoint", "findings": findings_json(text, linter.check(text))}
    batch = http.post("/v1/check", json={"drafts": [drafts[0], {"id": "x7", "text": drafts[-2]}]}).json()
    assert [r["id"] for r in batch["results"]] == [None, "x7"]
    assert batch["results"][1]["findings"] == findings_json(drafts[-2], linter.check(drafts[-2]))
    assert {f["rule"] for f in batch["results"][1]["findings"]} == {"taboo/dont-know", "style/exclamation"}


def test_emoji_before_the_finding_highlights_the_same_characters(http):
    """JavaScript slices UTF-16 code units, Python code points: both must land on «Я не знаю»."""
    points = http.post("/v1/check", json={"text": EMOJI_DRAFT}).json()["findings"]
    units = http.post("/v1/check", json={"text": EMOJI_DRAFT, "offsets": "utf16"}).json()["findings"]
    utf16 = EMOJI_DRAFT.encode("utf-16-le")
    assert [f["rule"] for f in points] == [f["rule"] for f in units]
    for p, u in zip(points, units):
        assert EMOJI_DRAFT[p["start"] : p["end"]] == p["text"]
        assert utf16[2 * u["start"] : 2 * u["end"]].decode("utf-16-le") == u["text"] == p["text"]
        assert u["start"] == p["start"] + 3  # three characters outside the BMP before it
        assert u["column"] == p["column"] + 3
    lt = http.post("/v2/check", data={"text": EMOJI_DRAFT, "language": "ru-RU"}).json()["matches"]
    spans = {utf16[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le") for m in lt}
    assert spans == {p["text"] for p in points}


def test_context_lets_dialogue_rules_see_the_draft(http):
    client = {"role": "client", "text": "Здравствуйте, где мой заказ?", "time": "2024-03-15T10:00:00+03:00"}
    draft = "Здравствуйте! Сейчас посмотрю."
    late = http.post("/v1/check", json={"text": draft, "context": [client], "time": "2024-03-15T10:00:45+03:00"})
    (finding,) = late.json()["findings"]
    assert finding["rule"] == "dialogue/first-response" and finding["seconds"] == 45
    quick = http.post("/v1/check", json={"text": draft, "context": [client], "time": "2024-03-15T07:00:20Z"})
    assert quick.json()["findings"] == []
    alone = http.post("/v1/check", json={"text": draft})
    assert alone.json()["findings"] == []
    # the previous operator message is seen by the dialogue rules, its own findings are not reported
    said = {"role": "operator", "text": "Я не знаю!!!", "time": "2024-03-15T10:00:10+03:00"}
    again = http.post(
        "/v1/check", json={"text": draft, "context": [client, said], "time": "2024-03-15T10:00:20+03:00"}
    ).json()
    assert [f["rule"] for f in again["findings"]] == []
    # how a conversation ended is judged only when the draft ends it
    body = {"text": draft, "context": [client, said], "time": "2024-03-15T10:00:20+03:00", "ends": True}
    assert [f["rule"] for f in http.post("/v1/check", json=body).json()["findings"]] == ["dialogue/closing"]


def test_draft_without_a_time_is_sent_now_and_drafts_carry_their_own_context(http):
    from datetime import datetime, timedelta, timezone

    asked = (datetime.now(timezone.utc) - timedelta(seconds=120)).isoformat()
    client = {"role": "client", "text": "Где мой заказ?", "time": asked}
    draft = "Здравствуйте! Сейчас посмотрю."
    (finding,) = http.post("/v1/check", json={"text": draft, "context": [client]}).json()["findings"]
    assert finding["rule"] == "dialogue/first-response" and 119 <= finding["seconds"] <= 180
    batch = {"drafts": [draft, {"text": draft, "context": [client]}]}
    first, second = http.post("/v1/check", json=batch).json()["results"]
    assert first["findings"] == [] and second["findings"][0]["rule"] == "dialogue/first-response"


def test_rule_selection(http, linter):
    text = "Я не знаю!!!"
    only = http.post("/v1/check", json={"text": text, "select": ["taboo"]}).json()["findings"]
    assert {f["rule"] for f in only} == {"taboo/dont-know"}
    without = http.post("/v1/check", json={"text": text, "ignore": "taboo/dont-know"}).json()["findings"]
    assert {f["rule"] for f in without} == {"style/exclamation"}
    selected = chatlint.Linter(select=["style"])
    assert http.post("/v1/check", json={"text": text, "select": ["style"]}).json()["findings"] == findings_json(
        text, selected.check(text)
    )
    assert "unknown rule or category 'nope'" in _error(
        http.post("/v1/check", json={"text": text, "select": ["nope"]}), 422
    )


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        (b"{not json", 400, "not JSON"),
        (b'{"text": "\xff\xfe"}', 400, "not JSON"),
        (b"[1, 2]", 422, "JSON object"),
        (b'{"text": 5}', 422, "text: expected a string"),
        (b'{"txt": "a"}', 422, "unknown field 'txt'"),
        (b'{"text": "a", "drafts": []}', 422, "either"),
        (b'{"text": "a", "offsets": "bytes"}', 422, "offsets"),
        (b'{"text": "\\ud83d"}', 422, "lone surrogate"),
        (b'{"drafts": ["a", 1]}', 422, "drafts[1]"),
        (b'{"drafts": ' + json.dumps(["a"] * 11).encode() + b"}", 413, "at most 10"),
        (b'{"text": "' + b"a" * 5001 + b'"}', 413, "at most 5000"),
        (b'{"text": "a", "context": [{"role": "boss", "text": "x"}]}', 422, "context[0].role"),
        (
            b'{"text": "a", "context": [{"role": "client", "text": "x", "time": "2024-03-15T10:00:00"}]}',
            422,
            "time zone",
        ),
        (
            b'{"text": "a", "context": [{"role": "client", "text": "x", "time": 0}, {"role": "client", "text": "y"}]}',
            422,
            "context[1]",
        ),
        (b"[" * 100_000 + b"]" * 100_000, 400, "not JSON"),
    ],
)
def test_malformed_requests_are_json_errors(http, body, status, says):
    response = http.post("/v1/check", content=body, headers={"Content-Type": "application/json"})
    assert says in _error(response, status)


def test_unknown_routes_and_methods_are_json_errors(http):
    _error(http.get("/v1/nothing"), 404)
    _error(http.get("/v1/check"), 405)


def test_health_and_rules(http, linter):
    assert http.get("/healthz").json()["status"] == "ok"
    rules = http.get("/v1/rules").json()["rules"]
    assert {r["id"] for r in rules} == {r.id for r in linter.all_rules}
    taboo = next(r for r in rules if r["id"] == "taboo/dont-know")
    assert taboo["enabled"] and taboo["examples"]["bad"]
    assert next(r for r in rules if r["id"] == "dialogue/contacts")["enabled"] is False


def test_cors_for_the_configured_origin_only(http):
    ok = http.options("/v1/check", headers={"Origin": PANEL, "Access-Control-Request-Method": "POST"})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PANEL
    answer = http.post("/v1/check", json={"text": "a"}, headers={"Origin": PANEL})
    assert answer.headers["access-control-allow-origin"] == PANEL
    other = http.post("/v1/check", json={"text": "a"}, headers={"Origin": "http://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    refused = http.options(
        "/v1/check", headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "Disallowed CORS origin" in _error(refused, 400)


# ---- LanguageTool's API -----------------------------------------------------------------


def test_language_tool_python_client_works_unchanged(server):
    ltp = pytest.importorskip("language_tool_python")
    tool = ltp.LanguageTool("ru-RU", remote_server=server[0])
    try:
        matches = tool.check(EMOJI_DRAFT)
        assert {m.rule_id for m in matches} == {"taboo/dont-know", "style/exclamation"}
        taboo = next(m for m in matches if m.rule_id == "taboo/dont-know")
        # the client turns UTF-16 offsets back into Python's: the span is the finding's text
        assert EMOJI_DRAFT[taboo.offset : taboo.offset + taboo.error_length] == "Я не знаю"
        assert taboo.replacements[0] == "Я уточню" and taboo.category == "taboo"
        assert tool.correct(EMOJI_DRAFT) == "😀👍🏽 Здравствуйте! Я уточню!"
        tool.disabled_rules = {"taboo/dont-know", "WHITESPACE_RULE"}  # an id of LanguageTool's own: ignored
        assert [m.rule_id for m in tool.check(EMOJI_DRAFT)] == ["style/exclamation"]
        tool.disabled_rules = set()
        tool.enabled_rules, tool.enabled_rules_only = {"taboo/dont-know"}, True
        assert [m.rule_id for m in tool.check(EMOJI_DRAFT)] == ["taboo/dont-know"]
    finally:
        tool.close()


def test_v2_languages_and_response_shape(http):
    assert http.get("/v2/languages").json() == [{"name": "Russian", "code": "ru", "longCode": "ru-RU"}]
    body = http.post("/v2/check", data={"text": "Добрый день.\nЯ не знаю, когда.", "language": "auto"}).json()
    assert body["language"]["code"] == "ru-RU" and body["software"]["apiVersion"] == 1
    (m,) = body["matches"]
    assert m["rule"]["id"] == "taboo/dont-know" and m["rule"]["category"]["id"] == "taboo"
    assert m["rule"]["issueType"] and m["rule"]["description"] and m["shortMessage"]
    assert m["sentence"] == "Я не знаю, когда."
    context = m["context"]
    assert context["text"][context["offset"] : context["offset"] + context["length"]] == "Я не знаю"
    assert "\n" not in context["text"]
    by_get = http.get("/v2/check", params={"text": "Добрый день.\nЯ не знаю, когда.", "language": "ru-RU"}).json()
    assert by_get["matches"] == body["matches"]


def test_v2_annotated_text_skips_markup_and_keeps_offsets(http):
    annotation = [
        {"markup": "<p>"},
        {"text": "Здравствуйте! "},
        {"markup": '<img alt="😀">'},
        {"text": "Я не "},
        {"markup": "<b>"},
        {"text": "знаю"},
        {"markup": "</b>"},
        {"markup": "<br>", "interpretAs": "\n"},
        {"text": "ВСЕГО ДОБРОГО"},
    ]
    original = "".join(a.get("text", a.get("markup")) for a in annotation)
    body = http.post("/v2/check", data={"data": json.dumps({"annotation": annotation}), "language": "ru-RU"}).json()
    utf16 = original.encode("utf-16-le")
    spans = {
        m["rule"]["id"]: utf16[2 * m["offset"] : 2 * (m["offset"] + m["length"])].decode("utf-16-le")
        for m in body["matches"]
    }
    assert spans["taboo/dont-know"] == "Я не <b>знаю"  # the finding spans the markup inside it
    assert not any("img" in s for s in spans.values())


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"text": "a", "language": "en-US"}, "not supported"),
        ({"language": "ru-RU"}, "either 'text' or 'data'"),
        ({"data": "{", "language": "ru-RU"}, "data is not JSON"),
        ({"data": '{"annotation": [{"text": 1}]}', "language": "ru-RU"}, "annotation[0]"),
        ({"text": "a", "enabledOnly": "true"}, "enabledOnly"),
        ({"text": "a", "enabledRules": "NO_SUCH_RULE"}, "unknown rule"),
        ({"text": "a" * 100_001}, "at most 100000"),
    ],
)
def test_v2_bad_requests(http, form, says):
    assert says in _error(http.post("/v2/check", data=form), 400)


def test_v2_invalid_utf8_and_wrong_type(http):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert "UTF-8" in _error(http.post("/v2/check", content=b"text=%FF%FE&language=ru", headers=headers), 400)
    assert "UTF-8" in _error(http.post("/v2/check", content=b"text=\xff&language=ru", headers=headers), 400)
    _error(http.post("/v2/check", content=b"{}", headers={"Content-Type": "application/json"}), 415)
    unknown = http.post("/v2/check", data={"text": "Я не знаю", "disabledRules": "UPPERCASE_SENTENCE_START"}).json()
    assert unknown["warnings"]["unknownRules"] == ["UPPERCASE_SENTENCE_START"]


# ---- faults: the server stays up and answers the others ---------------------------------


def _raw(port: int, data: bytes, read: bool = True, timeout: float = 30) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if not read:
            return b""
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and b"}" in chunk:
                    break
        except (ConnectionResetError, TimeoutError):
            pass
        return b"".join(chunks)


def _alive(http) -> None:
    response = http.post("/v1/check", json={"text": "Я не знаю"})
    assert response.status_code == 200 and response.json()["findings"][0]["rule"] == "taboo/dont-know"


def test_client_that_disconnects_mid_request(server, http):
    port = server[1]
    for _ in range(20):
        head = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
        _raw(port, head + '{"text": "Я не'.encode(), read=False)
        _raw(port, b"POST /v2/check HTTP/1.1\r\nHost: x\r\n", read=False)  # not even the headers
    _alive(http)


def test_ten_megabyte_body(server, http):
    big = b'{"text": "' + b"a" * 10_000_000 + b'"}'
    declared = http.post("/v1/check", content=big, headers={"Content-Type": "application/json"})
    assert "at most 200000" in _error(declared, 413)

    def chunks():  # no Content-Length: the limit is found while reading
        for i in range(0, len(big), 1_000_000):
            yield big[i : i + 1_000_000]

    try:
        streamed = http.post("/v1/check", content=chunks(), headers={"Content-Type": "application/json"})
        assert "more than 200000" in _error(streamed, 413)
    except httpx.TransportError:
        pass  # the server may close the connection while the client is still sending: also fine
    _alive(http)


def test_slow_client_does_not_hold_up_the_others(server, http):
    port = server[1]
    body = json.dumps({"text": "Я не знаю"}, ensure_ascii=False).encode()
    head = b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(
        body
    )
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        slow.sendall(head + body[:3])
        started = time.monotonic()
        for _ in range(20):
            _alive(http)  # answered while the slow client is still sending
        assert time.monotonic() - started < 2  # before the body timeout ends the slow request
        answer = b""
        while b"\r\n\r\n" not in answer or b"}" not in answer:
            chunk = slow.recv(65536)
            if not chunk:
                break
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"did not arrive within 2 s" in answer
    finally:
        slow.close()
    _alive(http)


# ---- load: many clients at once get what Linter.check gives -------------------------------


def test_concurrent_clients_get_linter_check_results(server):
    bodies = request_bodies(list(iter_replies(5, 300)), 1) + request_bodies(list(iter_replies(6, 60)), 5)
    stats = asyncio.run(run_load(server[1], bodies, clients=200, seconds=3))
    assert stats.errors == []
    assert stats.mismatches == 0
    assert stats.requests >= 200  # every client was answered at least once
