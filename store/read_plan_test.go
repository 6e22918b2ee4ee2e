package store

import (
	"context"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

// TestOneAccountReadPlans checks that every query behind the one-account
// reads (show, brief, health <account>, pipeline <account>, plan) is
// answered from the account's own index ranges: a plan that scans a
// workspace-wide table or index range passes every functional test and
// still grows tenfold from 1,000 to 10,000 accounts. Plans are checked on
// a database never analyzed and again after ANALYZE, since either is what a
// deployment may run with.
func TestOneAccountReadPlans(t *testing.T) {
	storetest.SQLiteOnly(t, "checks SQLite query plans (EXPLAIN QUERY PLAN)")
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "plans.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list := "[1]"
	tests := []struct {
		name  string
		query string
		args  []any
		want  string // must appear in the plan
	}{
		{"health team", healthTeamSQL, []any{"T", list}, "SEARCH m USING PRIMARY KEY (account_id=?)"},
		{"health last contact", healthBoundsSQL, []any{"T", list, 2, 0, 1}, "SEARCH i USING COVERING INDEX interactions_touch_at (team_id=? AND account_id=?)"},
		{"health window", healthWindowSQL, []any{"T", list, 0, 1}, "SEARCH i USING COVERING INDEX interactions_touch_at (team_id=? AND account_id=? AND at>? AND at<?)"},
		{"health stakeholders met", healthMetSQL, []any{"T", list, 0, 1}, "SEARCH ic USING COVERING INDEX interaction_contacts_contact (contact_id=? AND at>? AND at<?)"},
		{"health bounds: contacts ahead", healthBoundsSQL, []any{"T", list, 2, 0, 1}, "SEARCH i USING COVERING INDEX interactions_touch_at (team_id=? AND account_id=? AND at>?)"},
		{"health bounds: links ahead", healthContactsSQL, []any{"T", list, 2}, "SEARCH ic USING COVERING INDEX interaction_contacts_contact (contact_id=? AND at>?)"},
		{"health bounds: surveys ahead", healthBoundsSQL, []any{"T", list, 2, 0, 1}, "SEARCH s USING COVERING INDEX surveys_account (team_id=? AND account_id=? AND sent_at>?)"},
		{"health bounds: answers", healthBoundsSQL, []any{"T", list, 2, 0, 1}, "SEARCH r USING COVERING INDEX survey_responses_account_cover (account_id=? AND at>? AND at<?)"},
		{"health change counters", healthRevsSQL, []any{list}, "SEARCH h USING INTEGER PRIMARY KEY (rowid=?)"},
		{"health stakeholders", healthContactsSQL, []any{"T", list, 2}, "SEARCH c USING INDEX contacts_team_account (team_id=? AND account_id=?)"},
		{"health opportunities", healthOppsSQL, []any{"T", list}, "SEARCH o USING INDEX opportunities_account_name (account_id=?)"},
		{"plan objectives", planObjectivesSQL, []any{"T", list}, "USING INDEX plan_objectives_account (account_id=?)"},
		{"plan tactics", planTacticsSQL, []any{"T", list}, "(account_id=?)"},
		{"plan latest review", planLatestReviewsSQL, []any{"T", list}, "SEARCH p USING COVERING INDEX plan_reviews_team (team_id=? AND account_id=?)"},
		{"plan reviews", planReviewsSQL, []any{1, "T", 5}, "SEARCH plan_reviews USING INDEX plan_reviews_account (account_id=?)"},
		{"NPS surveyed", npsSurveyedSQL, []any{"T", list, 1}, "USING COVERING INDEX surveys_account (team_id=? AND account_id=? AND sent_at<?)"},
		{"NPS counts", npsCountsSQL, []any{"T", list, 0, 1, 0}, "USING COVERING INDEX survey_responses_account_cover (account_id=? AND at>? AND at<?)"},
		{"NPS latest", npsLatestSQL, []any{"T", list, 1}, "SEARCH r USING INDEX survey_responses_account_at (account_id=? AND at<?)"},
		{"survey answers", accountAnswersSQL, []any{1, "T", 5}, "SEARCH survey_responses USING INDEX survey_responses_account_at (account_id=?)"},
		{"scorings", scoringsSQL, []any{1, "T", 5}, "SEARCH scorings USING INDEX scorings_account (account_id=?)"},
		{"scoring values", scoringValuesSQL, []any{list, "T"}, "SEARCH scoring_values USING PRIMARY KEY (scoring_id=?)"},
		{"count interactions", countAccountInteractionsSQL, []any{1, "T"}, "USING COVERING INDEX interactions_account_at (account_id=?)"},
		{"members", membersSQL, []any{1, "T"}, "SEARCH members USING PRIMARY KEY (account_id=?)"},
		{"opportunities", opportunitiesSQL(true, false), []any{"T", 1}, "SEARCH opportunities USING INDEX opportunities_account_name (account_id=?)"},
		{"open opportunities", opportunitiesSQL(true, true), []any{"T", 1}, "SEARCH opportunities USING INDEX opportunities_account_name (account_id=?)"},
		{"accounts' opportunities", accountsOppsSQL, []any{"T", list}, "SEARCH opportunities USING INDEX opportunities_account_name (account_id=?)"},
		{"interactions", interactionsSQL, []any{1, "T", 5}, "SEARCH i USING COVERING INDEX interactions_account_at (account_id=?)"},
	}
	for _, analyzed := range []bool{false, true} {
		if analyzed {
			// A workspace of several accounts, so the statistics say the
			// team_id indexes are the least selective.
			for _, q := range []string{
				`INSERT INTO accounts (id, team_id, name, slug, created_at, updated_at) VALUES (1, 'T', 'A', 'a', 0, 0), (2, 'T', 'B', 'b', 0, 0), (3, 'T', 'C', 'c', 0, 0)`,
				`INSERT INTO members (team_id, account_id, user_id, role, added_at) VALUES ('T', 1, 'U1', 'kam', 0), ('T', 2, 'U1', 'kam', 0), ('T', 3, 'U2', 'kam', 0)`,
				`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES ('T', 1, 'U1', 'call', 'x', 0), ('T', 2, 'U1', 'call', 'x', 0), ('T', 3, 'U2', 'call', 'x', 0)`,
				`ANALYZE`,
			} {
				if _, err := db.write.ExecContext(ctx, q); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tt := range tests {
			name := tt.name
			if analyzed {
				name += "/analyzed"
			}
			t.Run(name, func(t *testing.T) {
				plan := explain(t, db, tt.query, tt.args...)
				if !strings.Contains(plan, tt.want) {
					t.Errorf("plan lacks %q:\n%s", tt.want, plan)
				}
				for _, line := range strings.Split(plan, "\n") {
					// Only the list of accounts asked for may be scanned, and
					// a subquery's own result (its rows come from the
					// searches above it).
					if strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "VIRTUAL TABLE") && !strings.HasPrefix(line, "SCAN a") &&
						!strings.HasPrefix(line, "SCAN (subquery-") {
						t.Errorf("plan scans %q:\n%s", line, plan)
					}
					// A search on the workspace alone is a scan of its rows.
					if strings.Contains(line, "(team_id=?") && !strings.Contains(line, "account_id=?") {
						t.Errorf("plan reads the whole workspace in %q:\n%s", line, plan)
					}
				}
			})
		}
	}
}

// explain returns the query's plan, one step a line.
func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.write.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestOptimize checks that Optimize gives the planner statistics for a
// database that never had any.
func TestOptimize(t *testing.T) {
	storetest.SQLiteOnly(t, "PRAGMA optimize is SQLite's; PostgreSQL analyzes by itself")
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "optimize.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
		INSERT INTO accounts (id, team_id, name, slug, created_at, updated_at) SELECT i, 'T', 'A' || i, 'a' || i, 0, 0 FROM n`); err != nil {
		t.Fatal(err)
	}
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'accounts'`).Scan(&n); err != nil {
		t.Fatalf("no statistics after Optimize: %v", err)
	}
	if n == 0 {
		t.Fatal("Optimize left accounts without statistics")
	}
}
