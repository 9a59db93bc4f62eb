package registry_test

import (
	"testing"

	"github.com/kujdes/kujdes/registry"
)

// The paging rule both faces share, table-tested by hand.
func TestPagingRule(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"7", 7, true}, {"9223372036854775807", 9223372036854775807, true},
		{"-1", 0, false}, {"abc", 0, false}, {"1e3", 0, false}, {" 1", 0, false}, {"", 0, false},
		{"9223372036854775808", 0, false},
	} {
		n, fe := registry.ParseAfter("after", c.in)
		if (fe == nil) != c.ok || (c.ok && n != c.want) {
			t.Errorf("ParseAfter(%q) = %d, %v", c.in, n, fe)
		}
		if fe != nil && (fe.Field != "after" || fe.Code != "query_after_invalid") {
			t.Errorf("ParseAfter(%q) names %s %s", c.in, fe.Field, fe.Code)
		}
	}
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"200", 200, true}, {"50", 50, true},
		{"0", 0, false}, {"201", 0, false}, {"-1", 0, false}, {"x", 0, false}, {"", 0, false},
	} {
		n, fe := registry.ParseLimit("limit", c.in)
		if (fe == nil) != c.ok || (c.ok && n != c.want) {
			t.Errorf("ParseLimit(%q) = %d, %v", c.in, n, fe)
		}
		if fe != nil && (fe.Field != "limit" || fe.Code != "query_limit_invalid" || fe.Data["Max"] != registry.MaxPageSize) {
			t.Errorf("ParseLimit(%q) names %s %s %v", c.in, fe.Field, fe.Code, fe.Data)
		}
	}
}
