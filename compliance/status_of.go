package compliance

// StatusOf is the traffic light of a figure under the indicator's definition — the one
// Summarise gives — for a figure rebuilt from a trend point (the monthly report, issue 11
// exports). in.Threshold must be the threshold in force (the headline indicator's).
func StatusOf(def IndicatorDef, in Indicator) Status { return status(def, in) }
