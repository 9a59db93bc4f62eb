package registry

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// borderPosts remembers the border posts a registration names (issue 8: the look-up was a
// round trip of every registration). Kujdes creates border posts and never changes or
// deletes one (CreateBorderPost is the only write; its code, id and region stay as created),
// so a post read once stays true in every instance, and a code not found is not remembered:
// a post created since, by any instance, is found at the next look-up. Only the fields the
// registration uses are kept.
type borderPosts struct {
	byCode sync.Map // code → models.BorderPost
	byID   sync.Map // id → models.BorderPost
}

// errNoBorderPost: no border post has that code or id.
var errNoBorderPost = errors.New("no such border post")

// get returns the post with code, or with id when code is "", reading it with db the
// first time.
func (c *borderPosts) get(ctx context.Context, db *gorm.DB, code string, id int64) (models.BorderPost, error) {
	if code != "" {
		if p, ok := c.byCode.Load(code); ok {
			return p.(models.BorderPost), nil
		}
	} else if p, ok := c.byID.Load(id); ok {
		return p.(models.BorderPost), nil
	}
	var p models.BorderPost
	q := db.WithContext(ctx).Select("id", "code", "region_id")
	if code != "" {
		q = q.Where("code = ?", code)
	} else {
		q = q.Where("id = ?", id)
	}
	if err := q.Take(&p).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return p, errNoBorderPost
		}
		return p, err
	}
	c.byCode.Store(p.Code, p)
	c.byID.Store(p.ID, p)
	return p, nil
}
