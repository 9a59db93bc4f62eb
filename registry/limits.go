package registry

// The limits of every input, in one place. Each string and list field of an input struct
// carries an `input` tag naming its limit ("len=<runes>", "items=<count>", "multiline",
// "name"); CheckInput enforces the tags, and a test keeps api/openapi.json's maxLength and
// maxItems equal to them, so the documentation and the code cannot drift apart.
//
// The figures below are the values the tags use. Go struct tags cannot reference constants,
// so the tags spell the numbers; TestInputLimitsAreDocumented checks both agree with the
// OpenAPI document.
const (
	// MaxNameLen bounds a name, an alias, an accompanying adult's name or relation.
	MaxNameLen = 100
	// MaxCodeLen bounds a code: a sex, status, country, language tag (BCP 47), role…
	MaxCodeLen = 35
	// MaxShortText bounds a one-line text: a location, a document number, a region name.
	MaxShortText = 200
	// MaxLongText bounds a multi-line text: notes, reasons, special needs.
	MaxLongText = 2000

	// MaxAssessmentText bounds the free texts of an age assessment (reason, justification,
	// professionals), which are longer than other notes.
	MaxAssessmentText = 4000

	// MaxListItems bounds a list of codes or names (aliases, languages, vulnerabilities…).
	MaxListItems = 20
	// MaxScopeItems bounds the regions or border posts given to one user.
	MaxScopeItems = 100

	// MaxFormValue and MaxFormValues bound any one field of a page form before the use case
	// sees it: the longest text and the longest list any input accepts.
	MaxFormValue  = MaxAssessmentText
	MaxFormValues = MaxScopeItems

	// DefaultMaxLen is the limit of a string field that has no tag (none should: a test
	// walks every input type), so nothing is ever unbounded.
	DefaultMaxLen = MaxShortText
	// DefaultMaxItems is the limit of a list field without a tag.
	DefaultMaxItems = MaxListItems
)
