/* pages.js -- the browser checks of issue 19, called by run.js with its
 * harness: every page at 360x640 and 1366x768 (and the chat at 320 and
 * 430 px) fits the viewport (no element past the right edge; on the chat page
 * none past the bottom either, so the composer is always visible), axe-core
 * finds no serious or critical violation (contrast included), the page makes
 * no request off this server (works offline, no CDN), and its weight (bytes
 * of every response) is printed. Plus: ?user= cannot fix a chat id, the
 * Vietnamese/English switch, the portal's identity, /thong-ke's charts and
 * tables, /stats redirect. Screenshots on failure: build/e2e-*.png (run.js). */
"use strict";
const fs = require("fs");
const path = require("path");

/* axe-core and the served Chart.js come from npm (tests/e2e, web/): without
 * them (no `make deps` yet) their checks are skipped, unless DVC_REQUIRE_E2E
 * (make test) makes that a failure, as tests/run-all.sh does for the suite. */
const REQUIRE = !!process.env.DVC_REQUIRE_E2E;
let AXE = null;
try { AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"); } catch (e) { AXE = null; }
const CHARTJS = fs.existsSync(path.join(__dirname, "../../web/vendor/chart.umd.js"));
const VIEWPORTS = [{ width: 360, height: 640 }, { width: 1366, height: 768 }];
const weights = {};

/* Elements outside the viewport: right edge always, bottom when fixedHeight.
 * What a scroll container clips (a wide table in its keyboard-scrollable
 * region, the chat log) is measured as the part that shows. */
async function outside(page, fixedHeight) {
  return page.evaluate((fh) => {
    const out = [];
    const clip = (e) => {
      const r = e.getBoundingClientRect();
      let b = { left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height };
      for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
        const cs = getComputedStyle(a);
        if (cs.overflowX === "visible" && cs.overflowY === "visible") continue;
        const ar = a.getBoundingClientRect();
        if (cs.overflowX !== "visible") { b.left = Math.max(b.left, ar.left); b.right = Math.min(b.right, ar.right); }
        if (cs.overflowY !== "visible") { b.top = Math.max(b.top, ar.top); b.bottom = Math.min(b.bottom, ar.bottom); }
      }
      b.width = b.right - b.left;
      b.height = b.bottom - b.top;
      return b;
    };
    for (const e of document.querySelectorAll("body *")) {
      if (getComputedStyle(e).visibility === "hidden" || e.closest("dialog:not([open])")) continue;
      const b = clip(e);
      if (b.width <= 0 || b.height <= 0) continue;
      if (b.right > innerWidth + 0.5 || b.left < -0.5 || (fh && b.bottom > innerHeight + 0.5))
        out.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${e.className} ${Math.round(b.left)}..${Math.round(b.right)} x ..${Math.round(b.bottom)}`);
    }
    const d = document.documentElement;
    if (d.scrollWidth > innerWidth) out.push(`page scrolls sideways: ${d.scrollWidth} > ${innerWidth}`);
    return out;
  }, fixedHeight);
}

async function axe(page) {
  if (!AXE) return null;
  await page.evaluate(AXE);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length,
    where: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
}

/* Open path, count every response's bytes and every request off this server. */
async function open(h, page, path_, ready) {
  const cdp = await page.context().newCDPSession(page);       /* weigh every file: no cache */
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const foreign = [];
  let bytes = 0;
  const onReq = (r) => { if (!r.url().startsWith(h.s.base) && !/^(data|blob):/.test(r.url())) foreign.push(r.url()); };
  /* dvcbot sends Content-Length on every answer: the body's bytes, as sent */
  const onResp = (r) => { bytes += Number(r.headers()["content-length"] || 0); };
  page.on("request", onReq);
  page.on("response", onResp);
  await page.goto(h.s.base + path_);
  await ready();
  await page.waitForTimeout(300);
  page.off("request", onReq);
  page.off("response", onResp);
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: false });
  await cdp.detach();
  return { foreign, bytes };
}

const READY = {
  "/": (p) => p.locator("#log .msg.bot").first().waitFor({ timeout: 8000 }),
  "/simulator": (p) => p.locator("#screen").waitFor(),
  "/agent": (p) => p.locator("#login-h").filter({ hasText: /\S/ }).waitFor(),
  "/thong-ke": (p) => p.locator("body[data-ready='1']").waitFor({ timeout: 8000 }),
};

async function everyPage(h) {
  const page = await h.ctx.newPage();
  for (const vp of VIEWPORTS) {
    for (const p of Object.keys(READY)) {
      const tag = `${p === "/" ? "chat" : p.slice(1)}-${vp.width}`;
      await h.test(`page ${tag}`, () => ({ [tag]: page }), async () => {
        await page.setViewportSize(vp);
        if (p === "/") await page.goto(`${h.s.base}/texts.json`).then(() => page.evaluate(() => localStorage.clear()));
        const { foreign, bytes } = await open(h, page, p, () => READY[p](page));
        if (!(p in weights)) weights[p] = bytes;      /* the first, uncached load */
        h.ok(foreign.length === 0, `${tag}: no request leaves this server (offline, no CDN)`, foreign.join("\n"));
        const out = await outside(page, p === "/");
        h.ok(out.length === 0, `${tag}: no element outside the ${vp.width}x${vp.height} viewport`, out.join("\n"));
        await axeNow(h, page, tag);
      });
    }
  }
  await page.close();
}

async function chatLayout(h) {
  const page = await h.ctx.newPage();
  for (const vp of [{ width: 320, height: 568 }, { width: 360, height: 640 }, { width: 430, height: 932 },
    { width: 1366, height: 768 }]) {
    await h.test(`chat layout ${vp.width}`, () => ({ chat: page }), async () => {
      await h.citizen(page, h.s, vp);
      const hd = await page.locator("header").boundingBox();
      const cp = await page.locator("#composer").boundingBox();
      h.ok(hd.height <= 56, `chat ${vp.width}: the header is one line`, hd.height);
      h.ok(cp.y + cp.height <= vp.height + 0.5 && cp.y > vp.height / 3, `chat ${vp.width}: the typing box is on screen`, JSON.stringify(cp));
      const out = await outside(page, true);
      h.ok(out.length === 0, `chat ${vp.width}: no element outside the viewport`, out.join("\n"));
      /* the on-screen keyboard: a shorter visible height keeps the composer on screen */
      await page.setViewportSize({ width: vp.width, height: Math.round(vp.height * 0.55) });
      await page.waitForTimeout(150);
      const cp2 = await page.locator("#composer").boundingBox();
      h.ok(cp2.y + cp2.height <= Math.round(vp.height * 0.55) + 0.5, `chat ${vp.width}: the typing box stays visible above a keyboard`, JSON.stringify(cp2));
    });
  }
  await page.close();
}

async function identityAndLanguage(h) {
  const page = await h.ctx.newPage();
  for (const vp of VIEWPORTS) await h.test(`identity ${vp.width}`, () => ({ chat: page }), async () => {
    await h.citizen(page, h.s, vp);
    const greet = await page.locator("#log .msg.bot").first().textContent();
    h.ok(/Anh\/Chị/.test(greet) && !/\bbạn\b/i.test(greet), "the greeting uses Anh/Chị", greet);
    const foot = await page.locator("footer").textContent();
    h.ok(foot.includes("18001096") && await page.locator('footer a[href="https://dichvucong.gov.vn"]').isVisible() &&
      await page.locator('footer a[href="tel:18001096"]').isVisible(), "the portal's hotline and link are on the page", foot);
    h.ok(/Cổng Dịch vụ công quốc gia/.test(await page.title()), "the page names the portal", await page.title());
    await page.locator("#privacy-open").click();
    h.ok(/Nghị định 13\/2023/.test(await page.locator("#privacy").textContent()), "the personal-data notice opens from the footer");
    await page.keyboard.press("Escape");
    await page.locator("#lang").click();
    await page.locator("#log .msg.bot", { hasText: "Hello" }).last().waitFor();
    h.ok(await page.locator("#send").textContent() === "Send" && await page.evaluate(() => document.documentElement.lang) === "en",
      "English: the page's texts switch");
    h.ok(true, "English: the bot answers in English");
    await page.locator("#text").fill("HD");
    await page.keyboard.press("Enter");
    await page.locator("#log .msg.bot", { hasText: "Pick one of the options" }).last().waitFor();
    h.ok(true, "English: the session stays in English");
    await page.locator("#lang").click();
    await page.locator("#log .msg.bot", { hasText: "Xin chào" }).last().waitFor();
    h.ok(await page.locator("#send").textContent() === "Gửi", "back to Vietnamese");
  });
  await h.test("session id", () => ({ chat: page }), async () => {
    await page.goto(`${h.s.base}/texts.json`);
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${h.s.base}/?user=fixed-by-attacker-42`);
    await page.locator("#log .msg.bot").first().waitFor();
    const id = await page.evaluate(() => window.dvcbotChat.user());
    h.ok(id !== "fixed-by-attacker-42" && /^w-[0-9a-f]{32}$/.test(id), "a link cannot choose the chat id", id);
    h.ok(!page.url().includes("user="), "?user= is taken out of the address bar", page.url());
    await page.goto(`${h.s.base}/`);
    h.ok(await page.evaluate(() => localStorage.getItem("dvcbot.user")) === id, "later visits keep the server's id");
  });
  await page.close();
}

async function statistics(h) {
  const page = await h.ctx.newPage();
  await h.test("thong-ke", () => ({ stats: page }), async () => {
    const r = await fetch(`${h.s.base}/stats`, { redirect: "manual" });
    h.ok(r.status === 301 && r.headers.get("location") === "/thong-ke", "/stats redirects to /thong-ke", r.status);
    const j = await (await fetch(`${h.s.base}/api/v1/stats/public`)).json();
    h.ok(j.dossiers && j.ratings && Array.isArray(j.ratings.distribution) && j.complaints &&
      "median_answer_s" in j.complaints && j.messages && j.messages.by_channel, "GET /api/v1/stats/public has every aggregate", JSON.stringify(j));
    await page.setViewportSize(VIEWPORTS[0]);
    await page.goto(`${h.s.base}/thong-ke`);
    await READY["/thong-ke"](page);
    if (CHARTJS || REQUIRE) h.ok(await page.locator("canvas").count() >= 2, "charts are drawn (Chart.js from this server)");
    else console.log("ok - charts # SKIP web/vendor/chart.umd.js not built (make deps, make)");
    const rating = page.locator("table.figures", { hasText: "theo cơ quan" }).first();
    h.ok(await page.locator("table.figures").count() >= 5, "every chart has a table for screen readers");
    h.ok((await rating.textContent()).includes("000.00.12.H18"), "the tables name the agencies", await rating.textContent());
    h.ok(/[1-9]/.test(await page.locator("table.figures").first().locator("tbody").textContent()), "the month table has figures");
    h.ok(j.csat && j.csat.count >= 1 && j.csat.distribution[4] >= 1 && !("by_operator" in j.csat),
      "the operators' CSAT is published all together, never per operator", JSON.stringify(j.csat));
  });
  await page.close();
}

async function run(h) {
  await identityAndLanguage(h);
  await chatLayout(h);
  await statistics(h);
  await everyPage(h);
  for (const [k, v] of Object.entries(weights)) console.log(`# page weight ${k} (uncached): ${(v / 1024).toFixed(1)} KB`);
}

/* axe on the page as it is now; prints the result, checks serious/critical. */
async function axeNow(h, page, tag) {
  const v = await axe(page);
  if (!v) {
    if (REQUIRE) h.ok(false, `${tag}: axe-core is not installed (tests/e2e: npm ci)`);
    else console.log(`ok - ${tag}: axe-core # SKIP not installed (make deps)`);
    return;
  }
  console.log(`# axe ${tag}: ${v.length ? v.map((x) => `${x.impact} ${x.id} (${x.nodes})`).join(", ") : "no violations"}`);
  const bad = v.filter((x) => x.impact === "serious" || x.impact === "critical");
  h.ok(bad.length === 0, `${tag}: axe-core finds no serious or critical violation`, JSON.stringify(bad, null, 1));
}

module.exports = { run, axeNow };
