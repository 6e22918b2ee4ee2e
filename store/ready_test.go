package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/storetest"

	"github.com/kambot/kambot/store"
)

// TestReady: Ready passes on a healthy database, fails when writes do not
// commit although reads answer, and reuses its answer for ReadyCache.
func TestReady(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	open := func(t *testing.T) (*store.DB, *sql.DB) {
		t.Helper()
		path := storetest.DSN(t, "ready.db")
		db, err := store.OpenMigrated(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := store.OpenRaw(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return db, raw
	}
	breakWrites := func(t *testing.T, raw *sql.DB) {
		t.Helper()
		qs := []string{`CREATE TRIGGER no_writes BEFORE UPDATE ON ready_probe BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`}
		if storetest.OnPostgres() {
			qs = []string{`CREATE FUNCTION no_writes() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$`,
				`CREATE TRIGGER no_writes BEFORE UPDATE ON ready_probe FOR EACH ROW EXECUTE FUNCTION no_writes()`}
		}
		for _, q := range qs {
			if _, err := raw.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("OK", func(t *testing.T) {
		db, _ := open(t)
		db.ReadyCache = 0
		for range 3 {
			if err := db.Ready(ctx); err != nil {
				t.Fatalf("Ready: %v", err)
			}
		}
	})
	t.Run("ErrWritesFail", func(t *testing.T) {
		db, raw := open(t)
		db.ReadyCache = 0
		breakWrites(t, raw)
		if err := db.Ping(ctx); err != nil {
			t.Fatalf("Ping: %v; reads should still answer", err)
		}
		if err := db.Ready(ctx); err == nil {
			t.Fatal("Ready passed while no write commits")
		}
	})
	t.Run("ErrUnmigrated", func(t *testing.T) {
		db, err := store.Open(storetest.DSN(t, "empty.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Ready(ctx); err == nil {
			t.Fatal("Ready passed without the schema")
		}
	})
	t.Run("Cached", func(t *testing.T) {
		tests := []struct {
			name    string
			cache   time.Duration
			wantErr bool // after writes broke, following a passing probe
		}{
			{"reused within ReadyCache", time.Hour, false},
			{"probed anew without cache", 0, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				db, raw := open(t)
				db.ReadyCache = tt.cache
				if err := db.Ready(ctx); err != nil {
					t.Fatalf("Ready: %v", err)
				}
				breakWrites(t, raw)
				if err := db.Ready(ctx); (err != nil) != tt.wantErr {
					t.Fatalf("Ready after writes broke = %v; want error %v", err, tt.wantErr)
				}
			})
		}
	})
}
