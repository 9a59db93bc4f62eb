package registry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// A new child's registration writes all its rows in one statement (issue 8,
// insertRegistration): the name locks, the child with its number, its names, its arrival and
// its audit event, in one data-modifying WITH clause. Each round trip saved is a statement's
// parse, bind and protocol work on both sides and a wake-up of the backend, with the
// transaction's locks held; a confirmed new child without an idempotency key needs no other
// statement, so it is registered in one round trip, with no BEGIN or COMMIT. The audit
// event is prepared in Go (models.AuditInsertStatement: its leaf hash covers the entity id),
// so the child's id is known before the statement: it comes from the ids the registry
// reserves from the children's sequence in blocks (child_ids.go). The statements are
// written by hand rather than with GORM's Create, which builds them by reflection over every
// field of every row; TestRegistrationInsertColumns holds the column lists to the models.
//
// What PostgreSQL does per name row is most of the registration's work there (migration
// 00046, docs/audit-log.md "2026-12-02 afternoon"). The names carry the middle of the
// child's birth range (birth_mid, for the duplicate search's nearest-birth blocks): the
// registration supplies it, computed by kujdes_birth_mid from the child's range, so the
// trigger child_names_birth, which would look the child up once per row, does not run
// (it still does for every other writer: TestNameBirthMidFollowsChild). Their counts
// (name_frequencies) are appended to name_count_queue by the statement's trigger and folded
// later (NameCountFolder), instead of three or four upserts on rows that concurrent
// registrations share.

// childInsertColumns are the columns a new child is inserted with, all but id (reserved
// before, written first) and registration_number (computed in the statement), in the order of childInsertValues.
var childInsertColumns = []string{"region_id", "border_post_id", "status", "given_name", "family_name",
	"given_name_latin", "family_name_latin", "father_name", "mother_name", "sex", "birth_date_known",
	"birth_date_from", "birth_date_to", "nationalities", "languages", "protection_status", "vulnerabilities",
	"special_needs", "trafficking_indicators", "trafficking_notes", "vulnerabilities_assessed_at",
	"registered_at", "registered_by", "duplicate_of", "version", "created_at", "updated_at"}

func childInsertValues(c *models.Child) []any {
	return []any{c.RegionID, c.BorderPostID, c.Status, c.GivenName, c.FamilyName,
		c.GivenNameLatin, c.FamilyNameLatin, c.FatherName, c.MotherName, c.Sex, c.BirthDateKnown,
		c.BirthDateFrom, c.BirthDateTo, c.Nationalities, c.Languages, c.ProtectionStatus, c.Vulnerabilities,
		c.SpecialNeeds, c.TraffickingIndicators, c.TraffickingNotes, c.VulnerabilitiesAt,
		c.RegisteredAt, c.RegisteredBy, c.DuplicateOf, c.Version, c.CreatedAt, c.UpdatedAt}
}

// arrivalInsertColumns are the columns of an arrival, all but id, in the order of
// arrivalInsertValues.
var arrivalInsertColumns = []string{"child_id", "arrived_at", "border_post_id", "location", "how_found",
	"accompanying_adults", "documents", "notes", "grants_scope", "registered_by", "created_at"}

func arrivalInsertValues(ar *models.Arrival) []any {
	return []any{ar.ChildID, ar.ArrivedAt, ar.BorderPostID, ar.Location, ar.HowFound,
		ar.AccompanyingAdults, ar.Documents, ar.Notes, ar.GrantsScope, ar.RegisteredBy, ar.CreatedAt}
}

// nameInsertColumns are the columns of a child_names row written from Go (norm is
// generated; birth_mid is added by insertRegistration), in the order of nameInsertValues.
var nameInsertColumns = []string{"child_id", "kind", "original", "latin", "skeleton", "variant_skeletons"}

func nameInsertValues(n *models.ChildName) []any {
	return []any{n.ChildID, n.Kind, n.Original, n.Latin, n.Skeleton, n.VariantSkeletons}
}

// placeholders is "(?, ?, …)" for n values.
func placeholders(n int) string {
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

// registrationNumberSQL is THE format of a registration number, "PREFIX-YEAR-000123" (six
// digits at least), for the value n of child_registration_seq; prefix and year are its two
// placeholders.
const registrationNumberSQL = `CAST(? AS text) || '-' || CAST(? AS text) || '-' || lpad(n::text, greatest(6, length(n::text)), '0')`

// insertRegistration writes a new child in ONE statement (issue 8): the name locks of
// lockKeys (none: they were taken before, and a duplicate check came between), the child with
// a number from child_registration_seq taken after those locks, its names, its arrival and
// the audit event ev (prepared here: its leaf hash covers the child's id, which c.ID must
// already hold, from Registry.newChildID). It sets c.RegistrationNumber, ar.ID and ev.ID.
//
// Being one statement, it is one transaction of its own when db is not inside one: a
// confirmed new child without an idempotency key is registered in a single round trip
// (RegisterArrivalOnce), with no BEGIN and no COMMIT to send. Inside a transaction (after a
// duplicate check, or with a key) it is that transaction's last write. The number comes
// after validation and the locks, so a refused registration leaves no gap, and a registration
// waiting for a namesake takes its number once it may insert (see lockNames). The parts of a
// WITH clause see one snapshot and run in no set order; nothing here reads what a sibling
// writes: the names carry the birth middle computed from the values (the trigger
// child_names_birth, which would read the child, does not run), and the foreign keys to the
// child are checked at the statement's end, when the child is there.
func insertRegistration(ctx context.Context, db *gorm.DB, c *models.Child, names []models.ChildName, ar *models.Arrival, ev *models.AuditEvent, prefix string, lockKeys models.Int64s) error {
	if c.ID == 0 {
		return errors.New("insert registration: the child has no id")
	}
	auditSQL, auditArgs, err := models.AuditInsertStatement(ev)
	if err != nil {
		return err
	}
	args := make([]any, 0, 8+len(childInsertColumns)+len(names)*len(nameInsertColumns)+len(arrivalInsertColumns)+len(auditArgs))
	if lockKeys != nil {
		args = append(args, registrationLockClass, lockKeys)
	}
	args = append(append(args, c.ID, prefix, strconv.Itoa(c.RegisteredAt.Year())), childInsertValues(c)...)
	if len(names) > 0 {
		args = append(args, c.BirthDateFrom, c.BirthDateTo)
		for i := range names {
			args = append(args, nameInsertValues(&names[i])...)
		}
	}
	args = append(append(args, arrivalInsertValues(ar)...), auditArgs...)
	// Without GORM's builder (clause.Expr.Build and AddVar over the ~80 values: 6 % of a
	// registration's Go CPU), with the statement's text made once per shape, and with the
	// arrays given to pgx as slices (rawRow).
	st := registrationStatement(registrationShape{names: len(names), locks: lockKeys != nil, audit: auditSQL})
	if st.params != len(args) {
		return fmt.Errorf("insert registration: %d values for %d placeholders", len(args), st.params)
	}
	found, err := rawRow(db.WithContext(ctx), st.text, args, []any{&c.RegistrationNumber, &ar.ID, &ev.ID})
	if err == nil && !found {
		err = errors.New("no row returned")
	}
	if err != nil {
		c.RegistrationNumber, ar.ID, ev.ID = "", 0, 0
		return fmt.Errorf("insert registration: %w", err)
	}
	return nil
}

// registrationShape is what the text of insertRegistration's statement depends on.
type registrationShape struct {
	names int    // name rows
	locks bool   // the name locks are taken in the statement
	audit string // the event's INSERT (models.AuditInsertStatement), the same every time
}

// registrationStatements holds each shape's statement (registrationShape → numberedStatement).
var registrationStatements sync.Map

// numberedStatement is a statement's text with $1…$params.
type numberedStatement struct {
	text   string
	params int
}

// registrationStatement is insertRegistration's statement for shape s, numbered ($1, $2…) in
// the order insertRegistration appends its values. It is built once per shape: a handful of
// shapes (name rows, with or without the locks) for the whole process.
func registrationStatement(s registrationShape) numberedStatement {
	if st, ok := registrationStatements.Load(s); ok {
		return st.(numberedStatement)
	}
	var q strings.Builder
	q.WriteString("WITH ")
	if s.locks {
		q.WriteString(`locked AS (SELECT count(pg_advisory_xact_lock(?, k)) AS n FROM unnest(CAST(? AS int[])) AS k),
			num AS (SELECT nextval('child_registration_seq') AS n FROM locked), `)
	} else {
		q.WriteString(`num AS (SELECT nextval('child_registration_seq') AS n), `)
	}
	q.WriteString("child AS (INSERT INTO children (id, registration_number, " + strings.Join(childInsertColumns, ", ") +
		") VALUES (?, (SELECT " + registrationNumberSQL + " FROM num), " +
		strings.TrimPrefix(placeholders(len(childInsertColumns)), "(") + " RETURNING registration_number), ")
	if s.names > 0 {
		// One evaluation of the rule for all rows (an uncorrelated subquery runs once).
		q.WriteString("birth AS (SELECT kujdes_birth_mid(CAST(? AS date), CAST(? AS date)) AS mid), ")
		q.WriteString("names AS (INSERT INTO child_names (" + strings.Join(nameInsertColumns, ", ") + ", birth_mid) VALUES ")
		row := strings.TrimSuffix(placeholders(len(nameInsertColumns)), ")") + ", (SELECT mid FROM birth))"
		for i := range s.names {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
		}
		q.WriteString("), ")
	}
	q.WriteString("arrival AS (INSERT INTO arrivals (" + strings.Join(arrivalInsertColumns, ", ") + ") VALUES " +
		placeholders(len(arrivalInsertColumns)) + " RETURNING id), event AS (" + s.audit + ") " +
		"SELECT child.registration_number, arrival.id AS arrival_id, event.id AS event_id FROM child, arrival, event")
	// Every ? above is a placeholder: numbered with one scalar value per ? (none is expanded).
	n := strings.Count(q.String(), "?")
	text, _ := numbered(q.String(), make([]any, n))
	st := numberedStatement{text: text, params: n}
	registrationStatements.Store(s, st)
	return st
}
