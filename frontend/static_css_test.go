package frontend_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// Every block of the style sheets closes, and every at-rule (@media…) starts at the top
// level. A merge once dropped the "}" of a phone-width @media block: every rule after it —
// the missing-children board and sheet, the print rules, the header's unread-alerts count —
// applied only on phones, and at desktop width the count was white on a pale badge.
func TestStyleSheetBlocksClose(t *testing.T) {
	comments := regexp.MustCompile(`(?s)/\*.*?\*/`)
	for _, name := range []string{"static/app.css", "static/rights.css"} {
		raw, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		css := comments.ReplaceAllString(string(raw), "")
		depth, line := 0, 1
		for i, ch := range css {
			switch ch {
			case '\n':
				line++
			case '{':
				depth++
			case '}':
				depth--
				if depth < 0 {
					t.Fatalf("%s: a \"}\" closes nothing (line %d without comments)", name, line)
				}
			case '@':
				if depth != 0 {
					t.Errorf("%s: %q nested at depth %d (line %d without comments): a block above it does not close",
						name, strings.SplitN(css[i:], "{", 2)[0], depth, line)
				}
			}
		}
		if depth != 0 {
			t.Errorf("%s: %d block(s) left open at the end", name, depth)
		}
	}
}
