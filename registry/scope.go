package registry

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/kujdes/kujdes/models"
)

// The record-scope rule is written here, once, in SQL. Every list, search, export and single
// read of a child's data goes through scopeCondition, so an out-of-scope child is
// indistinguishable from a missing one. Who sees which children:
//
//   - border officer: children registered at, or arrived through, their border post(s) — an
//     arrival recorded on a child outside their scope is a sighting and does not count;
//   - protection officer: children in their region(s);
//   - guardian: children with an appointment to them that is current now — data, not claims;
//     access ends the moment the appointment ends;
//   - anyone: a child named in their own unexpired break-glass grant ("emergency access");
//   - monitors and administrators: nothing else (monitors get aggregates over their regions
//     through scopeAggregate, which never returns a child's row).
//
// Each predicate below is a named fragment over the "children" table of the enclosing query;
// a query that needs one of them (the needs-action queue asks for "no current appointment")
// uses the same builder rather than writing the condition again.

// sqlCond is a SQL boolean expression (or, through as, a selected column) and its arguments.
type sqlCond struct {
	sql  string
	args []any
}

var sqlFalse = sqlCond{sql: "FALSE"}

// or joins conditions with OR (FALSE for none).
func or(cs ...sqlCond) sqlCond {
	if len(cs) == 0 {
		return sqlFalse
	}
	parts := make([]string, len(cs))
	var args []any
	for i, c := range cs {
		parts[i] = c.sql
		args = append(args, c.args...)
	}
	return sqlCond{sql: "(" + strings.Join(parts, " OR ") + ")", args: args}
}

// and joins two conditions with AND.
func and(x, y sqlCond) sqlCond {
	return sqlCond{sql: "(" + x.sql + " AND " + y.sql + ")", args: append(append([]any{}, x.args...), y.args...)}
}

// not negates a condition.
func not(c sqlCond) sqlCond { return sqlCond{sql: "NOT " + c.sql, args: c.args} }

// as names a condition as a selected column.
func as(c sqlCond, name string) sqlCond { return sqlCond{sql: c.sql + " AS " + name, args: c.args} }

// appointmentIsCurrent: the appointment row ga is current at now — started, not ended. THE
// definition of "current appointment"; every query asking it (scope, caseloads, wards,
// deadlines) uses this fragment.
func appointmentIsCurrent(now time.Time) sqlCond {
	return sqlCond{sql: `ga.started_at <= ? AND (ga.ended_at IS NULL OR ga.ended_at > ?)`, args: []any{now, now}}
}

// currentAppointment: the child has a guardian appointment that is current at now — started,
// not ended. guardianID 0 means any guardian's; otherwise that guardian's.
func currentAppointment(guardianID int64, now time.Time) sqlCond {
	who, args := "", []any{}
	if guardianID != 0 {
		who, args = " AND ga.guardian_user_id = ?", []any{guardianID}
	}
	cur := appointmentIsCurrent(now)
	return sqlCond{
		sql:  `EXISTS (SELECT 1 FROM guardian_appointments ga WHERE ga.child_id = children.id` + who + ` AND ` + cur.sql + `)`,
		args: append(args, cur.args...),
	}
}

// wardsOf: the child is one of the guardian's current wards — currentAppointment(guardianID)
// written as "id IN (the guardian's current appointments)", so a query over a guardian's
// wards starts from their few appointments instead of testing every child (the wards board).
// It narrows a query; the actor's scope (scopeChildren) still applies on top.
func wardsOf(guardianID int64, now time.Time) sqlCond {
	cur := appointmentIsCurrent(now)
	return sqlCond{
		sql:  `children.id IN (SELECT ga.child_id FROM guardian_appointments ga WHERE ga.guardian_user_id = ? AND ` + cur.sql + `)`,
		args: append([]any{guardianID}, cur.args...),
	}
}

// guardianLoad is a guardian's caseload (S3), as a column over the "guardians" table: how many
// children have an appointment to them that is current at now.
func guardianLoad(now time.Time) sqlCond {
	cur := appointmentIsCurrent(now)
	return sqlCond{
		sql:  `(SELECT count(*) FROM guardian_appointments ga WHERE ga.guardian_user_id = guardians.user_id AND ` + cur.sql + `)`,
		args: cur.args,
	}
}

// activeEmergencyAccess: the user holds a break-glass grant on the child that has started and
// not yet expired.
func activeEmergencyAccess(userID int64, now time.Time) sqlCond {
	return sqlCond{
		sql: `EXISTS (SELECT 1 FROM break_glass_grants bg WHERE bg.child_id = children.id
			AND bg.user_id = ? AND bg.granted_at <= ? AND bg.expires_at > ?)`,
		args: []any{userID, now, now},
	}
}

// borderPostScope: the child was registered at one of the posts, or an arrival through one of
// them brought the child into scope (grants_scope: an arrival recorded on a child outside the
// officer's scope is a sighting and does not count).
func borderPostScope(postIDs []int64) sqlCond {
	if len(postIDs) == 0 {
		return sqlFalse
	}
	return sqlCond{
		sql: `(children.border_post_id IN ? OR EXISTS (SELECT 1 FROM arrivals ar
			WHERE ar.child_id = children.id AND ar.border_post_id IN ? AND ar.grants_scope))`,
		args: []any{postIDs, postIDs},
	}
}

// regionScope: the child is in one of the regions.
func regionScope(regionIDs []int64) sqlCond {
	if len(regionIDs) == 0 {
		return sqlFalse
	}
	return sqlCond{sql: "children.region_id IN ?", args: []any{regionIDs}}
}

// responsibleFor is regionScope turned round, for alerts (alerts.go): the user "u" of the
// enclosing query is an active protection officer whose regions include the child's
// ("children") — a user for whom regionScope(their regions) holds. Roles are those
// models.User.EffectiveRoles counts: assigned in Kujdes or asserted by the identity provider.
func responsibleFor() sqlCond {
	return sqlCond{sql: `u.active AND ('protection_officer' = ANY (u.roles) OR 'protection_officer' = ANY (u.token_roles))
		AND EXISTS (SELECT 1 FROM user_regions ur WHERE ur.user_id = u.id AND ur.region_id = children.region_id)`}
}

// ordinaryScope is the actor's scope by role, without emergency access.
func ordinaryScope(a *models.Actor, now time.Time) sqlCond {
	var cs []sqlCond
	if a.Has(models.RoleBorderOfficer) && len(a.BorderPostIDs) > 0 {
		cs = append(cs, borderPostScope(a.BorderPostIDs))
	}
	if a.Has(models.RoleProtectionOfficer) && len(a.RegionIDs) > 0 {
		cs = append(cs, regionScope(a.RegionIDs))
	}
	if a.Has(models.RoleGuardian) {
		cs = append(cs, currentAppointment(a.UserID, now))
	}
	return or(cs...)
}

// scopeCondition is THE record-scope rule: the children the actor may see.
func scopeCondition(a *models.Actor, now time.Time) sqlCond {
	if a == nil {
		return sqlFalse
	}
	return or(ordinaryScope(a, now), activeEmergencyAccess(a.UserID, now))
}

// viaEmergencyAccess: the actor sees the child only through emergency access — not in their
// ordinary scope, under an active grant.
func viaEmergencyAccess(a *models.Actor, now time.Time) sqlCond {
	if a == nil {
		return sqlFalse
	}
	return and(not(ordinaryScope(a, now)), activeEmergencyAccess(a.UserID, now))
}

// scopeChildren restricts a query over "children" to the children the actor may see.
func scopeChildren(a *models.Actor, now time.Time) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		c := scopeCondition(a, now)
		return db.Where(c.sql, c.args...)
	}
}

// children starts a scoped query over the children table (for counts and ids; rows to show
// come from childViews).
func (r *Registry) children(db *gorm.DB, a *models.Actor) *gorm.DB {
	return db.Model(&models.Child{}).Scopes(scopeChildren(a, r.now()))
}

// childViews starts a scoped query over the children table that selects what a ChildView
// shows besides the child: region and post codes and whether the actor sees the child only
// through emergency access — all in the one query, never per row. Scan it into []childRow
// (or a struct with childRow's fields). Extra columns ("expr AS name", see as) follow them.
func (r *Registry) childViews(db *gorm.DB, a *models.Actor, extra ...sqlCond) *gorm.DB {
	return r.children(db, a).Scopes(viewColumns(a, r.now(), extra...))
}

// viewColumns selects a child's columns, its codes, via_break_glass and the extra columns.
func viewColumns(a *models.Actor, now time.Time, extra ...sqlCond) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		cols := viewExtras(a, now, extra...)
		return db.Select("children.*, "+cols.sql, cols.args...).Joins(viewJoins)
	}
}

// viewJoins are the joins of viewColumns' codes.
const viewJoins = "JOIN regions view_region ON view_region.id = children.region_id " +
	"LEFT JOIN border_posts view_post ON view_post.id = children.border_post_id"

// viewExtras are the columns viewColumns selects after the child's own: its codes (over
// viewJoins), via_break_glass, then the extra columns — in the order childRow scans them.
func viewExtras(a *models.Actor, now time.Time, extra ...sqlCond) sqlCond {
	via := viaEmergencyAccess(a, now)
	cols := `view_region.code AS region_code, view_post.code AS border_post_code, ` + via.sql + ` AS via_break_glass`
	args := via.args
	for _, x := range extra {
		cols += ", " + x.sql
		args = append(args, x.args...)
	}
	return sqlCond{sql: cols, args: args}
}

// childRow is a row of childViews.
type childRow struct {
	models.Child
	RegionCode     string
	BorderPostCode *string
	ViaBreakGlass  bool
}

func (c childRow) view() ChildView {
	v := ChildView{Child: c.Child, RegionCode: c.RegionCode, ViaBreakGlass: c.ViaBreakGlass}
	if c.BorderPostCode != nil {
		v.BorderPostCode = *c.BorderPostCode
	}
	return v
}

func views(rows []childRow) []ChildView {
	out := make([]ChildView, len(rows))
	for i, c := range rows {
		out[i] = c.view()
	}
	return out
}

// scopedChild is THE scoped single-child read: the child as the actor may see it (with its
// codes and the emergency-access flag), locked FOR UPDATE when lock is set. A child out of
// scope and a missing child are the same answer, a *deniedRead (which is models.ErrNotFound);
// the use case passes its result through r.denied after its transaction, so the refusal is
// audited.
func (r *Registry) scopedChild(tx *gorm.DB, a *models.Actor, id int64, lock bool) (ChildView, error) {
	var row childRow
	if err := r.scopedRow(tx, a, id, lock, &row); err != nil {
		return ChildView{}, err
	}
	return row.view(), nil
}

// scopedRow is scopedChild scanned into dest (childRow, or a struct with its fields whose other
// fields are the extra columns), for a read that fetches more of the same child in the same
// statement (GetChild's aliases).
func (r *Registry) scopedRow(tx *gorm.DB, a *models.Actor, id int64, lock bool, dest any, extra ...sqlCond) error {
	q := r.childViews(tx, a, extra...).Where("children.id = ?", id)
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE", Table: clause.Table{Name: "children"}})
	}
	if err := q.Take(dest).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return &deniedRead{childID: id}
		}
		return err
	}
	return nil
}

// childColumns are the child's own columns, qualified, as scopedRowRaw selects them
// (models.ChildColumns, in ScanDest's order).
var childColumns = func() string {
	cols := make([]string, len(models.ChildColumns))
	for i, c := range models.ChildColumns {
		cols[i] = "children." + c
	}
	return strings.Join(cols, ", ")
}()

// scopedRowRaw is scopedRow (without the lock) for the hottest read, GetChild: the same
// statement — the child's columns by name, viewExtras over viewJoins, scopeCondition and the
// id — and the same refusal, but given to the database as one text and scanned by position
// into row and then extraDest (one destination per extra column, in order), without GORM's
// query builder and reflective scan (a quarter of an audited read's CPU). The scope rule is
// still scopeCondition's, and the time is taken once for the scope and via_break_glass.
//
// On tx's connection pool (not in a transaction) the statement runs on a connection of that
// same pool through pgx's own interface (pgxRow), not through database/sql: the adapter
// builds a value decoder for each of the row's 34 columns on every query and hands the text
// arrays to models.Strings, which parses them again (together half of the read's
// allocations). In a transaction (MissingEpisode) it runs on the transaction through
// database/sql.
func (r *Registry) scopedRowRaw(tx *gorm.DB, a *models.Actor, id int64, row *childRow, extra sqlCond, extraDest ...any) error {
	now := r.now()
	cols := viewExtras(a, now, extra)
	scope := scopeCondition(a, now)
	args := make([]any, 0, len(cols.args)+len(scope.args)+1)
	args = append(append(append(args, cols.args...), scope.args...), id)
	q, args := numbered("SELECT "+childColumns+", "+cols.sql+" FROM children "+viewJoins+
		" WHERE "+scope.sql+" AND children.id = ?", args)
	dest := append(row.Child.ScanDest(), &row.RegionCode, &row.BorderPostCode, &row.ViaBreakGlass)
	dest = append(dest, extraDest...)
	found, err := rawRow(tx, q, args, dest)
	if err == nil && !found {
		err = &deniedRead{childID: id}
	}
	return err
}

// rawRow runs q (numbered: $1, $2…) with args on tx's connection, bypassing GORM, and scans
// its first row, if any, into dest; found is false when there is no row. On a connection pool
// (not in a transaction) it goes through pgx's own interface (pgxRow); in a transaction,
// through database/sql on that transaction. Text and bigint arrays (models.Strings,
// models.Int64s) are handed to pgx as the Go slices they are (models.PgxArgs), both ways.
func rawRow(tx *gorm.DB, q string, args, dest []any) (found bool, err error) {
	ctx := tx.Statement.Context
	args = models.PgxArgs(args)
	if pool, ok := tx.Statement.ConnPool.(connPool); ok {
		return pgxRow(ctx, pool, q, args, dest)
	}
	rows, err := tx.Statement.ConnPool.QueryContext(ctx, q, args...)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	if err := rows.Scan(dest...); err != nil {
		return true, err
	}
	return true, rows.Close()
}

// connPool is a connection pool that lends one of its connections (*sql.DB).
type connPool interface {
	Conn(ctx context.Context) (*sql.Conn, error)
}

// pgxRow runs q on a connection of pool through pgx's own interface (the pool's driver is
// pgx's database/sql adapter; no second pool) and scans its first row, if any, into dest with
// pgx's scanning: each column decoded once, straight into its field (pgx still plans each
// column's scan for every query; it keeps only its encode plans). A models.Strings
// destination is given to pgx as the []string it is, so that a text array is decoded from
// the binary format into it rather than passed to Strings.Scan as text and parsed again. found is false when there is no row.
func pgxRow(ctx context.Context, pool connPool, q string, args, dest []any) (found bool, err error) {
	for i, d := range dest {
		if s, ok := d.(*models.Strings); ok {
			dest[i] = (*[]string)(s)
		}
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("scoped read: driver connection %T is not pgx's", dc)
		}
		rows, err := sc.Conn().Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if !rows.Next() {
			return rows.Err()
		}
		found = true
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
	return found, err
}

// numbered turns a statement written with sqlCond's placeholders (?, as GORM reads them) into
// PostgreSQL's ($1, $2…), expanding a slice argument into a list as GORM does for "IN ?"
// (a value with its own database encoding, such as models.Strings, stays one argument).
// Every ? of q is a placeholder: no fragment of scope.go uses ? as an operator.
func numbered(q string, args []any) (string, []any) {
	var b strings.Builder
	b.Grow(len(q) + 2*len(args))
	out := make([]any, 0, len(args))
	next := 0
	param := func(v any) {
		out = append(out, v)
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(len(out)))
	}
	for i := 0; i < len(q); i++ {
		if q[i] != '?' || next >= len(args) {
			b.WriteByte(q[i])
			continue
		}
		arg := args[next]
		next++
		if _, valuer := arg.(driver.Valuer); !valuer {
			if v := reflect.ValueOf(arg); v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8 {
				b.WriteByte('(')
				if v.Len() == 0 {
					b.WriteString("NULL")
				}
				for j := range v.Len() {
					if j > 0 {
						b.WriteByte(',')
					}
					param(v.Index(j).Interface())
				}
				b.WriteByte(')')
				continue
			}
		}
		param(arg)
	}
	return b.String(), out
}

// deniedRead is a single-child read refused because the child is out of the actor's scope
// or does not exist. It is models.ErrNotFound to everyone above the registry.
type deniedRead struct{ childID int64 }

func (e *deniedRead) Error() string {
	return "child " + strconv.FormatInt(e.childID, 10) + " not found"
}
func (e *deniedRead) Is(target error) bool { return target == models.ErrNotFound }

// scopeAggregate restricts a query over "children" to the regions a monitor oversees, for
// COUNTS AND OTHER AGGREGATES ONLY (the dashboards): it is not a record scope. It must never
// be used in a query that returns children's rows, or any column of a single child, to a
// monitor — a monitor sees a child's record only through emergency access (scopeChildren). A
// query using it selects count(*), sums or grouped figures, never children.*. Actors who are
// not monitors, and monitors without regions, aggregate over nothing.
func scopeAggregate(a *models.Actor) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		c := sqlFalse
		if a.Has(models.RoleMonitor) {
			c = regionScope(a.RegionIDs)
		}
		return db.Where(c.sql, c.args...)
	}
}

// facilityManageScope restricts a query over "facilities" to those the actor may change:
// administrators every facility, protection officers those of their regions, anyone else
// none; regionCol names the facility's region column in the enclosing query. Reading facilities is not scoped (they hold no child's data; occupancy is a count),
// but who reads an address is: the facility.address permission (auth/roles.go).
func facilityManageScope(a *models.Actor, regionCol string) sqlCond {
	switch {
	case a == nil || !a.Can(models.PermFacilityManage):
		return sqlFalse
	case a.Has(models.RoleAdmin):
		return sqlCond{sql: "TRUE"}
	case a.Has(models.RoleProtectionOfficer) && len(a.RegionIDs) > 0:
		return sqlCond{sql: regionCol + " IN ?", args: []any{a.RegionIDs}}
	}
	return sqlFalse
}

// complianceRegions are the regions whose compliance figures and pseudonymised violation
// lists the actor may read (issue 11): a monitor's regions (the same regions as
// scopeAggregate) and a protection officer's; nobody else's. The lists name no child: a
// child's record stays behind scopeChildren (break-glass for monitors).
func complianceRegions(a *models.Actor) []int64 {
	if a == nil || !a.Can(models.PermComplianceRead) || !(a.Has(models.RoleMonitor) || a.Has(models.RoleProtectionOfficer)) {
		return nil
	}
	return a.RegionIDs
}

// complianceSuppressed: the actor reads compliance figures with small cells suppressed
// (compliance.Suppress) — monitors, who see no child's record; a protection officer already
// sees every child of their regions.
func complianceSuppressed(a *models.Actor) bool { return !a.Has(models.RoleProtectionOfficer) }
