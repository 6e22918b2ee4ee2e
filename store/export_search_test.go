package store

// SetSearchCandidates changes how many matches a search ranks, for the
// benchmark that weighs ranking against matching.
func SetSearchCandidates(n int) { searchCandidates = n }

// ScopeList is scopeList, for the test of the MATCH expression's shape.
func ScopeList(ids []int64) string { return scopeList(ids) }
