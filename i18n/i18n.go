// Package i18n is Kujdes' one go-i18n bundle: every user-facing string of the pages, the API
// errors and the development login page comes from active.<lang>.toml here, with CLDR plurals.
//
// The language of a request is, in order: an explicit choice (the `lang` query parameter or
// cookie), then the browser's Accept-Language with its q-values, then the default.
package i18n

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

//go:embed active.*.toml
var files embed.FS

// FS holds the message files, active.<bcp47>.toml.
func FS() fs.FS { return files }

// Language is one shipped interface language.
type Language struct {
	Tag  string // BCP 47, e.g. "sq"
	Name string // its own name, e.g. "Shqip"
	RTL  bool
}

// Dir is the value of the HTML dir attribute.
func (l Language) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// rtlBases are the scripts written right to left among the languages Kujdes may ship.
var rtlBases = map[string]bool{"ar": true, "fa": true, "ps": true, "ur": true, "ckb": true, "he": true}

// Bundle holds every message of every shipped language.
type Bundle struct {
	bundle    *goi18n.Bundle
	languages []Language
	tags      []language.Tag
	matcher   language.Matcher
	byTag     map[string]Language
	// localizers holds one Localizer per shipped language, made once: every request asks
	// for one, and go-i18n's NewLocalizer parses the language tag again each time. A
	// Localizer is not changed after it is made (go-i18n's holds its bundle and tags only),
	// so requests share it.
	localizers map[string]*Localizer
}

// New loads the embedded message files. The default language is listed first.
func New(defaultLang string) (*Bundle, error) {
	def, err := language.Parse(defaultLang)
	if err != nil {
		return nil, fmt.Errorf("i18n: default language %q: %w", defaultLang, err)
	}
	b := &Bundle{bundle: goi18n.NewBundle(def), byTag: map[string]Language{}}
	b.bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(files, "active.*.toml")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		mf, err := b.bundle.LoadMessageFileFS(files, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		tag := mf.Tag.String()
		l := Language{Tag: tag, RTL: rtlBases[baseOf(mf.Tag)]}
		loc := goi18n.NewLocalizer(b.bundle, tag)
		l.Name, err = loc.Localize(&goi18n.LocalizeConfig{MessageID: "language.name"})
		if err != nil {
			return nil, fmt.Errorf("i18n: %s lacks language.name: %w", name, err)
		}
		b.byTag[tag] = l
	}
	if _, ok := b.byTag[def.String()]; !ok {
		return nil, fmt.Errorf("i18n: no message file for the default language %q", defaultLang)
	}
	// The default first: the matcher falls back to the first tag.
	b.add(b.byTag[def.String()])
	for _, name := range names {
		tag := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "active."), ".toml")
		if tag != def.String() {
			b.add(b.byTag[tag])
		}
	}
	b.matcher = language.NewMatcher(b.tags)
	b.localizers = make(map[string]*Localizer, len(b.languages))
	for _, l := range b.languages {
		b.localizers[l.Tag] = b.newLocalizer(l)
	}
	return b, nil
}

func (b *Bundle) add(l Language) {
	b.languages = append(b.languages, l)
	b.tags = append(b.tags, language.MustParse(l.Tag))
}

func baseOf(t language.Tag) string {
	base, _ := t.Base()
	return base.String()
}

// Languages lists the shipped languages, the default first.
func (b *Bundle) Languages() []Language { return b.languages }

// Supported returns the shipped language for an exact tag such as "sq".
func (b *Bundle) Supported(tag string) (Language, bool) {
	l, ok := b.byTag[tag]
	return l, ok
}

// Match picks the language for a request: an explicit choice when it is shipped, else the
// best match for the Accept-Language header (q-values honoured), else the default.
func (b *Bundle) Match(choice, acceptLanguage string) Language {
	if l, ok := b.byTag[choice]; ok {
		return l
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return b.languages[0]
	}
	_, idx, conf := b.matcher.Match(tags...)
	if conf == language.No {
		return b.languages[0]
	}
	return b.languages[idx]
}

// Localizer returns the translator for one language: for a shipped language, the same one
// for every request (made by New).
func (b *Bundle) Localizer(l Language) *Localizer {
	if loc, ok := b.localizers[l.Tag]; ok && loc.Language == l {
		return loc
	}
	return b.newLocalizer(l)
}

func (b *Bundle) newLocalizer(l Language) *Localizer {
	return &Localizer{Language: l, loc: goi18n.NewLocalizer(b.bundle, l.Tag)}
}

// Localizer translates message ids for one request's language.
type Localizer struct {
	Language Language
	loc      *goi18n.Localizer
}

// T translates a message; data fills its template ({{.Name}}). A missing id returns the id
// itself, so a gap shows on the page instead of an empty string (and the completeness test
// catches it before that).
func (l *Localizer) T(id string, data ...map[string]any) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// N translates a message with CLDR plural forms chosen by count; {{.Count}} is available.
func (l *Localizer) N(id string, count int, data ...map[string]any) string {
	td := map[string]any{"Count": count}
	if len(data) > 0 {
		for k, v := range data[0] {
			td[k] = v
		}
	}
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		return id
	}
	return s
}

type ctxKey struct{}

// WithLocalizer stores the request's localizer in its context.
func WithLocalizer(ctx context.Context, l *Localizer) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the request's localizer, or nil.
func FromContext(ctx context.Context) *Localizer {
	l, _ := ctx.Value(ctxKey{}).(*Localizer)
	return l
}

// Country is the name of an ISO 3166 region in this language (CLDR data); "XX" is unknown and
// "XS" stateless, which CLDR lacks, so they come from the catalogue.
func (l *Localizer) Country(code string) string {
	switch code {
	case "XX":
		return l.T("code.nationality.unknown")
	case "XS":
		return l.T("code.nationality.stateless")
	}
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.Regions(language.Make(l.Language.Tag)).Name(r); n != "" {
		return n
	}
	return code
}

// LanguageName is the name of a spoken language in this language (CLDR data).
func (l *Localizer) LanguageName(code string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Tags(language.Make(l.Language.Tag)).Name(t); n != "" {
		return n
	}
	return code
}
