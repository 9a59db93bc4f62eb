package registry

import (
	"context"

	"github.com/kujdes/kujdes/models"
)

// userLabelSQL is how a person is named to other staff: their display name, else their
// username, else (a user the provider gave neither) their login subject. Queries join users
// as u.
const userLabelSQL = `COALESCE(NULLIF(u.display_name, ''), NULLIF(u.username, ''), u.subject)`

// AccessHistoryNamed is AccessHistory with the names of the people behind the events, by user
// id, so the page shows a person's name and not a login subject (issue 13). The names are
// read after the history, under the same permission and scope (AccessHistory checks them);
// names are staff names, not child data.
func (r *Registry) AccessHistoryNamed(ctx context.Context, a *models.Actor, id int64, limit int) ([]models.AuditEvent, map[int64]string, error) {
	evs, err := r.AccessHistory(ctx, a, id, limit)
	if err != nil {
		return nil, nil, err
	}
	var ids []int64
	for _, ev := range evs {
		if ev.ActorUserID != nil {
			ids = append(ids, *ev.ActorUserID)
		}
	}
	names := map[int64]string{}
	if len(ids) == 0 {
		return evs, names, nil
	}
	var rows []struct {
		ID    int64
		Label string
	}
	if err := r.DB.WithContext(ctx).Table("users u").Select("u.id, "+userLabelSQL+" AS label").
		Where("u.id IN ?", ids).Scan(&rows).Error; err != nil {
		return nil, nil, err
	}
	for _, row := range rows {
		names[row.ID] = row.Label
	}
	return evs, names, nil
}
