package compliance

import (
	"context"
	"time"

	"github.com/kujdes/kujdes/models"
)

// This file is the package's contract with the rest of Kujdes (registry, api, frontend and the
// exports): the standards, their thresholds, the indicators and violations they yield, the
// dashboard report and the use cases that serve them. It changes only by addition.

// Code names a standard of MISSION.md: "S1" … "S13".
type Code string

// The standards (MISSION.md "Standards that the compliance view measures").
const (
	S1  Code = "S1"  // provisional representative designated
	S2  Code = "S2"  // guardian appointed
	S3  Code = "S3"  // guardian caseload
	S4  Code = "S4"  // special needs / vulnerabilities identified
	S5  Code = "S5"  // suitable placement
	S6  Code = "S6"  // no prohibited placement (police / detention; adult centre)
	S7  Code = "S7"  // placement reviewed
	S8  Code = "S8"  // guardian visit
	S9  Code = "S9"  // missing child reported to police
	S10 Code = "S10" // return interview after a missing child is found
	S11 Code = "S11" // information on rights given
	S12 Code = "S12" // biometrics reference transmitted
	S13 Code = "S13" // transition plan before 18
)

// Unit is the unit of a rule's threshold.
type Unit string

// Units of thresholds.
const (
	UnitHours       Unit = "hours"
	UnitDays        Unit = "days"
	UnitWorkingDays Unit = "working_days"
	UnitMonths      Unit = "months"
	UnitWards       Unit = "wards"
	UnitNone        Unit = "none" // zero tolerance: the rule has no threshold to tune
)

// Standard is one standard as code: its code, its source (a legal citation, not translated),
// its default threshold and unit, and whether Kujdes holds the data to measure it (S12:
// biometrics are not recorded yet). Titles, descriptions and "what resolves it" are i18n
// messages "compliance_rule_<code>_title", "…_what", "…_resolve".
type Standard struct {
	Code             Code   `json:"code"`
	Source           string `json:"source"`
	DefaultThreshold int    `json:"default_threshold"`
	Unit             Unit   `json:"unit"`
	Measured         bool   `json:"measured"`
}

// Rule is a Standard (the name used by the issue and the pages).
type Rule = Standard

// Thresholds are the thresholds in force: the defaults of Standards, overridden per
// deployment (configuration, then the admin page; each change audited). A missing or
// non-positive entry means the default.
type Thresholds struct {
	Values map[Code]int `json:"values"`
	// Holidays are the listed public holidays the working-day calendar skips besides the
	// fixed Albanian ones (internal/workdays).
	Holidays []time.Time `json:"holidays,omitempty"`
}

// Status is an indicator's traffic light against its threshold. Pages show it as text and
// colour, never colour alone.
type Status string

// Statuses.
const (
	Green Status = "green" // the standard is met
	Amber Status = "amber" // close to failing
	Red   Status = "red"   // failed
)

// IndicatorKind says how Value reads.
type IndicatorKind string

// Kinds of indicators.
const (
	KindShare  IndicatorKind = "share"  // Value = Numerator / Denominator, 0..1 (higher is better)
	KindCount  IndicatorKind = "count"  // Value = Numerator, a number of children or guardians (lower is better)
	KindMedian IndicatorKind = "median" // Value = a median in the rule's unit over Denominator cases
)

// Indicator is one headline figure: which indicator (Key, e.g. "s2_appointed_in_time"), of
// which rule, its value with numerator and denominator, the threshold it is judged against and
// its status. Suppressed is set when the figure concerns fewer than SmallCell children and the
// reader is a monitor: Value, Numerator and Denominator are then zero and pages show "<5".
type Indicator struct {
	Key         string        `json:"key"`
	Rule        Code          `json:"rule"`
	Kind        IndicatorKind `json:"kind"`
	Value       float64       `json:"value"`
	Numerator   int           `json:"numerator"`
	Denominator int           `json:"denominator"`
	Threshold   float64       `json:"threshold"`
	Status      Status        `json:"status"`
	Suppressed  bool          `json:"suppressed"`
}

// SmallCell is the smallest number of children an aggregate shown to a monitor may count:
// below it the figure is shown as "<5" (Suppress).
const SmallCell = 5

// Fact is one dated fact that triggered a violation ("registered", "application_made",
// "appointment_ended", "placement_started", "discovered_missing"…; i18n
// "compliance_fact_<key>"), for the explanation.
type Fact struct {
	Key string    `json:"key"`
	At  time.Time `json:"at"`
}

// Violation is an open breach of a rule by the state towards one child, pseudonymised: the
// registration number, an age band, nationalities and region — never a name or an address.
// Since is when the rule was first breached (the deadline passed), Due the deadline itself,
// Days how long it has been open at the last refresh; Resolve names what would resolve it
// (i18n "compliance_resolve_<key>"); Threshold the threshold in force when it was computed.
type Violation struct {
	ID                 int64     `json:"id"`
	ChildID            int64     `json:"child_id"`
	RegistrationNumber string    `json:"registration_number"`
	AgeBand            string    `json:"age_band"`
	Nationalities      []string  `json:"nationalities"`
	RegionID           int64     `json:"region_id"`
	RegionCode         string    `json:"region_code"`
	FacilityID         *int64    `json:"facility_id,omitempty"`
	GuardianID         *int64    `json:"guardian_id,omitempty"` // the guardian's user id
	Rule               Code      `json:"rule"`
	Since              time.Time `json:"since"`
	Due                time.Time `json:"due"`
	Days               int       `json:"days"`
	Threshold          int       `json:"threshold"`
	Unit               Unit      `json:"unit"`
	Resolve            string    `json:"resolve"`
	Facts              []Fact    `json:"facts"`
	ComputedAt         time.Time `json:"computed_at"`
}

// TrendPoint is an indicator's value at the end of one month (the current month: at the last
// refresh).
type TrendPoint struct {
	Month       string  `json:"month"` // "2026-03"
	Value       float64 `json:"value"`
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Suppressed  bool    `json:"suppressed"`
}

// Trend is the monthly series of one indicator over the last 12 months, oldest first.
type Trend struct {
	Key    string        `json:"key"`
	Rule   Code          `json:"rule"`
	Kind   IndicatorKind `json:"kind"`
	Points []TrendPoint  `json:"points"`
}

// Breakdown is the open violations per rule for one region, facility or guardian (Counts: how
// many violations; Children: how many distinct children have any). Counts are zero entries
// when suppressed (Suppressed lists those rules; pages show "<5").
type Breakdown struct {
	ID         int64        `json:"id"`
	Label      string       `json:"label"` // region name, facility name, guardian display name
	Children   int          `json:"children"`
	Counts     map[Code]int `json:"counts"`
	Suppressed []Code       `json:"suppressed,omitempty"`
}

// Report is the dashboard: headline indicators, monthly trends over 12 months and
// breakdowns, all over the reader's scope and the filter, as of the last refresh.
type Report struct {
	ComputedAt time.Time   `json:"computed_at"`
	Filter     Filter      `json:"filter"`
	Indicators []Indicator `json:"indicators"`
	Trends     []Trend     `json:"trends"`
	ByRegion   []Breakdown `json:"by_region"`
	ByFacility []Breakdown `json:"by_facility"`
	ByGuardian []Breakdown `json:"by_guardian"`
	Thresholds Thresholds  `json:"thresholds"`
}

// Filter narrows a report or a violation list. Zero fields do not filter. A region outside
// the reader's scope yields nothing, never an error that tells it exists.
type Filter struct {
	Rule       Code  `json:"rule,omitempty"`
	RegionID   int64 `json:"region_id,omitempty"`
	FacilityID int64 `json:"facility_id,omitempty"`
	GuardianID int64 `json:"guardian_id,omitempty"`
}

// Page pages a violation list by id (keyset): After ≥ 0, Limit 0..registry.MaxPageSize (0 is
// the default size).
type Page struct {
	After int64 `json:"after,omitempty"`
	Limit int   `json:"limit,omitempty"`
}

// ViolationPage is one page of a violation list, Next the After of the next page (0: none).
type ViolationPage struct {
	Items []Violation `json:"items"`
	Next  int64       `json:"next,omitempty"`
	Total int         `json:"total"`
}

// ViolationDetail is a violation with its explanation: the standard (source, default) and the
// threshold in force.
type ViolationDetail struct {
	Violation
	Standard Standard `json:"standard"`
}

// Service is what the registry implements (registry/compliance.go) for the two faces and the
// exports. Every call checks the permission (compliance.read), limits to the actor's scope
// (monitors: aggregates over their regions, pseudonymised lists; protection officers: their
// regions) and audits every child a list shows in that child's access history.
type Service interface {
	ComplianceReport(ctx context.Context, a *models.Actor, f Filter) (Report, error)
	ComplianceViolations(ctx context.Context, a *models.Actor, f Filter, p Page) (ViolationPage, error)
	ComplianceViolation(ctx context.Context, a *models.Actor, id int64) (ViolationDetail, error)
	// RefreshCompliance re-evaluates every rule and replaces the stored violations and
	// monthly aggregates in one transaction (the periodic job; tests call it directly).
	RefreshCompliance(ctx context.Context) error
}
