package bot

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kambot/kambot/internal/storetest"
	"github.com/kambot/kambot/store"
)

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestReadyzNeedsACommit is issue 10's item 7: on a real database whose
// writes all fail while reads still work, /readyz answers 503 with a body
// that names no file (the detail goes to the log), and 200 again once
// writes commit.
func TestReadyzNeedsACommit(t *testing.T) {
	ctx := context.Background()
	path := storetest.DSN(t, "kambot.db")
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.ReadyCache = 0 // every request probes; the cache has its own test in store

	// A second connection to the same database breaks and repairs the writes.
	raw := storetest.Raw(t, path)
	exec := func(q string) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// The detail logged names the database: the file, or the redacted URL.
	where := db.Path()

	var logs lockedBuffer
	s := newTestServer(t, func(c *HTTPConfig) {
		c.Ready = db.Ready
		c.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	get := func() (int, string) {
		r, _ := http.NewRequest(http.MethodGet, "/readyz", nil)
		w := s.do(r)
		return w.Code, w.Body.String()
	}

	full := struct{ brk, fix, logged string }{
		`CREATE TRIGGER no_writes BEFORE UPDATE ON ready_probe BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`,
		`DROP TRIGGER no_writes`, "database or disk is full"}
	if storetest.OnPostgres() {
		full.brk = `CREATE FUNCTION no_writes() RETURNS trigger LANGUAGE plpgsql AS $$
			BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$;
			CREATE TRIGGER no_writes BEFORE UPDATE ON ready_probe FOR EACH ROW EXECUTE FUNCTION no_writes()`
		full.fix = `DROP TRIGGER no_writes ON ready_probe; DROP FUNCTION no_writes()`
		full.logged = "No space left on device"
	}
	tests := []struct {
		name, brk, fix string
		logged         string // in the log line of the failure
	}{{
		name:   "every write fails",
		brk:    full.brk,
		fix:    full.fix,
		logged: full.logged,
	}, {
		name:   "the probe row is gone",
		brk:    `DELETE FROM ready_probe`,
		fix:    `INSERT INTO ready_probe (id, checked_at) VALUES (1, 0)`,
		logged: "0 rows written",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, body := get(); code != http.StatusOK || body != "ready" {
				t.Fatalf("before: %d %q", code, body)
			}
			// Reads still answer: a ping alone would call this ready.
			if err := db.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			exec(tt.brk)
			if err := db.Ping(ctx); err != nil {
				t.Fatalf("reads fail too: %v", err)
			}
			code, body := get()
			if code != http.StatusServiceUnavailable || body != notReadyText {
				t.Errorf("broken: %d %q; want 503 %q", code, body, notReadyText)
			}
			for _, secret := range []string{path, where, filepath.Base(path), "ready_probe", tt.logged} {
				if strings.Contains(body, secret) {
					t.Errorf("body %q names %q", body, secret)
				}
			}
			if l := logs.String(); !strings.Contains(l, tt.logged) || !strings.Contains(l, where) {
				t.Errorf("log lacks the detail %q and the database %q:\n%s", tt.logged, where, l)
			}
			exec(tt.fix)
			if code, body := get(); code != http.StatusOK || body != "ready" {
				t.Errorf("repaired: %d %q", code, body)
			}
		})
	}
}
