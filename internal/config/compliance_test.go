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
