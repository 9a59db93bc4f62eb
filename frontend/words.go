package frontend

// Words that are not sentences (issue 13): durations, lists of roles, the fields an audit
// event names, and regions and border posts by name rather than by code.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/kujdes/kujdes/models"
)

// placeNames maps every region's and border post's code to its name, for pages that show one
// (issue 13: names, not codes). Reference data, not about children; nil when it cannot be read.
func (f *Frontend) placeNames(ctx context.Context, a *models.Actor) map[placeKey]string {
	regions, posts, err := f.Registry.ReferenceData(ctx, a)
	if err != nil {
		return nil
	}
	out := make(map[placeKey]string, len(regions)+len(posts))
	for _, r := range regions {
		out[placeKey{false, r.Code}] = r.Name
	}
	for _, p := range posts {
		out[placeKey{true, p.Code}] = p.Name
	}
	return out
}

// regionNames maps every region's code to its name (nil when they cannot be read).
func (f *Frontend) regionNames(ctx context.Context, a *models.Actor) map[string]string {
	out := map[string]string{}
	for k, n := range f.placeNames(ctx, a) {
		if !k.post {
			out[k.code] = n
		}
	}
	return out
}

// showLatin reports whether a name's Latin spelling is worth showing beside it: it is given
// and differs from the name as written (a name written in Latin letters is not shown twice).
func showLatin(given, family, givenLatin, familyLatin string) bool {
	latin := strings.Join(strings.Fields(givenLatin+" "+familyLatin), " ")
	return latin != "" && latin != strings.Join(strings.Fields(given+" "+family), " ")
}

// Duration says a duration in words with CLDR plurals ("1 hour"), never as Go prints it.
func (p Page) Duration(d time.Duration) string {
	if p.loc == nil {
		return d.String()
	}
	return p.loc.Duration(d)
}

// Roles names the roles of a comma-joined list (as the audit trail keeps them), as a list.
func (p Page) Roles(joined string) string {
	var names []string
	for _, r := range strings.Split(joined, ",") {
		if r = strings.TrimSpace(r); r != "" {
			names = append(names, p.RoleName(models.Role(r)))
		}
	}
	return p.List(names)
}

// FieldName is the localized name of a field an audit event names ("history.field.<key>").
func (p Page) FieldName(key string) string { return p.T("history.field." + key) }

// RegionName is a region's name for its code (the code itself when no region has it): pages
// show names, not codes (issue 13). The names are read once per page, on first use.
func (p Page) RegionName(code string) string { return p.placeName(code, false) }

// PostName is a border post's name for its code (the code itself when no post has it).
func (p Page) PostName(code string) string { return p.placeName(code, true) }

func (p Page) placeName(code string, post bool) string {
	if p.places == nil {
		return code
	}
	names := p.places.names()
	if n := names[placeKey{post, code}]; n != "" {
		return n
	}
	return code
}

// PostNames lists border posts by name, given their codes (a []any as the audit trail's JSON
// gives, or a []string).
func (p Page) PostNames(v any) string {
	var names []string
	switch xs := v.(type) {
	case []string:
		for _, x := range xs {
			names = append(names, p.PostName(x))
		}
	case []any:
		for _, x := range xs {
			names = append(names, p.PostName(fmt.Sprint(x)))
		}
	default:
		return fmt.Sprint(v)
	}
	return p.List(names)
}

// placeKey is a region's (post false) or border post's code.
type placeKey struct {
	post bool
	code string
}

// placeNameCache reads the region and border post names for one page, once, when the page
// first asks.
type placeNameCache struct {
	once  sync.Once
	load  func() map[placeKey]string
	byKey map[placeKey]string
}

func (r *placeNameCache) names() map[placeKey]string {
	r.once.Do(func() { r.byKey = r.load() })
	return r.byKey
}
