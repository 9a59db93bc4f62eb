package frontend

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/i18n"
	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Every message id the pages can ask for must exist in English (i18n's completeness test then
// requires it in every language): literal ids in the templates, ids built from code lists
// (code.sex.<code>…), and the validation codes the use cases emit. A missing id would show
// on the page as "duplicate.reason.name_similar".
func TestEveryUsedMessageExists(t *testing.T) {
	b, err := i18n.New("en")
	if err != nil {
		t.Fatal(err)
	}
	en := b.Localizer(b.Match("en", ""))
	missing := map[string]string{}
	check := func(id, where string) {
		if en.T(id) == id {
			missing[id] = where
		}
	}
	literal := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	err = fs.WalkDir(files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := fs.ReadFile(files, p)
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			check(m[1], p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string][]string{
		"code.sex.": models.Sexes, "code.protection_status.": models.ProtectionStatuses,
		"code.how_found.": models.HowFound, "code.vulnerability.": models.Vulnerabilities,
		"code.trafficking.": models.TraffickingIndicators, "code.document.": models.DocumentTypes,
		"child.status.": models.ChildStatuses, "duplicates.band.": {registry.BandLikely, registry.BandPossible},
		"duplicate.reason.": {registry.ReasonNameSimilar, registry.ReasonNameSameSkeleton, registry.ReasonAliasMatch,
			registry.ReasonNamesSwapped, registry.ReasonBirthOverlap, registry.ReasonBirthFar, registry.ReasonSexSame,
			registry.ReasonSexDiffers, registry.ReasonNationalitySame, registry.ReasonNationalityDiffers,
			registry.ReasonNameCommon, registry.ReasonNameRare},
		"needs_action.reason.": {"no_guardian", "vulnerabilities_not_assessed", "age_assessment_pending", registry.ReasonSeenElsewhere, registry.ReasonVisitOverdue,
			registry.ReasonNoPlacement, registry.ReasonPlacementReviewDue, registry.ReasonReturnInterviewDue},
		"history.via.": {"duplicate_check", "duplicate_hint", "registration"},
		"field.":       {"status", "region_code", "given_name", "family_name", "sex", "birth_date", "nationalities", "languages", "vulnerabilities", "trafficking_indicators"},
		"age.method.":  registry.AgeMethods, "age.outcome.": registry.AgeOutcomes, "age.appeal_outcome.": registry.AppealOutcomes,
		// Missing children (issue 10).
		"missing.risk.": models.MissingRiskLevels, "missing.risk_reason.": registry.RiskReasons, "missing.step.": registry.ReactionSteps,
		"missing.condition.": models.FoundConditions, "missing.saved.": {"report", "reaction", "found", "interview"},
		"deadline.": {registry.RuleS9, registry.RuleS10}, "audit.action.missing.": {"shown"},
	}
	for _, r := range models.Roles {
		check("role."+string(r), "models.Roles")
	}
	// Every field of the field-permission table (a refusal names it) and every transition.
	for _, f := range auth.ChildFields() {
		check("field."+f, "auth.ChildFields")
	}
	for _, tr := range registry.Transitions() {
		check("transition."+tr.Name, "registry.Transitions")
	}
	for _, code := range []string{"field_not_editable", "own_account", "own_request"} {
		check("forbidden."+code, "models.ForbiddenFields")
	}
	for prefix, codes := range lists {
		for _, c := range codes {
			check(prefix+c, "code list "+prefix)
		}
	}
	// Validation codes and audit actions, read from the use cases' source.
	addCode := regexp.MustCompile(`\.Add\([^,]+,\s*"([a-z_]+)"`)
	action := regexp.MustCompile(`(?:audit|Record)\(ctx, [a-z]+, [a-z]+, "([a-z_.]+)"`)
	for _, dir := range []string{"../registry", "../auth", "../internal/server"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, p := range paths {
			if strings.HasSuffix(p, "_test.go") {
				continue
			}
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range addCode.FindAllStringSubmatch(string(src), -1) {
				check("validation."+m[1], p)
			}
			for _, m := range action.FindAllStringSubmatch(string(src), -1) {
				check("audit.action."+m[1], p)
			}
		}
	}
	for id, where := range missing {
		t.Errorf("message %q (used by %s) is missing from the catalogues", id, where)
	}
}
