package auditlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// DefaultKeyName names a key (and the log, in each checkpoint's first line) unless the
// operator chooses another: one per deployment, e.g. "kujdes.example.gov.al/audit".
const DefaultKeyName = "kujdes-audit"

// GenerateKey returns a new Ed25519 signing key (note's "PRIVATE+KEY+…" form) and its public
// verifier key, to hand to anyone who will check checkpoints or evidence.
func GenerateKey(name string) (skey, vkey string, err error) {
	return note.GenerateKey(rand.Reader, name)
}

// Key is a loaded signing key.
type Key struct {
	Signer note.Signer
	// Verifier checks what Signer signs; VerifierKey is its text form (publishable).
	Verifier    note.Verifier
	VerifierKey string
}

// LoadKey reads a key file written by GenerateKey's skey (`kujdes audit keygen`).
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(b)))
}

// ParseKey parses a note signing key and derives its verifier key.
func ParseKey(skey string) (*Key, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	// note gives no way from a signer key to its verifier key: PRIVATE+KEY+name+hash+base64(1 || seed).
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("audit signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("audit signing key: not an Ed25519 note key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, err
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	return &Key{Signer: signer, Verifier: verifier, VerifierKey: vkey}, nil
}

// Checkpoint is a signed statement "the log named Origin has Size leaves and this Root". Its
// text is the C2SP tlog-checkpoint form (origin, size, base64 root, one per line), wrapped in a
// signed note.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	// Note is the whole signed note, as stored and served.
	Note []byte
}

// checkpointText is the note body of a checkpoint.
func checkpointText(origin string, size int64, root tlog.Hash) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, size, base64.StdEncoding.EncodeToString(root[:]))
}

// signCheckpoint signs size and root with k.
func signCheckpoint(signer note.Signer, size int64, root tlog.Hash) (Checkpoint, error) {
	msg, err := note.Sign(&note.Note{Text: checkpointText(signer.Name(), size, root)}, signer)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return Checkpoint{Origin: signer.Name(), Size: size, Root: root, Note: msg}, nil
}

// OpenCheckpoint checks msg's signature with v and parses it. The origin must be v's name:
// a checkpoint of another log signed by the same key is refused.
func OpenCheckpoint(msg []byte, v note.Verifier) (Checkpoint, error) {
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	lines := strings.SplitN(n.Text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("checkpoint: fewer than three lines")
	}
	if lines[0] != v.Name() {
		return Checkpoint{}, fmt.Errorf("checkpoint: origin %q is not %q", lines[0], v.Name())
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 || lines[1] != strconv.FormatInt(size, 10) {
		return Checkpoint{}, fmt.Errorf("checkpoint: size %q", lines[1])
	}
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, errors.New("checkpoint: root is not a base64 SHA-256 hash")
	}
	cp := Checkpoint{Origin: lines[0], Size: size, Note: bytes.Clone(msg)}
	copy(cp.Root[:], root)
	return cp, nil
}
