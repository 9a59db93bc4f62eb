package models

import (
	"database/sql/driver"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
)

// Strings is a PostgreSQL text[] column.
type Strings []string

var pgTypes = pgtype.NewMap()

// Scan reads a text[] value.
func (s *Strings) Scan(src any) error {
	var out []string
	if err := pgTypes.SQLScanner(&out).Scan(src); err != nil {
		return err
	}
	*s = out
	return nil
}

// arrayElementEscaper escapes a quoted element of an array literal. It is built once: a
// strings.Replacer builds its tables on first use, 2 KB or more, which per value was a fifth of
// a registration's Go CPU.
var arrayElementEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value writes an array literal: {"a","b"}.
func (s Strings) Value() (driver.Value, error) {
	var b strings.Builder
	n := 2
	for _, v := range s {
		n += len(v) + 3
	}
	b.Grow(n)
	b.WriteByte('{')
	for i, v := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayElementEscaper.Replace(v))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// Int64s is a PostgreSQL bigint[] column.
type Int64s []int64

// Scan reads a bigint[] value.
func (s *Int64s) Scan(src any) error {
	var out []int64
	if err := pgTypes.SQLScanner(&out).Scan(src); err != nil {
		return err
	}
	*s = out
	return nil
}

// Value writes an array literal: {1,2}.
func (s Int64s) Value() (driver.Value, error) {
	parts := make([]string, len(s))
	for i, v := range s {
		parts[i] = strconv.FormatInt(v, 10)
	}
	return "{" + strings.Join(parts, ",") + "}", nil
}
