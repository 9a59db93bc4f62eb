package registry

import (
	"context"
	"crypto/rand"
	"strconv"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// OutboxKey is the key a signed-in officer's registration page encrypts its offline outbox
// with (AES-256-GCM, WebCrypto). ID names the key, so a device can tell which key sealed a
// record it holds.
type OutboxKey struct {
	ID  string `json:"key_id"`
	Key []byte `json:"key"` // 32 bytes; base64 in JSON
}

// OutboxKey returns the caller's outbox key, making it on first use. Only officers who may
// register children get one: the outbox holds nothing else. Every hand-out is audited
// ("outbox.key"), because the key opens whatever registrations wait on that officer's
// devices. The key is per user, not per session, so registrations kept while offline can be
// read and sent after the session ended and the officer signed in again (docs/offline.md).
func (r *Registry) OutboxKey(ctx context.Context, a *models.Actor) (OutboxKey, error) {
	if err := require(a, models.PermChildRegister); err != nil {
		return OutboxKey{}, err
	}
	var k OutboxKey
	err := r.DB.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return err
		}
		// Two pages asking at once: one insert wins, both read the same key.
		if err := tx.Exec(`INSERT INTO outbox_keys (user_id, key_id, key, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id) DO NOTHING`, a.UserID, rand.Text()[:16], fresh, r.Now().UTC()).Error; err != nil {
			return err
		}
		var row struct {
			KeyID string
			Key   []byte
		}
		if err := tx.Raw(`SELECT key_id, key FROM outbox_keys WHERE user_id = ?`, a.UserID).Take(&row).Error; err != nil {
			return err
		}
		k = OutboxKey{ID: row.KeyID, Key: row.Key}
		return audit(ctx, tx, a, "outbox.key", "user", strconv.FormatInt(a.UserID, 10), models.AuditChanges{}, "")
	})
	return k, err
}
