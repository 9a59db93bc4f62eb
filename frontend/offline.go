package frontend

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"text/template"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/i18n"
)

// Offline registration (issue 13; docs/offline.md): a service worker that keeps the
// registration page and its assets so the page opens without a connection, and a web app
// manifest so the page can be installed on a phone's home screen. The outbox itself is
// offline.js; the server side is the Idempotency-Key of the registration API and the outbox
// key (GET /api/v1/me/outbox-key).

// offlineRoutes registers the service worker and the manifest. Both are public: they hold no
// personal data, and the browser fetches the manifest without cookies.
func (f *Frontend) offlineRoutes(r gin.IRouter) {
	r.GET("/sw.js", f.serviceWorker)
	r.GET("/manifest.webmanifest", f.manifest)
}

// serviceWorkerJS is the service worker. It is served from the root (its scope, /register,
// must lie under the script's folder) and names the content-hashed assets of this build, so a
// new build is a new worker: the browser installs it and the old assets are dropped.
var serviceWorkerJS = template.Must(template.New("sw").Parse(`// Kujdes service worker (issue 13, docs/offline.md). It keeps the registration page and
// its assets so the page opens without a connection. It never answers for the API, never
// keeps any other page, and leaves every request but a GET alone.
"use strict";
const ASSETS = "kujdes-assets-{{.Version}}";
const PAGES = "kujdes-pages"; // the registration page as last loaded; emptied at sign-out
const PRECACHE = {{.Precache}};

self.addEventListener("install", (e) => {
  e.waitUntil(caches.open(ASSETS).then((c) => c.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (e) => {
  e.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("kujdes-assets-") && k !== ASSETS).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/static/")) {
    // Content-hashed, immutable: the kept copy is always right.
    e.respondWith(caches.match(req).then((r) => r || fetch(req)));
    return;
  }
  if (req.mode === "navigate" && url.pathname === "/register") {
    // The network first (a fresh form, the officer's current posts); the kept page only
    // when there is no connection.
    e.respondWith(fetch(req).then((res) => {
      if (res.ok && res.type === "basic") {
        const copy = res.clone();
        e.waitUntil(caches.open(PAGES).then((c) => c.put("/register", copy)));
      }
      return res;
    }).catch(() => caches.open(PAGES)
      .then((c) => c.match("/register", { ignoreSearch: true, ignoreVary: true }))
      .then((r) => r || Response.error())));
  }
});
`))

// serviceWorker serves the worker script: never cached by HTTP (the browser checks it for
// updates), and only ever allowed to control /register.
func (f *Frontend) serviceWorker(c *gin.Context) {
	assets := []string{"app.css", "app.js", "offline.js", "register_live.js", "favicon.svg"}
	var urls []string
	for _, name := range assets {
		u, err := f.r.assets.URL(name)
		if err != nil {
			f.fail(c, err)
			return
		}
		urls = append(urls, u)
	}
	list, _ := json.Marshal(urls)
	sum := sha256.Sum256(list)
	var buf bytes.Buffer
	if err := serviceWorkerJS.Execute(&buf, map[string]any{"Version": hex.EncodeToString(sum[:])[:10], "Precache": string(list)}); err != nil {
		f.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/javascript; charset=utf-8", buf.Bytes())
}

// webManifest is the installable app: it opens on the registration page, named in the
// language the manifest was asked for (?lang=, which the page's link carries).
type webManifest struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	ShortName       string         `json:"short_name"`
	Description     string         `json:"description"`
	Lang            string         `json:"lang"`
	Dir             string         `json:"dir"`
	StartURL        string         `json:"start_url"`
	Scope           string         `json:"scope"`
	Display         string         `json:"display"`
	BackgroundColor string         `json:"background_color"`
	ThemeColor      string         `json:"theme_color"`
	Icons           []manifestIcon `json:"icons"`
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose"`
}

func (f *Frontend) manifest(c *gin.Context) {
	loc := i18n.FromContext(c.Request.Context())
	lang := f.r.bundle.Languages()[0]
	if loc != nil {
		lang = loc.Language
	}
	t := func(id string) string {
		if loc == nil {
			return id
		}
		return loc.T(id)
	}
	icon, _ := f.r.assets.URL("favicon.svg")
	c.Header("Cache-Control", "no-cache")
	m := webManifest{
		ID: "/register", Name: t("offline.app_name"), ShortName: t("app.name"), Description: t("app.tagline"),
		Lang: lang.Tag, Dir: lang.Dir(), StartURL: "/register", Scope: "/", Display: "standalone",
		BackgroundColor: "#ffffff", ThemeColor: "#0b5d4b",
		Icons: []manifestIcon{{Src: icon, Sizes: "any", Type: "image/svg+xml", Purpose: "any"}},
	}
	body, _ := json.Marshal(m)
	c.Data(http.StatusOK, "application/manifest+json; charset=utf-8", body)
}

// outboxSamples are counts that, between them, fall in every CLDR plural category of the
// shipped languages (Arabic has all six: 0 zero, 1 one, 2 two, 3 few, 11 many, 100 other).
var outboxSamples = []int{0, 1, 2, 3, 11, 100}

// PluralForm is one rendering of a plural message for offline.js: the script picks the
// sample whose plural category (Intl.PluralRules) is its count's, and puts the count in
// place of "{n}".
type PluralForm struct {
	N    int
	Text string
}

// Plurals renders a plural message for the samples, with "{n}" where the count goes.
func (p Page) Plurals(id string) []PluralForm {
	out := make([]PluralForm, 0, len(outboxSamples))
	for _, n := range outboxSamples {
		text := id
		if p.loc != nil {
			text = p.loc.N(id, n, map[string]any{"Count": "{n}"})
		}
		out = append(out, PluralForm{N: n, Text: text})
	}
	return out
}
