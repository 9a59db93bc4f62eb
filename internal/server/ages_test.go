package server_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kujdes/kujdes/api"
	"github.com/kujdes/kujdes/internal/apptest"
)

// Ages are counted on the server's (injected) clock, in completed years, correctly after 28
// February: with the day of the year, someone born 2000-03-02 was still 25 on 2026-03-02
// and could be registered as a child (at most 25). The child's page counts on the same clock.
func TestAgesOnTheInjectedClock(t *testing.T) {
	t.Parallel()
	clk := &clock{t: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)}
	app := apptest.Start(t, apptest.WithClock(clk.Now))
	b1 := "Bearer " + app.Token(t, "border1")
	register := func(birth string) *http.Response {
		return app.Do(t, nil, "POST", "/api/v1/registrations", registration(map[string]any{
			"birth_date": birth, "age_min": nil, "age_max": nil, "confirm_new": true,
			"arrival": map[string]any{"arrived_at": "2026-03-02T10:00:00Z", "border_post_code": "KAK", "how_found": "border_check"},
		}), "Authorization", b1)
	}
	res := register("2000-03-02") // 26 on the day of the arrival
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("born 2000-03-02, arrived 2026-03-02: %d %s, want 422 (26 is over the maximum)", res.StatusCode, apptest.Body(t, res))
	}
	p := decodeProblem(t, res)
	if !slices.ContainsFunc(p.Errors, func(f api.FieldProblem) bool { return f.Field == "birth_date" && f.Code == "age_too_high" }) {
		t.Errorf("problems %+v, want birth_date age_too_high", p.Errors)
	}
	res = register("2000-03-03") // 25, one day short of 26
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("born 2000-03-03: %d %s, want 201", res.StatusCode, apptest.Body(t, res))
	}
	reg := decode[registered](t, res)

	// The page's age: 25 today on the clock; on the real clock (later than 2027-03-03) it
	// would be 26 or more.
	c := app.Login(t, "border1")
	page := apptest.Body(t, app.Do(t, c, "GET", fmt.Sprintf("/children/%d?lang=en", reg.ChildID), ""))
	if m := regexp.MustCompile(`2000-03-03 \((\d+)\)`).FindStringSubmatch(page); m == nil || m[1] != "25" {
		t.Errorf("child page shows the age %q, want 25 on the server's clock", m)
	}
	clk.Advance(24 * time.Hour) // 2026-03-03: the 26th birthday (the session has expired: sign in again)
	page = apptest.Body(t, app.Do(t, app.Login(t, "border1"), "GET", fmt.Sprintf("/children/%d?lang=en", reg.ChildID), ""))
	if !strings.Contains(page, "2000-03-03 (26)") {
		t.Errorf("on the 26th birthday the page does not show 26")
	}
}
