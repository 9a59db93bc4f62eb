package api

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// Missing children (issue 10): the "Missing now" board, and each child's missing episodes —
// reported (201), the reaction of the authorities (PATCH with If-Match), found and the return
// interview (POST with If-Match). Every episode answer carries the episode's ETag.

func (a *API) missingNow(c *gin.Context) {
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.MissingNowBoard(ctx, act))
	})
}

func (a *API) listMissingEpisodes(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		return items(a.Registry.MissingEpisodes(ctx, act, id))
	})
}

// reportMissing answers 201 with the new episode and its ETag; a child who is not active
// (already missing, closed…) is 422 on "transition".
func (a *API) reportMissing(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.MissingReportInput
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		v, err := a.Registry.ReportMissing(ctx, act, id, in)
		return v, fmt.Sprintf("%s/children/%d/missing-episodes/%d", Prefix, id, v.ID), v.Version, err
	})
}

func (a *API) getMissingEpisode(c *gin.Context) {
	id, eid, ok := pathIDs(c, "eid")
	if !ok {
		return
	}
	readVersioned(c, func(ctx context.Context, act *models.Actor) (any, int, error) {
		s, err := a.Registry.MissingEpisode(ctx, act, id, eid)
		return s.Episode, s.Episode.Version, err
	})
}

// episodeUpdate is an If-Match change of one episode (the reaction, found, the interview).
func episodeUpdate[T any](c *gin.Context, body *T, run func(ctx context.Context, act *models.Actor, id, eid int64, version int) (registry.MissingEpisodeView, error)) {
	id, eid, ok := pathIDs(c, "eid")
	if !ok {
		return
	}
	versionedUpdate(c, body, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		v, err := run(ctx, act, id, eid, version)
		return v, v.Version, err
	})
}

func (a *API) recordReaction(c *gin.Context) {
	var in registry.ReactionInput
	episodeUpdate(c, &in, func(ctx context.Context, act *models.Actor, id, eid int64, version int) (registry.MissingEpisodeView, error) {
		return a.Registry.RecordReaction(ctx, act, id, eid, version, in)
	})
}

func (a *API) recordFound(c *gin.Context) {
	var in registry.FoundInput
	episodeUpdate(c, &in, func(ctx context.Context, act *models.Actor, id, eid int64, version int) (registry.MissingEpisodeView, error) {
		return a.Registry.RecordFound(ctx, act, id, eid, version, in)
	})
}

func (a *API) recordReturnInterview(c *gin.Context) {
	var in registry.InterviewInput
	episodeUpdate(c, &in, func(ctx context.Context, act *models.Actor, id, eid int64, version int) (registry.MissingEpisodeView, error) {
		return a.Registry.RecordReturnInterview(ctx, act, id, eid, version, in)
	})
}
