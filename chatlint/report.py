"""The HTML report for a QA lead: one self-contained page that works offline (inline CSS, SVG,
the run's data as embedded JSON and a small script, no external assets, no server).

The overview (operators, QA per week, rules, first-response times) is written as HTML; the
conversation list with its filters (operator, rule, severity, dates, text) and each
conversation are drawn by chatlint/report.js from the JSON, chosen by the address's
``#fragment`` (``#chats?op=…``, ``#chat/12``), so every link works from a saved file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html import escape
from importlib import resources

from chatlint.qa import CATEGORIES
from chatlint.report_data import ReportData

FRT_BUCKETS = [(0, 15), (15, 30), (30, 60), (60, 120), (120, 300), (300, 600), (600, None)]
WORDS = ("диалог", "замечание", "ответ", "ошибка", "предупреждение", "совет", "чат")  # numerals in the page
CATEGORY_NAMES = {
    "greeting": "приветствие",
    "understanding": "понимание вопроса",
    "empathy": "эмпатия",
    "spelling_tone": "грамотность и тон",
    "solution": "решение",
    "closing": "завершение",
}
PLACEHOLDER = re.compile(r"\{\w+(?::[^{}]*)?\}")

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7fb}
main{max-width:1100px;margin:0 auto;padding:24px}
nav{background:#1d2433;padding:10px 24px}nav a{color:#fff;margin-right:18px;text-decoration:none;font-weight:600}
nav .tz{color:#aab;float:right}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px}
.totals{color:#556}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden}
th,td{padding:6px 10px;border-bottom:1px solid #e6e8ef;text-align:left;vertical-align:top}
th{background:#eef0f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:10px;border-radius:5px;background:#4f7cff;vertical-align:middle}
.bar.bad{background:#e5484d}.bar.mid{background:#f5a524}.bar.good{background:#30a46c}
.chart{background:#fff;border-radius:8px;padding:12px}
form#filters{display:flex;flex-wrap:wrap;gap:8px;background:#fff;padding:12px;border-radius:8px;margin-bottom:10px}
form#filters label{font-size:13px;color:#556;display:flex;flex-direction:column}
form#filters input,form#filters select{font:inherit;padding:3px 6px;max-width:220px}
.conv{background:#fff;border-radius:8px;padding:12px 16px;margin:14px 0}
.conv h3{font-size:16px;margin:0 0 8px}
.ev{margin:6px 0;padding:6px 10px;border-radius:6px;white-space:pre-wrap}
.ev.client{background:#f0f2f7}.ev.operator{background:#eaf1ff}.ev.bot,.ev.system{background:#f7f7f7;color:#667}
.ev .who{font-size:12px;color:#667;display:block;white-space:normal}
.exchange-note{white-space:normal;margin-top:6px;padding:6px 10px;border-left:4px solid #8e4ec6;
background:#f5effb;font-size:13px}
.exchange-note ul{margin:2px 0 0;padding-left:18px}
mark{background:#ffe08a;border-bottom:2px solid #e5484d;padding:0 1px}
ul.fnd{margin:4px 0 0 0;padding-left:18px;font-size:13px;white-space:normal}
.sev-error{color:#c62828}.sev-warning{color:#b26a00}.sev-info{color:#3557b7}
#chat-table td:nth-child(2),#operators td:nth-child(2){white-space:nowrap}
#chat-table td:nth-child(3){word-break:break-all}
.sugg{color:#1f7a4d}.qa{margin:4px 0 8px;color:#334}a.help{font-size:12px}
"""


FORMS: dict[str, list[str]] = {}  # word -> its forms after 1, 2 and 5, set by ``render_report``


def counted(n: int, word: str) -> str:
    """«3 диалога»: the number and the word in the form pymorphy3 gave for it (``numeral_forms``)."""
    one, few, many = FORMS[word]
    tens, units = n % 100, n % 10
    return f"{n} {one if units == 1 and tens != 11 else few if 2 <= units <= 4 and not 12 <= tens <= 14 else many}"


def numeral_forms(agree: Callable[[int, str], str]) -> dict[str, list[str]]:
    """The forms of the page's nouns after 1, 2 and 5 from ``agree`` (chatlint.morph.agree_with_number)."""
    return {w: [agree(n, w) for n in (1, 2, 5)] for w in WORDS}


def _bar(value: float, maximum: float, cls: str = "") -> str:
    width = 0 if maximum <= 0 else max(2, round(160 * value / maximum))
    return f'<span class="bar {cls}" style="width:{width}px"></span>'


def seconds_text(value: float | None) -> str:
    """«45 с», «2 мин 5 с», «—» for None."""
    if value is None:
        return "—"
    value = round(value)
    return f"{value} с" if value < 60 else f"{value // 60} мин {value % 60} с"


def _chats(key: str, value: str, text: str) -> str:
    from urllib.parse import urlencode

    return f"<a href='#chats?{escape(urlencode({key: value}))}'>{text}</a>"


def _operators(data: ReportData) -> str:
    rows = data.operator_rows()
    if not rows:
        return "<p>Нет ответов операторов.</p>"
    out = [
        "<table id='operators'><tr><th>Оператор</th><th>Оценка</th><th class='num'>Диалогов</th>"
        "<th class='num'>Ответов</th><th class='num'>С замечаниями</th><th class='num'>Нарушений</th>"
        "<th class='num'>Первый ответ, медиана</th><th class='num'>Время ответа, медиана</th>"
        "<th class='num'>QA, среднее</th></tr>"
    ]
    for row in rows:
        score = row["score"]
        cls = "good" if score >= 80 else "mid" if score >= 50 else "bad"
        qa = "—" if row["qa"] is None else f"{row['qa']:.0f}"
        out.append(
            f"<tr><td>{_chats('op', row['name'], escape(row['name']))}</td>"
            f"<td>{_bar(score, 100, cls)} {score:.0f}%</td>"
            f"<td class='num'>{row['conversations']}</td><td class='num'>{row['replies']}</td>"
            f"<td class='num'>{row['flagged']}</td><td class='num'>{row['findings']}</td>"
            f"<td class='num frt'>{seconds_text(row['frt'])}</td><td class='num rt'>{seconds_text(row['rt'])}</td>"
            f"<td class='num qa-mean'>{qa}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _weeks(data: ReportData) -> str:
    rows = data.week_rows()
    if not rows:
        return "<p>Нет оценок QA с датой.</p>"
    weeks = sorted({r["week"] for r in rows})
    names = sorted({r["operator"] for r in rows if r["operator"]})
    cell = {(r["week"], r["operator"]): r for r in rows}
    out = ["<table id='qa-weeks'><tr><th>Оператор</th>", *(f"<th class='num'>{w}</th>" for w in weeks), "</tr>"]
    for name in ["", *names]:
        label = "<b>Все операторы</b>" if not name else _chats("op", name, escape(name))
        out.append(f"<tr><td>{label}</td>")
        for week in weeks:
            r = cell.get((week, name))
            out.append(f"<td class='num' title='{r['n']} диал.'>{r['qa']:.0f}</td>" if r else "<td class='num'>—</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def _rules(data: ReportData, rules: dict) -> str:
    by_rule = data.summary.by_rule
    if not by_rule:
        return "<p>Нарушений нет.</p>"
    top = max(by_rule.values())
    out = ["<table id='rules'><tr><th>Правило</th><th class='num'>Нарушений</th><th></th><th>Что не так</th></tr>"]
    for rule_id, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        about = escape(PLACEHOLDER.sub("…", rule.message) if rule else "")
        out.append(
            f"<tr><td>{_chats('rule', rule_id, f'<code>{escape(rule_id)}</code>')}</td><td class='num'>{n}</td>"
            f"<td>{_bar(n, top)}</td><td>{about}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def frt_histogram(values) -> list[tuple[str, int]]:
    """(label, count) per first-response-time bucket."""
    counts = []
    for lo, hi in FRT_BUCKETS:
        label = f"{lo}–{hi} с" if hi is not None else f"≥ {lo} с"
        counts.append((label, sum(1 for v in values if v >= lo and (hi is None or v < hi))))
    return counts


def _frt_chart(values) -> str:
    if not values:
        return "<p>Нет данных о времени первого ответа.</p>"
    buckets = frt_histogram(values)
    top = max(c for _, c in buckets) or 1
    width, height, pad = 700, 180, 30
    step = (width - 2 * pad) / len(buckets)
    parts = [
        f'<svg id="frt-chart" role="img" aria-label="Распределение времени первого ответа" '
        f'viewBox="0 0 {width} {height + 40}" width="100%" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, count) in enumerate(buckets):
        h = (height - pad) * count / top
        x, y = pad + i * step + 6, height - (height - pad) * count / top
        color = "#30a46c" if i < 2 else "#f5a524" if i < 4 else "#e5484d"
        parts.append(
            f'<rect class="frt-bar" data-count="{count}" x="{x:.1f}" y="{y:.1f}" width="{step - 12:.1f}" '
            f'height="{h:.1f}" fill="{color}"><title>{escape(label)}: {count}</title></rect>'
            f'<text x="{x + (step - 12) / 2:.1f}" y="{y - 4:.1f}" font-size="12" text-anchor="middle">{count}</text>'
            f'<text x="{x + (step - 12) / 2:.1f}" y="{height + 18}" font-size="12" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(f'<line x1="{pad}" y1="{height}" x2="{width - pad}" y2="{height}" stroke="#889"/></svg>')
    ordered = sorted(values)
    within = sum(1 for v in values if v <= 30)
    parts.append(
        f"<p>Медиана: {seconds_text(ordered[len(ordered) // 2])}; ответ за 30 с и быстрее: "
        f"{counted(within, 'чат')} из {len(values)} ({100 * within / len(values):.0f}%).</p>"
    )
    return "<div class='chart'>" + "".join(parts) + "</div>"


def _filters(data: ReportData, rules: dict) -> str:
    """The conversation list's filter form; report.js fills the list."""
    names = sorted(data.operators)
    ops = "".join(f"<option value='{escape(n)}'>{escape(n)}</option>" for n in names)
    ids = "".join(f"<option value='{escape(r)}'>{escape(r)}</option>" for r in sorted(data.summary.by_rule))
    return (
        "<form id='filters'>"
        f"<label>Оператор<select id='f-op'><option value=''>все</option>{ops}</select></label>"
        f"<label>Правило<select id='f-rule'><option value=''>все</option>{ids}</select></label>"
        "<label>Важность<select id='f-sev'><option value=''>любая</option><option value='error'>ошибки</option>"
        "<option value='warning'>предупреждения</option><option value='info'>советы</option>"
        "<option value='clean'>без замечаний</option></select></label>"
        "<label>С даты<input type='date' id='f-from'></label><label>По дату<input type='date' id='f-to'></label>"
        "<label>Поиск по тексту<input type='search' id='f-q' placeholder='слово, номер диалога…'></label>"
        "<label>Порядок<select id='f-sort'><option value=''>как во входных файлах</option>"
        "<option value='worst'>больше замечаний</option><option value='qa'>ниже оценка QA</option></select></label>"
        "<label>&nbsp;<button type='submit'>Найти</button></label></form>"
        "<p id='chat-count' class='totals'></p>"
        "<table id='chat-table'><thead><tr><th>Диалог</th><th>Начало</th><th>Файл</th><th>Операторы</th>"
        "<th class='num'>Ошибок</th><th class='num'>Предупр.</th><th class='num'>Советов</th>"
        "<th class='num'>QA</th></tr></thead><tbody id='chat-rows'></tbody></table>"
        "<p><button id='chat-more' type='button' hidden>Показать ещё</button></p>"
    )


def _overview(data: ReportData, rules: dict, title: str) -> str:
    summary = data.summary
    sev = summary.by_severity
    return "".join(
        [
            f"<h1>{escape(title)}</h1>",
            f"<p class='totals'>{counted(summary.conversations, 'диалог')}; "
            f"{counted(summary.replies, 'ответ')} операторов; "
            f"{counted(summary.findings, 'замечание')} ({counted(sev['error'], 'ошибка')}, "
            f"{counted(sev['warning'], 'предупреждение')}, {counted(sev['info'], 'совет')}). "
            f"Время — {escape(data.zone_name)}. <a href='#chats'>Все диалоги →</a></p>",
            "<h2>Операторы</h2><p class='totals'>Оценка — доля ответов без ошибок и предупреждений. "
            "Первый ответ — от первого сообщения клиента; время ответа — от первого неотвеченного "
            "сообщения клиента до ответа оператора. QA — средняя оценка диалогов с ответами оператора (0–100).</p>",
            _operators(data),
            "<h2>Оценка QA по неделям</h2>",
            _weeks(data),
            "<h2>Нарушения по правилам</h2>",
            _rules(data, rules),
            "<h2>Время первого ответа</h2>",
            _frt_chart(data.summary.frt),
        ]
    )


def page_data(data: ReportData, rules: dict) -> dict:
    """What report.js reads: the conversations, the shown ones' messages, rules, numerals."""
    return {
        "tz": data.zone_name,
        "strings": list(data.strings),
        "records": data.records,
        "events": {str(i): data.events_of(i) for i in range(len(data.records)) if data.events_of(i) is not None},
        "rules": {
            r: [PLACEHOLDER.sub("…", rule.message), rule.severity, help_uri(rule)]
            for r in data.summary.by_rule
            if (rule := rules.get(r)) is not None
        },
        "words": FORMS,
        "categories": {c: CATEGORY_NAMES.get(c, c) for c in (*CATEGORIES, *data.qa_config.weights)},
    }


def help_uri(rule) -> str:
    """A stable link to a rule's documentation: its ``source`` when it is a web address, else
    its entry in docs/rules.md of the project's repository."""
    from chatlint.writers import rule_help_uri

    return rule_help_uri(rule)


def _embedded(value) -> str:
    """JSON safe inside a <script> element: no ``<``, ``>``, ``&`` or line separators as such."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, code in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, code)
    return text


def render_report(
    data: ReportData, rules: dict, forms: dict[str, list[str]], title: str = "chatlint: отчёт по чатам"
) -> str:
    """The whole page as a string; ``forms`` from ``numeral_forms``."""
    FORMS.clear()
    FORMS.update(forms)
    script = resources.files("chatlint").joinpath("report.js").read_text("utf-8")
    body = [
        "<nav><a href='#'>Обзор</a><a href='#chats'>Диалоги</a>"
        f"<span class='tz'>время: {escape(data.zone_name)}</span></nav>",
        f"<main><section id='view-overview'>{_overview(data, rules, title)}</section>",
        f"<section id='view-chats' hidden><h1>Диалоги</h1>{_filters(data, rules)}</section>",
        "<section id='view-chat' hidden><div id='chat-view'></div></section></main>",
        f"<script type='application/json' id='data'>{_embedded(page_data(data, rules))}</script>",
        f"<script>{script}</script>",
    ]
    return (
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
