package compliance

// SQL fragments of the rules that the registry's live queries (the needs-action queue) test
// over the "children" table. Each is the same rule as the Go evaluation (Evaluate), written
// once for SQL.

// SQLNotAssessed is S4's open condition: the child's vulnerabilities and special needs have
// not been identified (Evaluate: AssessedAt unset).
const SQLNotAssessed = "children.vulnerabilities_assessed_at IS NULL"
