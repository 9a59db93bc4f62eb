package api

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/auth"
	"github.com/kujdes/kujdes/models"
)

// meResponse says who the caller is and what they may do.
type meResponse struct {
	UserID        int64               `json:"user_id"`
	Issuer        string              `json:"issuer"`
	Subject       string              `json:"subject"`
	Name          string              `json:"name"`
	Roles         []models.Role       `json:"roles"`
	Permissions   []models.Permission `json:"permissions"`
	RegionIDs     []int64             `json:"region_ids"`
	BorderPostIDs []int64             `json:"border_post_ids"`
}

func (a *API) me(c *gin.Context) {
	act := auth.ActorFrom(c.Request.Context())
	out := meResponse{UserID: act.UserID, Issuer: act.Issuer, Subject: act.Subject, Name: act.Name,
		Roles: act.Roles, RegionIDs: act.RegionIDs, BorderPostIDs: act.BorderPostIDs}
	for p, ok := range act.Permissions {
		if ok {
			out.Permissions = append(out.Permissions, p)
		}
	}
	for _, s := range []*[]int64{&out.RegionIDs, &out.BorderPostIDs} {
		if *s == nil {
			*s = []int64{}
		}
	}
	if out.Roles == nil {
		out.Roles = []models.Role{}
	}
	slices.Sort(out.Permissions)
	if out.Permissions == nil {
		out.Permissions = []models.Permission{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, out)
}
