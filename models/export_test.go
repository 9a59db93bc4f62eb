package models

// WriteBatchForTest writes evs as one batch, as the batcher does when they are waiting
// together, and returns each event's error.
func (b *AuditBatcher) WriteBatchForTest(evs []*AuditEvent) []error {
	batch := make([]*batchItem, len(evs))
	for i, ev := range evs {
		if err := prepareAudit(ev); err != nil {
			panic(err)
		}
		batch[i] = &batchItem{ev: ev, done: make(chan error, 1)}
	}
	b.write(batch)
	errs := make([]error, len(evs))
	for i, it := range batch {
		errs[i] = <-it.done
	}
	return errs
}

// AuditInsertColumnsForTest are the columns the batcher's INSERT names, and the number of
// values it gives for one event.
func AuditInsertColumnsForTest() ([]string, int) {
	return auditInsertColumns, len(auditInsertValues(&AuditEvent{}))
}
