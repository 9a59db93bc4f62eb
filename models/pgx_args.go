package models

import "gorm.io/gorm"

// PgxArgs gives pgx each text or bigint array argument as a Go slice ([]string, []int64;
// empty, never nil, as their Value methods give '{}') instead of the models type: pgx
// encodes a slice straight into the binary array format, while for a driver.Valuer it takes
// the text literal from Value and parses it back before encoding it (7 % of a registration's
// Go CPU; 9 % of the form's registration, through the duplicate search's arrays). pgx's
// database/sql adapter passes every argument through (CheckNamedValue), so this holds in a
// transaction too. args is changed in place and returned.
//
// Statements written with GORM's Raw and Exec get it from the callbacks Open registers
// (pgxArrayArgs); those written without GORM call it themselves (registry's rawRow).
func PgxArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case Strings:
			if v == nil {
				v = Strings{}
			}
			args[i] = []string(v)
		case Int64s:
			if v == nil {
				v = Int64s{}
			}
			args[i] = []int64(v)
		}
	}
	return args
}

// pgxArrayArgs registers, on db's row, raw and query callbacks, PgxArgs over the statement's
// values just before they go to the driver. The values of a Raw or Exec statement are built
// when it is written, so each statement written with Raw or Exec passes its arrays as slices;
// a statement GORM builds inside its own callback (Create, Find without Raw) keeps the
// models types, which pgx also takes, through Value.
func pgxArrayArgs(db *gorm.DB) error {
	convert := func(tx *gorm.DB) { PgxArgs(tx.Statement.Vars) }
	cb := db.Callback()
	if err := cb.Row().Before("gorm:row").Register("kujdes:pgx_array_args", convert); err != nil {
		return err
	}
	if err := cb.Raw().Before("gorm:raw").Register("kujdes:pgx_array_args", convert); err != nil {
		return err
	}
	return cb.Query().Before("gorm:query").Register("kujdes:pgx_array_args", convert)
}
