package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.PublicURL != "http://127.0.0.1:8080" || !c.MigrateOnStart {
		t.Errorf("defaults: %+v", c)
	}
	if c.SessionIdleTimeout != 30*time.Minute || c.SessionLifetime != 12*time.Hour {
		t.Errorf("session defaults: %v %v", c.SessionIdleTimeout, c.SessionLifetime)
	}
	if c.DuplicateChecks != 30 || c.DuplicateCheckWindow != 10*time.Minute || c.DuplicateCheckBurst != 10 {
		t.Errorf("duplicate check limit defaults: %d/%v burst %d", c.DuplicateChecks, c.DuplicateCheckWindow, c.DuplicateCheckBurst)
	}
	if c.Audit != (Audit{CheckpointInterval: 10 * time.Second, CheckpointEvents: 1000}) {
		t.Errorf("audit defaults: %+v", c.Audit)
	}
	c, err = Load(nil, env(map[string]string{"KUJDES_AUDIT_SIGNING_KEY_FILE": "/keys/audit", "KUJDES_AUDIT_CHECKPOINT_INTERVAL": "30s", "KUJDES_AUDIT_CHECKPOINT_EVENTS": "50"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Audit != (Audit{SigningKeyFile: "/keys/audit", CheckpointInterval: 30 * time.Second, CheckpointEvents: 50}) {
		t.Errorf("audit settings: %+v", c.Audit)
	}
	c, err = Load(nil, env(map[string]string{"KUJDES_DUPLICATE_CHECKS": "60/1h", "KUJDES_DUPLICATE_CHECK_BURST": "5"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.DuplicateChecks != 60 || c.DuplicateCheckWindow != time.Hour || c.DuplicateCheckBurst != 5 {
		t.Errorf("duplicate check limit: %d/%v burst %d", c.DuplicateChecks, c.DuplicateCheckWindow, c.DuplicateCheckBurst)
	}
}

func TestLoadEnvFlagsAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db")
	if err := os.WriteFile(secret, []byte("postgres://from-file/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load([]string{"-addr", "127.0.0.1:9999"}, env(map[string]string{
		"KUJDES_ADDR":          "127.0.0.1:7000",
		"DATABASE_URL_FILE":    secret,
		"KUJDES_OIDC_ROLE_MAP": "kujdes-guardian=guardian, staff=protection_officer",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" {
		t.Errorf("flag should win over env: %s", c.Addr)
	}
	if c.DatabaseURL != "postgres://from-file/x" {
		t.Errorf("DATABASE_URL_FILE not read: %q", c.DatabaseURL)
	}
	if c.OIDC.RoleMap["staff"] != "protection_officer" || len(c.OIDC.RoleMap) != 2 {
		t.Errorf("role map: %v", c.OIDC.RoleMap)
	}
}

func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"bad addr", map[string]string{"KUJDES_ADDR": "nope"}, "KUJDES_ADDR"},
		{"bad bool", map[string]string{"KUJDES_MIGRATE_ON_START": "perhaps"}, "KUJDES_MIGRATE_ON_START"},
		{"dev idp on public address", map[string]string{"KUJDES_DEV_IDP": "true", "KUJDES_ADDR": "0.0.0.0:8080"}, "loopback"},
		{"dev idp with real issuer", map[string]string{"KUJDES_DEV_IDP": "true", "KUJDES_OIDC_ISSUER": "https://kc/realms/x"}, "choose"},
		{"idle longer than lifetime", map[string]string{"KUJDES_SESSION_IDLE": "13h"}, "KUJDES_SESSION_IDLE"},
		{"missing secret file", map[string]string{"DATABASE_URL_FILE": "/nonexistent/x"}, "DATABASE_URL_FILE"},
		{"bad duplicate check limit", map[string]string{"KUJDES_DUPLICATE_CHECKS": "30"}, "KUJDES_DUPLICATE_CHECKS"},
		{"zero duplicate check burst", map[string]string{"KUJDES_DUPLICATE_CHECK_BURST": "0"}, "KUJDES_DUPLICATE_CHECK_BURST"},
		{"bad role map", map[string]string{"KUJDES_OIDC_ROLE_MAP": "guardian"}, "KUJDES_OIDC_ROLE_MAP"},
		{"audit checkpoint interval too short", map[string]string{"KUJDES_AUDIT_CHECKPOINT_INTERVAL": "10ms"}, "KUJDES_AUDIT_CHECKPOINT_INTERVAL"},
		{"audit checkpoint events zero", map[string]string{"KUJDES_AUDIT_CHECKPOINT_EVENTS": "0"}, "KUJDES_AUDIT_CHECKPOINT_EVENTS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(nil, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want error mentioning %q, got %v", tt.want, err)
			}
		})
	}
}
