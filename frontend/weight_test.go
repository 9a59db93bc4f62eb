package frontend_test

import (
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// The registration page must transfer under 60 KB compressed (page, stylesheet, scripts
// including the offline outbox, icon, manifest and service worker; there are no fonts),
// because border posts have poor connections.
func TestRegistrationPageWeight(t *testing.T) {
	app := apptest.Start(t)
	c := app.Login(t, "border1")
	c.Transport = &http.Transport{DisableCompression: true} // count the bytes on the wire
	fetch := func(path string) (body string, wire int) {
		req, _ := http.NewRequest("GET", app.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		if len(b) > 1400 && res.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s (%d bytes) is not compressed", path, len(b))
		}
		return string(b), len(b)
	}
	_, page := fetch("/register")
	// The uncompressed page names its assets.
	plain := apptest.Body(t, app.Do(t, app.Login(t, "border1"), "GET", "/register", ""))
	total := page
	// Its stylesheet, scripts (offline.js among them), icon and web app manifest, and the
	// service worker the page installs (issue 13).
	assets := []string{"/sw.js"}
	for _, m := range regexp.MustCompile(`(?:href|src)="(/(?:static/|manifest\.webmanifest)[^"]+)"`).FindAllStringSubmatch(plain, -1) {
		assets = append(assets, m[1])
	}
	if !slices.ContainsFunc(assets, func(a string) bool { return strings.HasPrefix(a, "/static/offline.") }) {
		t.Errorf("the registration page does not load offline.js: %v", assets)
	}
	for _, a := range assets {
		_, n := fetch(a)
		t.Logf("%s: %d bytes", a, n)
		total += n
	}
	t.Logf("registration page: %d bytes compressed (page %d)", total, page)
	if total >= 60*1024 {
		t.Fatalf("registration page weighs %d bytes compressed, over 60 KB", total)
	}
}
