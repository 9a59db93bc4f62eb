package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The rights sheet (issue 10, S11) speaks to a child, in a language the child understands —
// many more languages than the staff interface has. Its messages are a catalogue of their own,
// rights/rights.<bcp47>.toml, in a second go-i18n bundle: a staff page is never half in Pashto
// because a rights message exists in Pashto, and a test checks the sheet's catalogue the same
// way as the interface's (every language has every English id).
//
// Translations other than English are drafted and marked "machine-drafted, needs native
// review" at the top of each file until a native speaker has checked them.

//go:embed rights/rights.*.toml
var rightsFiles embed.FS

// RightsFS holds the rights-sheet catalogues, rights/rights.<bcp47>.toml.
func RightsFS() fs.FS { return rightsFiles }

// RightsOrder is the order the sheet's languages are offered in: the staff languages, then
// the languages of the children on the route (MISSION.md).
var RightsOrder = []string{"en", "sq", "ar", "fa-AF", "ps", "ur", "ckb", "kmr", "tr", "bn", "fr", "uk"}

// pluralAlias: go-i18n has no CLDR plural rule for some tags, so their messages load under
// the tag whose rule they share. CLDR's "ku" locale is Kurmanji (Latin script), which is
// "kmr". The sheet has no plural messages; the alias only lets the file load.
var pluralAlias = map[string]string{"kmr": "ku"}

// Rights is the rights sheet's bundle.
type Rights struct {
	bundle    *goi18n.Bundle
	languages []Language
	byTag     map[string]Language
}

// NewRights loads the embedded rights-sheet catalogues; English is the fallback.
func NewRights() (*Rights, error) {
	r := &Rights{bundle: goi18n.NewBundle(language.English), byTag: map[string]Language{}}
	r.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(rightsFiles, "rights/rights.*.toml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		tag := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "rights."), ".toml")
		buf, err := fs.ReadFile(rightsFiles, name)
		if err != nil {
			return nil, err
		}
		load := "rights." + tag + ".toml"
		if alias, ok := pluralAlias[tag]; ok {
			load = "rights." + alias + ".toml"
		}
		if _, err := r.bundle.ParseMessageFileBytes(buf, load); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		t, err := language.Parse(tag)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		l := Language{Tag: tag, RTL: rtlBases[baseOf(t)]}
		l.Name, err = goi18n.NewLocalizer(r.bundle, r.internal(tag)).Localize(&goi18n.LocalizeConfig{MessageID: "language.name"})
		if err != nil {
			return nil, fmt.Errorf("i18n: %s lacks language.name: %w", name, err)
		}
		r.byTag[tag] = l
	}
	for _, tag := range RightsOrder {
		if l, ok := r.byTag[tag]; ok {
			r.languages = append(r.languages, l)
		}
	}
	if len(r.languages) != len(r.byTag) {
		return nil, fmt.Errorf("i18n: rights catalogues %v are not all in RightsOrder", names)
	}
	return r, nil
}

func (r *Rights) internal(tag string) string {
	if alias, ok := pluralAlias[tag]; ok {
		return alias
	}
	return tag
}

// Languages lists the sheet's languages in RightsOrder.
func (r *Rights) Languages() []Language { return r.languages }

// Supported returns the sheet's language for an exact tag such as "fa-AF".
func (r *Rights) Supported(tag string) (Language, bool) {
	l, ok := r.byTag[tag]
	return l, ok
}

// For picks the sheet's language for a child: the first of the child's languages the sheet
// has (exact tag, then the same base language: "fa" → "fa-AF", "ar-SY" → "ar"), else English.
func (r *Rights) For(childLanguages []string) Language {
	for _, c := range childLanguages {
		if l, ok := r.byTag[c]; ok {
			return l
		}
		cb, _, _ := strings.Cut(strings.ToLower(c), "-")
		for _, l := range r.languages {
			if lb, _, _ := strings.Cut(strings.ToLower(l.Tag), "-"); lb == cb {
				return l
			}
		}
	}
	return r.byTag["en"]
}

// Localizer returns the sheet's translator for one of its languages.
func (r *Rights) Localizer(l Language) *Localizer {
	return &Localizer{Language: l, loc: goi18n.NewLocalizer(r.bundle, r.internal(l.Tag), "en")}
}
