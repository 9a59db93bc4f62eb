package frontend_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/internal/server"
	"github.com/kujdes/kujdes/matching"
)

// Issue 13, item 3: while the registration form is typed, the Latin spelling of a name in
// another script is filled in (POST /api/v1/transliterate), a Latin spelling the officer
// wrote is left alone, and once a name and an age are there the children already registered
// who may be this one are shown (the audited, rate-limited /api/v1/duplicate-check). 0 axe
// violations in English and Arabic with the hint shown. (Without JavaScript the page saves as
// before: the server suggests the spelling and checks for duplicates; see register tests.)
func TestRegistrationLiveHints(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "border1")
	given := matching.LatinName("کریم")
	for _, lang := range []string{"en", "ar"} {
		p.Navigate(t, app.URL+"/register?lang="+lang)
		if n := p.Count(t, "#live-duplicates:not([hidden])"); n != 0 {
			t.Fatalf("%s: the duplicate hint shows before anything is typed", lang)
		}
		p.Run(t,
			chromedp.WaitVisible(chromedp.ID("given_name")),
			chromedp.SendKeys(chromedp.ID("family_name_latin"), "Soltani"), // the officer's own spelling
			chromedp.SendKeys(chromedp.ID("given_name"), "کریم"),
			chromedp.SendKeys(chromedp.ID("family_name"), "سلطانی"),
		)
		waitValue(t, p, "given_name_latin", given)
		if got := inputValue(t, p, "family_name_latin"); got != "Soltani" {
			t.Errorf("%s: the officer's Latin spelling was replaced by %q", lang, got)
		}
		p.Run(t,
			chromedp.SendKeys(chromedp.ID("age_min"), "15"),
			chromedp.SendKeys(chromedp.ID("age_max"), "16"),
			chromedp.SendKeys(chromedp.ID("given_name"), "\t"), // leaves the field: change
		)
		p.WaitFor(t, "#live-duplicates:not([hidden]) li")
		hint := p.Text(t, "#live-duplicates")
		if !strings.Contains(hint, "Karim Sultani") {
			t.Errorf("%s: the hint does not name the demo's Karim Sultani: %q", lang, hint)
		}
		t.Logf("%s: Latin %q, hint %q", lang, given, strings.Join(strings.Fields(hint), " "))
		p.Axe(t)
		p.Screenshot(t, "register-live-"+lang)
	}

	// Each hint came from the audited duplicate check (at least one question per language; a
	// slow typist may ask a second one with the age range complete).
	var checks int64
	app.Scan(t, &checks, `SELECT count(*) FROM audit_events WHERE action = 'child.duplicate_check' AND actor_subject = 'demo-border-1'`)
	if checks < 2 {
		t.Errorf("%d audited duplicate checks, want at least 2 (one per language)", checks)
	}

	// Each group reads in order, on a phone too: "estimated age from" and "to" side by side in
	// their own group; each document's fields, then the next document's, each under its legend.
	p.Run(t, chromedp.EmulateViewport(360, 800))
	groups := browsertest.Get(t, p, chromedp.Evaluate[[]string](`(() => {
	  const top = (id) => Math.round(document.getElementById(id).getBoundingClientRect().top);
	  const group = (id) => document.getElementById(id).closest("fieldset").querySelector("legend").textContent;
	  return [String(top("age_min") === top("age_max")), group("age_min"), group("age_max"),
	    group("document_0_type"), group("document_0_country"), group("document_1_type")];
	})()`))
	if groups[0] != "true" || groups[1] != groups[2] || groups[3] != groups[4] || groups[4] == groups[5] {
		t.Errorf("groups at 360 px (from/to on one row, their legends; document 1 type, country; document 2 type): %q", groups)
	}
}

// TestRegistrationHintsKeepTheSaveCheck: the form's checks while it is typed are hints, and
// hints may not spend the checks kept for saving. Typed slowly (a change after each pause),
// the hints run out, the form says they are paused, and the save still runs its duplicate
// check: the demo's Karim Sultani is offered instead of "limit used up". 0 axe violations.
func TestRegistrationHintsKeepTheSaveCheck(t *testing.T) {
	t.Parallel()
	// 3 checks at once, one of them kept for saving; one more per 10 minutes, so that nothing
	// refills while the test runs however slow the machine.
	app := apptest.Start(t, func(d *server.Deps) { d.Config.DuplicateChecks, d.Config.DuplicateCheckBurst = 1, 3 })
	b := browsertest.NewBrowser(t)
	p := b.NewPage(t)
	app.BrowserLogin(t, p, "border1")
	p.Navigate(t, app.URL+"/register")
	p.Run(t,
		chromedp.WaitVisible(chromedp.ID("given_name")),
		chromedp.SendKeys(chromedp.ID("given_name"), "Karim"),
		chromedp.SendKeys(chromedp.ID("family_name"), "Sultani"),
		chromedp.Click(chromedp.CSS(`input[name="sex"][value="male"]`)),
		chromedp.SendKeys(chromedp.ID("age_min"), "15"),
		chromedp.SendKeys(chromedp.ID("age_max"), "16"),
		chromedp.SendKeys(chromedp.ID("given_name"), "\t"),
	)
	// Each pause in typing that changed the question asks again: a letter more of the father's
	// name, then of the mother's, until the hints stop (at most 2 are allowed).
	paused := `#live-duplicates:not([hidden]) p`
	for i := 0; ; i++ {
		time.Sleep(time.Second) // past the page's 600 ms pause, so each change is a question
		if strings.Contains(p.Text(t, "#live-duplicates"), "paused") {
			break
		}
		if i == 8 {
			t.Fatalf("the hints never paused: %q", p.Text(t, "#live-duplicates"))
		}
		field := []string{"father_name", "mother_name"}[i%2]
		p.Run(t, chromedp.SendKeys(chromedp.ID(field), "a"), chromedp.SendKeys(chromedp.ID(field), "\t"))
	}
	if got := p.Text(t, paused); got != "Checks while you type are paused, to keep your remaining checks for saving: the check runs when you save." {
		t.Errorf("paused notice: %q", got)
	}
	var hints, refused int64
	app.Scan(t, &hints, `SELECT count(*) FROM audit_events WHERE action = 'child.duplicate_check' AND actor_subject = 'demo-border-1'`)
	app.Scan(t, &refused, `SELECT count(*) FROM audit_events WHERE action = 'child.duplicate_check_refused' AND actor_subject = 'demo-border-1'
		AND changes->'via'->>'after' = 'duplicate_hint'`)
	if hints != 2 || refused != 1 {
		t.Errorf("%d hints answered (want 2: the third of the burst is kept), %d refused (want 1, then paused)", hints, refused)
	}
	p.Axe(t)
	p.Run(t,
		chromedp.SetValue(chromedp.ID("nationality_1"), "AF"),
		chromedp.Click(chromedp.CSS(`input[name="languages"][value="fa-AF"]`)),
		chromedp.Click(chromedp.CSS(`input[name="trafficking_indicators"][value="relation_unverified"]`)),
		chromedp.SendKeys(chromedp.ID("adult_0_relation"), "uncle"),
	)
	p.Click(t, `form[action="/register"] > .actions button[type="submit"]`)
	p.WaitFor(t, "#dup-title")
	if c := p.Text(t, ".candidates"); !strings.Contains(c, "Karim Sultani") {
		t.Errorf("the save's own check does not offer the demo's Karim Sultani: %q", c)
	}
}

// waitValue waits until the script has filled the input with id, and checks its value.
func waitValue(t *testing.T, p *browsertest.Page, id, want string) {
	t.Helper()
	p.WaitFor(t, `#`+id+`[data-suggested]`)
	if got := inputValue(t, p, id); got != want || want == "" {
		t.Errorf("#%s = %q, want %q", id, got, want)
	}
}

// inputValue is what an input holds now (its property, not its attribute).
func inputValue(t *testing.T, p *browsertest.Page, id string) string {
	t.Helper()
	return browsertest.Get(t, p, chromedp.Evaluate[string](`document.getElementById(`+"`"+id+"`"+`).value`))
}
