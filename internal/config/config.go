// Package config is Kujdes' typed configuration: read once at start from the environment (and
// flags, which win), validated, then passed down explicitly. Nothing reads the environment later.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kujdes/kujdes/internal/workdays"
)

// Config holds every setting of a Kujdes process.
type Config struct {
	// Addr is where the HTTP server listens (KUJDES_ADDR).
	Addr string
	// PublicURL is the address users reach Kujdes at; it builds the OIDC redirect URL
	// (KUJDES_PUBLIC_URL, default http://<Addr>).
	PublicURL string
	// DatabaseURL is a PostgreSQL connection URL (DATABASE_URL or DATABASE_URL_FILE). Empty means:
	// use a local server on 127.0.0.1:5432 if one answers, else start an embedded one.
	DatabaseURL string
	// DataDir holds the embedded PostgreSQL cluster when one is needed (KUJDES_DATA_DIR).
	DataDir string
	// MigrateOnStart applies pending migrations when serve starts (KUJDES_MIGRATE_ON_START).
	MigrateOnStart bool
	// DemoData loads the synthetic demo population at start if the database is empty (KUJDES_DEMO).
	DemoData bool

	LogLevel  string // debug, info, warn, error (KUJDES_LOG_LEVEL)
	LogFormat string // json or text (KUJDES_LOG_FORMAT)

	// DefaultLanguage is used when neither the user nor the browser names a supported one.
	DefaultLanguage string
	// MaxBodyBytes bounds every request body (KUJDES_MAX_BODY_BYTES).
	MaxBodyBytes int64

	OIDC OIDC
	// DevIDP runs the in-process development identity provider (KUJDES_DEV_IDP). Loopback only.
	DevIDP bool

	// SessionIdleTimeout ends a session nobody used for this long (KUJDES_SESSION_IDLE).
	SessionIdleTimeout time.Duration
	// SessionLifetime ends every session this long after login (KUJDES_SESSION_LIFETIME).
	SessionLifetime time.Duration
	// BreakGlassDuration is how long an emergency access lasts (KUJDES_BREAK_GLASS_DURATION).
	BreakGlassDuration time.Duration
	// RegistrationPrefix starts every registration number (KUJDES_REGISTRATION_PREFIX).
	RegistrationPrefix string
	// DuplicateChecks is how many duplicate checks one user may make per
	// DuplicateCheckWindow (KUJDES_DUPLICATE_CHECKS, "30/10m"), at most DuplicateCheckBurst at
	// once (KUJDES_DUPLICATE_CHECK_BURST): a registration officer's pace, not a sweep's.
	DuplicateChecks      int
	DuplicateCheckWindow time.Duration
	DuplicateCheckBurst  int

	// Guardianship holds the thresholds of the guardianship standards (S1, S2, S3, S8) and the
	// working-day calendar their deadlines are counted in.
	Guardianship Guardianship
	// MissingPoliceReportWithin is S9: a disappearance is reported to the police this long
	// after its discovery at the latest; a longer delay is flagged
	// (KUJDES_MISSING_POLICE_REPORT_WITHIN, default 2h; issue 10).
	MissingPoliceReportWithin time.Duration
	// ComplianceRefreshEvery is how often serve recomputes the compliance dashboard
	// (KUJDES_COMPLIANCE_REFRESH_EVERY, default 15m; issue 11).
	ComplianceRefreshEvery time.Duration
	// ComplianceThresholds overrides the thresholds of the standards that have no setting of
	// their own (KUJDES_COMPLIANCE_THRESHOLDS="S4=48,S5=10,S7=6,S10=72": S4 and S10 in hours,
	// S5 in days, S7 in months; issue 11). The others have their own variables (S1, S2, S3, S8, S9, S11, S13);
	// S6 is zero tolerance and S12 is not measured.
	ComplianceThresholds map[string]int
	// Audit configures the transparency log over the audit trail (package auditlog).
	Audit Audit
	// Alerts configures the delivery of alerts by e-mail and webhook (issue 10, alerts.go).
	Alerts Alerts

	// Lifecycle and rights (issue 10): the S13 and S11 thresholds, and the Chromium that
	// prints PDFs (KUJDES_CHROMIUM, default /usr/bin/chromium; package pdf).
	Lifecycle Lifecycle
	Chromium  string
}

// Lifecycle configures the case-lifecycle rules (MISSION.md S11, S13).
type Lifecycle struct {
	// PlanDaysBefore: the transition plan is due this many days before the 18th birthday
	// (KUJDES_TRANSITION_PLAN_DAYS, default 90).
	PlanDaysBefore int
	// InformWithinDays: the child is informed of their rights within this many days of
	// registration (KUJDES_RIGHTS_WITHIN_DAYS, default 15).
	InformWithinDays int
}

// Audit configures the audit log's sealer and checkpoints.
type Audit struct {
	// SigningKeyFile holds the Ed25519 key that signs checkpoints, written by `kujdes audit
	// keygen` (KUJDES_AUDIT_SIGNING_KEY_FILE). Keep it off the database server: whoever holds
	// it can sign a rewritten log. Empty: events are sealed but no checkpoint is signed.
	SigningKeyFile string
	// A checkpoint is signed when the log grew and CheckpointInterval passed, or it grew by
	// CheckpointEvents (KUJDES_AUDIT_CHECKPOINT_INTERVAL, default 10s;
	// KUJDES_AUDIT_CHECKPOINT_EVENTS, default 1000).
	CheckpointInterval time.Duration
	CheckpointEvents   int64
}

// Guardianship configures the guardianship rules (MISSION.md S1, S2, S3, S8).
type Guardianship struct {
	// CaseloadCap is the most active wards a guardian may have without an override
	// (KUJDES_GUARDIAN_CASELOAD_CAP, S3, default 30); a guardian's own cap replaces it.
	CaseloadCap int
	// ProvisionalWithin is how soon after registration a provisional representative is due
	// (KUJDES_PROVISIONAL_WITHIN, S1, default 24h).
	ProvisionalWithin time.Duration
	// AppointWithinWorkdays is how many working days after registration a guardian must be
	// appointed by (KUJDES_APPOINT_WITHIN_WORKDAYS, S2, default 15).
	AppointWithinWorkdays int
	// VisitEvery is the longest time between two visits where the guardian saw the child
	// (KUJDES_VISIT_EVERY_DAYS, S8, default 30 days).
	VisitEvery time.Duration
	// HolidayCountry names the public holidays working days skip (KUJDES_HOLIDAY_COUNTRY,
	// default AL; internal/workdays.Countries) and TimeZone the zone days are counted in
	// (KUJDES_TIME_ZONE, default Europe/Tirane).
	HolidayCountry string
	TimeZone       string
	// ListedHolidays are the holidays announced year by year (the two Bajrams in Albania):
	// KUJDES_LISTED_HOLIDAYS, comma-separated dates. See internal/workdays on adding a year.
	ListedHolidays []time.Time
}

// DefaultListedHolidays are Albania's Bajram dates as announced (Eid al-Fitr, Eid al-Adha),
// 2025–2027; KUJDES_LISTED_HOLIDAYS replaces them.
const DefaultListedHolidays = "2025-03-30,2025-06-06,2026-03-20,2026-05-27,2027-03-10,2027-05-16"

// OIDC configures login against an external identity provider (Keycloak, Entra ID…).
type OIDC struct {
	Issuer string // KUJDES_OIDC_ISSUER
	// DiscoveryURL fetches provider metadata from another address than the issuer, when Kujdes
	// reaches the provider differently from browsers (KUJDES_OIDC_DISCOVERY_URL; compose).
	DiscoveryURL string
	ClientID     string // KUJDES_OIDC_CLIENT_ID
	ClientSecret string // KUJDES_OIDC_CLIENT_SECRET or KUJDES_OIDC_CLIENT_SECRET_FILE
	// APIAudience is the `aud` that bearer tokens for /api/v1 must carry (KUJDES_OIDC_API_AUDIENCE).
	APIAudience string
	// RolesClaim is a dotted path into the token claims, e.g. "realm_access.roles", "groups", "roles".
	RolesClaim string
	// RoleMap maps provider role/group names to Kujdes roles: "kujdes-guardian=guardian,…".
	// Names not in the map are ignored (allow-list).
	RoleMap map[string]string
	// Scopes requested at login besides "openid" (KUJDES_OIDC_SCOPES, comma separated).
	Scopes []string
}

// Getenv reads one environment variable; os.Getenv in main, a map in tests.
type Getenv func(string) string

// Load builds the configuration from the environment, then from flags in args (which win),
// and validates it.
func Load(args []string, getenv Getenv) (Config, error) {
	c := Config{}
	var errs []error
	str := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	secret := func(name string) string {
		if v := getenv(name); v != "" {
			return v
		}
		path := getenv(name + "_FILE")
		if path == "" {
			return ""
		}
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s_FILE: %w", name, err))
			return ""
		}
		return strings.TrimSpace(string(b))
	}
	boolean := func(name string, def bool) bool {
		v := getenv(name)
		if v == "" {
			return def
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not true or false", name, v))
		}
		return b
	}
	duration := func(name string, def time.Duration) time.Duration {
		v := getenv(name)
		if v == "" {
			return def
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration like 30m or 12h", name, v))
		}
		return d
	}

	c.Addr = str("KUJDES_ADDR", "127.0.0.1:8080")
	c.PublicURL = str("KUJDES_PUBLIC_URL", "")
	c.DatabaseURL = secret("DATABASE_URL")
	c.DataDir = str("KUJDES_DATA_DIR", ".kujdes")
	c.MigrateOnStart = boolean("KUJDES_MIGRATE_ON_START", true)
	c.DemoData = boolean("KUJDES_DEMO", false)
	c.LogLevel = str("KUJDES_LOG_LEVEL", "info")
	c.LogFormat = str("KUJDES_LOG_FORMAT", "json")
	c.DefaultLanguage = str("KUJDES_DEFAULT_LANGUAGE", "en")
	c.MaxBodyBytes = 1 << 20
	if v := getenv("KUJDES_MAX_BODY_BYTES"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("KUJDES_MAX_BODY_BYTES: %q is not a number", v))
		}
		c.MaxBodyBytes = n
	}
	c.DevIDP = boolean("KUJDES_DEV_IDP", false)
	c.SessionIdleTimeout = duration("KUJDES_SESSION_IDLE", 30*time.Minute)
	c.SessionLifetime = duration("KUJDES_SESSION_LIFETIME", 12*time.Hour)
	c.BreakGlassDuration = duration("KUJDES_BREAK_GLASS_DURATION", time.Hour)
	c.RegistrationPrefix = str("KUJDES_REGISTRATION_PREFIX", "AL")
	c.DuplicateChecks, c.DuplicateCheckWindow = 30, 10*time.Minute
	if v := getenv("KUJDES_DUPLICATE_CHECKS"); v != "" {
		n, per, ok := strings.Cut(v, "/")
		count, err1 := strconv.Atoi(n)
		window, err2 := time.ParseDuration(per)
		if !ok || err1 != nil || err2 != nil || count < 1 || window <= 0 {
			errs = append(errs, fmt.Errorf("KUJDES_DUPLICATE_CHECKS: %q is not a count per duration such as 30/10m", v))
		}
		c.DuplicateChecks, c.DuplicateCheckWindow = count, window
	}
	c.DuplicateCheckBurst = 10
	if v := getenv("KUJDES_DUPLICATE_CHECK_BURST"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("KUJDES_DUPLICATE_CHECK_BURST: %q is not a positive number", v))
		}
		c.DuplicateCheckBurst = n
	}
	c.Audit = Audit{
		SigningKeyFile:     str("KUJDES_AUDIT_SIGNING_KEY_FILE", ""),
		CheckpointInterval: duration("KUJDES_AUDIT_CHECKPOINT_INTERVAL", 10*time.Second),
		CheckpointEvents:   1000,
	}
	if v := getenv("KUJDES_AUDIT_CHECKPOINT_EVENTS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("KUJDES_AUDIT_CHECKPOINT_EVENTS: %q is not a positive number", v))
		}
		c.Audit.CheckpointEvents = n
	}
	c.MissingPoliceReportWithin = duration("KUJDES_MISSING_POLICE_REPORT_WITHIN", 2*time.Hour)        // issue 10: S9
	c.ComplianceRefreshEvery = duration("KUJDES_COMPLIANCE_REFRESH_EVERY", 15*time.Minute)            // issue 11
	c.ComplianceThresholds, errs = complianceThresholds(getenv("KUJDES_COMPLIANCE_THRESHOLDS"), errs) // issue 11
	c.Guardianship = Guardianship{
		ProvisionalWithin: duration("KUJDES_PROVISIONAL_WITHIN", 24*time.Hour),
		HolidayCountry:    str("KUJDES_HOLIDAY_COUNTRY", "AL"),
		TimeZone:          str("KUJDES_TIME_ZONE", "Europe/Tirane"),
	}
	for _, n := range []struct {
		name string
		def  int
		to   *int
	}{{"KUJDES_GUARDIAN_CASELOAD_CAP", 30, &c.Guardianship.CaseloadCap}, {"KUJDES_APPOINT_WITHIN_WORKDAYS", 15, &c.Guardianship.AppointWithinWorkdays}} {
		*n.to = n.def
		if v := getenv(n.name); v != "" {
			k, err := strconv.Atoi(v)
			if err != nil || k < 1 || k > 1000 {
				errs = append(errs, fmt.Errorf("%s: %q is not a number from 1 to 1000", n.name, v))
			}
			*n.to = k
		}
	}
	c.Guardianship.VisitEvery = 30 * 24 * time.Hour
	if v := getenv("KUJDES_VISIT_EVERY_DAYS"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > 365 {
			errs = append(errs, fmt.Errorf("KUJDES_VISIT_EVERY_DAYS: %q is not a number of days from 1 to 365", v))
		}
		c.Guardianship.VisitEvery = time.Duration(k) * 24 * time.Hour
	}
	listed, err := workdays.ParseDates(str("KUJDES_LISTED_HOLIDAYS", DefaultListedHolidays))
	if err != nil {
		errs = append(errs, fmt.Errorf("KUJDES_LISTED_HOLIDAYS: %w", err))
	}
	c.Guardianship.ListedHolidays = listed
	// Issue 10: lifecycle thresholds and the PDF browser.
	c.Chromium = str("KUJDES_CHROMIUM", "/usr/bin/chromium")
	for _, n := range []struct {
		name string
		def  int
		to   *int
	}{{"KUJDES_TRANSITION_PLAN_DAYS", 90, &c.Lifecycle.PlanDaysBefore}, {"KUJDES_RIGHTS_WITHIN_DAYS", 15, &c.Lifecycle.InformWithinDays}} {
		*n.to = n.def
		if v := getenv(n.name); v != "" {
			k, err := strconv.Atoi(v)
			if err != nil || k < 1 || k > 365 {
				errs = append(errs, fmt.Errorf("%s: %q is not a number of days from 1 to 365", n.name, v))
			}
			*n.to = k
		}
	}
	c.OIDC = OIDC{
		Issuer:       str("KUJDES_OIDC_ISSUER", ""),
		DiscoveryURL: str("KUJDES_OIDC_DISCOVERY_URL", ""),
		ClientID:     str("KUJDES_OIDC_CLIENT_ID", "kujdes"),
		ClientSecret: secret("KUJDES_OIDC_CLIENT_SECRET"),
		APIAudience:  str("KUJDES_OIDC_API_AUDIENCE", "kujdes-api"),
		RolesClaim:   str("KUJDES_OIDC_ROLES_CLAIM", "roles"),
		Scopes:       splitList(str("KUJDES_OIDC_SCOPES", "profile,email")),
	}
	roleMap, err := parseRoleMap(str("KUJDES_OIDC_ROLE_MAP", ""))
	if err != nil {
		errs = append(errs, err)
	}
	c.OIDC.RoleMap = roleMap

	if len(args) > 0 {
		fs := flag.NewFlagSet("kujdes", flag.ContinueOnError)
		fs.SetOutput(discard{})
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address")
		fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL URL")
		fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "embedded PostgreSQL folder")
		fs.BoolVar(&c.MigrateOnStart, "migrate", c.MigrateOnStart, "apply migrations at start")
		fs.BoolVar(&c.DemoData, "demo", c.DemoData, "load demo data when the database is empty")
		fs.BoolVar(&c.DevIDP, "dev-idp", c.DevIDP, "run the development identity provider")
		if err := fs.Parse(args); err != nil {
			errs = append(errs, err)
		}
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	alerts, err := loadAlerts(getenv) // issue 10
	c.Alerts = alerts
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate refuses settings that cannot work, with a message that says what to change.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("KUJDES_ADDR: %q is not host:port", c.Addr))
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("KUJDES_PUBLIC_URL: %q is not an http(s) URL", c.PublicURL))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("KUJDES_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		errs = append(errs, fmt.Errorf("KUJDES_LOG_FORMAT: %q is not json or text", c.LogFormat))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("KUJDES_MAX_BODY_BYTES: must be at least 1024"))
	}
	if c.SessionIdleTimeout <= 0 || c.SessionLifetime <= 0 || c.SessionIdleTimeout > c.SessionLifetime {
		errs = append(errs, errors.New("KUJDES_SESSION_IDLE and KUJDES_SESSION_LIFETIME: both positive, idle not longer than lifetime"))
	}
	if !registrationPrefix.MatchString(c.RegistrationPrefix) {
		errs = append(errs, fmt.Errorf("KUJDES_REGISTRATION_PREFIX: %q is not 1 to 6 capital letters", c.RegistrationPrefix))
	}
	if c.BreakGlassDuration <= 0 || c.BreakGlassDuration > 24*time.Hour {
		errs = append(errs, errors.New("KUJDES_BREAK_GLASS_DURATION: between 1s and 24h"))
	}
	if c.Audit.CheckpointInterval < time.Second || c.Audit.CheckpointInterval > time.Hour {
		errs = append(errs, errors.New("KUJDES_AUDIT_CHECKPOINT_INTERVAL: between 1s and 1h"))
	}
	if _, err := c.Guardianship.Calendar(); err != nil {
		errs = append(errs, fmt.Errorf("KUJDES_HOLIDAY_COUNTRY or KUJDES_TIME_ZONE: %w", err))
	}
	if c.Guardianship.ProvisionalWithin <= 0 {
		errs = append(errs, errors.New("KUJDES_PROVISIONAL_WITHIN: must be positive"))
	}
	if c.MissingPoliceReportWithin <= 0 || c.MissingPoliceReportWithin > 7*24*time.Hour {
		errs = append(errs, errors.New("KUJDES_MISSING_POLICE_REPORT_WITHIN: between 1s and 168h"))
	}
	if c.ComplianceRefreshEvery < time.Minute { // issue 11
		errs = append(errs, errors.New("KUJDES_COMPLIANCE_REFRESH_EVERY: at least 1m"))
	}
	if err := c.Alerts.Validate(); err != nil { // issue 10
		errs = append(errs, err)
	}
	if c.DevIDP {
		if c.OIDC.Issuer != "" {
			errs = append(errs, errors.New("KUJDES_DEV_IDP and KUJDES_OIDC_ISSUER are both set: choose the development provider or a real one"))
		}
		if !IsLoopback(c.Addr) {
			errs = append(errs, fmt.Errorf("KUJDES_DEV_IDP: the development identity provider only runs on a loopback address, not %q", c.Addr))
		}
	} else if c.OIDC.Issuer != "" {
		if u, err := url.Parse(c.OIDC.Issuer); err != nil || u.Host == "" {
			errs = append(errs, fmt.Errorf("KUJDES_OIDC_ISSUER: %q is not a URL", c.OIDC.Issuer))
		}
		if c.OIDC.ClientID == "" {
			errs = append(errs, errors.New("KUJDES_OIDC_CLIENT_ID: required with KUJDES_OIDC_ISSUER"))
		}
		if c.OIDC.APIAudience == "" {
			errs = append(errs, errors.New("KUJDES_OIDC_API_AUDIENCE: required with KUJDES_OIDC_ISSUER"))
		}
	}
	return errors.Join(errs...)
}

var registrationPrefix = regexp.MustCompile(`^[A-Z]{1,6}$`)

// IsLoopback reports whether a host:port (or bare host) only listens on this machine.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseRoleMap(s string) (map[string]string, error) {
	m := map[string]string{}
	for _, pair := range splitList(s) {
		from, to, ok := strings.Cut(pair, "=")
		if !ok || strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
			return nil, fmt.Errorf("KUJDES_OIDC_ROLE_MAP: %q is not provider-role=kujdes-role", pair)
		}
		m[strings.TrimSpace(from)] = strings.TrimSpace(to)
	}
	return m, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Calendar builds the working-day calendar the guardianship deadlines are counted in.
func (g Guardianship) Calendar() (*workdays.Calendar, error) {
	loc, err := time.LoadLocation(g.TimeZone)
	if err != nil {
		return nil, err
	}
	return workdays.New(g.HolidayCountry, g.ListedHolidays, loc)
}

// complianceOverridable are the standards KUJDES_COMPLIANCE_THRESHOLDS may set, with the
// largest value each accepts (in the standard's unit); the others have their own variable.
var complianceOverridable = map[string]int{"S4": 24 * 30, "S5": 90, "S7": 24, "S10": 24 * 30}

// complianceOwnVariable names the variable of a standard whose threshold has its own.
var complianceOwnVariable = map[string]string{
	"S1": "KUJDES_PROVISIONAL_WITHIN", "S2": "KUJDES_APPOINT_WITHIN_WORKDAYS", "S3": "KUJDES_GUARDIAN_CASELOAD_CAP",
	"S8": "KUJDES_VISIT_EVERY_DAYS", "S9": "KUJDES_MISSING_POLICE_REPORT_WITHIN",
	"S11": "KUJDES_RIGHTS_WITHIN_DAYS", "S13": "KUJDES_TRANSITION_PLAN_DAYS",
}

// complianceThresholds parses KUJDES_COMPLIANCE_THRESHOLDS ("S4=48,S5=10,S7=6").
func complianceThresholds(v string, errs []error) (map[string]int, []error) {
	out := map[string]int{}
	if strings.TrimSpace(v) == "" {
		return out, errs
	}
	for _, part := range strings.Split(v, ",") {
		code, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		code = strings.ToUpper(strings.TrimSpace(code))
		n, err := strconv.Atoi(strings.TrimSpace(val))
		max, overridable := complianceOverridable[code]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("KUJDES_COMPLIANCE_THRESHOLDS: %q is not STANDARD=VALUE (e.g. S5=10)", part))
		case complianceOwnVariable[code] != "":
			errs = append(errs, fmt.Errorf("KUJDES_COMPLIANCE_THRESHOLDS: %s has its own setting, %s", code, complianceOwnVariable[code]))
		case !overridable:
			errs = append(errs, fmt.Errorf("KUJDES_COMPLIANCE_THRESHOLDS: %q is not a standard with a configurable threshold (S4, S5, S7, S10)", code))
		case err != nil || n < 1 || n > max:
			errs = append(errs, fmt.Errorf("KUJDES_COMPLIANCE_THRESHOLDS: %s=%q is not a number from 1 to %d", code, val, max))
		default:
			out[code] = n
		}
	}
	return out, errs
}
