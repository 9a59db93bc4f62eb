package requestid_test

import (
	"strings"
	"testing"

	"github.com/kujdes/kujdes/internal/requestid"
)

func TestFromClient(t *testing.T) {
	kept := []string{
		"trace-abc.123", "12345678", "0f8fad5b-d9cb-469f-a165-70867728950e", "a_b.c-d_", strings.Repeat("x", 64),
	}
	for _, id := range kept {
		if got := requestid.FromClient(id); got != id {
			t.Errorf("FromClient(%q) = %q, want it kept", id, got)
		}
	}
	replaced := []string{
		"", "abc", "1234567", strings.Repeat("x", 65), "a:b:c:d:e", "bad id with spaces", "<script>x</script>",
		"abcdefgh\n", "abcdefgh\x00", "' OR 1=1 --", "trace/abc/123", "ëëëëëëëë", "abcd\u200befgh",
	}
	for _, id := range replaced {
		got := requestid.FromClient(id)
		if got == id || !requestid.Valid(got) || len(got) != 24 {
			t.Errorf("FromClient(%q) = %q, want a new 24-character id", id, got)
		}
	}
	if a, b := requestid.New(), requestid.New(); a == b {
		t.Errorf("two new ids are equal: %q", a)
	}
}
