// Package compliance will measure the child-protection standards S1–S13 (MISSION.md): each
// rule a pure function over data plus SQL aggregates, every violation explainable (which
// child, which rule, since when, what resolves it).
package compliance
