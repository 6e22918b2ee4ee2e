package store

// SetSearchCandidates changes how many matches a search ranks, for the
// benchmark that weighs ranking against matching.
func SetSearchCandidates(n int) { searchCandidates = n }
