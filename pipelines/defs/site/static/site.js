/* The citizens' site: draws each <figure class="chart"> with Vega (vendored, served from this site)
   and runs the comparison view. Every figure has a data table beside it, so nothing here is needed
   to read the numbers. Expressions go through vega-interpreter: no eval, as the CSP requires. */
(function () {
  "use strict";
  const specs = {};
  const views = [];
  /* Swedish numbers and dates in every axis, legend and tooltip: decimal comma, a (narrow, no-break)
     space between thousands, the minus sign. Vega's format() and its axes use this default. */
  vega.defaultLocale(
    { decimal: ",", thousands: "\u00a0", grouping: [3], currency: ["", "\u00a0kr"], minus: "\u2212" },
    {
      dateTime: "%A den %d %B %Y %X", date: "%Y-%m-%d", time: "%H:%M:%S",
      periods: ["fm", "em"],
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
      months: ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
        "september", "oktober", "november", "december"],
      shortMonths: ["jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt", "nov", "dec"]
    }
  );

  function rootPath() {
    return document.documentElement.getAttribute("data-root") || "";
  }

  /* The specs are in the page (#vega-specs), so nothing is fetched and file:// works too. */
  function loadSpec(name) {
    if (!specs.all) specs.all = JSON.parse(document.getElementById("vega-specs").textContent);
    if (!specs.all[name]) return Promise.reject(new Error("no chart spec " + name));
    return Promise.resolve(JSON.parse(JSON.stringify(specs.all[name])));
  }

  function inline(id) {
    const block = document.getElementById(id);
    return block ? JSON.parse(block.textContent) : null;
  }

  function draw(figure, rows) {
    const target = figure.querySelector(".chart-canvas");
    return loadSpec(figure.getAttribute("data-spec")).then(function (spec) {
      const unit = spec.signals.find(function (s) { return s.name === "unit"; });
      unit.value = figure.getAttribute("data-unit") || "";
      spec.data[0].values = rows;
      const width = Math.max(target.clientWidth - 8, 240);
      if (spec.autosize === "none") {           // the map: Sweden is about twice as tall as wide
        const mapWidth = Math.min(width, 560);
        spec.signals.find(function (s) { return s.name === "width"; }).value = mapWidth;
        spec.signals.find(function (s) { return s.name === "height"; }).value = Math.round(mapWidth * 1.9);
      } else {
        spec.width = width;
      }
      // Fixed colours per series (the sector palette the report shares): domain and range from the page.
      const colours = figure.getAttribute("data-colours");
      if (colours) {
        const pairs = JSON.parse(colours);
        const scale = spec.scales.find(function (s) { return s.name === "color"; });
        scale.domain = pairs.map(function (p) { return p[0]; });
        scale.range = pairs.map(function (p) { return p[1]; });
      }
      const bar = spec.signals.find(function (s) { return s.name === "bar_height"; });
      if (bar) spec.height = bar.value * rows.length;
      // The map's boundaries are in the page when it carries them; else fetched from the site root.
      const boundaries = inline("kommuner-geojson");
      spec.data.forEach(function (d) {
        if (!d.url) return;
        if (boundaries) { d.values = boundaries.features; delete d.url; delete d.format; }
        else { d.url = rootPath() + d.url; }
      });
      const highlight = spec.signals.find(function (s) { return s.name === "highlight"; });
      if (highlight) highlight.value = figure.getAttribute("data-highlight") || "";
      const view = new vega.View(vega.parse(spec, null, { ast: true }), {
        expr: vegaExpressionInterpreter, renderer: "svg", container: target, hover: true
      });
      const tip = tooltip(figure, view);
      const link = figure.getAttribute("data-link");
      view.addEventListener("click", function (event, item) {
        // A tap shows the item's figures (touch has no hover); a second tap on a map's kommun opens it.
        const touch = event && event.pointerType && event.pointerType !== "mouse";
        const kod = link && item && item.datum && item.datum.properties && item.datum.properties.kommun_kod;
        if (kod && (!touch || tip.showing() === item)) {
          window.location.href = rootPath() + link.replace("{kod}", kod);
        } else if (item && item.tooltip) {
          tip.show(event, item, item.tooltip, touch);
        }
      });
      views.push(view);
      figure.setAttribute("data-drawn", "pending");
      return view.runAsync().then(function () { figure.setAttribute("data-drawn", "true"); return view; });
    }).catch(function (error) {
      figure.setAttribute("data-drawn", "error");
      target.textContent = "Diagrammet kunde inte ritas (" + error.message + "); se tabellen.";
    });
  }

  /* The chart's tooltip as an element of the page (Vega's default is a title attribute, which touch
     screens never show): shown on hover and on tap, hidden when the pointer leaves. */
  function tooltip(figure, view) {
    const box = document.createElement("div");
    box.className = "tooltip";
    box.setAttribute("role", "status");
    box.hidden = true;
    figure.appendChild(box);
    let shown = null;
    let pinned = false;
    function show(event, item, value, pin) {
      box.textContent = "";
      Object.keys(value).forEach(function (key) {
        const line = document.createElement("div");
        if (key) {
          const b = document.createElement("b");
          b.textContent = key + ": ";
          line.appendChild(b);
        }
        line.appendChild(document.createTextNode(String(value[key])));
        box.appendChild(line);
      });
      const area = figure.getBoundingClientRect();
      const x = event && event.clientX !== undefined ? event.clientX - area.left : 8;
      const y = event && event.clientY !== undefined ? event.clientY - area.top : 8;
      box.hidden = false;
      box.style.left = Math.max(0, Math.min(x + 12, area.width - box.offsetWidth - 4)) + "px";
      box.style.top = Math.max(0, y + 12) + "px";
      shown = item;
      pinned = !!pin;
    }
    view.tooltip(function (_handler, event, item, value) {
      if (value === null || value === undefined || value === "") {
        if (!pinned) { box.hidden = true; shown = null; }
        return;
      }
      if (event && event.pointerType && event.pointerType !== "mouse") return;  // taps: see click
      show(event, item, typeof value === "object" ? value : { "": value }, false);
    });
    return { show: show, showing: function () { return box.hidden ? null : shown; } };
  }

  function drawAll() {
    document.querySelectorAll("figure.chart[data-rows]").forEach(function (figure) {
      const block = document.getElementById(figure.getAttribute("data-rows"));
      draw(figure, JSON.parse(block.textContent));
    });
  }

  /* The comparison view: kommuner picked from a list, their figures from data/jamfor.json. */
  function comparison(root) {
    const select = root.querySelector("#valj-kommun");
    const add = root.querySelector("#lagg-till");
    const body = root.querySelector("#jamforelse tbody");
    const figure = root.querySelector("figure.chart");
    const chosen = [];
    let data = null;
    const nf = function (value, digits) {
      if (value === null || value === undefined) return "–";
      return value.toLocaleString("sv-SE", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    };

    function render() {
      body.textContent = "";
      chosen.forEach(function (kod) {
        const k = data.kommuner[kod];
        const tr = document.createElement("tr");
        tr.setAttribute("data-kommun", kod);
        const cells = [
          [k.namn, null], [k.lan, null], [k.year, null],
          [nf(k.tonnes, 0), k.tonnes], [nf(k.per_capita, 2), k.per_capita],
          [k.change_1990 === null ? "–" : (k.change_1990 > 0 ? "+" : "") + nf(k.change_1990, 1) + " %", k.change_1990],
          [k.rank_in_lan === null ? "–" : k.rank_in_lan + " av " + k.kommuner_in_lan, k.rank_in_lan]
        ];
        cells.forEach(function (cell, i) {
          const td = document.createElement(i === 0 ? "th" : "td");
          if (i === 0) td.setAttribute("scope", "row");
          td.textContent = cell[0];
          if (cell[1] !== null && cell[1] !== undefined) td.setAttribute("data-value", String(cell[1]));
          tr.appendChild(td);
        });
        const td = document.createElement("td");
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "Ta bort";
        remove.setAttribute("aria-label", "Ta bort " + k.namn);
        remove.addEventListener("click", function () { chosen.splice(chosen.indexOf(kod), 1); render(); });
        td.appendChild(remove);
        tr.appendChild(td);
        body.appendChild(tr);
      });
      root.querySelector("#antal-valda").textContent = chosen.length + " kommuner valda";
      history.replaceState(null, "", "#" + chosen.join(","));
      const rows = [];
      chosen.forEach(function (kod) {
        data.kommuner[kod].series.forEach(function (p) {
          rows.push({ year: p[0], series: data.kommuner[kod].namn, value: p[1], dashed: false });
        });
      });
      figure.querySelector(".chart-canvas").textContent = "";
      if (rows.length) draw(figure, rows);
    }

    const embedded = inline("jamfor-data");
    (embedded ? Promise.resolve(embedded) : fetch(rootPath() + "data/jamfor.json").then(function (r) {
      return r.json();
    })).then(function (loaded) {
      data = loaded;
      const wanted = window.location.hash.slice(1).split(",").filter(function (k) { return data.kommuner[k]; });
      (wanted.length ? wanted : data.default).forEach(function (kod) { chosen.push(kod); });
      add.addEventListener("click", function () {
        if (select.value && chosen.indexOf(select.value) < 0) chosen.push(select.value);
        render();
      });
      render();
      root.setAttribute("data-ready", "true");
    });
  }

  /* Kommun search on the list of all kommuner: filters as one types (case and accents as typed,
     so "gavle" does not find Gävle), Enter opens the only match. */
  function search(input) {
    const items = [].slice.call(document.querySelectorAll("#kommunsok li"));
    const status = document.getElementById("sok-antal");
    function filter() {
      const wanted = input.value.trim().toLocaleLowerCase("sv");
      let shown = [];
      items.forEach(function (li) {
        const hit = !wanted || li.textContent.toLocaleLowerCase("sv").indexOf(wanted) >= 0;
        li.hidden = !hit;
        if (hit) shown.push(li);
      });
      document.querySelectorAll("#kommunsok section.lan").forEach(function (section) {
        section.hidden = !section.querySelector("li:not([hidden])");
      });
      status.textContent = wanted ? (shown.length === 1 ? "1 kommun" : shown.length + " kommuner") : "";
      return shown;
    }
    input.addEventListener("input", filter);
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      const shown = filter();
      if (shown.length === 1) window.location.href = shown[0].querySelector("a").href;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("sok-kommun");
    if (box) search(box);
    const hash = window.location.hash.slice(1);
    document.querySelectorAll("figure.chart[data-highlight]").forEach(function (figure) {
      if (/^\d{4}$/.test(hash)) figure.setAttribute("data-highlight", hash);  // karta.html#2523
    });
    drawAll();
    const root = document.getElementById("jamfor");
    if (root) comparison(root);
  });
})();
