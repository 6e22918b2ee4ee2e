package store

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

// TestCorePlans checks that the hot-path queries are answered from indexes:
// a plan that falls back to scanning a workspace's rows would pass every
// functional test and still miss the product's speed target.
func TestCorePlans(t *testing.T) {
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
	}{
		{"FindAccounts", findAccountsSQL, []any{"T", "a", "a\xff", "a", "a\xff", 5}, []string{
			"SEARCH accounts USING INDEX accounts_team_name (team_id=? AND name>? AND name<?)",
			"SEARCH accounts USING INDEX sqlite_autoindex_accounts_1 (team_id=? AND slug>? AND slug<?)",
		}},
		{"MemberRole", memberRoleSQL, []any{1, "U", "T"}, []string{
			"SEARCH members USING PRIMARY KEY (account_id=? AND user_id=?)",
		}},
		{"LogInteraction", insertInteractionSQL, []any{"T", 1, "U", "call", "x", 0, ""}, []string{
			"USING INTEGER PRIMARY KEY (rowid=?)",
		}},
		{"Interactions", interactionsSQL, []any{1, "T", 5}, []string{
			"SEARCH i USING COVERING INDEX interactions_account_at (account_id=?)",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// explain plans on the write pool: a read-only connection plans no INSERT.
			all := explain(t, db, tt.query, tt.args...)
			for _, w := range tt.want {
				if !strings.Contains(all, w) {
					t.Errorf("plan lacks %q:\n%s", w, all)
				}
			}
			if strings.Contains(all, "SCAN accounts") || strings.Contains(all, "SCAN members") {
				t.Errorf("plan scans a table:\n%s", all)
			}
		})
	}
}
