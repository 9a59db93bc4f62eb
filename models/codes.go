package models

// Code lists of the registry. Values are stable codes stored in the database; their labels
// are localized: "code.<list>.<code>" in the i18n catalogues (countries and languages take
// their names from CLDR through golang.org/x/text/language/display).

// Sexes are the values of Child.Sex.
var Sexes = []string{"female", "male", "other", "unknown"}

// ProtectionStatuses are the values of Child.ProtectionStatus.
var ProtectionStatuses = []string{"unaccompanied", "separated"}

// HowFound are the ways a child comes to the authorities' attention.
var HowFound = []string{"presented_at_border", "border_check", "police_operation", "ngo_referral", "found_alone", "other"}

// Nationalities are the ISO 3166-1 alpha-2 codes offered first (the route's countries of
// origin); any valid code is accepted. "XX" is unknown, "XS" stateless.
var Nationalities = []string{"AF", "SY", "PK", "BD", "IQ", "IR", "MA", "DZ", "TN", "EG", "LY", "TR", "UA",
	"ER", "SO", "SD", "PS", "IN", "NP", "NG", "GN", "CI", "CM", "XK", "MK", "RS", "GR", "XS", "XX"}

// Languages are the BCP 47 tags of languages children on the route speak (for interpreters
// and information in a language the child understands).
var Languages = []string{"ar", "fa-AF", "fa", "ps", "ur", "ckb", "kmr", "tr", "bn", "fr", "uk", "ru",
	"en", "ti", "so", "pa", "hi", "sq", "el"}

// Vulnerabilities is the checklist of special needs (standard S4).
var Vulnerabilities = []string{"under_14", "disability", "chronic_illness", "injury", "pregnancy",
	"trauma_signs", "mental_health", "victim_of_violence", "substance_use", "no_shared_language"}

// TraffickingIndicators is the checklist of trafficking indicators.
var TraffickingIndicators = []string{"unrelated_adult", "relation_unverified", "no_documents",
	"false_documents", "controlled_by_others", "debt_mentioned", "scripted_story", "work_promised",
	"signs_of_abuse", "fearful_or_coached", "unknown_destination_contact"}

// DocumentTypes are the kinds of document a child may carry.
var DocumentTypes = []string{"passport", "national_id", "birth_certificate", "tazkira", "asylum_card", "other"}
