package browsertest

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// AxeVersion is the version of the embedded axe-core (see axe/README.md).
const AxeVersion = "4.14.1"

//go:embed axe/axe.min.js
var axeSource string

// axeTags are the axe-core rule tags that Axe and AxeViolations run:
// WCAG 2.0 A and AA, WCAG 2.1 AA and WCAG 2.2 AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"}

// Violation is one failed axe-core rule on the page.
type Violation struct {
	ID          string          `json:"id"`     // rule id, e.g. "image-alt"
	Impact      string          `json:"impact"` // "minor", "moderate", "serious" or "critical"
	Description string          `json:"description"`
	Help        string          `json:"help"`
	HelpURL     string          `json:"helpUrl"`
	Tags        []string        `json:"tags"`
	Nodes       []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that fails a rule.
type ViolationNode struct {
	// Target is the CSS selector path of the element; an element inside
	// shadow DOM has one selector per shadow root.
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// String formats the violation on one line, with up to three elements.
func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s]: %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, " … and %d more", len(v.Nodes)-3)
			break
		}
		fmt.Fprintf(&b, "\n      at %s  %s", strings.Join(n.Target, " >>> "), n.HTML)
	}
	if v.HelpURL != "" {
		fmt.Fprintf(&b, "\n      see %s", v.HelpURL)
	}
	return b.String()
}

// axeRunJS runs axe on the whole document and keeps only what Violation needs,
// so the result that crosses CDP stays small.
var axeRunJS = `(async () => {
	const r = await axe.run(document, {
		runOnly: {type: 'tag', values: ` + mustJSON(axeTags) + `},
		resultTypes: ['violations'],
	});
	return r.violations.map(v => ({
		id: v.id,
		impact: v.impact || '',
		description: v.description,
		help: v.help,
		helpUrl: v.helpUrl,
		tags: v.tags,
		nodes: v.nodes.map(n => ({
			target: n.target.map(s => Array.isArray(s) ? s.join(' ') : String(s)),
			html: n.html,
			failureSummary: n.failureSummary || '',
		})),
	}));
})()`

// AxeViolations injects the embedded axe-core into the current document and
// returns the WCAG 2.x A/AA violations (axe tags wcag2a, wcag2aa, wcag21aa,
// wcag22aa). The script is injected with CDP Runtime.evaluate, which the
// page's Content-Security-Policy does not block, and it is injected again after
// each navigation.
func (p *Page) AxeViolations(t testing.TB) []Violation {
	t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`typeof window.axe === 'object' && axe.version === '`+AxeVersion+`'`))
	if err == nil && !loaded {
		err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource))
	}
	if err != nil {
		t.Fatalf("browsertest: injecting axe-core: %s", p.explain(err))
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("browsertest: running axe-core: %s", p.explain(err))
	}
	return vs
}

// Axe runs AxeViolations and reports each violation with t.Errorf (the test
// goes on). It checks WCAG 2.0/2.1/2.2 levels A and AA.
func (p *Page) Axe(t testing.TB) {
	t.Helper()
	vs := p.AxeViolations(t)
	if len(vs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	var b strings.Builder
	fmt.Fprintf(&b, "axe-core %s: %d accessibility violation(s) on %s:", AxeVersion, len(vs), loc)
	for _, v := range vs {
		b.WriteString("\n  - " + v.String())
	}
	t.Error(b.String())
}

func mustJSON(v []string) string {
	parts := make([]string, len(v))
	for i, s := range v {
		parts[i] = jsString(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
