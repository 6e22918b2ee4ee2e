package store

// SetSearchCandidates changes how many matches a search ranks, for the
// benchmark that weighs ranking against matching.
func SetSearchCandidates(n int) { searchCandidates = n }

// SetSearchScopeFirst forces how a search over few accounts reads: 1 their
// records first, -1 the terms' doclists, 0 as the store chooses.
func (db *DB) SetSearchScopeFirst(mode int) { db.scopeFirstMode = mode }
