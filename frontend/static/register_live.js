// The registration form while it is typed (issue 13): the Latin spelling of a name written in
// another script, and the children already registered who may be this one. Both only help:
// the page works without this script (the server suggests the spelling on saving, and checks
// for duplicates before saving), and nothing here is sent while the device is offline.
"use strict";
{
  const form = document.getElementById("register-form");
  const live = document.getElementById("live-duplicates");
  const $ = (id) => document.getElementById(id);
  const lang = document.documentElement.lang;
  const post = async (path, body) => {
    if (!navigator.onLine) return null;
    try {
      const res = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": lang },
        body: JSON.stringify(body),
      });
      if (res.status === 429) return { refused: Number(res.headers.get("Retry-After")) || 60 };
      return res.ok ? res.json() : null; // 422 (not enough yet): no hint
    } catch (e) { return null; }
  };
  const later = (fn, ms) => { let t; return () => { clearTimeout(t); t = setTimeout(fn, ms); }; };

  // The Latin spelling: a Latin field the officer has not written follows the name.
  const pairs = [["given_name", "given_name_latin"], ["family_name", "family_name_latin"]];
  const nonLatin = /[^\u0000-\u024f\s'’.-]/u;
  const spell = later(async () => {
    const names = pairs.map(([n]) => $(n).value);
    if (!names.some((n) => nonLatin.test(n))) return;
    const j = await post("/api/v1/transliterate", { names });
    if (!j || j.refused) return;
    pairs.forEach(([n, l], i) => {
      const f = $(l);
      if (f.value === "" || f.value === f.dataset.suggested) {
        f.value = f.dataset.suggested = nonLatin.test(names[i]) ? j.latin[i] : "";
      }
    });
  }, 350);
  if (form) pairs.forEach(([n]) => $(n) && $(n).addEventListener("input", spell));

  // The duplicate check once a name and an age (or a nationality) are there, as the server's
  // check requires; the same question is not asked twice (each check is audited and counted).
  // It is asked as a hint (?hint=true): the server refuses it (429) rather than spend the
  // checks it keeps for saving, and the page then pauses the hints for the Retry-After time
  // and says that the check runs on saving.
  let asked = "";
  let pausedUntil = 0;
  const check = later(async () => {
    if (Date.now() < pausedUntil) return;
    const v = (id) => ($(id) ? $(id).value.trim() : "");
    const age = (id) => (v(id) === "" ? undefined : Number(v(id)));
    const q = {
      given_name: v("given_name"), family_name: v("family_name"),
      given_name_latin: v("given_name_latin"), family_name_latin: v("family_name_latin"),
      sex: (form.querySelector("input[name=sex]:checked") || {}).value || "",
      birth_date: v("birth_date") || undefined, age_min: age("age_min"), age_max: age("age_max"),
      nationalities: [v("nationality_1"), v("nationality_2")].filter(Boolean),
      father_name: v("father_name"), mother_name: v("mother_name"), // issue 12: tell namesakes apart
    };
    if (!q.given_name || !q.family_name || !(q.birth_date || q.age_min !== undefined || q.nationalities.length)) return;
    const key = JSON.stringify(q);
    if (key === asked) return;
    asked = key;
    const j = await post("/api/v1/duplicate-check?hint=true", q);
    if (!j) return;
    if (j.refused) {
      pausedUntil = Date.now() + j.refused * 1000;
      asked = ""; // asked again after the pause
      live.querySelector("p").textContent = live.dataset.paused;
      live.hidden = false;
      return;
    }
    const list = live.querySelector("ul");
    list.replaceChildren(...j.candidates.map((c) => {
      const li = document.createElement("li");
      const name = document.createElement("bdi");
      name.dir = "auto";
      name.textContent = c.name;
      li.append(c.registration_number + " · ", name, " · " + (live.dataset[c.band] || ""));
      return li;
    }));
    live.querySelector("p").textContent = j.candidates.length ? live.dataset.found : live.dataset.none;
    // issue 12: candidates the check cannot tell apart (registry.Namesakes).
    if (j.namesakes > 0 && live.dataset.namesakes) live.querySelector("p").textContent += " " + live.dataset.namesakes;
    live.hidden = false;
  }, 600);
  if (form && live) {
    ["given_name", "family_name", "birth_date", "age_min", "age_max", "nationality_1", "nationality_2", "father_name", "mother_name"]
      .forEach((id) => $(id) && $(id).addEventListener("change", check));
  }
}
