package registry

// RefreshComplianceOpen exposes the breakdowns' rollup to the benchmark, which fills the
// violations table directly.
var RefreshComplianceOpen = refreshComplianceOpen
