package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestContactLinksWho checks that every stakeholder link carries who logged
// its interaction and its kind: links of an older database get them when
// migration 15 runs, and links written afterwards from the trigger, whatever
// inserts them.
func TestContactLinksWho(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "links.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db.write, sub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 14); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.write.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO accounts (id, team_id, name, slug, created_at, updated_at) VALUES (1, 'T', 'A', 'a', 0, 0)`)
	exec(`INSERT INTO interactions (id, team_id, account_id, user_id, kind, summary, at) VALUES
		(1, 'T', 1, 'UANA', 'call', 'x', 10), (2, 'T', 1, 'UBEN', 'note', 'y', 20), (3, 'T', 1, 'UCY', 'visit', 'z', 30)`)
	exec(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (1, 7, 'T', 10), (2, 7, 'T', 20), (2, 8, 'T', 20)`)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Written after the migration, the way any writer does.
	exec(`INSERT INTO interaction_contacts (interaction_id, contact_id, team_id, at) VALUES (3, 8, 'T', 30)`)

	want := map[[2]int64][2]string{
		{1, 7}: {"UANA", "call"}, {2, 7}: {"UBEN", "note"}, {2, 8}: {"UBEN", "note"}, {3, 8}: {"UCY", "visit"},
	}
	rows, err := db.write.QueryContext(ctx, `SELECT interaction_id, contact_id, user_id, kind FROM interaction_contacts`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[[2]int64][2]string{}
	for rows.Next() {
		var k [2]int64
		var v [2]string
		if err := rows.Scan(&k[0], &k[1], &v[0], &v[1]); err != nil {
			t.Fatal(err)
		}
		got[k] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("links = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("link %v = %v, want %v", k, got[k], v)
		}
	}
}
