/* i18n.js -- the pages' texts: /texts.json holds the "web." keys of
 * config/messages.vi.json ({key: {vi, en}}); elements name theirs with
 * data-t (text), data-t-placeholder, data-t-label (aria-label), data-t-title.
 * The language is kept in localStorage ("dvcbot.lang"). Loaded before the
 * page's own script; window.dvcI18n. */
(function () {
  "use strict";
  var texts = {}, lang = "vi", ready = [], loaded = false;
  try { lang = localStorage.getItem("dvcbot.lang") === "en" ? "en" : "vi"; } catch (e) { /* private mode */ }

  function t(key, vars) {
    var e = texts[key], s = e ? (e[lang] || e.vi) : key;
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split("{" + k + "}").join(String(vars[k])); });
    return s;
  }

  function apply(root) {
    var r = root || document;
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(r.querySelectorAll("[data-t]"), function (el) { el.textContent = t(el.dataset.t); });
    [["data-t-placeholder", "placeholder"], ["data-t-label", "aria-label"], ["data-t-title", "title"]].forEach(function (p) {
      Array.prototype.forEach.call(r.querySelectorAll("[" + p[0] + "]"), function (el) { el.setAttribute(p[1], t(el.getAttribute(p[0]))); });
    });
    var title = document.querySelector("meta[name=dvc-title]");
    if (title) document.title = t(title.content) + " – " + t("web.portal");
  }

  function setLang(l) {
    lang = l === "en" ? "en" : "vi";
    try { localStorage.setItem("dvcbot.lang", lang); } catch (e) { /* ignore */ }
    apply();
  }

  function onReady(fn) { if (loaded) fn(); else ready.push(fn); }

  fetch("/texts.json").then(function (r) { return r.json(); }).then(function (j) { texts = j; })
    .catch(function () { /* keys are shown */ })
    .then(function () { loaded = true; apply(); ready.splice(0).forEach(function (fn) { fn(); }); });

  window.dvcI18n = { t: t, apply: apply, setLang: setLang, lang: function () { return lang; }, ready: onReady };
})();
