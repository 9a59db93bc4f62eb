package synth

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/registry"
)

// HistoryStats says what LoadHistories wrote and how long it took.
type HistoryStats struct {
	Children int
	// Rows per table (children, names and arrivals included); Events is the sum of every
	// table except children and child_names.
	Rows   map[string]int64
	Events int64
	Took   time.Duration
}

// LoadHistories writes cfg.Children children with full histories through the real schema,
// with COPY, cfg.Batch children per transaction, the next batch generated while the previous
// one is copied. It first adds, in each region of regionByPost, facilities of every kind and
// guardians (users with the guardian role and their guardian rows), about one guardian per 18
// children. Rows are written as the use cases write them, under the schema's constraints
// (one open full guardian, placements that do not overlap, one open missing episode,
// append-only legal events with voids naming their event); nothing is audited, as with Load:
// it is synthetic data, not anyone's access. A failure leaves the batches before it
// committed.
func LoadHistories(ctx context.Context, db *gorm.DB, cfg HistoryConfig, regionByPost, postIDs map[string]int64) (HistoryStats, error) {
	cfg = cfg.withDefaults()
	started := time.Now()
	stats := HistoryStats{Rows: map[string]int64{}}
	for code := range regionByPost {
		if _, ok := postIDs[code]; !ok {
			return stats, fmt.Errorf("synth: no id for border post %q", code)
		}
	}
	for _, code := range PostCodes {
		if _, ok := regionByPost[code]; !ok {
			return stats, fmt.Errorf("synth: no region for border post %q", code)
		}
	}
	sqlDB, err := db.DB()
	if err != nil {
		return stats, err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return stats, err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("synth: the database driver is %T, not pgx", dc)
		}
		pc := sc.Conn()
		refs, err := loadRefs(ctx, pc, cfg, regionByPost, &stats)
		if err != nil {
			return err
		}
		taken, err := takenNumbers(ctx, pc)
		if err != nil {
			return err
		}
		if err := refs.check(regionByPost); err != nil {
			return err
		}
		batches := make(chan []History, 1)
		genCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		go func() {
			defer close(batches)
			g := newGen(cfg.Seed)
			for done := 0; done < cfg.Children; {
				n := min(cfg.Batch, cfg.Children-done)
				b := make([]History, n)
				for i := range b {
					b[i] = g.history(cfg, refs, regionByPost)
				}
				select {
				case batches <- b:
				case <-genCtx.Done():
					return
				}
				done += n
			}
		}()
		for b := range batches {
			if err := pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error { return copyHistories(ctx, tx, b, postIDs, taken, &stats) }); err != nil {
				return err
			}
			stats.Children += len(b)
		}
		// The names' counts, queued by child_names' trigger (migration 00046), folded now.
		if _, err := pc.Exec(ctx, `SELECT kujdes_fold_name_counts()`); err != nil {
			return fmt.Errorf("synth: fold name counts: %w", err)
		}
		// Planner statistics for the new rows, so the first queries do not guess.
		_, err = pc.Exec(ctx, `ANALYZE children, child_names, arrivals, guardian_appointments, placements, placement_checks,
			guardian_visits, legal_events, missing_episodes, rights_information, transition_plans, child_lifecycle_events,
			guardians, facilities`)
		return err
	})
	for t, n := range stats.Rows {
		if t != "children" && t != "child_names" && t != "facilities" && t != "guardians" && t != "users" {
			stats.Events += n
		}
	}
	stats.Took = time.Since(started)
	return stats, err
}

// loadRefs adds the facilities and guardians of every region the posts belong to.
func loadRefs(ctx context.Context, pc *pgx.Conn, cfg HistoryConfig, regionByPost map[string]int64, stats *HistoryStats) (*histRefs, error) {
	regions := map[int64]bool{}
	for _, r := range regionByPost {
		regions[r] = true
	}
	perRegion := cfg.Children/max(len(regions), 1) + 1
	refs := &histRefs{facilities: map[int64]map[string][]int64{}, guardians: map[int64][]int64{}}
	err := pgx.BeginFunc(ctx, pc, func(tx pgx.Tx) error {
		for region := range regions {
			refs.facilities[region] = map[string][]int64{}
			counts := map[string]int{
				"police_detention": 1, "adult_reception_centre": 2, "kinship_care": 2 + perRegion/2000,
				"childrens_centre": 2 + perRegion/500, "foster_family": 3 + perRegion/150,
				"supervised_independent_living": 1 + perRegion/1500,
			}
			for _, kind := range FacilityKinds {
				for i := range counts[kind] {
					capacity, ageMin, ageMax := 40, 0, 17
					switch kind {
					case "foster_family", "kinship_care":
						capacity = 3
					case "supervised_independent_living":
						capacity, ageMin = 12, 16
					case "adult_reception_centre", "police_detention":
						capacity, ageMin, ageMax = 200, 0, 99
					}
					var id int64
					if err := tx.QueryRow(ctx, `INSERT INTO facilities (name, kind, operator, region_id, capacity, age_min, age_max)
						VALUES ($1, $2, 'Synthetic', $3, $4, $5, $6) RETURNING id`,
						fmt.Sprintf("Synthetic %s %d-%d", kind, region, i+1), kind, region, capacity, ageMin, ageMax).Scan(&id); err != nil {
						return fmt.Errorf("synth: facility: %w", err)
					}
					refs.facilities[region][kind] = append(refs.facilities[region][kind], id)
					stats.Rows["facilities"]++
				}
			}
			n := max(3, perRegion/18)
			rows, err := tx.Query(ctx, `INSERT INTO users (issuer, subject, username, display_name, roles)
				SELECT 'synth', 'guardian-' || $1::text || '-' || $2::bigint || '-' || i, 'g' || $2::bigint || '-' || i, 'Synthetic guardian ' || i, '{guardian}'
				FROM generate_series(1, $3::int) AS i RETURNING id`, strconv.FormatInt(cfg.Seed, 10), region, n)
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return fmt.Errorf("synth: guardian users: %w", err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO guardians (user_id, kind, languages, region_id, trained_on, record_checked_on)
				SELECT u, 'person', '{sq,en}', $2, $3::date, $3::date FROM unnest($1::bigint[]) AS u`,
				ids, region, cfg.Now.AddDate(-2, 0, 0)); err != nil {
				return fmt.Errorf("synth: guardians: %w", err)
			}
			refs.guardians[region] = ids
			stats.Rows["users"] += int64(n)
			stats.Rows["guardians"] += int64(n)
		}
		return nil
	})
	return refs, err
}

// takenNumbers are the registration numbers already in the database that a number drawn from
// child_registration_seq could repeat: records registered with hand-picked numbers (the demo's
// AL-2025-900001…) rather than from the sequence.
func takenNumbers(ctx context.Context, pc *pgx.Conn) (map[string]bool, error) {
	rows, err := pc.Query(ctx, `SELECT registration_number FROM children
		WHERE substring(registration_number from '[0-9]+$')::bigint >= (SELECT last_value FROM child_registration_seq)`)
	if err != nil {
		return nil, err
	}
	nums, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("synth: registration numbers: %w", err)
	}
	out := make(map[string]bool, len(nums))
	for _, n := range nums {
		out[n] = true
	}
	return out, nil
}

// copyHistories writes one batch. A drawn registration number that is taken is replaced by
// the sequence's next.
func copyHistories(ctx context.Context, tx pgx.Tx, b []History, postIDs map[string]int64, taken map[string]bool, stats *HistoryStats) error {
	nPlacements, nLegal := 0, 0
	for _, h := range b {
		nPlacements += len(h.Placements)
		nLegal += len(h.Legal)
	}
	ids, err := nextvals(ctx, tx, "pg_get_serial_sequence('children', 'id')", len(b))
	if err != nil {
		return err
	}
	seqs, err := nextvals(ctx, tx, "'child_registration_seq'", len(b))
	if err != nil {
		return err
	}
	placementIDs, err := nextvals(ctx, tx, "pg_get_serial_sequence('placements', 'id')", nPlacements)
	if err != nil {
		return err
	}
	legalIDs, err := nextvals(ctx, tx, "pg_get_serial_sequence('legal_events', 'id')", nLegal)
	if err != nil {
		return err
	}
	tables := map[string]*copyTable{}
	table := func(name string, cols ...string) *copyTable {
		t := &copyTable{name: name, cols: cols}
		tables[name] = t
		return t
	}
	children := table("children", "id", "registration_number", "region_id", "border_post_id", "status",
		"given_name", "family_name", "given_name_latin", "family_name_latin", "sex",
		"birth_date_known", "birth_date_from", "birth_date_to", "nationalities", "languages",
		"protection_status", "vulnerabilities", "special_needs", "trafficking_indicators", "trafficking_notes",
		"vulnerabilities_assessed_at", "registered_at", "version", "created_at", "updated_at")
	names := table("child_names", "child_id", "kind", "original", "latin", "skeleton", "variant_skeletons")
	arrivals := table("arrivals", "child_id", "arrived_at", "border_post_id", "how_found", "accompanying_adults", "documents", "notes", "created_at")
	appts := table("guardian_appointments", "child_id", "guardian_user_id", "kind", "started_at", "ended_at", "end_reason",
		"appointing_authority", "decided_on", "first_meeting_at", "created_at")
	placements := table("placements", "id", "child_id", "facility_id", "started_at", "ended_at", "reason", "decided_by",
		"best_interests", "end_reason", "created_at")
	checks := table("placement_checks", "placement_id", "child_id", "checked_on", "separated_from_adults", "same_sex_sleeping",
		"school_access", "health_care", "interpreter", "psychosocial_support", "created_at")
	visits := table("guardian_visits", "child_id", "visited_by", "visited_on", "kind", "child_seen", "created_at")
	legal := table("legal_events", "id", "child_id", "seq", "kind", "outcome", "occurred_on", "authority", "document_reference",
		"voids_event_id", "void_reason", "recorded_at")
	missing := table("missing_episodes", "child_id", "last_seen_at", "last_seen_place", "discovered_at", "discovered_by",
		"risk_assessed", "risk", "reported_at", "police_reported_at", "police_reference", "hotline_notified_at",
		"found_at", "found_place", "found_by", "found_condition", "interview_at", "interview_by", "created_at", "updated_at")
	rights := table("rights_information", "child_id", "informed_on", "language", "method", "created_at")
	plans := table("transition_plans", "child_id", "planned_on", "summary", "created_at")
	lifecycle := table("child_lifecycle_events", "child_id", "transition", "from_status", "to_status", "occurred_on",
		"reunified_where", "reunified_with", "destination_country", "destination_authority", "reference", "created_at")

	pi, li := 0, 0
	for i, h := range b {
		id := ids[i]
		p := h.Person
		first := p.Arrivals[0]
		number := fmt.Sprintf("AL-%d-%06d", p.RegisteredAt.Year(), seqs[i])
		for taken[number] {
			more, err := nextvals(ctx, tx, "'child_registration_seq'", 1)
			if err != nil {
				return err
			}
			number = fmt.Sprintf("AL-%d-%06d", p.RegisteredAt.Year(), more[0])
		}
		children.add(id, number, h.RegionID, postIDs[first.PostCode], h.Status,
			p.GivenName, p.FamilyName, p.GivenNameLatin, p.FamilyNameLatin, p.Sex,
			p.BirthDateKnown, p.BirthDateFrom, p.BirthDateTo, orEmpty(p.Nationalities), orEmpty(p.Languages),
			p.ProtectionStatus, orEmpty(p.Vulnerabilities), p.SpecialNeeds, orEmpty(p.TraffickingIndicators), "",
			h.AssessedAt, p.RegisteredAt, 1, p.RegisteredAt, p.RegisteredAt)
		for _, n := range registry.NameRows(id, p.GivenName, p.FamilyName, p.GivenNameLatin, p.FamilyNameLatin, p.Aliases) {
			names.add(n.ChildID, n.Kind, n.Original, n.Latin, n.Skeleton, []string(n.VariantSkeletons))
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
			arrivals.add(id, a.ArrivedAt, postIDs[a.PostCode], a.HowFound, string(adults), string(docs), a.Notes, a.ArrivedAt)
		}
		for _, a := range h.Appointments {
			appts.add(id, a.GuardianUserID, a.Kind, a.StartedAt, a.EndedAt, a.EndReason, a.AppointingAuthority, a.DecidedOn, a.FirstMeetingAt, a.StartedAt)
		}
		base := pi
		for _, pl := range h.Placements {
			placements.add(placementIDs[pi], id, pl.FacilityID, pl.StartedAt, pl.EndedAt, pl.Reason, "Regional child protection unit",
				pl.BestInterests, pl.EndReason, pl.StartedAt)
			pi++
		}
		for _, c := range h.Checks {
			checks.add(placementIDs[base+c.Placement], id, c.CheckedOn, "yes", "yes", "yes", "yes", "yes", "yes", c.CheckedOn)
		}
		for _, v := range h.Visits {
			visits.add(id, v.By, v.On, v.Kind, v.ChildSeen, v.On)
		}
		lbase := li
		for k, e := range h.Legal {
			var voids *int64
			if e.Voids >= 0 {
				v := legalIDs[lbase+e.Voids]
				voids = &v
			}
			legal.add(legalIDs[li], id, k+1, e.Kind, e.Outcome, e.On, "Directorate for Asylum", fmt.Sprintf("DOC-%d-%d", id, k+1),
				voids, e.VoidReason, e.RecordedAt)
			li++
		}
		for _, e := range h.Missing {
			condition, foundPlace, foundBy, interviewBy := "", "", "", ""
			if e.FoundAt != nil {
				condition, foundPlace, foundBy = "unharmed", "Tirana, bus station", "State police"
			}
			if e.InterviewAt != nil {
				interviewBy = "Guardian"
			}
			policeRef := ""
			if e.PoliceReportedAt != nil {
				policeRef = fmt.Sprintf("POL-%d", id)
			}
			missing.add(id, e.LastSeenAt, "Near the centre", e.DiscoveredAt, "Centre staff", e.RiskAssessed, e.Risk, e.ReportedAt,
				e.PoliceReportedAt, policeRef, e.HotlineAt, e.FoundAt, foundPlace, foundBy, condition, e.InterviewAt, interviewBy,
				e.ReportedAt, e.ReportedAt)
		}
		for _, r := range h.Rights {
			rights.add(id, r.On, r.Language, r.Method, r.On)
		}
		for _, pl := range h.Plans {
			plans.add(id, pl.On, "Plan for leaving care: housing, school and a contact person after 18", pl.On)
		}
		for _, e := range h.Lifecycle {
			where, with, country, authority, ref := "", "", "", "", ""
			switch e.Transition {
			case "reunify":
				where, with = "Germany", "Mother"
			case "transfer":
				country, authority, ref = "DE", "Federal Office for Migration and Refugees", fmt.Sprintf("DUB-%d", id)
			}
			from := "active"
			lifecycle.add(id, e.Transition, from, e.To, e.On, where, with, country, authority, ref, e.On)
		}
	}
	for _, t := range []*copyTable{children, names, arrivals, appts, placements, checks, visits, legal, missing, rights, plans, lifecycle} {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("synth: copy %s: %w", t.name, err)
		}
		stats.Rows[t.name] += int64(len(t.rows))
	}
	// The ids drawn for placements and legal events were given explicitly: nothing else to do,
	// the sequences are already past them.
	return nil
}

type copyTable struct {
	name string
	cols []string
	rows [][]any
}

func (t *copyTable) add(vals ...any) { t.rows = append(t.rows, vals) }
