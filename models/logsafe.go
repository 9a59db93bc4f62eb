package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm/logger"
)

// No personal data in logs. A log line may name a table, a column, a constraint, an SQLSTATE,
// a route or an id, never a child's name, a document number or any other value a person typed.
// Two sources would leak them: SQL logged with its values (slow queries and errors), and the
// text of database errors, which quotes the offending value ("invalid input syntax for type
// date: \"…\"") — and such errors travel up to "request failed" lines. So the GORM logger logs
// parameterized SQL only ($1, $2…) and every error text that may come from the database goes
// through RedactError first.

// NewLogger is the GORM logger: parameterized SQL (RedactSQL), errors redacted (RedactError), queries slower than slow
// logged as warnings (tests pass a tiny threshold to see every query).
func NewLogger(log *slog.Logger, slow time.Duration) logger.Interface {
	return redactingLogger{Interface: logger.NewSlogLogger(log, logger.Config{
		SlowThreshold: slow, LogLevel: logger.Warn, IgnoreRecordNotFoundError: true, ParameterizedQueries: true,
	}), level: logger.Warn, slow: slow}
}

// redactingLogger hands GORM's logger a redacted error; the SQL is already parameterized. It
// renders a statement (and redacts it) only when it will log it: GORM's slog logger renders
// every statement before deciding, which cost about 6 % of the CPU of an audited read.
type redactingLogger struct {
	logger.Interface
	level logger.LogLevel
	slow  time.Duration
}

func (l redactingLogger) LogMode(level logger.LogLevel) logger.Interface {
	return redactingLogger{Interface: l.Interface.LogMode(level), level: level, slow: l.slow}
}

// logs is whether the wrapped logger writes this statement (its own rules: errors other than
// not found, slow statements, and every statement at Info).
func (l redactingLogger) logs(begin time.Time, err error) bool {
	switch {
	case l.level <= logger.Silent:
		return false
	case err != nil && !errors.Is(err, logger.ErrRecordNotFound):
		return true
	case l.slow != 0 && time.Since(begin) > l.slow:
		return true
	}
	return l.level >= logger.Info
}

func (l redactingLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	if !l.logs(begin, err) {
		return
	}
	l.Interface.Trace(ctx, begin, func() (string, int64) {
		sql, rows := fc()
		return RedactSQL(sql), rows
	}, RedactError(err))
}

// ParamsFilter keeps the values out of the SQL GORM renders for the log.
func (l redactingLogger) ParamsFilter(ctx context.Context, sql string, params ...any) (string, []any) {
	return sql, nil
}

var (
	// sqlString is a string literal as GORM renders a value into logged SQL ('it''s').
	sqlString = regexp.MustCompile(`'(?:[^']|'')*'`)
	// bareParam is a placeholder GORM renders without its value ("$1$").
	bareParam = regexp.MustCompile(`\$(\d+)\$`)
)

// RedactSQL removes the values GORM may still have rendered into a logged statement. With
// ParameterizedQueries GORM logs "$1" — except for Raw(…).Scan(…), whose statement it records
// through an internal recorder that ignores the setting and inlines every value. Values are
// rendered as string literals (text, dates, JSON, bytes) or numbers, so every string literal
// is replaced by '…' — including the few constants written in our SQL, a price worth paying.
func RedactSQL(sql string) string {
	return bareParam.ReplaceAllString(sqlString.ReplaceAllString(sql, `'…'`), `$$$1`)
}

// quoted matches a quoted value in an error text (PostgreSQL and pgx quote what they refuse).
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'`)

// RedactError is err with a text fit for a log: for a PostgreSQL error, its severity, SQLSTATE
// and the identifiers it names (table, column, constraint — never DETAIL, which holds the row,
// nor the quoted value in the message); for any other error, its text with quoted values
// replaced by "…". errors.Is and errors.As still see the original. nil stays nil.
func RedactError(err error) error {
	if err == nil {
		return nil
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		text := fmt.Sprintf("%s: %s (SQLSTATE %s", pg.Severity, quoted.ReplaceAllString(pg.Message, `"…"`), pg.Code)
		for _, f := range [][2]string{{"table", pg.TableName}, {"column", pg.ColumnName}, {"constraint", pg.ConstraintName}} {
			if f[1] != "" {
				text += ", " + f[0] + " " + f[1]
			}
		}
		return redacted{text: text + ")", err: err}
	}
	return redacted{text: quoted.ReplaceAllString(err.Error(), `"…"`), err: err}
}

type redacted struct {
	text string
	err  error
}

func (r redacted) Error() string { return r.text }
func (r redacted) Unwrap() error { return r.err }
