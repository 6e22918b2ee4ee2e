package store_test

import (
	"context"
	"flag"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/internal/cputime"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

var (
	searchScale      = flag.Int("search-interactions", 2_000_000, "interactions in the search benchmark's seeded workspace (10,000 accounts)")
	searchCandidates = flag.Int("search-candidates", 0, "matches ranked per search (0: the store's default)")
)

// BenchmarkSearch runs two-word searches over a seeded workspace of 10,000
// accounts and 2,000,000 interactions with varied summaries, as an admin
// (the whole workspace), a KAM (their 20 accounts) and the VP on every
// account's team (10,000 accounts, filtered after the match). It reports
// the p50, p95 and p99 wall time per search, the process's CPU time per
// search and the 95th and 99th percentiles of each search's CPU time. The
// file is built once (seeded, then indexed as `kambot migrate` does) and
// cached by benchdb.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	spec := benchdb.Spec{Accounts: 10_000, Interactions: *searchScale, SpanDays: 730, Now: time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), Text: true}
	start := time.Now()
	path, err := benchdb.Path(ctx, spec)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded file ready in %v", time.Since(start).Round(time.Second))
	// Migrated, so that a file cached before a migration that rebuilds
	// the index is indexed again below.
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if done, total, err := db.SearchIndexProgress(ctx); err != nil {
		b.Fatal(err)
	} else if done < total {
		t0, cpu0 := time.Now(), cpuNow()
		if err := db.BuildSearchIndex(ctx, nil); err != nil {
			b.Fatal(err)
		}
		if err := db.OptimizeSearchIndex(ctx); err != nil {
			b.Fatal(err)
		}
		b.Logf("indexed %d records again in %v (CPU %v)", total-done, time.Since(t0).Round(time.Second), (cpuNow() - cpu0).Round(time.Second))
	}
	if *searchCandidates > 0 {
		store.SetSearchCandidates(*searchCandidates)
	}
	cold, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer cold.Close()
	for _, w := range benchdb.Vocabulary {
		if _, err := db.Search(ctx, kam.SearchQuery{TeamID: benchdb.Team, Terms: kam.ParseSearch(w), Limit: 10}); err != nil {
			b.Fatal(err)
		}
	}
	var kamAccounts []int64
	for id := int64(7); id <= 10_000; id += 500 {
		kamAccounts = append(kamAccounts, id) // benchdb.Owner(7) owns every 500th account from 7
	}
	vp := make([]int64, 10_000)
	for i := range vp {
		vp[i] = int64(i + 1)
	}
	for _, who := range []struct {
		name     string
		db       *store.DB
		accounts []int64
	}{{"admin-cold", cold, nil}, {"admin", db, nil}, {"kam", db, kamAccounts}, {"vp", db, vp}} {
		b.Run(who.name, func(b *testing.B) {
			// One thread runs every search (the driver calls SQLite on the
			// caller's thread), so its CPU time is the search's alone,
			// whatever else the machine runs: the wall time a search takes
			// on an idle machine, where its pages are in memory.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			rng := rand.New(rand.NewPCG(1, 2))
			var lat, cpus []time.Duration
			cpu0 := cpuNow()
			for b.Loop() {
				words := benchdb.Vocabulary[rng.IntN(len(benchdb.Vocabulary))] + " " + benchdb.Vocabulary[rng.IntN(len(benchdb.Vocabulary))]
				t0, c0 := time.Now(), threadNow()
				if _, err := who.db.Search(ctx, kam.SearchQuery{TeamID: benchdb.Team, Terms: kam.ParseSearch(words), Accounts: who.accounts, Limit: 10}); err != nil {
					b.Fatal(err)
				}
				lat, cpus = append(lat, time.Since(t0)), append(cpus, threadNow()-c0)
			}
			cpu := cpuNow() - cpu0
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			slices.Sort(lat)
			slices.Sort(cpus)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(cpu)/float64(len(lat)), "cpu-ms/op")
			b.ReportMetric(ms(cpus[len(cpus)*95/100]), "cpu-p95-ms")
			b.ReportMetric(ms(cpus[len(cpus)*99/100]), "cpu-p99-ms")
		})
	}
}

// cpuNow is the CPU time the process has used, user and system.
func cpuNow() time.Duration {
	d, _ := cputime.Process()
	return d
}

// threadNow is the CPU time the calling thread has used.
func threadNow() time.Duration {
	d, _ := cputime.Thread()
	return d
}
