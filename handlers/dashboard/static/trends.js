// The dashboard's Trends view: one line chart per figure (the check-in rate first), a
// line per summary line of the unit and one for the whole unit, drawn here as inline SVG
// from the numbers api/trends sends (no chart library). A day without a number is a gap.
// Registered for dashboard.js, which fetches api/trends and calls draw with its helpers.
"use strict";
(function () {
  const W = 320, H = 170, LEFT = 40, RIGHT = 8, TOP = 10, BOTTOM = 22;
  const COLOURS = 8; // series classes c0..c7, the total's is its own

  function format(value, kind) {
    if (value === null || value === undefined) { return "—"; }
    if (kind === "rate") { return Math.round(value * 100) + "%"; }
    return Math.abs(value - Math.round(value)) < 0.05 ? String(Math.round(value))
      : value.toFixed(1);
  }

  function chart(view, entry, kit) {
    const { make, svg } = kit;
    const box = make("section", `trend ${entry.kind}`);
    box.append(make("h3", null, entry.title));
    const all = entry.lines.flatMap((line) => line.values).filter((v) => v !== null);
    if (all.length === 0 || (entry.kind !== "rate" && all.every((v) => v === 0))) {
      box.append(make("p", "empty", view.texts.no_data));
      return box;
    }
    const top = entry.kind === "rate" ? 1 : Math.max(...all, 1);
    const bottom = entry.kind === "rate" ? 0 : Math.min(0, ...all);
    const days = view.days.length;
    const x = (i) => LEFT + (days > 1 ? i * (W - LEFT - RIGHT) / (days - 1) : 0);
    const y = (v) => TOP + (H - TOP - BOTTOM) * (1 - (v - bottom) / (top - bottom || 1));
    const drawing = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": entry.title },
      "chart");
    for (const [value, name] of [[top, "max"], [bottom, "min"]]) {
      drawing.append(svg("line", { x1: LEFT, x2: W - RIGHT, y1: y(value), y2: y(value) }, "grid"));
      const label = svg("text", { x: LEFT - 4, y: y(value) + 4 }, `axis ${name}`);
      label.textContent = format(value, entry.kind);
      drawing.append(label);
    }
    for (const [index, anchor] of [[0, "start"], [days - 1, "end"]]) {
      const label = svg("text", { x: x(index), y: H - 6, "text-anchor": anchor }, "axis day");
      label.textContent = view.day_labels[index];
      drawing.append(label);
    }
    entry.lines.forEach((line, n) => {
      const colour = line.total ? "total" : `c${(n - 1) % COLOURS}`;
      const group = svg("g", {}, `series ${colour}`);
      group.dataset.name = line.name;
      let run = [];
      const flush = () => {
        if (run.length > 1) { group.append(svg("polyline", { points: run.join(" ") }, "line")); }
        run = [];
      };
      line.values.forEach((value, i) => {
        if (value === null) { flush(); return; }
        run.push(`${x(i).toFixed(1)},${y(value).toFixed(1)}`);
        const point = svg("circle", { cx: x(i).toFixed(1), cy: y(value).toFixed(1), r: 2.2 },
          "point");
        point.dataset.day = view.days[i];
        point.dataset.value = String(value);
        const title = svg("title");
        title.textContent = `${line.name}, ${view.day_labels[i]}: ${format(value, entry.kind)}`;
        point.append(title);
        group.append(point);
      });
      flush();
      drawing.append(group);
    });
    box.append(drawing);
    const legend = make("ul", "legend");
    entry.lines.forEach((line, n) => {
      const colour = line.total ? "total" : `c${(n - 1) % COLOURS}`;
      const last = [...line.values].reverse().find((v) => v !== null);
      const item = make("li", "key");
      item.append(make("span", `swatch ${colour}`), make("span", "label", line.name),
        make("span", "count", format(last === undefined ? null : last, entry.kind)));
      legend.append(item);
    });
    box.append(legend);
    return box;
  }

  function draw(view, kit) {
    const root = kit.el("trends-view");
    document.title = `${view.texts.title} · ${view.unit.name}`;
    kit.header(view.unit.name, view.heading, view.updated);
    root.replaceChildren();
    for (const entry of view.charts) { root.append(chart(view, entry, kit)); }
  }

  window.MusterViews = window.MusterViews || {};
  window.MusterViews.trends = { api: "api/trends", draw: draw };
})();
