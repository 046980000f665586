// The dashboard's Duty view: the unit's grids as circles of their true radii over plain
// coordinates (an SVG; map tiles under them only when the server names a tile server),
// coloured by tonight's shifts, with the day's incidents as pins; a tap on a grid (on the map or in the list) shows its shifts.
// Registered for dashboard.js, which fetches api/duty and calls draw with its helpers.
"use strict";
(function () {
  let selected = null; // the grid whose shifts are shown, kept across refreshes

  function draw(view, kit) {
    const { make, svg } = kit;
    const texts = view.texts;
    const root = kit.el("duty-view");
    document.title = `${texts.title} · ${view.unit.name}`;
    kit.header(view.unit.name, view.total.line, view.updated);
    root.replaceChildren();
    root.append(make("h2", "view-heading", view.heading));
    if (view.grids.length === 0) {
      root.append(make("p", "empty", texts.no_grids));
    } else if (view.box === null) {
      root.append(make("p", "empty", texts.no_map));
    } else {
      root.append(map(view, kit));
      if (view.attribution) { root.append(make("p", "attribution", view.attribution)); }
      root.append(make("p", "hint", texts.tap));
    }
    const legend = make("ul", "legend");
    legend.id = "duty-legend";
    legend.setAttribute("aria-label", texts.legend);
    for (const entry of view.legend) {
      const item = make("li", `key ${entry.state}`);
      item.dataset.state = entry.state;
      item.append(make("span", `swatch ${entry.state}`), make("span", "label", entry.label),
        make("span", "count", String(entry.count)));
      legend.append(item);
    }
    root.append(legend);
    const detail = make("section", "detail");
    detail.id = "duty-detail";
    root.append(detail);
    if (view.grids.length > 0) {
      root.append(make("h2", null, texts.grids));
      const list = make("ul", "grids");
      list.id = "duty-grids";
      for (const grid of view.grids) {
        const item = make("li", `grid-row ${grid.state}`);
        const button = make("button", "name", grid.label);
        button.type = "button";
        button.addEventListener("click", () => show(view, grid.id, kit));
        item.append(make("span", `swatch ${grid.state}`), button);
        list.append(item);
      }
      root.append(list);
    }
    if (view.pins.length > 0) {
      root.append(make("h2", null, texts.incidents));
      const list = make("ul", "incidents");
      list.id = "duty-incidents";
      for (const pin of view.pins) {
        list.append(make("li", "incident",
          `${pin.time} · ${pin.grid} · ${pin.name}: ${pin.text}`));
      }
      root.append(list);
    }
    if (!view.grids.some((grid) => grid.id === selected)) { selected = null; }
    show(view, selected, kit);
  }

  function map(view, kit) {
    const { svg } = kit;
    const [left, top, width, height] = view.box;
    const drawing = svg("svg", {
      viewBox: `${left} ${top} ${width} ${height}`, role: "img",
      preserveAspectRatio: "xMidYMid meet", "aria-label": view.texts.legend,
    }, "map");
    drawing.id = "duty-map";
    const size = Math.max(width, height);
    // Tiles first, so the grids and pins are drawn over them; placed by the server in the
    // map's own coordinates.
    for (const tile of view.tiles || []) {
      const image = svg("image", { href: tile.url, x: tile.x, y: tile.y, width: tile.w,
        height: tile.h, preserveAspectRatio: "none" }, "tile");
      drawing.append(image);
    }
    for (const grid of view.grids) {
      if (grid.x === null) { continue; }
      const circle = svg("circle", { cx: grid.x, cy: grid.y, r: grid.r },
        `grid ${grid.state}${grid.id === selected ? " selected" : ""}`);
      circle.dataset.grid = String(grid.id);
      const title = svg("title");
      title.textContent = grid.label;
      circle.append(title);
      circle.addEventListener("click", () => show(view, grid.id, kit));
      const label = svg("text", { x: grid.x, y: grid.y, "font-size": (size * 0.035).toFixed(1) },
        "code");
      label.textContent = grid.code;
      drawing.append(circle, label);
    }
    for (const pin of view.pins) {
      if (pin.x === null) { continue; }
      const dot = svg("circle", { cx: pin.x, cy: pin.y, r: (size * 0.014).toFixed(1) }, "pin");
      const title = svg("title");
      title.textContent = `${pin.time} ${pin.name}: ${pin.text}`;
      dot.append(title);
      drawing.append(dot);
    }
    return drawing;
  }

  function show(view, gridId, kit) {
    const { make } = kit;
    selected = gridId;
    for (const circle of document.querySelectorAll("#duty-map circle.grid")) {
      circle.classList.toggle("selected", circle.dataset.grid === String(gridId));
    }
    const detail = kit.el("duty-detail");
    detail.replaceChildren();
    const grid = view.grids.find((each) => each.id === gridId);
    if (!grid) { return; }
    detail.append(make("h3", `grid-name ${grid.state}`, `${grid.label} · ${grid.unit}`));
    const list = make("ul", "shifts");
    for (const shift of grid.shifts) {
      const item = make("li", `shift ${shift.status}`);
      item.append(make("span", "time", shift.time), make("span", "who", shift.name),
        make("span", "status", shift.word));
      list.append(item);
    }
    if (grid.shifts.length === 0) { list.append(make("li", "none", view.texts.no_shifts)); }
    detail.append(list);
  }

  window.MusterViews = window.MusterViews || {};
  window.MusterViews.duty = { api: "api/duty", draw: draw };
})();
