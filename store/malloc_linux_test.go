//go:build linux && cgo

package store

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
)

// TestOneMallocArena reads from several threads at once and checks that
// SQLite's allocations stayed in one malloc arena.
func TestOneMallocArena(t *testing.T) {
	if os.Getenv("MALLOC_ARENA_MAX") != "" {
		t.Skip("MALLOC_ARENA_MAX is set: the operator's choice applies")
	}
	if mallocArenas() < 0 {
		t.Skip("the C library does not report its malloc arenas")
	}
	ctx := context.Background()
	db, err := OpenMigrated(ctx, filepath.Join(t.TempDir(), "arenas.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A thread of its own, so glibc would give it an arena.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for range 50 {
				rows, err := db.read.QueryContext(ctx, `SELECT name, sql FROM sqlite_master`)
				if err != nil {
					t.Error(err)
					return
				}
				for rows.Next() {
				}
				rows.Close()
			}
		}()
	}
	wg.Wait()
	if n := mallocArenas(); n != 1 {
		t.Errorf("%d malloc arenas, want 1", n)
	}
}
