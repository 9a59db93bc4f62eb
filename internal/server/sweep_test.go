package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/demo"
	"github.com/kujdes/kujdes/internal/synth"
	"github.com/kujdes/kujdes/models"
)

// loadDemoPopulation adds the demo's synthetic population (what `kujdes demo` loads).
func loadDemoPopulation(t testing.TB, app *apptest.App, n int) {
	t.Helper()
	var posts []models.BorderPost
	if err := app.DB.Find(&posts).Error; err != nil {
		t.Fatal(err)
	}
	ids, regions := map[string]int64{}, map[string]int64{}
	for _, p := range posts {
		ids[p.Code], regions[p.Code] = p.ID, p.RegionID
	}
	if err := synth.Load(context.Background(), app.DB, synth.Generate(2026, n, time.Now()), regions, ids); err != nil {
		t.Fatal(err)
	}
	if err := app.DB.Exec(`ANALYZE`).Error; err != nil {
		t.Fatal(err)
	}
}

// inScopeOf is the set of children a border officer sees by their post(s): registered there or
// arrived there with an arrival that grants scope.
func inScopeOf(t testing.TB, app *apptest.App, username string) map[int64]bool {
	t.Helper()
	var ids []int64
	err := app.DB.Raw(`SELECT c.id FROM children c WHERE c.border_post_id IN (SELECT ubp.border_post_id FROM user_border_posts ubp JOIN users u ON u.id = ubp.user_id WHERE u.username = ?)
		OR EXISTS (SELECT 1 FROM arrivals ar WHERE ar.child_id = c.id AND ar.grants_scope AND ar.border_post_id IN
			(SELECT ubp.border_post_id FROM user_border_posts ubp JOIN users u ON u.id = ubp.user_id WHERE u.username = ?))`, username, username).Scan(&ids).Error
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]bool{}
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// sweepQueries are what an officer fishing for children would send: every given name in the
// population alone, and common given × family names with a nationality.
func sweepQueries(t testing.TB, app *apptest.App, n int) (firstOnly, withMinimum []string) {
	t.Helper()
	var given []string
	if err := app.DB.Raw(`SELECT given_name_latin FROM children WHERE given_name_latin <> '' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?`, n).Scan(&given).Error; err != nil {
		t.Fatal(err)
	}
	type pair struct{ Given, Family, Nat string }
	var pairs []pair
	if err := app.DB.Raw(`WITH g AS (SELECT given_name_latin AS given, nationalities[1] AS nat, count(*) AS k FROM children WHERE given_name_latin <> '' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 20),
		f AS (SELECT family_name_latin AS family, nationalities[1] AS nat, count(*) AS k FROM children WHERE family_name_latin <> '' GROUP BY 1, 2 ORDER BY 3 DESC LIMIT 40)
		SELECT g.given, f.family, g.nat FROM g JOIN f ON f.nat = g.nat ORDER BY g.k * f.k DESC, 1, 2 LIMIT ?`, n).Scan(&pairs).Error; err != nil {
		t.Fatal(err)
	}
	for len(given) < n && len(given) > 0 {
		given = append(given, given[len(given)%len(given)])
	}
	for _, g := range given[:n] {
		b, _ := json.Marshal(map[string]any{"given_name": g})
		firstOnly = append(firstOnly, string(b))
	}
	for i := 0; len(pairs) > 0 && len(withMinimum) < n; i++ {
		p := pairs[i%len(pairs)]
		b, _ := json.Marshal(map[string]any{"given_name": p.Given, "family_name": p.Family, "nationalities": []string{p.Nat}})
		withMinimum = append(withMinimum, string(b))
	}
	return firstOnly, withMinimum
}

type sweepResult struct {
	sent, answered, refused, rateLimited int
	disclosed                            map[int64]bool // every child shown
	outOfScope                           map[int64]bool
	elapsed                              time.Duration
}

// sweep sends the queries as one border officer, for at most a minute.
func sweep(t testing.TB, app *apptest.App, token string, inScope map[int64]bool, queries []string) sweepResult {
	t.Helper()
	res := sweepResult{disclosed: map[int64]bool{}, outOfScope: map[int64]bool{}}
	start := time.Now()
	for _, q := range queries {
		if time.Since(start) > time.Minute {
			break
		}
		res.sent++
		r := app.Do(t, nil, "POST", "/api/v1/duplicate-check", q, "Authorization", token)
		switch r.StatusCode {
		case http.StatusOK:
			res.answered++
			var body struct {
				Candidates []struct {
					ChildID int64 `json:"child_id"`
				} `json:"candidates"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			for _, c := range body.Candidates {
				res.disclosed[c.ChildID] = true
				if !inScope[c.ChildID] {
					res.outOfScope[c.ChildID] = true
				}
			}
		case http.StatusUnprocessableEntity:
			res.refused++
			r.Body.Close()
		case http.StatusTooManyRequests:
			res.rateLimited++
			if r.Header.Get("Retry-After") == "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
				t.Errorf("429 without Retry-After or problem+json: %v", r.Header)
			}
			r.Body.Close()
		default:
			t.Fatalf("duplicate check: %d %s", r.StatusCode, apptest.Body(t, r))
		}
	}
	res.elapsed = time.Since(start)
	return res
}

func (s sweepResult) String() string {
	return fmt.Sprintf("%d checks in %v: %d answered, %d refused (422), %d rate-limited (429); %d children disclosed, %d outside scope",
		s.sent, s.elapsed.Round(time.Millisecond), s.answered, s.refused, s.rateLimited, len(s.disclosed), len(s.outOfScope))
}

// TestDuplicateCheckSweep is issue 7's "sweep": one border officer sends 200 first-name
// duplicate checks, then 200 with a given and family name and a nationality, over the demo
// population. A first-name sweep must learn nothing; the other only what the rate limit lets
// through; every child shown must find the showing in their access history.
func TestDuplicateCheckSweep(t *testing.T) {
	t.Parallel()
	// The registry's clock stands still, so the limit cannot refill however slowly a loaded
	// machine runs the sweep: what it lets through is the burst alone, exactly.
	frozen := time.Now()
	app := apptest.Start(t, apptest.WithClock(func() time.Time { return frozen }))
	loadDemoPopulation(t, app, demo.Population)
	token := "Bearer " + app.Token(t, "border1")
	inScope := inScopeOf(t, app, "border1")
	firstOnly, withMinimum := sweepQueries(t, app, 200)

	first := sweep(t, app, token, inScope, firstOnly)
	t.Logf("SWEEP first names only: %s", first)
	second := sweep(t, app, token, inScope, withMinimum)
	t.Logf("SWEEP given+family+nationality: %s", second)
	all := map[int64]bool{}
	for _, s := range []sweepResult{first, second} {
		for id := range s.outOfScope {
			all[id] = true
		}
	}
	t.Logf("SWEEP figure: %d children outside scope disclosed to one border officer in %v", len(all), (first.elapsed + second.elapsed).Round(time.Millisecond))

	// Every check sent (the sweep stops after a minute: a loaded machine sends fewer) is refused.
	if first.sent == 0 || first.answered != 0 || len(first.disclosed) != 0 || first.refused != first.sent {
		t.Errorf("a first-name sweep must be refused (422) and disclose nothing: %s", first)
	}
	// The limit: a burst of 10, then 3 a minute of the registry's (frozen) clock.
	if second.answered > 10 || second.rateLimited == 0 {
		t.Errorf("the rate limit must stop the sweep: %s", second)
	}
	var refusals int64
	if err := app.DB.Raw(`SELECT count(*) FROM audit_events WHERE action = 'child.duplicate_check_refused' AND actor_subject = 'demo-border-1'`).Scan(&refusals).Error; err != nil {
		t.Fatal(err)
	}
	if refusals != int64(second.rateLimited) {
		t.Errorf("%d rate-limited checks, %d audited refusals", second.rateLimited, refusals)
	}

	// The limit is the user's, on both faces: border1's registrations (which run the check)
	// are refused too, by the API and by the page, with a localized message.
	res := app.Do(t, nil, "POST", "/api/v1/registrations", registration(map[string]any{"given_name": "Zabihullah", "family_name": "Noori", "given_name_latin": "", "family_name_latin": ""}), "Authorization", token)
	if b := apptest.Body(t, res); res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" || !strings.Contains(b, "urn:kujdes:problem:rate-limited") {
		t.Errorf("API registration over the limit: %d %s", res.StatusCode, b)
	}
	page := app.Login(t, "border1")
	res, err := page.PostForm(app.URL+"/register", url.Values{"given_name": {"Zabihullah"}, "family_name": {"Noori"}, "sex": {"male"}, "age_min": {"15"},
		"nationality_1": {"AF"}, "how_found": {"presented_at_border"}, "border_post_code": {"KAK"}})
	if err != nil {
		t.Fatal(err)
	}
	if b := apptest.Body(t, res); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(b, "your limit of duplicate checks is used up") {
		t.Errorf("page registration over the limit: %d %.300s", res.StatusCode, b)
	}

	// Every child shown has the showing in their access history (read as the administrator,
	// who may read any child's history), in a row naming the asker, their post and the band.
	admin := "Bearer " + app.Token(t, "admin1")
	for id := range second.disclosed {
		r := app.Do(t, nil, "GET", fmt.Sprintf("/api/v1/children/%d/access-history", id), "", "Authorization", admin)
		if r.StatusCode != 200 {
			t.Fatalf("history of %d: %d", id, r.StatusCode)
		}
		body := apptest.Body(t, r)
		var evs struct {
			Items []struct {
				Action       string         `json:"action"`
				ActorSubject string         `json:"actor"`
				Changes      map[string]any `json:"changes"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &evs); err != nil {
			t.Fatalf("history of %d: %v %.300s", id, err, body)
		}
		found := false
		for _, ev := range evs.Items {
			if ev.Action == "child.duplicate_candidate" && ev.ActorSubject == "demo-border-1" &&
				strings.Contains(fmt.Sprint(ev.Changes["asker_posts"]), "KAK") && ev.Changes["band"] != nil {
				found = true
			}
		}
		if !found {
			t.Errorf("child %d was shown to border1 but its access history does not say so: %.400s", id, body)
		}
	}
}

// TestRegistrationWithoutFamilyName: a child who gives no family name cannot be checked for
// duplicates (a first name alone would be a sweep), so the registration is refused with a
// localized reason naming the field, and the page offers to register a new child without
// the check; confirming does so.
func TestRegistrationWithoutFamilyName(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	token := "Bearer " + app.Token(t, "border1")
	body := registration(map[string]any{"family_name": nil, "family_name_latin": nil})
	res := app.Do(t, nil, "POST", "/api/v1/registrations", body, "Authorization", token, "Accept-Language", "sq")
	p := decodeProblem(t, res)
	if res.StatusCode != 422 || len(p.Errors) != 1 || p.Errors[0].Field != "family_name" || p.Errors[0].Code != "check_family_name_required" ||
		!strings.Contains(p.Errors[0].Message, "mbiemrin") {
		t.Fatalf("API: %d %+v", res.StatusCode, p)
	}
	before := countChildren(t, app)
	page := app.Login(t, "border1")
	form := url.Values{"given_name": {"Zabihullah"}, "sex": {"male"}, "age_min": {"15"}, "nationality_1": {"AF"},
		"how_found": {"presented_at_border"}, "border_post_code": {"KAK"}}
	res, err := page.PostForm(app.URL+"/register", form)
	if err != nil {
		t.Fatal(err)
	}
	if b := apptest.Body(t, res); res.StatusCode != 422 || !strings.Contains(b, "The duplicate check needs a family name as well") ||
		!strings.Contains(b, `form="register-form" name="confirm_new"`) {
		t.Fatalf("page: %d %.500s", res.StatusCode, b)
	}
	if after := countChildren(t, app); after != before {
		t.Fatalf("a refused registration wrote %d children", after-before)
	}
	form.Set("confirm_new", "1")
	res, err = page.PostForm(app.URL+"/register", form)
	if err != nil {
		t.Fatal(err)
	}
	if b := apptest.Body(t, res); res.StatusCode != 200 || !strings.Contains(res.Request.URL.RawQuery, "new=true") {
		t.Fatalf("confirmed: %d at %s %.300s", res.StatusCode, res.Request.URL, b)
	}
	if after := countChildren(t, app); after != before+1 {
		t.Fatalf("confirmed registration: %d children added", after-before)
	}
}

func countChildren(t *testing.T, app *apptest.App) int64 {
	t.Helper()
	var n int64
	if err := app.DB.Raw(`SELECT count(*) FROM children`).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDuplicateCheckHints: the registration form asks its checks as hints (?hint=true); over
// the API the hints stop (429 with Retry-After) while the checks kept for saving remain, so the
// registration that follows still runs its check. A malformed ?hint is refused, localized.
func TestDuplicateCheckHints(t *testing.T) {
	t.Parallel()
	frozen := time.Now()
	app := apptest.Start(t, apptest.WithClock(func() time.Time { return frozen })) // burst 10, 3 kept
	token := "Bearer " + app.Token(t, "border1")
	question := registration(nil)
	res := app.Do(t, nil, "POST", "/api/v1/duplicate-check?hint=maybe", question, "Authorization", token, "Accept-Language", "sq",
		apptest.InvalidRequest, "hint is not a boolean")
	if p := decodeProblem(t, res); res.StatusCode != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "hint" ||
		p.Errors[0].Code != "query_bool_invalid" || p.Errors[0].Message != "Jepni true ose false." {
		t.Fatalf("?hint=maybe: %d %+v", res.StatusCode, p)
	}
	for i := range 7 {
		res := app.Do(t, nil, "POST", "/api/v1/duplicate-check?hint=true", question, "Authorization", token)
		if body := apptest.Body(t, res); res.StatusCode != 200 {
			t.Fatalf("hint %d: %d %s", i+1, res.StatusCode, body)
		}
	}
	res = app.Do(t, nil, "POST", "/api/v1/duplicate-check?hint=true", question, "Authorization", token)
	if p := decodeProblem(t, res); res.StatusCode != 429 || res.Header.Get("Retry-After") != "20" {
		t.Fatalf("8th hint: %d, Retry-After %q: %+v", res.StatusCode, res.Header.Get("Retry-After"), p)
	}
	res = app.Do(t, nil, "POST", "/api/v1/registrations", question, "Authorization", token)
	if body := apptest.Body(t, res); res.StatusCode != 201 {
		t.Fatalf("the registration after the hints: %d %s", res.StatusCode, body)
	}
}
