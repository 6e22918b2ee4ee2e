package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kambot/kambot/internal/benchdb"
	"github.com/kambot/kambot/kam"
	"github.com/kambot/kambot/store"
)

// BenchmarkLogWithPostWorkspace10k is BenchmarkLogWithPostRequest in a
// seeded workspace of 10,000 accounts and 2,000,000 interactions (the
// file the commands' -bench10k benchmarks build and cache), each log on a
// random account with a channel post: the write connection's page cache
// then holds only a small part of the indexes a log updates. It works on a
// copy of the seeded file and reports CPU per log.
func BenchmarkLogWithPostWorkspace10k(b *testing.B) {
	ctx := context.Background()
	spec := benchdb.Spec{Accounts: 10_000, Interactions: 2_000_000, SpanDays: 730, Now: time.Date(2025, 3, 20, 10, 0, 0, 0, time.UTC)}
	seeded, err := benchdb.Path(ctx, spec)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "log.db")
	if err := benchdb.CopyFile(seeded, path); err != nil {
		b.Fatal(err)
	}
	db, err := store.OpenMigrated(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	all, err := db.Accounts(ctx, benchdb.Team)
	if err != nil {
		b.Fatal(err)
	}
	var accounts []kam.Account
	for _, a := range all {
		if a.ChannelID != "" {
			accounts = append(accounts, a)
		}
	}
	if len(accounts) == 0 {
		b.Fatal("no account with a channel in the seeded workspace")
	}
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ReportAllocs()
	b.ResetTimer()
	defer coreReportCPU(b, coreCPUTime())
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
		for pb.Next() {
			a := accounts[rng.IntN(len(accounts))]
			in := kam.Interaction{TeamID: benchdb.Team, AccountID: a.ID, Kind: kam.KindCall, Summary: "Discussed the renewal and next quarter's volumes",
				RequestID: fmt.Sprintf("1764000000.42.%016x", seq.Add(1))}
			if err := db.LogInteraction(ctx, &in, a.OwnerID, benchPost(benchdb.Team, a.ChannelID)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
