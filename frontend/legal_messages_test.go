package frontend

import (
	"testing"

	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// The legal section builds message ids from code lists (kinds, outcomes, stages) and the state
// machine's refusal codes are not literal .Add calls: every one must exist in English (the
// i18n completeness test then requires it in sq and ar).
func TestLegalMessagesExist(t *testing.T) {
	b, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	en := b.Localizer(b.Match("en", ""))
	var ids []string
	for _, k := range append(registry.LegalEventKinds, registry.LegalVoid) {
		ids = append(ids, "legal.kind."+k)
	}
	for _, o := range registry.LegalOutcomes {
		ids = append(ids, "legal.outcome."+o)
	}
	for _, s := range registry.LegalStages {
		ids = append(ids, "legal.stage."+s)
	}
	for _, c := range registry.LegalRefusals {
		ids = append(ids, "validation."+c)
	}
	ids = append(ids, "deadline."+registry.RuleAPR27, "deadline."+registry.RuleAPR28)
	for _, id := range ids {
		if en.T(id) == id {
			t.Errorf("message %q is missing", id)
		}
	}
}
