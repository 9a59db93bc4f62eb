// Kujdes offline registration (issue 13; docs/offline.md). Progressive enhancement: without
// this script the registration form posts as usual. With it, a registration made with no
// connection is kept on the device in IndexedDB, encrypted with AES-GCM under the officer's
// outbox key, and sent by itself through the JSON API, each with its Idempotency-Key, when the
// connection returns. The key comes from the server (GET /api/v1/me/outbox-key) and is kept
// only in this tab (memory and sessionStorage), never beside the records.
"use strict";
(() => {
  const S = document.getElementById("outbox-strings");
  if (!S || !window.indexedDB || !window.crypto || !crypto.subtle || !window.fetch) return;
  const lang = S.dataset.lang, user = S.dataset.user;
  const DB = "kujdes-outbox", STORE = "items", KEY = "kujdes-outbox-key", DECIDING = "kujdes-outbox-deciding";
  const path = location.pathname;
  const form = path === "/register" ? document.getElementById("register-form") : null;
  const $ = (id) => document.getElementById(id);
  const msg = (k) => (S.querySelector(`[data-k="${k}"]`) || {}).textContent || "";
  const plural = (k, n) => {
    const pr = new Intl.PluralRules(lang), cat = pr.select(n);
    const forms = [...S.querySelectorAll(`[data-p="${k}"]`)];
    const f = forms.find((e) => pr.select(Number(e.dataset.n)) === cat) || forms[forms.length - 1];
    return f ? f.textContent.replace("{n}", new Intl.NumberFormat(lang).format(n)) : "";
  };

  // ---- IndexedDB: one store of sealed records {id, user, key_id, created, state, attempts, next, iv, data}.
  //
  // An open request can go unanswered: a page that leaves while it is creating the database
  // (Chromium keeps it in the back/forward cache, frozen) holds every later open of that
  // database until it is evicted; our browser tests met this about once in ten sign-ins. So
  // the outbox is created only by keeping a registration, on the page that stays to see it
  // kept (exists() lets every other use skip an outbox that is not there), and every wait on
  // IndexedDB ends: an open that has not answered in OPEN_WAIT ms fails, and the officer is told.
  const OPEN_WAIT = 8000;
  const within = (p, what) => Promise.race([p, new Promise((_, fail) => setTimeout(() => fail(new Error(what)), OPEN_WAIT))]);
  const exists = async () => {
    if (!indexedDB.databases) return true; // cannot tell: open it, as before
    return (await within(indexedDB.databases(), "the outbox did not answer")).some((d) => d.name === DB);
  };
  const openDB = () => new Promise((ok, fail) => {
    let done = false;
    const end = (f, v) => { if (!done) { done = true; clearTimeout(timer); f(v); return true; } return false; };
    const timer = setTimeout(() => end(fail, new Error("the outbox did not open")), OPEN_WAIT);
    const r = indexedDB.open(DB, 1);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "id" });
    r.onsuccess = () => {
      const db = r.result;
      db.onversionchange = () => db.close(); // a sign-out in another tab deletes the outbox
      if (!end(ok, db)) db.close(); // answered too late: nobody waits for it now
    };
    r.onerror = () => end(fail, r.error);
    r.onblocked = () => end(fail, new Error("blocked"));
  });
  // run settles on every ending of its transaction — completed, failed, aborted (a full disk
  // aborts without an error event) or refused at once — so no caller waits forever. Only
  // put() creates the outbox; on a device without one, every other use finds nothing to do.
  const run = async (mode, fn, create) => {
    if (!create && !(await exists())) return undefined;
    const db = await openDB();
    return new Promise((ok, fail) => {
      const t = db.transaction(STORE, mode);
      let req;
      t.oncomplete = () => { db.close(); ok(req && req.result); };
      t.onerror = () => { db.close(); fail(t.error); };
      t.onabort = () => { db.close(); fail(t.error || new Error("aborted")); };
      try { req = fn(t.objectStore(STORE)); } catch (e) { t.abort(); }
    });
  };
  const all = async () => (await run("readonly", (s) => s.getAll())) || [];
  const put = (item) => run("readwrite", (s) => s.put(item), true);
  const del = (id) => run("readwrite", (s) => s.delete(id));
  // change rewrites a record's sending state, unless it was discarded meanwhile.
  const change = (id, fn) => run("readwrite", (s) => {
    const g = s.get(id);
    g.onsuccess = () => { if (g.result) s.put(fn(g.result)); };
    return g;
  });
  const mine = async () => (await all()).filter((i) => i.user === user).sort((a, b) => a.created - b.created);

  // ---- The key: fetched while online, kept in this tab only.
  // Once signing out has begun (leaving), no key is fetched or kept again: the sender, still
  // retrying, would otherwise fetch it anew between the sign-out's removal and the sign-out.
  let key = null, leaving = false;
  const b64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  async function getKey(mayFetch) {
    if (key) return key;
    if (leaving) return null;
    let slot = null;
    try { slot = JSON.parse(sessionStorage.getItem(KEY) || "null"); } catch (e) { slot = null; }
    if (slot && slot.user !== user) { sessionStorage.removeItem(KEY); slot = null; }
    if (!slot && mayFetch && navigator.onLine) {
      try {
        const r = await fetch("/api/v1/me/outbox-key", { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (r.ok) {
          const j = await r.json();
          if (leaving) return null;
          slot = { user, id: j.key_id, k: j.key };
          sessionStorage.setItem(KEY, JSON.stringify(slot));
        }
      } catch (e) { slot = null; }
    }
    if (!slot) return null;
    const k = await crypto.subtle.importKey("raw", b64(slot.k), "AES-GCM", false, ["encrypt", "decrypt"]);
    if (leaving) return null;
    key = { id: slot.id, k };
    return key;
  }
  const te = new TextEncoder(), td = new TextDecoder();
  async function seal(k, id, obj) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: te.encode(id) }, k.k, te.encode(JSON.stringify(obj)));
    return { iv, data };
  }
  async function unseal(k, item) {
    if (!k || item.key_id !== k.id) return null;
    const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: item.iv, additionalData: te.encode(item.id) }, k.k, item.data);
    return JSON.parse(td.decode(plain));
  }

  // ---- The form's fields as the JSON API wants them (as frontend/register.go reads the form).
  function body(pairs) {
    const get = (n) => { const p = pairs.find((x) => x[0] === n); return p ? p[1] : ""; };
    const has = (n) => pairs.some((x) => x[0] === n);
    const list = (n) => pairs.filter((x) => x[0] === n).map((x) => x[1]);
    const age = (n) => { const v = get(n).trim(); if (!v) return undefined; const x = Number(v); return Number.isInteger(x) ? x : -1; };
    const b = {
      given_name: get("given_name"), family_name: get("family_name"),
      given_name_latin: get("given_name_latin"), family_name_latin: get("family_name_latin"),
      aliases: get("aliases").split("\n").map((s) => s.trim()).filter(Boolean),
      sex: get("sex"), birth_date: get("birth_date"), age_min: age("age_min"), age_max: age("age_max"),
      nationalities: ["nationality_1", "nationality_2"].map(get).filter(Boolean),
      languages: list("languages"), protection_status: get("protection_status"),
      vulnerabilities: list("vulnerabilities"), special_needs: get("special_needs"),
      trafficking_indicators: list("trafficking_indicators"), trafficking_notes: get("trafficking_notes"),
      vulnerabilities_assessed: get("vulnerabilities_assessed") !== "",
      arrival: {
        arrived_at: get("arrived_at"), border_post_code: get("border_post_code"), region_code: get("region_code"),
        location: get("location"), how_found: get("how_found"), notes: get("arrival_notes"),
        accompanying_adults: [], documents: [],
      },
    };
    for (let i = 0; has(`adult_${i}_relation`) || has(`document_${i}_type`); i++) {
      const rel = get(`adult_${i}_relation`).trim(), name = get(`adult_${i}_name`).trim();
      if (rel || name) b.arrival.accompanying_adults.push({ relation: rel, name, verified: get(`adult_${i}_verified`) !== "" });
      const typ = get(`document_${i}_type`);
      if (typ) b.arrival.documents.push({ type: typ, number: get(`document_${i}_number`).trim(), country: get(`document_${i}_country`).trim().toUpperCase() });
    }
    return b;
  }

  // ---- Sending: one at a time (a lock across tabs), each with its key; backoff on failure.
  let timer = 0, busy = false, stopped = "";
  const notice = (text, cls) => {
    const n = $("outbox-notice");
    if (!n) return;
    n.className = cls || "success";
    n.textContent = text;
    n.hidden = !text;
  };
  async function flush() {
    if (busy || !navigator.onLine) return;
    busy = true;
    try {
      const go = async () => {
        if (!(await mine()).some((i) => i.state === "waiting")) return;
        const k = await getKey(true);
        if (!k) return;
        const sent = [];
        let limited = "";
        for (const item of await mine()) {
          if (item.state !== "waiting" || item.key_id !== k.id || item.next > Date.now() || !navigator.onLine) continue;
          let p = null;
          try { p = await unseal(k, item); } catch (e) { continue; } // sealed under another key: left as it is
          let res;
          try {
            res = await fetch("/api/v1/registrations", {
              method: "POST", credentials: "same-origin",
              headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": lang, "Idempotency-Key": p.key },
              body: JSON.stringify(body(p.pairs)),
            });
          } catch (e) { res = null; } // no answer: it may or may not have arrived; the key makes the retry safe
          if (res && res.status === 201) {
            const j = await res.json();
            await del(item.id);
            sent.push(j.registration_number);
          } else if (res && [400, 409, 422].includes(res.status)) {
            // Possible duplicates, or input the server refused: the officer decides.
            await change(item.id, (r) => Object.assign(r, { state: "decision" }));
          } else if (res && (res.status === 401 || res.status === 403)) {
            stopped = res.status === 401 ? msg("signin") : msg("forbidden");
            break;
          } else {
            const attempts = (item.attempts || 0) + 1;
            const wait = res && res.headers.get("Retry-After") ? Number(res.headers.get("Retry-After")) * 1000 : 0;
            const next = Date.now() + Math.max(wait, Math.min(300000, 2000 * 2 ** attempts) * (0.5 + Math.random() / 2));
            await change(item.id, (r) => Object.assign(r, { attempts, next }));
            if (res && res.status === 429) {
              // Over the officer's limit of duplicate checks: every other registration would be
              // refused too (and each refusal audited), so they all wait as long.
              for (const other of await mine()) {
                if (other.state === "waiting" && other.id !== item.id && (other.next || 0) < next) {
                  await change(other.id, (r) => Object.assign(r, { next }));
                }
              }
              limited = plural("limited", Math.max(1, Math.ceil((next - Date.now()) / 60000)));
              break;
            }
          }
        }
        if (sent.length || limited) {
          notice(sent.map((n) => msg("sent").replace("{number}", n)).concat(limited || []).join(" "), limited ? "alert" : "success");
        }
      };
      if (navigator.locks) await navigator.locks.request("kujdes-outbox", go);
      else await go();
    } catch (e) {
      // The outbox could not be read or written: nothing was lost; show() says so.
    } finally {
      busy = false;
      await show();
      schedule();
    }
  }
  async function schedule() {
    clearTimeout(timer);
    let items;
    try { items = await mine(); } catch (e) { return; } // show() has said so
    const next = items.filter((i) => i.state === "waiting").map((i) => i.next || 0);
    if (next.length && !stopped) timer = setTimeout(flush, Math.max(1000, Math.min(...next) - Date.now()));
  }

  // ---- What waits: a hint on every page, the list on the registration page.
  const armed = new Set();
  let drawn = 0;
  async function show() {
    const gen = ++drawn; // calls overlap (events, sends): only the latest one draws
    let items;
    try { items = await mine(); } catch (e) {
      // The device's storage does not answer: say so where registrations are kept.
      if (form && gen === drawn) notice(msg("unavailable"), "alert");
      return;
    }
    const waiting = items.filter((i) => i.state === "waiting").length, toDecide = items.length - waiting;
    const parts = [];
    if (waiting) parts.push(plural("waiting", waiting));
    if (toDecide) parts.push(plural("decide", toDecide));
    let hint = $("outbox-hint");
    if (!form) {
      if (gen !== drawn) return;
      const main = document.getElementById("main");
      if (!hint && parts.length && main) {
        hint = document.createElement("p");
        hint.id = "outbox-hint";
        hint.className = "alert outbox-hint";
        hint.innerHTML = '<a href="/register#outbox"></a>';
        main.prepend(hint);
      }
      if (hint) { hint.hidden = !parts.length; hint.firstChild.textContent = parts.join(" · "); }
      return;
    }
    const k = await getKey(false);
    const lis = [];
    for (const item of items) {
      let p = null;
      try { p = await unseal(k, item); } catch (e) { p = null; }
      const li = document.createElement("li");
      const name = document.createElement("bdi");
      name.dir = "auto";
      name.textContent = p ? p.label : msg("sealed");
      const when = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(item.created));
      li.append(name, ` · ${when} · `, msg(item.state === "waiting" ? "waiting" : "decision"));
      if (p && item.state === "decision") li.append(" ", button(msg("decide"), "", () => decide(item, p)));
      // Discarding asks twice ("Discard", then "Discard for good"); the list is redrawn after
      // every sending attempt, so which records are asked about is kept here.
      li.append(" ", button(msg(armed.has(item.id) ? "discard_sure" : "discard"), "secondary", async (ev) => {
        if (!armed.has(item.id)) { armed.add(item.id); ev.currentTarget.textContent = msg("discard_sure"); return; }
        armed.delete(item.id);
        await del(item.id);
        await show();
      }));
      lis.push(li);
    }
    if (gen !== drawn) return;
    $("outbox").hidden = !items.length && !stopped;
    $("outbox-summary").textContent = [parts.join(" · "), stopped, navigator.onLine ? "" : msg("offline")].filter(Boolean).join(" · ");
    $("outbox-list").replaceChildren(...lis);
    $("outbox-send").parentElement.hidden = !waiting; // the button's own display rule would win over hidden
  }
  function button(text, cls, fn) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = text;
    b.addEventListener("click", fn);
    return b;
  }

  // The duplicate decision is the usual one: the kept registration goes into the form and is
  // posted, with its idempotency key, to /register, which shows the candidates (or the errors).
  // The record leaves the outbox when that registration is done.
  function decide(item, p) {
    if (!navigator.onLine) { notice(msg("offline"), "alert"); return; }
    for (const el of form.elements) {
      if (!el.name || el.name === "idempotency_key" || el.type === "submit") continue;
      const vals = p.pairs.filter((x) => x[0] === el.name).map((x) => x[1]);
      if (el.type === "checkbox" || el.type === "radio") el.checked = vals.includes(el.value);
      else el.value = vals[0] || "";
    }
    form.elements.idempotency_key.value = p.key;
    sessionStorage.setItem(DECIDING, JSON.stringify({ id: item.id, key: p.key }));
    form.submit();
  }

  // ---- Keep a registration made without a connection.
  async function keep(ev) {
    if (navigator.onLine) return; // posted as usual
    ev.preventDefault();
    const k = await getKey(false);
    if (!k) { notice(msg("no_key"), "alert"); return; }
    const pairs = [...new FormData(form, ev.submitter || null)].filter((x) => x[0] !== "idempotency_key" && typeof x[1] === "string");
    const get = (n) => (pairs.find((x) => x[0] === n) || [0, ""])[1].trim();
    const id = crypto.randomUUID();
    const label = [get("given_name"), get("family_name")].filter(Boolean).join(" ") || [get("given_name_latin"), get("family_name_latin")].filter(Boolean).join(" ");
    // Not kept (the device's storage refused it): say so, and leave the form as it is.
    try {
      const sealed = await seal(k, id, { key: crypto.randomUUID(), label, pairs });
      await put({ id, user, key_id: k.id, created: Date.now(), state: "waiting", attempts: 0, next: 0, iv: sealed.iv, data: sealed.data });
    } catch (e) {
      notice(msg("not_kept"), "alert");
      return;
    }
    const arrived = form.elements.arrived_at && form.elements.arrived_at.value;
    form.reset();
    notice(msg("kept"));
    if (arrived) form.elements.arrived_at.value = arrived;
    await show();
    $("outbox-notice").scrollIntoView({ block: "center" });
  }

  // ---- Sign-out: the key and the kept page go; the outbox only once it is empty.
  function signOut(f) {
    f.addEventListener("submit", async (ev) => {
      if (f.dataset.go) return;
      ev.preventDefault();
      // An outbox that cannot be read counts as not empty: it is kept, never deleted unread.
      let n = -1;
      try { n = (await mine()).length; } catch (e) { n = -1; }
      if (n > 0 && !f.dataset.keep) {
        let w = $("signout-warning");
        if (!w) {
          w = document.createElement("div");
          w.id = "signout-warning";
          w.className = "alert";
          w.setAttribute("role", "alert");
          const p = document.createElement("p");
          p.textContent = plural("signout", n);
          const go = button(msg("signout_keep"), "", () => { f.dataset.keep = "1"; f.requestSubmit(); });
          const see = document.createElement("a");
          see.href = "/register#outbox";
          see.textContent = msg("signout_see");
          w.append(p, go, " ", see);
          document.getElementById("main").prepend(w);
        }
        w.querySelector("button").focus();
        return;
      }
      leaving = true;
      key = null;
      sessionStorage.removeItem(KEY);
      sessionStorage.removeItem(DECIDING);
      if (window.caches) await caches.delete("kujdes-pages");
      // The outbox goes only when nothing in it waits, another officer's records included.
      let everyone = -1;
      try { everyone = (await all()).length; } catch (e) { everyone = -1; }
      if (everyone === 0) {
        const gone = new Promise((ok) => { const r = indexedDB.deleteDatabase(DB); r.onsuccess = r.onerror = r.onblocked = () => ok(); });
        await within(gone, "the outbox was not deleted").catch(() => {});
      }
      sessionStorage.removeItem(KEY); // again: a fetch begun before leaving may have kept it
      f.dataset.go = "1";
      f.submit();
    });
  }

  document.querySelectorAll('form[action="/logout"]').forEach(signOut);
  if (path === "/register/done") {
    try {
      const d = JSON.parse(sessionStorage.getItem(DECIDING) || "null");
      if (d) { sessionStorage.removeItem(DECIDING); del(d.id).catch(() => {}); }
    } catch (e) { /* nothing to clear */ }
  }
  if (form) {
    try {
      const d = JSON.parse(sessionStorage.getItem(DECIDING) || "null");
      if (d && form.elements.idempotency_key.value !== d.key) sessionStorage.removeItem(DECIDING);
    } catch (e) { sessionStorage.removeItem(DECIDING); }
    form.addEventListener("submit", keep);
    $("outbox-send").addEventListener("click", () => {
      stopped = "";
      mine().then((items) => Promise.all(items.map((i) => change(i.id, (r) => Object.assign(r, { next: 0 }))))).then(flush, show);
    });
    if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/register" }).catch(() => {});
    getKey(true).then(show);
  }
  window.addEventListener("online", () => { stopped = ""; flush(); });
  window.addEventListener("offline", show);
  show().then(flush);
})();
