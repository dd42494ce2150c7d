// chatlint report: the conversation list (filters, search) and one conversation, from the JSON
// embedded in the page. No network, no server: views are chosen by the address's #fragment.
"use strict";
const DATA = JSON.parse(document.getElementById("data").textContent);
const RECS = DATA.records;
const PAGE = 100;
const FIELDS = ["op", "rule", "sev", "from", "to", "q", "sort"];
const weight = (r) => 3 * r.sev[0] + 2 * r.sev[1] + r.sev[2];
const ORDER = {  // the list's orders besides the input's
  worst: (a, b) => weight(b) - weight(a) || a.i - b.i,
  qa: (a, b) => (a.qa === null ? 101 : a.qa) - (b.qa === null ? 101 : b.qa) || a.i - b.i,
};
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function plural(n, word) {  // forms agreed by pymorphy3 when the page was written: 1, 2, 5
  const f = DATA.words[word], t = n % 100, u = n % 10;
  return n + " " + (u === 1 && t !== 11 ? f[0] : u >= 2 && u <= 4 && (t < 12 || t > 14) ? f[1] : f[2]);
}

function link(href, text) { return el("a", {href: href}, text); }
function chatsLink(key, value, text) { return link("#chats?" + new URLSearchParams({[key]: value}), text); }

for (const r of RECS) {  // findings' texts from the string table; what the text search looks in
  for (const f of r.f) { f[6] = DATA.strings[f[6]]; f[8] = f[8] < 0 ? [] : DATA.strings[f[8]].split("\x1f"); }
  const words = [r.id, r.path, r.ops.join(" ")];
  for (const f of r.f) words.push(f[0], f[6], f[7]);
  for (const e of DATA.events[r.i] || []) words.push(e[4], e[5]);
  r.haystack = words.join("\n").toLowerCase();
  r.rules = new Set(r.f.map((f) => f[0]));
  r.sevs = new Set(r.f.map((f) => f[1]));
}

function matches(r, q) {
  if (q.op && !r.ops.includes(q.op)) return false;
  if (q.rule && !r.rules.has(q.rule)) return false;
  if (q.sev === "clean" ? r.f.length > 0 : q.sev && !r.sevs.has(q.sev)) return false;
  if (q.from && (!r.start || r.start.slice(0, 10) < q.from)) return false;
  if (q.to && (!r.start || r.start.slice(0, 10) > q.to)) return false;
  return !q.q || r.haystack.includes(q.q.toLowerCase());
}

function fillForm(q) {
  for (const name of FIELDS) $("f-" + name).value = q[name] || "";
}

function readForm() {
  const q = {};
  for (const name of FIELDS) if ($("f-" + name).value) q[name] = $("f-" + name).value;
  return q;
}

function chatRow(r) {
  const [e, w, i] = r.sev;
  return el("tr", {"data-index": r.i},
    el("td", {}, link("#chat/" + r.i, r.id)), el("td", {}, r.start || "—"), el("td", {}, r.path),
    el("td", {}, ...r.ops.flatMap((o, k) => [k ? ", " : "", chatsLink("op", o, o)])),
    el("td", {class: "num"}, String(e)), el("td", {class: "num"}, String(w)), el("td", {class: "num"}, String(i)),
    el("td", {class: "num"}, r.qa === null ? "—" : r.qa.toFixed(0)));
}

function showChats(q, shown) {
  fillForm(q);
  const found = RECS.filter((r) => matches(r, q));
  if (ORDER[q.sort]) found.sort(ORDER[q.sort]);
  const body = $("chat-rows");
  body.replaceChildren(...found.slice(0, shown).map(chatRow));
  $("chat-count").textContent = "Найдено: " + plural(found.length, "диалог") + " из " + RECS.length +
    (found.length > shown ? "; показаны первые " + shown : "");
  const more = $("chat-more");
  more.hidden = found.length <= shown;
  more.onclick = () => showChats(q, shown + PAGE);
}

function marked(text, spans) {  // text with the wording findings' spans in <mark>
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s[0], s[1]])])].sort((a, b) => a - b);
  const out = [];
  for (let k = 0; k + 1 < cuts.length; k++) {
    const [a, b] = [cuts[k], cuts[k + 1]];
    const titles = spans.filter((s) => s[0] <= a && b <= s[1]).map((s) => s[2]);
    const piece = text.slice(a, b);
    out.push(titles.length ? el("mark", {title: titles.join(" · ")}, piece) : piece);
  }
  return out;
}

function findingItem(f, withText) {
  const rule = DATA.rules[f[0]];
  const li = el("li", {class: f[9] ? "note" : ""}, el("span", {class: "sev-" + f[1]}, f[1]), " ",
    chatsLink("rule", f[0], el("code", {}, f[0])), " ", f[6]);
  if (withText && f[7]) li.append(" «", el("q", {}, f[7]), "»");
  if (f[8].length) li.append(" ", el("span", {class: "sugg"}, "→ " + f[8].join(" | ")));
  if (rule && rule[2]) li.append(" ", el("a", {href: rule[2], class: "help"}, "?"));
  return li;
}

function message(e, found) {
  const [id, time, role, type, author, text] = e;
  const kind = {note: "заметка", transfer: "передача", close: "закрыт"}[type] || "";
  const who = [time || "без времени", role, author, kind].filter(Boolean).join(" · ");
  const wording = found.filter((f) => !f[9] && f[5] > f[4]).map((f) => [f[4], f[5], f[0] + ": " + f[6]]);
  const box = el("div", {class: "ev " + role, "data-message": id}, el("span", {class: "who"}, who), ...marked(text, wording));
  const words = found.filter((f) => !f[9]), notes = found.filter((f) => f[9]);
  if (words.length) box.append(el("ul", {class: "fnd"}, ...words.map((f) => findingItem(f, false))));
  if (notes.length) box.append(el("div", {class: "exchange-note"}, el("b", {}, "Заметка к обмену: "),
    el("ul", {}, ...notes.map((f) => findingItem(f, false)))));
  return box;
}

function showChat(index) {
  const r = RECS[index], view = $("chat-view");
  if (!r) { view.replaceChildren(el("p", {}, "Нет такого диалога.")); return; }
  const head = el("section", {class: "conv", "data-conversation": r.id, "data-index": r.i},
    el("h3", {}, "Диалог " + r.id + " — " + plural(r.f.length, "замечание")),
    el("div", {class: "totals"}, r.path + "; начало: " + (r.start || "—") + " (" + DATA.tz + "); операторы: ",
      ...r.ops.flatMap((o, k) => [k ? ", " : "", chatsLink("op", o, o)])));
  if (r.qa !== null) {
    const cats = Object.entries(r.qac).map(([c, s]) => (DATA.categories[c] || c) + " " + s.toFixed(0));
    head.append(el("div", {class: "qa"}, "Оценка QA: " + r.qa.toFixed(0) + " из 100 (" + cats.join(", ") + ")"));
  }
  const events = DATA.events[r.i];
  if (events) {
    const byMessage = {};
    for (const f of r.f) (byMessage[f[3]] = byMessage[f[3]] || []).push(f);
    for (const e of events) head.append(message(e, byMessage[e[0]] || []));
    const ids = new Set(events.map((e) => e[0]));
    const other = r.f.filter((f) => !ids.has(f[3]));  // never dropped: on no message of the chat
    if (other.length) head.append(el("ul", {class: "fnd other"}, ...other.map((f) => findingItem(f, true))));
  } else {
    head.append(el("p", {class: "totals"}, r.f.length ? "Диалог показан кратко: только замечания (сообщения целиком — у худших диалогов)." : "Замечаний нет."));
    if (r.f.length) head.append(el("ul", {class: "fnd"}, ...r.f.map((f) => findingItem(f, true))));
  }
  view.replaceChildren(head, el("p", {}, link("#chats", "← все диалоги")));
}

function route() {
  const [raw, query] = location.hash.slice(1).split("?");
  const path = decodeURIComponent(raw);
  for (const name of ["overview", "chats", "chat"]) $("view-" + name).hidden = true;
  if (path.startsWith("chat/")) { $("view-chat").hidden = false; showChat(Number(path.slice(5))); }
  else if (path === "chats") { $("view-chats").hidden = false; showChats(Object.fromEntries(new URLSearchParams(query || "")), PAGE); }
  else $("view-overview").hidden = false;
  window.scrollTo(0, 0);
}

$("filters").addEventListener("submit", (event) => {
  event.preventDefault();
  location.hash = "chats?" + new URLSearchParams(readForm());
});
$("filters").addEventListener("change", () => { location.hash = "chats?" + new URLSearchParams(readForm()); });
window.addEventListener("hashchange", route);
route();
