/* chat.js -- the citizen's chat page: WebSocket /ws/chat (dvcbot.chat.v1).
 * Bot text is always set with textContent, never innerHTML. The user id is
 * kept in localStorage so a reload or a reconnect resumes the conversation
 * ({"type":"hello"}); lost connections are retried with exponential back-off. */
(function () {
  "use strict";
  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var input = document.getElementById("text");
  var statusEl = document.getElementById("status");
  var ws = null, backoff = 500, outbox = [], greeted = false;
  var user = null;
  try { user = localStorage.getItem("dvcbot.user"); } catch (e) { /* private mode */ }
  var params = new URLSearchParams(location.search);
  /* A returning user resumes the conversation kept on the server (a form half
   * filled stays so): no automatic greeting, which would answer its question. */
  var returning = !!user;
  if (params.get("user") && params.get("user") !== user) { user = params.get("user"); returning = false; }

  function setStatus(state, text) { statusEl.dataset.state = state; statusEl.textContent = text; }

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

  function disableGroup(el) {
    Array.prototype.forEach.call(el.querySelectorAll("button"), function (b) { b.disabled = true; });
  }

  function ratingButtons(buttons) {
    var r = buttons.filter(function (b) { return /^rating:[1-5]$/.test(b.payload); });
    r.sort(function (a, b) { return a.payload < b.payload ? -1 : 1; });
    return r.length === 5 ? r : null;
  }

  function stars(buttons) {
    var fs = document.createElement("fieldset");
    fs.className = "stars";
    var lg = document.createElement("legend");
    lg.textContent = "Mức độ hài lòng (1–5 sao)";
    fs.appendChild(lg);
    var els = [];
    buttons.forEach(function (b, i) {
      var s = document.createElement("button");
      s.type = "button";
      s.textContent = "★";
      s.setAttribute("aria-label", (i + 1) + " sao");
      s.title = b.title;
      s.dataset.payload = b.payload;
      s.addEventListener("mouseenter", function () { light(i); });
      s.addEventListener("focus", function () { light(i); });
      s.addEventListener("click", function () {
        disableGroup(fs); light(i);
        postback(b.payload, (i + 1) + " sao");
      });
      s.addEventListener("keydown", function (ev) {
        if (ev.key === "ArrowRight" && els[i + 1]) { ev.preventDefault(); els[i + 1].focus(); }
        if (ev.key === "ArrowLeft" && els[i - 1]) { ev.preventDefault(); els[i - 1].focus(); }
      });
      els.push(s);
      fs.appendChild(s);
    });
    fs.addEventListener("mouseleave", function () { light(-1); });
    function light(n) { els.forEach(function (e, j) { e.classList.toggle("on", j <= n); }); }
    return fs;
  }

  function quickReplies(buttons) {
    var rb = ratingButtons(buttons);
    if (rb) return stars(rb);
    var g = document.createElement("div");
    g.className = "buttons";
    g.setAttribute("role", "group");
    buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.dataset.payload = b.payload;
      if (/:confirm$/.test(b.payload)) btn.className = "primary";
      btn.addEventListener("click", function () {
        disableGroup(g);
        postback(b.payload, b.title);
      });
      g.appendChild(btn);
    });
    return g;
  }

  function showReply(f, cls, who) {
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
      log.appendChild(quickReplies(f.buttons));
      scroll();
    }
  }

  function send(obj) {
    if (ws && ws.readyState === 1) ws.send(JSON.stringify(obj));
    else outbox.push(obj);
  }

  function postback(payload, title) {
    bubble("me", title);
    send({ type: "postback", payload: payload });
    input.focus();
  }

  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === "hello") {
      user = f.user;
      try { localStorage.setItem("dvcbot.user", user); } catch (e) { /* ignore */ }
      if (!greeted) {
        greeted = true;
        if (returning) bubble("info", "Đã kết nối lại: bạn có thể tiếp tục cuộc trò chuyện, hoặc bấm Menu.");
        else if (!log.children.length) send({ type: "message", text: "xin chào" });
      }
    } else if (f.type === "reply") {
      showReply(f, "bot", "Trợ lý");
    } else if (f.type === "notice") {
      if (f.kind === "agent_message") showReply(f, "agent", "Cán bộ " + (f.operator || "hỗ trợ"));
      else showReply(f, "notice", "Thông báo");
    } else if (f.type === "error") {
      bubble("error", f.message || f.error);
    }
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/chat";
    setStatus("offline", "Đang kết nối…");
    try { ws = new WebSocket(url, "dvcbot.chat.v1"); } catch (e) { retry(); return; }
    ws.onopen = function () {
      backoff = 500;
      setStatus("online", "Trực tuyến");
      if (user) ws.send(JSON.stringify({ type: "hello", user: user }));
      else if (!greeted) { greeted = true; ws.send(JSON.stringify({ type: "message", text: "xin chào" })); }
      while (outbox.length) ws.send(JSON.stringify(outbox.shift()));
    };
    ws.onmessage = onFrame;
    ws.onclose = function () { ws = null; retry(); };
    ws.onerror = function () { /* onclose follows */ };
  }

  function retry() {
    var wait = Math.min(backoff, 30000) * (0.75 + Math.random() * 0.5);
    setStatus("offline", "Mất kết nối – thử lại sau " + Math.round(wait / 1000) + " giây");
    backoff = Math.min(backoff * 2, 30000);
    setTimeout(connect, wait);
  }

  document.getElementById("menu").addEventListener("click", function () { postback("greeting", "Menu"); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = input.value.trim();
    if (!t) return;
    bubble("me", t);
    send({ type: "message", text: t });
    input.value = "";
    input.focus();
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); form.requestSubmit(); }
  });
  window.dvcbotChat = { user: function () { return user; } };
  connect();
  input.focus();
})();
