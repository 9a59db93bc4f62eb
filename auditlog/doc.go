// Package auditlog makes the audit trail a transparency log that even the database's owner
// cannot rewrite unnoticed (the design of the Go checksum database, with its libraries:
// golang.org/x/mod/sumdb/tlog for the Merkle tree and proofs, golang.org/x/mod/sumdb/note for
// Ed25519-signed checkpoints).
//
//   - models.AppendAudit writes an event in the caller's transaction with its own leaf hash
//     only: no lock, no dependence on any other row.
//   - One Sealer across all instances (elected with a session-level advisory lock on a
//     dedicated connection; another instance takes over when that connection dies) gives
//     committed events their positions in the order they became visible, stores the tree's
//     hashes (tlog.StoredHashes), all in one transaction per batch, and writes a signed
//     checkpoint (tree size + root hash) every few seconds or events.
//   - Verify recomputes the tree from the events, streaming, and checks it against every
//     stored checkpoint and any checkpoint an outside party kept; Evidence packs one event,
//     its inclusion proof and a checkpoint into a file that CheckEvidence verifies offline.
//
// The signing key lives outside the database (KUJDES_AUDIT_SIGNING_KEY_FILE). Whoever can
// write the tables can still edit an event and recompute every stored hash, but cannot sign a
// checkpoint for the result: the signed roots stop matching, and Verify says so.
package auditlog
