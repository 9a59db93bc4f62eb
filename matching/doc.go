// Package matching is the name-matching engine of the duplicate check: it decides how alike
// two descriptions of a child are, and says why. It has no database and no HTTP; the registry
// retrieves candidates and stores names, and asks this package to fold and compare them.
//
// The API, in the order a check uses it:
//
//   - Normalize: LatinName transliterates a name from any script on the route (tuned tables
//     for Arabic, Persian, Pashto, Urdu, Sorani, Bengali, Cyrillic and Ge'ez, unidecode for the
//     rest); Latin picks the officer's Latin form or that suggestion; Skeleton is the
//     spelling-tolerant key stored with every name (RulesVersion versions it).
//   - Variants: VariantSkeletons are the keys of a name's other plausible spellings (Somali,
//     Kurmanji, Egyptian, Bengali readings), stored for retrieval; comparison tries them too.
//   - Compare: NewPerson folds an Identity (names in every reading, aliases, birth range, sex,
//     nationalities, the parents' names: parents.go); Compare sets a query against a candidate
//     under the registry's name frequencies (Freqs) and gives a Comparison with its
//     Fellegi–Sunter match Weight; PossibleWeight and Likely turn a weight into the registry's
//     bands, Probability into a score.
//   - Explain: a Comparison's Reasons, one per field, each with the weight it contributed.
//
// How the weights are estimated, and how to re-estimate them, is told in weights.go. The
// labelled pairs in testdata (a tuning part and a frozen holdout, ReadPairs) measure the
// engine: go test ./matching/ fails below 0.9 precision or recall on either part.
package matching
