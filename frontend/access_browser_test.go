package frontend_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kujdes/kujdes/internal/apptest"
	"github.com/kujdes/kujdes/internal/browsertest"
)

// The pages issue 7 added, walked in Chromium as the people who use them, with zero axe
// violations on each: a border officer of another post records an arrival on a child the
// duplicate check showed them (a sighting: a receipt, not the record); the responsible
// protection officer sees the sighting on the record and in the needs-action queue and closes
// the case through the status form; an administrator gives a role that waits for a second
// administrator, who approves it; the refused reads of a probing officer show on the
// emergency-access page.
func TestAccessFlowsInBrowser(t *testing.T) {
	t.Parallel()
	app := apptest.Start(t)
	signIn := func(username string) *browsertest.Page {
		p := browsertest.NewBrowser(t).NewPage(t)
		p.Navigate(t, app.URL+"/?lang=en")
		app.BrowserLogin(t, p, username)
		return p
	}

	// border1 (KAK) registers a child.
	b1 := signIn("border1")
	b1.Navigate(t, app.URL+"/register")
	fillChild(t, b1, "Mohammad", "Rahimi")
	b1.Click(t, `form[action="/register"] > .actions button[type="submit"]`)
	b1.WaitFor(t, "#done-title")
	first := b1.Text(t, "#done-title")
	number := first[strings.Index(first, "AL-"):]
	childID := app.ChildID(t, number)

	// border2 (KAP) meets the same child: the warning offers it, the arrival is a sighting.
	b2 := signIn("border2")
	b2.Navigate(t, app.URL+"/register")
	fillChild(t, b2, "Muhammad", "Rahimi")
	b2.Click(t, `form[action="/register"] > .actions button[type="submit"]`)
	b2.WaitFor(t, "#dup-title")
	if !strings.Contains(b2.Text(t, ".candidates"), number) {
		t.Fatalf("the warning does not offer %s: %q", number, b2.Text(t, ".candidates"))
	}
	b2.Click(t, `.candidate button[name="existing_child_id"]`)
	b2.WaitFor(t, "#done-title")
	if got := b2.Text(t, "#done-title"); !strings.Contains(got, number) {
		t.Fatalf("sighting receipt heading: %q", got)
	}
	if n := b2.Count(t, `a[href="/children/`+fmt.Sprint(childID)+`"]`); n != 0 {
		t.Errorf("the sighting receipt links to the record it does not open")
	}
	b2.Axe(t)
	b2.Screenshot(t, "sighting-receipt")
	if res := app.Do(t, app.Login(t, "border2"), "GET", fmt.Sprintf("/children/%d", childID), ""); res.StatusCode != http.StatusNotFound {
		t.Fatalf("after the sighting border2 reads the record: %d", res.StatusCode)
	}

	// protection1 (GJI, KAK's region): the sighting on the record and in the queue; close the
	// case with a reason.
	po := signIn("protection1")
	po.Navigate(t, app.URL+"/children/needs-action")
	if !strings.Contains(po.Text(t, "main"), number) {
		t.Fatalf("the needs-action queue lacks %s", number)
	}
	po.Axe(t)
	po.Navigate(t, fmt.Sprintf("%s/children/%d", app.URL, childID))
	po.WaitFor(t, "#arrivals")
	// The post by name, not its code KAP (issue 13).
	if got := po.Text(t, "#arrivals + .table-scroll table"); !strings.Contains(got, "Kapshticë") || strings.Contains(got, "KAP") {
		t.Errorf("the record does not show the sighting at Kapshticë by name: %q", got)
	}
	if got := po.Text(t, "#arrivals + .table-scroll table"); strings.Count(got, "Sighting: seen at Kapshticë") != 1 {
		t.Errorf("the record should mark one arrival as a sighting at Kapshticë: %q", got)
	}
	po.Axe(t)
	po.Run(t,
		chromedp.SetValue(chromedp.ID("transition"), "close"),
		chromedp.SendKeys(chromedp.ID("transition_reason"), "Returned to his family (court order 2026/55)"),
	)
	po.Click(t, `form[action$="/transitions"] button[type="submit"]`)
	po.WaitFor(t, `option[value="reopen"]`)
	var status string
	app.Scan(t, &status, `SELECT status FROM children WHERE id = ?`, childID)
	if status != "closed" {
		t.Fatalf("status after closing: %q", status)
	}
	po.Axe(t)

	// admin1 gives newcomer a role: it waits for another administrator.
	newcomer := adminUserID(t, app, "newcomer")
	a1 := signIn("admin1")
	a1.Navigate(t, fmt.Sprintf("%s/admin/users/%d", app.URL, newcomer))
	a1.Run(t, chromedp.Click(chromedp.CSS(`input[name="roles"][value="guardian"]`)))
	a1.Click(t, `form.stack button[type="submit"]`)
	a1.WaitFor(t, `div.notice[role="status"]`)
	if got := a1.Text(t, `div.notice[role="status"]`); !strings.Contains(got, "Guardian") {
		t.Errorf("the user page does not show the pending grant: %q", got)
	}
	a1.Axe(t)
	a1.Navigate(t, app.URL+"/admin/users")
	a1.WaitFor(t, "#grants")
	if n := a1.Count(t, `form[action^="/admin/grants/"]`); n != 0 {
		t.Errorf("the requester is offered %d decisions on their own request", n)
	}
	a1.Axe(t)
	var roles string
	app.Scan(t, &roles, `SELECT coalesce(array_to_string(roles, ','), '') FROM users WHERE id = ?`, newcomer)
	if strings.Contains(roles, "guardian") {
		t.Fatalf("the role took effect before approval: %q", roles)
	}
	a2 := signIn("admin2")
	a2.Navigate(t, app.URL+"/admin/users")
	a2.WaitFor(t, `form[action$="/approve"]`)
	a2.Axe(t)
	a2.Click(t, `form[action$="/approve"] button`)
	a2.WaitFor(t, "p.success")
	app.Scan(t, &roles, `SELECT coalesce(array_to_string(roles, ','), '') FROM users WHERE id = ?`, newcomer)
	if !strings.Contains(roles, "guardian") {
		t.Fatalf("approved role not given: %q", roles)
	}
	a2.Axe(t)

	// border1 probes three children outside its scope: the administrators see it.
	b1c := app.Login(t, "border1")
	for _, n := range []string{"AL-2026-000006", "AL-2026-000007", "AL-2026-000011"} {
		if res := app.Do(t, b1c, "GET", fmt.Sprintf("/children/%d", app.ChildID(t, n)), ""); res.StatusCode != http.StatusNotFound {
			t.Fatalf("probe %s: %d", n, res.StatusCode)
		}
	}
	a1.Navigate(t, app.URL+"/admin/break-glass")
	a1.WaitFor(t, "#denied-reads")
	if got := a1.Text(t, "#denied-reads tbody"); !strings.Contains(got, "Arben Hoxha") || !strings.Contains(got, "3") {
		t.Errorf("refused reads table: %q", got)
	}
	a1.Axe(t)
	a1.Navigate(t, app.URL+"/admin/break-glass?lang=ar")
	a1.WaitFor(t, "#denied-reads")
	if dir := a1.Attr(t, "html", "dir"); dir != "rtl" {
		t.Errorf("Arabic dir=%q", dir)
	}
	a1.Axe(t)
}
