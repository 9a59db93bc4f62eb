package registry

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kujdes/kujdes/matching"
	"github.com/kujdes/kujdes/models"
)

func TestNameRows(t *testing.T) {
	byKind := func(rows []models.ChildName) map[string][]models.ChildName {
		out := map[string][]models.ChildName{}
		for _, r := range rows {
			out[r.Kind] = append(out[r.Kind], r)
		}
		return out
	}
	t.Run("script names with the officer's Latin, and aliases", func(t *testing.T) {
		rows := NameRows(7, " محمد ", "رحیمی", "Muhammad", "", []string{"Hamid Jan", "حمید", " ", "Hamid Jan"})
		k := byKind(rows)
		if len(rows) != 5 || len(k["given"]) != 1 || len(k["family"]) != 1 || len(k["full"]) != 1 || len(k["alias"]) != 2 {
			t.Fatalf("rows %+v", rows)
		}
		for _, r := range rows {
			if r.ChildID != 7 || r.Skeleton == "" || r.Latin == "" || r.Original == "" || r.ID != 0 {
				t.Errorf("row %+v", r)
			}
			if r.Skeleton != matching.Skeleton(r.Latin) {
				t.Errorf("row %+v: skeleton of %q", r, r.Latin)
			}
		}
		want := []models.ChildName{
			{ChildID: 7, Kind: "given", Original: "محمد", Latin: "Muhammad"},
			{ChildID: 7, Kind: "family", Original: "رحیمی", Latin: "Rahimi"},
			{ChildID: 7, Kind: "full", Original: "محمد رحیمی", Latin: "Muhammad Rahimi"},
			{ChildID: 7, Kind: "alias", Original: "Hamid Jan", Latin: "Hamid Jan"},
			{ChildID: 7, Kind: "alias", Original: "حمید", Latin: "Hamid"},
		}
		for i, w := range want {
			w.Skeleton, w.VariantSkeletons = rows[i].Skeleton, models.Strings{}
			if w.Kind == "full" || w.Kind == "alias" {
				w.VariantSkeletons = matching.VariantSkeletons(w.Latin)
			}
			if !reflect.DeepEqual(rows[i], w) {
				t.Errorf("row %d = %+v, want %+v", i, rows[i], w)
			}
		}
	})
	t.Run("no family name: the full name is the given name", func(t *testing.T) {
		rows := NameRows(1, "Bilal", "", "", "", nil)
		k := byKind(rows)
		if len(rows) != 2 || k["full"][0].Latin != "Bilal" || k["given"][0].Latin != "Bilal" {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("Latin with diacritics stays as written", func(t *testing.T) {
		rows := NameRows(1, "Gül", "Şahin", "", "", nil)
		if rows[0].Latin != "Gül" || rows[2].Latin != "Gül Şahin" || rows[0].Skeleton != matching.Skeleton("Gul") {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("only aliases", func(t *testing.T) {
		rows := NameRows(1, "", "", "", "", []string{"Abu Bakr"})
		if len(rows) != 1 || rows[0].Kind != "alias" {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("nothing", func(t *testing.T) {
		if rows := NameRows(1, " ", "", "", "", nil); len(rows) != 0 {
			t.Fatalf("rows %+v", rows)
		}
	})
	t.Run("given names are kinds the schema allows", func(t *testing.T) {
		for _, r := range NameRows(1, "A", "B", "", "", []string{"C"}) {
			if !slices.Contains([]string{"given", "family", "full", "alias"}, r.Kind) {
				t.Errorf("kind %q", r.Kind)
			}
		}
	})
}
