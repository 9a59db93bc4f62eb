package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kujdes/kujdes/internal/apptest"
)

// A registration sent again with the same Idempotency-Key — the retry of a client whose
// answer was lost, an outbox sending twice — answers the first result and creates nothing;
// the same key with another request is refused; keys are per user; and many copies of one
// request at the same moment still make one child (issue 13, item 4).
func TestIdempotentRegistration(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	b1 := "Bearer " + app.Token(t, "border1")
	body := registration(map[string]any{"given_name": "Idris", "family_name": "Wardak", "given_name_latin": "Idris", "family_name_latin": "Wardak", "confirm_new": true})
	named := func() int64 {
		var n int64
		app.Scan(t, &n, `SELECT count(*) FROM children WHERE given_name_latin = 'Idris' AND family_name_latin = 'Wardak'`)
		return n
	}
	post := func(auth, key, body string, extra ...string) (*http.Response, string) {
		t.Helper()
		res := app.Do(t, nil, "POST", "/api/v1/registrations", body, append([]string{"Authorization", auth, "Idempotency-Key", key}, extra...)...)
		return res, apptest.Body(t, res)
	}

	res, first := post(b1, `"k-0001"`, body)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d replayed=%q %s", res.StatusCode, res.Header.Get("Idempotent-Replayed"), first)
	}
	// The retry (bare key, as some clients send it) gets the same answer, marked replayed.
	res, again := post(b1, "k-0001", body)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d replayed=%q %s", res.StatusCode, res.Header.Get("Idempotent-Replayed"), again)
	}
	if again != first {
		t.Errorf("the retry answered\n%s\nnot the first answer\n%s", again, first)
	}
	if n := named(); n != 1 {
		t.Fatalf("%d children after a retry, want 1", n)
	}
	var reg registered
	if err := json.Unmarshal([]byte(first), &reg); err != nil {
		t.Fatal(err)
	}
	var replays int64
	app.Scan(t, &replays, `SELECT count(*) FROM audit_events WHERE action = 'child.registration_replayed' AND entity_id = ?`, strconv.FormatInt(reg.ChildID, 10))
	if replays != 1 {
		t.Errorf("%d replay audit rows, want 1", replays)
	}

	// The same key with another request: refused, nothing written.
	other := registration(map[string]any{"given_name": "Idris", "family_name": "Wardak", "given_name_latin": "Idris", "family_name_latin": "Wardak", "confirm_new": true, "sex": "female"})
	res, msg := post(b1, "k-0001", other, "Accept-Language", "sq")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "idempotency_key_reused") || !strings.Contains(msg, "çelës") {
		t.Errorf("same key, other request: %d %s", res.StatusCode, msg)
	}
	// A key that is not one: refused before anything is done.
	res, msg = post(b1, strings.Repeat("x", 256), body, apptest.InvalidRequest, "key longer than 255")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "idempotency_key_invalid") {
		t.Errorf("long key: %d %s", res.StatusCode, msg)
	}
	if n := named(); n != 1 {
		t.Fatalf("%d children after refused requests, want 1", n)
	}

	// Another officer's request with the same key is theirs: it is not answered with border1's
	// child (that would disclose it), it is registered on its own.
	b2 := "Bearer " + app.Token(t, "border2")
	res, theirs := post(b2, "k-0001", body)
	if res.StatusCode != http.StatusCreated || res.Header.Get("Idempotent-Replayed") != "" || theirs == first {
		t.Errorf("another user's key: %d replayed=%q %s", res.StatusCode, res.Header.Get("Idempotent-Replayed"), theirs)
	}

	// Twelve copies of one request at the same moment: one child, one answer.
	burst := registration(map[string]any{"given_name": "Sardar", "family_name": "Noori", "given_name_latin": "Sardar", "family_name_latin": "Noori", "confirm_new": true})
	const n = 12
	answers := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, err := http.NewRequest("POST", app.URL+"/api/v1/registrations", strings.NewReader(burst))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", b1)
			req.Header.Set("Idempotency-Key", "burst-1")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer res.Body.Close()
			var b bytes.Buffer
			if _, err := b.ReadFrom(res.Body); err != nil {
				t.Error(err)
			}
			if res.StatusCode != http.StatusCreated {
				t.Errorf("burst: %d %s", res.StatusCode, b.String())
			}
			answers[i] = b.String()
		}()
	}
	wg.Wait()
	var sardars int64
	app.Scan(t, &sardars, `SELECT count(*) FROM children WHERE given_name_latin = 'Sardar' AND family_name_latin = 'Noori'`)
	if sardars != 1 {
		t.Errorf("%d children from %d copies of one request, want 1", sardars, n)
	}
	for i := range answers {
		if answers[i] != answers[0] {
			t.Errorf("copy %d answered %s, copy 0 %s", i, answers[i], answers[0])
		}
	}
}

// The registration form carries its own idempotency key: submitting it twice (a double
// click, a reload after a lost answer) shows the first child instead of registering another.
func TestRegistrationFormSubmittedTwice(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	border := app.Login(t, "border1")
	page := apptest.Body(t, app.Do(t, border, "GET", "/register", ""))
	i := strings.Index(page, `name="idempotency_key" value="`)
	if i < 0 {
		t.Fatalf("the registration form has no idempotency key")
	}
	key := page[i+len(`name="idempotency_key" value="`):]
	key = key[:strings.IndexByte(key, '"')]
	if len(key) < 20 {
		t.Fatalf("key %q is too short to be unique", key)
	}
	if again := apptest.Body(t, app.Do(t, border, "GET", "/register", "")); strings.Contains(again, key) {
		t.Fatalf("two forms share the key %q", key)
	}
	form := url.Values{
		"idempotency_key": {key}, "given_name": {"Yonas"}, "family_name": {"Tesfay"},
		"sex": {"male"}, "age_min": {"15"}, "age_max": {"16"}, "nationality_1": {"ER"},
		"protection_status": {"unaccompanied"}, "arrived_at": {"2026-11-30T08:00"},
		"border_post_code": {"KAK"}, "how_found": {"border_check"}, "confirm_new": {"1"},
	}
	var locations []string
	for range 2 {
		res := app.Do(t, border, "POST", "/register", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		// The client follows the redirect to the confirmation page.
		b := apptest.Body(t, res)
		if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/register/done" {
			t.Fatalf("submit: %d %s %s", res.StatusCode, res.Request.URL, b[strings.Index(b, "<main"):])
		}
		locations = append(locations, res.Request.URL.RawQuery)
	}
	if locations[0] != locations[1] || !strings.Contains(locations[0], "child=") {
		t.Errorf("the two submissions lead to %q and %q, want the same child", locations[0], locations[1])
	}
	var n int64
	app.Scan(t, &n, `SELECT count(*) FROM children WHERE given_name = 'Yonas' AND family_name = 'Tesfay'`)
	if n != 1 {
		t.Errorf("%d children from one form submitted twice, want 1", n)
	}
}
