package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/migrations"
	"github.com/kujdes/kujdes/models"
)

// newAuditKey is a throw-away checkpoint signing key for the run.
func newAuditKey() (*auditlog.Key, error) {
	skey, _, err := auditlog.GenerateKey("kujdes-bench-audit")
	if err != nil {
		return nil, err
	}
	return auditlog.ParseKey(skey)
}

// startSealer runs the audit sealer beside the server, as `kujdes serve` does.
func startSealer(db *sql.DB, key *auditlog.Key) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		(&auditlog.Sealer{DB: db, Key: key}).Run(ctx)
	}()
	return func() { cancel(); <-done }
}

// sealingReport waits until the sealer has caught up, then prints the sealing lag (commit
// of the audited request → its position written) of the events since start, and how long
// `kujdes audit verify` takes over the whole log.
func sealingReport(ctx context.Context, db *sql.DB, key *auditlog.Key, since time.Time) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var pending int64
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM audit_pending`).Scan(&pending); err != nil {
			return err
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d audit events still pending 2 minutes after the load", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var n int64
	var p50, p99, worst float64
	err := db.QueryRowContext(ctx, `SELECT count(*),
			coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM l.sealed_at - e.occurred_at)), 0),
			coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM l.sealed_at - e.occurred_at)), 0),
			coalesce(max(extract(epoch FROM l.sealed_at - e.occurred_at)), 0)
		FROM audit_log l JOIN audit_events e ON e.id = l.event_id WHERE e.occurred_at >= $1`, since).Scan(&n, &p50, &p99, &worst)
	if err != nil {
		return err
	}
	fmt.Printf("audit sealing lag under the load above (event written → sealed), %d events: p50 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		n, p50*1000, p99*1000, worst*1000)
	return timeVerify(ctx, db, key)
}

func timeVerify(ctx context.Context, db *sql.DB, key *auditlog.Key) error {
	began := time.Now()
	rep, err := auditlog.Verify(ctx, db, key.Verifier, nil)
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("audit verify: %s", rep.Problem)
	}
	fmt.Printf("kujdes audit verify: %d events, %d checkpoints, intact, in %v\n", rep.Events, rep.Checkpoints, time.Since(began).Round(time.Millisecond))
	return nil
}

// verifyAtScale fills a fresh database with n audit events (generate_series; each leaf hash
// computed in SQL with the same encoding as models.AuditEvent.LeafRecord, which verify then
// cross-checks from the columns), seals them and times `kujdes audit verify`.
func verifyAtScale(ctx context.Context, dbURL string, n int64) error {
	db, err := models.Open(ctx, dbURL, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	defer sqlDB.Close()
	if _, err := migrations.Up(ctx, sqlDB); err != nil {
		return err
	}
	began := time.Now()
	// One connection: pg_temp.f lives in this session.
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE FUNCTION pg_temp.f(s text) RETURNS bytea LANGUAGE sql IMMUTABLE
			AS $$ SELECT int8send(octet_length(s)::bigint) || convert_to(s, 'UTF8') $$`); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, `INSERT INTO audit_events (occurred_at, actor_issuer, actor_subject, actor_roles, action, entity, entity_id,
				changes, request_id, client_ip, reason, outcome, leaf_hash)
			SELECT ts, 'https://idp.example', subj, 'protection_officer', 'child.read', 'child', eid, '{}', rid, '10.0.0.1', '', 'ok',
				sha256('\x00'::bytea || pg_temp.f('kujdes-audit-v2')
					|| pg_temp.f(to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) || pg_temp.f('')
					|| pg_temp.f('https://idp.example') || pg_temp.f(subj) || pg_temp.f('protection_officer')
					|| pg_temp.f('child.read') || pg_temp.f('child') || pg_temp.f(eid) || pg_temp.f('{}') || pg_temp.f(rid)
					|| pg_temp.f('10.0.0.1') || pg_temp.f('') || pg_temp.f('ok'))
			FROM (SELECT timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond' AS ts,
					'user-' || (g % 50) AS subj, (g % 5000)::text AS eid, 'req-' || g AS rid
				FROM generate_series(1, $1::bigint) g) s`, n); err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	fmt.Printf("inserted %d audit events in %v\n", n, time.Since(began).Round(time.Millisecond))
	key, err := newAuditKey()
	if err != nil {
		return err
	}
	began = time.Now()
	if err := (&auditlog.Sealer{DB: sqlDB, Key: key}).Drain(ctx); err != nil {
		return err
	}
	fmt.Printf("sealed %d events in %v (%.0f events/s)\n", n, time.Since(began).Round(time.Millisecond), float64(n)/time.Since(began).Seconds())
	return timeVerify(ctx, sqlDB, key)
}
