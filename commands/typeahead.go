package commands

import (
	"context"
	"strings"
	"sync"

	"github.com/kambot/kambot/kam"
)

// typeaheadMax bounds how many users' lists are kept.
const typeaheadMax = 2000

// candidate is an account as the menu ranks it.
type candidate struct {
	acct  kam.Account
	lower string // the name, lower case
}

type typeaheadEntry struct {
	accts []kam.Account // the store's list the candidates were made from
	cands []candidate
}

// typeahead keeps, per workspace and user, the accounts the user may log
// on prepared for ranking. The store is asked at every keystroke, so that
// a change shows at once; it answers from memory and returns the same list
// while nothing changed, and only then is the prepared one reused.
type typeahead struct {
	mu      sync.Mutex
	entries map[string]typeaheadEntry
}

// candidates returns the user's accounts, by name, prepared for ranking.
func (t *typeahead) candidates(ctx context.Context, a *Actor) ([]candidate, error) {
	accts, err := a.Store().AccountNamesForUser(ctx, a.TeamID, a.UserID)
	if err != nil {
		return nil, err
	}
	key := a.TeamID + "/" + a.UserID
	t.mu.Lock()
	e, ok := t.entries[key]
	t.mu.Unlock()
	if ok && sameList(e.accts, accts) {
		return e.cands, nil
	}
	cands := make([]candidate, len(accts))
	for i, acct := range accts {
		cands[i] = candidate{acct: acct, lower: strings.ToLower(acct.Name)}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil || len(t.entries) >= typeaheadMax {
		t.entries = make(map[string]typeaheadEntry) // dropping all is cheap and rare
	}
	t.entries[key] = typeaheadEntry{accts: accts, cands: cands}
	return cands, nil
}

// sameList reports whether a and b are the same list (not equal lists: the
// same memory), as the store returns it again while nothing changed.
func sameList(a, b []kam.Account) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
