package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Demo legal timelines (issue 10) at various stages: interviewed (with a decision recorded by
// mistake and voided), application just made (its registration deadline open, and S2 counting
// from it), refugee status granted, rejected with an appeal pending, a family reunification
// requested, and only identified. Each timeline is checked against the state machine before
// it is written.

type demoLegalEvent struct {
	kind, outcome, authority, ref, note string
	daysAgo                             int
	// voids names the index (in the child's list) of the event this one voids, with the reason
	// in note; -1 for an ordinary event.
	voids int
}

const (
	borderPolice = "Policia e Kufirit"
	asylumDir    = "Drejtoria e Azilit dhe Shtetësisë"
	court        = "Gjykata Administrative e Shkallës së Parë"
)

var demoLegal = map[string][]demoLegalEvent{
	// guardian1's ward: interviewed; a decision recorded on the wrong child, voided.
	"AL-2026-000001": {
		{"identified", "", borderPolice + " Kakavijë", "KAK-2026-118", "Found alone at the crossing point.", 12, -1},
		{"application_made", "", borderPolice + " Kakavijë", "", "Asked for asylum through a Dari interpreter.", 11, -1},
		{"application_registered", "", asylumDir, "DAS-REG-2026-0412", "", 10, -1},
		{"application_lodged", "", asylumDir, "DAS-2026-0412", "", 8, -1},
		{"decision", "rejected", asylumDir, "DAS-VEN-2026-0399", "", 4, -1},
		{"void", "", "", "", "The decision letter belonged to another applicant with a similar name.", 3, 4},
		{"interview", "", asylumDir, "DAS-INT-2026-0412", "Guardian present; the child asked for a male interpreter.", 3, -1},
	},
	// guardian1's provisional ward: application just made (APR Art. 27 deadline open; S2 from it).
	"AL-2026-000002": {
		{"identified", "", borderPolice + " Kakavijë", "KAK-2026-121", "", 11, -1},
		{"application_made", "", borderPolice + " Kakavijë", "", "", 2, -1},
	},
	"AL-2026-000004": {
		{"application_made", "", borderPolice + " Kapshticë", "", "", 9, -1},
		{"application_registered", "", asylumDir, "DAS-REG-2026-0420", "", 8, -1},
		{"application_lodged", "", asylumDir, "DAS-2026-0420", "", 7, -1},
		{"interview", "", asylumDir, "DAS-INT-2026-0420", "", 4, -1},
		{"decision", "refugee_status", asylumDir, "DAS-VEN-2026-0433", "", 1, -1},
	},
	"AL-2026-000005": {
		{"application_made", "", borderPolice + " Kapshticë", "", "", 8, -1},
		{"application_lodged", "", asylumDir, "DAS-2026-0425", "", 7, -1},
		{"interview", "", asylumDir, "DAS-INT-2026-0425", "", 5, -1},
		{"decision", "rejected", asylumDir, "DAS-VEN-2026-0430", "", 3, -1},
		{"appeal_lodged", "", court, "GJA-2026-0077", "Appeal filed by the legal aid lawyer.", 1, -1},
	},
	"AL-2026-000006": {
		{"identified", "", borderPolice + " Hani i Hotit", "HAN-2026-033", "", 7, -1},
		{"family_reunification_requested", "", asylumDir, "DAS-RF-2026-0012", "His mother lives in Poland.", 3, -1},
	},
	"AL-2026-000008": {
		{"identified", "", borderPolice + " Qafë Botë", "QAF-2026-009", "", 5, -1},
	},
}

// seedLegal loads the demo legal timelines into tx (called by Seed).
func seedLegal(ctx context.Context, tx *gorm.DB, now time.Time, childID, userID map[string]int64) error {
	tx = tx.WithContext(ctx)
	today := now.UTC().Truncate(24 * time.Hour)
	for number, evs := range demoLegal {
		id, ok := childID[number]
		if !ok {
			return fmt.Errorf("demo legal: no child %s", number)
		}
		rows := make([]models.LegalEvent, 0, len(evs))
		for i, e := range evs {
			recorder := userID["protection1"]
			if number == "AL-2026-000001" || number == "AL-2026-000002" {
				recorder = userID["guardian1"]
			}
			on := today.AddDate(0, 0, -e.daysAgo)
			row := models.LegalEvent{ChildID: id, Seq: i + 1, Kind: e.kind, Outcome: e.outcome, OccurredOn: on,
				Authority: e.authority, DocumentReference: e.ref, Note: e.note, RecordedBy: &recorder, RecordedAt: on.Add(15 * time.Hour)}
			if e.voids >= 0 {
				row.Note, row.VoidReason = "", e.note
			}
			rows = append(rows, row)
		}
		// Voids need the ids of the events they void: write in order, then link.
		for i := range rows {
			if evs[i].voids >= 0 {
				rows[i].VoidsEventID = &rows[evs[i].voids].ID
			}
			if err := tx.Create(&rows[i]).Error; err != nil {
				return err
			}
		}
		if code := registry.LegalTimelineProblem(rows); code != "" {
			return fmt.Errorf("demo legal: the timeline of %s does not replay: %s", number, code)
		}
	}
	return nil
}
