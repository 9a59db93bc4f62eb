package frontend

import (
	"context"
	"strings"

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
