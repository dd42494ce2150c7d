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

import pytest
from click.testing import CliRunner

from chatlint.cli import main
from chatlint.report import highlight

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
    "--virtual-time-budget=5000",
]
PROBE = """<!DOCTYPE html><html><body><pre id="out">pending</pre>
<iframe id="f" src="report.html" width="1200" height="900"></iframe>
<script>
document.getElementById('f').addEventListener('load', () => {
  const d = document.getElementById('f').contentDocument;
  const w = document.getElementById('f').contentWindow;
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const bars = [...d.querySelectorAll('rect.frt-bar')];
  const out = {
    title: d.title,
    frtBars: bars.length,
    frtBarsDrawn: bars.filter(b => Number(b.dataset.count) > 0 && b.getBBox().height > 0).length,
    frtCounts: bars.map(b => Number(b.dataset.count)),
    marks: [...d.querySelectorAll('mark')].filter(visible).map(m => m.textContent),
    operatorRows: d.querySelectorAll('#operators tr').length - 1,
    ruleRows: [...d.querySelectorAll('#rules tr td:first-child')].map(td => td.textContent),
    suggestions: [...d.querySelectorAll('.sugg')].filter(visible).length,
    conversations: d.querySelectorAll('section.conv').length,
    resources: w.performance.getEntriesByType('resource').length,
    scripts: d.scripts.length,
    width: d.documentElement.scrollWidth,
  };
  document.getElementById('out').textContent = JSON.stringify(out);
});
</script></body></html>"""


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


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    browser = _chromium()
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(
        main, ["report", str(FIX), "-o", str(folder / "report.html"), "--tz", "Europe/Moscow",
               "--operator", "Банк Поддержка"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output  # the fixtures hold bad records on purpose
    assert "wrote" in result.stdout
    (folder / "probe.html").write_text(PROBE, encoding="utf-8")
    done = subprocess.run(
        [browser, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--dump-dom", (folder / "probe.html").as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    match = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert match and match.group(1) != "pending", done.stderr[-2000:]
    from html import unescape

    return {"probe": json.loads(unescape(match.group(1))), "html": (folder / "report.html").read_text("utf-8")}


def test_report_is_self_contained(rendered) -> None:
    probe, html = rendered["probe"], rendered["html"]
    assert probe["resources"] == 0 and probe["scripts"] == 0
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)


def test_operator_scores_and_rules(rendered) -> None:
    probe = rendered["probe"]
    assert probe["title"] == "chatlint: отчёт по чатам"
    assert probe["operatorRows"] >= 3
    assert "taboo/dont-know" in probe["ruleRows"] and "dialogue/first-response" in probe["ruleRows"]


def test_first_response_chart_is_drawn(rendered) -> None:
    probe = rendered["probe"]
    assert probe["frtBars"] == 7
    assert sum(probe["frtCounts"]) >= 8  # one first-response time per conversation with a reply
    assert probe["frtBarsDrawn"] == sum(1 for c in probe["frtCounts"] if c)


def test_worst_conversations_highlight_and_suggest(rendered) -> None:
    probe = rendered["probe"]
    assert probe["conversations"] >= 3
    assert "Я не знаю" in probe["marks"] and "!!!" in probe["marks"]
    assert probe["suggestions"] >= 3
    assert probe["width"] <= 1200  # no horizontal overflow at 1200 px


def test_highlight_merges_overlaps_and_escapes() -> None:
    assert highlight("a<b>c", [(1, 4, "x")]) == 'a<mark title="x">&lt;b&gt;</mark>c'
    assert highlight("abcd", [(0, 3, "x"), (2, 4, "y")]) == (
        '<mark title="x">ab</mark><mark title="x · y">c</mark><mark title="y">d</mark>'
    )
