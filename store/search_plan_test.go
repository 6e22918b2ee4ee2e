package store

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

// TestSearchPlans checks that the reads around a search's match look up
// the rows they name: a scan of the index's stored rows or of the
// workspace's accounts passes every functional test and costs
// milliseconds at 2 million records or 10,000 accounts.
func TestSearchPlans(t *testing.T) {
	storetest.SQLiteOnly(t, "checks SQLite query plans (EXPLAIN QUERY PLAN)")
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tests := []struct {
		name  string
		query string
		args  []any
		want  []string // each must appear in the plan
		bad   []string // none may
	}{
		{"accounts in scope", searchScopeAccountsSQL, []any{"[1]", "T"}, []string{"SCAN j VIRTUAL TABLE", "SEARCH a USING INTEGER PRIMARY KEY (rowid=?)"}, []string{"SCAN a", "(team_id=?)"}},
		{"other workspaces' accounts", otherTeamsAccountsSQL, []any{"T", 5},
			[]string{"(team_id<?)", "(team_id>?)"}, []string{"SCAN accounts"}},
		{"workspace's accounts", teamAccountIDsSQL, []any{"T"}, []string{"(team_id=?)"}, []string{"SCAN accounts"}},
		{"a scan's interactions, filtered", scanInteractionsSQL + " AND ((i.summary LIKE ?) OR length(i.summary) < octet_length(i.summary))", []any{"[1]", 0, "%x%"},
			[]string{"SCAN j VIRTUAL TABLE", "SEARCH i USING COVERING INDEX interactions_account_at (account_id=? AND at>?)"}, []string{"SCAN i"}},
		{"accounts' interactions counted", accountInteractionsSQL, []any{"[1]"},
			[]string{"SCAN j VIRTUAL TABLE", "SEARCH i USING COVERING INDEX interactions_account_at (account_id=?)"}, []string{"SCAN i"}},
		// A full-text query is index 3 or more (FTS3_FULLTEXT_SEARCH + column).
		{"a scan's other records", scanOthersSQL, []any{"(scope:a1)"}, []string{"SCAN search_fts VIRTUAL TABLE INDEX"}, []string{"INDEX 0:", "INDEX 1:"}},
		// FTS4 plans a docid lookup as index 1 (idxNum 1: FTS3_DOCID_SEARCH).
		{"hits' stored rows", searchFetchSQL, []any{"[9]"}, []string{"SCAN j VIRTUAL TABLE", "SCAN f VIRTUAL TABLE INDEX 1:"}, []string{"INDEX 0:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, db, tt.query, tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(plan, w) {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			for _, b := range tt.bad {
				if strings.Contains(plan, b) {
					t.Errorf("plan has %q:\n%s", b, plan)
				}
			}
		})
	}
}
