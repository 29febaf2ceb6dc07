/* simulator.js -- a feature phone driving POST /ussd (Africa's Talking form:
 * text = every input so far joined by "*") and an SMS thread driving
 * GET /sms/kannel as Kannel's smsbox would. Answers are shown as text only.
 *
 * Those endpoints serve only callers that show the channel secret (SPEC.md
 * "Channel access"): `make run` prints this page's address with
 * #secret=... (a fragment: never sent to a server, never in a log). The
 * page keeps it for the tab (sessionStorage), takes it out of the address
 * bar, shows it in the "Mã bí mật" field (which may also be typed into) and
 * sends it as X-Dvcbot-Secret. The page itself never contains the secret. */
(function () {
  "use strict";
  var screen = document.getElementById("screen");
  var input = document.getElementById("ussd-input");
  var msisdn = document.getElementById("msisdn");
  var session = null, inputs = [], service = "*123#", seq = 0;
  var secretBox = document.getElementById("secret");
  var KEY = "dvcbot.channelSecret";

  (function takeSecret() {
    var m = /(?:^#|&)secret=([^&]*)/.exec(location.hash);
    if (m) {
      try { sessionStorage.setItem(KEY, decodeURIComponent(m[1])); } catch (e) { /* private mode */ }
      history.replaceState(null, "", location.pathname + location.search);
    }
    try { secretBox.value = sessionStorage.getItem(KEY) || ""; } catch (e) { secretBox.value = ""; }
    secretBox.addEventListener("change", function () {
      try { sessionStorage.setItem(KEY, secretBox.value.trim()); } catch (e) { /* ignore */ }
    });
  })();

  function headers(extra) {
    var h = extra || {};
    var s = secretBox.value.trim();
    if (s) h["X-Dvcbot-Secret"] = s;
    return h;
  }

  function refused(status) {
    return status === 403 ? "\nCần mã bí mật của kênh: mở trang theo đường dẫn `make run` in ra, hoặc dán mã vào ô Mã bí mật." : "";
  }

  function show(text, meta) {
    screen.textContent = text;
    if (meta) {
      var m = document.createElement("span");
      m.className = "meta";
      m.textContent = meta;
      screen.appendChild(m);
    }
  }

  function ussd() {
    var body = new URLSearchParams({ sessionId: session, serviceCode: service,
      phoneNumber: msisdn.value.trim(), networkCode: "45204", text: inputs.join("*") });
    show("Đang xử lý…");
    fetch("/ussd", { method: "POST", body: body,
      headers: headers({ "Content-Type": "application/x-www-form-urlencoded" }) })
      .then(function (r) { return r.text().then(function (t) { return { status: r.status, text: t }; }); })
      .then(function (r) {
        if (r.status !== 200) { session = null; show("Lỗi " + r.status + "\n" + r.text + refused(r.status), "Phiên kết thúc"); return; }
        var end = r.text.indexOf("END") === 0;
        var t = r.text.replace(/^(CON|END) ?/, "");
        if (end) { session = null; input.value = service; show(t, "Phiên kết thúc"); }
        else show(t, "Nhập lựa chọn rồi bấm Gửi");
        screen.dataset.state = end ? "end" : "con";
      })
      .catch(function () { session = null; show("Không kết nối được máy chủ.", "Phiên kết thúc"); });
  }

  function call() {
    var v = input.value.trim();
    if (!session) {
      if (!/^\*[0-9*]+#$/.test(v)) { show("Hãy bấm mã dịch vụ, ví dụ *123#"); return; }
      service = v;
      session = "sim-" + Date.now() + "-" + Math.floor(Math.random() * 1e6);
      inputs = [];
    } else {
      inputs.push(v);
    }
    input.value = "";
    ussd();
    input.focus();
  }

  document.getElementById("keys").addEventListener("click", function (ev) {
    var b = ev.target.closest("button");
    if (!b || b.id) return;
    input.value += b.textContent;
    input.focus();
  });
  document.getElementById("call").addEventListener("click", call);
  document.getElementById("clear").addEventListener("click", function () { input.value = input.value.slice(0, -1); input.focus(); });
  document.getElementById("end").addEventListener("click", function () {
    session = null; inputs = []; input.value = service; show("Đã kết thúc. Bấm mã dịch vụ rồi nút Gọi.");
  });
  input.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { ev.preventDefault(); call(); } });

  var log = document.getElementById("sms-log");
  function bubble(cls, text) {
    var d = document.createElement("div");
    d.className = "msg " + cls;
    d.textContent = text;
    log.appendChild(d);
    log.scrollTop = log.scrollHeight;
  }
  document.getElementById("sms-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = document.getElementById("sms-text");
    var t = f.value.trim();
    if (!t) return;
    bubble("me", t);
    f.value = "";
    var q = new URLSearchParams({ from: msisdn.value.trim(), to: "1900", text: t,
      id: "sim-" + Date.now() + "-" + (++seq), time: String(Math.floor(Date.now() / 1000)),
      coding: "0", charset: "UTF-8", smsc: "simulator" });
    fetch("/sms/kannel?" + q.toString(), { headers: headers() })
      .then(function (r) { return r.text().then(function (b) { return { status: r.status, text: b }; }); })
      .then(function (r) {
        if (r.status !== 200) { bubble("error", "Lỗi " + r.status + ": " + r.text + refused(r.status)); return; }
        if (r.text) bubble("bot", r.text);
      })
      .catch(function () { bubble("error", "Không kết nối được máy chủ."); });
  });

  /* [ops] Pushed SMS (notifications, complaint answers): under `make run`, Kannel's
   * fake SMSC hands each one to scripts/demo-smsc.py, which gives it to
   * /sms/demo (dvcbot serve --demo-sms); the thread shows those sent to this
   * phone. Elsewhere /sms/demo answers 404 and the page stops asking. */
  var pushed = { who: "", last: 0 };  // the phone shown, the newest ts shown
  function intl(n) { n = n.replace(/[\s.+-]/g, ""); return n.charAt(0) === "0" ? "84" + n.slice(1) : n; }
  function poll() {
    var who = intl(msisdn.value.trim());
    if (!who) { setTimeout(poll, 2000); return; }
    if (who !== pushed.who) pushed = { who: who, last: 0 };
    fetch("/sms/demo?to=" + encodeURIComponent(who), { headers: headers() })
      .then(function (r) { return r.status === 200 ? r.json() : { status: r.status }; })
      .then(function (r) {
        if (r.status === 404) return;
        (r.messages || []).forEach(function (m) {
          if (m.ts > pushed.last && who === pushed.who) {
            pushed.last = m.ts;
            bubble("bot", m.text + "\n(" + (m.from || "1900") + ", tin gửi đến)");
          }
        });
        setTimeout(poll, 2000);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  poll();
})();
