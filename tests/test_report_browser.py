"""``chatlint report`` renders in a real headless Chromium (Debian's package).

The report is loaded into an iframe of a probe page; the probe measures what the browser laid
out (bars with height, visible <mark> highlights, table rows, loaded resources) and writes it
into its own DOM, which ``chromium --dump-dom`` prints. The tests install chromium with apt-get
when it is missing and they run as root; otherwise they skip and say why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from transcript_gen import write_jsonl

from chatlint.cli import main
from chatlint.transcripts import ReadOptions, detect, read

FIX = Path(__file__).parent / "fixtures" / "transcripts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--allow-file-access-from-files",
    "--virtual-time-budget=20000",
]
PROBE = """<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="report.html" width="1200" height="900"></iframe>
<script>
const pause = () => new Promise(r => setTimeout(r, 0));
function go(w, hash) {  // resolves once the report has drawn the view (its own hashchange listener ran)
  return new Promise(done => {
    if (w.location.hash.slice(1) === hash) return done();
    w.addEventListener('hashchange', () => setTimeout(done, 0), {once: true});
    w.location.hash = hash;
  });
}
document.getElementById('f').addEventListener('load', async () => {
  const d = document.getElementById('f').contentDocument;
  const w = document.getElementById('f').contentWindow;
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const rows = () => [...d.querySelectorAll('#chat-rows tr')].filter(visible).map(tr => Number(tr.dataset.index));
  const bars = [...d.querySelectorAll('rect.frt-bar')];
  const out = {
    title: d.title,
    frtBars: bars.length,
    frtBarsDrawn: bars.filter(b => Number(b.dataset.count) > 0 && b.getBBox().height > 0).length,
    frtCounts: bars.map(b => Number(b.dataset.count)),
    operatorRows: [...d.querySelectorAll('#operators tr td:first-child')].filter(visible).map(td => td.textContent),
    operatorLinks: [...d.querySelectorAll('#operators tr td:first-child a')].map(a => a.getAttribute('href')),
    ruleRows: [...d.querySelectorAll('#rules tr td:first-child')].filter(visible).map(td => td.textContent),
    ruleLinks: [...d.querySelectorAll('#rules tr td:first-child a')].map(a => a.getAttribute('href')),
    weekCells: d.querySelectorAll('#qa-weeks td.num').length,
    resources: w.performance.getEntriesByType('resource').length,
    externalScripts: [...d.scripts].filter(s => s.src).length,
    width: d.documentElement.scrollWidth,
  };
  await go(w, 'chats');  // every conversation, page after page
  let seen = rows();
  const more = d.getElementById('chat-more');
  for (let i = 0; i < 100 && !more.hidden; i++) { more.click(); await pause(); seen = rows(); }
  out.listed = seen;
  out.listWidth = d.documentElement.scrollWidth;
  out.countLine = d.getElementById('chat-count').textContent;
  out.byOperator = {};
  for (const href of out.operatorLinks) { await go(w, href.slice(1)); out.byOperator[href] = rows(); }
  out.byRule = {};
  for (const href of out.ruleLinks) { await go(w, href.slice(1)); out.byRule[href] = rows(); }
  out.filters = {};
  for (const q of FILTERS) { await go(w, 'chats?' + q); out.filters[q] = rows(); }
  out.chats = {};
  for (const i of seen) {
    await go(w, 'chat/' + i);
    const conv = d.querySelector('#chat-view section.conv');
    out.chats[i] = conv && visible(conv) ? {
      id: conv.dataset.conversation,
      marks: [...conv.querySelectorAll('mark')].filter(visible).map(m => m.textContent),
      notes: [...conv.querySelectorAll('.exchange-note code')].filter(visible).map(c => c.textContent),
      who: [...conv.querySelectorAll('.who')].map(s => s.textContent),
      suggestions: [...conv.querySelectorAll('.sugg')].filter(visible).length,
      qa: (conv.querySelector('.qa') || {}).textContent || '',
      heading: conv.querySelector('h3').textContent,
      messages: conv.querySelectorAll('.ev').length,
      findings: conv.querySelectorAll('ul.fnd li, .exchange-note li').length,
      width: d.documentElement.scrollWidth,
    } : null;
  }
  document.getElementById('out').textContent = JSON.stringify(out);
});
</script></body></html>"""
FILTERS = [
    urlencode({"sev": "error"}),
    urlencode({"sev": "clean"}),
    urlencode({"q": "лимит снят"}),
    urlencode({"from": "2024-05-21"}),
    urlencode({"op": "Светлана Ким", "rule": "dialogue/ask-name"}),
    urlencode({"sort": "qa"}),
]
VIEWS = {"overview": "", "chats": "#chats", "operator": "#chats?" + urlencode({"op": "Светлана Ким"}), "chat": None}
SHOTS = Path(__file__).parent.parent / "docs" / "img"


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and the tests do not run as root with apt-get to install it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update"], capture_output=True, env=env)
        done = subprocess.run(["apt-get", "install", "-y", "chromium"], capture_output=True, text=True, env=env)
    if done.returncode != 0 or not shutil.which("chromium"):
        pytest.skip(f"could not install chromium with apt-get: {done.stderr.strip()[-300:]}")
    return shutil.which("chromium")


def _browse(browser: str, folder: Path) -> dict:
    """Load report.html in the probe page and return what the probe measured."""
    (folder / "probe.html").write_text(PROBE.replace("FILTERS", json.dumps(FILTERS)), encoding="utf-8")
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--dump-dom", (folder / "probe.html").as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    match = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert match and match.group(1) != "pending", done.stderr[-2000:]
    from html import unescape

    return json.loads(unescape(match.group(1)))


def _screenshot(browser: str, folder: Path, url: str, name: str) -> Path:
    shot = folder / f"report-{name}.png"
    subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={folder / ('profile-' + name)}", "--hide-scrollbars", "--window-size=1200,1300",
         f"--screenshot={shot}", url],
        capture_output=True, timeout=120,
    )  # fmt: skip
    return shot


def _expected_ids(folder: Path) -> set[tuple[str, str]]:
    """(file, conversation id) of every conversation the readers find in the fixtures."""
    opts = ReadOptions(tz=ZoneInfo("Europe/Moscow"), operators=frozenset({"Банк Поддержка"}))
    found = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        fmt = detect(path, opts)
        if fmt:
            found |= {(os.path.relpath(path), str(c.conversation_id)) for c in read(path, fmt, opts)}
    return found


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    browser = _chromium()
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        main, ["report", os.path.relpath(FIX), "-o", str(folder / "report.html"), "--tz", "Europe/Moscow",
               "--operator", "Банк Поддержка", "--scorecard"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output  # the fixtures hold bad records on purpose
    assert "wrote" in result.stdout
    probe = _browse(browser, folder)
    html = (folder / "report.html").read_text("utf-8")
    data = json.loads(re.search(r"<script type='application/json' id='data'>(.*?)</script>", html, re.S).group(1))
    return {"probe": probe, "html": html, "data": data, "folder": folder, "browser": browser}


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> dict:
    """150 generated conversations, 20 of them shown with their messages."""
    browser = _chromium()
    folder = tmp_path_factory.mktemp("many")
    write_jsonl(folder / "chats.jsonl", 1500)
    result = CliRunner().invoke(main, ["report", str(folder / "chats.jsonl"), "-o", str(folder / "report.html"),
                                       "--tz", "UTC", "--worst", "20"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return _browse(browser, folder)


def test_many_conversations_page_by_page_and_summarised(many) -> None:
    assert sorted(many["listed"]) == list(range(150))  # past the first page of 100
    chats = many["chats"]
    assert len(chats) == 150 and all(chats.values())
    assert sum(1 for c in chats.values() if c["messages"]) == 20
    summarised = [c for c in chats.values() if not c["messages"]]
    assert all(c["findings"] == int(c["heading"].split("— ")[1].split()[0]) for c in summarised)


def test_report_is_self_contained(rendered) -> None:
    probe, html = rendered["probe"], rendered["html"]
    assert probe["resources"] == 0 and probe["externalScripts"] == 0
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)


def test_operator_scores_and_rules(rendered) -> None:
    probe = rendered["probe"]
    assert probe["title"] == "chatlint: отчёт по чатам"
    assert {"Светлана Ким", "Павел Дроздов", "Банк Поддержка"} <= set(probe["operatorRows"])
    assert "taboo/dont-know" in probe["ruleRows"] and "dialogue/first-response" in probe["ruleRows"]
    assert probe["weekCells"] >= 4  # QA per week: all operators and each operator


def test_first_response_chart_is_drawn(rendered) -> None:
    probe = rendered["probe"]
    assert probe["frtBars"] == 7
    assert sum(probe["frtCounts"]) >= 8  # one first-response time per conversation with a reply
    assert probe["frtBarsDrawn"] == sum(1 for c in probe["frtCounts"] if c)


def test_every_conversation_of_the_input_can_be_reached(rendered) -> None:
    probe, data = rendered["probe"], rendered["data"]
    reached = {(data["records"][int(i)]["path"], c["id"]) for i, c in probe["chats"].items() if c}
    assert reached == _expected_ids(FIX)
    assert sorted(probe["listed"]) == list(range(len(data["records"])))
    assert probe["listWidth"] <= 1200 and probe["width"] <= 1200  # no horizontal overflow at 1200 px


def test_operator_and_rule_links_lead_to_their_chats(rendered) -> None:
    probe, data = rendered["probe"], rendered["data"]
    for href, listed in probe["byOperator"].items():
        name = dict(pair.split("=") for pair in [href.split("?")[1]])["op"]
        from urllib.parse import unquote_plus

        name = unquote_plus(name)
        assert listed and listed == [r["i"] for r in data["records"] if name in r["ops"]], href
    for href, listed in probe["byRule"].items():
        rule = href.split("rule=")[1].replace("%2F", "/")
        assert listed == [r["i"] for r in data["records"] if any(f[0] == rule for f in r["f"])], href


def test_filters_and_text_search(rendered) -> None:
    probe, records = rendered["probe"], rendered["data"]["records"]
    by = dict(zip(FILTERS, probe["filters"].values()))
    assert by[FILTERS[0]] == [r["i"] for r in records if any(f[1] == "error" for f in r["f"])] != []
    assert by[FILTERS[1]] == [r["i"] for r in records if not r["f"]] != []
    assert [records[i]["path"].rsplit("/", 1)[1] for i in by[FILTERS[2]]] == ["bitrix24.json"]  # «лимит снят»
    assert by[FILTERS[3]] == [r["i"] for r in records if r["start"][:10] >= "2024-05-21"] != []
    assert len(by[FILTERS[3]]) < len(records)
    both = by[FILTERS[4]]
    assert both and all("Светлана Ким" in records[i]["ops"] for i in both)
    scores = [records[i]["qa"] for i in by[FILTERS[5]]]
    assert len(scores) == len(records) and [s for s in scores if s is not None] == sorted(
        s for s in scores if s is not None
    )


def test_times_are_in_the_report_zone_and_dated(rendered) -> None:
    chats = rendered["probe"]["chats"]
    records = rendered["data"]["records"]
    chatwoot = next(c for i, c in chats.items() if records[int(i)]["path"].endswith("chatwoot.json"))
    telegram = next(c for i, c in chats.items() if records[int(i)]["path"].endswith("telegram_result.json"))
    # 1716184800 is 06:00 UTC: 09:00 in Moscow (--tz Europe/Moscow)
    assert chatwoot["who"][0].startswith("2024-05-20 09:00:00")
    assert telegram["who"][0].startswith("2024-05-20 09:00:00")


def test_wording_is_marked_and_dialogue_findings_are_notes(rendered) -> None:
    chats = rendered["probe"]["chats"].values()
    marks = [m for c in chats for m in c["marks"]]
    notes = [n for c in chats for n in c["notes"]]
    assert "Я не знаю" in marks and "!!!" in marks
    assert "dialogue/first-response" in notes and all(n.startswith("dialogue/") for n in notes)
    assert sum(c["suggestions"] for c in chats) >= 3
    assert all(c["width"] <= 1200 for c in chats)  # no horizontal overflow at 1200 px
    assert all("раз(" not in c["heading"] for c in chats)
    assert any(c["heading"].endswith("3 замечания") for c in chats)


def test_screenshot_of_every_view(rendered) -> None:
    folder, browser = rendered["folder"], rendered["browser"]
    worst = max(rendered["data"]["records"], key=lambda r: len(r["f"]))
    page = (folder / "report.html").as_uri()
    drawn = set()
    for name, fragment in VIEWS.items():
        shot = _screenshot(browser, folder, page + (fragment if fragment is not None else f"#chat/{worst['i']}"), name)
        assert shot.stat().st_size > 10_000, name  # a drawn page, not a blank one
        drawn.add(shot.read_bytes())
        if os.environ.get("CHATLINT_UPDATE_SCREENSHOTS"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, SHOTS / shot.name)
    assert len(drawn) == len(VIEWS)  # each view looks different
