package frontend

import (
	"io/fs"
	"regexp"
	"testing"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// The rights sheet's messages (.R) exist in its own catalogue and its toolbar's (.UI) in the
// interface's; the lifecycle's codes have their interface messages. (TestEveryUsedMessageExists
// checks the .T messages of every template.)
func TestLifecycleMessagesExist(t *testing.T) {
	rights, err := i18n.NewRights()
	if err != nil {
		t.Fatal(err)
	}
	ui, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	en, uiEn := rights.Localizer(rights.For([]string{"en"})), ui.Localizer(ui.Match("en", ""))
	src, err := fs.ReadFile(files, "templates/rights/sheet.html")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range regexp.MustCompile(`\.R "([a-z0-9_.]+)"`).FindAllStringSubmatch(string(src), -1) {
		n++
		if en.T(m[1]) == m[1] {
			t.Errorf("rights message %q is missing from i18n/rights", m[1])
		}
	}
	if n < 20 {
		t.Errorf("only %d rights messages found in the sheet", n)
	}
	var ids []string
	for _, m := range regexp.MustCompile(`\.UI "([a-z0-9_.]+)"`).FindAllStringSubmatch(string(src), -1) {
		ids = append(ids, m[1])
	}
	ids = append(ids, "needs_action.reason."+registry.ReasonTransitionPlanDue, "deadline."+registry.RuleS13, "deadline."+registry.RuleS11,
		"rights_sheet.pdf_unavailable.title", "rights_sheet.pdf_unavailable.text", "rights_sheet.pdf_busy.text", "rights_sheet.open_printable")
	for _, m := range registry.RightsMethods {
		ids = append(ids, "rights_info.method."+m)
	}
	for _, id := range ids {
		if uiEn.T(id) == id {
			t.Errorf("interface message %q is missing", id)
		}
	}
}
