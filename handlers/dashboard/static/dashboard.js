// The dashboard Mini App's page: reads Telegram's launch data and theme from the address
// the client opened (telegram-web-app.js is not loaded: the page works offline and under
// a CSP that allows only this server), asks the server for the Today view with the launch
// data in a header, draws it with textContent only, and refreshes every 10 s. The other
// views (duty.js, trends.js) register in window.MusterViews and are drawn by their own
// script, with the same request, refresh and tabs.
"use strict";
(function () {
  const REFRESH_MS = 10000;
  const STORE = "muster-dashboard-launch";

  function launchParams() {
    const hash = new URLSearchParams(window.location.hash.slice(1));
    if (hash.get("tgWebAppData")) {
      const found = {
        data: hash.get("tgWebAppData"),
        theme: hash.get("tgWebAppThemeParams") || "{}",
      };
      try { sessionStorage.setItem(STORE, JSON.stringify(found)); } catch (e) { /* private mode */ }
      // Out of the address bar (and of anything that copies it); a reload reads it back
      // from this tab's session storage.
      window.history.replaceState(null, "", window.location.pathname);
      return found;
    }
    const tg = window.Telegram && window.Telegram.WebApp;
    if (tg && tg.initData) {
      return { data: tg.initData, theme: JSON.stringify(tg.themeParams || {}) };
    }
    try {
      const kept = sessionStorage.getItem(STORE);
      if (kept) { return JSON.parse(kept); }
    } catch (e) { /* nothing kept */ }
    return { data: "", theme: "{}" };
  }

  // Telegram's Mini App events, as telegram-web-app.js posts them.
  function postEvent(type, data) {
    const payload = JSON.stringify(data || {});
    try {
      if (window.TelegramWebviewProxy) {
        window.TelegramWebviewProxy.postEvent(type, payload);
      } else if (window.external && "notify" in window.external) {
        window.external.notify(JSON.stringify({ eventType: type, eventData: data || {} }));
      } else if (window.parent !== window) {
        window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data || {} }), "*");
      }
    } catch (e) { /* not inside Telegram */ }
  }

  const THEME = {
    bg_color: "--bg", text_color: "--text", hint_color: "--hint", link_color: "--link",
    button_color: "--button", button_text_color: "--button-text",
    secondary_bg_color: "--secondary-bg",
  };

  function applyTheme(text) {
    let theme = {};
    try { theme = JSON.parse(text) || {}; } catch (e) { theme = {}; }
    const root = document.documentElement;
    for (const [key, variable] of Object.entries(THEME)) {
      const value = theme[key];
      if (typeof value === "string" && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
        root.style.setProperty(variable, value);
      }
    }
    const bg = theme.bg_color;
    if (typeof bg === "string" && /^#[0-9a-fA-F]{6}$/.test(bg)) {
      const n = parseInt(bg.slice(1), 16);
      const light = 0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
      root.classList.toggle("dark", light < 128);
    }
  }

  const el = (id) => document.getElementById(id);

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : Math.round(rate * 100) + "%";
  }

  function figures(texts, item) {
    const parts = [];
    if (item.expected > 0) {
      parts.push(`${texts.checked_in} ${item.checked_in}/${item.expected} (${percent(item.rate)})`);
      parts.push(`${texts.missing} ${item.missing}`);
    } else {
      parts.push(texts.no_members);
    }
    const d = item.directives;
    if (d.recipients > 0) {
      if (d.asked > 0) {
        parts.push(`${texts.acked} ${d.acked}/${d.asked} (${percent(d.ack_rate)})`);
      }
      parts.push(`${texts.reach} ${d.sent}/${d.recipients}`);
    } else {
      parts.push(texts.no_directives);
    }
    return parts.join(" · ");
  }

  // A unit's line: its name (a button that opens it, but for its own members), a bar of
  // its rate, its figures. Today's view and the directive view (directive.js) draw these.
  function unitLine(line, text, onOpen) {
    const item = make("li", `line ${line.level}`);
    item.dataset.unit = String(line.id);
    const head = make(line.own ? "div" : "button", "name", line.name);
    if (!line.own) {
      head.type = "button";
      head.addEventListener("click", onOpen);
    }
    const bar = make("div", "bar");
    const fill = make("div", "fill");
    fill.style.width = `${Math.round((line.rate || 0) * 100)}%`;
    bar.append(fill);
    item.append(head, bar, make("p", "figures", text));
    return item;
  }

  function personItem(name, note) {
    const item = make("li", "person");
    item.append(make("span", "who", name), make("span", "last", note));
    return item;
  }

  const state = { launch: launchParams(), unit: null, timer: null, view: "today" };
  const VIEWS = Object.assign({ today: { api: "api/today" } }, window.MusterViews || {});
  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attributes, className) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      node.setAttribute(key, String(value));
    }
    if (className) { node.setAttribute("class", className); }
    return node;
  }

  // What a view's script draws with: the page's helpers, and its header.
  const kit = {
    el: el, make: make, svg: svg, percent: percent,
    header: function (title, total, updated) {
      el("path").replaceChildren();
      el("title").textContent = title;
      el("total").textContent = total;
      delete el("total").dataset.level;
      el("updated").textContent = updated;
    },
  };

  function tabs(body) {
    const nav = el("tabs");
    for (const button of nav.querySelectorAll("button")) {
      const view = button.dataset.view;
      button.textContent = (body.tabs && body.tabs[view]) || view;
      button.setAttribute("aria-pressed", String(view === state.view));
    }
    nav.hidden = false;
    for (const section of document.querySelectorAll("main > section[data-view]")) {
      section.hidden = section.dataset.view !== state.view;
    }
  }

  function show(message) {
    el("message").textContent = message;
    el("message").hidden = false;
  }

  function clear() {
    for (const id of ["path", "lines", "missing", "duty-view", "trends-view"]) {
      el(id).replaceChildren();
    }
    el("tabs").hidden = true;
    el("title").textContent = "Muster";
    el("total").textContent = "";
    el("updated").textContent = "";
    el("missing-section").hidden = true;
  }

  function navButton(label, unitId) {
    const button = make("button", "nav", label);
    button.type = "button";
    button.addEventListener("click", () => open(unitId));
    return button;
  }

  function draw(view) {
    const texts = view.texts;
    document.documentElement.lang = view.lang;
    document.title = `${texts.title} · ${view.unit.name}`;
    el("message").hidden = true;
    const path = el("path");
    path.replaceChildren();
    for (const up of view.path) { path.append(navButton(up.label, up.id)); }
    if (view.path.length === 0) {
      for (const scope of view.scopes) {
        if (scope.id !== view.unit.id) { path.append(navButton(scope.name, scope.id)); }
      }
    }
    el("title").textContent = view.unit.name;
    el("total").textContent = figures(texts, view.total);
    el("total").dataset.level = view.total.level;
    el("updated").textContent = view.updated;
    const lines = el("lines");
    lines.replaceChildren();
    for (const line of view.lines) {
      lines.append(unitLine(line, figures(texts, line), () => open(line.id)));
    }
    const missing = el("missing");
    missing.replaceChildren();
    el("missing-heading").textContent = texts.missing_heading;
    for (const person of view.missing) { missing.append(personItem(person.name, person.last)); }
    if (view.missing.length === 0) { missing.append(make("li", "none", texts.none_missing)); }
    el("more").textContent = view.more;
    el("missing-section").hidden = view.total.expected === 0 && view.missing.length === 0;
  }

  async function load() {
    if (document.body.dataset.view) { return; } // another view is open (directive.js)
    const query = state.unit === null ? "" : `?unit=${encodeURIComponent(state.unit)}`;
    let response;
    try {
      response = await fetch(`${VIEWS[state.view].api}${query}`, {
        headers: { "X-Telegram-Init-Data": state.launch.data },
        cache: "no-store",
        credentials: "omit",
      });
    } catch (e) {
      show(document.body.dataset.failed || el("message").textContent);
      return;
    }
    if (response.status === 401) {
      clear();
      show(el("expired").textContent);
      window.clearInterval(state.timer);
      return;
    }
    const body = await response.json();
    if (!response.ok && state.unit !== null) {
      // The unit is gone, or no longer the person's (a role revoked): back to their own.
      state.unit = null;
      load();
      return;
    }
    if (!response.ok) {
      clear();
      show(body.message);
      return;
    }
    if (body.texts.failed) { document.body.dataset.failed = body.texts.failed; }
    document.documentElement.lang = body.lang;
    tabs(body);
    if (state.view === "today") {
      draw(body);
    } else {
      VIEWS[state.view].draw(body, kit);
    }
  }

  function open(unitId) {
    state.unit = unitId;
    load();
  }

  // Telegram's client calls these (telegram-web-app.js defines them) when its theme
  // changes; in its web version it posts the same event to this frame.
  function receiveEvent(type, data) {
    if (type === "theme_changed" && data && data.theme_params) {
      applyTheme(JSON.stringify(data.theme_params));
    }
  }
  window.Telegram = window.Telegram || {};
  window.Telegram.WebView = window.Telegram.WebView || { receiveEvent: receiveEvent };
  window.TelegramGameProxy = window.TelegramGameProxy || { receiveEvent: receiveEvent };
  window.addEventListener("message", (event) => {
    if (event.source !== window.parent || window.parent === window) { return; }
    try {
      const parsed = JSON.parse(event.data);
      receiveEvent(parsed.eventType, parsed.eventData);
    } catch (e) { /* not Telegram's */ }
  });

  for (const button of el("tabs").querySelectorAll("button")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      load();
    });
  }

  // What the other views' scripts (directive.js) share: the launch data, and Today's
  // refresh for when they hand the page back.
  window.MusterDashboard = {
    launch: state.launch, make: make, unitLine: unitLine, personItem: personItem, refresh: load,
  };

  applyTheme(state.launch.theme);
  postEvent("web_app_ready");
  postEvent("web_app_expand");
  load();
  state.timer = window.setInterval(load, REFRESH_MS);
})();
