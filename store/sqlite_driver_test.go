package store

import (
	"context"
	"database/sql"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
)

// TestWriterSettings checks that every connection of the write pool, the
// first and any opened later, keeps statement journals and temporary tables
// in memory (see sqliteWriterPragmas), and that the read pool is left as
// SQLite's default.
func TestWriterSettings(t *testing.T) {
	storetest.SQLiteOnly(t, "checks SQLite connection settings")
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "settings.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tempStore := func(t *testing.T, pool string) int {
		t.Helper()
		p := db.read
		if pool == "write" {
			p = db.write
		}
		var v int
		if err := p.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		pool    string
		reopen  bool // drop the pool's idle connections first
		want    int  // 2 = MEMORY, 0 = the build's default
		comment string
	}{
		{"WriteFirst", "write", false, 2, "the connection Open pinged"},
		{"WriteReopened", "write", true, 2, "a connection opened after the first closed"},
		{"Read", "read", false, 0, "readers keep SQLite's default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reopen {
				p := db.write
				p.SetMaxIdleConns(0)
				if err := p.PingContext(ctx); err != nil {
					t.Fatal(err)
				}
				p.SetMaxIdleConns(1)
			}
			if got := tempStore(t, tt.pool); got != tt.want {
				t.Errorf("%s: temp_store = %d, want %d", tt.comment, got, tt.want)
			}
		})
	}
}

// TestPageCacheSizes checks the page cache each pool's connections are
// opened with: the write connection's cache is most of SQLite's resident
// memory under a stream of logs, so its size is kept to what a batch of
// logs touches.
func TestPageCacheSizes(t *testing.T) {
	storetest.SQLiteOnly(t, "checks SQLite connection settings")
	ctx := context.Background()
	db, err := OpenMigrated(ctx, storetest.DSN(t, "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tt := range []struct {
		pool string
		p    *sql.DB
		want int // KiB, negative as in PRAGMA cache_size
	}{
		{"write", db.write, -writerCacheKiB},
		{"read", db.read, -readerCacheKiB},
		{"search", db.search, -readerCacheKiB},
	} {
		var got int
		if err := tt.p.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%s pool: cache_size = %d, want %d", tt.pool, got, tt.want)
		}
	}
	if writerCacheKiB > 1024 {
		t.Errorf("write connection's page cache is %d KiB: keep it at 1 MiB or less (peak resident memory under /kam log)", writerCacheKiB)
	}
}
