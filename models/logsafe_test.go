package models_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/internal/testdb"
	"github.com/kujdes/kujdes/models"
)

// lockedBuffer is a log destination safe for the pool's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A child's name and a document number written, read and refused by the database never reach
// the log — neither in the SQL of slow queries nor in the text of database errors — while the
// SQL itself is logged (so the test can see a leak when there is one).
func TestNoPersonalDataInLogs(t *testing.T) {
	ctx := context.Background()
	var out lockedBuffer
	log := slog.New(slog.NewJSONHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	db, err := models.Open(ctx, testdb.URL(t), log) // the application's logger (errors)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if s, err := db.DB(); err == nil {
			s.Close()
		}
	})
	// The same logger with a 1 ns threshold: every query is "slow" and logged with its SQL.
	slow := db.Session(&gorm.Session{Logger: models.NewLogger(log, time.Nanosecond)}).WithContext(ctx)

	const given, family, docNumber = "Zxqmarkerina", "Wqvmarkerovic", "PXK99371MARK"
	markers := []string{given, family, docNumber, "markerina", "99371"}

	var regionID int64
	if err := slow.Raw(`INSERT INTO regions (code, name) VALUES ('LOG', 'Log') RETURNING id`).Scan(&regionID).Error; err != nil {
		t.Fatal(err)
	}
	child := models.Child{RegistrationNumber: "T-LOG-1", RegionID: regionID, Status: "active", GivenName: given, FamilyName: family,
		GivenNameLatin: given, FamilyNameLatin: family, Sex: "female", Nationalities: models.Strings{"AF"}, Languages: models.Strings{"fa"},
		ProtectionStatus: "unaccompanied", Vulnerabilities: models.Strings{}, TraffickingIndicators: models.Strings{},
		RegisteredAt: time.Now(), Version: 1}
	if err := slow.Create(&child).Error; err != nil {
		t.Fatal(err)
	}
	arrival := models.Arrival{ChildID: child.ID, ArrivedAt: time.Now(), HowFound: "border_check", Notes: "with " + family,
		Documents: models.JSONList[models.Document]{{Type: "passport", Number: docNumber, Country: "AF"}}}
	if err := slow.Create(&arrival).Error; err != nil {
		t.Fatal(err)
	}
	var found models.Child
	if err := slow.Where("given_name = ? AND family_name = ?", given, family).First(&found).Error; err != nil || found.ID != child.ID {
		t.Fatalf("read back: %v", err)
	}
	var n int64
	if err := slow.Raw(`SELECT count(*) FROM arrivals WHERE documents @> ?::jsonb`, `[{"number":"`+docNumber+`"}]`).Scan(&n).Error; err != nil || n != 1 {
		t.Fatalf("document search: %d, %v", n, err)
	}

	// Errors whose database text quotes or details the values: each must be an error, and
	// logged (by the application's logger, whatever the threshold).
	refused := []struct {
		name string
		run  func() error
	}{
		{"a name read as a date", func() error { return db.WithContext(ctx).Exec(`SELECT ?::date`, given).Error }},
		{"a document number read as a number", func() error { return db.WithContext(ctx).Exec(`SELECT ?::bigint`, docNumber).Error }},
		{"a document number as bad JSON", func() error {
			return db.WithContext(ctx).Exec(`SELECT ?::jsonb`, `{"number": `+docNumber+`}`).Error
		}},
		{"a duplicate key (DETAIL holds the value)", func() error {
			dup := child
			dup.ID, dup.RegistrationNumber = 0, docNumber
			if err := db.WithContext(ctx).Create(&dup).Error; err != nil {
				return err
			}
			dup.ID = 0
			return db.WithContext(ctx).Create(&dup).Error
		}},
		{"a check constraint", func() error {
			return db.WithContext(ctx).Exec(`UPDATE children SET birth_date_from = ?::date, birth_date_to = ?::date WHERE given_name = ?`, "2010-01-02", "2010-01-01", given).Error
		}},
	}
	for _, r := range refused {
		if err := r.run(); err == nil {
			t.Fatalf("%s: no error", r.name)
		}
	}

	logged := out.String()
	for _, want := range []string{`"msg":"SQL executed"`, `INSERT INTO \"children\"`, `INSERT INTO \"arrivals\"`, `given_name = $1`, `SQLSTATE 23505`, `SQLSTATE 22007`, `SQLSTATE 22P02`} {
		if !strings.Contains(logged, want) {
			t.Errorf("the log lacks %q (so a leak could not be seen):\n%s", want, logged)
		}
	}
	for _, m := range markers {
		if strings.Contains(logged, m) {
			t.Errorf("the log contains personal data %q:\n%s", m, logged)
		}
	}
}

// RedactError keeps the identifiers and the SQLSTATE of a database error, drops its values, and
// leaves errors.Is/As working.
func TestRedactError(t *testing.T) {
	pg := &pgconn.PgError{Severity: "ERROR", Code: "22007", Message: `invalid input syntax for type date: "Ana Berisha"`,
		Detail: "Key (document)=(AB123) already exists.", TableName: "children", ColumnName: "birth_date_from"}
	err := models.RedactError(errors.Join(errors.New("register"), pg))
	if got, want := err.Error(), `ERROR: invalid input syntax for type date: "…" (SQLSTATE 22007, table children, column birth_date_from)`; got != want {
		t.Errorf("RedactError = %q, want %q", got, want)
	}
	var back *pgconn.PgError
	if !errors.As(err, &back) || back != pg {
		t.Error("errors.As no longer finds the PostgreSQL error")
	}
	if got := models.RedactError(errors.New(`failed to encode args[2]: unable to encode "Ana" into binary format`)).Error(); strings.Contains(got, "Ana") {
		t.Errorf("a quoted value survives: %q", got)
	}
	if !errors.Is(models.RedactError(context.Canceled), context.Canceled) || models.RedactError(nil) != nil {
		t.Error("RedactError changes what errors.Is sees, or makes an error of nil")
	}
}
