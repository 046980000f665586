// The dashboard's directive view (issue #19, second slice): the person's recent
// directives, one opened at a unit (delivery and answers per unit, worst first, the unit's
// silent members) and "Remind now" for them. It takes over the page from Today's view
// (dashboard.js, whose launch data it uses) and hands it back; draws with textContent
// only, refreshes every 10 s while open.
"use strict";
(function () {
  const REFRESH_MS = 10000;
  const shared = window.MusterDashboard;
  if (!shared) { return; }
  const el = (id) => document.getElementById(id);
  const make = shared.make;
  const state = { directive: null, unit: null, shown: null, timer: null };

  async function ask(path, options) {
    const response = await fetch(path, Object.assign({
      cache: "no-store",
      credentials: "omit",
    }, options || {}, {
      headers: Object.assign({ "X-Telegram-Init-Data": shared.launch.data },
        (options && options.headers) || {}),
    }));
    if (response.status === 401) {
      return { expired: true };
    }
    return { ok: response.ok, body: await response.json() };
  }

  function show(message) {
    el("d-message").textContent = message;
    el("d-message").hidden = !message;
  }

  function clear() {
    for (const id of ["d-nav", "d-lines", "d-silent", "d-entries"]) { el(id).replaceChildren(); }
    for (const id of ["d-title", "d-text", "d-state", "d-total", "d-answers", "d-more",
      "d-updated", "d-reminded", "d-entries-more"]) {
      el(id).textContent = "";
    }
    el("d-silent-section").hidden = true;
    el("d-entries-section").hidden = true;
    el("d-remind").hidden = true;
    show("");
  }

  function navButton(label, action) {
    const button = make("button", "nav", label);
    button.type = "button";
    button.addEventListener("click", action);
    return button;
  }

  function expired() {
    clear();
    el("d-nav").append(navButton(el("expired").textContent, today));
    show(el("expired").textContent);
    window.clearInterval(state.timer);
  }

  // The button on Today's view: shown when the person has directives to open.
  async function offer() {
    const found = await ask("api/directives");
    if (found.expired || !found.ok) { return; }
    const button = el("directives-open");
    button.textContent = found.body.texts.open;
    button.hidden = found.body.directives.length === 0;
  }

  function takeOver() {
    document.body.dataset.view = "directive";
    el("directive-view").hidden = false;
    window.clearInterval(state.timer);
    state.timer = window.setInterval(load, REFRESH_MS);
  }

  function today() {
    window.clearInterval(state.timer);
    state.directive = null;
    state.unit = null;
    el("directive-view").hidden = true;
    delete document.body.dataset.view;
    shared.refresh();
  }

  const list = () => open(null, null);

  function open(directiveId, unitId) {
    state.directive = directiveId;
    state.unit = unitId;
    takeOver();
    load();
  }

  function drawList(view) {
    clear();
    const texts = view.texts;
    document.documentElement.lang = view.lang;
    el("d-nav").append(navButton(texts.today, today));
    el("d-title").textContent = texts.heading;
    const lines = el("d-lines");
    for (const entry of view.directives) {
      const item = make("li", `line ${entry.level}`);
      item.dataset.directive = String(entry.id);
      const head = make("button", "name", `${entry.when} · ${entry.text}`);
      head.type = "button";
      head.addEventListener("click", () => open(entry.id, null));
      item.append(head, make("p", "figures", `${entry.state} · ${entry.figures}`));
      lines.append(item);
    }
    if (view.directives.length === 0) { show(texts.none); }
  }

  function drawDirective(view) {
    clear();
    const texts = view.texts;
    const directive = view.directive;
    // A reminder is for the unit shown (the server's default when none was asked for).
    state.shown = view.unit.id;
    document.documentElement.lang = view.lang;
    const nav = el("d-nav");
    nav.append(navButton(texts.all, list));
    for (const up of view.path) {
      nav.append(navButton(up.label, () => open(directive.id, up.id)));
    }
    el("d-title").textContent = `${directive.from} · ${directive.when}`;
    el("d-text").textContent = directive.text;
    el("d-state").textContent = directive.state;
    el("d-total").textContent = `${view.unit.name}: ${view.total.figures}`;
    el("d-total").dataset.level = view.total.level;
    el("d-answers").textContent = view.total.answers;
    const lines = el("d-lines");
    for (const line of view.lines) {
      const item = shared.unitLine(line, line.figures, () => open(directive.id, line.id));
      if (line.answers) { item.append(make("p", "figures", line.answers)); }
      lines.append(item);
    }
    el("d-silent-heading").textContent = texts.silent;
    const silent = el("d-silent");
    for (const person of view.silent) { silent.append(shared.personItem(person.name, person.how)); }
    if (view.silent.length === 0) { silent.append(make("li", "none", texts.none_silent)); }
    el("d-more").textContent = view.more;
    const remind = el("d-remind");
    remind.textContent = texts.remind;
    remind.hidden = !view.can_remind;
    remind.disabled = false;
    el("d-silent-section").hidden = false;
    // The unit's own register entries not on Telegram, and how the fallback reached them.
    el("d-entries-heading").textContent = texts.entries;
    const entries = el("d-entries");
    for (const person of view.entries) { entries.append(shared.personItem(person.name, person.how)); }
    el("d-entries-more").textContent = view.entries_more;
    el("d-entries-section").hidden = view.entries.length === 0;
    el("d-updated").textContent = view.updated;
  }

  async function load() {
    if (document.body.dataset.view !== "directive") { return; }
    const reminded = el("d-reminded").textContent;
    let found;
    try {
      if (state.directive === null) {
        found = await ask("api/directives");
      } else {
        const unit = state.unit === null ? "" : `&unit=${encodeURIComponent(state.unit)}`;
        found = await ask(`api/directive?id=${encodeURIComponent(state.directive)}${unit}`);
      }
    } catch (e) {
      show(document.body.dataset.failed || "");
      return;
    }
    if (found.expired) { expired(); return; }
    if (!found.ok && state.unit !== null) {
      // The unit is no longer the person's to see: the directive from where they may.
      state.unit = null;
      load();
      return;
    }
    if (!found.ok) {
      clear();
      el("d-nav").append(navButton(document.title, today));
      show(found.body.message);
      return;
    }
    if (state.directive === null) {
      drawList(found.body);
    } else {
      drawDirective(found.body);
      el("d-reminded").textContent = reminded;
    }
  }

  async function remindNow() {
    const button = el("d-remind");
    button.disabled = true; // one press at a time; the server ignores a second anyway
    let found;
    try {
      found = await ask("api/directive/remind", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ directive: state.directive, unit: state.shown }),
      });
    } catch (e) {
      button.disabled = false;
      return;
    }
    if (found.expired) { expired(); return; }
    el("d-reminded").textContent = found.body.message;
    await load();
  }

  el("directives-open").addEventListener("click", list);
  el("d-remind").addEventListener("click", remindNow);
  offer();
})();
