package registry_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// TestDeniedReadsAudited: reads of children out of scope, or missing, still answer "not found",
// each leaves a child.read_denied row (written although the read's transaction failed), and
// administrators see the burst, user by user.
func TestDeniedReadsAudited(t *testing.T) {
	t.Parallel()
	s := newDemoScope(t, 0)
	ctx := context.Background()
	border1 := s.actors["border1"]
	denials := func(who *models.Actor) []models.AuditEvent {
		t.Helper()
		var evs []models.AuditEvent
		if err := s.db.Where("action = 'child.read_denied' AND actor_user_id = ?", who.UserID).Order("id").Find(&evs).Error; err != nil {
			t.Fatal(err)
		}
		return evs
	}
	// A probe: four children of other posts and an id that does not exist.
	probe := []int64{s.ids["AL-2026-000004"], s.ids["AL-2026-000006"], s.ids["AL-2026-000008"], s.ids["AL-2026-000011"], 987654321}
	for _, id := range probe {
		if _, err := s.reg.GetChild(ctx, border1, id); !errors.Is(err, models.ErrNotFound) || err != models.ErrNotFound {
			t.Fatalf("probe of %d: %v, want exactly not found", id, err)
		}
	}
	evs := denials(border1)
	if len(evs) != len(probe) {
		t.Fatalf("%d denial rows after a probe of %d ids", len(evs), len(probe))
	}
	for i, ev := range evs {
		if ev.Entity != "child" || ev.EntityID != strconv.FormatInt(probe[i], 10) || ev.Outcome != "denied" || ev.ActorSubject != "demo-border-1" {
			t.Errorf("denial %d: %+v", i, ev)
		}
	}
	var reads int64
	if err := s.db.Model(&models.AuditEvent{}).Where("action = 'child.read' AND actor_user_id = ?", border1.UserID).Count(&reads).Error; err != nil || reads != 0 {
		t.Fatalf("%d child.read rows for refused reads (%v)", reads, err)
	}
	// A read in scope is not a denial.
	if _, err := s.reg.GetChild(ctx, border1, s.ids["AL-2026-000001"]); err != nil {
		t.Fatal(err)
	}
	if n := len(denials(border1)); n != len(probe) {
		t.Fatalf("%d denials after a read in scope", n)
	}

	// The other single-child reads are denials too.
	guardian1 := s.actors["guardian1"]
	other := s.ids["AL-2026-000004"] // appointment ended
	calls := map[string]func() error{
		"update": func() error {
			_, err := s.reg.UpdateChild(ctx, guardian1, other, 1, registry.ChildPatch{})
			return err
		},
		"age assessments": func() error { _, err := s.reg.ListAgeAssessments(ctx, guardian1, other); return err },
		"history":         func() error { _, err := s.reg.AccessHistory(ctx, s.actors["protection2"], other, 10); return err },
		// An arrival on a child that is neither in scope nor the child the duplicate check
		// offers for the identity sent is a probe too.
		"arrival": func() error {
			_, err := s.reg.RecordArrival(ctx, s.actors["protection2"], other, registry.ArrivalInput{
				HowFound: "found_alone", RegionCode: "SHK", Location: "Shkodër bus station"})
			return err
		},
		"merge": func() error {
			_, err := s.reg.MergeChildren(ctx, s.actors["protection2"], s.ids["AL-2026-000006"], registry.MergeInput{DuplicateID: other, Reason: "same child"})
			return err
		},
	}
	for name, call := range calls {
		var before int64
		if err := s.db.Model(&models.AuditEvent{}).Where("action = 'child.read_denied' AND entity_id = ?", strconv.FormatInt(other, 10)).Count(&before).Error; err != nil {
			t.Fatal(err)
		}
		if err := call(); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("%s: %v, want not found", name, err)
		}
		var after int64
		if err := s.db.Model(&models.AuditEvent{}).Where("action = 'child.read_denied' AND entity_id = ?", strconv.FormatInt(other, 10)).Count(&after).Error; err != nil {
			t.Fatal(err)
		}
		if after != before+1 {
			t.Errorf("%s: %d new denial rows, want 1", name, after-before)
		}
	}

	// Administrators see who probed, and how much.
	list, err := s.reg.ListDeniedReads(ctx, s.actors["admin1"])
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 1 || list[0].UserID != border1.UserID || list[0].Count != int64(len(probe)) || list[0].UserLabel != "Arben Hoxha" || !list[0].LastAt.Equal(evs[len(evs)-1].OccurredAt) {
		t.Fatalf("denied reads: %+v", list)
	}
	for _, who := range []string{"border1", "protection1", "guardian1", "monitor1", "newcomer"} {
		if _, err := s.reg.ListDeniedReads(ctx, s.actors[who]); !errors.Is(err, models.ErrForbidden) {
			t.Errorf("%s lists denied reads: %v", who, err)
		}
	}
	// Outside the window the burst is no longer listed.
	later := s.now.Add(registry.DeniedReadsWindow + s.reg.BreakGlassFor)
	s.reg.Now = func() time.Time { return later }
	if list, err := s.reg.ListDeniedReads(ctx, s.actors["admin1"]); err != nil || len(list) != 0 {
		t.Fatalf("a day later: %+v, %v", list, err)
	}
}
