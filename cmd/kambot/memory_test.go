package main

import (
	"math"
	"runtime/debug"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/fakeslack"
	"github.com/kambot/kambot/internal/memlimit"
	"github.com/kambot/kambot/internal/storetest"
)

// TestServeSetsMemoryLimit runs serve on a small workspace: once the health
// inputs are loaded it gives the collector the floor limit, and with
// GOMEMLIMIT set it leaves the operator's limit alone.
func TestServeSetsMemoryLimit(t *testing.T) {
	was := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(was) })
	for _, c := range []struct {
		name, gomemlimit string
		atStart, want    int64 // the limit the runtime starts with, and the one serve leaves
	}{
		{"default", "", math.MaxInt64, memlimit.Floor},
		{"operator", "300MiB", 300 << 20, 300 << 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			debug.SetMemoryLimit(c.atStart) // what the runtime made of GOMEMLIMIT
			fs := fakeslack.New(t)
			_, stop := serveInBackground(t, env(
				"SLACK_BOT_TOKEN", "xoxb-e2e", "SLACK_SIGNING_SECRET", testSecret, "SLACK_API_URL", fs.URL(),
				"KAMBOT_ADDR", freePort(t), "KAMBOT_DB", storetest.DSN(t, "limit.db"), "GOMEMLIMIT", c.gomemlimit,
			))
			// The warm-up of an empty workspace takes milliseconds; the
			// operator's limit must still stand well after it.
			deadline := time.Now().Add(3 * time.Second)
			for time.Now().Before(deadline) && (c.gomemlimit != "" || debug.SetMemoryLimit(-1) != c.want) {
				time.Sleep(20 * time.Millisecond)
			}
			if got := debug.SetMemoryLimit(-1); got != c.want {
				t.Errorf("memory limit %d, want %d", got, c.want)
			}
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
