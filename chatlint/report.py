"""The HTML report for a QA lead: one self-contained page (inline CSS and SVG, no scripts, no
external assets) with operator scores, violations per rule, the first-response-time
distribution and the worst conversations with flagged words highlighted."""

from __future__ import annotations

import re
from collections import defaultdict
from html import escape

from chatlint.summary import Summary, UnitResult

FRT_BUCKETS = [(0, 15), (15, 30), (30, 60), (60, 120), (120, 300), (300, 600), (600, None)]

CSS = """
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2433;background:#f6f7fb}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 10px}
.totals{color:#556}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:8px;overflow:hidden}
th,td{padding:6px 10px;border-bottom:1px solid #e6e8ef;text-align:left;vertical-align:top}
th{background:#eef0f6;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{display:inline-block;height:10px;border-radius:5px;background:#4f7cff;vertical-align:middle}
.bar.bad{background:#e5484d}.bar.mid{background:#f5a524}.bar.good{background:#30a46c}
.chart{background:#fff;border-radius:8px;padding:12px}
.conv{background:#fff;border-radius:8px;padding:12px 16px;margin:14px 0}
.conv h3{font-size:16px;margin:0 0 8px}
.ev{margin:6px 0;padding:6px 10px;border-radius:6px;white-space:pre-wrap}
.ev.client{background:#f0f2f7}.ev.operator{background:#eaf1ff}.ev.bot,.ev.system{background:#f7f7f7;color:#667}
.ev .who{font-size:12px;color:#667;display:block;white-space:normal}
mark{background:#ffe08a;border-bottom:2px solid #e5484d;padding:0 1px}
ul.fnd{margin:4px 0 0 0;padding-left:18px;font-size:13px;white-space:normal}
.sev-error{color:#c62828}.sev-warning{color:#b26a00}.sev-info{color:#3557b7}
.sugg{color:#1f7a4d}
"""


def _bar(value: float, maximum: float, cls: str = "") -> str:
    width = 0 if maximum <= 0 else max(2, round(160 * value / maximum))
    return f'<span class="bar {cls}" style="width:{width}px"></span>'


def _operators(summary: Summary) -> str:
    rows = summary.operator_scores()
    if not rows:
        return "<p>Нет ответов операторов.</p>"
    out = [
        "<table id='operators'><tr><th>Оператор</th><th>Оценка</th><th class='num'>Ответов</th>"
        "<th class='num'>С замечаниями</th><th class='num'>Нарушений</th></tr>"
    ]
    for author, score, n, flagged, found in rows:
        cls = "good" if score >= 80 else "mid" if score >= 50 else "bad"
        out.append(
            f"<tr><td>{escape(author)}</td><td>{_bar(score, 100, cls)} {score:.0f}%</td>"
            f"<td class='num'>{n}</td><td class='num'>{flagged}</td><td class='num'>{found}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def _rules(summary: Summary, rules: dict) -> str:
    if not summary.by_rule:
        return "<p>Нарушений нет.</p>"
    top = max(summary.by_rule.values())
    out = ["<table id='rules'><tr><th>Правило</th><th class='num'>Нарушений</th><th></th><th>Что не так</th></tr>"]
    for rule_id, n in sorted(summary.by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        rule = rules.get(rule_id)
        about = escape(re.sub(r"\{\w+\}", "…", rule.message) if rule else "")
        out.append(
            f"<tr><td><code>{escape(rule_id)}</code></td><td class='num'>{n}</td>"
            f"<td>{_bar(n, top)}</td><td>{about}</td></tr>"
        )
    out.append("</table>")
    return "".join(out)


def frt_histogram(values: list[float]) -> list[tuple[str, int]]:
    """(label, count) per first-response-time bucket."""
    counts = []
    for lo, hi in FRT_BUCKETS:
        label = f"{lo}–{hi} с" if hi is not None else f"≥ {lo} с"
        counts.append((label, sum(1 for v in values if v >= lo and (hi is None or v < hi))))
    return counts


def _frt_chart(values: list[float]) -> str:
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
        x = pad + i * step + 6
        y = height - h
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
    median = ordered[len(ordered) // 2]
    within = sum(1 for v in values if v <= 30)
    parts.append(
        f"<p>Медиана: {median:.0f} с; ответ за 30 с и быстрее — в {within} из {len(values)} "
        f"чатов ({100 * within / len(values):.0f}%).</p>"
    )
    return "<div class='chart'>" + "".join(parts) + "</div>"


def highlight(text: str, spans: list[tuple[int, int, str]]) -> str:
    """``text`` as HTML with each (start, end, title) span wrapped in <mark>; overlaps merge."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a >= b:
            continue
        titles = [t for s, e, t in spans if s <= a and b <= e]
        piece = escape(text[a:b])
        out.append(f'<mark title="{escape(" · ".join(titles))}">{piece}</mark>' if titles else piece)
    return "".join(out)


def _conversation(unit: UnitResult) -> str:
    by_message: dict[str, list] = defaultdict(list)
    for reply, d in unit.findings:
        by_message[str(reply.meta.get("message_id"))].append(d)
    operators = sorted({e["author"] for e in unit.events or [] if e["role"] == "operator" and e["author"]})
    out = [
        f"<section class='conv' data-conversation='{escape(str(unit.conversation_id))}'>"
        f"<h3>Диалог {escape(str(unit.conversation_id))} — {len(unit.findings)} замечаний</h3>"
        f"<div class='totals'>{escape(unit.path)}; операторы: {escape(', '.join(operators) or '—')}</div>"
    ]
    for e in unit.events or []:
        found = by_message.get(str(e["message_id"]), [])
        spans = [(d.start, d.end, f"{d.rule}: {d.message}") for d in found if d.end > d.start]
        kind = {"note": "заметка", "transfer": "передача", "close": "закрыт"}.get(e["type"], "")
        who = f"{e['time'][11:19]} · {e['role']}" + (f" · {e['author']}" if e["author"] else "")
        who += f" · {kind}" if kind else ""
        out.append(
            f"<div class='ev {escape(e['role'])}' data-message='{escape(str(e['message_id']))}'>"
            f"<span class='who'>{escape(who)}</span>{highlight(e['text'], spans)}"
        )
        if found:
            out.append("<ul class='fnd'>")
            for d in found:
                sugg = f" <span class='sugg'>→ {escape(' | '.join(d.suggestions))}</span>" if d.suggestions else ""
                out.append(
                    f"<li><span class='sev-{escape(d.severity)}'>{escape(d.severity)}</span> "
                    f"<code>{escape(d.rule)}</code> {escape(d.message)}{sugg}</li>"
                )
            out.append("</ul>")
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def render_report(summary: Summary, rules: dict, title: str = "chatlint: отчёт по чатам") -> str:
    """The whole page as a string."""
    worst = summary.worst_conversations()
    body = [
        f"<main><h1>{escape(title)}</h1>",
        f"<p class='totals'>Диалогов: {summary.conversations}; ответов операторов: {summary.replies}; "
        f"замечаний: {summary.findings} (ошибок {summary.by_severity['error']}, "
        f"предупреждений {summary.by_severity['warning']}, советов {summary.by_severity['info']}).</p>",
        "<h2>Операторы</h2><p class='totals'>Оценка — доля ответов без ошибок и предупреждений.</p>",
        _operators(summary),
        "<h2>Нарушения по правилам</h2>",
        _rules(summary, rules),
        "<h2>Время первого ответа</h2>",
        _frt_chart(summary.frt),
        f"<h2>Худшие диалоги ({len(worst)})</h2>",
        "".join(_conversation(u) for u in worst) or "<p>Замечаний нет.</p>",
        "</main>",
    ]
    return (
        "<!DOCTYPE html><html lang='ru'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>" + "".join(body) + "</body></html>\n"
    )
