package store

import (
	"context"

	"github.com/kambot/kambot/kam"
)

// SetSearchCandidates changes how many matches a search ranks, for the
// benchmark that weighs ranking against matching.
func SetSearchCandidates(n int) { searchCandidates = n }

// ScopeList is scopeList, for the test of the MATCH expression's shape.
func ScopeList(ids []int64) string { return scopeList(ids) }

// SearchScope is how a search of q keeps to its asker's records on SQLite:
// the MATCH expression's account list, or that stored rows are filtered.
func (db *DB) SearchScope(ctx context.Context, q kam.SearchQuery) (match string, filter bool, err error) {
	sc, err := db.searchScope(ctx, q)
	return sc.match, sc.filter, err
}

// SearchBy is Search ranking from the index (scan -1), from the
// accounts' records whenever it can (1), or as the cost decides (0); it
// reports whether it ranked from the records.
func (db *DB) SearchBy(ctx context.Context, q kam.SearchQuery, scan int) ([]kam.SearchHit, bool, error) {
	return db.searchBy(ctx, q, scan)
}
