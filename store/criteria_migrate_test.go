package store

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
)

// TestCriteriaMigration checks migration 100 on a database from before it:
// a workspace that had changed its weights gets version 1 (the book's
// factors with those weights) and its scorings are assigned it; a
// workspace that had not keeps the built-in version 0.
func TestCriteriaMigration(t *testing.T) {
	ctx := context.Background()
	db, err := Open(filepath.Join(t.TempDir(), "criteria.db"))
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
	if _, err := p.UpTo(ctx, 99); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.write.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO accounts (id, team_id, name, slug, created_at, updated_at) VALUES (1, 'TW', 'A', 'a', 0, 0), (2, 'TP', 'B', 'b', 0, 0)`)
	exec(`INSERT INTO scorings (id, team_id, account_id, user_id, at) VALUES (1, 'TW', 1, 'UANA', 10), (2, 'TP', 2, 'UANA', 10)`)
	exec(`INSERT INTO score_weights (team_id, factor, weight, updated_by, updated_at) VALUES
		('TW', 'size', 3, 'UADMIN', 5), ('TW', 'trust', 0, 'UADMIN', 7)`)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sets, err := db.CriteriaSets(ctx, "TW")
	if err != nil {
		t.Fatal(err)
	}
	c := sets.Current()
	size, _ := c.Lookup("size")
	trust, _ := c.Lookup("trust")
	price, _ := c.Lookup("price")
	if c.Version != 1 || len(c.Factors) != 19 || c.By != "UADMIN" || c.LastID != 19 || size.Weight != 3 || trust.Weight != 0 || price.Weight != 1 {
		t.Errorf("TW's criteria = %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("migrated set does not validate: %v", err)
	}
	for i, f := range c.Factors {
		if f.ID != i+1 {
			t.Errorf("factor %d is %+v", i+1, f)
		}
	}
	if other, _ := db.CriteriaSets(ctx, "TP"); len(other) != 0 {
		t.Errorf("TP, which kept the default weights, has sets %v", other)
	}
	for _, tt := range []struct {
		id   int
		want int
	}{{1, 1}, {2, 0}} {
		var v int
		if err := db.write.QueryRowContext(ctx, `SELECT criteria_version FROM scorings WHERE id = ?`, tt.id).Scan(&v); err != nil || v != tt.want {
			t.Errorf("scoring %d has version %d (%v), want %d", tt.id, v, err, tt.want)
		}
	}
	// And back: the weights return to score_weights.
	if _, err := p.DownTo(ctx, 99); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM score_weights WHERE team_id = 'TW'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("down: %d weights (%v), want 2", n, err)
	}
}
