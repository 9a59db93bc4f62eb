package config

import (
	"strings"
	"testing"
	"time"
)

// S9's threshold (issue 10): 2 hours by default, configurable, refused when not a positive
// duration of at most a week.
func TestMissingPoliceReportWithin(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil || c.MissingPoliceReportWithin != 2*time.Hour {
		t.Fatalf("default: %v %v", c.MissingPoliceReportWithin, err)
	}
	c, err = Load(nil, env(map[string]string{"KUJDES_MISSING_POLICE_REPORT_WITHIN": "30m"}))
	if err != nil || c.MissingPoliceReportWithin != 30*time.Minute {
		t.Fatalf("30m: %v %v", c.MissingPoliceReportWithin, err)
	}
	for _, bad := range []string{"0s", "-1h", "200h", "soon"} {
		if _, err := Load(nil, env(map[string]string{"KUJDES_MISSING_POLICE_REPORT_WITHIN": bad})); err == nil ||
			!strings.Contains(err.Error(), "KUJDES_MISSING_POLICE_REPORT_WITHIN") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
