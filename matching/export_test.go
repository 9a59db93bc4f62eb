package matching

// ParentTFAdjustment is the frequency adjustment (bits) of two records agreeing exactly on a
// parent's name of this skeleton (kind "father" or "mother"), for the external tests.
func ParentTFAdjustment(f Freqs, kind, skel string) float64 {
	_, adj := fieldComparison{kind: kind, lvl: nameExact, qSkel: skel, cSkel: skel}.weight(f)
	return adj
}
