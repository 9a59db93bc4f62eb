package api

import (
	"context"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/models"
	"github.com/kujdes/kujdes/registry"
)

// ageAssessmentList is a child's assessments with the benefit-of-the-doubt verdict over them.
type ageAssessmentList struct {
	Items []models.AgeAssessment `json:"items"`
	// TreatedAsChild is false only when the latest decision concluded "adult" on a range wholly
	// at or above 18 and no appeal against it is pending or succeeded.
	TreatedAsChild bool `json:"treated_as_child"`
}

func (a *API) listAgeAssessments(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	readList(c, func(ctx context.Context, act *models.Actor) (any, error) {
		as, err := a.Registry.ListAgeAssessments(ctx, act, id)
		if err != nil {
			return nil, err
		}
		if as == nil {
			as = []models.AgeAssessment{}
		}
		return ageAssessmentList{Items: as, TreatedAsChild: registry.TreatedAsChild(as)}, nil
	})
}

func (a *API) requestAgeAssessment(c *gin.Context) {
	id, ok := pathID(c)
	if !ok {
		return
	}
	var in registry.AgeRequestInput
	createVersioned(c, &in, func(ctx context.Context, act *models.Actor) (any, string, int, error) {
		as, err := a.Registry.RequestAgeAssessment(ctx, act, id, in)
		return as, fmt.Sprintf("%s/children/%d/age-assessments/%d", Prefix, id, as.ID), as.Version, err
	})
}

func (a *API) updateAgeAssessment(c *gin.Context) {
	id, aid, ok := pathIDs(c, "aid")
	if !ok {
		return
	}
	var in registry.AgeResultInput
	versionedUpdate(c, &in, func(ctx context.Context, act *models.Actor, version int) (any, int, error) {
		as, err := a.Registry.RecordAgeResult(ctx, act, id, aid, version, in)
		return as, as.Version, err
	})
}
