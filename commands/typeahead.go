package commands

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/kambot/kambot/kam"
)

// typeaheadTTL is how long the accounts a user may log on are kept for the
// account menu. Slack asks again at every keystroke; a few seconds of
// staleness only changes what is offered, never what is allowed: the
// form's submission checks the user's rights against the store.
const typeaheadTTL = 20 * time.Second

// typeaheadMax bounds how many users' lists are kept.
const typeaheadMax = 2000

// candidate is an account as the menu ranks it.
type candidate struct {
	acct  kam.Account
	lower string // the name, lower case
}

type typeaheadEntry struct {
	at    time.Time
	cands []candidate
}

// typeahead caches, per workspace and user, the accounts the user may log
// on, so that a user typing a name costs one store read, not one a key.
type typeahead struct {
	mu      sync.Mutex
	entries map[string]typeaheadEntry
}

// candidates returns the user's accounts, by name, from the cache when
// fresh.
func (t *typeahead) candidates(ctx context.Context, a *Actor) ([]candidate, error) {
	key, now := a.TeamID+"/"+a.UserID, time.Now()
	t.mu.Lock()
	e, ok := t.entries[key]
	t.mu.Unlock()
	if ok && now.Sub(e.at) < typeaheadTTL {
		return e.cands, nil
	}
	accts, err := a.Store().AccountNamesForUser(ctx, a.TeamID, a.UserID)
	if err != nil {
		return nil, err
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
	t.entries[key] = typeaheadEntry{at: now, cands: cands}
	return cands, nil
}
