package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"gorm.io/gorm"

	"github.com/kujdes/kujdes/auditlog"
	"github.com/kujdes/kujdes/internal/config"
)

const auditUsage = `Usage:
  kujdes audit keygen -out FILE [-name NAME]      new Ed25519 checkpoint signing key; prints its public key
  kujdes audit verify [-checkpoint FILE]… [-key PUBKEY]
                                                  recompute the log, check every signed checkpoint (and
                                                  those in FILEs); exit 3 and the first event that does not fit
  kujdes audit checkpoint                         print the newest signed checkpoint (keep copies elsewhere)
  kujdes audit seal                               seal what is pending now and sign a checkpoint
  kujdes audit verify-proof FILE -key PUBKEY      check one event's evidence file offline (no database)

PUBKEY is the verifier key printed by keygen, or a file holding it. Without -key, the key
of KUJDES_AUDIT_SIGNING_KEY_FILE is used. verify, checkpoint and seal also take
-database-url and -data-dir.
`

// runAudit runs `kujdes audit …`.
func runAudit(ctx context.Context, args []string, getenv config.Getenv, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, auditUsage)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("kujdes audit "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files multiFlag
	keyArg := fs.String("key", "", "verifier (public) key, or a file holding it")
	name := fs.String("name", auditlog.DefaultKeyName, "key name (keygen)")
	out := fs.String("out", "", "file to write the signing key to (keygen)")
	dbURL := fs.String("database-url", "", "PostgreSQL URL")
	dataDir := fs.String("data-dir", "", "embedded PostgreSQL folder")
	fs.Var(&files, "checkpoint", "a checkpoint file to check the log against (repeatable)")
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}

	switch sub {
	case "keygen":
		return auditKeygen(*name, *out, stdout, stderr)
	case "verify-proof":
		if len(positional) != 1 || *keyArg == "" {
			fmt.Fprint(stderr, "kujdes audit verify-proof: say FILE -key PUBKEY\n")
			return 2
		}
		return auditVerifyProof(positional[0], *keyArg, stdout, stderr)
	case "verify", "checkpoint", "seal":
	default:
		fmt.Fprintf(stderr, "kujdes audit: unknown command %q\n\n%s", sub, auditUsage)
		return 2
	}
	var cfgArgs []string
	if *dbURL != "" {
		cfgArgs = append(cfgArgs, "-database-url", *dbURL)
	}
	if *dataDir != "" {
		cfgArgs = append(cfgArgs, "-data-dir", *dataDir)
	}
	cfg, err := config.Load(cfgArgs, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes: configuration: %v\n", err)
		return 2
	}
	log := newLogger(cfg, stderr)
	var verifier note.Verifier
	var key *auditlog.Key
	if cfg.Audit.SigningKeyFile != "" {
		if key, err = auditlog.LoadKey(cfg.Audit.SigningKeyFile); err != nil {
			fmt.Fprintf(stderr, "kujdes audit: KUJDES_AUDIT_SIGNING_KEY_FILE: %v\n", err)
			return 2
		}
		verifier = key.Verifier
	}
	if *keyArg != "" {
		if verifier, err = parseVerifier(*keyArg); err != nil {
			fmt.Fprintf(stderr, "kujdes audit: -key: %v\n", err)
			return 2
		}
	}
	given := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "kujdes audit: %v\n", err)
			return 2
		}
		given[f] = b
	}
	if (sub == "verify" && verifier == nil) || (sub == "seal" && key == nil) {
		fmt.Fprint(stderr, "kujdes audit: no key: set KUJDES_AUDIT_SIGNING_KEY_FILE (or pass -key PUBKEY to verify)\n")
		return 2
	}

	code := 0
	err = withDatabase(ctx, cfg, log, func(db *gorm.DB) error {
		sqlDB, err := db.DB()
		if err != nil {
			return err
		}
		switch sub {
		case "verify":
			code, err = auditVerify(ctx, sqlDB, verifier, given, stdout)
			return err
		case "checkpoint":
			cp, err := auditlog.LatestCheckpoint(ctx, sqlDB)
			if errors.Is(err, sql.ErrNoRows) {
				return errors.New("no checkpoint yet: the sealer signs one within seconds of the first event (needs KUJDES_AUDIT_SIGNING_KEY_FILE)")
			}
			if err != nil {
				return err
			}
			_, err = stdout.Write(cp.Note)
			return err
		default: // seal
			s := &auditlog.Sealer{DB: sqlDB, Key: key, Log: log}
			if err := s.Drain(ctx); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "sealed: nothing is pending")
			return nil
		}
	})
	if err != nil {
		fmt.Fprintf(stderr, "kujdes audit %s: %v\n", sub, err)
		return 1
	}
	return code
}

// auditVerify recomputes the log; exit code 3 when something does not fit.
func auditVerify(ctx context.Context, db *sql.DB, v note.Verifier, given map[string][]byte, out io.Writer) (int, error) {
	began := time.Now()
	rep, err := auditlog.Verify(ctx, db, v, given)
	if err != nil {
		return 0, err
	}
	took := time.Since(began).Round(time.Millisecond)
	if !rep.OK() {
		fmt.Fprintf(out, "audit log BROKEN (%d events checked in %v): %s\n", rep.Events, took, rep.Problem)
		if rep.EventID != 0 {
			fmt.Fprintf(out, "first event that does not fit: %d\n", rep.EventID)
		}
		return 3, nil
	}
	fmt.Fprintf(out, "audit log intact: %d events sealed, %d pending, %d signed checkpoints checked (%v)\n",
		rep.Events, rep.Pending, rep.Checkpoints, took)
	return 0, nil
}

func auditKeygen(name, out string, stdout, stderr io.Writer) int {
	if out == "" {
		fmt.Fprint(stderr, "kujdes audit keygen: say -out FILE\n")
		return 2
	}
	skey, vkey, err := auditlog.GenerateKey(name)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes audit keygen: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o700); err != nil {
		fmt.Fprintf(stderr, "kujdes audit keygen: %v\n", err)
		return 1
	}
	// O_EXCL: never overwrite a key; checkpoints signed with it would become unverifiable.
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes audit keygen: %v\n", err)
		return 1
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		fmt.Fprintf(stderr, "kujdes audit keygen: %v\n", err)
		return 1
	}
	if err := f.Close(); err != nil {
		fmt.Fprintf(stderr, "kujdes audit keygen: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "signing key written to %s (keep it secret, off the database server)\npublic key (give it to whoever checks checkpoints and evidence):\n%s\n", out, vkey)
	return 0
}

func auditVerifyProof(file, keyArg string, stdout, stderr io.Writer) int {
	v, err := parseVerifier(keyArg)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes audit verify-proof: -key: %v\n", err)
		return 2
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(stderr, "kujdes audit verify-proof: %v\n", err)
		return 2
	}
	ev, cp, err := auditlog.CheckEvidence(data, v)
	if err != nil {
		fmt.Fprintf(stdout, "evidence does NOT verify: %v\n", err)
		return 3
	}
	fmt.Fprintf(stdout, "evidence verifies: the event below is in the log %q signed at size %d\n", cp.Origin, cp.Size)
	fmt.Fprintf(stdout, "  at %s  %s %s %s  by %s (%s)  outcome %s\n", ev.OccurredAt.Format(time.RFC3339Nano), ev.Action,
		ev.Entity, ev.EntityID, ev.ActorSubject, ev.ActorRoles, ev.Outcome)
	return 0
}

// parseVerifier reads a verifier key given inline or as a file holding it.
func parseVerifier(s string) (note.Verifier, error) {
	if !strings.Contains(s, "+") {
		b, err := os.ReadFile(s)
		if err != nil {
			return nil, err
		}
		s = strings.TrimSpace(string(b))
	}
	return note.NewVerifier(s)
}

// startSealer runs the audit sealer beside the server until the returned stop is called.
func startSealer(ctx context.Context, cfg config.Config, db *gorm.DB, log *slog.Logger) (stop func(), err error) {
	var key *auditlog.Key
	if cfg.Audit.SigningKeyFile != "" {
		if key, err = auditlog.LoadKey(cfg.Audit.SigningKeyFile); err != nil {
			return nil, err
		}
	} else {
		log.Warn("KUJDES_AUDIT_SIGNING_KEY_FILE is not set: audit events are sealed but no checkpoint is signed")
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	s := &auditlog.Sealer{DB: sqlDB, Key: key, CheckpointInterval: cfg.Audit.CheckpointInterval,
		CheckpointEvents: cfg.Audit.CheckpointEvents, Log: log}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	return func() { cancel(); <-done }, nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
