package frontend_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
	"github.com/kujdes/kujdes/models"
)

// The raw-code check (issue 13, item 2): a page in Albanian or Arabic must show no word that
// bypassed the catalogues. It runs inside the phone-width walk (TestPhoneWidthWalk), which
// already loads every page of every role in every language, so it costs one evaluation per
// page state instead of a second walk. It is generic: it knows the shapes of leaked codes,
// not the pages, so pages added later are checked as soon as a link leads to them.
//
// What counts as a raw code:
//   - a Go duration (1h0m0s, 30m0s, 1m30s);
//   - a snake_case identifier (protection_officer, decided_at, result_min, aged_out): a role,
//     status, field or reason code printed as it is;
//   - a message id that found no message (audit.action.x: the localizer prints the id);
//   - a known single-word code in Latin letters (a role, a child status, a field an audit event
//     names: guardian, active, status…);
//   - a login subject (demo-border-1) or a region code (GJI): a person's or region's name
//     belongs there.
var (
	goDuration = regexp.MustCompile(`\b\d+h\d+m\d+(\.\d+)?s\b|\b\d+m\d+(\.\d+)?s\b|\b\d+h0m\b`)
	snakeCase  = regexp.MustCompile(`\b[a-z][a-z0-9]*(_[a-z0-9]+)+\b`)
	dotted     = regexp.MustCompile(`\b[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\b`)
	latinWord  = regexp.MustCompile(`[A-Za-z0-9-]+`)
)

// rawCodes returns the raw codes found in a page's visible text; words lists further whole
// words that must not appear (single-word codes, login subjects, region codes). A dotted word
// is a message id when it starts with a namespace of the catalogue (the first part of an
// English id: "audit" of audit.action.x) or holds an underscore; a host name is not.
func rawCodes(text string, words []string) []string {
	var found []string
	for _, re := range []*regexp.Regexp{goDuration, snakeCase} {
		found = append(found, re.FindAllString(text, -1)...)
	}
	for _, d := range dotted.FindAllString(text, -1) {
		if ns, _, _ := strings.Cut(d, "."); namespaces[ns] || strings.Contains(d, "_") {
			found = append(found, d)
		}
	}
	for _, w := range latinWord.FindAllString(text, -1) {
		if slices.Contains(words, w) {
			found = append(found, w)
		}
	}
	slices.Sort(found)
	return slices.Compact(found)
}

// catalogue is the English catalogue, by message id.
var catalogue = func() map[string]any {
	var en map[string]any
	if _, err := toml.DecodeFile("../i18n/active.en.toml", &en); err != nil {
		panic(err)
	}
	return en
}()

// namespaces are the first parts of the English catalogue's message ids.
var namespaces = func() map[string]bool {
	out := map[string]bool{}
	for id := range catalogue {
		ns, _, _ := strings.Cut(id, ".")
		out[ns] = true
	}
	return out
}()

// codeWords are the whole words rawCodes looks for on a page of app: the single-word roles and
// child statuses, every user's login subject and every region's code.
func codeWords(t *testing.T, app *apptest.App) []string {
	t.Helper()
	var words []string
	for _, r := range []models.Role{models.RoleBorderOfficer, models.RoleProtectionOfficer, models.RoleGuardian, models.RoleMonitor, models.RoleAdmin} {
		words = append(words, string(r))
	}
	words = append(words, models.ChildStatuses...)
	// The one-word field names an audit event may give (history.field.<key>), but for the
	// English words that free text in the demo (reasons, notes) may hold.
	for id := range catalogue {
		if k, ok := strings.CutPrefix(id, "history.field."); ok && !strings.Contains(k, "_") && !slices.Contains([]string{"of", "after", "name", "note", "children"}, k) {
			words = append(words, k)
		}
	}
	var more []string
	app.Scan(t, &more, `SELECT subject FROM users UNION SELECT code FROM regions UNION SELECT code FROM border_posts`)
	return append(words, more...)
}

// visibleText is the text a reader sees or hears on the page: the body's text without
// scripts, styles and templates, plus the accessible names and hints in attributes. Elements
// are separated by spaces (textContent would glue "Shqip" to the next word). A code shown on
// purpose as an identifier, marked up as <code> (a region's code on the administrators'
// reference page), is left out.
const visibleText = `(() => {
  const b = document.body.cloneNode(true);
  b.querySelectorAll("script, style, template, noscript, code").forEach(e => e.remove());
  // Text marked as another language on purpose (a legal source cited in English, issue 11).
  b.querySelectorAll("[lang]").forEach(e => { if (e.lang !== document.documentElement.lang) e.remove(); });
  b.querySelectorAll("*").forEach(e => e.append(" "));
  const attrs = Array.from(document.body.querySelectorAll("[aria-label], [title], [placeholder], [alt]"),
    e => ["aria-label", "title", "placeholder", "alt"].map(a => e.getAttribute(a) || "").join(" "));
  return [document.title, b.textContent, ...attrs].join("\n");
})()`

// checkRawCodes fails t when the page open in p shows a raw code.
func checkRawCodes(t *testing.T, p *browsertest.Page, words []string) {
	t.Helper()
	text := browsertest.Get(t, p, chromedp.Evaluate[string](visibleText))
	if found := rawCodes(text, words); len(found) > 0 {
		var where []string
		for _, f := range found {
			i := strings.Index(text, f)
			from, to := max(i-40, 0), min(i+len(f)+40, len(text))
			where = append(where, fmt.Sprintf("%s in %q", f, strings.Join(strings.Fields(text[from:to]), " ")))
		}
		t.Errorf("raw codes on the page:\n%s", strings.Join(where, "\n"))
	}
}

// The detector itself: it must catch each kind of leak and pass localized text.
func TestRawCodeDetector(t *testing.T) {
	words := []string{"guardian", "active", "demo-border-1", "GJI"}
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"duration", "Qasja zgjat 1h0m0s.", []string{"1h0m0s"}},
		{"short duration", "بعد 30m0s", []string{"30m0s"}},
		{"role code", "Rolet: protection_officer", []string{"protection_officer"}},
		{"field names", "decided_at result_min", []string{"decided_at", "result_min"}},
		{"message id", "audit.action.child.view", []string{"audit.action.child.view"}},
		{"message id with underscore", "history.via.duplicate_check", []string{"duplicate_check", "history.via.duplicate_check"}},
		{"single-word code", "الحالة: active", []string{"active"}},
		{"subject", "demo-border-1 pa fëmijën", []string{"demo-border-1"}},
		{"region code", "Rajoni: GJI", []string{"GJI"}},
		{"localized", "Zyrtar mbrojtjeje, 1 orë, Gjirokastër, AL-2026-000001, 2026-12-02 10:00 UTC", nil},
		{"arabic", "موظف حماية، ساعة واحدة، جيروكاسترا", nil},
		{"a word containing a code", "Guardians activeness GJIX", nil},
		{"a missing message", "history.field.new_thing", []string{"history.field.new_thing", "new_thing"}},
		{"an address", "http://127.0.0.1:8080 kujdes.example.org", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := rawCodes(c.text, words); !slices.Equal(got, c.want) {
				t.Errorf("rawCodes(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}
