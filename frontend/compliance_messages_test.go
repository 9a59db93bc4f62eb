package frontend

import (
	"testing"

	"github.com/kujdes/kujdes/compliance"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/registry"
)

// The compliance pages build message ids from codes (issue 11): every standard, indicator,
// status, unit, fact and resolution has its message (the parity test carries them to sq and
// ar). TestEveryUsedMessageExists checks the literal ones.
func TestComplianceMessagesExist(t *testing.T) {
	ui, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	en := ui.Localizer(ui.Match("en", ""))
	ids := []string{"needs_action.reason." + registry.ReasonRightsInformationDue, "audit.action.compliance.thresholds"}
	for _, s := range compliance.Standards {
		ids = append(ids, "compliance.rule."+string(s.Code), "compliance.what."+string(s.Code))
		if s.Unit != compliance.UnitNone {
			ids = append(ids, "compliance.unit."+string(s.Unit))
		}
	}
	for _, d := range compliance.Indicators {
		ids = append(ids, "compliance.indicator."+d.Key)
	}
	for _, s := range []compliance.Status{compliance.Green, compliance.Amber, compliance.Red, compliance.NoData} {
		ids = append(ids, "compliance.status."+string(s))
	}
	for _, r := range []string{compliance.ResolveDesignate, compliance.ResolveAppoint, compliance.ResolveAssess, compliance.ResolvePlace,
		compliance.ResolveMove, compliance.ResolveReview, compliance.ResolveVisit, compliance.ResolvePolice, compliance.ResolveInterview,
		compliance.ResolveRights, compliance.ResolvePlan} {
		ids = append(ids, "compliance.resolve."+r)
	}
	for _, f := range []string{"registered", "appointment_ended", "application_made", "placement_ended", "placement_started",
		"placement_reviewed", "appointment_started", "last_visit", "discovered_missing", "found", "turns_18"} {
		ids = append(ids, "compliance.fact."+f)
	}
	for _, id := range ids {
		if en.T(id) == id {
			t.Errorf("message %q is missing", id)
		}
	}
}
