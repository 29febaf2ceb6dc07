/* agent.js -- the operator console: WebSocket /ws/agent (dvcbot.agent.v1).
 * Nothing but the login is shown before the server accepts the key. Then:
 * the queue (the citizen's own last words, channel, waiting time, the
 * dossier or complaint named), take a conversation, read its history,
 * reply live (canned replies: web.agent.canned.N of config/messages.vi.json),
 * hand it back (the citizen is then asked to rate the help). Every text is
 * set with textContent; texts come from i18n.js. */
(function () {
  "use strict";
  var I = window.dvcI18n, t = I.t;
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, key = null, name = null, current = null, backoff = 500, tried = false;
  try { key = sessionStorage.getItem("dvcbot.agent.key"); } catch (e) { /* ignore */ }

  function setStatus(state, text) { $("status").dataset.state = state; $("status").removeAttribute("data-t"); $("status").textContent = text; }
  function send(o) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(o)); }
  function short(conv) { return conv.replace(/^[a-z]+:/, "").slice(0, 8); }
  function channelOf(conv) { var c = conv.split(":")[0]; return t("web.agent.channel." + c) === "web.agent.channel." + c ? c : t("web.agent.channel." + c); }

  function line(item) {
    var who = { citizen: t("web.agent.citizen"), bot: t("web.who.bot"), operator: t("web.who.agent", { name: item.operator || "" }) }[item.from] || item.from;
    var d = document.createElement("div");
    d.className = "msg " + (item.from === "citizen" ? "me" : item.from === "operator" ? "agent" : "bot");
    var w = document.createElement("span");
    w.className = "who";
    w.textContent = who + (item.at ? " · " + new Date(item.at * 1000).toLocaleTimeString("vi-VN") : "");
    d.appendChild(w);
    d.appendChild(document.createTextNode(item.text || ""));
    $("conv-log").appendChild(d);
    $("conv-log").scrollTop = $("conv-log").scrollHeight;
  }

  function queueItem(it) {
    var li = document.createElement("li");
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn q-item";
    b.dataset.conv = it.conv;
    var said = document.createElement("span");
    said.className = "said";
    said.textContent = it.said && it.said.text ? "“" + it.said.text.slice(0, 140) + "”" : t("web.agent.citizen") + " " + short(it.conv);
    b.appendChild(said);
    var meta = document.createElement("span");
    meta.className = "state";
    var mine = it.state === "held" && it.operator === name;
    var mins = it.since ? Math.max(0, Math.floor((Date.now() / 1000 - it.since) / 60)) : 0;
    var parts = [channelOf(it.conv), t("web.agent.waiting", { m: mins })];
    if (it.about) parts.push(t("web.agent.about", { what: it.about }));
    parts.push(it.state === "waiting" ? t("web.agent.take") : mine ? t("web.agent.mine") : t("web.agent.held_by", { name: it.operator }));
    meta.textContent = parts.join(" · ");
    b.appendChild(meta);
    b.disabled = it.state === "held" && !mine;
    b.addEventListener("click", function () {
      if (it.state === "waiting") send({ type: "take", conv: it.conv });
      else { open(it.conv); send({ type: "history", conv: it.conv }); }
    });
    li.appendChild(b);
    return li;
  }

  function renderQueue(items) {
    var ul = $("queue");
    ul.textContent = "";
    if (!items.length) {
      var li = document.createElement("li");
      li.textContent = t("web.agent.queue.empty");
      ul.appendChild(li);
    }
    items.forEach(function (it) { ul.appendChild(queueItem(it)); });
  }

  function open(conv) {
    current = conv;
    $("c-h").removeAttribute("data-t");
    $("c-h").textContent = t("web.agent.citizen") + " " + short(conv) + " · " + channelOf(conv);
    $("conv-log").textContent = "";
    $("reply-form").hidden = false;
    $("reply").focus();
  }

  function canned() {
    var sel = $("canned");
    sel.textContent = "";
    var first = document.createElement("option");
    first.value = "";
    first.textContent = t("web.agent.canned");
    sel.appendChild(first);
    for (var i = 1; i <= 20; i++) {
      var k = "web.agent.canned." + i, v = t(k);
      if (v === k) break;
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v.length > 60 ? v.slice(0, 58) + "…" : v;
      sel.appendChild(o);
    }
  }

  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === "login") {
      name = f.name;
      backoff = 500;
      setStatus("online", t("web.agent.logged_in", { name: name }));
      $("login").hidden = true;
      $("desk").hidden = false;
      try { sessionStorage.setItem("dvcbot.agent.key", key); } catch (e) { /* ignore */ }
    } else if (f.type === "queue") {
      renderQueue(f.items);
    } else if (f.type === "taken") {
      open(f.conv);
    } else if (f.type === "history" && f.conv === current) {
      $("conv-log").textContent = "";
      f.items.forEach(line);
    } else if (f.type === "message" && f.conv === current) {
      line({ from: "citizen", text: f.text, at: f.at });
    } else if (f.type === "sent" && f.conv === current) {
      line({ from: "operator", operator: name, text: f.text, at: Date.now() / 1000 });
    } else if (f.type === "released") {
      if (f.conv === current) {
        current = null;
        $("reply-form").hidden = true;
        $("c-h").textContent = t("web.agent.released");
      }
      send({ type: "list" });
    } else if (f.type === "error") {
      if (!name) {
        $("login-error").textContent = f.error === "unauthorized" ? t("web.agent.bad_key") : f.message || f.error;
        key = null;
        try { sessionStorage.removeItem("dvcbot.agent.key"); } catch (e) { /* ignore */ }
        $("key").focus();
      } else line({ from: "bot", text: t("web.agent.error", { msg: f.message || f.error }) });
    }
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent", "dvcbot.agent.v1");
    ws.onopen = function () { if (key) send({ type: "login", key: key }); };
    ws.onmessage = onFrame;
    ws.onclose = function () {
      ws = null;
      if (name) setStatus("offline", t("web.agent.disconnected"));
      name = null;
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    key = $("key").value.trim();
    $("login-error").textContent = "";
    tried = true;
    send({ type: "login", key: key });
  });
  $("reply-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var v = $("reply").value.trim();
    if (!v || !current) return;
    send({ type: "reply", conv: current, text: v });
    $("reply").value = "";
  });
  $("canned").addEventListener("change", function () {
    if (this.value) { $("reply").value = this.value; this.selectedIndex = 0; $("reply").focus(); }
  });
  $("release").addEventListener("click", function () { if (current) send({ type: "release", conv: current }); });
  I.ready(function () { canned(); connect(); $("key").focus(); });
  window.dvcbotAgent = { tried: function () { return tried; } };
})();
