/* stats.js -- the public statistics page /thong-ke: GET /api/v1/stats/public
 * drawn as charts (Chart.js, served from /vendor/ by dvcbot: no CDN) and the
 * same figures as tables (what screen readers read; the charts are images
 * with a short text alternative). Without Chart.js the tables remain. */
(function () {
  "use strict";
  var I = window.dvcI18n, t = I.t, data = null, charts = [];
  var $ = function (id) { return document.getElementById(id); };
  var COLORS = ["#1f5fa8", "#2e7d32", "#b3261e", "#6a3d9a", "#8c5a00"];
  var nf = function (n) { return n === null || n === undefined ? t("web.stats.none") : Number(n).toLocaleString(I.lang() === "en" ? "en-GB" : "vi-VN", { maximumFractionDigits: 2 }); };

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function table(caption, head, rows) {
    var tb = el("table", null, "figures");
    tb.appendChild(el("caption", caption));
    var tr = el("tr");
    head.forEach(function (h) { var th = el("th", h); th.scope = "col"; tr.appendChild(th); });
    var thead = el("thead");
    thead.appendChild(tr);
    tb.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r) {
      var row = el("tr");
      r.forEach(function (c, i) {
        var cell = el(i === 0 ? "th" : "td", i === 0 ? c : nf(c));
        if (i === 0) cell.scope = "row";
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    if (!rows.length) { var e = el("tr"); var td = el("td", t("web.stats.none")); td.colSpan = head.length; e.appendChild(td); body.appendChild(e); }
    tb.appendChild(body);
    var wrap = el("div", null, "table-wrap");
    wrap.tabIndex = 0; /* a wide table scrolls: reachable by keyboard */
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", caption);
    wrap.appendChild(tb);
    return wrap;
  }

  /* A bar chart; summary is its text alternative (the table holds the rest). */
  function chart(labels, sets, summary) {
    if (!window.Chart || !labels.length) return null;
    var box = el("div", null, "chart");
    var c = el("canvas");
    c.setAttribute("role", "img");
    c.setAttribute("aria-label", summary);
    box.appendChild(c);
    setTimeout(function () {
      charts.push(new window.Chart(c, { type: "bar",
        data: { labels: labels, datasets: sets.map(function (s, i) { return { label: s[0], data: s[1], backgroundColor: COLORS[i % COLORS.length] }; }) },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } }));
    }, 0);
    return box;
  }

  function section(title, parts) {
    var s = el("section", null, "panel");
    s.appendChild(el("h2", title));
    parts.forEach(function (p) { if (p) s.appendChild(p); });
    return s;
  }

  function dossiers(d) {
    var months = Object.keys(d.by_month || {}).sort();
    var cols = ["received", "on_time", "late"];
    var mrows = months.map(function (m) { return [m].concat(cols.map(function (c) { return d.by_month[m][c] || 0; })); });
    var heads = cols.map(function (c) { return t("web.stats." + c); });
    var ags = Object.keys(d.by_agency || {}).sort();
    var arows = ags.map(function (a) { return [a].concat(cols.map(function (c) { return d.by_agency[a][c] || 0; })); });
    return [
      section(t("web.stats.dossiers.month"), [
        chart(months, cols.map(function (c, i) { return [heads[i], mrows.map(function (r) { return r[i + 1]; })]; }), t("web.stats.dossiers.month")),
        table(t("web.stats.dossiers.month"), [t("web.stats.month")].concat(heads), mrows)]),
      section(t("web.stats.dossiers.agency"), [table(t("web.stats.dossiers.agency"), [t("web.stats.agency")].concat(heads), arows)])];
  }

  function ratingRows(o) {
    return Object.keys(o || {}).sort().map(function (k) {
      var v = o[k];
      return [k, v.count, v.mean].concat(v.distribution || [0, 0, 0, 0, 0]);
    });
  }

  function ratings(r) {
    var stars = [1, 2, 3, 4, 5].map(function (n) { return t("web.stats.stars", { n: n }); });
    var head = [t("web.stats.count"), t("web.stats.mean")].concat(stars);
    var sum = el("p", t("web.stats.mean") + ": " + nf(r.mean) + " / 5 · " + t("web.stats.count") + ": " + nf(r.count), "big");
    return [
      section(t("web.stats.ratings"), [sum,
        chart(stars, [[t("web.stats.count"), r.distribution || []]], t("web.stats.ratings") + ": " + nf(r.mean) + "/5"),
        table(t("web.stats.ratings"), [t("web.stats.ratings"), t("web.stats.count")],
          stars.map(function (s, i) { return [s, (r.distribution || [])[i] || 0]; }))]),
      section(t("web.stats.ratings.agency"), [table(t("web.stats.ratings.agency"), [t("web.stats.agency")].concat(head), ratingRows(r.by_agency))]),
      section(t("web.stats.ratings.procedure"), [table(t("web.stats.ratings.procedure"), [t("web.stats.agency") + " : " + t("web.stats.procedure")].concat(head), ratingRows(r.by_procedure))])];
  }

  function complaints(c) {
    var med = c.median_answer_s === null ? null : Math.round(c.median_answer_s / 36) / 100;
    var rows = [[t("web.stats.complaints.received"), c.received], [t("web.stats.complaints.answered"), c.answered],
      [t("web.stats.complaints.open"), c.open]];
    var tiles = el("p", rows.map(function (r) { return r[0] + ": " + nf(r[1]); }).join(" · ") + " · " +
      t("web.stats.complaints.median") + ": " + (med === null ? t("web.stats.none") : t("web.stats.hours", { h: nf(med) })), "big");
    var ags = Object.keys(c.by_agency || {}).sort().map(function (a) {
      var v = c.by_agency[a]; return [a, v.received || 0, v.answered || 0];
    });
    return [section(t("web.stats.complaints"), [tiles,
      table(t("web.stats.complaints"), [t("web.stats.agency"), t("web.stats.complaints.received"), t("web.stats.complaints.answered")], ags)])];
  }

  function messages(m) {
    var chs = Object.keys(m.by_channel || {});
    var labels = chs.map(function (c) { return t("web.stats.channel." + c); });
    var vals = chs.map(function (c) { return m.by_channel[c]; });
    return [section(t("web.stats.messages"), [
      chart(labels, [[t("web.stats.messages.count"), vals]], t("web.stats.messages")),
      table(t("web.stats.messages"), [t("web.stats.channel"), t("web.stats.messages.count")], labels.map(function (l, i) { return [l, vals[i]]; }))])];
  }

  function csat(c) {
    var stars = [1, 2, 3, 4, 5].map(function (n) { return t("web.stats.stars", { n: n }); });
    return [section(t("web.stats.csat"), [
      el("p", t("web.stats.mean") + ": " + nf(c.mean) + " / 5 · " + t("web.stats.count") + ": " + nf(c.count), "big"),
      table(t("web.stats.csat"), [t("web.stats.ratings"), t("web.stats.count")],
        stars.map(function (s, i) { return [s, (c.distribution || [])[i] || 0]; }))])];
  }

  function render() {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var f = $("figures");
    f.textContent = "";
    if (!data) { f.appendChild(el("p", t("web.stats.error"), "login-error")); return; }
    [].concat(dossiers(data.dossiers || {}), ratings(data.ratings || {}), complaints(data.complaints || {}),
      messages(data.messages || {}), csat(data.csat || {})).forEach(function (s) { f.appendChild(s); });
    $("updated").textContent = t("web.stats.updated", { t: new Date().toLocaleString(I.lang() === "en" ? "en-GB" : "vi-VN") });
    document.body.dataset.ready = "1";
  }

  $("lang").addEventListener("click", function () { I.setLang(I.lang() === "en" ? "vi" : "en"); render(); });
  I.ready(function () {
    fetch("/api/v1/stats/public").then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (j) { data = j; }).catch(function () { data = null; }).then(render);
  });
})();
