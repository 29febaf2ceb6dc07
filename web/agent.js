/* agent.js -- the operator console: WebSocket /ws/agent (dvcbot.agent.v1).
 * Login with an operator key, watch the queue, take a conversation, read its
 * history, reply live, hand it back. Every text is set with textContent. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var ws = null, key = null, name = null, current = null, backoff = 500, held = {};
  try { key = sessionStorage.getItem("dvcbot.agent.key"); } catch (e) { /* ignore */ }

  function setStatus(state, text) { $("status").dataset.state = state; $("status").textContent = text; }
  function send(o) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(o)); }

  function line(item) {
    var who = { citizen: "Công dân", bot: "Trợ lý", operator: "Cán bộ " + (item.operator || "") }[item.from] || item.from;
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

  function renderQueue(items) {
    var ul = $("queue");
    ul.textContent = "";
    if (!items.length) {
      var li = document.createElement("li");
      li.textContent = "Không có ai đang chờ.";
      ul.appendChild(li);
    }
    items.forEach(function (it) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn";
      b.dataset.conv = it.conv;
      b.appendChild(document.createTextNode(it.conv.replace(/^chat:/, "")));
      var s = document.createElement("span");
      s.className = "state";
      var mine = it.state === "held" && it.operator === name;
      s.textContent = it.state === "waiting" ? "Đang chờ – bấm để nhận" : mine ? "Bạn đang hỗ trợ" : "Cán bộ " + it.operator + " đang hỗ trợ";
      if (it.last && it.last.text) s.textContent += " · " + it.last.text.slice(0, 60);
      b.appendChild(s);
      b.disabled = it.state === "held" && !mine;
      b.addEventListener("click", function () {
        if (it.state === "waiting") send({ type: "take", conv: it.conv });
        else { open(it.conv); send({ type: "history", conv: it.conv }); }
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
  }

  function open(conv) {
    current = conv;
    held[conv] = true;
    $("c-h").textContent = "Công dân " + conv.replace(/^chat:/, "");
    $("conv-log").textContent = "";
    $("reply-form").hidden = false;
    $("reply").focus();
  }

  function onFrame(ev) {
    var f;
    try { f = JSON.parse(ev.data); } catch (e) { return; }
    if (f.type === "login") {
      name = f.name;
      backoff = 500;
      setStatus("online", "Cán bộ " + name);
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
      delete held[f.conv];
      if (f.conv === current) {
        current = null;
        $("reply-form").hidden = true;
        $("c-h").textContent = "Đã trả cuộc trò chuyện cho trợ lý";
      }
      send({ type: "list" });
    } else if (f.type === "error") {
      if (!name) { $("login-error").textContent = f.message || f.error; key = null; }
      else line({ from: "bot", text: "Lỗi: " + (f.message || f.error) });
    }
  }

  function connect() {
    ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/agent", "dvcbot.agent.v1");
    ws.onopen = function () { if (key) send({ type: "login", key: key }); };
    ws.onmessage = onFrame;
    ws.onclose = function () {
      ws = null;
      name = null;
      setStatus("offline", "Mất kết nối – đang thử lại");
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 30000);
    };
  }

  $("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    key = $("key").value.trim();
    $("login-error").textContent = "";
    send({ type: "login", key: key });
  });
  $("reply-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = $("reply").value.trim();
    if (!t || !current) return;
    send({ type: "reply", conv: current, text: t });
    $("reply").value = "";
  });
  $("release").addEventListener("click", function () { if (current) send({ type: "release", conv: current }); });
  connect();
  $("key").focus();
})();
