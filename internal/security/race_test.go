//go:build race

package security

// maxHeaderAllocs is TestHeaders' bound on allocations per response. The race detector adds
// one (7 measured under -race, 6 without; the headers built per response took 16–17).
const maxHeaderAllocs = 7
