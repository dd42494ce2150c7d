"""chatlint.dask on a real distributed.LocalCluster of two worker processes."""

from __future__ import annotations

import json
import os
import signal
import time

import pytest

pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from transcript_gen import write_jsonl  # noqa: E402

from chatlint.cli import main  # noqa: E402
from chatlint.dask import LinterSpec, check_frame  # noqa: E402
from chatlint.dialogue import parse_script  # noqa: E402
from chatlint.linter import Linter  # noqa: E402
from chatlint.pipeline import check_conversation  # noqa: E402
from chatlint.qa import score_conversation  # noqa: E402

CONVERSATIONS = 250


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    write_jsonl(folder / "a.jsonl", CONVERSATIONS * 8, per_conversation=8, seed=3)
    return folder


def _serial(folder, monkeypatch) -> list[str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(main, ["check", str(folder), "--format", "jsonl"])
    assert result.exit_code in (0, 1), result.output
    return sorted(result.stdout.splitlines())


def test_the_findings_equal_a_serial_run_byte_for_byte_after_sorting(client, export, monkeypatch):
    serial = _serial(export, monkeypatch)
    address = client.scheduler.address
    result = CliRunner().invoke(main, ["check", str(export), "--dask", address, "--format", "jsonl"])
    assert result.exit_code == 1, result.output  # the generator writes «Я не знаю!!!»: an error
    lines = result.stdout.splitlines()
    assert len(serial) > CONVERSATIONS  # several findings a conversation
    assert lines == sorted(lines, key=lambda s: (json.loads(s)["line"], json.loads(s)["column"]))  # by position
    assert sorted(lines) == serial


def test_text_and_sarif_formats_match_the_serial_run(client, export, monkeypatch):
    monkeypatch.chdir(export)
    runner = CliRunner()
    serial = runner.invoke(main, ["check", str(export), "--format", "text"]).stdout.splitlines()
    on_dask = runner.invoke(main, ["check", str(export), "--dask", client.scheduler.address]).stdout.splitlines()
    assert sorted(on_dask) == sorted(serial)
    sarif = runner.invoke(main, ["check", str(export), "--dask", client.scheduler.address, "--format", "sarif"])
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert len(results) == sum(1 for line in serial if not line.startswith("    →"))


def test_a_worker_killed_mid_run_loses_and_duplicates_no_finding(client, export, monkeypatch):
    serial = _serial(export, monkeypatch)
    frame = pd.read_json(export / "a.jsonl", lines=True, dtype=False)
    frame["path"], frame["line"] = str(export / "a.jsonl"), range(1, len(frame) + 1)
    checked = check_frame(dd.from_pandas(frame, npartitions=16), client=client)
    future = client.compute(checked.diagnostics)
    before = set(client.scheduler_info()["workers"])
    victim = _a_worker_holding_results(client)
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)  # the worker process dies, and the results it held with it
    found = future.result(timeout=300)
    deadline = time.monotonic() + 60
    while victim in client.scheduler_info()["workers"] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert victim in before and victim not in client.scheduler_info()["workers"]  # that process is gone
    client.wait_for_workers(2, timeout=60)  # and the nanny started a new one
    # a frame read by pandas carries record lines, not the file columns of the text: compare without them
    rows = [json.dumps(_no_columns(row), ensure_ascii=False) for row in _finding_dicts(found)]
    assert sorted(rows) == sorted(json.dumps(_no_columns(json.loads(r)), ensure_ascii=False) for r in serial)
    # the new worker process built its Linter once, through the plugin, before any task ran
    keys = client.run(lambda: sorted(__import__("chatlint.frames", fromlist=["_LINTERS"])._LINTERS))
    assert all(LinterSpec.from_kwargs({}).key in k for k in keys.values())


def _a_worker_holding_results(client) -> str:
    """The address of a worker that holds a finished check_partition result (waits for one)."""

    def holders(dask_scheduler):
        return [
            ws.address
            for ts in dask_scheduler.tasks.values()
            if "check_partition" in str(ts.key) and ts.state == "memory"
            for ws in ts.who_has
        ]

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        found = client.run_on_scheduler(holders)
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("no partition was checked in two minutes")


def _finding_dicts(found: pd.DataFrame) -> list:
    from chatlint.dask_files import findings_of
    from chatlint.output import finding_dict

    return [finding_dict(reply, d) for reply, d in findings_of(found)]


def test_bad_rows_are_reported_with_file_and_line_and_the_rest_is_checked(client, tmp_path, monkeypatch):
    good = tmp_path / "good.jsonl"
    write_jsonl(good, 40, per_conversation=8)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"conversation_id": "x", "role": "client", "text": "Где заказ?", "timestamp": 1710486000}\n'
        "not json\n"
        '{"conversation_id": "x", "role": "alien", "text": "?"}\n'
        '{"conversation_id": "x", "role": "operator", "text": "Я не знаю!!!", "timestamp": "yesterday"}\n'
        '{"conversation_id": "x", "role": "operator", "text": "Я не знаю!!!", "timestamp": 1710486010}\n',
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("Просто заметка\n", encoding="utf-8")
    chat = tmp_path / "chat.csv"
    chat.write_text(
        "Номер диалога;Отправитель;Сообщение;Дата\n7;Клиент;Где заказ?;15.03.2024 10:00\n"
        "7;Оператор;Здравствуйте! Заказ у курьера.;15.03.2024 10:01\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    args = ["check", str(tmp_path), "--dask", client.scheduler.address, "--format", "jsonl", "--tz", "Europe/Moscow"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"chatlint: warning: {chat}: 2 timestamps without a time zone read as Europe/Moscow (from --tz)" in (
        result.stderr.splitlines()
    )
    errors = [line for line in result.stderr.splitlines() if "input error" in line]
    assert errors == [
        f"chatlint: input error: {bad}:2: invalid JSON: Expecting value (column 1)",
        f"chatlint: input error: {bad}:3: unknown role 'alien' (operator, client, bot or system)",
        f"chatlint: input error: {bad}:4: bad timestamp 'yesterday'",
        f"chatlint: input error: {tmp_path / 'notes.txt'}: not a transcript (--dask checks chat exports only)",
    ]
    found = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(f["path"] == str(bad) and f["line"] == 5 and f["rule"] == "taboo/dont-know" for f in found)
    assert any(f["path"] == str(good) for f in found)


def test_parquet_in_parquet_out(client, tmp_path, monkeypatch):
    source = tmp_path / "a.jsonl"
    write_jsonl(source, 160, per_conversation=8)
    frame = pd.read_json(source, lines=True, dtype=False)
    frame.to_parquet(tmp_path / "a.parquet", row_group_size=50)
    source.unlink()
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "findings.parquet"
    result = CliRunner().invoke(
        main, ["check", str(tmp_path / "a.parquet"), "--dask", client.scheduler.address, "--output", str(out)]
    )
    assert result.exit_code == 1, result.output
    found = pd.read_parquet(out)
    write_jsonl(source, 160, per_conversation=8)
    serial = [json.loads(line) for line in _serial(tmp_path, monkeypatch) if '"a.jsonl"' in line or "a.jsonl" in line]
    key = ["conversation_id", "message_id", "rule", "start", "end"]
    assert sorted(map(tuple, found[key].astype(str).values.tolist())) == sorted(
        tuple(str(f[k]) for k in key) for f in serial
    )
    assert list(found["suggestions"].iloc[0]) and found["line"].min() >= 1  # rows of the Parquet file


SCRIPT = """\
0:00 client: Заказ до сих пор не пришёл, безобразие!
0:50 operator(Игорь): Номер заказа
1:10 client: 48213
1:25 operator(Игорь): Я не знаю, это не ко мне.
"""


def test_a_frame_of_messages_keeps_its_columns_and_gets_a_summary(client):
    conv = parse_script(SCRIPT, "chat-1")
    rows = [
        {"chat": "chat-1", "who": e.role, "body": e.text, "at": e.timestamp, "agent": e.author_name, "channel": "web"}
        for e in conv.events
    ]
    rows.append({"chat": "chat-2", "who": "client", "body": "Спасибо", "at": conv.events[0].timestamp, "agent": None})
    frame = dd.from_pandas(pd.DataFrame(rows[::-1]), npartitions=2)  # out of order, across partitions
    columns = {"conversation_id": "chat", "role": "who", "text": "body", "timestamp": "at", "author": "agent"}
    checked = check_frame(frame, columns=columns, client=client)
    found, summary, problems = checked.compute()
    assert problems.empty
    linter = Linter()
    expected = check_conversation(conv, linter)
    assert sorted(found["rule"]) == sorted(d.rule for _, d in expected)
    assert set(found["channel"]) == {"web"}  # the input's other columns come along
    one = summary.set_index("conversation_id").loc["chat-1"]
    assert one["first_response_s"] == 50.0 and one["replies"] == 2 and one["messages"] == 4
    assert one["qa_score"] == score_conversation(conv, expected, linter).score
    assert one["taboo/dont-know"] == 1 and one["dialogue/first-response"] == 1
    other = summary.set_index("conversation_id").loc["chat-2"]
    assert pd.isna(other["qa_score"]) and other["findings"] == 0
    assert found.dtypes.equals(checked.diagnostics._meta.dtypes)
    assert summary.dtypes.equals(checked.summary._meta.dtypes)


def test_the_linter_is_never_pickled(client, monkeypatch):
    def refuse(self, protocol):
        raise AssertionError("a Linter was pickled")

    frame = dd.from_pandas(pd.DataFrame({"conversation_id": ["a"], "role": ["operator"], "text": ["Я не знаю"]}), 1)
    monkeypatch.setattr(Linter, "__reduce_ex__", refuse)
    found = check_frame(frame, client=client).diagnostics.compute()
    assert "taboo/dont-know" in set(found["rule"])


def test_extra_rule_files_reach_the_workers_as_bytes(client, tmp_path):
    rules = tmp_path / "house.yaml"
    rules.write_text(
        "- id: house/no-sorry\n  kind: pattern\n  severity: error\n  message: «{match}» — так не извиняемся.\n"
        "  source: house\n  patterns: ['«сорри»']\n  examples:\n    bad: ['Сорри, ошибка']\n    good: ['Извините']\n",
        encoding="utf-8",
    )
    spec = LinterSpec.from_kwargs({"rules": [str(tmp_path)], "select": ["house"]})
    assert spec.rule_files == (("000/house.yaml", rules.read_bytes()),)
    rules.unlink()  # neither this process nor the workers read the file again: they get its bytes
    frame = dd.from_pandas(pd.DataFrame({"conversation_id": ["a"], "role": ["operator"], "text": ["Сорри!"]}), 1)
    found = check_frame(frame, spec, client=client).diagnostics.compute()
    assert list(found["rule"]) == ["house/no-sorry"]


def test_a_frame_already_partitioned_by_conversation_is_not_shuffled(client, export):
    frame = pd.read_json(export / "a.jsonl", lines=True, dtype=False)
    frame["line"] = range(1, len(frame) + 1)
    by_conversation = dd.from_pandas(frame.set_index("conversation_id"), npartitions=4, sort=True).reset_index()
    declared = check_frame(by_conversation, partitioned=True, client=client)
    assert "shuffle" not in str(declared.diagnostics.dask.keys())
    shuffled = check_frame(dd.from_pandas(frame, npartitions=4), client=client)
    assert "shuffle" in str(shuffled.diagnostics.dask.keys())
    key = ["conversation_id", "message_id", "rule", "start", "end"]
    one, two = declared.diagnostics.compute(), shuffled.diagnostics.compute()
    assert len(one) > CONVERSATIONS
    assert sorted(map(tuple, one[key].astype(str).values.tolist())) == sorted(
        map(tuple, two[key].astype(str).values.tolist())
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--output", "findings.parquet"], "--output needs --dask"),
        (["--dask", "local", "--output", "findings.csv"], "give a Parquet folder name ending in .parquet"),
        (["--dask", "local", "--output", "old.parquet"], "exists: remove it or give a new name"),
        (["--dask", "local", "--text", "Ок"], "--dask checks transcript files and folders"),
        (["--dask", "local", "--statistics", "--output", "s.parquet"], "--output writes findings"),
    ],
)
def test_dask_usage_errors_start_no_cluster(tmp_path, monkeypatch, extra, message):
    write_jsonl(tmp_path / "a.jsonl", 16, per_conversation=8)
    (tmp_path / "old.parquet").mkdir()
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", "a.jsonl", *extra])
    assert result.exit_code == 2
    assert message in result.stderr


def _no_columns(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("column", "end_column")}


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_statistics_equal_a_serial_run(client, export, monkeypatch, fmt):
    monkeypatch.chdir(export)
    serial = CliRunner().invoke(main, ["check", str(export), "--statistics", "--format", fmt])
    address = client.scheduler.address
    on_dask = CliRunner().invoke(main, ["check", str(export), "--statistics", "--format", fmt, "--dask", address])
    assert serial.exit_code == on_dask.exit_code == 1, on_dask.output
    assert "findings in" in serial.stdout or '"by_rule"' in serial.stdout
    assert on_dask.stdout == serial.stdout


def test_the_configuration_nearest_each_file_applies_as_in_a_serial_run(client, tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
        write_jsonl(tmp_path / name / f"{name}.jsonl", 80, per_conversation=8, seed=5)
    (tmp_path / ".chatlint.yaml").write_text(
        'exclude: ["c/*"]\nper-file-ignores: {"a/*.jsonl": [dialogue/empathy]}\n', encoding="utf-8"
    )
    (tmp_path / "b" / ".chatlint.yaml").write_text(
        "ignore: [style/caps]\nseverity: {dialogue/greeting: info}\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    serial = CliRunner().invoke(main, ["check", ".", "--format", "jsonl"])
    on_dask = CliRunner().invoke(main, ["check", ".", "--format", "jsonl", "--dask", client.scheduler.address])
    assert serial.exit_code == on_dask.exit_code == 1, on_dask.output
    assert sorted(on_dask.stdout.splitlines()) == sorted(serial.stdout.splitlines())
    found = [json.loads(line) for line in on_dask.stdout.splitlines()]
    rules = {(os.path.basename(os.path.dirname(f["path"])), f["rule"], f["severity"]) for f in found}
    assert any(p == "a" and r == "style/caps" for p, r, _ in rules)
    assert not any(p == "b" and r == "style/caps" for p, r, _ in rules)  # b's own configuration
    assert ("b", "dialogue/greeting", "info") in rules and ("a", "dialogue/greeting", "info") not in rules
    assert not any(p == "a" and r == "dialogue/empathy" for p, r, _ in rules)  # per-file-ignores
    assert any(p == "b" and r == "dialogue/empathy" for p, r, _ in rules)
    assert not any(p == "c" for p, _, _ in rules)  # excluded


def test_the_local_cluster_of_check_dask_runs_arrow_on_the_system_allocator() -> None:
    """Arrow's own pool keeps freed pages per worker; --dask local asks for the system allocator."""
    from chatlint.dask_files import connect

    local = connect("local", 1)
    try:
        backends = set(local.run(lambda: __import__("pyarrow").default_memory_pool().backend_name).values())
    finally:
        cluster = local.cluster
        local.close()
        cluster.close()
    assert backends == {"system"}
