/* chat.js -- the citizen's chat page: WebSocket /ws/chat (dvcbot.chat.v1).
 * Bot text is always set with textContent, never innerHTML. The chat id is
 * issued by the server (hello) and kept in localStorage; a link cannot set
 * it (?user= is ignored and removed from the address bar). A reload shows the
 * conversation again from the server (POST /api/v1/chat/history); lost
 * connections are retried with exponential back-off. Texts: i18n.js. */
(function () {
  "use strict";
  var I = window.dvcI18n, t = I.t;
  var $ = function (id) { return document.getElementById(id); };
  var log = $("log"), form = $("composer"), input = $("text"), statusEl = $("status");
  var ws = null, backoff = 500, outbox = [], greeted = false, restored = false, state = "offline", wait = 0;
  var user = null;
  try { user = localStorage.getItem("dvcbot.user"); } catch (e) { /* private mode */ }
  if (location.search) history.replaceState(null, "", location.pathname + location.hash);

  function setStatus(s, secs) {
    state = s; wait = secs || 0;
    statusEl.dataset.state = s;
    statusEl.firstChild.textContent = s === "online" ? t("web.status.online") :
      s === "offline" && wait ? t("web.status.offline", { s: wait }) : t("web.status.connecting");
  }

  function scroll() { log.scrollTop = log.scrollHeight; }

  function bubble(cls, text, who) {
    var d = document.createElement("div");
    d.className = "msg " + cls;
    if (who) {
      var w = document.createElement("span");
      w.className = "who";
      w.textContent = who;
      d.appendChild(w);
    }
    d.appendChild(document.createTextNode(text || ""));
    log.appendChild(d);
    scroll();
    return d;
  }

  function disableGroup(el, chosen) {
    Array.prototype.forEach.call(el.querySelectorAll("button, input"), function (b) {
      b.disabled = true;
      if (b === chosen) { b.classList.add("chosen"); b.setAttribute("aria-pressed", "true"); }
    });
  }

  function ratingButtons(buttons) {
    var r = buttons.filter(function (b) { return /^rating:[1-5]$/.test(b.payload); });
    r.sort(function (a, b) { return a.payload < b.payload ? -1 : 1; });
    return r.length === 5 ? r : null;
  }

  /* A 1-5 control as an ARIA radio group: one tab stop, arrows move and
   * light, Enter / Space / click choose. onPick(n) sends the choice. */
  function stars(legend, onPick) {
    var fs = document.createElement("div");
    fs.className = "stars";
    fs.setAttribute("role", "radiogroup");
    var lg = document.createElement("span");
    lg.className = "legend";
    lg.id = "lg" + Math.random().toString(36).slice(2);
    lg.textContent = legend;
    fs.setAttribute("aria-labelledby", lg.id);
    var wrap = document.createElement("div");
    wrap.className = "stars-wrap";
    wrap.appendChild(lg);
    var els = [], done = false, note = document.createElement("span");
    note.className = "chosen-note";
    note.setAttribute("aria-live", "polite");
    function light(n) { els.forEach(function (e, j) { e.classList.toggle("on", j <= n); }); }
    function pick(i) {
      if (done) return;
      done = true;
      els.forEach(function (e, j) { e.setAttribute("aria-checked", j === i ? "true" : "false"); e.disabled = true; });
      light(i);
      fs.classList.add("done");
      note.textContent = t("web.rating.chosen", { n: i + 1 });
      onPick(i + 1);
    }
    for (var k = 0; k < 5; k++) (function (i) {
      var s = document.createElement("button");
      s.type = "button";
      s.textContent = "★";
      s.setAttribute("role", "radio");
      s.setAttribute("aria-checked", "false");
      s.setAttribute("aria-label", t("web.rating.star", { n: i + 1 }));
      s.tabIndex = i === 0 ? 0 : -1;
      s.addEventListener("mouseenter", function () { if (!done) light(i); });
      s.addEventListener("focus", function () { if (!done) light(i); });
      s.addEventListener("click", function () { pick(i); });
      s.addEventListener("keydown", function (ev) {
        var to = ev.key === "ArrowRight" || ev.key === "ArrowUp" ? i + 1 : ev.key === "ArrowLeft" || ev.key === "ArrowDown" ? i - 1 : -9;
        if (to !== -9) {
          ev.preventDefault();
          if (els[to]) { els[i].tabIndex = -1; els[to].tabIndex = 0; els[to].focus(); }
        }
      });
      els.push(s);
      fs.appendChild(s);
    })(k);
    fs.addEventListener("mouseleave", function () { if (!done) light(-1); });
    wrap.appendChild(fs);
    wrap.appendChild(note);
    return wrap;
  }

  /* Before a complaint is sent: the personal-data notice and a consent box
   * that enables the confirm button (Decree 13/2023, PDP Law 2026). */
  function consent(g, confirmBtn) {
    var box = document.createElement("div");
    box.className = "consent";
    var p = document.createElement("p");
    p.textContent = t("web.privacy.text");
    var id = "c" + Math.random().toString(36).slice(2);
    var cb = document.createElement("input");
    cb.type = "checkbox";
    cb.id = id;
    var lb = document.createElement("label");
    lb.htmlFor = id;
    lb.textContent = t("web.consent.label");
    var row = document.createElement("div");
    row.className = "consent-row";
    row.appendChild(cb);
    row.appendChild(lb);
    box.appendChild(p);
    box.appendChild(row);
    confirmBtn.disabled = true;
    confirmBtn.title = t("web.consent.needed");
    cb.addEventListener("change", function () { confirmBtn.disabled = !cb.checked; });
    g.insertBefore(box, g.firstChild);
  }

  function quickReplies(buttons, live) {
    var rb = ratingButtons(buttons);
    if (rb) {
      var st = stars(t("web.rating.legend"), function (n) { postback(rb[n - 1].payload, t("web.rating.star", { n: n })); });
      if (!live) Array.prototype.forEach.call(st.querySelectorAll("button"), function (b) { b.disabled = true; });
      return st;
    }
    var g = document.createElement("div");
    g.className = "buttons";
    g.setAttribute("role", "group");
    var confirmBtn = null;
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.dataset.payload = b.payload;
      if (/:confirm$/.test(b.payload)) { btn.className = "primary"; confirmBtn = btn; }
      btn.disabled = !live;
      btn.addEventListener("click", function () {
        disableGroup(g, btn);
        postback(b.payload, b.title);
      });
      g.appendChild(btn);
    });
    if (live && confirmBtn && confirmBtn.dataset.payload === "complaint_new:confirm") consent(g, confirmBtn);
    return g;
  }

  function showReply(f, cls, who, live) {
    bubble(cls, f.text, who);
    if (typeof f.qr_svg === "string" && f.qr_svg) {
      // a VietQR code drawn by dvcbot; an <img> never runs what it shows
      var img = document.createElement("img");
      img.className = "qr";
      img.alt = "VietQR";
      img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(f.qr_svg);
      log.appendChild(img);
      scroll();
    }
    if (f.buttons && f.buttons.length) {
      log.appendChild(quickReplies(f.buttons, live !== false));
      scroll();
    }
  }

  /* After the operator hands back: rate the help (CSAT), stored per operator. */
  function csat(f) {
    var who = f.operator || t("web.who.agent.anon");
    var st = stars(t("web.csat.ask", { name: who }), function (n) {
      fetch("/api/v1/chat/csat", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: user, score: n }) })
        .then(function (r) { bubble("info", r.ok ? t("web.csat.thanks", { n: n }) : t("web.csat.error")); })
        .catch(function () { bubble("info", t("web.csat.error")); });
    });
    st.classList.add("csat");
    log.appendChild(st);
    scroll();
  }

  function send(obj) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj));
    else outbox.push(obj);
  }

  function postback(payload, title) {
    if (title) bubble("me", title);
    send({ type: "postback", payload: payload });
    input.focus();
  }

  /* The conversation kept by the server, shown after a reload. */
  function restore() {
    return fetch("/api/v1/chat/history", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ user: user }) })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (j) {
        var items = j.items || [], lastBot = -1;
        items.forEach(function (it, i) { if (it.from === "bot") lastBot = i; });
        if (items.length) bubble("info", t("web.history.restored"));
        items.forEach(function (it, i) {
          if (it.from === "me") bubble("me", it.text);
          else showReply(it, "bot", t("web.who.bot"), i === lastBot && i === items.length - 1);
        });
        return items.length;
      })
      .catch(function () { return 0; });
  }

  /* The first words come from the bot, in the page's language. */
  function greet() { send({ type: "postback", payload: I.lang() === "en" ? "lang:en" : "greeting" }); }

  function onHello(f) {
    user = f.user;
    try { localStorage.setItem("dvcbot.user", user); } catch (e) { /* ignore */ }
    if (greeted) return;
    greeted = true;
    if (restored) { bubble("info", t("web.reconnected")); return; }
    restored = true;
    restore().then(function (n) {
      if (n) bubble("info", t("web.reconnected"));
      else greet();
    });
  }

  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === "hello") onHello(f);
    else if (f.type === "reply") showReply(f, "bot", t("web.who.bot"));
    else if (f.type === "notice") {
      if (f.kind === "agent_message") showReply(f, "agent", f.operator ? t("web.who.agent", { name: f.operator }) : t("web.who.agent.anon"));
      else showReply(f, "notice", t("web.who.notice"));
      if (f.kind === "agent_released") csat(f);
    } else if (f.type === "error") bubble("error", f.message || f.error);
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/chat";
    setStatus("connecting");
    try { ws = new WebSocket(url, "dvcbot.chat.v1"); } catch (e) { retry(); return; }
    ws.onopen = function () {
      backoff = 500;
      setStatus("online");
      greeted = false;
      if (user) ws.send(JSON.stringify({ type: "hello", user: user }));
      else { restored = true; greeted = true; greet(); }
      while (outbox.length) ws.send(JSON.stringify(outbox.shift()));
    };
    ws.onmessage = onFrame;
    ws.onclose = function () { ws = null; retry(); };
    ws.onerror = function () { /* onclose follows */ };
  }

  function retry() {
    var ms = Math.min(backoff, 30000) * (0.75 + Math.random() * 0.5);
    setStatus("offline", Math.max(1, Math.round(ms / 1000)));
    backoff = Math.min(backoff * 2, 30000);
    setTimeout(connect, ms);
  }

  /* The visible height follows the on-screen keyboard (browsers without
   * interactive-widget): the composer stays on screen. */
  function fitViewport() {
    if (window.visualViewport) document.documentElement.style.setProperty("--app-h", window.visualViewport.height + "px");
  }
  if (window.visualViewport) { window.visualViewport.addEventListener("resize", fitViewport); fitViewport(); }

  $("menu").addEventListener("click", function () { postback("greeting", t("web.menu")); });
  $("lang").addEventListener("click", function () {
    var to = I.lang() === "en" ? "vi" : "en";
    I.setLang(to);
    setStatus(state, wait);
    postback("lang:" + to, null);
  });
  $("privacy-open").addEventListener("click", function () { $("privacy").showModal(); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = input.value.trim();
    if (!v) return;
    /* a typed "yes" to a complaint's summary needs the consent box too */
    var box = log.querySelector(".consent input:not(:checked):not([disabled])");
    if (box && /^(có|co|ok|đồng ý|dong y|gửi|gui|yes|send)(\s|[.!,]|$)/i.test(v)) {
      bubble("info", t("web.consent.needed"));
      box.focus();
      return;
    }
    bubble("me", v);
    send({ type: "message", text: v });
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  input.addEventListener("focus", function () { setTimeout(scroll, 300); });
  window.dvcbotChat = { user: function () { return user; } };
  I.ready(function () { setStatus(state, wait); connect(); input.focus(); });
})();
