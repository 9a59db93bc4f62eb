package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/kujdes/kujdes/registry"
)

// TestRateLimitedProblems: a refusal over a limit is 429 with Retry-After; a list of
// children over the reader's limit of lists (issue 11) says so, not "too many duplicate
// checks".
func TestRateLimitedProblems(t *testing.T) {
	gin.SetMode(gin.TestMode)
	for _, tc := range []struct {
		err   *registry.RateLimitedError
		title string
	}{
		{&registry.RateLimitedError{RetryAfter: 61 * time.Second, Lists: true}, "error.rate_limited_lists.title"},
		{&registry.RateLimitedError{RetryAfter: 61 * time.Second}, "error.rate_limited.title"},
	} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest(http.MethodGet, "/api/v1/compliance/violations", nil)
		WriteError(c, tc.err)
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "61" || !strings.Contains(w.Body.String(), `"title":"`+tc.title+`"`) {
			t.Errorf("%+v: %d Retry-After %q %s", tc.err, w.Code, w.Header().Get("Retry-After"), w.Body.String())
		}
	}
}
