package registry

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/kujdes/kujdes/models"
)

// IdempotencyRetention is how long a committed write is remembered under its idempotency key
// (the IETF draft asks for at least a day; an outbox on a phone at a border post may need a
// weekend to find a signal). After that the key is forgotten and may be used again.
const IdempotencyRetention = 72 * time.Hour

// MaxIdempotencyKey is the longest key accepted.
const MaxIdempotencyKey = 255

// idempotencyKey is a validated key for one operation and request body.
type idempotencyKey struct {
	key       string
	operation string
	hash      []byte
}

// errIdempotentRace rolls back a write whose key a concurrent request with the same key
// committed first; the caller then replays that request's result.
var errIdempotentRace = errors.New("registry: idempotency key committed by a concurrent request")

// newIdempotencyKey checks a client's key ("" means none: nil, nil). A key is 1 to 255
// visible ASCII characters (a UUID, typically).
func newIdempotencyKey(key, operation string, request any) (*idempotencyKey, error) {
	if key == "" {
		return nil, nil
	}
	valid := len(key) <= MaxIdempotencyKey
	for i := 0; valid && i < len(key); i++ {
		valid = key[i] > 0x20 && key[i] < 0x7f
	}
	if !valid {
		var verr models.ValidationError
		verr.Add("idempotency_key", "idempotency_key_invalid", map[string]any{"Max": MaxIdempotencyKey})
		return nil, &verr
	}
	body, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("idempotency key: %w", err)
	}
	sum := sha256.Sum256(append([]byte(operation+"\x00"), body...))
	return &idempotencyKey{key: key, operation: operation, hash: sum[:]}, nil
}

// replay looks for a committed write of userID under this key (within the retention) and
// fills result with what it answered. The same key with another request, or for another
// operation, is refused: the client has a bug, and guessing which request it meant could
// lose one.
func (k *idempotencyKey) replay(tx *gorm.DB, userID int64, now time.Time, result any) (bool, error) {
	var row struct {
		Operation   string
		RequestHash []byte
		Result      []byte
	}
	err := tx.Raw(`SELECT operation, request_hash, result FROM idempotency_keys
		WHERE user_id = ? AND key = ? AND created_at > ?`, userID, k.key, now.Add(-IdempotencyRetention)).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	if row.Operation != k.operation || string(row.RequestHash) != string(k.hash) {
		var verr models.ValidationError
		verr.Add("idempotency_key", "idempotency_key_reused", nil)
		return false, &verr
	}
	return true, json.Unmarshal(row.Result, result)
}

// remember stores the result of the write tx is about to commit under this key. It returns
// errIdempotentRace when a concurrent request with the same key committed first (the insert
// waits for it): the caller rolls back and replays that one.
//
// One statement: it forgets this user's expired keys and inserts the key, or takes over the
// key's own row when that one has expired (a row still within the retention is left alone,
// and no row is affected: the race).
func (k *idempotencyKey) remember(tx *gorm.DB, userID int64, now time.Time, result any) error {
	body, err := json.Marshal(result)
	if err != nil {
		return err
	}
	expired := now.Add(-IdempotencyRetention)
	res := tx.Exec(`WITH forgotten AS (
			DELETE FROM idempotency_keys WHERE user_id = @user AND created_at <= @expired AND key <> @key
		)
		INSERT INTO idempotency_keys AS k (user_id, key, operation, request_hash, result, created_at)
		VALUES (@user, @key, @operation, @hash, @result, @now)
		ON CONFLICT (user_id, key) DO UPDATE SET operation = EXCLUDED.operation, request_hash = EXCLUDED.request_hash,
			result = EXCLUDED.result, created_at = EXCLUDED.created_at
		WHERE k.created_at <= @expired`,
		map[string]any{"user": userID, "expired": expired, "key": k.key, "operation": k.operation, "hash": k.hash,
			"result": string(body), "now": now})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return errIdempotentRace
	}
	return nil
}
