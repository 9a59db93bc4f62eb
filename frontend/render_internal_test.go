package frontend

import (
	"bytes"
	"testing"
	"time"

	"github.com/kujdes/kujdes/i18n"
)

// A kept signed-out rendering, with a nonce put in, is byte for byte what rendering the page
// afresh with that nonce gives, in every language.
func TestKeptRenderingEqualsFreshRendering(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	r, err := newRenderer(a, b, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := r.pages["home"]
	for _, lang := range b.Languages() {
		p := Page{Lang: lang, Languages: b.Languages(), Nonce: "n0nce", Path: "/", Title: "home.title",
			Data: homePage{SignInAvailable: true}, loc: b.Localizer(lang)}
		var fresh bytes.Buffer
		if err := tmpl.ExecuteTemplate(&fresh, "base", p); err != nil {
			t.Fatal(err)
		}
		parts, ok := r.keptRendering(tmpl, "home", p)
		if !ok {
			t.Fatalf("%s: the home page could not be kept", lang.Tag)
		}
		kept := bytes.Join([][]byte{parts[0], parts[1]}, []byte("n0nce"))
		if !bytes.Equal(kept, fresh.Bytes()) {
			t.Errorf("%s: kept rendering differs from a fresh one", lang.Tag)
		}
	}
}
