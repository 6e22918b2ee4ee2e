package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// TestMigrateBuildsTheSearchIndex: `kambot migrate` on a database whose
// records are older than the search index indexes them, showing its
// progress, and a second run has nothing to do.
func TestMigrateBuildsTheSearchIndex(t *testing.T) {
	if storetest.OnPostgres() {
		t.Skip("writes rows past the triggers through SQLite itself; on PostgreSQL the migration indexes in one statement")
	}
	ctx := context.Background()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	acme := kam.Account{TeamID: "T0MIGRATE", Name: "Acme", OwnerID: "U0KAM0001"}
	if err := db.CreateAccount(ctx, &acme, "U0KAM0001"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	for i := range n {
		if _, err := tx.Exec(`INSERT INTO interactions (team_id, account_id, user_id, kind, summary, at) VALUES (?, ?, 'U0KAM0001', 'call', ?, 0)`,
			acme.TeamID, acme.ID, fmt.Sprintf("renewal call number %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// As a file from before the index: nothing indexed, everything to do.
	for _, s := range []string{`DELETE FROM search_fts`, `UPDATE search_backfill SET done = 0, upto = (SELECT MAX(id) FROM interactions) WHERE source = 1`} {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := run(t, env("KAMBOT_DB", path), "", "migrate")
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^search index: 3000 of 3000 records \(100%\)$`).MatchString(out) || !strings.Contains(out, "search index: built in") {
		t.Fatalf("migrate printed %q; want the index's progress to 100%% and its time", out)
	}
	var rows int
	if err := raw.QueryRow(`SELECT count(*) FROM search_fts`).Scan(&rows); err != nil || rows != n {
		t.Fatalf("index rows = %d, %v; want %d", rows, err, n)
	}
	out, _, err = run(t, env("KAMBOT_DB", path), "", "migrate")
	if err != nil || strings.Contains(out, "search index") || !strings.Contains(out, "schema is up to date") {
		t.Fatalf("second migrate: %v %q; want nothing to do", err, out)
	}
}
