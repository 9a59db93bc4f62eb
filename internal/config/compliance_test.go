package config

import (
	"strings"
	"testing"
	"time"
)

func TestComplianceRefreshEvery(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil || c.ComplianceRefreshEvery != 15*time.Minute {
		t.Fatalf("default: %v, %v", c.ComplianceRefreshEvery, err)
	}
	c, err = Load(nil, env(map[string]string{"KUJDES_COMPLIANCE_REFRESH_EVERY": "5m"}))
	if err != nil || c.ComplianceRefreshEvery != 5*time.Minute {
		t.Fatalf("5m: %v, %v", c.ComplianceRefreshEvery, err)
	}
	for _, bad := range []string{"10s", "soon"} {
		if _, err := Load(nil, env(map[string]string{"KUJDES_COMPLIANCE_REFRESH_EVERY": bad})); err == nil ||
			!strings.Contains(err.Error(), "KUJDES_COMPLIANCE_REFRESH_EVERY") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestComplianceThresholds: the standards without a variable of their own take an override
// from KUJDES_COMPLIANCE_THRESHOLDS; the others are refused with the name of their variable.
func TestComplianceThresholds(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil || len(c.ComplianceThresholds) != 0 {
		t.Fatalf("default: %v, %v", c.ComplianceThresholds, err)
	}
	c, err = Load(nil, env(map[string]string{"KUJDES_COMPLIANCE_THRESHOLDS": " S4=48, s5=10,S7=6,S10=48 "}))
	if err != nil || c.ComplianceThresholds["S4"] != 48 || c.ComplianceThresholds["S5"] != 10 || c.ComplianceThresholds["S7"] != 6 ||
		c.ComplianceThresholds["S10"] != 48 || len(c.ComplianceThresholds) != 4 {
		t.Fatalf("overrides: %v, %v", c.ComplianceThresholds, err)
	}
	for bad, want := range map[string]string{
		"S2=10":  "KUJDES_APPOINT_WITHIN_WORKDAYS",
		"S6=1":   "not a standard with a configurable threshold",
		"S5":     "STANDARD=VALUE",
		"S5=0":   "from 1 to 90",
		"S7=abc": "from 1 to 24",
		"S99=3":  "not a standard",
	} {
		_, err := Load(nil, env(map[string]string{"KUJDES_COMPLIANCE_THRESHOLDS": bad}))
		if err == nil || !strings.Contains(err.Error(), "KUJDES_COMPLIANCE_THRESHOLDS") || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v (want %q)", bad, err, want)
		}
	}
}
