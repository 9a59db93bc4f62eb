package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Region is an administrative region; protection officers and monitors are scoped by it.
type Region struct {
	ID        int64     `json:"id" gorm:"primaryKey"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// BorderPost is a crossing point; border officers are scoped by it.
type BorderPost struct {
	ID        int64     `json:"id" gorm:"primaryKey"`
	Code      string    `json:"code"`
	Name      string    `json:"name"`
	RegionID  int64     `json:"region_id"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"-"`
	UpdatedAt time.Time `json:"-"`
}

// ListRegions returns every region by code.
func ListRegions(ctx context.Context, db *gorm.DB) ([]Region, error) {
	var out []Region
	err := db.WithContext(ctx).Order("code").Find(&out).Error
	return out, err
}

// ListBorderPosts returns every border post by code.
func ListBorderPosts(ctx context.Context, db *gorm.DB) ([]BorderPost, error) {
	var out []BorderPost
	err := db.WithContext(ctx).Order("code").Find(&out).Error
	return out, err
}
