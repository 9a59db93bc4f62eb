package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/registry"
)

// Load inserts people with their names (registry.NameRows, as a registration writes them) and
// arrivals in one transaction, with COPY: 100 000 children take seconds, not minutes.
// Registration numbers are AL-<year registered>-<six digits> from child_registration_seq; the
// region is the region of the first arrival's post. postIDs and regionByPost map post codes to
// border_posts ids and their region ids.
func Load(ctx context.Context, db *gorm.DB, people []Person, regionByPost map[string]int64, postIDs map[string]int64) error {
	if len(people) == 0 {
		return nil
	}
	for _, p := range people {
		if len(p.Arrivals) == 0 {
			return fmt.Errorf("synth: a person without arrivals")
		}
		for _, a := range p.Arrivals {
			if _, ok := postIDs[a.PostCode]; !ok {
				return fmt.Errorf("synth: unknown border post %q", a.PostCode)
			}
			if _, ok := regionByPost[a.PostCode]; !ok {
				return fmt.Errorf("synth: no region for border post %q", a.PostCode)
			}
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("synth: the database driver is %T, not pgx", dc)
		}
		return pgx.BeginFunc(ctx, sc.Conn(), func(tx pgx.Tx) error {
			return load(ctx, tx, people, regionByPost, postIDs)
		})
	}); err != nil {
		return err
	}
	// The fold left every name's queued change behind as a dead row, which every duplicate
	// check would scan until a vacuum.
	return registry.VacuumNameCountQueue(ctx, db)
}

func load(ctx context.Context, tx pgx.Tx, people []Person, regionByPost, postIDs map[string]int64) error {
	ids, err := nextvals(ctx, tx, "pg_get_serial_sequence('children', 'id')", len(people))
	if err != nil {
		return err
	}
	seqs, err := nextvals(ctx, tx, "'child_registration_seq'", len(people))
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	children := make([][]any, len(people))
	var names, arrivals [][]any
	for i, p := range people {
		id := ids[i]
		first := p.Arrivals[0]
		post := postIDs[first.PostCode]
		var assessed *time.Time
		if len(p.Vulnerabilities) > 0 || p.SpecialNeeds != "" {
			t := p.RegisteredAt.Add(3 * time.Hour)
			assessed = &t
		}
		children[i] = []any{
			id, fmt.Sprintf("AL-%d-%06d", p.RegisteredAt.Year(), seqs[i]), regionByPost[first.PostCode], post, p.Status,
			p.GivenName, p.FamilyName, p.GivenNameLatin, p.FamilyNameLatin, p.Sex,
			p.BirthDateKnown, p.BirthDateFrom, p.BirthDateTo, orEmpty(p.Nationalities), orEmpty(p.Languages),
			p.ProtectionStatus, orEmpty(p.Vulnerabilities), p.SpecialNeeds, orEmpty(p.TraffickingIndicators), "",
			assessed, p.RegisteredAt, 1, p.RegisteredAt, now, p.FatherName, p.MotherName,
		}
		for _, n := range append(registry.NameRows(id, p.GivenName, p.FamilyName, p.GivenNameLatin, p.FamilyNameLatin, p.Aliases),
			registry.ParentageRows(id, p.GivenName, p.FamilyName, p.GivenNameLatin, p.FamilyNameLatin, p.FatherName)...) {
			names = append(names, []any{n.ChildID, n.Kind, n.Original, n.Latin, n.Skeleton, []string(n.VariantSkeletons)})
		}
		for _, a := range p.Arrivals {
			adults, err := json.Marshal(orEmptyList(a.AccompanyingAdults))
			if err != nil {
				return err
			}
			docs, err := json.Marshal(orEmptyList(a.Documents))
			if err != nil {
				return err
			}
			arrivals = append(arrivals, []any{id, a.ArrivedAt, postIDs[a.PostCode], a.HowFound, string(adults), string(docs), a.Notes, a.ArrivedAt})
		}
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"children", []string{"id", "registration_number", "region_id", "border_post_id", "status",
			"given_name", "family_name", "given_name_latin", "family_name_latin", "sex",
			"birth_date_known", "birth_date_from", "birth_date_to", "nationalities", "languages",
			"protection_status", "vulnerabilities", "special_needs", "trafficking_indicators", "trafficking_notes",
			"vulnerabilities_assessed_at", "registered_at", "version", "created_at", "updated_at",
			"father_name", "mother_name"}, children},
		{"child_names", []string{"child_id", "kind", "original", "latin", "skeleton", "variant_skeletons"}, names},
		{"arrivals", []string{"child_id", "arrived_at", "border_post_id", "how_found", "accompanying_adults",
			"documents", "notes", "created_at"}, arrivals},
	}
	for _, c := range copies {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("synth: copy %s: %w", c.table, err)
		}
	}
	// The names' counts, queued by child_names' trigger (migration 00046), folded now rather
	// than by the server's first fold.
	if _, err := tx.Exec(ctx, "SELECT kujdes_fold_name_counts()"); err != nil {
		return fmt.Errorf("synth: fold name counts: %w", err)
	}
	// Planner statistics for the new rows, so the first queries do not guess.
	_, err = tx.Exec(ctx, "ANALYZE children, child_names, name_frequencies, arrivals")
	return err
}

// nextvals draws n values from a sequence (seq is an SQL expression naming it).
func nextvals(ctx context.Context, tx pgx.Tx, seq string, n int) ([]int64, error) {
	rows, err := tx.Query(ctx, "SELECT nextval("+seq+") FROM generate_series(1, $1) ORDER BY 1", n)
	if err != nil {
		return nil, err
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("synth: nextval(%s): %w", strings.Trim(seq, "'"), err)
	}
	return out, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func orEmptyList[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
