// Package models holds Kujdes' GORM structs, enums, queries and sentinel errors. It knows
// neither HTTP nor languages: callers map its errors and localize its codes.
package models

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/gorm"
)

// Open connects GORM to PostgreSQL. Queries must still pass a context (db.WithContext(ctx)).
//
// On a hot path, read a Raw statement's rows with Find, not Scan: GORM's Scan records the
// statement through its trace recorder, which writes out the SQL with every value in it
// (Dialector.Explain) for each call, whether anything logs it or not — 6.7–6.9 % of this
// process's CPU in the form's registration, for the duplicate search's arrays. Find runs the
// same Raw statement through the query callbacks and scans the rows the same way.
func Open(ctx context.Context, url string, log *slog.Logger) (*gorm.DB, error) {
	db, err := gorm.Open(postgres.Open(url), &gorm.Config{
		Logger:                 NewLogger(log, 500*time.Millisecond), // no values in the log: logsafe.go
		TranslateError:         true,
		SkipDefaultTransaction: true, // use cases open their own transactions, once
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	// Arrays given to Raw and Exec go to pgx as slices (PgxArgs).
	if err := pgxArrayArgs(db); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	sqlDB.SetMaxOpenConns(20)
	sqlDB.SetMaxIdleConns(20) // as many as may be open: under load, a smaller idle pool closes and reopens connections (a backend fork each)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sqlDB.PingContext(pctx); err != nil {
		return nil, fmt.Errorf("ping database: %w", err)
	}
	return db, nil
}
